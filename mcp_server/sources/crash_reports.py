"""`find_crash_reports`: every crash report this machine (or a given folder) holds, newest first.

Looks in the default places — macOS: `~/Library/Logs/DiagnosticReports`,
`/Library/Logs/DiagnosticReports` and their `Retired/`; Linux: `/var/crash` (apport),
`coredumpctl` (systemd-coredump), `/var/lib/systemd/coredump` — plus any files or folders the
caller names. A file's format is recognised by its content, not its name (`.ips` header line,
apport's `ProblemType:`, Apple's `Process:`/`Exception Type:` header, `coredumpctl` output,
journal JSON with `COREDUMP_*` fields, an ELF core), so renamed and copied reports are read too.
One parser per format lives beside this module; this one only finds, dispatches, filters, sorts
and pages. Every file that cannot be read becomes one warning; all other reports are returned.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence, Union

from pydantic import BaseModel, Field

from .. import paths as known_paths
from ..errors import InputError
from ..models import Event, ParseWarning, SourceRun
from ..paging import next_page_hint, page
from ..timeutil import parse_time, to_utc_iso
from . import apport, coredump, crash_ips, crash_legacy
from ._crash import CrashReport, Frame, JetsamProcess, warn
from ._io import looks_binary, read_head

__all__ = ["CrashReport", "CrashReportsResult", "Frame", "JetsamProcess", "find_crash_reports", "parse_path"]

#: Files looked at per folder (newest first); a folder holding more is reported as truncated.
MAX_FILES_PER_FOLDER = 5000
#: Warnings returned at most; the rest are counted in one last warning.
MAX_WARNINGS = 200
#: Names that promise a crash report, so a file that is none of the formats is warned about.
_CRASH_SUFFIXES = (".ips", ".synced", ".crash", ".panic", ".diag", ".spin", ".hang")
_JOURNAL_MAGIC = b"LPKSHHRH"
_DETECT_BYTES = 64 * 1024


class CrashReportsResult(BaseModel):
    """Crash reports found, newest first, one page of them."""

    reports: list[CrashReport] = Field(default_factory=list)
    total: int = Field(0, description="Reports matching the query across all pages.")
    next_cursor: Optional[str] = Field(None, description="Pass as cursor to get the next page; None on the last page.")
    hint: Optional[str] = Field(None, description="How to get the rest, when there is more.")
    warnings: list[ParseWarning] = Field(default_factory=list, description="Files or records that could not be read.")
    consulted: list[SourceRun] = Field(default_factory=list, description="Every folder, file and command consulted.")

    def events(self) -> list[Event]:
        """The page's reports as timeline events (`time_meaning="crashed"`)."""
        return [r.to_event() for r in self.reports]


def default_locations() -> list[str]:
    """The crash-report folders of this platform."""
    if sys.platform == "darwin":
        return [str(Path(p).expanduser()) for p in known_paths.MACOS_CRASH_DIRS]
    return list(known_paths.LINUX_CRASH_DIRS)


def use_coredumpctl() -> bool:
    return sys.platform.startswith("linux")


Parser = Callable[[Path, list[ParseWarning], bool], Iterator[CrashReport]]


def _detect(path: Path, head: bytes) -> Optional[tuple[str, Parser]]:
    """Which parser reads this file, judged by its content (and a systemd core's name)."""
    if coredump.is_elf_core(head):
        return "coredump", lambda p, w, b: coredump.parse_core_file(p, w)
    if coredump.systemd_core_name(path.name) and path.suffix in (".zst", ".lz4"):
        return "coredump", lambda p, w, b: coredump.parse_core_file(p, w)
    if coredump.export_matches(head[:_DETECT_BYTES].decode("utf-8", "replace")):  # binary fields hold NULs
        return "coredump", lambda p, w, b: coredump.parse_text_file(p, w, include_body=b)
    text = head.decode("utf-8", "replace")
    if crash_ips.matches(text):  # judged on the header line alone: a NUL-padded (cut) body is still an .ips
        return "crash_ips", lambda p, w, b: crash_ips.parse_file(p, w, include_body=b)
    if not head or looks_binary(head):
        return None
    if apport.matches(text):
        return "apport", lambda p, w, b: apport.parse_file(p, w, include_body=b)
    if (coredump.info_matches(text) or coredump.list_matches(text) or coredump.journal_json_matches(text)
            or coredump.export_matches(text) or coredump.verbose_matches(text)):
        return "coredump", lambda p, w, b: coredump.parse_text_file(p, w, include_body=b)
    if crash_legacy.matches(text):
        return "crash_legacy", lambda p, w, b: crash_legacy.parse_file(p, w, include_body=b)
    return None


