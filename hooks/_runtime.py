"""What every rca hook shares: read stdin JSON, stay in budget, print exactly one JSON object.

A hook must never brick a session. Whatever goes wrong — empty or malformed stdin, a corrupt,
locked or unreadable state file, a read-only disk, the plugin's venv missing, a bug here — the
tool is allowed (`{}` on stdout, exit 0) and one line on stderr says why. Denials are deliberate
JSON decisions (`permissionDecision: "deny"`), never an exit code, and an internal time budget
(far below the timeout in hooks.json) turns a hang into an allow.

Stdlib only. The plugin root is put on sys.path so `mcp_server.workflow.gatefile` — the one
module that knows where state lives — is shared with the MCP server.

Start-up is most of a hook's cost, so the frequent paths import nothing they can do without:
JSON goes through `fastjson` (CPython's `_json` accelerator, without `import json` and the `re`,
`enum`, `functools` it pulls in), the budget timer through `_signal` (`signal` imports `enum`).
`bench/bench_hooks.py` measures the result against a bare `python3 -c pass`.
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mcp_server.workflow import fastjson, gatefile  # noqa: E402  (stdlib-only, cheap)

#: Seconds a hook may spend before it gives up and allows (hooks.json gives it 10).
try:
    BUDGET = min(max(float(os.environ.get("RCA_HOOK_BUDGET") or 2.5), 0.05), 8.0)
except ValueError:
    BUDGET = 2.5
#: How long a hook waits for the project lock before skipping its write.
LOCK_WAIT = 1.0
EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
OVERRIDE_HOW = "the user can lift this gate by typing /rca:override <reason>"


class OverBudget(BaseException):
    """Raised by the budget timer; a BaseException so that no `except Exception` on the way
    swallows it."""


def note(msg: str) -> None:
    """One line on stderr (Claude Code shows it in verbose mode and logs); never raises."""
    try:
        sys.stderr.write(f"rca hook: {msg}\n")
        sys.stderr.flush()
    except Exception:  # noqa: BLE001
        pass


def _alarm(signum: int, frame: object) -> None:
    raise OverBudget()


def _signal_module():
    """`_signal` (what `signal` wraps in enums, at ~4 ms of imports), else `signal`."""
    try:
        import _signal

        return _signal
    except ImportError:  # pragma: no cover - an interpreter without the private module
        import signal

        return signal


def _start_budget() -> None:
    try:
        signal = _signal_module()
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, BUDGET)
    except (ImportError, AttributeError, ValueError, OSError):  # pragma: no cover - no SIGALRM (Windows)
        pass


def _stop_budget() -> None:
    try:
        signal = _signal_module()
        signal.setitimer(signal.ITIMER_REAL, 0)
    except (ImportError, AttributeError, ValueError, OSError):  # pragma: no cover
        pass


def read_payload() -> dict:
    raw = sys.stdin.buffer.read()
    if not raw.strip():
        raise ValueError("empty stdin")
    payload = fastjson.loads(raw)
    if not isinstance(payload, dict):
        raise ValueError("stdin is not a JSON object")
    return payload


def project_of(payload: dict) -> str:
    cwd = payload.get("cwd")
    return gatefile.project_dir(cwd if isinstance(cwd, str) and cwd else None)


def read_gate(project: str) -> dict | None:
    """The gate, or None when none exists or it cannot be read (then noted: allow)."""
    try:
        gate = gatefile.read_gate(project)
    except (OSError, ValueError) as exc:
        note(f"cannot read the investigation gate ({exc.__class__.__name__}: {exc}); allowing")
        return None
    if gate is not None and not isinstance(gate.get("open"), bool):
        note("the investigation gate file is not in the expected shape; allowing")
        return None
    return gate


def run(event: str, handle) -> None:
    """Run `handle(payload) -> dict | None` for one hook event and print exactly one JSON object."""
    out: dict = {}
    _start_budget()
    try:
        payload = read_payload()
        out = handle(payload) or {}
    except OverBudget:
        note(f"{event}: time budget of {BUDGET:.1f}s exceeded; allowing")
        out = {}
    except gatefile.LockTimeout as exc:
        note(f"{event}: {exc}; allowing without recording")
        out = {}
    except Exception as exc:  # noqa: BLE001 - a broken hook must never block work
        note(f"{event}: {exc.__class__.__name__}: {exc}; allowing")
        out = {}
    finally:
        _stop_budget()
    try:
        text = fastjson.dumps(out)
    except (TypeError, ValueError) as exc:
        note(f"{event}: unserialisable output ({exc}); allowing")
        text = "{}"
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def deny(reason: str, event: str = "PreToolUse") -> dict:
    return {"hookSpecificOutput": {"hookEventName": event, "permissionDecision": "deny",
                                   "permissionDecisionReason": reason}}


def context(event: str, text: str, system_message: str | None = None) -> dict:
    out: dict = {"hookSpecificOutput": {"hookEventName": event, "additionalContext": text}}
    if system_message:
        out["systemMessage"] = system_message
    return out
