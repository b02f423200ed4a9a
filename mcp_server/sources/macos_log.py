"""macOS unified log: `log show` / `log stream` output in every style, and the live `log show` run.

Styles (see `man log`, "--style"):
- `ndjson`: one JSON object per line (keys `timestamp`, `eventMessage`, `processImagePath`,
  `processID`, `subsystem`, `category`, `messageType`, `eventType`, `bootUUID`, …), then a
  trailing `{"count":N,"finished":1}` record that says the run completed.
- `json`: the same objects in ONE JSON array, pretty printed (read streaming, object by object).
- `default` (also what `log stream` prints): `Timestamp  Thread  Type  Activity  PID  TTL` columns,
  then `process: (library) [subsystem:category] message`; messages may span several lines.
- `compact`: `2026-09-05 22:27:28.221 Df kernel[0:2398a46] message` — no UTC offset: the time
  is read in the zone the caller gives (the machine's zone otherwise) and `time_zone` says so.
- `syslog`: `2020-11-14 18:21:07.003222+0100  localhost powerd[67]: message`.
Preamble and footer lines (`Filtering the log data using …`, `Skipping debug messages …`, the
column header, the `Log      - Default: …` statistics) are recognised and never become events.

The live path builds `log show --style ndjson --start … --end … [--info --debug] --predicate …`
(a `.logarchive` is read as `log show <archive> …`), with predicates built from structured
filters with correct NSPredicate string quoting; a raw predicate is one argv element, never a
shell string.
"""

from __future__ import annotations

import abc
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import PurePath
from typing import Iterable, Iterator, Optional, Sequence

import orjson

from ..errors import InputError, SourceUnavailable
from ..models import Event, ParseWarning, SourceRun, clip, make_evidence_id
from ..timeutil import local_zone
from . import TextFormat, register
from ._io import LineReader, open_binary
from ._logevent import (LogFilter, build_event, fast_event, id_head, iter_json_objects, key_evidence_id, numbered_batches,
                        single_line_batches)
from ._proc import ProcRun, reject_option_like, which

SOURCE = "macos_log"
DATA_TYPE = "macos:unified_log:entry"

_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)$")


def _zone_text(ts: str) -> Optional[str]:
    m = _OFFSET.search(ts)
    if not m:
        return None
    return f"{m.group(1)}{m.group(2)}:{m.group(3)}"


def _basename(path: Optional[str]) -> Optional[str]:
    if not path:
        return None
    i = path.rfind("/")
    return path[i + 1 :] if i >= 0 else path


#: image path -> its file name: a log names few executables, each on many records (bounded)
_BASENAMES: dict[str, str] = {}


def _image_name(path: object) -> Optional[str]:
    """`_basename(path)`, remembered for string paths."""
    if path.__class__ is str:
        name = _BASENAMES.get(path)  # type: ignore[call-overload]
        if name is not None:
            return name
        name = _basename(path)  # type: ignore[arg-type]
        if name is not None:
            if len(_BASENAMES) >= 4096:
                _BASENAMES.clear()
            _BASENAMES[path] = name  # type: ignore[index]
        return name
    return _basename(path)  # type: ignore[arg-type]


# --- ndjson / json ------------------------------------------------------------------------------


_EXTRA_KEYS = ("eventType", "bootUUID", "threadID", "traceID", "machTimestamp", "activityIdentifier", "userID")
_ZONE_CACHE: dict[str, Optional[str]] = {}
_ID_HEAD = id_head(DATA_TYPE)
_UTC = timezone.utc


