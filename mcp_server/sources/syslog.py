"""Syslog files: BSD (RFC 3164) and RFC 3339 / RFC 5424 syslog, kern.log, macOS system.log, and the
`journalctl -o short*` renderings.

- BSD syslog (https://www.rfc-editor.org/rfc/rfc3164): `Mar 11 19:26:39 host tag[pid]: message`,
  optionally with fractional seconds (`short-precise`), a `<PRI>` prefix, macOS levels
  (`<Notice>`), iOS library tags (`amfid(libmis.dylib)[444]`). There is no year and no zone: the
  year is inferred from a reference time (the query window's end, else the file's modification
  time) with New Year rollover (a month going backwards starts the next year), the zone is the
  one the caller gives or the machine's, and `time_zone` says it was assumed.
- RFC 3339 syslog (rsyslog's high-precision format, `journalctl -o short-iso[-precise]`):
  `2020-05-31T00:00:45.698463+00:00 host tag[pid]: message`.
- RFC 5424 (https://www.rfc-editor.org/rfc/rfc5424): `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`.
- rsyslog's `RSYSLOG_ForwardFormat` / `RSYSLOG_TraditionalForwardFormat` written to a file: `<PRI>`
  records (RFC 3339 or BSD time) one after another with no newline between them.
- `journalctl -o short-full` (`Mon 2024-07-01 11:44:06 UTC host …`) and `-o short-unix`.
A line that does not start a record continues the previous one (tab/space-indented
continuations, stack traces, `journalctl --catalog` text); `journalctl` banners (`-- Logs begin
at …`, `-- Reboot --`) are skipped. Rotated `.1` and compressed `.gz` files are read the same way.
"""

from __future__ import annotations

import abc
import os
import re
from datetime import datetime, timezone
from typing import Any, Iterator, Optional, Union

from ..models import Event, ParseWarning
from ..timeutil import local_zone
from . import TextFormat, register
from ._io import LineReader
from ._logevent import LogFilter, fast_event

MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
#: Continuation lines kept per record (a kernel Call Trace is ~40); the rest are counted, not kept.
MAX_CONTINUATION = 400

#: `host tag[pid]: message` (tag may carry an iOS library, a macOS level may follow)
_REST = re.compile(
    r"^(?P<host>[^\s\[\]:]+) (?P<tag>[^\s\[\]:(]+)(?:\((?P<lib>[^)]*)\))?(?:\[(?P<pid>\d+)\])?(?: <(?P<lvl>[A-Za-z]+)>)?: ?(?P<msg>.*)$",
    re.S,
)
#: `tag[pid]: message` without a host (kern.log written by old klogd, `kernel: [..]` lines)
_REST_NOHOST = re.compile(r"^(?P<tag>[^\s\[\]:(]+)(?:\[(?P<pid>\d+)\])?: (?P<msg>.*)$", re.S)
_BANNER = re.compile(r"^-- (?:Logs begin at|Journal begins at|Reboot|No entries|Boot [0-9a-f]+) .*--$|^-- (?:Reboot|No entries) --$")


def split_rest(rest: str) -> dict[str, Any]:
    """`host tag[pid]: message` → fields; text that has no tag stays the message."""
    m = _REST.match(rest)
    if m:
        out: dict[str, Any] = {"host": m.group("host"), "process": m.group("tag"), "message": m.group("msg")}
        if m.group("pid"):
            out["pid"] = int(m.group("pid"))
        if m.group("lib"):
            out["extra"] = {"library": m.group("lib")}
        if m.group("lvl"):
            out["level"] = m.group("lvl").lower()
        return out
    m = _REST_NOHOST.match(rest)
    if m and m.group("tag") in ("kernel",):
        out = {"process": m.group("tag"), "message": m.group("msg")}
        if m.group("pid"):
            out["pid"] = int(m.group("pid"))
        return out
    host, _, msg = rest.partition(" ")
    if host and msg and not host.endswith(":"):
        return {"host": host, "message": msg}
    return {"message": rest}


