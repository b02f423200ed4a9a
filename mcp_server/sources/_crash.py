"""The crash-report record shared by the crash parsers, and the helpers they all use.

Every crash parser (`crash_ips`, `crash_legacy`, `apport`, `coredump`) yields `CrashReport`s and
`ParseWarning`s. A `CrashReport` is richer than an `Event` (frames, Jetsam process lists), and
turns into one `Event` (`time_meaning="crashed"`) so timelines can merge crashes with log lines.
Reading is bounded everywhere: a report is read whole only up to `MAX_REPORT_BYTES`; a larger
file is read for its header only and a warning says so.
"""

from __future__ import annotations

import os
import signal as _signal
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, Field

from ..errors import SourceUnavailable
from ..models import Event, ExtraValue, ParseWarning, make_evidence_id
from ._io import open_binary

#: Reports up to this size are parsed whole; real ones are a few KB to ~2 MB.
MAX_REPORT_BYTES = 16 << 20
#: What is read of a larger file: enough for every header field.
OVERSIZE_HEAD_BYTES = 256 << 10
#: Upper bound on `body` when `include_body` is asked for.
MAX_BODY_CHARS = 64 * 1024
#: Frames kept from the crashed thread.
TOP_FRAMES = 12


class Frame(BaseModel):
    """One stack frame of the crashed thread."""

    index: int
    image: Optional[str] = Field(None, description="Binary image (library or executable) the frame is in.")
    symbol: Optional[str] = None
    offset: Optional[int] = Field(None, description="Offset from the start of the symbol.")
    image_offset: Optional[int] = Field(None, description="Offset from the image's load address.")
    address: Optional[str] = None
    source_file: Optional[str] = None
    source_line: Optional[int] = None

    def text(self) -> str:
        """`image: symbol + offset (file:line)`, or `image + 0xoffset` when the frame has no symbol."""
        src = f" ({self.source_file}:{self.source_line})" if self.source_file else ""
        if self.symbol:
            if self.offset is not None:
                off = f" + {self.offset}"
            elif self.image_offset is not None:
                off = f" (+{self.image_offset:#x})"
            else:
                off = ""
            return f"{self.image or '???'}: {self.symbol}{off}{src}"
        if self.image_offset is not None:
            return f"{self.image or '???'} + {self.image_offset:#x}{src}"
        return f"{self.image or '???'}: {self.address or '?'}{src}"


class JetsamProcess(BaseModel):
    """One process listed in a JetsamEvent report that has a kill reason."""

    name: Optional[str] = None
    pid: Optional[int] = None
    reason: Optional[str] = Field(None, description="Why jetsam killed it: per-process-limit, vm-pageshortage, highwater, …")
    rpages: Optional[int] = Field(None, description="Resident pages at the time.")
    states: list[str] = Field(default_factory=list)


