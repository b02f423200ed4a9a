"""Where things live on this machine: Claude Code's folders, the plugin's state, known evidence folders.

Stdlib only: hooks import it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def claude_config_dir() -> Path:
    """`~/.claude`, or `$CLAUDE_CONFIG_DIR` when Claude Code was told to keep its files elsewhere."""
    env = os.environ.get("CLAUDE_CONFIG_DIR")
    return Path(env).expanduser() if env else home() / ".claude"


def claude_projects_dir() -> Path:
    return claude_config_dir() / "projects"


def plugin_data_dir() -> Path:
    """The plugin's own writable folder: `$CLAUDE_PLUGIN_DATA` when Claude Code gives one, else the
    user's state folder (`$XDG_STATE_HOME/rca`, `~/.local/state/rca`; `~/Library/Application
    Support/rca` on macOS). Never /tmp: investigation state must survive and stay private."""
    env = os.environ.get("CLAUDE_PLUGIN_DATA")
    if env:
        return Path(env).expanduser()
    if sys.platform == "darwin":
        return home() / "Library" / "Application Support" / "rca"
    xdg = os.environ.get("XDG_STATE_HOME")
    return (Path(xdg) if xdg else home() / ".local" / "state") / "rca"


def project_slug(project_dir: str | os.PathLike[str]) -> str:
    """Claude Code's folder name for a project: the absolute path with every non-alphanumeric
    character replaced by '-'."""
    text = str(Path(project_dir).expanduser().absolute())
    return "".join(c if c.isalnum() else "-" for c in text)


MACOS_CRASH_DIRS = (
    "~/Library/Logs/DiagnosticReports",
    "~/Library/Logs/DiagnosticReports/Retired",
    "/Library/Logs/DiagnosticReports",
    "/Library/Logs/DiagnosticReports/Retired",
)
LINUX_CRASH_DIRS = ("/var/crash", "/var/lib/systemd/coredump")
JOURNAL_DIRS = ("/var/log/journal", "/run/log/journal")
SYSLOG_FILES = ("/var/log/syslog", "/var/log/messages", "/var/log/kern.log", "/var/log/system.log")
