"""SessionStart hook: one line about this project's open investigation, if any."""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
import _runtime  # noqa: E402


def handle(payload: dict) -> dict:
    gate = _runtime.read_gate(_runtime.project_of(payload))
    if not gate or not gate.get("open"):
        return {}
    if gate.get("edits_allowed"):
        state = "edits allowed" + (" (gate overridden by the user)" if gate.get("overridden") else "")
    else:
        state = "edits blocked until the diagnosis is recorded; /rca:override <reason> lifts that"
    line = (f"rca: investigation {gate.get('id')} ({gate.get('mode')}, phase {gate.get('phase')}) is open in this "
            f"project — {state}. rca_status shows what each gate needs.")
    return _runtime.context("SessionStart", line, system_message=line)


def main() -> None:
    _runtime.run("SessionStart", handle)
