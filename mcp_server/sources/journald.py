"""systemd journal: live `journalctl -o json`, copied or collected journal files, saved renderings.

Formats (https://systemd.io/JOURNAL_EXPORT_FORMATS/):
- `journalctl -o json`: one JSON object per entry and line. Values are strings; a value that is
  not valid UTF-8 (or holds control bytes) is an array of byte values; a field repeated in one
  entry is an array of values; a value longer than `--output-fields`/`--all` allows is `null`.
  `__REALTIME_TIMESTAMP` is microseconds since the epoch (UTC), `__CURSOR` identifies the entry.
  `-o json-seq` prefixes each line with RS (0x1e), `-o json-sse` with `data: `, `-o json-pretty`
  spreads an object over many lines; saved JSON arrays (as Elastic beats keeps them) are read too.
- `journalctl -o export`: `FIELD=value` lines, binary fields as `FIELD\\n<le64 size><bytes>\\n`,
  entries separated by an empty line.
The live reader runs `journalctl -o json --no-pager --since … --until …` with field matches
(`_COMM=`, `_SYSTEMD_UNIT=`, `SYSLOG_IDENTIFIER=`), `-k`, `-p`, and `--directory` / `--file` for
journals copied from another host or collected by systemd-journal-remote (each event keeps its
`_HOSTNAME`). The `short*` text renderings are read by the syslog module.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Iterable, Iterator, Optional, Sequence

import orjson

from ..errors import SourceUnavailable
from ..paths import JOURNAL_DIRS
from ..models import Event, ParseWarning, SourceRun, clip, make_evidence_id
from . import TextFormat, register
from ._io import open_binary
from ._logevent import (READ_ERRORS, LogFilter, build_event, id_head, iter_json_objects, key_evidence_id, numbered_batches,
                        scalar, single_line_batches)
from ._proc import ProcRun, reject_option_like, which

SOURCE = "journald"
DATA_TYPE = "journald:entry"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
PRIORITY_NAMES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

#: Fields copied into `Event.extra` (everything else is left out: maps, auxv blobs, capabilities).
EXTRA_FIELDS = (
    "_SYSTEMD_UNIT",
    "_SYSTEMD_USER_UNIT",
    "UNIT",
    "USER_UNIT",
    "SYSLOG_IDENTIFIER",
    "SYSLOG_FACILITY",
    "PRIORITY",
    "_TRANSPORT",
    "_BOOT_ID",
    "_MACHINE_ID",
    "_EXE",
    "_CMDLINE",
    "_UID",
    "MESSAGE_ID",
    "__MONOTONIC_TIMESTAMP",
    "EXIT_CODE",
    "EXIT_STATUS",
    "JOB_RESULT",
    "COREDUMP_PID",
    "COREDUMP_EXE",
    "COREDUMP_SIGNAL",
    "COREDUMP_SIGNAL_NAME",
    "COREDUMP_FILENAME",
    "COREDUMP_COMM",
    "CODE_FILE",
    "CODE_FUNC",
)
_MAX_EXTRA_CHARS = 512


def _first_text(value: object) -> Optional[str]:
    """A field that should hold one value, as text: a byte array decoded, the first of repeated
    values, None for an empty list or null."""
    if isinstance(value, list):
        if value and all(isinstance(v, int) for v in value):
            return _text(value)
        if not value:
            return None
        value = value[0]
    return None if value is None else value if isinstance(value, str) else str(value)


def _text(value: object) -> Optional[str]:
    """A journald value as text: byte arrays decoded, repeated values joined, null kept None."""
    if value is None or isinstance(value, str):
        return value  # type: ignore[return-value]
    if isinstance(value, list):
        if value and all(isinstance(v, int) for v in value):
            try:
                return bytes(value).decode("utf-8", "replace")
            except ValueError:
                return None
        return "\n".join(t for t in (_text(v) for v in value) if t is not None)
    return str(value)


_EXTRA_SET = frozenset(EXTRA_FIELDS)


def _micros(t: datetime) -> int:
    """Microseconds since the epoch of an aware time (`__REALTIME_TIMESTAMP`'s unit)."""
    d = t - _EPOCH
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


_ID_HEAD = id_head(DATA_TYPE)
_PRIORITY_BY_TEXT = {str(n): name for n, name in enumerate(PRIORITY_NAMES)}


def entry_to_event(entry: dict, origin: Optional[str]) -> Event:
    """One journal entry (a decoded `-o json` object or an export record) as an `Event`.

    The evidence id comes from the entry's cursor (which names the journal, boot, sequence number
    and time of the entry); without a cursor, from the entry's time and content.
    Raises `ValueError` / `KeyError` / `TypeError` for an entry that is not a journal entry.

    This runs once per journal entry and costs more than decoding the line, so it is written for
    speed (bench/bench_logs.py): string values, the common case, take the shortest path, and the
    event is built by `build_event` from values checked here.
    """
    rt = entry["__REALTIME_TIMESTAMP"]
    if rt.__class__ is not str:
        rt = _first_text(rt)
        if rt is None:
            raise ValueError("the entry has no __REALTIME_TIMESTAMP")
    micros = int(rt)
    get = entry.get
    message = get("MESSAGE")
    extra: dict = {}
    if message.__class__ is not str:
        raw = message
        message = _text(message)
        if message is None:
            message = ""
            if "MESSAGE" in entry and raw is None:
                extra["message_omitted"] = "journalctl printed null: the message is too long (rerun with --all)"
        elif len(message) > 8192:
            message = clip(message) or ""
    elif len(message) > 8192:
        message = clip(message) or ""
    for key in entry:
        if key in _EXTRA_SET:
            v = entry[key]
            if v.__class__ is not str:
                if v is None:
                    continue
                v = _text(v) if (isinstance(v, list) and v and isinstance(v[0], int)) else scalar(v)
                if not isinstance(v, str):
                    extra[key] = v
                    continue
            if len(v) > _MAX_EXTRA_CHARS:
                v = v[:_MAX_EXTRA_CHARS] + "…"
            extra[key] = v
    process = get("_COMM")
    if process is None:
        process = get("SYSLOG_IDENTIFIER")
    if process is not None and process.__class__ is not str:
        process = _text(process)
    pid_v = get("_PID") or get("SYSLOG_PID")
    pid: Optional[int] = None
    if pid_v is not None:
        try:
            pid = int(pid_v if not isinstance(pid_v, list) else _first_text(pid_v))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pid = None
    prio = get("PRIORITY")
    level = None
    if prio is not None:
        level = _PRIORITY_BY_TEXT.get(prio) if prio.__class__ is str else None
        if level is None:
            try:
                level = PRIORITY_NAMES[int(prio)]
            except (TypeError, ValueError, IndexError):
                level = None
    host = get("_HOSTNAME")
    if host is not None and host.__class__ is not str:
        host = _text(host)
    unit = get("_SYSTEMD_UNIT")
    if unit is not None and unit.__class__ is not str:
        unit = _text(unit)
    cursor = get("__CURSOR")
    if cursor.__class__ is str:
        extra["cursor"] = cursor
        evidence_id = key_evidence_id(_ID_HEAD, cursor)
    else:
        if cursor is not None:
            extra["cursor"] = _text(cursor)
        evidence_id = make_evidence_id(DATA_TYPE, micros, host, process, pid, message)
    return build_event({
        "evidence_id": evidence_id, "data_type": DATA_TYPE, "source": SOURCE,
        "time": _EPOCH + timedelta(0, 0, micros), "time_text": rt, "time_zone": "UTC", "time_meaning": "logged",
        "host": host, "process": process, "pid": pid, "subsystem": unit,
        "category": "kernel" if get("_TRANSPORT") == "kernel" else None, "level": level, "message": message,
        "extra": extra, "origin": origin,
    })


def _other_process(entry: dict, flt: LogFilter) -> bool:
    """True when a decoded entry surely fails the filter's process test, so no Event need be
    built for it. Decided on the raw fields the event would get, and only when they are plain
    strings that `entry_to_event` keeps as they are; anything else is left to `LogFilter.accepts`."""
    get = entry.get
    comm, ident = get("_COMM"), get("SYSLOG_IDENTIFIER")
    pid_v = get("_PID") or get("SYSLOG_PID")
    for v in (comm, ident, pid_v):
        if v is not None and v.__class__ is not str:
            return False
    if ident is not None and len(ident) > _MAX_EXTRA_CHARS:
        return False
    try:
        pid = int(pid_v) if pid_v is not None else None
    except ValueError:
        pid = None
    return not flt.process_matches(comm if comm is not None else ident, ident, pid)


def parse_json_batches(
    batches: Iterable[tuple[int, Sequence[bytes]]],
    warnings: list[ParseWarning],
    *,
    origin: Optional[str] = None,
    path: Optional[str] = None,
    flt: Optional[LogFilter] = None,
    prefiltered: bool = False,
) -> Iterator[Event]:
    """Stream events from `-o json` (also json-seq / json-sse) lines, given as `(number of the
    first line, consecutive lines)` batches (`line_batches`, or `single_line_batches` for lines
    fed one by one): one loop over each batch instead of a generator step per line. Bad lines
    become one warning. `prefiltered`: the lines were already narrowed by the filter's byte needles."""
    loads = orjson.loads
    prefilter = flt.byte_prefilter(byte_arrays=True) if flt is not None and not prefiltered else None
    # entries outside the window are dropped before an Event is built for them
    lo = hi = None
    if flt is not None:
        lo = _micros(flt.start) if flt.start is not None else None
        hi = _micros(flt.end) if flt.end is not None else None
    window = lo is not None or hi is not None
    procs = flt is not None and bool(flt.processes)
    accepts = flt.accepts if flt is not None else None
    bad = 0
    first_bad: Optional[int] = None
    first_sample: Optional[str] = None
    for first, batch in batches:
        number = first - 1
        for line in batch:
            number += 1
            if not line:
                continue
            if line[0] != 123:  # "{"
                line = line.strip().lstrip(b"\x1e")
                if line.startswith(b"data: "):
                    line = line[6:]
                if not line or line.startswith((b"id: ", b":")):
                    continue
            if prefilter is not None and not prefilter(line):
                continue
            try:
                entry = loads(line)
                if window:
                    rt = entry.get("__REALTIME_TIMESTAMP")
                    if rt.__class__ is str and rt.isdigit():
                        m = int(rt)
                        if (lo is not None and m < lo) or (hi is not None and m > hi):
                            continue
                if procs and _other_process(entry, flt):  # type: ignore[arg-type]
                    continue
                ev = entry_to_event(entry, origin or (f"{path}:{number}" if path else None))
            except (orjson.JSONDecodeError, KeyError, IndexError, ValueError, TypeError, AttributeError, OverflowError,
                    RecursionError):  # RecursionError: a value nested ~1000 lists deep
                bad += 1
                if first_bad is None:
                    first_bad = number
                    first_sample = line[:200].decode("utf-8", "replace")
                continue
            if accepts is None or accepts(ev):
                yield ev
    if bad:
        warnings.append(
            ParseWarning(
                source=SOURCE,
                path=path,
                line=first_bad,
                sample=first_sample,
                message=f"{bad} line(s) were not journal JSON entries and were skipped (first at line {first_bad})",
            )
        )


# --- export format -----------------------------------------------------------------------------

MAX_BINARY_FIELD = 64 << 20


def iter_export_entries(stream: IO[bytes], warnings: list[ParseWarning], path: Optional[str]) -> Iterator[dict]:
    """Entries of the journal export format as dicts (repeated fields become lists)."""
    entry: dict = {}
    number = 0
    while True:
        try:
            line = stream.readline(1 << 20)
        except READ_ERRORS as exc:
            warnings.append(ParseWarning(source=SOURCE, path=path, message=f"stopped reading: {exc}"))
            break
        if not line:
            break
        number += 1
        if line == b"\n":
            if entry:
                yield entry
            entry = {}
            continue
        body = line[:-1] if line.endswith(b"\n") else line
        eq = body.find(b"=")
        if eq > 0:
            key = body[:eq].decode("ascii", "replace")
            value: object = body[eq + 1 :].decode("utf-8", "replace")
        else:
            key = body.decode("ascii", "replace")
            try:
                size_b = stream.read(8)
            except READ_ERRORS:
                size_b = b""
            if len(size_b) < 8:
                warnings.append(ParseWarning(source=SOURCE, path=path, line=number, message="truncated binary field"))
                break
            (size,) = struct.unpack("<Q", size_b)
            if size > MAX_BINARY_FIELD:
                warnings.append(
                    ParseWarning(source=SOURCE, path=path, line=number, message=f"binary field {key} of {size} bytes is implausible; stopped")
                )
                break
            try:
                data = stream.read(size)
                stream.read(1)
            except READ_ERRORS:
                data = b""
            if len(data) < size:
                warnings.append(ParseWarning(source=SOURCE, path=path, line=number, message="truncated binary field"))
                break
            value = data.decode("utf-8", "replace")
        if key in entry:
            prev = entry[key]
            entry[key] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            entry[key] = value
    if entry:
        yield entry


# --- text formats -------------------------------------------------------------------------------


@register
class JournaldJsonFormat(TextFormat):
    """Saved `journalctl -o json` / json-seq / json-sse / json-pretty output, or a JSON array of entries."""

    NAME = "journald_json"
    DESCRIPTION = "journalctl -o json (and json-seq, json-sse, json-pretty, JSON arrays) saved to a file"
    PRIORITY = 60
    SAMPLES = (
        '{"_COMM":"python","_HOSTNAME":"imx6ul-medusa","_GID":"0","__REALTIME_TIMESTAMP":"1534860261221373","MESSAGE":"GPS Reference longitude: 7.358143333","SYSLOG_FACILITY":"3","_PID":"184","PRIORITY":"1"}',
        '{ "__CURSOR" : "s=e991dd5775894620914f2f7126aae6c1;i=372a;b=0dc874d3fbd44bdbb6fbcfaa27481492;m=24ea327;t=573f280a663fd;x=9ceeb77ef4331563", "__REALTIME_TIMESTAMP" : "1534860261221373", "MESSAGE" : "GPS Reference longitude: 7.358143333" }',
    )

    def matches(self, head: str) -> bool:
        h = head.lstrip("\ufeff \t\r\n[\x1e")
        if h.startswith("data: "):
            h = h[6:]
        return h.startswith("{") and ('"__REALTIME_TIMESTAMP"' in head[:65536] or '"__CURSOR"' in head[:65536])

    def parse(self, path: str, warnings: list[ParseWarning], **options: object) -> Iterator[Event]:
        flt = options.get("filter")
        flt = flt if isinstance(flt, LogFilter) else None
        try:
            stream = open_binary(path)
        except SourceUnavailable as exc:
            warnings.append(ParseWarning(source=SOURCE, path=path, message=str(exc)))
            return
        with stream:
            try:
                head = stream.read(1 << 16)
                stream.seek(0)
            except READ_ERRORS as exc:
                warnings.append(ParseWarning(source=SOURCE, path=path, message=f"cannot read: truncated or corrupt ({exc})"))
                return
            first = head.lstrip(b"\xef\xbb\xbf \t\r\n")
            nl = first.find(b"\n")
            one_per_line = first.startswith((b"{", b"\x1e", b"data: ")) and (nl == -1 or first[:nl].rstrip().endswith(b"}"))
            if one_per_line:
                batches, prefiltered = numbered_batches(stream, warnings, SOURCE, path, flt, byte_arrays=True)
                yield from parse_json_batches(batches, warnings, path=path, flt=flt, prefiltered=prefiltered)
                return
            bad = 0
            for number, blob in enumerate(iter_json_objects(stream, warnings, SOURCE, path), 1):
                try:
                    ev = entry_to_event(orjson.loads(blob), f"{path}#{number}")
                except (orjson.JSONDecodeError, KeyError, IndexError, ValueError, TypeError, AttributeError, OverflowError,
                        RecursionError):  # RecursionError: a value nested ~1000 lists deep
                    bad += 1
                    continue
                if flt is None or flt.accepts(ev):
                    yield ev
            if bad:
                warnings.append(ParseWarning(source=SOURCE, path=path, message=f"{bad} JSON object(s) were not journal entries"))


@register
class JournaldExportFormat(TextFormat):
    """Saved `journalctl -o export` output (the journal export format)."""

    NAME = "journald_export"
    DESCRIPTION = "journal export format (journalctl -o export), https://systemd.io/JOURNAL_EXPORT_FORMATS/"
    PRIORITY = 60
    SAMPLES = (
        "__CURSOR=s=78822e5d1c8d4288b5042c9b2def94a9;i=3;b=0dc874d3fbd44bdbb6fbcfaa27481492;m=24ea327;t=573f280a663fd;x=f37dfad0472494ec\n__REALTIME_TIMESTAMP=1534860261221373\n__MONOTONIC_TIMESTAMP=38708007\n_BOOT_ID=0dc874d3fbd44bdbb6fbcfaa27481492\nPRIORITY=1\n",
        "__REALTIME_TIMESTAMP=1719834246841951\n__MONOTONIC_TIMESTAMP=69204993\n_BOOT_ID=62c460d8931346bf85d24dfe22d2d2fb\nMESSAGE=Out of memory: Killed process 1234 (java)\n",
    )

    def matches(self, head: str) -> bool:
        return head.startswith(("__CURSOR=", "__REALTIME_TIMESTAMP=")) and "\n__" in head[:4096] + "\n__"

    def parse(self, path: str, warnings: list[ParseWarning], **options: object) -> Iterator[Event]:
        flt = options.get("filter")
        flt = flt if isinstance(flt, LogFilter) else None
        try:
            stream = open_binary(path)
        except SourceUnavailable as exc:
            warnings.append(ParseWarning(source=SOURCE, path=path, message=str(exc)))
            return
        bad = 0
        with stream:
            for number, entry in enumerate(iter_export_entries(stream, warnings, path), 1):
                try:
                    ev = entry_to_event(entry, f"{path}#{number}")
                except (KeyError, IndexError, ValueError, TypeError, OverflowError, RecursionError):
                    bad += 1
                    continue
                if flt is None or flt.accepts(ev):
                    yield ev
        if bad:
            warnings.append(ParseWarning(source=SOURCE, path=path, message=f"{bad} export record(s) had no usable __REALTIME_TIMESTAMP"))


# --- live journalctl ----------------------------------------------------------------------------


@dataclass
class JournalQuery:
    """What to ask journalctl for. Field values are matched exactly (journalctl's own semantics:
    values of one field are ORed, different fields ANDed)."""

    since: datetime
    until: datetime
    processes: list[str] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    kernel: bool = False
    priority: Optional[int] = None
    directory: Optional[str] = None
    files: list[str] = field(default_factory=list)
    program: str = "journalctl"


def _journal_time(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def unit_name(unit: str) -> str:
    """`nginx` → `nginx.service`, as `journalctl -u` does; names with a unit suffix are kept."""
    suffixes = (".service", ".socket", ".scope", ".slice", ".timer", ".mount", ".target", ".path", ".swap", ".device", ".automount")
    return unit if unit.endswith(suffixes) or "*" in unit else unit + ".service"


def build_argv(q: JournalQuery) -> list[str]:
    """The exact `journalctl` command line for a query (also shown to the user)."""
    argv = [q.program, "-o", "json", "--no-pager", "--since", _journal_time(q.since), "--until", _journal_time(q.until)]
    if q.directory:
        argv += ["--directory", reject_option_like(q.directory, "journal folder")]
    for f in q.files:
        argv += ["--file", reject_option_like(f, "journal file")]
    if q.kernel:
        argv.append("-k")
    if q.priority is not None:
        if not 0 <= int(q.priority) <= 7:
            from ..errors import InputError

            raise InputError("priority must be 0 (emerg) … 7 (debug)")
        argv += ["-p", str(int(q.priority))]
    for p in q.processes:
        # journald truncates _COMM to 15 characters (TASK_COMM_LEN - 1)
        argv.append("_COMM=" + p[:15])
    for pid in q.pids:
        argv.append(f"_PID={int(pid)}")
    for u in q.units:
        argv.append("_SYSTEMD_UNIT=" + unit_name(u))
    for i in q.identifiers:
        argv.append("SYSLOG_IDENTIFIER=" + i)
    return argv


def journal_files(folders: list[str]) -> tuple[list[str], Optional[str]]:
    """Journal files in folders and their machine-id sub-folders; and why a folder could not be read."""
    found: list[str] = []
    problem: Optional[str] = None
    for folder in folders:
        base = Path(folder)
        try:
            for child in base.iterdir():
                if child.name.endswith((".journal", ".journal~")):
                    found.append(str(child))
                elif child.is_dir():
                    try:
                        found += [str(c) for c in child.iterdir() if c.name.endswith((".journal", ".journal~"))]
                    except PermissionError:
                        problem = f"{child}: permission denied (add the user to the systemd-journal group)"
                        found.append(str(child))  # present but unreadable: let journalctl say what it can
        except FileNotFoundError:
            continue
        except PermissionError:
            problem = f"{base}: permission denied"
        except OSError as exc:
            problem = f"{base}: {exc.strerror or exc}"
    return found, problem


@dataclass
class JournalResult:
    events: list[Event]
    run: SourceRun
    warnings: list[ParseWarning]


def query_journal(
    q: JournalQuery,
    *,
    max_events: int = 50_000,
    timeout: float = 60.0,
    flt: Optional[LogFilter] = None,
) -> JournalResult:
    """Run journalctl for a query and collect up to `max_events` matching events.

    Never raises for a missing/failing/hanging journalctl: the `SourceRun` says unavailable or
    error with the reason; events read before a failure are kept (status partial).
    """
    warnings: list[ParseWarning] = []
    argv = build_argv(q)
    run = SourceRun(source=SOURCE, argv=argv, path=q.directory or (q.files[0] if len(q.files) == 1 else None))
    if q.directory and not Path(q.directory).is_dir():
        run.status = "unavailable"
        run.reason = f"{q.directory}: no such journal folder"
        return JournalResult([], run, warnings)
    if not q.files:
        folders = [q.directory] if q.directory else list(JOURNAL_DIRS)
        found, unreadable = journal_files(folders)
        if not found:
            run.status = "unavailable"
            where = " or ".join(folders)
            run.reason = (f"no journal files in {where}" + (f" ({unreadable})" if unreadable else "")
                          + ("" if q.directory else ": journald is not running or keeps no logs (Storage=none)"))
            return JournalResult([], run, warnings)
    if which(q.program) is None and "/" not in q.program:
        run.status = "unavailable"
        run.reason = f"`{q.program}` is not installed or not on PATH"
        return JournalResult([], run, warnings)
    proc = ProcRun(argv, timeout=timeout)
    events: list[Event] = []
    origin = "journalctl"
    try:
        for ev in parse_json_batches(single_line_batches(enumerate(proc.lines(max_line_bytes=1 << 24), 1)), warnings,
                                     origin=origin, flt=flt):
            events.append(ev)
            if len(events) >= max_events:
                run.truncated = True
                break
    except SourceUnavailable as exc:
        run.status = "unavailable"
        run.reason = str(exc)
        return JournalResult([], run, warnings)
    reason = proc.failure()
    if reason:
        run.reason = reason
        run.status = "partial" if events else ("unavailable" if proc.timed_out else "error")
        if proc.stderr and "No journal files were found" in proc.stderr:
            run.status = "unavailable"
    elif proc.stderr and ("permission" in proc.stderr.lower() or "No journal files" in proc.stderr):
        # journalctl prints "Hint: You are currently not seeing messages from other users and the system."
        # or skips unreadable files and still exits 0: partial results plus a warning
        warnings.append(ParseWarning(source=SOURCE, message="journalctl: " + proc.stderr.splitlines()[-1][:300]))
        run.status = "partial"
    for w in warnings:
        w.path = w.path or run.path
    run.events = len(events)
    run.warnings = len(warnings)
    return JournalResult(events, run, warnings)


# --- journalctl -o verbose ----------------------------------------------------------------------

from .syslog import RecordFormat  # noqa: E402 - the shared record loop of the text formats

_VERBOSE_FIELD = re.compile(r"^    (?P<key>[A-Z0-9_]+)=(?P<value>.*)$")


@register
class JournaldVerboseFormat(RecordFormat):
    """Saved `journalctl -o verbose`: a header line with time and cursor, then `    FIELD=value` lines."""

    NAME = "journald_verbose"
    DESCRIPTION = "journalctl -o verbose (Mon 2024-07-01 11:44:06.841938 UTC [s=…cursor…] then FIELD=value lines)"
    PRIORITY = 45
    DATA_TYPE = DATA_TYPE
    NOISE = None
    SAMPLES = (
        "Tue 2018-08-21 14:04:21.221373 UTC [s=78822e5d1c8d4288b5042c9b2def94a9;i=3;b=0dc874d3fbd44bdbb6fbcfaa27481492;m=24ea327;t=573f280a663fd;x=f37dfad0472494ec]\n"
        "    _COMM=python\n    _HOSTNAME=imx6ul-medusa\n    MESSAGE=GPS Reference longitude: 7.358143333\n    PRIORITY=1\n",
    )
    HEADER = re.compile(
        r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<d>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?) (?P<tz>[A-Z]{1,5}|[+-]\d{2}:?\d{2}) \[(?P<cursor>s=[^\]]*)\]"
    )

    def record(self, m: re.Match[str], body: str, state: dict) -> Optional[dict]:
        entry: dict = {"__CURSOR": m.group("cursor")}
        key: Optional[str] = None
        blobs: list[str] = []
        for line in body.split("\n")[1:]:
            f = _VERBOSE_FIELD.match(line)
            if f:
                key = f.group("key")
                value = f.group("value")
                if re.fullmatch(r"\[[\d.]+[KMG]?B blob data\]", value):
                    blobs.append(key)
                    value = None
                prev = entry.get(key)
                entry[key] = value if key not in entry else (prev if isinstance(prev, list) else [prev]) + [value]
            elif key is not None and isinstance(entry.get(key), str):
                entry[key] += "\n" + line[len(key) + 5 :]
        tz = m.group("tz")
        naive = datetime.fromisoformat(m.group("d"))
        if tz in ("UTC", "GMT"):
            when = naive.replace(tzinfo=timezone.utc)
        elif tz[0] in "+-":
            when = datetime.fromisoformat(m.group("d") + tz)
        else:
            when = naive.replace(tzinfo=state["zone"])
        micros = int((when - _EPOCH) / timedelta(microseconds=1))
        entry["__REALTIME_TIMESTAMP"] = str(micros)
        ev = entry_to_event(entry, None)
        fields = {k: v for k, v in ev.__dict__.items() if k not in ("evidence_id", "data_type", "source", "origin")}
        if blobs:
            fields["extra"] = {**fields["extra"], "blob_fields": blobs}
        if "MESSAGE" in blobs:
            fields["extra"]["message_omitted"] = "journalctl -o verbose printed the message as blob data"
        fields["time_text"] = m.group(0).split(" [", 1)[0]
        fields["time_zone"] = "UTC" if tz in ("UTC", "GMT") else (tz if tz[0] in "+-" else f"{state['zone']} (assumed for {tz})")
        return fields
