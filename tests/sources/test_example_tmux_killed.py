"""The bundled example incident (mcp_server/examples/tmux-killed, recorded from a real claude run) is readable
by every session tool and tells its story: the subagent's kill-server is the last call before the
tmux server's death."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mcp_server.sources import claude_transcripts as ct
from mcp_server.sources import shell_history as sh

EXAMPLE = Path(__file__).resolve().parents[2] / "mcp_server" / "examples" / "tmux-killed"


def death_time() -> datetime:
    return datetime.fromisoformat((EXAMPLE / "DEATH_TIME").read_text().strip().replace("Z", "+00:00"))


def test_the_killer_is_the_last_call_before_the_death():
    r = ct.last_commands_before(death_time(), n=5, paths=[str(EXAMPLE / "claude" / "projects")])
    assert not r.warnings
    killer = r.commands[-1]
    assert killer.command == "tmux -L rca-demo kill-server" and killer.outcome == "ok" and killer.exit_code == 0
    assert killer.agent != "main" and killer.agent_type == "general-purpose" and killer.version == "2.1.197"
    assert killer.cwd == "/home/dev/project"
    assert [c.tool for c in r.still_running] == ["Agent"]  # the main agent was waiting on its subagent


def test_sessions_and_history_of_the_example():
    sessions = ct.list_sessions(paths=[str(EXAMPLE / "claude" / "projects")]).sessions
    assert len(sessions) == 1 and sessions[0].subagents[0].agent_type == "general-purpose"
    assert sessions[0].tool_calls == 2 and sessions[0].subagent_tool_calls == 2
    hist = sh.shell_history(paths=[str(EXAMPLE / "shell" / "bash_history")])
    assert hist.files[0].shell == "bash" and hist.files[0].timed
    assert hist.commands[-2].command == "tmux -L rca-demo attach -t dev"
    assert hist.commands[-2].time >= death_time().replace(microsecond=0)  # bash keeps whole seconds


def test_the_example_is_small_and_neutral():
    files = [p for p in EXAMPLE.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 200_000
    text = "".join(p.read_text() for p in files)
    for leak in ("/tmp/", "pytest", "sk-ant-", "/root"):
        assert leak not in text, leak
    devlog = (EXAMPLE / "logs" / "devserver.log").read_text().splitlines()
    assert "caught SIGHUP" in devlog[-1]
