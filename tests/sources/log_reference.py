"""The journald and unified-log JSON readers as they were before their speed work (commit
5f6d26f), kept verbatim except that events are built by `Event.model_construct` (what `build_event`
stands for) and ids by `make_evidence_id`: the reference
the fast paths are compared with (tests/sources/test_log_fastpath.py). Do not optimise this file.

Deliberate behaviour changes since are made here too, each marked "changed:": single-value
journald fields given as lists (`_first_text`: an empty `_PID` list raised IndexError out of the
whole read, a byte-array time became an int `time_text`) and a non-string `__CURSOR` (kept raw,
not a value `Event.extra` holds).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator, Optional

import orjson

from mcp_server.models import Event, ParseWarning, clip, make_evidence_id
from mcp_server.sources._io import open_binary
from mcp_server.sources._logevent import raw_lines, scalar
from mcp_server.sources.journald import DATA_TYPE as J_TYPE, EXTRA_FIELDS, PRIORITY_NAMES, _first_text, _text
from mcp_server.sources.macos_log import DATA_TYPE as M_TYPE, _basename, _zone_text

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EXTRA_SET = frozenset(EXTRA_FIELDS)
_MAX_EXTRA_CHARS = 512
_PRIORITY_BY_TEXT = {str(n): name for n, name in enumerate(PRIORITY_NAMES)}


def entry_to_event(entry: dict, origin: Optional[str]) -> Event:
    rt = entry["__REALTIME_TIMESTAMP"]
    if rt.__class__ is not str:
        rt = _first_text(rt)  # changed: was rt[0] if isinstance(rt, list) else str(rt)
        if rt is None:
            raise ValueError("no time")
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
            pid = int(pid_v if not isinstance(pid_v, list) else _first_text(pid_v))  # changed: was pid_v[0]
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
        evidence_id = make_evidence_id(J_TYPE, cursor)
    else:
        if cursor is not None:
            extra["cursor"] = _text(cursor)  # changed: was kept raw
        evidence_id = make_evidence_id(J_TYPE, micros, host, process, pid, message)
    return Event.model_construct(
        evidence_id=evidence_id, data_type=J_TYPE, source="journald",
        time=_EPOCH + timedelta(microseconds=micros), time_text=rt, time_zone="UTC", time_meaning="logged",
        host=host, process=process, pid=pid, subsystem=unit,
        category="kernel" if get("_TRANSPORT") == "kernel" else None, level=level, message=message,
        extra=extra, origin=origin,
    )


def parse_json_lines(lines: Iterable[tuple[int, bytes]], warnings: list[ParseWarning], *, path: Optional[str] = None) -> Iterator[Event]:
    """The unfiltered `-o json` line loop."""
    bad = 0
    first_bad: Optional[int] = None
    first_sample: Optional[str] = None
    for number, line in lines:
        if not line:
            continue
        if line[0] != 123:  # "{"
            line = line.strip().lstrip(b"\x1e")
            if line.startswith(b"data: "):
                line = line[6:]
            if not line or line.startswith((b"id: ", b":")):
                continue
        try:
            ev = entry_to_event(orjson.loads(line), f"{path}:{number}" if path else None)
        except (orjson.JSONDecodeError, KeyError, IndexError, ValueError, TypeError, AttributeError, OverflowError,
                RecursionError):  # changed: IndexError, RecursionError counted, not raised
            bad += 1
            if first_bad is None:
                first_bad = number
                first_sample = line[:200].decode("utf-8", "replace")
            continue
        yield ev
    if bad:
        warnings.append(ParseWarning(source="journald", path=path, line=first_bad, sample=first_sample,
                                     message=f"{bad} line(s) were not journal JSON entries and were skipped (first at line {first_bad})"))


def read_journal_json(path: str, warnings: list[ParseWarning]) -> list[Event]:
    """A one-object-per-line journald JSON file read the old way (every line)."""
    with open_binary(path) as stream:
        return list(parse_json_lines(enumerate(raw_lines(stream, warnings, "journald", path), 1), warnings, path=path))


_EXTRA_KEYS = ("eventType", "bootUUID", "threadID", "traceID", "machTimestamp", "activityIdentifier", "userID")


def record_to_event(rec: dict, origin: Optional[str]) -> Optional[Event]:
    ts = rec.get("timestamp")
    if ts is None:
        if "finished" in rec or "count" in rec:
            return None
        raise KeyError("timestamp")
    when = datetime.fromisoformat(ts)
    if when.tzinfo is None:
        raise ValueError("timestamp without offset")
    zone = _zone_text(ts)
    msg = rec.get("eventMessage")
    if msg.__class__ is not str:
        msg = "" if msg is None else str(msg)
    elif len(msg) > 8192:
        msg = clip(msg) or ""
    process = _basename(rec.get("processImagePath"))
    sender = _basename(rec.get("senderImagePath"))
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
        eid = make_evidence_id(M_TYPE, f"{boot}/{mach}/{thread}/{trace}")
    else:
        eid = make_evidence_id(M_TYPE, ts, process, pid, msg, mach, thread, trace)
    return Event.model_construct(
        evidence_id=eid, data_type=M_TYPE, source="macos_log",
        time=when.astimezone(timezone.utc), time_text=ts, time_zone=zone, time_meaning="logged",
        host=None, process=process, pid=pid if pid.__class__ is int else None,
        subsystem=rec.get("subsystem") or None, category=rec.get("category") or None,
        level=level.lower() if level.__class__ is str else None, message=msg, extra=extra, origin=origin,
    )


def read_ndjson(path: str, warnings: list[ParseWarning]) -> list[Event]:
    """A `log show --style ndjson` file read the old way (every line, no filter)."""
    events: list[Event] = []
    bad = 0
    first_bad: Optional[int] = None
    sample: Optional[str] = None
    with open_binary(path) as stream:
        for number, line in enumerate(raw_lines(stream, warnings, "macos_log", path), 1):
            if not line or line[0] != 123:
                line = line.strip()
                if not line:
                    continue
                if line[0] != 123:
                    if number > 3 or not line.startswith((b"Filtering", b"Skipping", b"Getting", b"Timestamp")):
                        bad += 1
                        if first_bad is None:
                            first_bad, sample = number, line[:200].decode("utf-8", "replace")
                    continue
            try:
                ev = record_to_event(orjson.loads(line), f"{path}:{number}")
            except (orjson.JSONDecodeError, KeyError, ValueError, TypeError, AttributeError):
                bad += 1
                if first_bad is None:
                    first_bad, sample = number, line[:200].decode("utf-8", "replace")
                continue
            if ev is not None:
                events.append(ev)
    if bad:
        warnings.append(ParseWarning(source="macos_log", path=path, line=first_bad, sample=sample,
                                     message=f"{bad} line(s) were not unified-log JSON records and were skipped (first at line {first_bad})"))
    return events
