"""PreToolUse hook: hold edits until the diagnosis exists; keep evidence alive during an investigation.

- Edit | Write | MultiEdit | NotebookEdit: while this project has an open investigation whose root
  cause (strategic) or prescription (tactical) is not recorded, deny — with the phase, what is
  missing, and how the user overrides. Writes into the report folder (docs/rca/) stay allowed.
- Bash: while an investigation is open, deny only commands the danger classifier rates as
  destroying processes or evidence (kill, rm -rf, git reset --hard, journal vacuum, …). Every
  other command passes. Ordinary commands (`git log`, `ls -la`, `python -m pytest -x 2>&1 | tail`,
  …) are cleared by the classifier's light screen for this gate (`danger_screen.gate_cleared`:
  string operations and tables generated from the rules, no imports); the classifier itself is
  loaded only for what the screen cannot clear. It lives in the plugin's environment; when it
  cannot be imported the command is allowed and a note goes to stderr.

With no investigation open this reads one small file and prints `{}`.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
import _runtime  # noqa: E402
from _runtime import EDIT_TOOLS, OVERRIDE_HOW, note  # noqa: E402


def edit_reason(gate: dict) -> str:
    missing = gate.get("missing") or []
    fix = "the root cause is recorded" if gate.get("mode") == "strategic" else "a prescription is recorded"
    lines = [
        f"rca: {gate.get('id')} ({gate.get('mode')}) is open in this project, phase {gate.get('phase')}: "
        f"edits are blocked until {fix}. Diagnose before fixing.",
        "Still missing: " + ("; ".join(str(m) for m in missing) if missing else "see rca_status") + ".",
        f"Use rca_status for each gate, rca_record to record findings, rca_advance at each gate. "
        f"Writes under {gate.get('report_dir')} are allowed. If the user wants the fix now, {OVERRIDE_HOW}.",
    ]
    return "\n".join(lines)


def load_danger():
    """The danger classifier from the plugin's venv (bashlex lives there), or None with a note."""
    try:
        from mcp_server.workflow import gatefile

        pointer = gatefile.read_json(gatefile.venv_pointer_path()) or {}
        for p in pointer.get("site_packages") or []:
            if isinstance(p, str) and p not in sys.path:
                sys.path.append(p)  # after the stdlib: the venv cannot shadow it
        from mcp_server.analysis import danger

        return danger
    except Exception as exc:  # noqa: BLE001 - ImportError, a corrupt pointer, a broken venv
        note(f"the danger classifier is not importable ({exc.__class__.__name__}: {exc}); allowing the command")
        return None


def describe(assessment: object) -> str:
    """The classifier's reasons in one line (its Assessment's executed findings)."""
    found = getattr(assessment, "findings", None)
    if isinstance(found, (list, tuple)):
        parts = [f"{getattr(f, 'segment', '')}: {getattr(f, 'reason', '')}" for f in found
                 if getattr(f, "executes", True) and getattr(f, "reason", None)]
        if parts:
            return "; ".join(parts)[:400]
    for attr in ("reason", "summary", "explanation", "reasons", "rules"):
        v = getattr(assessment, attr, None) if not isinstance(assessment, dict) else assessment.get(attr)
        if v:
            return "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    return str(assessment)[:300]


def bash_decision(payload: dict, gate: dict) -> dict:
    command = (payload.get("tool_input") or {}).get("command")
    if not isinstance(command, str) or not command.strip() or gate.get("overridden"):
        return {}
    try:
        from mcp_server.analysis import danger_screen

        if danger_screen.gate_cleared(command):
            return {}  # the classifier would find nothing this gate denies
    except Exception as exc:  # noqa: BLE001 - a broken screen only costs time: the classifier decides
        note(f"the danger screen failed ({exc.__class__.__name__}: {exc}); asking the classifier")
    danger = load_danger()
    if danger is None:
        return {}
    cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else gate.get("project_dir")
    try:
        assessment = danger.classify(command, list(gate.get("targets") or []), cwd)
        destroys = danger.destroys_process_or_evidence(assessment)
    except Exception as exc:  # noqa: BLE001
        note(f"the danger classifier failed on this command ({exc.__class__.__name__}: {exc}); allowing")
        return {}
    if not destroys:
        return {}
    return _runtime.deny(
        f"rca: {gate.get('id')} is open and this command would destroy a process or evidence the investigation "
        f"needs ({describe(assessment)}). Gather and record the evidence first (rca_status), or ask the user; "
        f"{OVERRIDE_HOW}."
    )


def handle(payload: dict) -> dict:
    tool = payload.get("tool_name")
    if tool not in EDIT_TOOLS and tool != "Bash":
        return {}
    gate = _runtime.read_gate(_runtime.project_of(payload))
    if not gate or not gate.get("open"):
        return {}
    if tool == "Bash":
        return bash_decision(payload, gate)
    if gate.get("edits_allowed"):
        return {}
    tin = payload.get("tool_input") or {}
    path = tin.get("file_path") or tin.get("notebook_path") or ""
    cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
    if isinstance(path, str) and path and _runtime.gatefile.in_report_dir(path, gate, cwd):
        return {}
    return _runtime.deny(edit_reason(gate))


def main() -> None:
    _runtime.run("PreToolUse", handle)
