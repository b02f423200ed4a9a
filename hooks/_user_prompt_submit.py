"""UserPromptSubmit hook: the user's override of the edit gate.

Typing `/rca:override <reason>` (the plugin command; Claude Code hands this hook the prompt as
typed) — or a prompt starting with `rca override: <reason>` — lifts the gate of the open
investigation: edits and evidence-destroying commands are allowed again, the investigation stays
open, and the override (time, text) is recorded in it. Only a prompt typed by the user reaches
this hook, so the model cannot override its own gate.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
import _runtime  # noqa: E402
from _runtime import LOCK_WAIT, gatefile  # noqa: E402

COMMANDS = ("/rca:override", "rca override:", "rca override")


def parse_override(prompt: object) -> str | None:
    """The reason of an override prompt ('' when none was given), or None when this is not one."""
    if not isinstance(prompt, str):
        return None
    text = prompt.strip()
    low = text.lower()
    for c in COMMANDS:
        if low == c or low.startswith(c + " ") or low.startswith(c + "\n") or (c.endswith(":") and low.startswith(c)):
            return text[len(c):].strip()
    return None


def handle(payload: dict) -> dict:
    reason = parse_override(payload.get("prompt"))
    if reason is None:
        return {}
    event = "UserPromptSubmit"
    project = _runtime.project_of(payload)
    with gatefile.ProjectLock(project, timeout=LOCK_WAIT):
        gate = _runtime.read_gate(project)
        if not gate or not gate.get("open"):
            return _runtime.context(event, "rca: the user asked to override the RCA gate, but no investigation is "
                                           "open in this project: nothing is blocked.")
        inv = gatefile.read_investigation(project, str(gate["id"]))
        if inv is None:
            raise ValueError(f"the gate names {gate['id']} but its record is missing")
        inv.setdefault("overrides", []).append(
            {"time": gatefile.now_iso(), "source": "user_prompt", "text": reason or "(no reason given)"})
        inv["updated"] = gatefile.now_iso()
        gatefile.write_investigation(project, inv)
        gate.update(overridden=True, edits_allowed=True, updated=gatefile.now_iso())
        gatefile.write_gate(project, gate)
    return _runtime.context(
        event,
        f"rca: the user lifted the RCA gate for {gate['id']} (reason: {reason or 'none given'}). Edits are allowed "
        f"again; the investigation stays open in phase {gate.get('phase')} and the override is recorded in it. "
        "Do what the user asks; keep recording what you learn with rca_record.",
        system_message=f"rca: gate lifted for {gate['id']} — override recorded.",
    )


def main() -> None:
    _runtime.run("UserPromptSubmit", handle)