class CrashReport(BaseModel):
    """One crash, hang, jetsam event, kernel panic or core dump, as one report recorded it."""

    evidence_id: str = Field(description="Stable id; cite it in findings.")
    kind: str = Field(description="crash, jetsam, panic, hang, spin, diag, apport, coredump, core")
    data_type: str = Field(description="Colon-named format, e.g. macos:crash:ips, linux:apport:crash.")
    source: str = Field(description="Parser module that read it.")
    path: Optional[str] = Field(None, description="File it was read from (None for coredumpctl entries).")
    origin: Optional[str] = Field(None, description="Where it was read: the path, or the command that printed it.")
    time: Optional[datetime] = Field(None, description="When the crash happened, UTC.")
    time_text: Optional[str] = Field(None, description="The time exactly as the report wrote it.")
    time_zone: Optional[str] = None
    time_note: Optional[str] = Field(None, description="How the time was obtained when not written with a zone.")
    host: Optional[str] = None
    process: Optional[str] = None
    pid: Optional[int] = None
    parent_process: Optional[str] = None
    parent_pid: Optional[int] = None
    responsible_process: Optional[str] = None
    executable_path: Optional[str] = None
    identifier: Optional[str] = Field(None, description="Bundle identifier (macOS).")
    version: Optional[str] = None
    os_version: Optional[str] = None
    hardware_model: Optional[str] = None
    incident_id: Optional[str] = None
    bug_type: Optional[str] = Field(None, description="Apple bug_type of an .ips (309 crash, 298 jetsam, 210 panic).")
    exception_type: Optional[str] = None
    exception_subtype: Optional[str] = None
    exception_codes: Optional[str] = None
    signal: Optional[str] = Field(None, description="Signal name, e.g. SIGSEGV.")
    signal_number: Optional[int] = None
    termination_namespace: Optional[str] = Field(None, description="e.g. SIGNAL, CODESIGNING, JETSAM.")
    termination_code: Optional[str] = None
    termination_reason: Optional[str] = Field(None, description="Human reason: indicator text or jetsam reason.")
    termination_by: Optional[str] = Field(None, description="Process that terminated it, when recorded.")
    crashed_thread: Optional[int] = None
    crashed_thread_name: Optional[str] = None
    frames: list[Frame] = Field(default_factory=list, description="Top frames of the crashed thread.")
    application_specific: Optional[str] = Field(None, description="Application Specific Information, bounded.")
    largest_process: Optional[str] = Field(None, description="JetsamEvent: the largest process.")
    jetsam_processes: list[JetsamProcess] = Field(default_factory=list, description="JetsamEvent: processes with a kill reason.")
    panic_string: Optional[str] = None
    command_line: Optional[str] = None
    uid: Optional[int] = None
    unit: Optional[str] = Field(None, description="systemd unit of the dumped process.")
    user_unit: Optional[str] = None
    storage: Optional[str] = Field(None, description="Where the core is kept, and whether it is present.")
    problem_type: Optional[str] = Field(None, description="apport ProblemType.")
    package: Optional[str] = None
    stacktrace_top: list[str] = Field(default_factory=list, description="apport StacktraceTop / coredump top frames as text.")
    notes: list[str] = Field(default_factory=list, description="What could not be read or was inferred.")
    body: Optional[str] = Field(None, description="Raw report text, bounded (only with include_body).")
    body_truncated: bool = False

    def summary(self) -> str:
        who = f"{self.process or '?'}" + (f" [{self.pid}]" if self.pid is not None else "")
        bits = [f"{self.kind}: {who}"]
        if self.exception_type:
            bits.append(self.exception_type)
        if self.signal and (not self.exception_type or self.signal not in self.exception_type):
            bits.append(self.signal)
        if self.termination_namespace:
            bits.append(f"termination {self.termination_namespace} {self.termination_code or ''}".rstrip()
                        + (f" ({self.termination_reason})" if self.termination_reason else ""))
        if self.largest_process:
            bits.append(f"largest process {self.largest_process}")
        if self.panic_string:
            bits.append(self.panic_string[:200])
        if self.frames:
            bits.append("at " + self.frames[0].text())
        elif self.stacktrace_top:
            bits.append("at " + self.stacktrace_top[0])
        return "; ".join(bits)

    def to_event(self) -> Event:
        """This report as one timeline event (`time_meaning="crashed"`)."""
        extra: dict[str, ExtraValue] = {"kind": self.kind}
        for name in (
            "path", "parent_process", "parent_pid", "executable_path", "identifier", "version", "os_version",
            "incident_id", "bug_type", "exception_type", "exception_subtype", "exception_codes", "signal",
            "signal_number", "termination_namespace", "termination_code", "termination_reason", "crashed_thread",
            "largest_process", "command_line", "unit", "user_unit", "storage", "problem_type", "package", "uid",
        ):
            value = getattr(self, name)
            if value is not None:
                extra[name] = value
        if self.frames:
            extra["frames"] = [f.text() for f in self.frames]
        if self.stacktrace_top:
            extra["stacktrace_top"] = list(self.stacktrace_top)
        if self.jetsam_processes:
            extra["jetsam_processes"] = [f"{p.name} [{p.pid}]: {p.reason}" for p in self.jetsam_processes]
        return Event(
            evidence_id=self.evidence_id,
            data_type=self.data_type,
            source=self.source,
            time=self.time,
            time_text=self.time_text,
            time_zone=self.time_zone,
            time_meaning="crashed",
            host=self.host,
            process=self.process,
            pid=self.pid,
            level="crash",
            message=self.summary(),
            extra=extra,
            origin=self.origin or self.path,
        )


def finish(report: CrashReport, discriminator: object = "") -> CrashReport:
    """Give a report its stable evidence id (from what identifies it)."""
    report.evidence_id = make_evidence_id(
        report.data_type, report.path or report.origin, report.time, report.process, report.pid,
        report.incident_id, discriminator,
    )
    return report