def record_to_event(rec: dict, origin: Optional[str]) -> Optional[Event]:
    """One `log show --style ndjson/json` object as an `Event`; None for the trailer record.

    Raises `KeyError`/`ValueError`/`TypeError` when the object is not a log record.
    """
    ts = rec.get("timestamp")
    if ts is None:
        if "finished" in rec or "count" in rec:
            return None
        raise KeyError("timestamp")
    when = datetime.fromisoformat(ts)
    if when.tzinfo is None:
        raise ValueError("timestamp without offset")
    offset = ts[-5:]
    zone = _ZONE_CACHE.get(offset)
    if zone is None:
        zone = _ZONE_CACHE.setdefault(offset, _zone_text(ts))
    msg = rec.get("eventMessage")
    if msg.__class__ is not str:
        msg = "" if msg is None else str(msg)
    elif len(msg) > 8192:
        msg = clip(msg) or ""
    image = rec.get("processImagePath")
    process = _BASENAMES.get(image) if image.__class__ is str else None
    if process is None:
        process = _image_name(image)
    image = rec.get("senderImagePath")
    sender = _BASENAMES.get(image) if image.__class__ is str else None
    if sender is None:
        sender = _image_name(image)
    extra: dict = {}
    for key in _EXTRA_KEYS:
        v = rec.get(key)
        if v is not None and v.__class__ in (str, int, float, bool):
            extra[key] = v
    if sender and sender != process:
        extra["sender"] = sender
    pid = rec.get("processID")
    level = rec.get("messageType")
    boot, mach, thread, trace = rec.get("bootUUID"), rec.get("machTimestamp"), rec.get("threadID"), rec.get("traceID")
    if boot is not None and mach is not None:
        # the boot and the mach clock name one record of one machine; thread and trace tell apart ties
        eid = key_evidence_id(_ID_HEAD, f"{boot}/{mach}/{thread}/{trace}")
    else:
        eid = make_evidence_id(DATA_TYPE, ts, process, pid, msg, mach, thread, trace)
    return build_event({
        "evidence_id": eid, "data_type": DATA_TYPE, "source": SOURCE,
        "time": when.astimezone(_UTC), "time_text": ts, "time_zone": zone, "time_meaning": "logged",
        "host": None, "process": process, "pid": pid if pid.__class__ is int else None,
        "subsystem": rec.get("subsystem") or None, "category": rec.get("category") or None,
        "level": level.lower() if level.__class__ is str else None, "message": msg, "extra": extra, "origin": origin,
    })


@dataclass
class NdjsonStats:
    """What the trailer said: `count` records printed, `finished` when the run completed."""

    count: Optional[int] = None
    finished: bool = False


def parse_ndjson_batches(
    batches: Iterable[tuple[int, Sequence[bytes]]],
    warnings: list[ParseWarning],
    *,
    origin: Optional[str] = None,
    path: Optional[str] = None,
    flt: Optional[LogFilter] = None,
    stats: Optional[NdjsonStats] = None,
    prefiltered: bool = False,
) -> Iterator[Event]:
    """Events from ndjson lines, given as `(number of the first line, consecutive lines)` batches
    (`line_batches`, or `single_line_batches` for lines fed one by one): one loop over each batch
    instead of a generator step per line. Bad lines become one warning. `prefiltered`: the lines
    were already narrowed by the filter's byte needles (then the trailer record is not seen)."""
    loads = orjson.loads
    prefilter = flt.byte_prefilter() if flt is not None and not prefiltered else None
    accepts = flt.accepts if flt is not None else None
    bad = 0
    first_bad: Optional[int] = None
    sample: Optional[str] = None
    for first, batch in batches:
        number = first - 1
        for line in batch:
            number += 1
            if not line or line[0] != 123:
                line = line.strip()
                if not line:
                    continue
                if line[0] != 123:
                    # preamble text ("Filtering the log data using …") or garbage
                    if number > 3 or not line.startswith((b"Filtering", b"Skipping", b"Getting", b"Timestamp")):
                        bad += 1
                        if first_bad is None:
                            first_bad, sample = number, line[:200].decode("utf-8", "replace")
                    continue
            if prefilter is not None and b'"timestamp"' in line and not prefilter(line):
                continue
            try:
                rec = loads(line)
                ev = record_to_event(rec, origin or (f"{path}:{number}" if path else None))
            except (orjson.JSONDecodeError, KeyError, ValueError, TypeError, AttributeError):
                bad += 1
                if first_bad is None:
                    first_bad, sample = number, line[:200].decode("utf-8", "replace")
                continue
            if ev is None:
                if stats is not None:
                    stats.count = rec.get("count") if isinstance(rec.get("count"), int) else None
                    stats.finished = bool(rec.get("finished"))
                continue
            if accepts is None or accepts(ev):
                yield ev
    if bad:
        warnings.append(
            ParseWarning(
                source=SOURCE,
                path=path,
                line=first_bad,
                sample=sample,
                message=f"{bad} line(s) were not unified-log JSON records and were skipped (first at line {first_bad})",
            )
        )


