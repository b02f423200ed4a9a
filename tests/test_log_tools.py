"""The faces of the log evidence: MCP tools `log_show` / `collect_evidence` (in-memory client) and
`rca logs show|sweep`, over real journal files."""

from __future__ import annotations

import json

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client

from mcp_server import cli, server
from tests.sources.logfixtures import WINDOW, build_journals


@pytest.fixture(scope="module")
def journals(tmp_path_factory):
    return build_journals(tmp_path_factory.mktemp("faces") / "j")


def call(name: str, args: dict):
    async def go():
        async with Client(server.mcp) as client:
            return await client.call_tool(name, args)

    return anyio.run(go)


def test_log_show_tool_pages_with_a_cursor(journals):
    args = {"start": WINDOW[0], "end": WINDOW[1], "paths": [str(journals)], "limit": 5}
    first = call("log_show", args)
    assert not first.is_error
    data = first.structured_content
    assert data["total"] == 20 and len(data["events"]) == 5 and data["next_cursor"]
    assert data["consulted"][0]["argv"][0] == "journalctl"
    second = call("log_show", {**args, "cursor": data["next_cursor"]}).structured_content
    assert second["events"][0]["evidence_id"] != data["events"][-1]["evidence_id"]


def test_log_show_tool_turns_bad_windows_into_tool_errors(journals):
    res = call("log_show", {"start": "2026-11-21T05:00:00Z", "end": "2026-11-21T04:00:00Z", "paths": [str(journals)]})
    assert res.is_error and "reversed" in res.content[0].text


def test_collect_evidence_tool(journals):
    res = call("collect_evidence", {"start": WINDOW[0], "end": WINDOW[1], "targets": ["billing-api"], "paths": [str(journals)]})
    assert not res.is_error
    cats = {c["category"]: c for c in res.structured_content["categories"]}
    assert len(cats) == 8 and cats["memory_pressure"]["status"] == "found" and cats["code_signing"]["status"] == "not_found"


def test_cli_logs_show_and_sweep(journals):
    runner = CliRunner()
    out = runner.invoke(cli.main, ["logs", "show", str(journals), "--start", WINDOW[0], "--end", WINDOW[1], "-g", "suspend", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [e["message"] for e in data["events"]] == ["Suspending...", "Entering sleep state 'suspend'...", "PM: suspend entry (deep)", "PM: suspend exit"]
    out = runner.invoke(cli.main, ["logs", "sweep", str(journals), "--start", WINDOW[0], "--end", WINDOW[1], "-t", "java", "--json"])
    data = json.loads(out.output)
    assert {c["category"] for c in data["categories"]} >= {"signals", "power", "kernel"}
    bad = runner.invoke(cli.main, ["logs", "show", str(journals), "--start", "yesterday-ish"])
    assert bad.exit_code == 2
