"""The RCA report: every section present, citations validated against the ledger, folder configurable."""

from __future__ import annotations

import json
import os

import pytest

from mcp_server.errors import InputError
from mcp_server.workflow.report import (
    EVIDENCE_CATEGORIES,
    SECTIONS,
    UncitedClaims,
    render_report,
    write_report,
)
from mcp_server.workflow.report_config import is_in_report_dir, resolve_report_dir
from tests.report_fixtures import finding, investigation, tmux_findings, tmux_incident_events

CATS = {
    "target_process": "found",
    "code_signing": "not_found",
    "signals": "found",
    "memory_pressure": "not_found",
    "power": "not_found",
    "kernel": "not_found",
    "crash_reports": "unavailable",
    "app_logs": "found",
}


def tmux_inv(**kw):
    ev = tmux_incident_events()
    return ev, investigation(ev, findings=tmux_findings(ev), categories=CATS, **kw)


def test_all_sections_present_in_order_with_verdict_and_citations():
    ev, inv = tmux_inv()
    md, r = render_report(inv)
    positions = [md.index(f"## {s}\n") for s in SECTIONS]
    assert positions == sorted(positions)
    assert r.verdict == "CONFIRMED" and "**CONFIRMED**" in md
    assert r.summary.startswith("tmux server died with the dev server in it. Verdict: CONFIRMED. Root cause (process killed)")
    # timeline table: chain links and the last command, in time order, each with evidence id and source
    assert [row.finding_id for row in r.timeline] == ["F-3", "F-4", "F-2", "F-5"]  # same instant: ordered chain link first
    assert "| 2026-11-21T03:10:00Z | Agent ran `tmux kill-server` to clean up stale sessions | " f"`{ev['kill'].evidence_id}` | claude_transcripts |" in md
    assert r.timeline[-1].source == "file, journald"
    assert [i.finding_id for i in r.root_cause] == ["F-6"]
    assert [i.finding_id for i in r.contributing_factors] == ["F-7"]
    assert [i.finding_id for i in r.symptoms] == ["F-8"]
    assert [i.finding_id for i in r.ruled_out] == ["F-9"]
    assert [i.finding_id for i in r.unknowns] == ["F-10"]
    assert r.recommended_fix[0].file_line == "scripts/cleanup.sh:12" and "`scripts/cleanup.sh:12`" in md
    assert r.action_items[0].owner == "dev" and "due 2026-11-28" in md
    assert r.remediation and "Guidance for Process killed" in md
    # evidence summary: all eight categories with their ledger status
    assert [c.category for c in r.evidence_summary] == list(EVIDENCE_CATEGORIES)
    assert {c.category: c.status for c in r.evidence_summary} == CATS
    assert "| crash_reports | unavailable | ledger #1 collect_evidence |" in md
    # every cited id is listed once in the appendix with the tool that gathered it
    assert {e.evidence_id for e in r.evidence} == {v.evidence_id for k, v in ev.items() if k != "tests"}
    assert f"| `{ev['kill'].evidence_id}` | 2026-11-21T03:10:00Z | claude_transcripts | #2 extract_session_commands |" in md


def test_uncited_root_cause_and_chain_link_are_refused_with_every_offender():
    ev, inv = tmux_inv()
    inv.findings.append(finding("F-20", "root_cause", "Somebody probably restarted tmux"))
    inv.findings.append(finding("F-21", "chain_link", "tmux got confused", order=9))
    inv.findings.append(finding("F-22", "last_command", "the last command was rm -rf"))
    with pytest.raises(UncitedClaims) as err:
        render_report(inv)
    offenders = {(o.finding_id, o.problem) for o in err.value.offenders}
    assert offenders == {("F-20", "uncited"), ("F-21", "uncited"), ("F-22", "uncited")}
    msg = str(err.value)
    assert "F-20 (root_cause)" in msg and "F-21 (chain_link)" in msg and "F-22 (last_command)" in msg
    assert isinstance(err.value, InputError)  # the faces turn it into a ToolError / usage error


def test_citation_of_evidence_not_in_the_ledger_is_refused():
    ev, inv = tmux_inv()
    inv.findings[5].evidence_ids.append("ev-0123456789abcdef")  # F-6, the root cause
    inv.findings.append(finding("F-30", "symptom", "dev server gone", ["ev-ffffffffffffffff"]))
    with pytest.raises(UncitedClaims) as err:
        render_report(inv)
    got = {(o.finding_id, o.problem) for o in err.value.offenders}
    assert got == {("F-6", "unknown_evidence"), ("F-30", "unknown_evidence")}
    assert "ev-0123456789abcdef" in str(err.value) and "ev-ffffffffffffffff" in str(err.value)


