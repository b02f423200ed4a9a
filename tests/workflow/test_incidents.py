"""The SQLite incident store: closed investigations, recurring root causes, related incidents."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from mcp_server.workflow import incidents
from mcp_server.workflow.incidents import IncidentStore, fingerprint, normalise
from tests.report_fixtures import at, finding, investigation, tmux_findings, tmux_incident_events


def closed(inv_id, project, incident, cls, targets, root_text, *, days=0, extra=()):
    ev = tmux_incident_events()
    kill = ev["kill"].evidence_id
    fs = [
        finding("F-1", "root_cause", root_text, [kill]),
        finding("F-2", "action_item", "Guard tmux kill-server in the agent's allowed commands"),
        finding("F-3", "verdict", "LIKELY", [kill], verdict="LIKELY"),
        *extra,
    ]
    return investigation(
        ev, findings=fs, inv_id=inv_id, project_dir=project, status="closed", root_cause_class=cls, targets=targets,
        incident=incident, closed=at(86400 * days),
    )


def test_normalise_replaces_volatile_details():
    a = normalise("Agent ran `tmux kill-server` at 03:10:00 killing pid 4242 in /tmp/tmux-1000/default")
    b = normalise("agent ran tmux kill-server at 14:55:12, killing pid 977 in /tmp/tmux-501/default")
    assert a == b
    assert "<n>" in a and "<path>" in a and "<time>" in a and "4242" not in " ".join(a)
    assert fingerprint("process_killed", ["tmux"], "Agent ran tmux kill-server, pid 4242") == fingerprint(
        "process_killed", ["TMUX"], "agent ran tmux kill-server pid 977"
    )
    assert fingerprint("process_killed", ["tmux"], "x") != fingerprint("resource_exhaustion", ["tmux"], "x")


def test_record_closed_refuses_open_investigations(tmp_path):
    ev = tmux_incident_events()
    inv = investigation(ev, findings=tmux_findings(ev))
    with pytest.raises(ValueError, match="still open"):
        IncidentStore(tmp_path / "i.sqlite3").record_closed(inv)
    assert not (tmp_path / "i.sqlite3").exists()


def test_store_is_private_and_upserts(tmp_path):
    db = tmp_path / "state" / "incidents.sqlite3"
    store = IncidentStore(db)
    inv = closed("RCA-001", "/home/dev/app", "tmux died", "process_killed", ("tmux",), "Agent ran tmux kill-server")
    rec = store.record_closed(inv)
    assert rec.targets == ["tmux"] and rec.recommendations == ["Guard tmux kill-server in the agent's allowed commands"]
    assert rec.verdict == "LIKELY"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    inv.findings[0].text = "Agent ran tmux kill-server during cleanup"
    store.record_closed(inv)
    rows = store.incidents()
    assert len(rows) == 1 and rows[0].root_cause == "Agent ran tmux kill-server during cleanup"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == incidents.SCHEMA_VERSION


def test_patterns_find_recurring_root_causes_across_projects(tmp_path):
    store = IncidentStore(tmp_path / "incidents.sqlite3")
    invs = [
        closed("RCA-001", "/home/dev/app", "tmux server died overnight", "process_killed", ("tmux",),
               "Agent cleanup ran `tmux kill-server` at 03:10, killing pid 4242", days=0),
        closed("RCA-002", "/home/dev/app", "dev server gone after agent run", "process_killed", ("tmux", "node"),
               "Claude ran tmux kill-server while the dev server ran in tmux session dev", days=3),
        closed("RCA-001", "/home/dev/api", "tmux sessions vanished", "process_killed", ("tmux",),
               "Subagent ran `tmux kill-server` at 22:41 (pid 977)", days=9),
        closed("RCA-004", "/home/dev/app", "postgres killed", "resource_exhaustion", ("postgres",),
               "Kernel OOM killer killed postgres (pid 812): total-vm 8GB during the import", days=5),
        closed("RCA-005", "/home/dev/app", "postgres killed again", "resource_exhaustion", ("postgres",),
               "OOM killer killed postgres (pid 1290) during the nightly import", days=12),
        closed("RCA-006", "/home/dev/app", "build broke", "drift", ("node",),
               "Node 22 upgrade changed the default of --experimental-require-module", days=6),
    ]
    for inv in invs:
        store.record_closed(inv)
    p = store.patterns()
    assert p.incidents == 6
    assert [(x.root_cause_class, x.count) for x in p.patterns] == [("process_killed", 3), ("resource_exhaustion", 2)]
    tmux = p.patterns[0]
    assert tmux.incidents == ["/home/dev/app:RCA-001", "/home/dev/app:RCA-002", "/home/dev/api:RCA-001"]
    assert tmux.targets == ["node", "tmux"] and tmux.first == at(0) and tmux.last == at(86400 * 9)
    assert tmux.systemic_recommendation.startswith("3 incidents of process killed affecting node, tmux:")
    assert "pre-execution guard" in tmux.systemic_recommendation
    assert len(tmux.root_causes) == 3
    assert store.patterns(min_count=1).patterns[-1].root_cause_class == "drift"


def test_related_lists_earlier_similar_incidents_for_rca_start(tmp_path):
    db = tmp_path / "incidents.sqlite3"
    incidents.record_closed(
        closed("RCA-001", "/home/dev/app", "tmux server died overnight", "process_killed", ("tmux",),
               "Agent cleanup ran tmux kill-server at 03:10, killing pid 4242"), db
    )
    incidents.record_closed(
        closed("RCA-002", "/home/dev/app", "postgres OOM", "resource_exhaustion", ("postgres",), "OOM killer killed postgres"), db
    )
    # a new, still open investigation: same target, no class yet
    ev = tmux_incident_events()
    new = investigation(ev, findings=[], inv_id="RCA-007", root_cause_class=None, targets=("tmux",),
                        incident="tmux server died again during an agent run")
    rel = incidents.related(new, db)
    assert [r.incident.id for r in rel] == ["RCA-001"]
    assert "same target(s): tmux" in rel[0].why
    # once classified with the same root cause text, the fingerprint matches exactly
    new.root_cause_class = "process_killed"
    new.findings = [finding("F-1", "root_cause", "Agent cleanup ran tmux kill-server at 21:07, killing pid 991",
                            [ev["kill"].evidence_id])]
    rel = incidents.related(new, db)
    assert rel[0].score == 1.0 and rel[0].why == "same root-cause fingerprint"
    # an investigation is never related to itself
    assert incidents.related(closed("RCA-001", "/home/dev/app", "tmux server died overnight", "process_killed", ("tmux",),
                                    "Agent cleanup ran tmux kill-server at 03:10, killing pid 4242"), db) == []


def test_empty_or_missing_store_reads_as_empty(tmp_path):
    p = incidents.patterns(tmp_path / "nothing-here.sqlite3")
    assert p.incidents == 0 and p.patterns == []
    assert not (tmp_path / "nothing-here.sqlite3").exists()  # reading never creates the store


def test_default_location_is_the_plugin_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("RCA_INCIDENTS_DB", raising=False)
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(tmp_path / "plugin-data"))
    assert incidents.default_db_path() == tmp_path / "plugin-data" / "incidents.sqlite3"
    monkeypatch.setenv("RCA_INCIDENTS_DB", str(tmp_path / "x.db"))
    assert incidents.default_db_path() == tmp_path / "x.db"


def test_concurrent_writers_do_not_lose_incidents(tmp_path):
    import threading

    db = tmp_path / "incidents.sqlite3"
    errors = []

    def write(i):
        try:
            incidents.record_closed(
                closed(f"RCA-{i:03d}", "/home/dev/app", f"incident {i}", "process_killed", ("tmux",),
                       f"Agent ran tmux kill-server ({i})", days=i), db
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(IncidentStore(db).incidents()) == 12
