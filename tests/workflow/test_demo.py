"""`rca demo`: timeline, drafted report and HTML of an incident folder."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from mcp_server.analysis import collect
from mcp_server.analysis.collect import route_files, write_event_export
from mcp_server.errors import InputError
from mcp_server.workflow import demo
from tests.conftest import ROOT, require
from tests.report_fixtures import at, journald, tmux_incident_events

RAW = ROOT / "tests" / "data" / "incidents" / "tmux-killed-raw"


def exported_incident(folder: Path) -> dict:
    ev = tmux_incident_events()
    ev["cron"] = journald(at(-300), "CRON", 5512, "(dev) CMD (/home/dev/bin/backup.sh)")
    folder.mkdir(parents=True, exist_ok=True)
    write_event_export(ev.values(), folder / "devbox.events.jsonl")
    (folder / "incident.json").write_text(json.dumps({
        "incident": "tmux server died with the dev server in it",
        "start": "2026-11-21T02:00:00Z", "end": "2026-11-21T04:00:00Z", "targets": ["tmux"],
    }))
    return ev


def test_demo_of_an_exported_incident_writes_timeline_report_and_html(tmp_path):
    ev = exported_incident(tmp_path / "incident")
    r = demo.run_demo(tmp_path / "incident", tmp_path / "out", now=at(3600))
    assert r.events == 7 and r.unavailable == []
    assert r.root_cause_class == "process_killed" and r.verdict == "LIKELY"
    assert r.root_cause and "`tmux kill-server`" in r.root_cause
    # the chain runs from the command to the tmux server's exit
    chain = [e.evidence_id for e in r.chain]
    assert chain[0] == ev["kill"].evidence_id and ev["lost"].evidence_id in chain
    assert ev["cron"].evidence_id not in chain and ev["tests"].evidence_id not in chain
    md = Path(r.markdown_path).read_text()
    assert Path(r.markdown_path).name == "RCA-000-tmux-server-died-with-the-dev-server-in-it.md"
    assert "Last command before the failure: `tmux kill-server`" in md
    assert "| target_process | found |" in md and "| memory_pressure | not found |" in md
    assert "Resource exhaustion: no OOM-killer" in md  # ruled out, from the folder's evidence
    assert "Drafted by `rca demo` from heuristics" in md
    page = Path(r.html_path).read_text()
    assert page.count('class="dot chain"') >= len(chain) and ev["kill"].evidence_id in page
    tl = json.loads(Path(r.timeline_path).read_text())
    assert tl["total"] == 7 and [s["source"] for s in tl["sources"]] == ["events"]


def test_demo_without_a_cause_is_inconclusive_and_still_complete(tmp_path):
    folder = tmp_path / "quiet"
    folder.mkdir()
    write_event_export(
        [journald(at(i * 60), "systemd", 1, f"Started Session {i} of User dev.") for i in range(3)],
        folder / "quiet.events.jsonl",
    )
    r = demo.run_demo(folder, tmp_path / "out", now=at(3600))
    assert r.verdict == "INCONCLUSIVE" and r.root_cause is None and r.chain == []
    md = Path(r.markdown_path).read_text()
    assert "No root cause was established." in md


def test_demo_reports_readers_missing_from_the_build(tmp_path, monkeypatch):
    monkeypatch.setitem(collect.SOURCE_FUNCTIONS, "shell_history", ("mcp_server.sources.no_such_reader", "shell_history"))
    monkeypatch.setitem(collect.SOURCE_FUNCTIONS, "logs", ("mcp_server.sources.no_such_logs", "log_show"))
    folder = tmp_path / "inc"
    exported_incident(folder)
    shutil.copy(RAW / "zsh_history", folder / "zsh_history")
    shutil.copy(RAW / "syslog", folder / "syslog")
    r = demo.run_demo(folder, tmp_path / "out", now=at(3600))
    assert sorted(u.split(":")[0] for u in r.unavailable) == ["logs", "shell_history"]
    assert all("not part of this build" in u for u in r.unavailable)
    assert r.events == 7  # what could be read still was


def test_route_files_sends_each_file_to_its_reader():
    routed = route_files([RAW])
    assert {k: [Path(p).name for p in v] for k, v in routed.items()} == {
        "sessions": ["7c1e4b2a-93d5-4f0e-b6a8-2d4f1e9c3a57.jsonl"],
        "shell_history": ["zsh_history"],
        "logs": ["syslog"],
    }


def test_bad_folders_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="not an incident folder"):
        demo.run_demo(tmp_path / "missing", tmp_path / "out")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "incident.json").write_text("{oops")
    with pytest.raises(InputError, match="incident.json"):
        demo.run_demo(bad, tmp_path / "out")


def test_event_export_reader_reports_bad_lines_and_keeps_the_rest(tmp_path):
    ev = tmux_incident_events()
    f = tmp_path / "x.events.jsonl"
    write_event_export(ev.values(), f)
    text = f.read_text().splitlines()
    text.insert(2, '{"evidence_id": "ev-1", "data_type": "x"}')  # missing required fields
    text.insert(4, "\xff\xfe not json")
    text.append(text[0][: len(text[0]) // 2])  # truncated last line (writer died)
    f.write_text("\n".join(text) + "\n", encoding="utf-8", errors="surrogateescape")
    events, warnings = collect.read_event_export(f)
    assert [e.evidence_id for e in events] == [e.evidence_id for e in ev.values()]
    assert sorted(w.line for w in warnings) == [3, 5, 9]


PARSERS = ("mcp_server.sources.claude_transcripts", "mcp_server.sources.shell_history", "mcp_server.analysis.evidence")


def test_demo_of_raw_evidence_through_the_real_readers(tmp_path):
    missing = [m for m in PARSERS if importlib.util.find_spec(m) is None]
    require(not missing, f"readers not merged into this build yet: {', '.join(missing)}")
    r = demo.run_demo(RAW, tmp_path / "out")
    assert r.unavailable == [], r.unavailable
    lanes = {l.lane for l in r.lanes if l.events}
    assert {"claude_transcripts", "shell_history", "syslog"} <= lanes, lanes
    assert r.root_cause_class == "process_killed"
    assert any("tmux kill-server" in e.message for e in r.chain)
    md = Path(r.markdown_path).read_text()
    assert "tmux kill-server" in md


def test_bundled_example_renders_through_rca_demo(tmp_path):
    found = [p for p in demo.example_candidates() if p.is_dir()]
    require(bool(found), "the bundled example incident (examples/tmux-killed) is not in this build yet")
    missing = [m for m in PARSERS if importlib.util.find_spec(m) is None]
    require(not missing, f"readers not merged into this build yet: {', '.join(missing)}")
    r = demo.run_demo(None, tmp_path / "out")
    assert r.events > 0 and r.unavailable == [], r.unavailable
    assert r.root_cause_class == "process_killed"
    assert any("kill-server" in e.message for e in r.chain)
    assert Path(r.html_path).exists() and Path(r.markdown_path).exists()


def test_report_config_is_stdlib_only_for_the_hooks():
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import mcp_server.workflow.report_config as rc;"
        "bad = [m for m in ('pydantic', 'mcp', 'orjson', 'dateutil', 'click', 'rich') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-I", "-c", code, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_folder_without_incident_json_uses_death_time_readme_and_what_died_next(tmp_path):
    # The layout the session-forensics recording uses: README heading, DEATH_TIME, a script that
    # reproduced the incident (not evidence), and no targets.
    ev = tmux_incident_events()
    folder = tmp_path / "rec"
    folder.mkdir()
    write_event_export([ev["start_server"], ev["tests"], ev["kill"], ev["lost"], ev["node"]], folder / "x.events.jsonl")
    (folder / "README.md").write_text('# Example incident: "my tmux dev server died"\n\nmore text\n')
    (folder / "DEATH_TIME").write_text("2026-11-21T03:10:00.300000Z\n")
    (folder / "devserver.sh").write_text("#!/bin/sh\nwhile :; do echo ok; sleep 0.2; done\n")
    assert set(route_files([folder])) == {"events"}
    r = demo.run_demo(folder, tmp_path / "out", now=at(7200))
    assert r.incident == "my tmux dev server died"
    assert r.window_start == at(0.3 - 3600) and r.window_end == at(0.3 + 600)
    assert [e.evidence_id for e in r.chain] == [ev["kill"].evidence_id, ev["lost"].evidence_id, ev["node"].evidence_id]
    assert Path(r.markdown_path).name == "RCA-000-my-tmux-dev-server-died.md"
