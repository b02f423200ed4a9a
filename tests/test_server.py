"""In-memory MCP client tests of the `forensics` server: listing, schemas, annotations, errors."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client

from mcp_server import server
from mcp_server.errors import InputError
from mcp_server.sources import inventory


def call(name: str, args: dict | None = None):
    async def go():
        async with Client(server.mcp) as client:
            return await client.call_tool(name, args or {})

    return anyio.run(go)


def list_tools():
    async def go():
        async with Client(server.mcp) as client:
            return (await client.list_tools()).tools

    return anyio.run(go)


def test_server_is_named_forensics():
    assert server.mcp.name == "forensics"


def test_every_forensic_tool_is_read_only_and_structured():
    tools = {t.name: t for t in list_tools()}
    assert "evidence_sources" in tools
    for name, tool in tools.items():
        if name.startswith("rca_"):
            continue  # workflow tools write the plugin's own state
        ann = tool.annotations
        assert ann is not None and ann.read_only_hint is True, name
        assert ann.idempotent_hint is True and ann.open_world_hint is True, name
        assert tool.output_schema and tool.output_schema.get("type") == "object", name
        assert tool.description and len(tool.description) > 40, name


def test_evidence_sources_reports_every_source_with_a_reason():
    result = call("evidence_sources")
    assert not result.is_error
    data = result.structured_content
    names = {s["name"] for s in data["sources"]}
    assert {"macos_log", "journald", "coredumpctl", "syslog", "crash_report_folders",
            "claude_transcripts", "shell_history", "git"} <= names
    for s in data["sources"]:
        assert s["detail"], s  # available or not, it says why
    assert data["available"] + data["unavailable"] == len(data["sources"])


def test_evidence_sources_sees_transcripts_under_claude_config_dir(tmp_path, monkeypatch):
    proj = tmp_path / "cfg" / "projects" / "-home-dev-app"
    proj.mkdir(parents=True)
    (proj / "0a1b.jsonl").write_text('{"type":"user"}\n')
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "cfg"))
    result = call("evidence_sources")
    src = next(s for s in result.structured_content["sources"] if s["name"] == "claude_transcripts")
    assert src["available"] is True
    assert "1 session transcript" in src["detail"]


def test_unknown_tool_is_an_error_not_a_crash():
    result = call("no_such_tool")
    assert result.is_error


def test_input_errors_reach_the_model_as_tool_errors(monkeypatch):
    def boom():
        raise InputError("the time window is reversed: start is after end")

    monkeypatch.setattr(inventory, "probe_sources", boom)
    result = call("evidence_sources")
    assert result.is_error
    assert "reversed" in result.content[0].text


def test_tool_output_is_redacted(monkeypatch):
    def leaky():
        return inventory.EvidenceSources(
            platform="linux",
            sources=[inventory.SourceAvailability(
                name="shell_history", kind="history", available=True,
                detail="export ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789")],
            available=1, unavailable=0,
        )

    monkeypatch.setattr(inventory, "probe_sources", leaky)
    result = call("evidence_sources")
    text = str(result.structured_content) + "".join(c.text for c in result.content)
    assert "sk-ant-api03" not in text
    assert "[REDACTED:" in text
