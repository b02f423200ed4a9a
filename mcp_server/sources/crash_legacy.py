"""Apple's text crash reports: `.crash`, `.panic`, `.diag`, `.spin`, `.hang` (and text `.ips` bodies).

The format (Technical Note TN2151, "Understanding and Analyzing Application Crash Reports";
https://developer.apple.com/documentation/xcode/examining-the-fields-in-a-crash-report) is a
header of `Key:   value` lines (Process, Path, Identifier, Version, Parent Process, Date/Time,
OS Version, Exception Type, Exception Codes, Termination Reason, Crashed Thread, …), then
`Thread N Crashed::` blocks of frames `index  image  0xaddress  symbol + offset (file:line)`,
then Binary Images. Spindump reports (`.spin`, `.hang`) and resource diagnostics (`.diag`) use
`Command:`/`PID:`/`Event:`; kernel panics (`.panic`) a `panic(cpu …)` line. Generators differ
(Apple, PLCrashReporter, KSCrash, Sentry), so every field is optional and a report missing its
header still yields what it has, with a note.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Optional

from ..models import ParseWarning
from ._crash import (
    TOP_FRAMES,
    CrashReport,
    Frame,
    body_of,
    finish,
    new_report,
    parse_report_time,
    read_report_text,
    signal_number,
    to_int,
    warn,
)

NAME = "crash_legacy"

#: File names this parser claims by extension (content is still checked).
EXTENSIONS = (".crash", ".panic", ".diag", ".spin", ".hang")
_KIND_BY_EXT = {".panic": "panic", ".diag": "diag", ".spin": "spin", ".hang": "hang"}

_HEADER = re.compile(r"^([A-Z][A-Za-z0-9 /()_-]{1,40}?):[ \t]*(.*?)\s*$")
_NAME_PID = re.compile(r"^(.*?)\s*\[(\d+)\]\s*$")
_THREAD = re.compile(r"^Thread (\d+)( Crashed)?::?\s*(.*)$")
_FRAME = re.compile(r"^(\d+)\s+(.+?)\s+(0x[0-9A-Fa-f]+)\s+(.*?)\s*$")
_SYM_OFF = re.compile(r"^(.*?)\s+\+\s+(\d+)(?:\s+\((.*)\))?$")
_SYM_SRC = re.compile(r"^(.*?)\s+\(([^()]*:\d+)\)$")
_HEX = re.compile(r"^0x[0-9A-Fa-f]+$")
_SIG_IN = re.compile(r"\b(SIG[A-Z]{2,6})\b")
_TERM = re.compile(r"Namespace\s+([A-Za-z_]+),\s*Code\s+(\S+?)[,;]?(?:\s+(.*))?$")
_PANIC_PROC = re.compile(r"BSD process name corresponding to current thread:\s*(\S+)")
_PANIC_DATE = re.compile(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3}\s+\d+ \d\d:\d\d:\d\d \d{4}$")

#: Header keys whose presence marks a text crash-family report.
_MARKERS = ("Exception Type:", "Crashed Thread:", "Incident Identifier:", "Termination Reason:",
            "Triggered by Thread:", "Report Version:")


def matches(head: str) -> bool:
    """Is this the start of an Apple text crash, hang, diag or panic report?"""
    lines = head.splitlines()[:80]
    keys = {m.group(1) for m in (_HEADER.match(l) for l in lines) if m}
    if "Process" in keys and ({"Path", "Identifier", "Parent Process", "Date/Time"} & keys):
        return True
    if {"Command", "PID", "Date/Time"} <= keys or ({"Event", "Date/Time"} <= keys and "Command" in keys):
        return True
    if any(l.startswith(m) for l in lines for m in _MARKERS) and ("Process" in keys or "Date/Time" in keys):
        return True
    if any(l.startswith("panic(cpu") for l in lines) or "*** Panic Report ***" in head:
        return True
    # a report cut before its header (only thread blocks and frames), as some tools store them
    thread_lines = sum(1 for l in lines if _THREAD.match(l))
    frame_lines = sum(1 for l in lines if _FRAME.match(l))
    return thread_lines >= 1 and frame_lines >= 3 and lines and bool(_THREAD.match(lines[0]))


def _parse_frame(m: re.Match[str]) -> Frame:
    index, image, address, rest = int(m.group(1)), m.group(2).strip(), m.group(3), m.group(4)
    symbol: Optional[str] = None
    offset: Optional[int] = None
    src: Optional[str] = None
    so = _SYM_OFF.match(rest)
    if so:
        symbol, offset, src = so.group(1).strip(), int(so.group(2)), so.group(3)
    else:
        ss = _SYM_SRC.match(rest)
        if ss:
            symbol, src = ss.group(1).strip(), ss.group(2)
        else:
            symbol = rest or None
    image_offset = None
    if symbol is not None and (_HEX.match(symbol) or symbol == "0"):
        symbol, image_offset, offset = None, offset, None  # "0x7fff61bc6000 + 3114": image base + offset
    source_file = source_line = None
    if src and ":" in src:
        f, _, line = src.rpartition(":")
        source_file, source_line = f, to_int(line)
    return Frame(index=index, image=None if image == "???" else image, symbol=symbol, offset=offset,
                 image_offset=image_offset, address=address, source_file=source_file, source_line=source_line)


def _name_pid(value: str) -> tuple[Optional[str], Optional[int]]:
    m = _NAME_PID.match(value)
    if m:
        return (m.group(1) or None), int(m.group(2))
    return (value or None), None


def parse_text(
    text: str,
    *,
    path: Optional[str],
    warnings: list[ParseWarning],
    kind: Optional[str] = None,
    data_type: Optional[str] = None,
    source: str = NAME,
    complete: bool = True,
) -> CrashReport:
    """Parse one text report (already decoded, bounded) into a `CrashReport`."""
    header: dict[str, str] = {}
    app_specific: list[str] = []
    in_app_specific = False
    threads: dict[int, list[Frame]] = {}
    crashed_explicit: Optional[int] = None
    thread_names: dict[int, str] = {}
    current: Optional[int] = None
    panic_line: Optional[str] = None
    panic_proc: Optional[str] = None
    panic_os_next = False
    panic_os: Optional[str] = None
    panic_date: Optional[str] = None
    in_images = False

    for raw in text.splitlines():
        line = raw.rstrip()
        if in_app_specific:
            if not line.strip():
                in_app_specific = False
            elif sum(len(x) for x in app_specific) < 4000:
                app_specific.append(line)
            continue
        if panic_os_next:
            panic_os = line.strip() or None
            panic_os_next = False
            continue
        if line.startswith("Binary Images"):
            in_images = True
            current = None
            continue
        if in_images:
            continue
        tm = _THREAD.match(line)
        if tm:
            current = int(tm.group(1))
            threads.setdefault(current, [])
            if tm.group(2):
                if crashed_explicit is None:
                    crashed_explicit = current
                if tm.group(3):
                    thread_names[current] = tm.group(3).strip(": ")
            continue
        if current is not None:
            fm = _FRAME.match(line)
            if fm:
                if len(threads[current]) < TOP_FRAMES:
                    threads[current].append(_parse_frame(fm))
                continue
            if not line.strip():
                current = None
            continue
        if line.startswith("panic(") and panic_line is None:
            panic_line = line.strip()
            continue
        pm = _PANIC_PROC.search(line)
        if pm:
            panic_proc = pm.group(1)
            continue
        if line.strip() == "Mac OS version:":
            panic_os_next = True
            continue
        if panic_date is None and _PANIC_DATE.match(line.strip()):
            panic_date = line.strip()
            continue
        hm = _HEADER.match(line)
        if hm:
            key, value = hm.group(1).strip(), hm.group(2)
            if key == "Application Specific Information":
                in_app_specific = True
                if value:
                    app_specific.append(value)
                continue
            header.setdefault(key, value)

    ext_kind = _KIND_BY_EXT.get(Path(path).suffix.lower()) if path else None
    event = (header.get("Event") or "").lower()
    if kind is None:
        if panic_line or ext_kind == "panic":
            kind = "panic"
        elif ext_kind:
            kind = ext_kind
        elif event in ("hang", "spin"):
            kind = event
        elif event:
            kind = "diag"
        else:
            kind = "crash"
    report = new_report(kind=kind, data_type=data_type or f"macos:{kind}:text", source=source, path=path, origin=path)

    process, pid = _name_pid(header.get("Process", "")) if "Process" in header else (None, None)
    if process is None and header.get("Command"):
        process = header["Command"]
    if pid is None and header.get("PID"):
        pid = to_int(header["PID"].split()[0]) if header["PID"].split() else None
    report.process = process or panic_proc
    report.pid = pid
    if "Parent Process" in header:
        report.parent_process, report.parent_pid = _name_pid(header["Parent Process"])
    if "Responsible" in header:
        report.responsible_process = _name_pid(header["Responsible"])[0]
    report.executable_path = header.get("Path") or None
    report.identifier = header.get("Identifier") or None
    report.version = header.get("Version") or None
    report.os_version = header.get("OS Version") or panic_os
    report.hardware_model = header.get("Hardware Model") or header.get("Model") or None
    report.incident_id = header.get("Incident Identifier") or None
    time_text = header.get("Date/Time") or panic_date
    report.time, report.time_zone, note = parse_report_time(time_text)
    report.time_text = time_text
    if note:
        report.time_note = note
    report.exception_type = header.get("Exception Type") or None
    report.exception_subtype = header.get("Exception Subtype") or None
    report.exception_codes = header.get("Exception Codes") or None
    sig = None
    for candidate in (report.exception_type, header.get("Termination Signal"), header.get("Signal")):
        if candidate:
            sm = _SIG_IN.search(candidate)
            if sm:
                sig = sm.group(1)
                break
    report.signal = sig
    report.signal_number = signal_number(sig)
    term = header.get("Termination Reason")
    if term:
        tm2 = _TERM.search(term)
        if tm2:
            report.termination_namespace = tm2.group(1)
            report.termination_code = tm2.group(2)
            report.termination_reason = (tm2.group(3) or "").strip() or None
        else:
            ns, _, rest = term.partition(";")
            report.termination_namespace = ns.split()[0] if ns.split() and ns.split()[0].isupper() else None
            report.termination_reason = (rest or term).strip() or None
    if header.get("Terminating Process"):
        report.termination_by = header["Terminating Process"]
    if app_specific:
        report.application_specific = "\n".join(app_specific)[:4000]
    if panic_line:
        report.panic_string = panic_line[:2000]

    crashed_hdr = header.get("Crashed Thread") or header.get("Triggered by Thread")
    crashed = crashed_explicit
    if crashed is None and crashed_hdr:
        crashed = to_int(crashed_hdr.split()[0]) if crashed_hdr.split() else None
    if crashed is not None:
        report.crashed_thread = crashed
        report.frames = threads.get(crashed, [])
        name = thread_names.get(crashed)
        if not name and crashed_hdr and "Dispatch queue:" in crashed_hdr:
            name = "Dispatch queue: " + crashed_hdr.split("Dispatch queue:", 1)[1].strip()
        report.crashed_thread_name = name
        if crashed not in threads and kind == "crash":
            report.notes.append(f"thread {crashed} is named as crashed but its frames are not in the report")
    elif threads and kind == "crash":
        first = min(threads)
        report.frames = threads[first]
        report.notes.append(f"no thread is marked as crashed; frames shown are thread {first}'s")
    if not header and not panic_line:
        report.notes.append("the report has no header (no Process, Date/Time or OS Version lines)")
    if report.time is None and time_text is None:
        report.notes.append("the report records no crash time")
    if not complete:
        report.notes.append("only the start of the file was read")
    return report


def parse_file(path: Path, warnings: list[ParseWarning], *, include_body: bool = False) -> Iterator[CrashReport]:
    """Yield the one report in a text crash file (nothing, with a warning, if it cannot be read)."""
    got = read_report_text(path, NAME, warnings, "empty report")
    if got is None:
        return
    text, complete = got
    if not matches(text[:65536]):
        warnings.append(warn(NAME, path, "not an Apple text crash report (no Process/Exception/Thread lines)",
                             sample=text[:120]))
        return
    report = parse_text(text, path=str(path), warnings=warnings, complete=complete)
    if include_body:
        report.body, report.body_truncated = body_of(text)
        report.body_truncated = report.body_truncated or not complete
    yield finish(report)