def new_report(**fields: object) -> CrashReport:
    return CrashReport(evidence_id="", **fields)  # type: ignore[arg-type]


def warn(source: str, path: object, message: str, sample: Optional[str] = None) -> ParseWarning:
    return ParseWarning(source=source, message=message, path=str(path) if path is not None else None,
                        sample=sample[:200] if sample else None)


def read_bounded(path: Path, source: str, warnings: list[ParseWarning]) -> Optional[tuple[bytes, bool]]:
    """Read a report: whole up to MAX_REPORT_BYTES, else its head only (with a warning).

    Returns (data, complete) or None when the file cannot be read (a warning says why).
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        warnings.append(warn(source, path, f"cannot read: {exc.strerror or exc}"))
        return None
    try:
        with open_binary(path) as f:
            if size > MAX_REPORT_BYTES:
                data = f.read(OVERSIZE_HEAD_BYTES)
                warnings.append(warn(source, path, f"file is {size / (1 << 20):.0f} MB, over the "
                                     f"{MAX_REPORT_BYTES >> 20} MB limit; only its header fields were read"))
                return data, False
            data = f.read(MAX_REPORT_BYTES + 1)
    except SourceUnavailable as exc:
        warnings.append(warn(source, path, str(exc)))
        return None
    except (OSError, EOFError, ValueError) as exc:
        warnings.append(warn(source, path, f"cannot read: {exc}"))
        return None
    if len(data) > MAX_REPORT_BYTES:  # a compressed file that inflates past the limit
        warnings.append(warn(source, path, f"decompressed report exceeds {MAX_REPORT_BYTES >> 20} MB; only its header fields were read"))
        return data[:OVERSIZE_HEAD_BYTES], False
    return data, True


def decode_text(data: bytes, source: str, path: object, warnings: list[ParseWarning]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.append(warn(source, path, "report is not valid UTF-8; bad bytes shown as U+FFFD"))
        return data.decode("utf-8", "replace")


def read_report_text(path: Path, source: str, warnings: list[ParseWarning],
                     empty: str = "empty report") -> Optional[tuple[str, bool]]:
    """A report file's text (bounded, decoded) and whether it was read to the end; None, with a
    warning, when it cannot be read or holds nothing."""
    got = read_bounded(path, source, warnings)
    if got is None:
        return None
    data, complete = got
    text = decode_text(data, source, path, warnings)
    if not text.strip():
        warnings.append(warn(source, path, empty))
        return None
    return text, complete


def body_of(text: str) -> tuple[str, bool]:
    if len(text) <= MAX_BODY_CHARS:
        return text, False
    return text[:MAX_BODY_CHARS], True


def signal_name(number: Optional[int]) -> Optional[str]:
    if number is None:
        return None
    try:
        return _signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def signal_number(name: Optional[str]) -> Optional[int]:
    if not name:
        return None
    n = name.strip().upper()
    if not n.startswith("SIG"):
        n = "SIG" + n
    try:
        return int(_signal.Signals[n])
    except KeyError:
        return None


def file_mtime(path: Path) -> Optional[datetime]:
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc)
    except OSError:
        return None


def to_int(value: object) -> Optional[int]:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        text = str(value).strip()
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except (TypeError, ValueError):
        return None


def to_str(value: object, limit: int = 4096) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return None
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_report_time(text: Optional[str]) -> tuple[Optional[datetime], Optional[str], Optional[str]]:
    """(UTC time, zone as written, note) for a report's date text; naive times are read as local.

    Apple writes `2022-04-20 14:36:33.00 +0100`; apport writes `Tue Jun 11 14:39:28 2024` in the
    crashing machine's local zone, which is not recorded, so this machine's zone is assumed and a
    note says so.
    """
    if not text or not text.strip():
        return None, None, None
    from dateutil import parser as date_parser

    from ..timeutil import local_zone

    try:
        dt = date_parser.parse(text.strip())
    except (ValueError, OverflowError, TypeError):
        return None, None, f"unreadable time {text.strip()[:60]!r}"
    if dt.tzinfo is None:
        zone = local_zone()
        dt = dt.replace(tzinfo=zone)
        return dt.astimezone(timezone.utc), None, f"the report gives no zone; read in this machine's zone ({dt.strftime('%z')})"
    offset = dt.strftime("%z")
    zone_text = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return dt.astimezone(timezone.utc), zone_text, None
