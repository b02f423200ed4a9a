"""The ledger through the real MCP face: run_tool records forensic calls itself while an
investigation is open, and rca_record accepts only what the ledger holds."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Optional

import anyio
import pytest
from mcp import Client
from pydantic import BaseModel

from mcp_server import server
from mcp_server.errors import InputError
from mcp_server.models import Event, make_evidence_id
from mcp_server.workflow import ledger, storage


class LogShowResult(BaseModel):
    events: list[Event]
    total: int
    next_cursor: Optional[str] = None


def lib_log_show(process: str, limit: int = 50) -> LogShowResult:
    if process == "-bad":
        raise InputError("process must not start with '-'")
    t = datetime(2026, 11, 20, 3, 9, 58, tzinfo=timezone.utc)
    evs = [Event(evidence_id=make_evidence_id("journald:entry", t, process, i), data_type="journald:entry",
                 source="journald", time=t, process=process, pid=4242,
                 message=f"{process}[4242]: server exited on signal 9 (attempt {i}) token=ghp_abcdefghijklmnopqrstuvwxyz0123456789")
           for i in range(3)]
    return LogShowResult(events=evs, total=3)


@pytest.fixture
def fake_forensic_tool():
    """A forensic tool shaped like the ones other helpers add: `return await run_tool(libfn, …)`."""

    async def fake_log_scan(process: str, limit: int = 50) -> LogShowResult:
        """Test stand-in for a forensic tool."""
        return await server.run_tool(lib_log_show, process, limit)

    assert "fake_log_scan" not in [t.name for t in anyio.run(_list_tools)]
    server.mcp.add_tool(fake_log_scan, annotations=server.READ_ONLY)
    yield
    server.mcp.remove_tool("fake_log_scan")


async def _list_tools():
    async with Client(server.mcp) as c:
        return (await c.list_tools()).tools


def calls(*steps):
    async def go():
        out = []
        async with Client(server.mcp) as c:
            for name, args in steps:
                out.append(await c.call_tool(name, args))
        return out

    return anyio.run(go)


def test_nothing_is_recorded_without_an_open_investigation(env, fake_forensic_tool):
    (r,) = calls(("fake_log_scan", {"process": "tmux"}))
    assert not r.is_error
    assert storage.list_investigations(str(env)) == []


def test_forensic_calls_are_recorded_with_ids_counts_and_args(env, fake_forensic_tool):
    res = calls(
        ("rca_start", {"incident": "tmux died", "start": "2026-11-20T02:00:00Z", "end": "2026-11-20T04:00:00Z"}),
        ("fake_log_scan", {"process": "tmux", "limit": 10}),
        ("fake_log_scan", {"process": "-bad"}),
        ("evidence_sources", {}),
        ("rca_status", {}),
    )
    assert [r.is_error for r in res] == [False, False, True, False, False]
    inv = storage.load_active(str(env))
    assert [e.tool for e in inv.ledger] == ["fake_log_scan", "fake_log_scan", "evidence_sources"]  # rca_* are not forensic
    first, failed, inventory = inv.ledger
    assert first.arguments == {"process": "tmux", "limit": 10}
    assert first.counts["total"] == 3 and first.counts["events"] == 3
    ids = [e["evidence_id"] for e in res[1].structured_content["events"]]
    assert first.evidence_ids == ids
    ref = inv.evidence[ids[0]]
    assert ref.tool == "fake_log_scan" and ref.source == "journald" and ref.time.hour == 3
    assert "signal 9" in ref.summary and "ghp_" not in ref.summary  # the ledger keeps the redacted text
    assert failed.error and "must not start" in failed.error and failed.evidence_ids == []
    assert inventory.counts["sources"] >= 8
    assert res[4].structured_content["ledger_calls"] == 3


def test_rca_record_accepts_ledger_ids_and_refuses_others(env, fake_forensic_tool):
    res = calls(("rca_start", {"incident": "tmux died"}), ("fake_log_scan", {"process": "tmux"}))
    eid = res[1].structured_content["events"][0]["evidence_id"]
    ok, bad = calls(
        ("rca_record", {"kind": "chain_link", "text": "tmux got SIGKILL", "evidence_ids": [eid], "order": 1}),
        ("rca_record", {"kind": "chain_link", "text": "made up", "evidence_ids": ["ev-ffffffffffffffff"]}),
    )
    assert not ok.is_error and ok.structured_content["finding"]["evidence_ids"] == [eid]
    assert bad.is_error and "not in this investigation's ledger" in bad.content[0].text


def test_categories_in_every_shape():
    as_list = {"categories": [{"name": "kernel", "status": "found"}, {"category": "oom", "status": "unavailable"},
                              {"name": "bogus", "status": "maybe"}]}
    as_map = {"categories": {"kernel": "not_found", "crash_reports": {"status": "found", "events": 2}}}
    assert ledger.summarize(as_list)[2] == {"kernel": "found", "oom": "unavailable"}
    assert ledger.summarize(as_map)[2] == {"kernel": "not_found", "crash_reports": "found"}


def test_nested_evidence_ids_are_found():
    result = {"sessions": [{"id": "s1", "commands": [{"evidence_id": "ev-1", "command": "kill -9 4242",
                                                       "time": "2026-11-20T03:09:58Z", "source": "claude_transcripts"}]}]}
    counts, refs, _ = ledger.summarize(result)
    assert counts == {"sessions": 1}
    assert refs["ev-1"]["summary"] == "kill -9 4242" and refs["ev-1"]["time"].minute == 9


def test_ledger_failure_never_breaks_the_tool(env, fake_forensic_tool, monkeypatch):
    calls(("rca_start", {"incident": "tmux died"}))

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(storage, "transaction", broken)
    (r,) = calls(("fake_log_scan", {"process": "tmux"}))
    assert not r.is_error and r.structured_content["total"] == 3


def test_workflow_tools_write_only_plugin_state():
    async def go():
        async with Client(server.mcp) as c:
            return {t.name: t for t in (await c.list_tools()).tools}

    tools = anyio.run(go)
    for name in ("rca_start", "rca_status", "rca_record", "rca_advance", "rca_close"):
        ann = tools[name].annotations
        assert ann.read_only_hint is False and ann.destructive_hint is False and ann.open_world_hint is False, name
        assert tools[name].output_schema and tools[name].description, name
    # the record tool tells the model which kinds exist and that evidence is checked
    props = tools["rca_record"].input_schema["properties"]
    assert "chain_link" in json.dumps(props["kind"]) and "ledger" in json.dumps(props["evidence_ids"])


def test_status_without_investigation_is_a_clear_error(env):
    (r,) = calls(("rca_status", {}))
    assert r.is_error and "rca_start" in r.content[0].text