def _flt(options: dict) -> Optional[LogFilter]:
    f = options.get("filter")
    return f if isinstance(f, LogFilter) else None


@register
class MacosNdjsonFormat(TextFormat):
    """`log show --style ndjson` (or `log stream --style ndjson`) saved to a file."""

    NAME = "macos_log_ndjson"
    DESCRIPTION = "macOS `log show --style ndjson`: one JSON record per line, then {\"count\":N,\"finished\":1}"
    PRIORITY = 60
    SAMPLES = (
        '{"timezoneName":"","messageType":"Default","eventType":"logEvent","source":null,"formatString":"%25s:%-5d (%p) Input format: %s","userID":501,"activityIdentifier":0,"subsystem":"com.apple.coreaudio","category":"ac","threadID":11498972,"bootUUID":"3590A0B1-4C7D-4C4A-9F0B-69FAC3D0BD58","processImagePath":"\\/System\\/Library\\/Frameworks\\/MediaPlayer.framework\\/Versions\\/A\\/XPCServices\\/RemotePlayerService.xpc\\/Contents\\/MacOS\\/RemotePlayerService","timestamp":"2026-07-26 18:11:22.348728+1200","machTimestamp":20147685217463,"eventMessage":"Input format:  2 ch,  44100 Hz","processID":99240}',
    )

    def matches(self, head: str) -> bool:
        for line in head.splitlines()[:4]:
            s = line.strip()
            if s.startswith("{") and s.endswith("}"):
                return '"eventMessage"' in s or ('"timestamp"' in s and '"processImagePath"' in s)
        return False

    def parse(self, path: str, warnings: list[ParseWarning], **options: object) -> Iterator[Event]:
        flt = _flt(options)
        try:
            stream = open_binary(path)
        except SourceUnavailable as exc:
            warnings.append(ParseWarning(source=SOURCE, path=path, message=str(exc)))
            return
        with stream:
            batches, prefiltered = numbered_batches(stream, warnings, SOURCE, path, flt)
            yield from parse_ndjson_batches(batches, warnings, path=path, flt=flt, prefiltered=prefiltered)


@register
class MacosJsonFormat(TextFormat):
    """`log show --style json`: one JSON array of records, pretty printed; read object by object."""

    NAME = "macos_log_json"
    DESCRIPTION = "macOS `log show --style json`: one JSON array of records"
    PRIORITY = 59
    SAMPLES = (
        '[{\n  "timezoneName" : "",\n  "messageType" : "Default",\n  "eventType" : "logEvent",\n  "subsystem" : "com.apple.powerd",\n  "category" : "battery",\n  "processImagePath" : "\\/System\\/Library\\/CoreServices\\/powerd.bundle\\/powerd",\n  "timestamp" : "2025-08-09 10:41:00.069263-0400",\n  "eventMessage" : "Battery capacity change posted(0x80061). Capacity:97 Source:Batt",\n  "processID" : 602\n}',
    )

    def matches(self, head: str) -> bool:
        h = head.lstrip("\ufeff \t\r\n[")
        if not h.startswith("{"):
            return False
        first = h.split("\n", 1)[0].strip()
        if first.endswith("}") and len(first) > 1:
            return False  # one object per line: ndjson
        return '"eventMessage"' in head[:65536] or '"machTimestamp"' in head[:65536]

    def parse(self, path: str, warnings: list[ParseWarning], **options: object) -> Iterator[Event]:
        flt = _flt(options)
        try:
            stream = open_binary(path)
        except SourceUnavailable as exc:
            warnings.append(ParseWarning(source=SOURCE, path=path, message=str(exc)))
            return
        bad = 0
        with stream:
            for number, blob in enumerate(iter_json_objects(stream, warnings, SOURCE, path), 1):
                try:
                    ev = record_to_event(orjson.loads(blob), f"{path}#{number}")
                except (orjson.JSONDecodeError, KeyError, ValueError, TypeError, AttributeError):
                    bad += 1
                    continue
                if ev is not None and (flt is None or flt.accepts(ev)):
                    yield ev
        if bad:
            warnings.append(ParseWarning(source=SOURCE, path=path, message=f"{bad} JSON object(s) were not unified-log records"))


# --- text styles ---------------------------------------------------------------------------------

