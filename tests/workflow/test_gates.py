"""The phase state machine: every gate refuses until its ledger evidence and findings exist."""

from __future__ import annotations

import json

import pytest

from mcp_server.errors import InputError
from mcp_server.workflow import api, gatefile, gates, storage
from mcp_server.workflow.state import Override

from .helpers import EIGHT, call, event


def ledger_call(project, tool, result, arguments=None):
    with storage.transaction(str(project)) as inv:
        call(inv, tool, result, arguments)


def unmet(status, phase):
    gate = next(g for g in status.gates if g.phase == phase)
    return [r.name for r in gate.requirements if not r.met]


def gate_file(project):
    return json.loads(open(gatefile.gate_path(gatefile.resolve(str(project)))).read())


def test_strategic_walk_through_every_gate(env):
    proj = env
    (proj / "src").mkdir()
    (proj / "src" / "server.py").write_text("import os\n\ndef serve():\n    os._exit(1)\n")
    st = api.start("tmux server died overnight", targets=["tmux"], start="2026-11-20T02:00:00Z",
                   end="2026-11-20T04:00:00Z")
    assert st.id == "RCA-001" and st.phase == "scope" and not st.edits_allowed
    assert unmet(st, "scope") == ["sessions_listed"]
    assert gate_file(proj)["edits_allowed"] is False

    # a gate that does not hold: nothing moves, the result says what is missing
    r = api.advance()
    assert not r.advanced and r.status.phase == "scope"
    assert any("list_sessions" in m for m in r.status.missing)

    ledger_call(proj, "list_sessions", {"sessions": [{"evidence_id": "ev-s1", "message": "session 0a1b", "source":
                                                      "claude_transcripts"}], "total": 1})
    assert api.advance().advanced
    st = api.status()
    assert st.phase == "system_evidence" and unmet(st, "system_evidence") == ["categories"]

    # seven categories are not eight
    ledger_call(proj, "collect_evidence", {"categories": [{"name": c, "status": "found"} for c in EIGHT[:7]]})
    assert not api.advance().advanced
    ledger_call(proj, "collect_evidence", {
        "categories": {EIGHT[7]: {"status": "not_found"}},
        "events": [event("ev-oom", "Out of memory: Killed process 4242 (tmux: server)", "kernel")],
    })
    assert api.advance().advanced

    st = api.status()
    assert st.phase == "session_forensics"
    assert set(unmet(st, "session_forensics")) == {"extracted", "flagged", "last_command"}
    ledger_call(proj, "extract_session_commands", {"commands": [event("ev-c1", "tmux kill-server", "claude_transcripts")]})
    ledger_call(proj, "flag_dangerous", {"flagged": [event("ev-c1", "tmux kill-server", "claude_transcripts")]})
    ledger_call(proj, "last_commands_before", {"commands": [event("ev-c1", "tmux kill-server", "claude_transcripts")]})
    assert not api.advance().advanced  # the last command must be recorded as a finding
    api.record("last_command", "tmux kill-server ran at 03:09:58", ["ev-c1"])
    assert api.advance().advanced

    assert api.status().phase == "code_path"
    with pytest.raises(InputError, match="does not exist"):
        api.record("code_path", "exit in serve()", file_line="src/nope.py:3")
    with pytest.raises(InputError, match="only 4 lines"):
        api.record("code_path", "exit in serve()", file_line="src/server.py:40")
    f = api.record("code_path", "serve() exits the process", file_line=str(proj / "src" / "server.py") + ":4")
    assert f.finding.file_line == "src/server.py:4"
    assert api.advance().advanced

    st = api.status()
    assert st.phase == "root_cause"
    assert set(unmet(st, "root_cause")) == {"chain", "root_cause", "symptoms", "ruled_out", "unknowns", "verdict"}
    assert not st.edits_allowed
    api.record("chain_link", "the agent ran tmux kill-server", ["ev-c1"], order=1)
    api.record("chain_link", "the tmux server exited", ["ev-c1"], order=2)
    api.record("root_cause", "an agent command killed the server", ["ev-c1"])
    api.record("symptom", "all tmux sessions gone in the morning")
    api.record("ruled_out", "OOM killer: the OOM kill hit another pid", ["ev-oom"])
    api.record("unknown", "why the agent chose to kill the server")
    api.record("verdict", "confirmed by the transcript", verdict="CONFIRMED")
    r = api.advance()
    assert r.advanced and r.completed_phase == "root_cause"
    assert r.status.phase == "report" and r.status.edits_allowed
    assert gate_file(proj)["edits_allowed"] is True and gate_file(proj)["missing"] == []

    # report: needs the report written by rca_report (found in the report folder by its id)
    assert not api.advance().advanced
    from mcp_server.workflow import report

    written = report.report_for_project(str(proj))
    assert written.markdown_path.startswith(str(proj / "docs" / "rca" / "RCA-001-"))
    r = api.advance()
    assert r.advanced and r.status.status == "closed", r.status.missing
    assert storage.load(str(proj), "RCA-001").report_path == written.markdown_path
    assert gate_file(proj)["open"] is False
    assert storage.load_active(str(proj)) is None


