"""PostToolUse and PostToolUseFailure hook: notice fixes that do not converge.

- Bash: when the command ran a test suite, note whether it failed and its failure signature
  (first failing test, error type). The same failure coming back after edits counts up: at 2 a
  warning goes to the model (additionalContext), at 3 a tactical investigation opens (edits are
  then blocked until a prescription is recorded; the model is told to use the diagnose skill),
  at 5 the user is told (systemMessage) that the fixes are not converging. While an
  investigation is open, every test run is also written to its ledger as evidence.
- Edit | Write | MultiEdit | NotebookEdit: count an edit toward the running streak.

With no test command and no streak running this reads at most one small file and prints `{}`.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
import _runtime  # noqa: E402
from _runtime import EDIT_TOOLS, LOCK_WAIT, OVERRIDE_HOW, gatefile  # noqa: E402


def on_edit(payload: dict) -> dict:
    project = _runtime.project_of(payload)
    if not os.path.exists(gatefile.streak_path(project)):
        return {}
    from mcp_server.workflow import testruns

    if not testruns.load_streak(project)["count"]:
        return {}
    with gatefile.ProjectLock(project, timeout=LOCK_WAIT):
        testruns.note_edit(project)
    return {}


def on_bash(payload: dict, event: str) -> dict:
    command = (payload.get("tool_input") or {}).get("command")
    from mcp_server.workflow import testruns

    if not testruns.is_test_command(command) or payload.get("is_interrupt"):
        return {}
    failed, code, output = testruns.outcome(payload)
    sig = testruns.signature(output) if failed else None
    run = testruns.run_record(payload, failed, code, output, sig)
    project = _runtime.project_of(payload)
    opened = None
    with gatefile.ProjectLock(project, timeout=LOCK_WAIT):
        gate = _runtime.read_gate(project)
        open_id = gate.get("id") if gate and gate.get("open") else None
        streak = testruns.update_streak(project, failed, sig, run, open_id)
        if open_id:
            testruns.record_in_open(project, gate, run)
        elif failed and streak["count"] >= testruns.OPEN_AT:
            opened = testruns.open_tactical(project, streak)
    if not failed:
        return {}
    n = streak["count"]
    if opened is not None:
        return _runtime.context(event, (
            f"rca: the same failure has come back {n} times after edits ({sig}). Tactical investigation "
            f"{opened['id']} is now open and edits are blocked until a prescription is recorded. Stop changing code: "
            "use the diagnose skill (rca:diagnose) — form a hypothesis citing the recorded test runs "
            f"(evidence ids {', '.join(r['evidence_id'] for r in streak['runs'][-3:])}), then record the "
            f"prescription with rca_record. {OVERRIDE_HOW}."
        ), system_message=(
            f"rca: {opened['id']} opened — the same test failure came back {n} times; edits wait for a diagnosis "
            f"(/rca:override <reason> lifts this)."
        ) if n >= testruns.TELL_USER_AT else None)
    if n >= testruns.TELL_USER_AT:
        return _runtime.context(event, (
            f"rca: {n} fixes in a row have failed the same way ({sig}). Stop and diagnose before the next edit."
        ), system_message=f"rca: fixes are not converging — the same test failure came back {n} times after edits "
                          f"({sig}).")
    if n >= testruns.OPEN_AT and gate and gate.get("open"):
        return _runtime.context(event, (
            f"rca: failure {n} in a row with the same signature ({sig}); {gate.get('id')} is open "
            f"(phase {gate.get('phase')}): finish the diagnosis (rca_status) before another fix."
        ))
    if n >= testruns.WARN_AT:
        return _runtime.context(event, (
            f"rca: this is the same test failure as the previous run, after an edit ({sig}); {n} in a row. "
            f"Before changing code again, find out why: read the full error, check the assumption the last fix "
            f"made. At {testruns.OPEN_AT} a tactical investigation opens and edits wait for a diagnosis."
        ))
    return {}


def handle(payload: dict) -> dict:
    tool = payload.get("tool_name")
    event = payload.get("hook_event_name") or "PostToolUse"
    if event not in ("PostToolUse", "PostToolUseFailure"):
        event = "PostToolUse"
    if tool == "Bash":
        return on_bash(payload, event)
    if tool in EDIT_TOOLS and event == "PostToolUse":
        return on_edit(payload)
    return {}


def main() -> None:
    _runtime.run("PostToolUse", handle)