_TYPES = {
    "Df": "default", "Db": "debug", "I": "info", "E": "error", "F": "fault", "A": "activity",
    "Default": "default", "Info": "info", "Debug": "debug", "Error": "error", "Fault": "fault",
    "Activity": "activity", "Timesync": "timesync", "Signpost": "signpost", "State": "state", "Loss": "loss",
}
_NOISE = re.compile(
    r"^(?:Filtering the log data using |Skipping (?:info and )?debug messages|Timestamp\s+(?:Thread|Ty|\(process\))"
    r"|Getting |Archive: |-{20,}|Log\s+- Default:|Activity - Create:|Signpost\s*-|Local store:|Log store:|Error:)"
)
#: `process: (library) [subsystem:category] message` (library and the bracket are optional)
_BODY = re.compile(r"^(?P<proc>[^:\[\]]+?): (?:\((?P<lib>[^)]*)\) )?(?:\[(?P<sub>[^\]\s:]+):(?P<cat>[^\]]+)\] )?(?P<msg>.*)$", re.S)
_LIB_SUB = re.compile(r"^(?:\((?P<lib>[^)]*)\) )?(?:\[(?P<sub>[^\]\s:]+):(?P<cat>[^\]]+)\] )?(?P<msg>.*)$", re.S)


class _TextStyle(TextFormat):
    """Shared line loop of the text styles: a header regex starts a record, other lines continue it."""

    HEADER: re.Pattern[str]

    def matches(self, head: str) -> bool:
        """A record header (the style's HEADER) on one of the first 20 lines."""
        return any(self.HEADER.match(line) for line in head.splitlines()[:20])

    @abc.abstractmethod
    def record(self, m: re.Match[str], body: str, zone: object) -> dict:
        """The event fields of one record: its header match and its (possibly multi-line) body."""

    def parse(self, path: str, warnings: list[ParseWarning], **options: object) -> Iterator[Event]:
        flt = _flt(options)
        zone_name = options.get("zone") if isinstance(options.get("zone"), str) else None
        zone = local_zone(zone_name)
        reader = LineReader(path, source=SOURCE)
        current: Optional[tuple[int, re.Match[str], list[str]]] = None
        orphans = 0
        first_orphan: Optional[int] = None

        def flush() -> Optional[Event]:
            assert current is not None
            number, m, lines = current
            body = "\n".join(lines)
            try:
                fields = self.record(m, body, zone)
            except (ValueError, OverflowError) as exc:  # a header-shaped line with an impossible date
                warnings.append(ParseWarning(source=SOURCE, path=str(path), line=number,
                                             message=f"record skipped: unreadable timestamp ({exc})",
                                             sample=m.group(0)[:200]))
                return None
            when = fields.pop("time")
            msg = fields.pop("message")
            return fast_event(
                data_type=DATA_TYPE,
                source=SOURCE,
                time=when,
                message=msg,
                id_parts=(fields.get("extra", {}).get("threadID"), fields.get("time_text")),
                origin=f"{path}:{number}",
                **fields,
            )

        for line in reader:
            text = line.text
            m = self.HEADER.match(text)
            if m:
                if current is not None:
                    ev = flush()
                    if ev is not None and (flt is None or flt.accepts(ev)):
                        yield ev
                current = (line.number, m, [text[m.end() :]])
                continue
            if not text.strip():
                if current is not None:
                    current[2].append("")
                continue
            if _NOISE.match(text):
                if current is not None and not text.startswith(("Filtering", "Skipping", "Timestamp")):
                    ev = flush()
                    if ev is not None and (flt is None or flt.accepts(ev)):
                        yield ev
                    current = None
                continue
            if current is not None:
                current[2].append(text)  # a multi-line message continues
            else:
                orphans += 1
                first_orphan = first_orphan or line.number
        if current is not None:
            ev = flush()
            if ev is not None and (flt is None or flt.accepts(ev)):
                yield ev
        warnings.extend(reader.warnings)
        if orphans:
            warnings.append(
                ParseWarning(
                    source=SOURCE,
                    path=path,
                    line=first_orphan,
                    message=f"{orphans} line(s) before the first record were not {self.NAME} records and were skipped",
                )
            )


def _strip_trailing_blank(body: str) -> str:
    return body.rstrip("\n ")


