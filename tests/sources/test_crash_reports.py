"""find_crash_reports: discovery by content, filters, ordering, paging, and bad input losing nothing."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mcp_server.errors import InputError
from mcp_server.sources import crash_reports
from mcp_server.sources.crash_reports import find_crash_reports
from tests.conftest import sample

FIXTURES = Path(__file__).parent / "crash_fixtures"
N_MACOS_SAMPLES = 12  # every file in macos_crash but SOURCES.txt
N_FIXTURES = 6


@pytest.fixture(autouse=True)
def no_machine_defaults(monkeypatch):
    """Only the given paths: this machine's own crash folders and coredumpctl are left out."""
    monkeypatch.setattr(crash_reports, "default_locations", lambda: [])
    monkeypatch.setattr(crash_reports, "use_coredumpctl", lambda: False)


def test_all_real_macos_samples_found_by_content_newest_first():
    res = find_crash_reports(paths=[str(sample("macos_crash"))], limit=100)
    assert res.total == N_MACOS_SAMPLES and len(res.reports) == N_MACOS_SAMPLES
    assert res.warnings == []  # SOURCES.txt is skipped silently: not named, no crash suffix
    times = [r.time for r in res.reports if r.time]
    assert times == sorted(times, reverse=True)
    assert res.reports[0].process == "xctest3"  # 2022, the newest
    assert res.reports[-1].time is None  # the header-less fragment sorts last
    assert {r.data_type for r in res.reports} == {"macos:crash:ips", "macos:crash:text"}
    [run] = res.consulted
    assert run.status == "ok" and run.events == N_MACOS_SAMPLES


def test_linux_samples_found_by_content():
    res = find_crash_reports(paths=[str(sample("linux_logs"))], limit=100)
    kinds = sorted(r.data_type for r in res.reports)
    assert kinds.count("linux:apport:crash") == 1
    assert kinds.count("linux:coredump:info") == 1 and kinds.count("linux:coredump:list") == 1
    # beats JSON + json, json --all, pretty, seq, sse, export, generated export, verbose renderings
    assert kinds.count("linux:coredump:journal") == 9
    assert len(kinds) == 12
    assert res.warnings == []


def test_fixtures_and_filters():
    folder = str(FIXTURES)
    res = find_crash_reports(paths=[folder])
    assert res.total == N_FIXTURES
    assert [r.process for r in find_crash_reports(paths=[folder], process="mytool").reports] == ["MyTool"]
    # a pid matches a crash report and a JetsamEvent that lists the process
    by_pid = find_crash_reports(paths=[folder], pid=3391).reports
    assert sorted(r.kind for r in by_pid) == ["crash", "jetsam"]
    window = find_crash_reports(paths=[folder], start="2026-11-20T08:00:00Z", end="2026-11-20T09:00:00Z").reports
    assert [r.kind for r in window] == ["crash", "jetsam"]  # 08:45:12 then 08:44:59
    assert find_crash_reports(paths=[folder], start="2026-11-21T00:00:00Z").total == 0


def test_paging_with_cursor_covers_everything_once():
    paths = [str(sample("macos_crash")), str(FIXTURES)]
    first = find_crash_reports(paths=paths, limit=5)
    assert first.total == N_MACOS_SAMPLES + N_FIXTURES and first.next_cursor and "cursor=" in first.hint
    seen = [r.evidence_id for r in first.reports]
    cursor = first.next_cursor
    while cursor:
        nxt = find_crash_reports(paths=paths, limit=5, cursor=cursor)
        seen += [r.evidence_id for r in nxt.reports]
        cursor = nxt.next_cursor
    assert len(seen) == len(set(seen)) == first.total
    with pytest.raises(InputError):
        find_crash_reports(paths=paths, limit=5, process="x", cursor=first.next_cursor)


def test_caller_mistakes_are_input_errors():
    with pytest.raises(InputError, match="reversed"):
        find_crash_reports(start="2026-11-20", end="2026-11-19")
    with pytest.raises(InputError):
        find_crash_reports(start="not a time at all")
    with pytest.raises(InputError):
        find_crash_reports(limit=0)


def test_missing_path_is_a_warning_not_an_error(tmp_path):
    res = find_crash_reports(paths=[str(tmp_path / "nope"), str(FIXTURES)])
    assert res.total == N_FIXTURES
    assert any("no such file" in w.message for w in res.warnings)
    assert any(c.status == "error" and c.path.endswith("nope") for c in res.consulted)


def test_default_places_are_consulted_and_absent_ones_say_so(monkeypatch, tmp_path):
    present = tmp_path / "crash"
    present.mkdir()
    shutil.copy(FIXTURES / "MyTool-2026-11-20-101112.ips", present / "MyTool.ips")
    monkeypatch.setattr(crash_reports, "default_locations", lambda: [str(present), str(tmp_path / "absent")])
    res = find_crash_reports()
    assert [r.process for r in res.reports] == ["MyTool"]
    assert {(c.path, c.status) for c in res.consulted} == {(str(present), "ok"), (str(tmp_path / "absent"), "unavailable")}


