"""The hook scripts, run as Claude Code runs them, fed the payloads the real CLI sent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.workflow import api, gates, storage
from tests.conftest import ROOT, require

from .conftest import HOOKS, SCRIPTS, copy_without_classifier, load_payloads, payload, run_hook


@pytest.mark.parametrize("version", ["2.1.197", "2.1.330"])
def test_every_captured_payload_passes_silently_without_an_investigation(plugin, version):
    for event, tool, p in load_payloads(version):
        if event not in SCRIPTS:
            continue
        r = plugin.hook(p)
        assert r.returncode == 0 and r.out == {} and r.stderr == "", (event, tool, r)


def open_strategic(plugin, **kw):
    return api.start("tmux server died overnight", targets=["tmux"], **kw)


@pytest.mark.parametrize("tool", ["Edit", "Write"])
def test_edits_are_denied_while_the_root_cause_is_missing(plugin, tool):
    open_strategic(plugin)
    r = plugin.hook(payload("PreToolUse", tool))
    assert r.returncode == 0
    hso = r.out["hookSpecificOutput"]
    assert hso["hookEventName"] == "PreToolUse" and hso["permissionDecision"] == "deny"
    reason = hso["permissionDecisionReason"]
    assert "RCA-001" in reason and "phase scope" in reason and "list_sessions" in reason
    assert "/rca:override" in reason and "root cause" in reason


@pytest.mark.parametrize("tool_input", [
    {"file_path": "docs/rca/RCA-001.md", "content": "# RCA-001\n"},
    {"file_path": "{project}/docs/rca/timeline.md", "content": "x"},
])
def test_writes_into_the_report_folder_stay_allowed(plugin, tool_input):
    open_strategic(plugin)
    p = payload("PreToolUse", "Write")
    p["tool_input"] = {k: v.replace("{project}", str(plugin.project)) for k, v in tool_input.items()}
    p["cwd"] = str(plugin.project)
    r = run_hook("pre_tool_use.py", p, plugin.env)
    assert r.out == {}


def test_report_folder_escape_is_still_denied(plugin):
    open_strategic(plugin)
    p = payload("PreToolUse", "Write")
    p.update(cwd=str(plugin.project), tool_input={"file_path": "docs/rca/../../src/app.py", "content": "x"})
    assert run_hook("pre_tool_use.py", p, plugin.env).out["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_multiedit_and_notebookedit_are_gated_too(plugin):
    open_strategic(plugin)
    base = payload("PreToolUse", "Edit")
    for tool, ti in (("MultiEdit", {"file_path": str(plugin.project / "a.py"), "edits": []}),
                     ("NotebookEdit", {"notebook_path": str(plugin.project / "a.ipynb"), "new_source": "x"})):
        r = run_hook("pre_tool_use.py", dict(base, tool_name=tool, tool_input=ti, cwd=str(plugin.project)), plugin.env)
        assert r.out["hookSpecificOutput"]["permissionDecision"] == "deny", tool


def test_edits_pass_once_the_diagnosis_is_recorded(plugin):
    api.start("pytest keeps failing", mode="tactical")
    assert plugin.hook(payload("PreToolUse", "Edit")).out["hookSpecificOutput"]["permissionDecision"] == "deny"
    api.record("scope", "pytest fails: KeyError")
    api.advance()
    api.record("prescription", "guard the lookup", files=["src/parse.py"])
    assert plugin.hook(payload("PreToolUse", "Edit")).out == {}


def test_ordinary_bash_always_passes_and_a_missing_classifier_is_noted(plugin, tmp_path):
    open_strategic(plugin)
    for cmd in ("git status", "ls -la", "journalctl -u nginx --since '1 hour ago'"):
        p = payload("PreToolUse", "Bash")
        p["tool_input"] = {"command": cmd, "description": "look"}
        r = plugin.hook(p)
        assert r.out == {} and r.returncode == 0
    # an install without the classifier: the command is allowed, and the hook says why
    root = copy_without_classifier(tmp_path / "plugin")
    p = payload("PreToolUse", "Bash")
    p.update(cwd=str(plugin.project), tool_input={"command": "kill -9 4242"})
    r = run_hook("pre_tool_use.py", p, plugin.env, root=root)
    assert r.out == {} and "classifier is not importable" in r.stderr


STAND_IN = '''"""Contract stand-in for mcp_server.analysis.danger (the real one is built by the danger issue):
classify(command, targets, cwd) -> assessment; destroys_process_or_evidence(assessment) -> bool."""
from dataclasses import dataclass, field
import bashlex_marker  # proves the venv pointer's site-packages are on sys.path

@dataclass
class Assessment:
    command: str
    reasons: list = field(default_factory=list)

def classify(command, targets, cwd):
    a = Assessment(command)
    if command.startswith(("kill ", "pkill ", "rm -rf ", "tmux kill-server", "journalctl --vacuum")):  # stand-in rules
        a.reasons.append("destroys a process or evidence: " + command.split()[0])
    return a

def destroys_process_or_evidence(a):
    return bool(a.reasons)
'''


REAL_CLASSIFIER = (ROOT / "mcp_server" / "analysis" / "danger").is_dir() or \
    (ROOT / "mcp_server" / "analysis" / "danger.py").exists()


@pytest.fixture
def plugin_with_classifier(plugin, tmp_path):
    """The plugin with its danger classifier reachable the way the launcher arranges it: the
    pointer `<data>/venvs/current.json` names the site-packages holding bashlex. Before the danger
    classifier is merged, a copy of the plugin gets a stand-in honouring its announced interface."""
    (plugin.data / "venvs").mkdir(parents=True)
    if REAL_CLASSIFIER:
        import importlib.util

        spec = importlib.util.find_spec("bashlex")
        require(spec is not None and spec.origin is not None, "bashlex (the classifier's parser) is installed")
        site = Path(spec.origin).parent.parent
        root = ROOT
    else:
        root = copy_without_classifier(tmp_path / "plugin")
        (root / "mcp_server" / "analysis" / "danger.py").write_text(STAND_IN)
        site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
        site.mkdir(parents=True)
        (site / "bashlex_marker.py").write_text("")
    (plugin.data / "venvs" / "current.json").write_text(json.dumps({"site_packages": [str(site)]}))
    return root


def test_evidence_destroying_bash_is_denied_only_during_an_investigation(plugin, plugin_with_classifier):
    root = plugin_with_classifier

    def bash(cmd):
        p = payload("PreToolUse", "Bash")
        p.update(cwd=str(plugin.project), tool_input={"command": cmd})
        return run_hook("pre_tool_use.py", p, plugin.env, root=root)

    assert bash("kill -9 4242").out == {}  # nothing open: never classified
    open_strategic(plugin)
    r = bash("kill -9 4242")
    assert r.out["hookSpecificOutput"]["permissionDecision"] == "deny", r.stderr
    assert "destroy" in r.out["hookSpecificOutput"]["permissionDecisionReason"]
    assert bash("rm -rf /var/log/journal").out["hookSpecificOutput"]["permissionDecision"] == "deny"
    for ordinary in ("git status", "tmux ls", "ls -la /var/log", "echo 'kill -9 4242' >> notes.txt",
                     "journalctl -u nginx --since '1 hour ago'"):
        assert bash(ordinary).out == {}, ordinary


def failing_pytest_payload(plugin, event="PostToolUseFailure"):
    (plugin.project / "test_calc.py").write_text(
        "def add(a, b):\n    return a - b\n\n\ndef test_add():\n    assert add(2, 2) == 4\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_calc.py"],
                         cwd=plugin.project, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    p = payload("PostToolUseFailure", "Bash")
    p.update(tool_input={"command": "python -m pytest test_calc.py", "description": "run tests"},
             error=f"Exit code 1\n{run.stdout}", tool_use_id=f"toolu_{len(run.stdout)}")
    return p


def edit_payload(plugin):
    return payload("PostToolUse", "Edit")


def test_non_converging_fixes_warn_then_open_a_tactical_investigation(plugin):
    fail = failing_pytest_payload(plugin)
    r1 = plugin.hook(fail)
    assert r1.out == {}
    again = plugin.hook(fail)  # re-running without an edit is not another failed fix
    assert again.out == {}
    assert plugin.hook(edit_payload(plugin)).out == {}
    r2 = plugin.hook(fail)
    ctx = r2.out["hookSpecificOutput"]
    assert ctx["hookEventName"] == "PostToolUseFailure" and "same test failure" in ctx["additionalContext"]
    assert "test_calc.py::test_add | AssertionError" in ctx["additionalContext"]
    assert plugin.gate() is None  # nothing opened yet
    plugin.hook(edit_payload(plugin))
    r3 = plugin.hook(fail)
    text = r3.out["hookSpecificOutput"]["additionalContext"]
    assert "Tactical investigation RCA-001 is now open" in text and "diagnose" in text
    gate = plugin.gate()
    assert gate["open"] and gate["mode"] == "tactical" and gate["phase"] == "investigate"
    # the hook's stdlib gate is what the workflow layer computes for the same record
    inv = storage.load_active(str(plugin.project))
    assert gate["missing"] == gates.missing(inv) and gate["edits_allowed"] == gates.edits_allowed(inv)
    assert [e.tool for e in inv.ledger] == ["test_run"] * 3 and len(inv.evidence) == 3
    assert inv.findings[0].kind == "scope" and inv.trigger["count"] == 3
    # the next edit is denied, and the model can cite the recorded runs
    deny = plugin.hook(payload("PreToolUse", "Edit"))
    assert deny.out["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "tactical" in deny.out["hookSpecificOutput"]["permissionDecisionReason"]
    eid = inv.ledger[-1].evidence_ids[0]
    st = api.record("hypothesis", "add() subtracts", [eid], confidence=0.9).status
    assert st.phase == "investigate"
    # 4 and 5: still failing after edits -> the user is told
    plugin.hook(edit_payload(plugin))
    plugin.hook(fail)
    plugin.hook(edit_payload(plugin))
    r5 = plugin.hook(fail)
    assert "not converging" in r5.out["systemMessage"]
    assert len(storage.load_active(str(plugin.project)).ledger) == 5  # runs during the investigation are evidence


def test_after_the_tactical_investigation_closes_the_count_starts_over(plugin):
    fail = failing_pytest_payload(plugin)
    for _ in range(3):
        plugin.hook(fail)
        plugin.hook(edit_payload(plugin))
    assert plugin.gate()["mode"] == "tactical"
    eid = storage.load_active(str(plugin.project)).ledger[-1].evidence_ids[0]
    api.record("hypothesis", "add() subtracts", [eid], confidence=0.9)
    api.advance()
    api.record("prescription", "add instead of subtract", files=["calc.py"])
    api.close("fixed the subtraction")
    r = plugin.hook(fail)  # the same failure once more: a new streak, not a second investigation
    assert r.out == {} and not plugin.gate()["open"]
    assert [i.id for i in storage.list_investigations(str(plugin.project))] == ["RCA-001"]


def test_a_passing_run_resets_the_streak(plugin):
    fail = failing_pytest_payload(plugin)
    plugin.hook(fail)
    plugin.hook(edit_payload(plugin))
    assert "additionalContext" in plugin.hook(fail).out["hookSpecificOutput"]
    ok = payload("PostToolUse", "Bash")
    ok["tool_input"] = {"command": "python -m pytest test_calc.py"}
    ok["tool_response"] = dict(ok["tool_response"], stdout="1 passed in 0.01s")
    assert plugin.hook(ok).out == {}
    plugin.hook(edit_payload(plugin))
    assert plugin.hook(fail).out == {}  # count is back to 1


def test_user_override_lifts_the_gate_and_is_recorded(plugin):
    open_strategic(plugin)
    p = payload("UserPromptSubmit")
    p["prompt"] = "/rca:override production is down, ship the hotfix now"
    r = plugin.hook(p)
    assert "lifted" in r.out["hookSpecificOutput"]["additionalContext"] and "RCA-001" in r.out["systemMessage"]
    inv = storage.load_active(str(plugin.project))
    assert [(o.source, o.text) for o in inv.overrides] == [("user_prompt", "production is down, ship the hotfix now")]
    assert plugin.gate()["overridden"] and plugin.hook(payload("PreToolUse", "Edit")).out == {}
    # the workflow layer's next save keeps it
    api.record("symptom", "all sessions gone")
    assert plugin.gate()["edits_allowed"] and api.status().overridden


def test_ordinary_prompts_and_lookalikes_do_not_override(plugin):
    open_strategic(plugin)
    for text in ("Please run the demo steps", "why would rca override anything?", "/rca tmux died", "rca overrides"):
        p = payload("UserPromptSubmit")
        p["prompt"] = text
        assert plugin.hook(p).out == {}, text
    assert not plugin.gate()["overridden"]


def test_override_without_investigation_says_so(plugin):
    p = payload("UserPromptSubmit")
    p["prompt"] = "/rca:override"
    assert "no investigation is open" in plugin.hook(p).out["hookSpecificOutput"]["additionalContext"]


def test_session_start_prints_one_line_about_the_open_investigation(plugin):
    assert plugin.hook(payload("SessionStart")).out == {}
    open_strategic(plugin)
    r = plugin.hook(payload("SessionStart"))
    line = r.out["hookSpecificOutput"]["additionalContext"]
    assert "\n" not in line and "RCA-001" in line and "phase scope" in line and r.out["systemMessage"] == line


def test_hooks_json_runs_every_script_it_names():
    cfg = json.loads((HOOKS / "hooks.json").read_text())
    for event, groups in cfg["hooks"].items():
        for g in groups:
            for h in g["hooks"]:
                assert h["type"] == "command" and h["timeout"] <= 10
                assert '-I -S "${CLAUDE_PLUGIN_ROOT}/hooks/' in h["command"] and h["command"].endswith("|| true")
                script = h["command"].split("/hooks/")[1].split('"')[0]
                assert (HOOKS / script).is_file(), script
                assert SCRIPTS[event] == script
    assert "Edit|Write|MultiEdit|NotebookEdit" in cfg["hooks"]["PreToolUse"][0]["matcher"]


def test_the_configured_report_folder_is_the_one_left_open(plugin):
    """The gate uses the report tool's own resolution (.claude/rca.json report_dir)."""
    (plugin.project / ".claude").mkdir()
    (plugin.project / ".claude" / "rca.json").write_text('{"report_dir": "docs/postmortems"}')
    open_strategic(plugin)
    p = payload("PreToolUse", "Write")
    p.update(cwd=str(plugin.project), tool_input={"file_path": "docs/postmortems/RCA-001.md", "content": "x"})
    assert run_hook("pre_tool_use.py", p, plugin.env).out == {}
    p["tool_input"] = {"file_path": "docs/rca/RCA-001.md", "content": "x"}
    assert run_hook("pre_tool_use.py", p, plugin.env).out["hookSpecificOutput"]["permissionDecision"] == "deny"