@register
class MacosDefaultFormat(_TextStyle):
    """`log show` default style and `log stream` output (same columns)."""

    NAME = "macos_log_default"
    DESCRIPTION = "macOS `log show` / `log stream` default style (Timestamp Thread Type Activity PID TTL)"
    PRIORITY = 55
    SAMPLES = (
        "2026-01-25 23:03:22.041859+0200 0x150d23a  Info        0x0                  6103   0    logger: vmnet-broker: Downloading vmnet-broker latest",
        "2022-02-04 14:39:44.844495-0500 0x1761     Default     0x0                  0      0    kernel: (AppleMobileFileIntegrity_research) AMFI: code signature validation failed.",
        "2025-08-09 10:33:00.064883-0400 0x11b271   Default     0x0                  602    8    powerd: [com.apple.powerd:battery] Battery capacity change posted(0x80063). Capacity:99 Source:Batt",
        "2020-04-29 09:46:04.022430+0900 0x0        Timesync    0x0                  0      0    === system boot: C4C57548-7964-483A-A0E9-8FD49A6088C6",
    )
    HEADER = re.compile(
        r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+[+-]\d{4})\s+(?P<tid>0x[0-9a-fA-F]+)\s+(?P<type>[A-Za-z]+)\s+"
        r"(?P<act>0x[0-9a-fA-F]+)\s+(?P<pid>\d+)\s+(?:(?P<ttl>\d+)\s+)?"
    )

    def record(self, m: re.Match[str], body: str, zone: object) -> dict:
        ts = m.group("ts")
        body = _strip_trailing_blank(body)
        extra: dict = {"threadID": m.group("tid"), "activityIdentifier": m.group("act")}
        if m.group("ttl") is not None:
            extra["ttl"] = int(m.group("ttl"))
        proc = lib = sub = cat = None
        if body.startswith("=== "):
            msg = body
        else:
            b = _BODY.match(body)
            if b:
                proc, lib, sub, cat, msg = b.group("proc", "lib", "sub", "cat", "msg")
            else:
                msg = body
        if lib:
            extra["library"] = lib
        return {
            "time": datetime.fromisoformat(ts),
            "time_text": ts,
            "time_zone": _zone_text(ts),
            "process": proc,
            "pid": int(m.group("pid")),
            "subsystem": sub,
            "category": cat,
            "level": _TYPES.get(m.group("type"), m.group("type").lower()),
            "message": msg,
            "extra": extra,
        }


@register
class MacosCompactFormat(_TextStyle):
    """`log show --style compact`: no UTC offset in the timestamps."""

    NAME = "macos_log_compact"
    DESCRIPTION = "macOS `log show --style compact` (times without a UTC offset)"
    PRIORITY = 55
    SAMPLES = (
        "2026-09-05 22:27:28.221 Df kernel[0:2398a46] memorystatus: killing largest compressed process slotstream [21071] 61145 MB",
        "2026-10-04 06:00:04.653 Df kernel[0:39ea4c] (IOgPTPPlugin) Using IOSkywalkLegacyEthernet as no other controller was found for en0",
    )
    HEADER = re.compile(
        r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (?P<type>Df|Db|I|E|F|A|Ac|Sp|Ts|St|Ls)\s+"
        r"(?P<proc>[^\[\]]+?)\[(?P<pid>\d+):(?P<tid>[0-9a-fA-F]+)\] "
    )

    def record(self, m: re.Match[str], body: str, zone: object) -> dict:
        ts = m.group("ts")
        naive = datetime.fromisoformat(ts)
        when = naive.replace(tzinfo=zone)  # type: ignore[arg-type]
        b = _LIB_SUB.match(_strip_trailing_blank(body))
        assert b is not None  # every group is optional
        extra: dict = {"threadID": m.group("tid")}
        if b.group("lib"):
            extra["library"] = b.group("lib")
        return {
            "time": when,
            "time_text": ts,
            "time_zone": f"{zone} (assumed: compact style prints no UTC offset)",
            "process": m.group("proc"),
            "pid": int(m.group("pid")),
            "subsystem": b.group("sub"),
            "category": b.group("cat"),
            "level": _TYPES.get(m.group("type"), m.group("type").lower()),
            "message": b.group("msg"),
            "extra": extra,
        }