def _promises_crash(path: Path) -> bool:
    name = path.name
    return name.endswith(_CRASH_SUFFIXES) or name == "core" or (name.startswith("core.") and name[5:].isdigit())


def parse_path(
    path: Union[str, Path],
    warnings: list[ParseWarning],
    *,
    include_body: bool = False,
    explicit: bool = True,
) -> list[CrashReport]:
    """Every crash report in one file. A file in none of the formats is warned about when it was
    named by the caller or its name promises a crash report; other files in a folder are skipped."""
    p = Path(path)
    head = read_head(p, _DETECT_BYTES)
    if not head:
        try:
            with open(p, "rb") as f:
                f.read(1)
            if explicit or _promises_crash(p):
                warnings.append(warn("crash_reports", p, "empty file"))
        except OSError as exc:
            reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
            warnings.append(warn("crash_reports", p, f"cannot read: {reason}"))
        return []
    if head.startswith(_JOURNAL_MAGIC):
        # find_crash_reports hands journal files to `coredumpctl --file`; read alone, say so
        warnings.append(warn("crash_reports", p, "a systemd journal file: its coredumps are read through "
                             "`coredumpctl --file` by find_crash_reports, not by a file parser"))
        return []
    found = _detect(p, head)
    if found is None:
        if explicit or _promises_crash(p):
            what = "binary data" if looks_binary(head) else "text"
            warnings.append(warn("crash_reports", p, f"not a crash report in any known format ({what}); skipped",
                                 sample=None if looks_binary(head) else head[:120].decode("utf-8", "replace")))
        return []
    _name, parser = found
    try:
        return list(parser(p, warnings, include_body))
    except Exception as exc:  # noqa: BLE001 - one bad file must never lose the other reports
        warnings.append(warn("crash_reports", p, f"parser {_name} failed on this file: {type(exc).__name__}: {exc}"))
        return []


def _files_in(folder: Path) -> tuple[list[Path], bool]:
    files: list[tuple[float, Path]] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs.sort()
        for n in names:
            fp = Path(root) / n
            try:
                st = fp.lstat()
            except OSError:
                continue
            if fp.is_symlink() or not fp.is_file():
                continue
            files.append((st.st_mtime, fp))
    files.sort(key=lambda t: (-t[0], str(t[1])))
    truncated = len(files) > MAX_FILES_PER_FOLDER
    return [f for _, f in files[:MAX_FILES_PER_FOLDER]], truncated


def _why_unreadable(p: Path) -> Optional[str]:
    if not p.exists():
        return "absent"
    if p.is_dir() and not os.access(p, os.R_OK | os.X_OK):
        return "permission denied"
    if p.is_file() and not os.access(p, os.R_OK):
        return "permission denied"
    return None


def _matches(r: CrashReport, process: Optional[str], pid: Optional[int],
             start: Optional[datetime], end: Optional[datetime]) -> bool:
    if pid is not None and r.pid != pid and not any(j.pid == pid for j in r.jetsam_processes):
        return False
    if process:
        q = process.lower()
        names = [r.process, r.executable_path.rsplit("/", 1)[-1] if r.executable_path else None, r.identifier,
                 *(j.name for j in r.jetsam_processes)]
        if not any(n and q in n.lower() for n in names):
            return False
    if start or end:
        if r.time is None:
            return False
        if start and r.time < start:
            return False
        if end and r.time > end:
            return False
    return True


def _dedupe(reports: list[CrashReport]) -> list[CrashReport]:
    """One dump seen twice — by coredumpctl and as its file in /var/lib/systemd/coredump — is kept
    once (the coredumpctl entry, richer). Reports read from different files the caller named are
    all kept: each is its own piece of evidence."""
    live = {(r.pid, int(r.time.timestamp())) for r in reports
            if r.data_type == "linux:coredump:coredumpctl" and r.pid is not None and r.time is not None}
    out: list[CrashReport] = []
    seen_ids: set[str] = set()
    for r in reports:
        if r.evidence_id in seen_ids:
            continue
        seen_ids.add(r.evidence_id)
        if (r.data_type == "linux:coredump:file" and r.pid is not None and r.time is not None
                and (r.pid, int(r.time.timestamp())) in live):
            continue
        out.append(r)
    return out


