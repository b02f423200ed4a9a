"""End to end with the real Claude Code CLI: the workflow's gates and hooks as a user meets them.

(a) the model opens an investigation, an Edit is denied with our reason; evidence is gathered,
    every gate passed with ledger-backed findings, the root cause recorded → the Edit succeeds;
(b) three failing pytest runs with edits in between → a tactical investigation opens and the next
    Edit is denied;
(c) the user's `/rca:override <reason>` lifts the gate and is recorded.

Every ledger entry comes from the real tools through the real server: `collect_evidence` over a
syslog file in the project, `list_sessions`, `extract_session_commands`, `last_commands_before`
over the run's own transcript, and `flag_dangerous`. The script cites evidence ids the first
`claude -p` session gathered in a second session of the same project, which also shows the
SessionStart line about the open investigation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.workflow import gatefile, storage

from .harness import FORENSICS, Scenario, run_scenario, text, tool_use

pytestmark = pytest.mark.e2e

EDIT_TOOLS = ("mcp__plugin_rca_forensics", "Read", "Edit", "Write")


@pytest.fixture
def session(claude_bin, server_venvs, tmp_path):
    """`session(scenario)`: one `claude -p` run; later calls continue in the same HOME and project."""
    runs = []

    def go(scenario: Scenario):
        res = run_scenario(scenario, tmp_path, shared_venvs=None if runs else server_venvs, claude=claude_bin)
        runs.append(res)
        return res

    return go


class StateOf:
    """The workflow state of a finished run's project, read with the workflow layer itself."""

    def __init__(self, result):
        self.result = result
        self.env = {"CLAUDE_PLUGIN_DATA": str(result.plugin_data_dir), "CLAUDE_PROJECT_DIR": str(result.project_dir)}

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        return self

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def active(self):
        return storage.load_active(str(self.result.project_dir))

    def gate(self):
        return gatefile.read_gate(gatefile.resolve(str(self.result.project_dir)))


def denied(call) -> bool:
    return call.is_error and "rca:" in call.text


SYSLOG = """\
2026-11-20T03:09:41.204311+00:00 devbox systemd[1]: Started devserver.service - Dev server (node).
2026-11-20T03:09:58.517730+00:00 devbox kernel: [86012.551203] node invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0
2026-11-20T03:09:58.518022+00:00 devbox kernel: [86012.551872] Out of memory: Killed process 4242 (node) total-vm:8123456kB, anon-rss:7340032kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:14800kB oom_score_adj:0
2026-11-20T03:10:02.011937+00:00 devbox systemd[1]: devserver.service: Main process exited, code=killed, status=9/KILL
2026-11-20T03:10:02.012214+00:00 devbox systemd[1]: devserver.service: Failed with result 'oom-kill'.
"""
SERVER = "const cache = [];\nfunction handle(req) {\n  cache.push(req.body);  // v1: never evicted\n}\n"
WINDOW = {"start": "2026-11-20T02:00:00Z", "end": "2026-11-20T04:00:00Z"}


