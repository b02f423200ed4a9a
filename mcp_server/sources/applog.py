"""Application logs and `pmset -g log`.

- Application logs (the generic, lowest-priority text format): each record starts with an
  ISO 8601 timestamp (`2026-11-21 03:10:00,123`, `2026-11-21T03:10:00.123Z`, `[2026-11-21 03:10:00]`,
  with or without an offset) or epoch seconds (`1732158600.123456 …`, as tmux's `-v` server log
  writes). Lines that do not start with a timestamp (stack traces, `Traceback`, `Caused by:`,
  indented continuations) belong to the record before them. A level word (ERROR, WARN, …) near the
  start becomes the event level; a `name[pid]:` prefix becomes process and pid. Times without an
  offset are read in the caller's zone or the machine's, and `time_zone` says it was assumed.
- `pmset -g log` (macOS power management history): `2021-04-18 09:59:34 +0800 DarkWake   <TAB>
  DarkWake from Normal Sleep [CDN] : due to …`; the domain (Sleep, Wake, DarkWake, Assertions, …)
  becomes the event category. Column headers and `UUID:` lines are skipped.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Optional

from . import register
from .syslog import RecordFormat, iso_time

_LEVEL = re.compile(r"\b(FATAL|CRITICAL|CRIT|ERROR|ERR|WARNING|WARN|NOTICE|INFO|DEBUG|TRACE)\b")
_PROC = re.compile(r"^(?P<proc>[A-Za-z0-9_.\-/]+)\[(?P<pid>\d+)\]:? ")


@register
class AppLogFormat(RecordFormat):
    """Any log whose records start with an ISO 8601 or epoch timestamp."""

    NAME = "applog"
    DESCRIPTION = "application log: ISO 8601 or epoch timestamp, then free text; continuation lines joined"
    PRIORITY = 10
    DATA_TYPE = "app:log:line"
    HEAD_LINES = 40
    NOISE = None
    SAMPLES = (
        "2026-11-21 03:09:58,412 ERROR [worker-3] app.jobs: job 8812 failed: MemoryError",
        "2021-08-11 05:50:23-0700 logd_helper[85]: Migrating: \"/private/var/db/diagnostics/timesync\"",
        "[2026-11-21T03:10:00.120Z] WARN  server: heap usage 97% (7.8 GiB of 8 GiB)",
        "1732158600.123456 server started, pid 4242",
    )
    HEADER = re.compile(
        r"^\[?(?:(?P<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?)(?P<off> ?(?:Z|[+-]\d\d:?\d\d|UTC))?"
        r"|(?P<epoch>1\d{9}(?:\.\d{1,9})?))\]?(?:[:\s]\s*|$)"
    )

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        fields: dict[str, Any] = {}
        if m.group("epoch"):
            text = m.group("epoch")
            sec, _, frac = text.partition(".")
            when = datetime.fromtimestamp(int(sec), timezone.utc).replace(microsecond=int(frac[:6].ljust(6, "0")) if frac else 0)
            fields.update(time=when, time_text=text, time_zone="UTC")
        else:
            ts = m.group("ts")
            off = (m.group("off") or "").strip()
            if off:
                when = iso_time(ts.replace(" ", "T") + ("Z" if off == "UTC" else off))
                zone_text = "UTC" if off in ("Z", "UTC") else off
            else:
                when = iso_time(ts.replace(" ", "T")).replace(tzinfo=state["zone"])
                zone_text = f"{state['zone']} (assumed: the log gives no offset)"
            fields.update(time=when, time_text=(ts + (" " + off if off else "")), time_zone=zone_text)
        p = _PROC.match(body)
        if p:
            fields.update(process=p.group("proc"), pid=int(p.group("pid")))
            body = body[p.end():]
        lv = _LEVEL.search(body, 0, 80)
        if lv:
            fields["level"] = lv.group(1).lower()
        fields["message"] = body
        return fields


@register
class PmsetLogFormat(RecordFormat):
    """`pmset -g log`: macOS sleep/wake/assertion history."""

    NAME = "pmset_log"
    DESCRIPTION = "macOS `pmset -g log`: power management history (Sleep, Wake, DarkWake, Assertions)"
    PRIORITY = 45
    DATA_TYPE = "macos:pmset:entry"
    HEAD_LINES = 40
    NOISE = re.compile(r"^(?:Time stamp\s+Domain|=+\s+=+|UUID: |Sleep/Wakes since boot|Total Sleep/Wakes)")
    SAMPLES = (
        "2021-04-18 09:59:34 +0800 DarkWake              DarkWake from Normal Sleep [CDN] : due to XDCI CNVW/ Using AC (Charge:0%) 4 secs",
        "2024-03-18 10:05:09 +0800 Sleep               \tEntering Sleep state due to 'Maintenance Sleep':TCPKeepAlive=disabled Using AC (Charge:0%)",
        '2019-06-16 20:22:41 +0200 Assertions          \tPID 1075(rcd) Summary UserIsActive "com.apple.rcdevent" 01:58:45  id:0x0x900008d00 [System: DeclUser BGTask kDisp]          ',
    )
    HEADER = re.compile(r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}) (?P<domain>[A-Za-z][A-Za-z ]*?)(?:\s*\t|\s{2,})")

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        ts = m.group("ts")
        when = datetime.strptime(ts, "%Y-%m-%d %H:%M:%S %z")
        return {
            "time": when,
            "time_text": ts,
            "time_zone": ts[-5:-2] + ":" + ts[-2:],
            "process": "powerd",
            "category": m.group("domain").strip(),
            "message": re.sub(r"\s{2,}", "  ", body.strip()),
        }