class RecordFormat(TextFormat):
    """A line-oriented format whose records start with a header line (shared line loop).

    Subclasses give `HEADER` (matching the start of a record) and `record()` (the fields of one
    record). Lines that do not match continue the current record; lines before the first record
    are counted in one warning; a record whose fields cannot be read becomes a warning.
    """

    HEADER: re.Pattern[str]
    DATA_TYPE: str = "syslog:line"
    #: lines that are neither records nor continuations (banners, headers)
    NOISE: Optional[re.Pattern[str]] = _BANNER
    #: check at most this many head lines in `matches`
    HEAD_LINES = 20
    #: where a record starts in the middle of a line (formats whose records are not separated by
    #: newlines); None: records start only at the start of a line
    FRAMES: Optional[re.Pattern[str]] = None

    def matches(self, head: str) -> bool:
        seen = 0
        for line in head.splitlines()[: self.HEAD_LINES]:
            if not line.strip() or line.startswith("-- ") or (self.NOISE is not None and self.NOISE.match(line)):
                continue  # blank, journalctl banner or --catalog text
            seen += 1
            if self.HEADER.match(line):
                return self.accept_head(head)
            if seen >= 3:
                return False
        return False

    def accept_head(self, head: str) -> bool:
        """A second look once a header matched (used to let specific formats refuse)."""
        return True

    def split_frames(self, text: str) -> list[str]:
        """A line cut where `FRAMES` says records start: the text before the first start (which
        continues the current record), then one piece per record."""
        assert self.FRAMES is not None
        starts = [m.start() for m in self.FRAMES.finditer(text) if m.start() > 0]
        if not starts:
            return [text]
        bounds = [0, *starts, len(text)]
        return [text[a:b] for a, b in zip(bounds, bounds[1:])]

    def start(self, path: str, options: dict[str, Any]) -> dict[str, Any]:
        """Per-file state handed to every `record()` call (zone, reference time, …)."""
        zone_name = options.get("zone") if isinstance(options.get("zone"), str) else None
        return {"zone": local_zone(zone_name), "path": path, "options": options}

    @abc.abstractmethod
    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        """Fields of one record (`time`, `message`, …); None to skip it silently; raise ValueError for a bad one."""

    def parse(self, path: str, warnings: list[ParseWarning], **options: Any) -> Iterator[Event]:
        flt = options.get("filter")
        flt = flt if isinstance(flt, LogFilter) else None
        state = self.start(path, options)
        reader = LineReader(path, source=self.NAME)
        header = self.HEADER.match
        noise = self.NOISE.match if self.NOISE is not None else None
        current: Optional[tuple[Union[int, tuple[int, int]], re.Match[str], list[str]]] = None
        orphans = 0
        first_orphan: Optional[int] = None
        bad = 0
        first_bad: Optional[tuple[int, str]] = None
        dropped_cont = 0

        def flush() -> Optional[Event]:
            nonlocal bad, first_bad
            assert current is not None
            at, m, lines = current
            number, part = at if isinstance(at, tuple) else (at, 0)
            body = lines[0] if len(lines) == 1 else "\n".join(lines).rstrip("\n")
            try:
                fields = self.record(m, body, state)
            except (ValueError, OverflowError, KeyError) as exc:
                bad += 1
                if first_bad is None:
                    first_bad = (number, f"{exc}: {m.string[:160]}")
                return None
            if fields is None:
                return None
            when = fields.pop("time", None)
            msg = fields.pop("message", "")
            return fast_event(
                data_type=fields.pop("data_type", self.DATA_TYPE),
                source=self.NAME,
                time=when,
                message=msg,
                id_parts=(path, number, part) if part else (path, number),
                origin=f"{path}:{number}",
                **fields,
            )

        frames = self.FRAMES
        for line in reader:
            pieces = self.split_frames(line.text) if frames is not None else (line.text,)
            for part, text in enumerate(pieces):
                m = header(text)
                if m:
                    if current is not None:
                        ev = flush()
                        if ev is not None and (flt is None or flt.accepts(ev)):
                            yield ev
                    # records after the first on a line are told apart by their index
                    current = (line.number if not part else (line.number, part), m, [text[m.end() :]])
                    continue
                if noise is not None and noise(text):
                    continue
                if current is not None:
                    if len(current[2]) < MAX_CONTINUATION:
                        current[2].append(text)
                    else:
                        dropped_cont += 1
                elif text.strip():
                    orphans += 1
                    first_orphan = first_orphan or line.number
        if current is not None:
            ev = flush()
            if ev is not None and (flt is None or flt.accepts(ev)):
                yield ev
        warnings.extend(reader.warnings)
        if orphans:
            warnings.append(
                ParseWarning(source=self.NAME, path=path, line=first_orphan,
                             message=f"{orphans} line(s) before the first record are not {self.NAME} records; skipped")
            )
        if bad and first_bad:
            warnings.append(
                ParseWarning(source=self.NAME, path=path, line=first_bad[0], sample=first_bad[1][:200],
                             message=f"{bad} record(s) had an unreadable timestamp and were skipped")
            )
        if dropped_cont:
            warnings.append(
                ParseWarning(source=self.NAME, path=path,
                             message=f"{dropped_cont} continuation line(s) beyond {MAX_CONTINUATION} per record were not kept")
            )


