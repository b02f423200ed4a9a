"""`flag_dangerous` as a library function, an MCP tool (in-memory client) and `rca flag`."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from datetime import datetime, timezone

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client

from mcp_server import cli, server
from mcp_server.analysis.danger_models import FlagDangerousResult, flag_dangerous
from mcp_server.errors import InputError

COMMANDS = [
    "git status",
    "tmux kill-server",
    "echo 'rm -rf /'",
    "sudo journalctl --vacuum-time=1s",
    "pytest -q",
    "systemctl restart postgresql",
]


def test_commands_are_classified_counted_and_filtered():
    r = flag_dangerous(commands=COMMANDS, targets=["postgres", "tmux"])
    assert isinstance(r, FlagDangerousResult)
    assert r.source == "commands" and r.examined == 6 and r.total == 6
    by_cmd = {a.command: a for a in r.assessments}
    assert by_cmd["tmux kill-server"].risk == "high" and by_cmd["tmux kill-server"].destroys_process_or_evidence
    assert by_cmd["tmux kill-server"].findings[0].references_target == "tmux"
    assert by_cmd["systemctl restart postgresql"].findings[0].references_target == "postgres"
    assert by_cmd["echo 'rm -rf /'"].risk == "none" and by_cmd["echo 'rm -rf /'"].mentions
    assert by_cmd["git status"].risk == "none" and not by_cmd["git status"].destroys_process_or_evidence
    assert r.by_risk == {"critical": 0, "high": 2, "medium": 1, "low": 0, "none": 3}
    assert r.by_category == {"evidence_destruction": 1, "process_termination": 2}
    only = flag_dangerous(commands=COMMANDS, min_risk="high")
    assert [a.command for a in only.assessments] == ["tmux kill-server", "sudo journalctl --vacuum-time=1s"]
    assert only.examined == 6 and only.total == 2


def test_paging_walks_every_assessment_once():
    cmds = [f"kill {1000 + i}" for i in range(25)]
    seen = []
    cursor = None
    while True:
        r = flag_dangerous(commands=cmds, limit=10, cursor=cursor)
        seen.extend(a.command for a in r.assessments)
        if not r.next_cursor:
            assert r.hint is None
            break
        assert "cursor=" in r.hint
        cursor = r.next_cursor
    assert seen == cmds
    with pytest.raises(InputError):
        flag_dangerous(commands=cmds[:5], limit=10, cursor=flag_dangerous(commands=cmds, limit=10).next_cursor)


@pytest.mark.parametrize("kwargs", [
    {}, {"commands": ["ls"], "session": "abc"}, {"commands": ["ls"], "start": "2h ago"}, {"commands": ["ls"], "min_risk": "severe"},
])
def test_bad_arguments_are_input_errors(kwargs):
    with pytest.raises(InputError):
        flag_dangerous(**kwargs)


def test_session_reference_without_session_forensics_is_a_clear_error(monkeypatch):
    """Where the session-forensics module is absent (or fails to import), a clear InputError."""
    if importlib.util.find_spec("mcp_server.sources.claude_transcripts") is not None:
        # merged tree: the real module is there and exposes the function this tool calls
        from mcp_server.sources import claude_transcripts

        assert callable(claude_transcripts.extract_session_commands)
        monkeypatch.setitem(sys.modules, "mcp_server.sources.claude_transcripts", None)  # import now fails
    with pytest.raises(InputError, match="session forensics is not installed"):
        flag_dangerous(session="0b8e-session")


def test_session_reference_classifies_each_bash_command(monkeypatch):
    """The wiring to extract_session_commands (written by another helper): called with the session,
    window and tools=("Bash",); each command keeps its time, session id and evidence id."""
    calls = []

    def extract_session_commands(session=None, start=None, end=None, tools=()):
        calls.append((session, start, end, tools))
        t = datetime(2026, 11, 22, 3, 14, 5, tzinfo=timezone.utc)
        cmds = [
            types.SimpleNamespace(command="npm test", time=t, session_id=session, evidence_id="ev-1"),
            types.SimpleNamespace(command="pkill -f 'node server.js'", time=t, session_id=session, evidence_id="ev-2"),
            types.SimpleNamespace(command="git commit -m 'never kill -9 1'", time=t, session_id=session, evidence_id="ev-3"),
        ]
        return types.SimpleNamespace(commands=cmds)

    fake = types.ModuleType("mcp_server.sources.claude_transcripts")
    fake.extract_session_commands = extract_session_commands  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mcp_server.sources.claude_transcripts", fake)
    r = flag_dangerous(session="s-1", start="2026-11-22T03:00:00Z", end="2026-11-22T04:00:00Z", targets=["node"])
    assert calls == [("s-1", "2026-11-22T03:00:00Z", "2026-11-22T04:00:00Z", ("Bash",))]
    assert r.source == "session" and r.examined == 3
    # default min_risk for a session is 'low': `npm test` is left out, the commit message stays (a mention)
    assert [a.evidence_id for a in r.assessments] == ["ev-2", "ev-3"]
    kill = r.assessments[0]
    assert kill.risk == "high" and kill.time == "2026-11-22T03:14:05+00:00" and kill.session_id == "s-1"
    assert kill.findings[0].references_target == "node"


def _call(name, args):
    async def go():
        async with Client(server.mcp) as client:
            return await client.call_tool(name, args)

    return anyio.run(go)


def test_mcp_tool_is_listed_read_only_and_returns_structured_result():
    async def go():
        async with Client(server.mcp) as client:
            return (await client.list_tools()).tools

    tools = {t.name: t for t in anyio.run(go)}
    tool = tools["flag_dangerous"]
    assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
    assert {"commands", "session", "start", "end", "targets", "cwd"} <= set(tool.input_schema["properties"])
    res = _call("flag_dangerous", {"commands": ["docker rm -f db", "ls"], "targets": ["db"]})
    assert not res.is_error
    data = res.structured_content
    assert data["assessments"][0]["risk"] == "high"
    assert data["assessments"][0]["findings"][0]["references_target"] == "db"
    assert data["assessments"][1]["risk"] == "none"


def test_mcp_tool_turns_bad_input_into_a_tool_error():
    res = _call("flag_dangerous", {})
    assert res.is_error
    assert "give commands" in res.content[0].text


def test_cli_flag_exit_codes_and_json():
    runner = CliRunner()
    ok = runner.invoke(cli.main, ["flag", "git status", "ls -la"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(cli.main, ["flag", "--target", "postgres", "systemctl stop postgresql"])
    assert bad.exit_code == 1
    out = runner.invoke(cli.main, ["flag", "--json", "rm -rf ~/src", "echo hi"])
    assert out.exit_code == 1
    data = json.loads(out.output)
    assert data["assessments"][0]["risk"] == "high" and data["assessments"][0]["categories"] == ["filesystem_destruction"]
    medium = runner.invoke(cli.main, ["flag", "rm -rf node_modules"])
    assert medium.exit_code == 0  # medium is reported, not a failure