def test_confirmed_without_root_cause_is_inconsistent():
    ev, inv = tmux_inv()
    inv.findings = [f for f in inv.findings if f.kind != "root_cause"]
    with pytest.raises(UncitedClaims, match="CONFIRMED without a recorded root cause"):
        render_report(inv)


def test_inconclusive_report_without_root_cause_still_renders_and_says_so():
    ev, inv = tmux_inv(root_cause_class=None)
    inv.findings = [f for f in inv.findings if f.kind in ("scope", "unknown", "ruled_out")]
    inv.ledger[0].categories = {}
    md, r = render_report(inv)
    assert r.verdict == "INCONCLUSIVE" and "No root cause was established." in r.summary
    assert "_Not established._" in md and "_No event chain was recorded._" in md
    assert all(c.status == "not_probed" for c in r.evidence_summary)


def test_markdown_table_cells_are_escaped():
    ev, inv = tmux_inv()
    inv.findings[3].text = "ran `echo a | tmux kill-server`\nthen exited"
    md, _ = render_report(inv)
    assert "ran `echo a \\| tmux kill-server` then exited" in md


def test_write_report_writes_markdown_and_json_twin(tmp_path, monkeypatch):
    monkeypatch.delenv("RCA_REPORT_DIR", raising=False)
    ev, inv = tmux_inv(project_dir=str(tmp_path))
    out = write_report(inv, tmp_path)
    assert out.markdown_path == str(tmp_path / "docs" / "rca" / "RCA-003-tmux-server-died-with-the-dev-server-in-it.md")
    assert out.verdict == "CONFIRMED" and out.cited_evidence == 5
    data = json.loads(open(out.json_path, encoding="utf-8").read())
    assert data["verdict"] == "CONFIRMED" and data["root_cause_class"] == "process_killed"
    assert [c["category"] for c in data["evidence_summary"]] == list(EVIDENCE_CATEGORIES)
    assert open(out.markdown_path, encoding="utf-8").read().startswith("# RCA-003: tmux server died")
    # re-rendering the same investigation replaces its files, leaving no temp files behind
    write_report(inv, tmp_path)
    assert sorted(os.listdir(out.report_dir)) == sorted([os.path.basename(out.markdown_path), os.path.basename(out.json_path)])


def test_refused_report_writes_nothing(tmp_path):
    ev, inv = tmux_inv(project_dir=str(tmp_path))
    inv.findings.append(finding("F-40", "root_cause", "a guess"))
    with pytest.raises(UncitedClaims):
        write_report(inv, tmp_path)
    assert not (tmp_path / "docs").exists()


def test_report_folder_argument_env_and_project_config(tmp_path, monkeypatch):
    monkeypatch.delenv("RCA_REPORT_DIR", raising=False)
    assert resolve_report_dir(tmp_path) == (tmp_path / "docs" / "rca").resolve()
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "rca.json").write_text('{"report_dir": "postmortems"}')
    assert resolve_report_dir(tmp_path) == (tmp_path / "postmortems").resolve()
    assert is_in_report_dir(tmp_path, "postmortems/RCA-001-x.md")
    assert not is_in_report_dir(tmp_path, "src/app.py")
    monkeypatch.setenv("RCA_REPORT_DIR", str(tmp_path / "from-env"))
    assert resolve_report_dir(tmp_path) == (tmp_path / "from-env").resolve()
    assert resolve_report_dir(tmp_path, "given") == (tmp_path / "given").resolve()
    ev, inv = tmux_inv(project_dir=str(tmp_path))
    out = write_report(inv, tmp_path, "given")
    assert out.report_dir == str((tmp_path / "given").resolve())


def test_confined_report_folder_cannot_leave_the_project(tmp_path):
    ev, inv = tmux_inv(project_dir=str(tmp_path / "proj"))
    (tmp_path / "proj").mkdir()
    with pytest.raises(InputError, match="outside the project"):
        write_report(inv, tmp_path / "proj", "../elsewhere", confine=True)
    assert not (tmp_path / "elsewhere").exists()


def test_broken_project_config_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("RCA_REPORT_DIR", raising=False)
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "rca.json").write_text("{not json")
    ev, inv = tmux_inv(project_dir=str(tmp_path))
    with pytest.raises(InputError, match="rca.json"):
        write_report(inv, tmp_path)


def test_report_folder_that_cannot_be_created_is_a_clear_error(tmp_path):
    (tmp_path / "docs").write_text("a file where the report folder should be")  # fails for root too
    ev, inv = tmux_inv(project_dir=str(tmp_path))
    with pytest.raises(InputError, match="cannot create the report folder"):
        write_report(inv, tmp_path, "docs/rca")