def _assumed(zone: object, why: str) -> str:
    return f"{zone} (assumed: {why})"


# --- BSD syslog -----------------------------------------------------------------------------------


@register
class BsdSyslogFormat(RecordFormat):
    """BSD syslog, kern.log, macOS system.log, journalctl -o short / short-precise."""

    NAME = "syslog"
    DESCRIPTION = "BSD syslog (RFC 3164): /var/log/syslog, messages, kern.log, macOS system.log, journalctl -o short"
    PRIORITY = 30
    SAMPLES = (
        "Mar 11 19:26:39 osx-machine kernel[0]: AppleThunderboltNHIType2::prePCIWake - power up complete - took 1 us",
        "Jan 22 07:53:01 myhostname.myhost.com CRON[31051]: (root) CMD (touch /var/run/crond.somecheck)",
        "Feb 04 09:34:04 ubuntu kernel: Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032)",
        "Jul 01 11:44:06.841938 millennium-falcon systemd-coredump[3740]: Process 3717 (kdeconnectd) of user 1000 dumped core.",
        "Nov  2 04:07:35 DarkTemplar-2.local socketfilterfw[112] <Error>: Logging: creating /var/log/appfirewall.log",
        "Jan 22 16:39:16 CoolStars-iPad-Air-2 amfid(libmis.dylib)[444] <Error>: unrecognized status -67049 from codesigning library",
    )
    HEADER = re.compile(
        r"^(?:<(?P<pri>\d{1,3})>)?(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(?P<day>\d{1,2}) "
        r"(?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)(?:\.(?P<frac>\d{1,6}))?:? "
    )

    def start(self, path: str, options: dict[str, Any]) -> dict[str, Any]:
        state = super().start(path, options)
        ref = options.get("reference")
        if not isinstance(ref, datetime):
            try:
                ref = datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc)
                state["year_from"] = "the file's modification time"
            except OSError:
                ref = datetime.now(timezone.utc)
                state["year_from"] = "the current date"
        else:
            state["year_from"] = "the query window"
        if isinstance(options.get("year"), int):
            state["year"] = options["year"]
            state["year_from"] = "the caller"
        state["ref"] = ref.astimezone(state["zone"])  # type: ignore[arg-type]
        state["prev_month"] = None
        return state

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        month = MONTHS[m.group("mon")]
        if "year" not in state:
            ref = state["ref"]
            state["year"] = ref.year - 1 if month > ref.month else ref.year
        elif state["prev_month"] is not None and month < state["prev_month"]:
            state["year"] += 1  # Dec → Jan: New Year
        state["prev_month"] = month
        frac = m.group("frac")
        micro = int(frac.ljust(6, "0")) if frac else 0
        zone = state["zone"]
        local = datetime(state["year"], month, int(m.group("day")), int(m.group("h")), int(m.group("mi")), int(m.group("s")), micro, tzinfo=zone)
        fields = split_rest(body)
        extra = fields.setdefault("extra", {})
        extra["year_inferred"] = f"{state['year']} (from {state['year_from']})"
        pri = m.group("pri")
        if pri is not None and "level" not in fields:
            fields["level"] = SEVERITIES[int(pri) & 7]
        text = m.group(0).rstrip(": ")
        fields.update(time=local, time_text=text, time_zone=_assumed(zone, "BSD syslog times carry no zone"))
        if fields.get("process") == "kernel":
            kernel_fields(fields)
        return fields


_MONO_PREFIX = re.compile(r"^\[\s*(\d+\.\d+)\] ")