def find_crash_reports(
    process: Optional[str] = None,
    pid: Optional[int] = None,
    start: Optional[Union[str, datetime]] = None,
    end: Optional[Union[str, datetime]] = None,
    paths: Optional[Sequence[str]] = None,
    include_body: bool = False,
    limit: int = 50,
    cursor: Optional[str] = None,
) -> CrashReportsResult:
    """Find and parse crash reports, newest first, filtered and paged.

    `paths` adds files or folders to the default places. `start`/`end` take the forms of
    `timeutil.parse_time`; a report without a usable time is left out when a window is given.
    """
    start_dt = parse_time(start) if start is not None else None
    end_dt = parse_time(end) if end is not None else None
    if start_dt and end_dt and start_dt > end_dt:
        raise InputError(f"the time window is reversed: start {to_utc_iso(start_dt)} is after end {to_utc_iso(end_dt)}")
    if pid is not None and pid < 0:
        raise InputError("pid must be a non-negative number")
    if isinstance(paths, str):
        paths = [paths]

    warnings: list[ParseWarning] = []
    consulted: list[SourceRun] = []
    reports: list[CrashReport] = []
    seen_files: set[str] = set()
    journals: list[str] = []

    def read_file(fp: Path, explicit: bool) -> tuple[int, int]:
        key = os.path.realpath(fp)
        if key in seen_files:
            return 0, 0
        seen_files.add(key)
        before = len(warnings)
        try:
            with open(fp, "rb") as f:
                if f.read(8) == _JOURNAL_MAGIC:
                    journals.append(str(fp))
                    return 0, 0
        except OSError:
            pass
        got = parse_path(fp, warnings, include_body=include_body, explicit=explicit)
        reports.extend(got)
        return len(got), len(warnings) - before

    locations = [(loc, False) for loc in default_locations()] + [(str(Path(p).expanduser()), True) for p in (paths or [])]
    for loc, user_given in locations:
        p = Path(loc)
        why = _why_unreadable(p)
        if why:
            if user_given:
                raise_missing = why == "absent"
                warnings.append(warn("crash_reports", p, "no such file or folder" if raise_missing else f"cannot read: {why}"))
                consulted.append(SourceRun(source="crash_reports", path=loc, status="error" if raise_missing else "unavailable",
                                           reason="no such file or folder" if raise_missing else why))
            else:
                consulted.append(SourceRun(source="crash_reports", path=loc, status="unavailable", reason=why))
            continue
        if p.is_dir():
            try:
                files, truncated = _files_in(p)
            except OSError as exc:
                consulted.append(SourceRun(source="crash_reports", path=loc, status="error", reason=exc.strerror or str(exc)))
                continue
            n_events = n_warn = 0
            for fp in files:
                e, w = read_file(fp, explicit=False)
                n_events += e
                n_warn += w
            consulted.append(SourceRun(source="crash_reports", path=loc, status="partial" if (truncated or n_warn) else "ok",
                                       events=n_events, warnings=n_warn, truncated=truncated,
                                       reason=f"only the newest {MAX_FILES_PER_FOLDER} files were read" if truncated else None))
        else:
            e, w = read_file(p, explicit=True)
            consulted.append(SourceRun(source="crash_reports", path=loc, status="partial" if w else "ok", events=e, warnings=w))

    if use_coredumpctl():
        got, w, runs = coredump.from_coredumpctl(start_dt, end_dt)
        reports.extend(got)
        warnings.extend(w)
        consulted.extend(runs)
    for journal in journals:
        got, w, runs = coredump.from_coredumpctl(start_dt, end_dt, journal=journal)
        reports.extend(got)
        warnings.extend(w)
        consulted.extend(runs)

    matching = [r for r in _dedupe(reports) if _matches(r, process, pid, start_dt, end_dt)]
    matching.sort(key=lambda r: (r.time is None, -(r.time.timestamp() if r.time else 0), r.path or "", r.evidence_id))
    query = {"process": process, "pid": pid, "start": to_utc_iso(start_dt), "end": to_utc_iso(end_dt),
             "paths": list(paths or []), "include_body": include_body}
    chunk, next_cursor, total = page(matching, limit, cursor, query)
    if len(warnings) > MAX_WARNINGS:
        extra = len(warnings) - MAX_WARNINGS
        warnings = warnings[:MAX_WARNINGS] + [ParseWarning(source="crash_reports", message=f"{extra} more warnings not shown")]
    return CrashReportsResult(
        reports=chunk, total=total, next_cursor=next_cursor,
        hint=next_page_hint("find_crash_reports", next_cursor, len(chunk), total),
        warnings=warnings, consulted=consulted,
    )
