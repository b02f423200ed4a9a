"""End to end: a real `claude` run whose subagent kills a real tmux server; the transcripts Claude Code
wrote name that command as the last one before the server's death (observed by the test)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from mcp_server.sources import claude_transcripts as ct
from mcp_server.sources import shell_history as sh
from tests.conftest import require_program

from .tmux_incident import run_incident, write_bundle

pytestmark = pytest.mark.e2e


def test_the_command_that_killed_tmux_is_the_last_one_before_its_death(run, tmp_path, monkeypatch):
    require_program("tmux")
    require_program("bash")
    inc = run_incident(run, tmp_path, monkeypatch)
    res = inc.result
    assert res.returncode == 0, res.explain()
    assert inc.died_at is not None, "the tmux server did not die during the run\n" + res.explain()

    # across every session Claude Code wrote (main + subagent transcripts), as the tool would look
    projects = str(res.config_dir / "projects")
    last = ct.last_commands_before(inc.died_at, n=5, paths=[projects])
    assert last.commands, res.explain()
    killer = last.commands[-1]
    assert killer.command == inc.kill_command
    assert killer.agent != "main" and killer.agent_type == "general-purpose"
    assert killer.outcome == "ok" and killer.session == res.session_id
    assert killer.time <= inc.died_at
    assert inc.died_at - killer.time < timedelta(seconds=30)
    before = [c.command for c in last.commands]
    assert any("list-sessions" in c for c in before[:-1])
    # the main agent's Agent call that started the subagent is there too, still running when tmux died
    agent_call = next(c for c in last.commands if c.tool == "Agent")
    assert agent_call.agent == "main" and agent_call in last.still_running

    # the same through the default location ($CLAUDE_CONFIG_DIR) and the project folder
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(res.config_dir))
    found = ct.extract_session_commands(project_dir=str(res.project_dir), tools="all")
    assert inc.kill_command in [c.command for c in found.commands]
    sessions = ct.list_sessions(project_dir=str(res.project_dir))
    assert sessions.sessions[0].session == res.session_id
    assert sessions.sessions[0].subagents and sessions.sessions[0].subagents[0].agent_type == "general-purpose"

    # the person's real bash history: the tmux server was started by hand, and attach failed after
    hist = sh.shell_history(paths=[str(inc.history)])
    cmds = [c.command for c in hist.commands]
    assert any("new-session -d -s dev" in c for c in cmds) and any(" attach -t dev" in c for c in cmds)
    assert all(c.time is not None for c in hist.commands)

    # the dev server logged its own death, after the kill command was issued
    devlog = inc.devlog.read_text()
    assert "caught SIGHUP" in devlog, devlog[-500:]

    bundle = write_bundle(inc, tmp_path / "bundle")
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    assert size < 200_000, size
    text = "".join(p.read_text(errors="replace") for p in bundle.rglob("*") if p.is_file())
    assert str(tmp_path) not in text and "sk-ant-" not in text
    replay = ct.last_commands_before(inc.died_at, n=1, paths=[str(bundle / "claude" / "projects")])
    assert replay.commands[0].command == "tmux -L rca-demo kill-server"

    dest = os.environ.get("RCA_RECORD_EXAMPLE")
    if dest:
        write_bundle(inc, Path(dest))
        (Path(dest) / "DEATH_TIME").write_text(inc.died_at.isoformat().replace("+00:00", "Z") + "\n")