def test_a_edit_waits_for_the_root_cause(session, tmp_path):
    project = str(tmp_path / "project")
    first = session(Scenario(
        prompt="/rca my dev server died at 03:10 last night",
        files={"src/server.js": SERVER, "logs/syslog": SYSLOG}, allowed_tools=EDIT_TOOLS,
        turns=[
            tool_use(FORENSICS + "rca_start", {"incident": "dev server died at 03:10", "targets": ["node", "devserver"],
                                               **WINDOW}),
            tool_use("Read", {"file_path": f"{project}/src/server.js"}),
            tool_use("Edit", {"file_path": f"{project}/src/server.js", "old_string": "// v1", "new_string": "// fixed"}),
            tool_use(FORENSICS + "evidence_sources", {}),
            tool_use(FORENSICS + "collect_evidence", {**WINDOW, "targets": ["node", "devserver"],
                                                      "paths": [f"{project}/logs/syslog"], "source": "file"}),
            tool_use(FORENSICS + "list_sessions", {}),
            tool_use(FORENSICS + "extract_session_commands", {"tools": "all"}),
            tool_use(FORENSICS + "last_commands_before", {"time": "0m ago", "project_dir": project}),
            tool_use(FORENSICS + "flag_dangerous", {"commands": ["node src/server.js", "kill -9 4242"],
                                                    "targets": ["node"]}),
            text("Evidence first."),
        ],
    ))
    assert first.returncode == 0, first.explain()
    # `/rca <what happened>` is the plugin skill rca (Claude Code 2.1.197 resolves it to /rca:rca)
    seen = json.dumps(first.main_requests[0].body)
    assert "<command-name>/rca:rca</command-name>" in seen and "The iron law" in seen, seen[:2000]
    start = first.tool_call(FORENSICS + "rca_start")
    assert not start.is_error and start.json()["id"] == "RCA-001", first.explain()
    edit = first.tool_call("Edit")
    assert denied(edit), first.explain()
    assert "RCA-001" in edit.text and "phase scope" in edit.text and "/rca:override" in edit.text
    assert "// v1" in (first.project_dir / "src" / "server.js").read_text()
    sweep = first.tool_call(FORENSICS + "collect_evidence")
    assert not sweep.is_error, first.explain()

    with StateOf(first) as st:
        inv = st.active()
        # the MCP server (which created RCA-001) and the hooks (which denied with its id) share one folder
        assert inv.id == "RCA-001" and st.gate()["id"] == "RCA-001"
        # recorded by the server itself: the calls, their evidence ids and the eight categories
        assert [e.tool for e in inv.ledger] == ["evidence_sources", "collect_evidence", "list_sessions",
                                                "extract_session_commands", "last_commands_before",
                                                "flag_dangerous"], first.explain()
        assert all(e.error is None for e in inv.ledger), [e.error for e in inv.ledger]
        swept = inv.ledger[1]
        assert swept.categories["memory_pressure"] == "found" and swept.categories["power"] == "not_found"
        assert len(swept.categories) == 8
        oom = next(e for e, ref in inv.evidence.items() if "Out of memory: Killed process 4242" in ref.summary)
        killed = next(e for e, ref in inv.evidence.items() if "status=9/KILL" in ref.summary)
        # this session's own commands, found by the real session tools: the denied Edit among them
        last = inv.ledger[4]
        assert last.evidence_ids, last
        edit_ids = [e for e in last.evidence_ids if "server.js" in inv.evidence[e].summary]
        cmd_id = (edit_ids or last.evidence_ids)[-1]

    steps = [
        tool_use(FORENSICS + "rca_advance", {}),  # scope
        tool_use(FORENSICS + "rca_advance", {}),  # system_evidence
        tool_use(FORENSICS + "rca_record", {"kind": "last_command", "text": "the last call before the failure",
                                            "evidence_ids": [cmd_id]}),
        tool_use(FORENSICS + "rca_advance", {}),  # session_forensics
        tool_use(FORENSICS + "rca_record", {"kind": "code_path", "text": "the request cache is never evicted",
                                            "file_line": "src/server.js:3"}),
        tool_use(FORENSICS + "rca_advance", {}),  # code_path
        tool_use("Read", {"file_path": f"{project}/src/server.js"}),
        tool_use("Edit", {"file_path": f"{project}/src/server.js", "old_string": "// v1", "new_string": "// fixed"}),
        tool_use(FORENSICS + "rca_record", {"kind": "chain_link", "text": "the OOM killer killed node (pid 4242)",
                                            "evidence_ids": [oom], "order": 1}),
        tool_use(FORENSICS + "rca_record", {"kind": "chain_link", "text": "systemd saw devserver killed by SIGKILL",
                                            "evidence_ids": [killed], "order": 2}),
        tool_use(FORENSICS + "rca_record", {"kind": "root_cause", "text": "an unbounded request cache exhausted memory",
                                            "evidence_ids": [oom]}),
        tool_use(FORENSICS + "rca_record", {"kind": "symptom", "text": "the dev server was gone at 03:10"}),
        tool_use(FORENSICS + "rca_record", {"kind": "ruled_out", "text": "no kill command in the agent session",
                                            "evidence_ids": [cmd_id]}),
        tool_use(FORENSICS + "rca_record", {"kind": "unknown", "text": "which requests filled the cache"}),
        tool_use(FORENSICS + "rca_record", {"kind": "verdict", "text": "kernel and systemd agree",
                                            "verdict": "CONFIRMED"}),
        tool_use(FORENSICS + "rca_advance", {}),  # root_cause
        tool_use("Edit", {"file_path": f"{project}/src/server.js", "old_string": "// v1", "new_string": "// fixed"}),
        text("Fixed after the diagnosis."),
    ]
    second = session(Scenario(prompt="continue the investigation", allowed_tools=EDIT_TOOLS, turns=steps))
    assert second.returncode == 0, second.explain()
    advances = second.tool_calls(FORENSICS + "rca_advance")
    assert [a.json()["advanced"] for a in advances] == [True] * 5, second.explain()
    assert [a.json()["completed_phase"] for a in advances] == [
        "scope", "system_evidence", "session_forensics", "code_path", "root_cause"]
    assert not any(c.is_error for c in second.tool_calls(FORENSICS + "rca_record")), second.explain()
    edits = second.tool_calls("Edit")
    assert denied(edits[0]) and "phase root_cause" in edits[0].text, second.explain()
    assert not edits[1].is_error, second.explain()
    assert "// fixed" in (second.project_dir / "src" / "server.js").read_text()
    # the second session was told about the open investigation when it started
    starts = [a for a in second.hook_attachments("SessionStart") if "RCA-001" in json.dumps(a)]
    assert starts, second.hook_attachments()


