"""Which evidence sources this machine has, and why any is unavailable.

Answers "what can rca see here?" before an investigation starts: the macOS unified log, journald
(and whether journal files exist and are readable), coredumpctl, syslog files, crash-report
folders, Claude Code transcripts, shell histories and git. Nothing is read beyond directory
listings and one cheap version check per program.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, Field

from .. import paths
from ._proc import which

SourceKind = Literal["system_log", "crash_reports", "session", "history", "vcs"]


class SourceAvailability(BaseModel):
    name: str = Field(description="Source name, as used by the other tools.")
    kind: SourceKind
    available: bool
    detail: str = Field(description="What was found, or why the source is unavailable.")
    paths: list[str] = Field(default_factory=list, description="Files or folders found for this source.")
    program: Optional[str] = Field(None, description="Program used to read it, with its full path.")


class EvidenceSources(BaseModel):
    platform: str
    sources: list[SourceAvailability]
    available: int
    unavailable: int


def _readable_dir(p: Path) -> Optional[str]:
    """None if the folder can be listed, else the reason it cannot."""
    if not p.exists():
        return "absent"
    if not p.is_dir():
        return "not a folder"
    if not os.access(p, os.R_OK | os.X_OK):
        return "permission denied"
    return None


def _journald() -> SourceAvailability:
    prog = which("journalctl")
    found: list[str] = []
    notes: list[str] = []
    for d in paths.JOURNAL_DIRS:
        p = Path(d)
        why = _readable_dir(p)
        if why:
            notes.append(f"{d}: {why}")
            continue
        try:
            count = sum(1 for f in p.rglob("*.journal*") if f.is_file())
        except OSError as exc:
            notes.append(f"{d}: {exc.strerror or exc}")
            continue
        if count:
            found.append(d)
            notes.append(f"{d}: {count} journal file(s)")
        else:
            notes.append(f"{d}: no journal files")
    if not prog:
        return SourceAvailability(
            name="journald", kind="system_log", available=False, paths=found,
            detail="journalctl is not installed (not a systemd machine, or install systemd); "
            + ("; ".join(notes) if notes else "no journal folders"),
        )
    if not found:
        return SourceAvailability(
            name="journald", kind="system_log", available=False, program=prog,
            detail="journalctl is installed but no readable journal files were found ("
            + "; ".join(notes)
            + "); copied journals can still be read with paths=[folder]",
        )
    return SourceAvailability(
        name="journald", kind="system_log", available=True, program=prog, paths=found, detail="; ".join(notes)
    )


def _macos_log() -> SourceAvailability:
    prog = "/usr/bin/log"
    if sys.platform != "darwin":
        return SourceAvailability(
            name="macos_log", kind="system_log", available=False,
            detail=f"not macOS (platform {sys.platform}); saved `log show` output and .logarchive folders can still be read as files",
        )
    if not os.access(prog, os.X_OK):
        return SourceAvailability(name="macos_log", kind="system_log", available=False, detail="/usr/bin/log is missing")
    return SourceAvailability(name="macos_log", kind="system_log", available=True, program=prog, detail="unified log via `log show`")


def _syslog_files() -> SourceAvailability:
    found, notes = [], []
    for f in paths.SYSLOG_FILES:
        p = Path(f)
        if not p.exists():
            continue
        if os.access(p, os.R_OK):
            found.append(f)
        else:
            notes.append(f"{f}: permission denied")
    if found:
        return SourceAvailability(name="syslog", kind="system_log", available=True, paths=found,
                                  detail="readable: " + ", ".join(found) + ("; " + "; ".join(notes) if notes else ""))
    return SourceAvailability(
        name="syslog", kind="system_log", available=False,
        detail="; ".join(notes) if notes else "none of " + ", ".join(paths.SYSLOG_FILES) + " exists",
    )


def _program(name: str, prog_name: str, kind: SourceKind, purpose: str) -> SourceAvailability:
    prog = which(prog_name)
    if prog:
        return SourceAvailability(name=name, kind=kind, available=True, program=prog, detail=purpose)
    return SourceAvailability(name=name, kind=kind, available=False, detail=f"`{prog_name}` is not installed ({purpose})")


def _crash_dirs() -> SourceAvailability:
    candidates = paths.MACOS_CRASH_DIRS if sys.platform == "darwin" else paths.LINUX_CRASH_DIRS
    found, notes = [], []
    for d in candidates:
        p = Path(d).expanduser()
        why = _readable_dir(p)
        if why:
            notes.append(f"{d}: {why}")
        else:
            found.append(str(p))
    return SourceAvailability(
        name="crash_report_folders", kind="crash_reports", available=bool(found), paths=found,
        detail=("readable: " + ", ".join(found) if found else "no crash-report folder exists")
        + ("; " + "; ".join(notes) if notes else ""),
    )


def _transcripts() -> SourceAvailability:
    root = paths.claude_projects_dir()
    why = _readable_dir(root)
    if why:
        return SourceAvailability(
            name="claude_transcripts", kind="session", available=False,
            detail=f"{root}: {why} (set CLAUDE_CONFIG_DIR if Claude Code keeps its files elsewhere)",
        )
    try:
        projects = [p for p in root.iterdir() if p.is_dir()]
        sessions = sum(1 for p in projects for _ in p.glob("*.jsonl"))
    except OSError as exc:
        return SourceAvailability(name="claude_transcripts", kind="session", available=False,
                                  detail=f"{root}: {exc.strerror or exc}")
    return SourceAvailability(
        name="claude_transcripts", kind="session", available=sessions > 0, paths=[str(root)],
        detail=f"{sessions} session transcript(s) in {len(projects)} project folder(s)",
    )


def _histories() -> SourceAvailability:
    home = paths.home()
    candidates = [os.environ.get("HISTFILE")] if os.environ.get("HISTFILE") else []
    candidates += [str(home / ".zsh_history"), str(home / ".bash_history"),
                   str(home / ".local" / "share" / "fish" / "fish_history")]
    found, notes = [], []
    for f in dict.fromkeys(candidates):
        p = Path(f)
        if p.is_file():
            (found if os.access(p, os.R_OK) else notes).append(f if os.access(p, os.R_OK) else f"{f}: permission denied")
    return SourceAvailability(
        name="shell_history", kind="history", available=bool(found), paths=found,
        detail=("found " + ", ".join(found)) if found else ("; ".join(notes) or "no zsh, bash or fish history file"),
    )


def probe_sources() -> EvidenceSources:
    """Probe every evidence source this machine could have."""
    sources = [
        _macos_log(),
        _journald(),
        _program("coredumpctl", "coredumpctl", "crash_reports", "systemd-coredump crash records"),
        _syslog_files(),
        _crash_dirs(),
        _transcripts(),
        _histories(),
        _program("git", "git", "vcs", "commits and reflog as evidence of resets, checkouts and force pushes"),
    ]
    up = sum(s.available for s in sources)
    return EvidenceSources(platform=sys.platform, sources=sources, available=up, unavailable=len(sources) - up)
