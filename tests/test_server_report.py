"""The report tools through a real in-memory MCP client: build_timeline, rca_report, rca_patterns."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import anyio
from mcp import Client

import mcp_server.workflow as workflow_pkg
from mcp_server import server
from mcp_server.analysis.collect import write_event_export
from mcp_server.workflow import incidents
from tests.conftest import require
from tests.report_fixtures import finding, investigation, tmux_findings, tmux_incident_events


def call(name: str, args: dict | None = None):
    async def go():
        async with Client(server.mcp) as client:
            return await client.call_tool(name, args or {})

    return anyio.run(go)


def tools():
    async def go():
        async with Client(server.mcp) as client:
            return {t.name: t for t in (await client.list_tools()).tools}

    return anyio.run(go)


def test_report_tools_are_listed_with_honest_annotations():
    t = tools()
    assert t["build_timeline"].annotations.read_only_hint is True
    assert t["rca_report"].annotations.read_only_hint is False
    assert t["rca_report"].annotations.destructive_hint is False
    assert t["rca_patterns"].annotations.read_only_hint is True
    for name in ("build_timeline", "rca_report", "rca_patterns"):
        assert t[name].output_schema and t[name].output_schema["type"] == "object"


def test_build_timeline_over_an_event_export_pages_with_a_cursor(tmp_path):
    ev = tmux_incident_events()
    write_event_export(ev.values(), tmp_path / "incident.events.jsonl")
    args = {"start": "2026-11-21T02:00:00Z", "end": "2026-11-21T04:00:00Z", "paths": [str(tmp_path)], "limit": 4}
    first = call("build_timeline", args)
    assert not first.is_error
    data = first.structured_content
    assert data["total"] == 6 and len(data["entries"]) == 4 and "cursor=" in data["hint"]
    second = call("build_timeline", dict(args, cursor=data["next_cursor"])).structured_content
    ids = [e["evidence_id"] for e in data["entries"] + second["entries"]]
    assert ids[2] == ev["kill"].evidence_id and len(set(ids)) == 6
    lanes = {e["lane"] for e in data["entries"] + second["entries"]}
    assert lanes == {"claude_transcripts", "file", "journald"}


def test_build_timeline_bad_window_is_a_tool_error():
    r = call("build_timeline", {"start": "2026-11-21T04:00:00Z", "end": "2026-11-21T02:00:00Z"})
    assert r.is_error and "reversed" in r.content[0].text


def test_rca_patterns_reads_the_incident_store(tmp_path, monkeypatch):
    db = tmp_path / "incidents.sqlite3"
    monkeypatch.setenv("RCA_INCIDENTS_DB", str(db))
    ev = tmux_incident_events()
    for i in (1, 2):
        incidents.record_closed(investigation(
            ev, findings=[finding("F-1", "root_cause", f"Agent ran tmux kill-server (run {i})", [ev["kill"].evidence_id])],
            inv_id=f"RCA-00{i}", status="closed"))
    data = call("rca_patterns").structured_content
    assert data["incidents"] == 2 and data["patterns"][0]["count"] == 2
    assert data["patterns"][0]["root_cause_class"] == "process_killed"


def _fake_storage(monkeypatch, inv):
    """Serve one investigation as the workflow store would (load_active / load)."""
    fake = types.ModuleType("mcp_server.workflow.storage")
    fake.load_active = lambda project_dir: inv if inv and inv.project_dir == project_dir else None
    fake.load = lambda project_dir, inv_id: inv if inv and inv.id == inv_id else None
    monkeypatch.setitem(sys.modules, "mcp_server.workflow.storage", fake)
    monkeypatch.setattr(workflow_pkg, "storage", fake, raising=False)


def test_rca_report_writes_into_the_project_report_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("RCA_REPORT_DIR", raising=False)
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(tmp_path))
    ev = tmux_incident_events()
    _fake_storage(monkeypatch, investigation(ev, findings=tmux_findings(ev), project_dir=str(tmp_path)))
    r = call("rca_report")
    assert not r.is_error, r.content
    data = r.structured_content
    assert data["verdict"] == "CONFIRMED"
    assert Path(data["markdown_path"]).parent == tmp_path / "docs" / "rca"
    assert Path(data["json_path"]).exists()
    # the model cannot send the report outside the project
    bad = call("rca_report", {"report_dir": "/etc"})
    assert bad.is_error and "outside the project" in bad.content[0].text


def test_rca_report_refuses_uncited_claims_listing_them(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(tmp_path))
    ev = tmux_incident_events()
    fs = tmux_findings(ev) + [finding("F-20", "root_cause", "probably a cosmic ray")]
    _fake_storage(monkeypatch, investigation(ev, findings=fs, project_dir=str(tmp_path)))
    r = call("rca_report")
    assert r.is_error and "F-20 (root_cause)" in r.content[0].text
    assert not (tmp_path / "docs").exists()


def test_rca_report_without_an_open_investigation(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(tmp_path))
    _fake_storage(monkeypatch, None)
    r = call("rca_report")
    assert r.is_error and "no investigation is open" in r.content[0].text


def test_rca_report_with_the_real_workflow_store(tmp_path, monkeypatch):
    require(importlib.util.find_spec("mcp_server.workflow.storage") is not None,
            "mcp_server.workflow.storage (the workflow store) is not merged into this build yet")
    from mcp_server.workflow import storage

    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(tmp_path / "proj"))
    (tmp_path / "proj").mkdir()
    ev = tmux_incident_events()
    inv = investigation(ev, findings=tmux_findings(ev), project_dir=str(tmp_path / "proj"))
    storage.save(inv)
    r = call("rca_report")
    assert not r.is_error, r.content
    assert Path(r.structured_content["markdown_path"]).exists()