def _fill(reply, project: str):
    """Replace {project} in a scripted tool input (the project folder is known only after run 1)."""
    from .fake_api import Block, Reply

    blocks = []
    for b in reply.blocks:
        if b.type == "tool_use":
            b = Block("tool_use", name=b.name, id=b.id,
                      input=json.loads(json.dumps(b.input).replace("{project}", project)))
        blocks.append(b)
    return Reply(tuple(blocks))


CALC = "def add(a, b):\n    return a - b  # v1\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n"


def test_b_three_failing_fixes_open_a_tactical_investigation(session, tmp_path):
    project = str(tmp_path / "project")
    pytest_cmd = f"{sys.executable} -m pytest -p no:cacheprovider -q test_calc.py"
    bash = tool_use("Bash", {"command": pytest_cmd, "description": "run the tests"})

    def edit(old, new):
        return tool_use("Edit", {"file_path": f"{project}/calc.py", "old_string": old, "new_string": new})

    res = session(Scenario(
        prompt="make the tests pass",
        files={"calc.py": CALC, "test_calc.py": TEST},
        allowed_tools=EDIT_TOOLS + ("Bash",),
        turns=[
            tool_use("Bash", {"command": pytest_cmd, "description": "run the tests"}),
            tool_use("Read", {"file_path": f"{project}/calc.py"}),
            edit("# v1", "# v2"),
            tool_use("Bash", {"command": pytest_cmd, "description": "run the tests"}),
            edit("# v2", "# v3"),
            bash,
            edit("# v3", "# v4"),
            text("Stopping to diagnose."),
        ],
    ))
    assert res.returncode == 0, res.explain()
    runs = res.tool_calls("Bash")
    assert len(runs) == 3 and all(r.is_error and "1 failed" in r.text for r in runs), res.explain()
    edits = res.tool_calls("Edit")
    assert [denied(e) for e in edits] == [False, False, True], res.explain()
    assert "tactical" in edits[-1].text and "prescription" in edits[-1].text
    assert "# v3" in (res.project_dir / "calc.py").read_text()
    # what the model was told after runs 2 and 3 (PostToolUseFailure additionalContext)
    told = json.dumps([r.body for r in res.main_requests])
    assert "same test failure" in told and "Tactical investigation RCA-001 is now open" in told
    assert "diagnose" in told
    with StateOf(res) as st:
        inv = st.active()
        assert inv.mode == "tactical" and inv.phase == "investigate"
        assert inv.trigger["signature"] == "test_calc.py::test_add | AssertionError"
        assert [e.tool for e in inv.ledger] == ["test_run"] * 3


def test_c_user_override_lifts_the_gate(session, tmp_path):
    project = str(tmp_path / "project")
    victim = subprocess.Popen(["sleep", "300"], start_new_session=True)  # the process under investigation
    try:
        first = session(Scenario(
            prompt="the api server crashed",
            files={"app.py": "VERSION = 1\n"}, allowed_tools=EDIT_TOOLS + ("Bash",),
            turns=[tool_use(FORENSICS + "rca_start", {"incident": "api server crashed", "targets": ["sleep"]}),
                   _fill(tool_use("Write", {"file_path": "{project}/hotfix.py", "content": "print('hotfix')\n"}),
                         project),
                   tool_use("Bash", {"command": f"kill -9 {victim.pid}", "description": "restart it"}),
                   tool_use("Bash", {"command": "git status --short || true", "description": "look"}),
                   text("Investigating first.")],
        ))
        assert first.returncode == 0, first.explain()
        assert denied(first.tool_call("Write")), first.explain()
        assert not Path(project, "hotfix.py").exists()
        kill, look = first.tool_calls("Bash")
        # the real danger classifier, run in-process by the hook; bashlex comes from the plugin's venv,
        # which the launcher's pointer names
        pointer = json.loads((first.plugin_data_dir / "venvs" / "current.json").read_text())
        assert pointer["site_packages"] and all(Path(p).is_dir() for p in pointer["site_packages"])
        assert denied(kill) and "destroy" in kill.text and "kill -9" in kill.text, first.explain()
        assert victim.poll() is None, "the hook let the kill through"
        assert not look.is_error or "rca:" not in look.text, first.explain()
    finally:
        victim.kill()
        victim.wait()
    second = session(Scenario(
        prompt="/rca:override production is down, ship the hotfix now",
        allowed_tools=EDIT_TOOLS,
        turns=[_fill(tool_use("Write", {"file_path": "{project}/hotfix.py", "content": "print('hotfix')\n"}),
                     project),
               text("Hotfix written.")],
    ))
    assert second.returncode == 0, second.explain()
    assert not second.tool_call("Write").is_error, second.explain()
    assert Path(project, "hotfix.py").read_text() == "print('hotfix')\n"
    with StateOf(second) as st:
        inv = st.active()
        assert [(o.source, o.text) for o in inv.overrides] == [
            ("user_prompt", "production is down, ship the hotfix now")]
        assert st.gate()["overridden"] and inv.status == "open"