@register
class MacosSyslogStyleFormat(_TextStyle):
    """`log show --style syslog`."""

    NAME = "macos_log_syslog"
    DESCRIPTION = "macOS `log show --style syslog` (ISO time with offset, host, process[pid]:)"
    PRIORITY = 55
    SAMPLES = (
        "2020-11-14 18:21:07.003222+0100  localhost powerd[67]: [powerd:sleepWake] sendNoRespNotification: 0x8019",
        "2020-11-14 18:21:08.360308+0100  localhost powerd[67]: [powerd:sleepWake] DarkWake from Normal Sleep [CDN] : due to XDCI/",
    )
    HEADER = re.compile(
        r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+[+-]\d{4})  (?P<host>\S+) (?P<proc>[^\[\]]+?)(?:\((?P<lib>[^)]*)\))?\[(?P<pid>\d+)\]:? ?"
    )

    def record(self, m: re.Match[str], body: str, zone: object) -> dict:
        ts = m.group("ts")
        b = _LIB_SUB.match(_strip_trailing_blank(body))
        assert b is not None
        extra: dict = {}
        lib = m.group("lib") or b.group("lib")
        if lib:
            extra["library"] = lib
        return {
            "time": datetime.fromisoformat(ts),
            "time_text": ts,
            "time_zone": _zone_text(ts),
            "host": m.group("host"),
            "process": m.group("proc"),
            "pid": int(m.group("pid")),
            "subsystem": b.group("sub"),
            "category": b.group("cat"),
            "message": b.group("msg"),
            "extra": extra,
        }


@register
class MacosConsoleCopyFormat(_TextStyle):
    """Lines copied out of Console.app (Type, Time, Process, Message): a time of day without a date."""

    NAME = "macos_console_copy"
    DESCRIPTION = "macOS Console.app copy: 'default 15:37:16.296978 -0500 kernel message' (no date)"
    PRIORITY = 50
    SAMPLES = (
        "default   15:37:16.296978 -0500   kernel  AMFI: allowing exception handler for 'mig-agent' (708) because the process is unsigned.",
        "error     03:10:02.114210 +0100   ReportCrash  Saved crash report for Finder[412] version 14.5 to Finder-2026-11-21-031002.ips",
    )
    HEADER = re.compile(
        r"^(?P<type>default|info|debug|error|fault)\s+(?P<t>\d\d:\d\d:\d\d\.\d{3,6}) (?P<off>[+-]\d{4})\s+(?P<proc>[^\s\[]+)(?:\[(?P<pid>\d+)\])?\s+"
    )

    def record(self, m: re.Match[str], body: str, zone: object) -> dict:
        off = m.group("off")
        tz = timezone(timedelta(hours=int(off[1:3]), minutes=int(off[3:])) * (-1 if off[0] == "-" else 1))
        ref = self.reference.astimezone(tz)
        t = datetime.strptime(m.group("t")[:15].ljust(15, "0"), "%H:%M:%S.%f").time()
        when = datetime.combine(ref.date(), t, tzinfo=tz)
        if when > ref + timedelta(minutes=5):
            when -= timedelta(days=1)  # a time later than the reference happened the day before
        return {
            "time": when,
            "time_text": f"{m.group('t')} {off}",
            "time_zone": f"{off[:3]}:{off[3:]} (date assumed from {self.reference_from}: Console copies carry no date)",
            "process": m.group("proc"),
            "pid": int(m.group("pid")) if m.group("pid") else None,
            "level": m.group("type"),
            "message": _strip_trailing_blank(body),
        }

    def parse(self, path: str, warnings: list[ParseWarning], **options: object) -> Iterator[Event]:
        ref = options.get("reference")
        if isinstance(ref, datetime) and ref.tzinfo is not None:
            self.reference, self.reference_from = ref, "the query window"
        else:
            try:
                self.reference = datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc)
                self.reference_from = "the file's modification time"
            except OSError:
                self.reference, self.reference_from = datetime.now(timezone.utc), "today"
        yield from super().parse(path, warnings, **options)


# --- live `log show` -----------------------------------------------------------------------------


