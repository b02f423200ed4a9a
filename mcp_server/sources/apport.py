"""Ubuntu apport crash reports (`/var/crash/*.crash`).

An RFC 822-like file (apport's `problem_report.ProblemReport.write`,
https://github.com/canonical/apport/blob/main/problem_report.py): `Key: value` lines, values
continued on lines starting with a space, and binary values (`CoreDump: base64`) as many lines of
base64 that can be megabytes long. The file is streamed line by line; continuation lines are kept
only for the few small fields read here (ProblemType, ExecutablePath, Signal, ProcCmdline,
StacktraceTop, Date, ProcStatus for pid and parent pid), and base64 blobs are skipped, never held.
`Date` is written with `time.asctime()` in the crashing machine's local zone, which the report does
not record; it is read in this machine's zone and a note says so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Optional

from ..models import ParseWarning
from ._crash import (
    MAX_BODY_CHARS,
    MAX_REPORT_BYTES,
    CrashReport,
    finish,
    new_report,
    parse_report_time,
    signal_name,
    to_int,
    warn,
)
from ._io import LineReader

NAME = "apport"
EXTENSIONS = (".crash",)

_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*):(?: (.*))?$")
#: Fields whose continuation lines are kept (small); everything else is skipped line by line.
_KEEP_CONT = {"StacktraceTop", "ProcStatus", "Stacktrace", "ThreadStacktrace"}
_WANT = {"ProblemType", "ExecutablePath", "Signal", "SignalName", "ProcCmdline", "Date", "Package", "Title",
         "DistroRelease", "Uname", "InterpreterPath", "ExitSignal", "ProcCwd", "SourcePackage", "CrashCounter"}
#: Largest number of header lines read from a file bigger than MAX_REPORT_BYTES.
_MAX_CONT_LINES = 200


def matches(head: str) -> bool:
    """apport always writes ProblemType first; other keys follow in sorted order."""
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    if not first.startswith("ProblemType: "):
        return False
    return any(k in head for k in ("\nExecutablePath: ", "\nDate: ", "\nPackage: ", "\nProcCmdline: ", "\nArchitecture: "))


def parse_file(path: Path, warnings: list[ParseWarning], *, include_body: bool = False) -> Iterator[CrashReport]:
    """Yield the one report in an apport file (nothing, with a warning, if it cannot be read)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        warnings.append(warn(NAME, path, f"cannot read: {exc.strerror or exc}"))
        return
    oversize = size > MAX_REPORT_BYTES
    fields: dict[str, str] = {}
    cont: dict[str, list[str]] = {}
    current: Optional[str] = None
    binary_keys: list[str] = []
    body_parts: list[str] = []
    body_len = 0
    body_cut = False
    reader = LineReader(path, source=NAME, max_line_bytes=64 * 1024)
    first = True
    for line in reader:
        text = line.text
        if first:
            first = False
            if not text.lstrip("\ufeff").startswith("ProblemType:"):
                warnings.append(warn(NAME, path, "not an apport report (first line is not ProblemType:)", sample=text[:120]))
                return
        if include_body:
            if current in binary_keys and text.startswith(" "):
                if not body_cut:
                    body_parts.append(" [base64 data omitted]\n")
                    body_cut = True  # mark once per blob below
            elif body_len < MAX_BODY_CHARS:
                body_parts.append(text + "\n")
                body_len += len(text) + 1
                body_cut = False
        if text.startswith(" ") or text.startswith("\t"):
            if current in _KEEP_CONT and len(cont.setdefault(current, [])) < _MAX_CONT_LINES:
                cont[current].append(text[1:])
            continue
        m = _KEY.match(text)
        if not m:
            if text.strip():
                warnings.append(warn(NAME, path, f"line {line.number} is neither a field nor a continuation", sample=text))
            continue
        current = m.group(1)
        value = m.group(2) or ""
        if value == "base64":
            binary_keys.append(current)
            if oversize:
                # apport writes binary fields last: the text fields are all read by now
                warnings.append(warn(NAME, path, f"file is {size / (1 << 20):.0f} MB; read its text fields and "
                                     f"skipped the binary data from {current} on"))
                break
        elif current in _WANT:
            fields.setdefault(current, value)
    if first:
        if not reader.warnings:
            warnings.append(warn(NAME, path, "empty report"))
        warnings.extend(reader.warnings)
        return
    warnings.extend(reader.warnings)

    report = new_report(kind="apport", data_type="linux:apport:crash", source=NAME, path=str(path), origin=str(path))
    report.problem_type = fields.get("ProblemType") or None
    report.executable_path = fields.get("ExecutablePath") or fields.get("InterpreterPath") or None
    report.command_line = fields.get("ProcCmdline") or None
    report.package = fields.get("Package") or None
    report.os_version = fields.get("DistroRelease") or None
    sig = to_int(fields.get("Signal"))
    report.signal_number = sig
    report.signal = fields.get("SignalName") or signal_name(sig)
    report.stacktrace_top = [l.strip() for l in cont.get("StacktraceTop", []) if l.strip()][:20]
    status = cont.get("ProcStatus", [])
    for l in status:
        k, _, v = l.partition(":")
        if k == "Name":
            report.process = v.strip() or None
        elif k == "Pid":
            report.pid = to_int(v.strip())
        elif k == "PPid":
            report.parent_pid = to_int(v.strip())
        elif k == "Uid":
            report.uid = to_int(v.split()[0]) if v.split() else None
    if report.process is None and report.executable_path:
        report.process = report.executable_path.rsplit("/", 1)[-1]
    report.time_text = fields.get("Date") or None
    report.time, report.time_zone, note = parse_report_time(report.time_text)
    if note:
        report.time_note = note
        report.notes.append(note)
    if fields.get("Title"):
        report.application_specific = fields["Title"][:4000]
    if binary_keys:
        report.notes.append("binary fields not read: " + ", ".join(binary_keys[:10]))
    if include_body:
        text = "".join(body_parts)
        report.body = text[:MAX_BODY_CHARS]
        report.body_truncated = len(text) > MAX_BODY_CHARS or body_len >= MAX_BODY_CHARS
    yield finish(report)
