"""Where investigation state lives, how it is locked and written, and the compact gate file.

Stdlib only, and cheap to import: the hooks import this module on every tool call, and the
workflow layer (`storage.py`) uses the same functions, so the MCP server and the hooks always
agree on the folder, the lock and the file format. Nothing here knows about pydantic.

Layout, under the plugin's data folder (`$CLAUDE_PLUGIN_DATA`, else the user's state folder —
the same rule as `mcp_server.paths.plugin_data_dir`)::

    <data>/projects/<key>/           one folder per project (0700)
        gate.json                    the compact gate the hooks read (0600)
        lock                         flock'ed by every writer
        investigations/RCA-001.json  the investigation records (workflow/state.py)
        streak.json                  the hooks' count of failing test runs
    <data>/venvs/current.json        written by the launcher: the plugin venv's site-packages

The project is `$CLAUDE_PROJECT_DIR` when set (Claude Code gives it to hooks and to the MCP
server), else the current directory; its real path (symlinks resolved) names the folder, so
`/tmp/x` and `/private/tmp/x` are one project.
"""

from __future__ import annotations

import os
import sys
import time
import zlib

from . import fastjson  # json.loads/dumps without the ~9 ms `import json` (hooks run on every tool call)

GATE_VERSION = 1
#: Where reports go by default, relative to the project; writes there are never blocked.
DEFAULT_REPORT_DIR = os.path.join("docs", "rca")
#: How long a writer waits for the project lock before giving up (hooks pass less).
LOCK_TIMEOUT = 5.0
ID_PREFIX = "RCA-"


class LockTimeout(OSError):
    """The project lock stayed held by another writer for longer than we may wait."""


# --- where --------------------------------------------------------------------------------------


def data_dir() -> str:
    """The plugin's writable folder (same rule as `paths.plugin_data_dir`, without pathlib)."""
    env = os.environ.get("CLAUDE_PLUGIN_DATA")
    if env:
        return os.path.expanduser(env)
    home = os.environ.get("HOME") or os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Application Support", "rca")
    xdg = os.environ.get("XDG_STATE_HOME")
    return os.path.join(xdg if xdg else os.path.join(home, ".local", "state"), "rca")


def project_dir(cwd: str | None = None) -> str:
    """The project this process works for: `$CLAUDE_PROJECT_DIR`, else `cwd`, else the current
    directory; always the real absolute path."""
    return resolve(os.environ.get("CLAUDE_PROJECT_DIR") or cwd or os.getcwd())


def resolve(path: str) -> str:
    """A project path as the state folder keys it: absolute, user expanded, symlinks resolved."""
    return os.path.realpath(os.path.expanduser(str(path)))


def project_key(project: str) -> str:
    """A readable, collision-safe folder name for a project path."""
    real = os.path.realpath(project)
    slug = "".join(c if c.isalnum() else "-" for c in real).strip("-")[-80:] or "root"
    return f"{slug}-{zlib.crc32(real.encode('utf-8', 'surrogatepass')):08x}"


def state_dir(project: str) -> str:
    return os.path.join(data_dir(), "projects", project_key(project))


def gate_path(project: str) -> str:
    return os.path.join(state_dir(project), "gate.json")


def investigations_dir(project: str) -> str:
    return os.path.join(state_dir(project), "investigations")


def investigation_path(project: str, inv_id: str) -> str:
    if not valid_id(inv_id):
        raise ValueError(f"not an investigation id: {inv_id!r} (expected RCA-001, RCA-002, …)")
    return os.path.join(investigations_dir(project), inv_id + ".json")


def streak_path(project: str) -> str:
    return os.path.join(state_dir(project), "streak.json")


def venv_pointer_path() -> str:
    return os.path.join(data_dir(), "venvs", "current.json")


def valid_id(inv_id: str) -> bool:
    return inv_id.startswith(ID_PREFIX) and inv_id[len(ID_PREFIX):].isdigit() and "/" not in inv_id


# --- how ----------------------------------------------------------------------------------------