def kernel_fields(fields: dict[str, Any]) -> None:
    """A kernel line: category kernel, and its `[  725.797102] ` uptime prefix moved to `extra`."""
    fields["category"] = "kernel"
    m = _MONO_PREFIX.match(fields.get("message", ""))
    if m:
        fields.setdefault("extra", {})["monotonic"] = float(m.group(1))
        fields["message"] = fields["message"][m.end():]


# --- RFC 3339 / RFC 5424 ------------------------------------------------------------------------------

_ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)"


def iso_time(text: str) -> datetime:
    t = text.replace(",", ".")
    if "." in t:  # fromisoformat takes at most 6 fraction digits
        head, _, tail = t.partition(".")
        digits = re.match(r"\d+", tail)
        assert digits is not None
        t = head + "." + digits.group()[:6].ljust(6, "0") + tail[digits.end():]
    return datetime.fromisoformat(t.replace("Z", "+00:00"))


def _offset_text(ts: str) -> Optional[str]:
    if ts.endswith("Z"):
        return "UTC"
    m = re.search(r"([+-])(\d\d):?(\d\d)$", ts)
    return f"{m.group(1)}{m.group(2)}:{m.group(3)}" if m else None


@register
class Rfc3339SyslogFormat(RecordFormat):
    """Syslog lines with an RFC 3339 timestamp (rsyslog high precision, journalctl -o short-iso)."""

    NAME = "syslog_rfc3339"
    DESCRIPTION = "syslog with RFC 3339 timestamps (rsyslog RSYSLOG_FileFormat, journalctl -o short-iso)"
    PRIORITY = 35
    SAMPLES = (
        "2020-05-31T00:00:45.738158+00:00 localhost systemd[1]: Reloaded System Logging Service.",
        "2024-07-01T04:44:06-0700 millennium-falcon systemd-coredump[3740]: Process 3717 (kdeconnectd) of user 1000 dumped core.",
    )
    HEADER = re.compile(r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>" + _ISO + r") (?=\S+ [^\s\[\]:]+(?:\[\d+\])?: ?)")

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        ts = m.group("ts")
        fields = split_rest(body)
        pri = m.group("pri")
        if pri is not None and "level" not in fields:
            fields["level"] = SEVERITIES[int(pri) & 7]
        fields.update(time=iso_time(ts), time_text=ts, time_zone=_offset_text(ts))
        if fields.get("process") == "kernel":
            kernel_fields(fields)
        return fields


@register
class Rfc5424SyslogFormat(RecordFormat):
    """RFC 5424 syslog: `<PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID [SD] MSG`."""

    NAME = "syslog_rfc5424"
    DESCRIPTION = "syslog protocol, RFC 5424 (rsyslog RSYSLOG_SyslogProtocol23Format)"
    PRIORITY = 40
    SAMPLES = (
        "<14>1 2021-03-06T04:07:38.251280+00:00 hostname log_tag - - -  this is info",
        '<30>1 2026-11-21T03:10:00.120Z web-1 nginx 2210 - [meta sequenceId="1"] worker process 2214 exited on signal 9',
    )
    HEADER = re.compile(
        r"^<(?P<pri>\d{1,3})>(?P<ver>\d{1,2}) (?P<ts>-|" + _ISO + r") (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
        r"(?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+) ?"
    )

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        ts = m.group("ts")
        nil = lambda v: None if v == "-" else v  # noqa: E731
        procid = nil(m.group("procid"))
        extra: dict[str, Any] = {}
        if nil(m.group("msgid")):
            extra["msgid"] = m.group("msgid")
        if nil(m.group("sd")):
            extra["structured_data"] = m.group("sd")[:512]
        msg = body[1:] if body.startswith("\ufeff") else body
        return {
            "time": iso_time(ts) if ts != "-" else None,
            "time_text": ts,
            "time_zone": _offset_text(ts) if ts != "-" else None,
            "host": nil(m.group("host")),
            "process": nil(m.group("app")),
            "pid": int(procid) if procid and procid.isdigit() else None,
            "level": SEVERITIES[int(m.group("pri")) & 7],
            "message": msg,
            "extra": extra,
        }


# --- rsyslog forwarding formats saved to a file -------------------------------------------------------

_BSD_TIME = r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(?P<day>\d{1,2}) (?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)(?:\.(?P<frac>\d{1,6}))?"


