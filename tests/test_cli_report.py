"""The report-side `rca` commands through click's CliRunner, and one real run of the entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

from click.testing import CliRunner

import mcp_server.workflow as workflow_pkg
from mcp_server import cli
from mcp_server.analysis.collect import write_event_export
from mcp_server.workflow import incidents
from tests.conftest import ROOT
from tests.report_fixtures import finding, investigation, tmux_findings, tmux_incident_events


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli.main, list(args), env=env, catch_exceptions=False)


def incident_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "incident"
    folder.mkdir()
    write_event_export(tmux_incident_events().values(), folder / "devbox.events.jsonl")
    (folder / "incident.json").write_text(json.dumps({
        "incident": "tmux server died with the dev server in it", "start": "2026-11-21T02:00:00Z",
        "end": "2026-11-21T04:00:00Z", "targets": ["tmux"]}))
    return folder


def fake_storage(monkeypatch, inv):
    fake = types.ModuleType("mcp_server.workflow.storage")
    fake.load_active = lambda project_dir: inv if inv and inv.project_dir == project_dir else None
    fake.load = lambda project_dir, inv_id: inv if inv and inv.id == inv_id else None
    monkeypatch.setitem(sys.modules, "mcp_server.workflow.storage", fake)
    monkeypatch.setattr(workflow_pkg, "storage", fake, raising=False)


def test_help_lists_the_report_commands():
    out = run("--help").output
    for name in ("status", "report", "patterns", "scan", "timeline", "demo"):
        assert f"  {name} " in out


def test_demo_prints_the_timeline_and_writes_report_and_html(tmp_path):
    r = run("demo", str(incident_folder(tmp_path)), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert "Verdict LIKELY; class process_killed" in r.output and "tmux kill-server" in r.output
    assert (tmp_path / "out" / "timeline.html").exists()
    assert (tmp_path / "out" / "RCA-000-tmux-server-died-with-the-dev-server-in-it.md").exists()


def test_demo_json(tmp_path):
    r = run("demo", str(incident_folder(tmp_path)), "--out", str(tmp_path / "out"), "--json")
    data = json.loads(r.stdout)
    assert data["verdict"] == "LIKELY" and data["events"] == 6 and data["chain"]


def test_demo_of_a_missing_folder_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(cli.main, ["demo", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "not an incident folder" in r.output


def test_timeline_over_files_with_html_export_and_paging(tmp_path):
    folder = incident_folder(tmp_path)
    html, export = tmp_path / "t.html", tmp_path / "copy.events.jsonl"
    r = run("timeline", "--since", "2026-11-21T02:00:00Z", "--until", "2026-11-21T04:00:00Z", "--path", str(folder),
            "--limit", "4", "--html", str(html), "--export", str(export), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["total"] == 6 and len(data["entries"]) == 4 and data["next_cursor"]
    assert html.read_text().startswith("<!DOCTYPE html>") and len(export.read_text().splitlines()) == 6
    more = json.loads(run("timeline", "--since", "2026-11-21T02:00:00Z", "--until", "2026-11-21T04:00:00Z", "--path",
                          str(folder), "--limit", "4", "--html", str(html), "--export", str(export), "--json",
                          "--cursor", data["next_cursor"]).stdout)
    assert len(more["entries"]) == 2 and more["next_cursor"] is None
    table = run("timeline", "--since", "2026-11-21T02:00:00Z", "--until", "2026-11-21T04:00:00Z", "--path", str(folder))
    assert table.exit_code == 0 and "kill-server" in table.output and "6 of 6 events" in table.output


def test_timeline_usage_errors_exit_2():
    r = CliRunner().invoke(cli.main, ["timeline", "--since", "2026-11-21T04:00:00Z", "--until", "2026-11-21T02:00:00Z"])
    assert r.exit_code == 2 and "reversed" in r.output
    r = CliRunner().invoke(cli.main, ["timeline", "--source", "telepathy"])
    assert r.exit_code == 2 and "unknown source" in r.output


def test_scan_of_files_suggests_the_cause_and_says_what_is_unavailable(tmp_path):
    r = run("scan", "--since", "2026-11-21T02:00:00Z", "--until", "2026-11-21T04:00:00Z", "--path",
            str(incident_folder(tmp_path)), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["suggestions"][0]["root_cause_class"] == "process_killed"
    assert data["timeline"]["total"] == 6
    if data["categories_unavailable"]:
        assert any(u.startswith("categories:") for u in data["unavailable"])


def test_scan_of_the_machine_runs_and_lists_what_was_not_consulted():
    r = run("scan", "--since", "10m ago")
    assert r.exit_code in (0, 1)
    assert "Sources consulted" in r.output
    data = json.loads(run("scan", "--since", "10m ago", "--json").stdout)
    for s in data["sources"]:
        if s["status"] in ("unavailable", "error"):
            assert s["reason"] and any(u.startswith(s["source"]) for u in data["unavailable"])
    assert (r.exit_code == 1) == (not any(s["status"] in ("ok", "partial") for s in data["sources"]))


def test_patterns_table_and_json(tmp_path):
    db = tmp_path / "incidents.sqlite3"
    ev = tmux_incident_events()
    for i in (1, 2):
        incidents.record_closed(investigation(
            ev, findings=[finding("F-1", "root_cause", "Agent ran tmux kill-server", [ev["kill"].evidence_id])],
            inv_id=f"RCA-00{i}", status="closed"), db)
    r = run("patterns", "--db", str(db))
    assert r.exit_code == 0 and "Process killed" in r.output and "tmux" in r.output
    pattern = json.loads(run("patterns", "--db", str(db), "--json").stdout)["patterns"][0]
    assert pattern["count"] == 2 and "pre-execution guard" in pattern["systemic_recommendation"]
    empty = run("patterns", "--db", str(tmp_path / "none.sqlite3"))
    assert empty.exit_code == 0 and "No recurring root causes among 0" in empty.output


def test_report_and_status_with_an_open_investigation(tmp_path, monkeypatch):
    monkeypatch.delenv("RCA_REPORT_DIR", raising=False)
    monkeypatch.setenv("RCA_INCIDENTS_DB", str(tmp_path / "i.sqlite3"))
    ev = tmux_incident_events()
    proj = tmp_path / "proj"
    proj.mkdir()
    inv = investigation(ev, findings=tmux_findings(ev), project_dir=str(proj.resolve()))
    fake_storage(monkeypatch, inv)
    st = run("status", "--project-dir", str(proj))
    assert st.exit_code == 0 and "RCA-003" in st.output and "phase report" in st.output
    r = run("report", "--project-dir", str(proj), "--report-dir", "out/rca")
    assert r.exit_code == 0, r.output
    assert (proj / "out" / "rca" / "RCA-003-tmux-server-died-with-the-dev-server-in-it.md").exists()
    data = json.loads(run("report", "--project-dir", str(proj), "--json").stdout)
    assert data["verdict"] == "CONFIRMED" and Path(data["markdown_path"]).parent == proj / "docs" / "rca"


def test_report_refused_exits_1_with_the_offenders(tmp_path, monkeypatch):
    ev = tmux_incident_events()
    inv = investigation(ev, findings=tmux_findings(ev) + [finding("F-20", "chain_link", "tmux got confused")],
                        project_dir=str(tmp_path.resolve()))
    fake_storage(monkeypatch, inv)
    r = CliRunner().invoke(cli.main, ["report", "--project-dir", str(tmp_path), "--json"])
    assert r.exit_code == 1
    assert json.loads(r.stdout)["offenders"][0]["finding_id"] == "F-20"
    assert not (tmp_path / "docs").exists()


def test_status_and_report_without_an_investigation_exit_1(tmp_path, monkeypatch):
    fake_storage(monkeypatch, None)
    st = CliRunner().invoke(cli.main, ["status", "--project-dir", str(tmp_path)])
    assert st.exit_code == 1 and "No open investigation" in st.output
    rep = CliRunner().invoke(cli.main, ["report", "--project-dir", str(tmp_path)])
    assert rep.exit_code == 1 and "no investigation is open" in rep.output


def test_real_entry_point_runs_the_demo_in_a_subprocess(tmp_path):
    folder = incident_folder(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="160")
    proc = subprocess.run(
        [sys.executable, "-m", "mcp_server.cli", "demo", str(folder), "--out", str(tmp_path / "out"), "--json"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["root_cause_class"] == "process_killed"
    assert Path(data["html_path"]).exists() and Path(data["markdown_path"]).exists()
    bad = subprocess.run([sys.executable, "-m", "mcp_server.cli", "timeline", "--since", "tomorrow-ish"],
                         capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "cannot read the time" in bad.stderr


def test_timeline_of_files_without_a_window_reads_everything_in_them(tmp_path):
    r = run("timeline", "--path", str(incident_folder(tmp_path)), "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["total"] == 6
