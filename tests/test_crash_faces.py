"""The crash tool's faces: the MCP tool `find_crash_reports` (in-memory client) and `rca crashes`."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
from click.testing import CliRunner
from mcp import Client

from mcp_server import cli, server
from mcp_server.sources import crash_reports

FIXTURES = Path(__file__).parent / "sources" / "crash_fixtures"


def call(name: str, args: dict):
    async def go():
        async with Client(server.mcp) as client:
            return await client.call_tool(name, args)

    return anyio.run(go)


def test_tool_is_listed_read_only_with_schema():
    async def go():
        async with Client(server.mcp) as client:
            return {t.name: t for t in (await client.list_tools()).tools}

    tools = anyio.run(go)
    tool = tools["find_crash_reports"]
    assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
    props = tool.input_schema["properties"]
    assert {"process", "pid", "start", "end", "paths", "include_body", "limit", "cursor"} <= set(props)
    assert "next_cursor" in tool.output_schema["properties"]


def test_tool_pages_with_cursor(monkeypatch):
    monkeypatch.setattr(crash_reports, "default_locations", lambda: [])
    monkeypatch.setattr(crash_reports, "use_coredumpctl", lambda: False)
    first = call("find_crash_reports", {"paths": [str(FIXTURES)], "limit": 4})
    assert not first.is_error
    data = first.structured_content
    assert data["total"] == 6 and len(data["reports"]) == 4 and data["next_cursor"]
    assert data["reports"][0]["process"] == "MyTool"  # 2026-11-20 09:11 UTC, the newest
    assert data["reports"][0]["termination_namespace"] == "CODESIGNING"
    rest = call("find_crash_reports", {"paths": [str(FIXTURES)], "limit": 4, "cursor": data["next_cursor"]})
    assert len(rest.structured_content["reports"]) == 2 and rest.structured_content["next_cursor"] is None


def test_tool_turns_caller_mistakes_into_tool_errors():
    res = call("find_crash_reports", {"start": "2026-11-20", "end": "2026-11-01"})
    assert res.is_error and "reversed" in res.content[0].text


def test_cli_json_and_table(monkeypatch):
    monkeypatch.setattr(crash_reports, "default_locations", lambda: [])
    monkeypatch.setattr(crash_reports, "use_coredumpctl", lambda: False)
    runner = CliRunner()
    out = runner.invoke(cli.main, ["crashes", "--path", str(FIXTURES), "--process", "notes", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [r["process"] for r in data["reports"]] == ["MobileNotes", None]  # the crash, and the JetsamEvent naming it
    assert data["reports"][0]["termination_reason"] == "per-process-limit"
    table = runner.invoke(cli.main, ["crashes", "--path", str(FIXTURES), "--limit", "2"])
    assert table.exit_code == 0 and "MyTool" in table.output and "--cursor" in table.output
    bad = runner.invoke(cli.main, ["crashes", "--start", "garbage time"])
    assert bad.exit_code == 2