def quote(value: str) -> str:
    """An NSPredicate string literal: double quotes, with `\\` and `"` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class MacosQuery:
    start: datetime
    end: datetime
    processes: list[str] = field(default_factory=list)
    contains: Optional[str] = None
    subsystem: Optional[str] = None
    category: Optional[str] = None
    priority: Optional[int] = None
    kernel: bool = False
    raw_predicate: Optional[str] = None
    info_debug: bool = False
    archive: Optional[str] = None
    program: str = "log"


def build_predicate(q: MacosQuery) -> Optional[str]:
    """The NSPredicate for the structured filters (ANDed with a raw predicate, if any)."""
    parts: list[str] = []
    if q.processes:
        alts = []
        for p in q.processes:
            if p.isdigit():
                alts.append(f"processID == {int(p)}")
            else:
                alts.append(f"process == {quote(p)}")
        parts.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
    if q.contains:
        parts.append(f"eventMessage CONTAINS[c] {quote(q.contains)}")
    if q.subsystem:
        parts.append(f"subsystem == {quote(q.subsystem)}")
    if q.category:
        parts.append(f"category == {quote(q.category)}")
    if q.kernel:
        parts.append("processID == 0")
    if q.priority is not None:
        if q.priority <= 2:
            parts.append("messageType == fault")
        elif q.priority <= 3:
            parts.append("(messageType == error OR messageType == fault)")
    if q.raw_predicate:
        parts.append(f"({q.raw_predicate})" if parts else q.raw_predicate)
    if not parts:
        return None
    return " AND ".join(parts)


def _log_time(dt: datetime, up: bool) -> str:
    dt = dt.astimezone(timezone.utc)
    if up and dt.microsecond:
        dt = dt.replace(microsecond=0) + timedelta(seconds=1)
    return dt.strftime("%Y-%m-%d %H:%M:%S+0000")


def build_argv(q: MacosQuery) -> list[str]:
    """The exact `log show` command line (also shown to the user)."""
    argv = [q.program, "show"]
    if q.archive:
        if not q.archive.rstrip("/").endswith(".logarchive"):
            raise InputError(f"{q.archive!r} is not a .logarchive folder")
        argv.append(reject_option_like(q.archive, "log archive"))
    argv += ["--style", "ndjson", "--start", _log_time(q.start, False), "--end", _log_time(q.end, True)]
    if q.info_debug:
        argv += ["--info", "--debug"]
    pred = build_predicate(q)
    if pred:
        argv += ["--predicate", pred]
    return argv


@dataclass
class MacosResult:
    events: list[Event]
    run: SourceRun
    warnings: list[ParseWarning]


def query_log(q: MacosQuery, *, max_events: int = 50_000, timeout: float = 120.0, flt: Optional[LogFilter] = None) -> MacosResult:
    """Run `log show` and collect up to `max_events` events; failures become the run's reason."""
    warnings: list[ParseWarning] = []
    argv = build_argv(q)
    run = SourceRun(source=SOURCE, argv=argv, path=q.archive)
    if which(q.program) is None and "/" not in q.program:
        run.status = "unavailable"
        run.reason = "`log` is not available (the unified log exists only on macOS)"
        return MacosResult([], run, warnings)
    proc = ProcRun(argv, timeout=timeout)
    stats = NdjsonStats()
    events: list[Event] = []
    try:
        for ev in parse_ndjson_batches(single_line_batches(enumerate(proc.lines(max_line_bytes=1 << 24), 1)), warnings,
                                       origin="log show", flt=flt, stats=stats):
            events.append(ev)
            if len(events) >= max_events:
                run.truncated = True
                break
    except SourceUnavailable as exc:
        run.status = "unavailable"
        run.reason = str(exc)
        return MacosResult([], run, warnings)
    reason = proc.failure()
    if reason:
        run.reason = reason
        run.status = "partial" if events else "error"
    elif not run.truncated and not stats.finished:
        warnings.append(ParseWarning(source=SOURCE, message="`log show` ended without its {\"finished\":1} record; output may be incomplete"))
        run.status = "partial"
    run.events = len(events)
    run.warnings = len(warnings)
    return MacosResult(events, run, warnings)


def is_logarchive(path: str) -> bool:
    return PurePath(path.rstrip("/")).suffix == ".logarchive"


__all__ = [
    "MacosQuery",
    "build_argv",
    "build_predicate",
    "query_log",
    "quote",
    "record_to_event",
    "parse_ndjson_batches",
    "is_logarchive",
]