def test_uncited_or_foreign_evidence_is_refused(env):
    api.start("dev server died", start="1h ago")
    with pytest.raises(InputError, match="not in this investigation's ledger"):
        api.record("root_cause", "it was the OOM killer", ["ev-0123456789abcdef"])
    with pytest.raises(InputError, match="must cite evidence"):
        api.record("chain_link", "something happened")
    with pytest.raises(InputError, match="confidence"):
        ledger_call(env, "log_show", {"events": [event("ev-l1", "segfault at 0")]})
        api.record("hypothesis", "a segfault", ["ev-l1"])
    assert api.record("hypothesis", "a segfault", ["ev-l1"], confidence=0.6).finding.status == "proposed"


def test_session_forensics_not_applicable_needs_the_sessions_listed(env):
    api.start("nginx died", start="1h ago", targets=["nginx"])
    ledger_call(env, "list_sessions", {"sessions": [], "total": 0})
    assert api.advance().advanced
    ledger_call(env, "collect_evidence", {"categories": {c: "not_found" for c in EIGHT}})
    assert api.advance().advanced
    api.record("not_applicable", "no Claude Code session was active in the window", applies_to="session_forensics")
    r = api.advance()
    assert r.advanced and r.status.phase == "code_path"
    api.record("not_applicable", "no code of ours involved: nginx is a system package", applies_to="code_path")
    assert api.advance().advanced


def test_tactical_gates_and_prescription_unblock_edits(env):
    st = api.start("pytest keeps failing in test_parse", mode="tactical")
    assert st.phase == "scope" and unmet(st, "scope") == ["failure"]
    api.record("scope", "pytest tests/test_parse.py fails: KeyError 'time'")
    assert api.advance().advanced
    ledger_call(env, "test_run", {"runs": [event("ev-t1", "FAILED tests/test_parse.py::test_time - KeyError")]})
    st = api.status()
    assert st.phase == "investigate" and not st.edits_allowed
    assert st.missing[0].startswith("investigate:") and st.missing[-1] == "then: prescription"
    api.record("hypothesis", "the parser drops the time key for naive timestamps", ["ev-t1"], confidence=0.7)
    assert api.advance().advanced
    with pytest.raises(InputError, match="files"):
        api.record("prescription", "convert naive timestamps to UTC before the lookup")
    st = api.record("prescription", "convert naive timestamps to UTC before the lookup",
                    files=["src/parse.py"]).status
    assert st.edits_allowed and gate_file(env)["edits_allowed"] is True
    r = api.advance()
    assert r.advanced and r.status.status == "closed"


def user_override(project, text="stop this one"):
    """What the UserPromptSubmit hook does for /rca:override."""
    with storage.transaction(str(project)) as inv:
        inv.overrides.append(Override(time=storage.now(), source="user_prompt", text=text))


def test_one_open_investigation_per_project_and_ids_count_up(env):
    api.start("first")
    with pytest.raises(InputError, match="still open"):
        api.start("second")
    with pytest.raises(InputError, match="cannot be closed before its diagnosis"):
        api.close("the model would like to edit now")
    user_override(env)
    api.close("duplicate")
    assert api.start("second").id == "RCA-002"
    assert [i.id for i in storage.list_investigations(str(env))] == ["RCA-001", "RCA-002"]


def test_override_lifts_edits_but_not_the_phase(env):
    api.start("db died")
    with storage.transaction(str(env)) as inv:
        inv.overrides.append(Override(time=storage.now(), source="user_prompt", text="ship the hotfix"))
    st = api.status()
    assert st.overridden and st.edits_allowed and st.phase == "scope"
    g = gate_file(env)
    assert g["overridden"] and g["edits_allowed"] and g["open"]


def test_missing_lists_the_remaining_phases_in_order(env):
    api.start("x", start="1h ago", targets=["x"])
    inv = storage.load_active(str(env))
    m = gates.missing(inv)
    assert m[-1] == "then: system_evidence → session_forensics → code_path → root_cause"