def _bad_folder(tmp_path: Path) -> Path:
    d = tmp_path / "DiagnosticReports"
    d.mkdir()
    good = FIXTURES / "MyTool-2026-11-20-101112.ips"
    text = good.read_text()
    shutil.copy(good, d / "good.ips")
    shutil.copy(sample("macos_crash", "idb_app_default_set.crash"), d / "renamed.log")  # recognised by content
    (d / "truncated.ips").write_text(text[: len(text) // 2])
    (d / "header-only.ips").write_text(text.split("\n", 1)[0] + "\n")
    (d / "malformed.ips").write_text('{"bug_type":"309", "name": oops}\n{}\n')
    (d / "garbage.crash").write_bytes(os.urandom(4096))
    (d / "empty.ips").write_bytes(b"")
    (d / "notes.txt").write_text("shopping list\n")  # not promising a crash: skipped silently
    return d


def test_bad_input_gives_one_warning_per_file_and_keeps_every_other_report(tmp_path):
    d = _bad_folder(tmp_path)
    res = find_crash_reports(paths=[str(d)], limit=100)
    names = sorted(Path(r.path).name for r in res.reports)
    assert names == ["good.ips", "header-only.ips", "renamed.log", "truncated.ips"]
    warned = sorted(Path(w.path).name for w in res.warnings)
    assert warned == ["empty.ips", "garbage.crash", "header-only.ips", "malformed.ips", "truncated.ips"]
    [run] = res.consulted
    assert run.status == "partial" and run.events == 4 and run.warnings == 5


def test_huge_file_gets_a_warning_and_header_fields_only(tmp_path):
    p = tmp_path / "Huge-2026-11-20-101112.ips"
    header = (FIXTURES / "MyTool-2026-11-20-101112.ips").read_text().split("\n", 1)[0]
    with open(p, "w") as f:
        f.write(header + "\n")
        f.write('{\n  "procName" : "Huge",\n  "pid" : 4242,\n  "captureTime" : "2026-11-20 10:11:12.4418 +0100",\n  "threads" : [')
        f.truncate(200 << 20)  # a 200 MB report (sparse: the rest reads as NULs)
    assert p.stat().st_size == 200 << 20
    res = find_crash_reports(paths=[str(p)])
    [r] = res.reports
    assert (r.process, r.pid) == ("Huge", 4242)
    assert r.time == datetime(2026, 11, 20, 9, 11, 12, 441800, timezone.utc)
    assert len(res.warnings) == 1 and "200 MB" in res.warnings[0].message
    assert any("only its start was read" in n for n in r.notes)


def _as_nobody(fn):
    """Run fn in a child process that has dropped root (root reads every file, whatever its mode)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.close(r)
            if os.getuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            os.write(w, json.dumps(fn()).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def test_unreadable_file_is_a_warning(tmp_path):
    d = Path(os.path.realpath(tmp_path)) / "reports"
    d.mkdir()
    shutil.copy(FIXTURES / "MyTool-2026-11-20-101112.ips", d / "ok.ips")
    shutil.copy(FIXTURES / "panic-full-2026-11-19-231500.0002.ips", d / "secret.ips")
    os.chmod(d / "secret.ips", 0)
    os.chmod(d / "ok.ips", 0o644)
    if os.getuid() == 0:  # the child drops to nobody: let it walk into the test's folders
        for parent in [d, *d.parents]:
            if parent == Path("/") or os.stat(parent).st_mode & 0o005 == 0o005:
                continue
            os.chmod(parent, os.stat(parent).st_mode | 0o005)

    def run():
        res = find_crash_reports(paths=[str(d)])
        return {"reports": [Path(x.path).name for x in res.reports],
                "warnings": [(Path(w.path).name, w.message) for w in res.warnings]}

    got = _as_nobody(run)
    assert got["reports"] == ["ok.ips"]
    assert got["warnings"] == [["secret.ips", "cannot read: permission denied"]]


def test_include_body(tmp_path):
    res = find_crash_reports(paths=[str(FIXTURES / "JetsamEvent-2026-11-20-094500.ips")], include_body=True)
    assert res.reports[0].body.startswith('{"bug_type":"298"')
    assert find_crash_reports(paths=[str(FIXTURES)]).reports[0].body is None


def test_events_merge_into_a_timeline():
    res = find_crash_reports(paths=[str(FIXTURES)])
    events = res.events()
    assert [e.evidence_id for e in events] == [r.evidence_id for r in res.reports]
    assert all(e.time_meaning == "crashed" and e.level == "crash" for e in events)
    assert {e.data_type for e in events} >= {"macos:crash:ips", "macos:jetsam:ips", "macos:panic:ips", "macos:hang:text"}
    for e in events:
        for v in e.extra.values():  # flat: scalars or lists of scalars
            assert v is None or isinstance(v, (str, int, float, bool)) or all(isinstance(x, (str, int, float)) for x in v)
