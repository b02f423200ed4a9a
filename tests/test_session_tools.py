"""The session tools through the MCP face (in-memory client) and the CLI (`rca sessions`, `rca commands`)."""

from __future__ import annotations

import json

import anyio
from click.testing import CliRunner
from mcp import Client

from mcp_server import cli, server
from tests.conftest import sample

SESSION_TOOLS = {"list_sessions", "extract_session_commands", "last_commands_before", "shell_history", "git_activity"}


def call(name: str, args: dict):
    async def go():
        async with Client(server.mcp) as client:
            return await client.call_tool(name, args)

    return anyio.run(go)


def tools():
    async def go():
        async with Client(server.mcp) as client:
            return {t.name: t for t in (await client.list_tools()).tools}

    return anyio.run(go)


def samples() -> list[str]:
    return [str(sample("claude_sessions", "generated_offline_2.1.330")), str(sample("claude_sessions", "generated_offline_2.1.197"))]


def test_session_tools_are_listed_read_only_with_schemas():
    listed = tools()
    assert SESSION_TOOLS <= listed.keys()
    for name in SESSION_TOOLS:
        t = listed[name]
        assert t.annotations.read_only_hint and t.annotations.idempotent_hint
        assert t.output_schema["type"] == "object"
    props = listed["extract_session_commands"].input_schema["properties"]
    assert {"session", "project_dir", "all_projects", "start", "end", "tools", "include_results", "limit", "cursor"} <= props.keys()


def test_extract_pages_through_the_mcp_face():
    r = call("extract_session_commands", {"paths": samples(), "tools": "all", "limit": 10})
    assert not r.is_error
    data = r.structured_content
    assert data["total"] == 24 and len(data["commands"]) == 10 and data["next_cursor"]
    assert "cursor=" in data["hint"]
    r2 = call("extract_session_commands", {"paths": samples(), "tools": "all", "limit": 10, "cursor": data["next_cursor"]})
    assert r2.structured_content["commands"][0]["tool_use_id"] not in {c["tool_use_id"] for c in data["commands"]}
    bad = call("extract_session_commands", {"paths": samples(), "tools": ["Bash"], "cursor": data["next_cursor"]})
    assert bad.is_error and "cursor" in bad.content[0].text


def test_last_commands_before_and_errors_through_the_mcp_face():
    r = call("last_commands_before", {"time": "2026-11-22T02:46:26.600Z", "n": 2, "paths": samples()})
    assert [c["command"] for c in r.structured_content["commands"]] == ["echo EXIT2-ME", "ls /nonexistent-dir-xyz"]
    bad = call("last_commands_before", {"time": "not a time", "paths": samples()})
    assert bad.is_error and "cannot read the time" in bad.content[0].text


def test_shell_history_and_git_through_the_mcp_face(tmp_path):
    r = call("shell_history", {"paths": [str(sample("shell_history", "plaso_fish_history"))], "limit": 3})
    assert r.structured_content["total"] == 10 and r.structured_content["next_cursor"]
    g = call("git_activity", {"repo": str(tmp_path)})
    assert not g.is_error and g.structured_content["status"] == "unavailable"
    refused = call("git_activity", {"repo": "--output=/tmp/x"})
    assert refused.is_error


def test_cli_commands_and_sessions():
    runner = CliRunner()
    out = runner.invoke(cli.main, ["commands", "--json", "--tool", "all", *sum((["--path", p] for p in samples()), [])])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["total"] == 24
    out = runner.invoke(cli.main, ["commands", "--before", "2026-11-22T02:46:26.600Z", "-n", "1", "--path", samples()[0]])
    assert out.exit_code == 0 and "nonexistent-dir-xyz" in out.output
    out = runner.invoke(cli.main, ["sessions", "--json", "--path", samples()[0]])
    assert out.exit_code == 0 and json.loads(out.output)["sessions"][0]["version"] == "2.1.330"
    out = runner.invoke(cli.main, ["commands", "--start", "2026-11-22T03:00:00Z", "--end", "2026-11-22T02:00:00Z"])
    assert out.exit_code == 2 and "reversed" in out.output


def test_cli_history_and_git(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli.main, ["history", "--json", "--path", str(sample("shell_history", "plaso_zsh_extended_history.txt"))])
    assert out.exit_code == 0 and json.loads(out.output)["commands"][0]["command"] == "cd plaso"
    out = runner.invoke(cli.main, ["git", str(tmp_path)])
    assert out.exit_code == 1 and "not a git repository" in out.output
