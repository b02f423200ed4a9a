"""Apple's `.ips` diagnostic reports (macOS 12+, iOS 15+): a JSON header line, then the body.

The first line is a one-line JSON object (`bug_type`, `timestamp`, `app_name`, `name`,
`os_version`, `incident_id`, …); the rest is, depending on `bug_type`, a JSON object or the old
text format. Apple documents the crash body in "Interpreting the JSON format of a crash report"
(https://developer.apple.com/documentation/xcode/interpreting-the-json-format-of-a-crash-report):
`procName`, `pid`, `parentProc`, `procPath`, `captureTime`, `osVersion`, `exception`
(`type`, `signal`, `codes`, `subtype`), `termination` (`namespace`, `code`, `indicator`,
`byProc`), `faultingThread`, `threads[].frames[]` (`imageIndex`, `imageOffset`, `symbol`,
`symbolLocation`), `usedImages[]`. Bug types read here: 309 (crash, JSON), 109 (crash, text
body), 298 (JetsamEvent: `largestProcess`, `processes[].reason`), 210 (kernel panic:
`panicString` / `macOSPanicString`); any other type yields its header fields. `.ips.synced`
files are the same format. The header is read with a real JSON decoder (`raw_decode`), not by
brace counting, so an `app_name` holding braces or quotes (`"x{cte\\"st"`) is read correctly,
and a header and body concatenated on one line still split.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator, Optional

from ..models import ParseWarning
from . import crash_legacy
from ._crash import (
    TOP_FRAMES,
    CrashReport,
    Frame,
    JetsamProcess,
    body_of,
    finish,
    new_report,
    parse_report_time,
    read_report_text,
    signal_number,
    to_int,
    to_str,
    warn,
)

NAME = "crash_ips"
EXTENSIONS = (".ips", ".ips.synced")

KIND_BY_BUG_TYPE = {"309": "crash", "109": "crash", "298": "jetsam", "210": "panic"}

#: XNU's jetsam kill reasons (`JETSAM_REASON_*` in bsd/sys/kern_memorystatus.h), by code, as
#: the JETSAM termination namespace records them.
JETSAM_REASONS = {
    1: "generic", 2: "highwater", 3: "vnode-limit", 4: "vm-pageshortage", 5: "proc-thrashing",
    6: "fc-thrashing", 7: "per-process-limit", 8: "disk-space-shortage", 9: "idle-exit",
    10: "zone-map-exhaustion", 11: "vm-compressor-thrashing", 12: "vm-compressor-space-shortage",
    13: "low-swap", 14: "sustained-memory-pressure",
}

_DECODER = json.JSONDecoder()
_PANIC_PID = re.compile(r"pid (\d+): ([^\s\\]+)")
# salvage from a truncated or malformed JSON body
_SALVAGE = {
    "procName": re.compile(r'"procName"\s*:\s*"((?:[^"\\]|\\.)*)"'),
    "pid": re.compile(r'"pid"\s*:\s*(\d+)'),
    "captureTime": re.compile(r'"captureTime"\s*:\s*"((?:[^"\\]|\\.)*)"'),
    "procPath": re.compile(r'"procPath"\s*:\s*"((?:[^"\\]|\\.)*)"'),
    "parentProc": re.compile(r'"parentProc"\s*:\s*"((?:[^"\\]|\\.)*)"'),
    "exception_type": re.compile(r'"exception"\s*:\s*\{[^{}]*?"type"\s*:\s*"([^"]*)"'),
    "signal": re.compile(r'"exception"\s*:\s*\{[^{}]*?"signal"\s*:\s*"([^"]*)"'),
    "largestProcess": re.compile(r'"largestProcess"\s*:\s*"((?:[^"\\]|\\.)*)"'),
}


def matches(head: str) -> bool:
    """Is this an .ips file: a first line that is a JSON object with a `bug_type`?"""
    stripped = head.lstrip()
    if not stripped.startswith("{"):
        return False
    try:
        obj, _ = _DECODER.raw_decode(stripped)
    except ValueError:
        first = stripped.split("\n", 1)[0]
        return '"bug_type"' in first
    return isinstance(obj, dict) and "bug_type" in obj


def _unescape(s: str) -> str:
    try:
        return json.loads(f'"{s}"')
    except ValueError:
        return s


def _frames(body: dict[str, Any], thread: dict[str, Any]) -> list[Frame]:
    images = body.get("usedImages") if isinstance(body.get("usedImages"), list) else []
    out: list[Frame] = []
    frames = thread.get("frames") if isinstance(thread.get("frames"), list) else []
    for i, fr in enumerate(frames[:TOP_FRAMES]):
        if not isinstance(fr, dict):
            continue
        image = None
        idx = to_int(fr.get("imageIndex"))
        base = None
        if idx is not None and 0 <= idx < len(images) and isinstance(images[idx], dict):
            image = to_str(images[idx].get("name")) or (to_str(images[idx].get("path")) or "").rsplit("/", 1)[-1] or None
            base = to_int(images[idx].get("base"))
        image_offset = to_int(fr.get("imageOffset"))
        symbol = to_str(fr.get("symbol"))
        offset = to_int(fr.get("symbolLocation")) if symbol else None
        address = hex(base + image_offset) if base is not None and image_offset is not None else None
        out.append(Frame(index=i, image=image, symbol=symbol, offset=offset, image_offset=image_offset, address=address,
                         source_file=to_str(fr.get("sourceFile")), source_line=to_int(fr.get("sourceLine"))))
    return out


def _os_version(body: dict[str, Any], header: dict[str, Any]) -> Optional[str]:
    osv = body.get("osVersion")
    if isinstance(osv, dict):
        train, build = to_str(osv.get("train")), to_str(osv.get("build"))
        if train:
            return f"{train} ({build})" if build else train
    return to_str(header.get("os_version")) or to_str(body.get("build"))


def _crash_body(report: CrashReport, body: dict[str, Any], header: dict[str, Any]) -> None:
    report.process = to_str(body.get("procName")) or report.process
    report.pid = to_int(body.get("pid"))
    report.parent_process = to_str(body.get("parentProc"))
    report.parent_pid = to_int(body.get("parentPid"))
    report.responsible_process = to_str(body.get("responsibleProc"))
    report.executable_path = to_str(body.get("procPath"))
    bundle = body.get("bundleInfo") if isinstance(body.get("bundleInfo"), dict) else {}
    report.identifier = to_str(bundle.get("CFBundleIdentifier")) or to_str(header.get("bundleID"))
    report.version = (to_str(bundle.get("CFBundleShortVersionString")) or to_str(header.get("app_version")) or None)
    report.hardware_model = to_str(body.get("modelCode"))
    report.incident_id = to_str(body.get("incident")) or report.incident_id
    if body.get("captureTime"):
        report.time_text = to_str(body.get("captureTime"))
        report.time, report.time_zone, note = parse_report_time(report.time_text)
        if note:
            report.notes.append(note)
    exc = body.get("exception") if isinstance(body.get("exception"), dict) else {}
    report.exception_type = to_str(exc.get("type"))
    report.exception_subtype = to_str(exc.get("subtype"))
    report.exception_codes = to_str(exc.get("codes"))
    sig = to_str(exc.get("signal"))
    if sig:
        report.signal = sig.split()[0]
        report.signal_number = signal_number(report.signal)
    term = body.get("termination") if isinstance(body.get("termination"), dict) else {}
    if term:
        ns = to_str(term.get("namespace"))
        code = to_int(term.get("code"))
        report.termination_namespace = ns
        report.termination_code = str(code) if code is not None else to_str(term.get("code"))
        reason = to_str(term.get("indicator"))
        if ns == "JETSAM" and code is not None and not reason:
            reason = JETSAM_REASONS.get(code)
        reasons = term.get("reasons")
        if not reason and isinstance(reasons, list) and reasons:
            reason = "; ".join(str(r) for r in reasons[:3])[:1000]
        report.termination_reason = reason
        by = to_str(term.get("byProc"))
        if by:
            report.termination_by = by + (f" [{term['byPid']}]" if to_int(term.get("byPid")) is not None else "")
    asi = body.get("asi")
    if isinstance(asi, dict) and asi:
        lines = []
        for k, v in list(asi.items())[:10]:
            vals = v if isinstance(v, list) else [v]
            lines.extend(f"{k}: {x}" for x in vals[:5])
        report.application_specific = "\n".join(lines)[:4000]
    threads = body.get("threads") if isinstance(body.get("threads"), list) else []
    faulting = to_int(body.get("faultingThread"))
    if faulting is None:
        faulting = next((i for i, t in enumerate(threads) if isinstance(t, dict) and t.get("triggered")), None)
    if faulting is not None:
        report.crashed_thread = faulting
        if 0 <= faulting < len(threads) and isinstance(threads[faulting], dict):
            th = threads[faulting]
            report.crashed_thread_name = to_str(th.get("name")) or (
                f"Dispatch queue: {th['queue']}" if to_str(th.get("queue")) else None)
            report.frames = _frames(body, th)
        else:
            report.notes.append(f"faulting thread {faulting} is not in the report's thread list")


def _jetsam_body(report: CrashReport, body: dict[str, Any], header: dict[str, Any]) -> None:
    report.largest_process = to_str(body.get("largestProcess"))
    report.hardware_model = to_str(body.get("product"))
    report.incident_id = to_str(body.get("incident")) or report.incident_id
    if body.get("date"):
        report.time_text = to_str(body.get("date"))
        report.time, report.time_zone, note = parse_report_time(report.time_text)
        if note:
            report.notes.append(note)
    procs = body.get("processes") if isinstance(body.get("processes"), list) else []
    killed: list[JetsamProcess] = []
    for p in procs:
        if not isinstance(p, dict) or not p.get("reason"):
            continue
        states = p.get("states") if isinstance(p.get("states"), list) else []
        killed.append(JetsamProcess(name=to_str(p.get("name")), pid=to_int(p.get("pid")), reason=to_str(p.get("reason")),
                                    rpages=to_int(p.get("rpages")), states=[str(s) for s in states[:8]]))
    report.jetsam_processes = killed[:50]
    if len(killed) > 50:
        report.notes.append(f"{len(killed)} processes have a kill reason; the first 50 are listed")
    if killed:
        reasons = sorted({k.reason for k in killed if k.reason})
        report.termination_namespace = "JETSAM"
        report.termination_reason = ", ".join(reasons)
        if len(killed) == 1:
            report.process, report.pid = killed[0].name, killed[0].pid


def _panic_body(report: CrashReport, body: dict[str, Any], header: dict[str, Any]) -> None:
    panic = to_str(body.get("macOSPanicString")) or to_str(body.get("panicString"), limit=20000)
    if panic:
        report.panic_string = panic.strip().splitlines()[0][:2000] if panic.strip() else None
        m = _PANIC_PID.search(panic)
        if m:
            report.pid, report.process = int(m.group(1)), m.group(2)
    report.process = report.process or "kernel"
    report.hardware_model = to_str(body.get("product"))
    report.incident_id = to_str(body.get("incident")) or report.incident_id
    if body.get("date"):
        report.time_text = to_str(body.get("date"))
        report.time, report.time_zone, note = parse_report_time(report.time_text)
        if note:
            report.notes.append(note)


def _salvage(report: CrashReport, text: str) -> None:
    """Fill what can be recognised from a body that is not valid JSON (truncated, corrupt)."""
    got = {k: rx.search(text) for k, rx in _SALVAGE.items()}
    if got["procName"]:
        report.process = _unescape(got["procName"].group(1))
    if got["pid"] and report.kind == "crash":
        report.pid = int(got["pid"].group(1))
    if got["procPath"]:
        report.executable_path = _unescape(got["procPath"].group(1))
    if got["parentProc"]:
        report.parent_process = _unescape(got["parentProc"].group(1))
    if got["captureTime"]:
        report.time_text = _unescape(got["captureTime"].group(1))
        report.time, report.time_zone, _ = parse_report_time(report.time_text)
    if got["exception_type"]:
        report.exception_type = got["exception_type"].group(1)
    if got["signal"]:
        report.signal = got["signal"].group(1).split()[0] if got["signal"].group(1).split() else None
        report.signal_number = signal_number(report.signal)
    if got["largestProcess"]:
        report.largest_process = _unescape(got["largestProcess"].group(1))


def parse_text(text: str, *, path: Optional[str], warnings: list[ParseWarning], complete: bool = True) -> Optional[CrashReport]:
    """Parse one .ips text; None (with a warning) when not even the header can be read."""
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        header, end = _DECODER.raw_decode(stripped)
    except ValueError as exc:
        warnings.append(warn(NAME, path, f"the .ips header line is not valid JSON ({exc}); report skipped",
                             sample=stripped[:120]))
        return None
    if not isinstance(header, dict):
        warnings.append(warn(NAME, path, "the .ips header is not a JSON object; report skipped", sample=stripped[:120]))
        return None
    bug_type = to_str(header.get("bug_type"))
    kind = KIND_BY_BUG_TYPE.get(bug_type or "", "diagnostic")
    report = new_report(kind=kind, data_type=f"macos:{kind}:ips", source=NAME, path=path, origin=path)
    report.bug_type = bug_type
    report.process = to_str(header.get("name")) or to_str(header.get("app_name"))
    report.version = to_str(header.get("app_version")) or None
    report.os_version = to_str(header.get("os_version"))
    report.incident_id = to_str(header.get("incident_id"))
    report.time_text = to_str(header.get("timestamp"))
    report.time, report.time_zone, note = parse_report_time(report.time_text)
    if note:
        report.notes.append(note)

    rest = stripped[end:].lstrip()
    if not rest:
        if complete:
            warnings.append(warn(NAME, path, "the .ips file has a header but no body; only header fields are reported"))
            report.notes.append("header only: the report body is missing")
        else:
            report.notes.append("only the start of the file was read")
        return report
    if not rest.startswith("{") and not crash_legacy.matches(rest[:65536]):
        warnings.append(warn(NAME, path, "the .ips body is neither a JSON object nor a text crash report; "
                             "only header fields are reported", sample=rest[:120]))
        report.notes.append("unreadable body")
        return report
    if not rest.startswith("{"):
        # a text body (bug_type 109 and some other types)
        sub = crash_legacy.parse_text(rest, path=path, warnings=warnings, kind=kind if kind != "diagnostic" else None,
                                      data_type=report.data_type, source=NAME, complete=complete)
        for name in ("pid", "parent_process", "parent_pid", "responsible_process", "executable_path", "identifier",
                     "hardware_model", "exception_type", "exception_subtype", "exception_codes", "signal",
                     "signal_number", "termination_namespace", "termination_code", "termination_reason",
                     "termination_by", "crashed_thread", "crashed_thread_name", "frames", "application_specific",
                     "panic_string"):
            value = getattr(sub, name)
            if value not in (None, []):
                setattr(report, name, value)
        report.process = sub.process or report.process
        if sub.time is not None:
            report.time, report.time_text, report.time_zone = sub.time, sub.time_text, sub.time_zone
        report.notes.extend(n for n in sub.notes if "no header" not in n)
        return report
    try:
        body, _ = _DECODER.raw_decode(rest)
    except ValueError as exc:
        why = "the file was cut short (only its start was read)" if not complete else f"the JSON body is malformed or truncated ({exc.msg} at char {exc.pos})"
        if complete:
            warnings.append(warn(NAME, path, why + "; header fields and recognisable body fields are reported"))
        report.notes.append(why)
        _salvage(report, rest)
        return report
    if not isinstance(body, dict):
        warnings.append(warn(NAME, path, "the .ips body is not a JSON object; only header fields are reported"))
        return report
    body_bug = to_str(body.get("bug_type"))
    if kind == "diagnostic" and body_bug in KIND_BY_BUG_TYPE:
        kind = KIND_BY_BUG_TYPE[body_bug]
        report.kind, report.data_type, report.bug_type = kind, f"macos:{kind}:ips", body_bug
    if kind == "crash":
        _crash_body(report, body, header)
    elif kind == "jetsam":
        _jetsam_body(report, body, header)
    elif kind == "panic":
        _panic_body(report, body, header)
    else:
        report.process = to_str(body.get("procName")) or report.process
        report.pid = to_int(body.get("pid"))
        report.notes.append(f"bug_type {bug_type} is not a crash, jetsam or panic report; header fields only")
    report.os_version = _os_version(body, header) or report.os_version
    return report


def parse_file(path: Path, warnings: list[ParseWarning], *, include_body: bool = False) -> Iterator[CrashReport]:
    """Yield the one report in an .ips file (nothing, with a warning, if it cannot be read)."""
    got = read_report_text(path, NAME, warnings, "empty .ips file")
    if got is None:
        return
    text, complete = got
    report = parse_text(text, path=str(path), warnings=warnings, complete=complete)
    if report is None:
        return
    if include_body:
        report.body, report.body_truncated = body_of(text)
        report.body_truncated = report.body_truncated or not complete
    yield finish(report)