@register
class RsyslogForwardFormat(RecordFormat):
    """rsyslog's forwarding templates written to a file: `<PRI>` records one after another with
    no newline between them (a newline inside a message is kept as is)."""

    NAME = "syslog_forward"
    DESCRIPTION = "rsyslog RSYSLOG_ForwardFormat / RSYSLOG_TraditionalForwardFormat saved to a file (<PRI> records not separated by newlines)"
    PRIORITY = 45
    SAMPLES = (
        "<15>2021-03-06T04:07:33.194677+00:00 hostname log_tag this is debug<14>2021-03-06T04:07:33.196352+00:00 hostname log_tag this is info",
        "<30>Mar  6 04:07:23 hostname systemd[1]: Stopping Cron...<78>Mar  6 04:07:23 hostname cron[18786]: (CRON) INFO (pidfile fd = 3)",
    )
    SAMPLE_RECORDS = 2
    HEADER = re.compile(r"^<(?P<pri>\d{1,3})>(?:(?P<ts>" + _ISO + r")|" + _BSD_TIME + r") ")
    FRAMES = re.compile(r"<\d{1,3}>(?=(?:" + _ISO + r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \d\d:\d\d:\d\d(?:\.\d{1,6})?) )")

    def __init__(self) -> None:
        self._bsd = BsdSyslogFormat()
        self._iso = Rfc3339SyslogFormat()

    def accept_head(self, head: str) -> bool:
        # one `<PRI>` record per line is ordinary syslog; here records follow each other on a line
        return any(m.start() > 0 for line in head.splitlines()[: self.HEAD_LINES] for m in self.FRAMES.finditer(line))

    def start(self, path: str, options: dict[str, Any]) -> dict[str, Any]:
        return self._bsd.start(path, options)  # the year inference BSD times need

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        if m.group("ts") is not None:
            return self._iso.record(m, body, state)
        return self._bsd.record(m, body, state)


# --- journalctl short-full / short-unix ---------------------------------------------------------------

_ZONE_ABBR = {"UTC": timezone.utc, "GMT": timezone.utc, "Z": timezone.utc}


@register
class JournalShortFullFormat(RecordFormat):
    """`journalctl -o short-full`: weekday, full date, zone abbreviation."""

    NAME = "journalctl_short_full"
    DESCRIPTION = "journalctl -o short-full (Mon 2024-07-01 11:44:06 UTC host tag[pid]: msg)"
    PRIORITY = 40
    SAMPLES = ("Mon 2024-07-01 11:44:06 UTC millennium-falcon systemd-coredump[3740]: Process 3717 (kdeconnectd) of user 1000 dumped core.",)
    HEADER = re.compile(
        r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<d>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?) (?P<tz>[A-Z]{1,5}|[+-]\d{2}:?\d{2}) "
    )

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        tz = m.group("tz")
        naive = datetime.fromisoformat(m.group("d"))
        if tz in _ZONE_ABBR:
            when, zone_text = naive.replace(tzinfo=_ZONE_ABBR[tz]), "UTC"
        elif tz[0] in "+-":
            when = datetime.fromisoformat(m.group("d") + tz)
            zone_text = _offset_text(tz)
        else:
            when = naive.replace(tzinfo=state["zone"])
            zone_text = _assumed(state["zone"], f"abbreviation {tz} read in the given zone")
        fields = split_rest(body)
        fields.update(time=when, time_text=m.group(0).strip(), time_zone=zone_text)
        return fields


@register
class JournalShortUnixFormat(RecordFormat):
    """`journalctl -o short-unix`: epoch seconds with microseconds, then `host tag[pid]:`."""

    NAME = "journalctl_short_unix"
    DESCRIPTION = "journalctl -o short-unix (1719834246.841938 host tag[pid]: msg)"
    PRIORITY = 40
    SAMPLES = ("1719834246.841938 millennium-falcon systemd-coredump[3740]: Process 3717 (kdeconnectd) of user 1000 dumped core.",)
    HEADER = re.compile(r"^(?P<ts>\d{9,10}\.\d{6}) (?=[^\s\[\]:]+ [^\s\[\]:]+\[\d+\]: )")

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        ts = m.group("ts")
        fields = split_rest(body)
        sec, _, micro = ts.partition(".")
        when = datetime.fromtimestamp(int(sec), timezone.utc).replace(microsecond=int(micro))
        fields.update(time=when, time_text=ts, time_zone="UTC")
        return fields