def ensure_dir(path: str) -> None:
    """Create `path` (and parents) private to the user: 0700 whatever the umask."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        pass


class ProjectLock:
    """An exclusive lock on one project's state, shared by every session, the MCP server and the
    hooks (flock on `<state>/lock`). Waits at most `timeout` seconds, then raises `LockTimeout`."""

    def __init__(self, project: str, timeout: float = LOCK_TIMEOUT):
        self.path = os.path.join(state_dir(project), "lock")
        self.timeout = timeout
        self.fd: int | None = None

    def __enter__(self) -> "ProjectLock":
        ensure_dir(os.path.dirname(self.path))
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks; atomic writes still hold
            self.fd = fd
            return self
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockTimeout(f"the state lock {self.path} is held by another session")
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            except OSError:
                os.close(fd)
                raise
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the flock
            self.fd = None


def atomic_write(path: str, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old or the new file, never half of one:
    a private temp file beside it, fsync, then os.replace."""
    ensure_dir(os.path.dirname(path))
    tmp = f"{path}.tmp-{os.getpid()}-{time.monotonic_ns()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_json(path: str) -> dict | None:
    """The JSON object in `path`, or None when the file does not exist. Corrupt or unreadable
    files raise (ValueError / OSError): the caller decides what that means."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    obj = fastjson.loads(raw)
    if not isinstance(obj, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return obj


def write_json(path: str, obj: dict) -> None:
    import json  # writes are rare in a hook (a test run, an override); reads are on every call

    atomic_write(path, json.dumps(obj, indent=1, ensure_ascii=False).encode("utf-8"))


def now_iso() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


# --- investigations as raw JSON (the hooks' side; the workflow layer uses pydantic) --------------


def list_ids(project: str) -> list[str]:
    try:
        names = os.listdir(investigations_dir(project))
    except FileNotFoundError:
        return []
    ids = [n[:-5] for n in names if n.endswith(".json") and valid_id(n[:-5])]
    return sorted(ids, key=lambda i: int(i[len(ID_PREFIX):]))


def next_id(project: str) -> str:
    """The next free id `RCA-NNN`; call with the project lock held."""
    ids = list_ids(project)
    n = int(ids[-1][len(ID_PREFIX):]) + 1 if ids else 1
    return f"{ID_PREFIX}{n:03d}"


def read_investigation(project: str, inv_id: str) -> dict | None:
    return read_json(investigation_path(project, inv_id))


def write_investigation(project: str, inv: dict) -> None:
    write_json(investigation_path(project, str(inv["id"])), inv)


# --- the gate -----------------------------------------------------------------------------------


def report_dir(project: str) -> str:
    """The project's report folder, resolved as `rca_report` resolves it (`report_config`:
    $RCA_REPORT_DIR, `.claude/rca.json` report_dir, else docs/rca). Computed when the gate is
    written, so the hooks only compare paths."""
    try:
        from .report_config import resolve_report_dir

        return str(resolve_report_dir(project))
    except ImportError:  # pragma: no cover - a build without the report module
        pass
    except ValueError:  # ReportDirError: an unreadable .claude/rca.json -> the default folder
        pass
    return os.path.realpath(os.path.join(project, DEFAULT_REPORT_DIR))


def closed_gate(project: str) -> dict:
    return {
        "v": GATE_VERSION, "project_dir": project, "open": False, "id": None, "mode": None, "phase": None,
        "edits_allowed": True, "missing": [], "overridden": False, "report_dir": report_dir(project),
        "targets": [], "updated": now_iso(),
    }


def make_gate(project: str, inv_id: str, mode: str, phase: str, edits_allowed: bool, missing: list,
              overridden: bool, is_open: bool = True, targets: list | None = None) -> dict:
    if not is_open:
        return closed_gate(project)
    return {
        "v": GATE_VERSION, "project_dir": project, "open": True, "id": inv_id, "mode": mode, "phase": phase,
        "edits_allowed": bool(edits_allowed or overridden), "missing": [str(m) for m in missing],
        "overridden": bool(overridden), "report_dir": report_dir(project), "targets": [str(t) for t in targets or []],
        "updated": now_iso(),
    }


def write_gate(project: str, gate: dict) -> None:
    write_json(gate_path(project), gate)


def read_gate(project: str) -> dict | None:
    """The project's gate, or None when it has never had an investigation. Raises on a corrupt or
    unreadable file (the hooks turn that into "allow, with a note")."""
    return read_json(gate_path(project))


def in_report_dir(file_path: str, gate: dict, cwd: str | None = None) -> bool:
    """True when `file_path` (absolute, or relative to cwd/the project) lies inside the gate's
    report folder — writes there are always allowed, the report is how an investigation ends."""
    rd = gate.get("report_dir")
    if not rd or not file_path:
        return False
    base = cwd or gate.get("project_dir") or os.getcwd()
    full = os.path.realpath(os.path.join(base, os.path.expanduser(file_path)))
    rd = os.path.realpath(rd)
    return full == rd or full.startswith(rd.rstrip(os.sep) + os.sep)
