"""log_show and collect_evidence over real journals (systemd-journal-remote + journalctl), real
log samples and bad input: unknown formats, binary, non-UTF-8, a 50 MB line, missing/failing/
hanging journalctl, permission denied."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mcp_server.analysis import evidence
from mcp_server.analysis.categories import CATEGORIES
from mcp_server.errors import InputError
from tests.conftest import ROOT, sample
from tests.sources.logfixtures import WINDOW, build_journals

UTC = timezone.utc


@pytest.fixture(scope="module")
def journals(tmp_path_factory):
    return build_journals(tmp_path_factory.mktemp("ev") / "journal")


def test_log_show_filters_pages_and_reports_argv(journals):
    res = evidence.log_show(*WINDOW, paths=[str(journals)], limit=4)
    assert res.total == 20 and len(res.events) == 4 and res.next_cursor and "cursor=" in res.hint
    run = res.consulted[0]
    assert run.source == "journald" and run.status == "ok" and run.argv[:2] == ["journalctl", "-o"]
    assert "--directory" in run.argv
    times = [e.time for e in res.events]
    assert times == sorted(times)
    nxt = evidence.log_show(*WINDOW, paths=[str(journals)], limit=4, cursor=res.next_cursor)
    assert nxt.events[0].evidence_id not in {e.evidence_id for e in res.events}
    with pytest.raises(InputError):
        evidence.log_show(*WINDOW, paths=[str(journals)], limit=4, cursor=res.next_cursor, contains="oom")


def test_log_show_structured_filters(journals):
    res = evidence.log_show(*WINDOW, paths=[str(journals)], contains="KILLED PROCESS")
    assert [e.message[:40] for e in res.events] == ["Out of memory: Killed process 4121 (java"]
    res = evidence.log_show(*WINDOW, paths=[str(journals)], process=["systemd-logind", "postgres"])
    assert {e.process for e in res.events} == {"systemd-logind", "postgres"}
    res = evidence.log_show(*WINDOW, paths=[str(journals)], unit="postgresql@15-main")
    assert len(res.events) == 1 and res.events[0].host == "db-1"
    res = evidence.log_show(*WINDOW, paths=[str(journals)], priority="err")
    assert res.events and all(e.level in ("err", "crit", "alert", "emerg") for e in res.events)
    res = evidence.log_show(*WINDOW, paths=[str(journals)], kernel_only=True, identifier=["kernel"])
    assert res.events and all(e.extra["_TRANSPORT"] == "kernel" for e in res.events)
    assert "-k" in res.consulted[0].argv and "SYSLOG_IDENTIFIER=kernel" in res.consulted[0].argv


def test_bad_windows_and_arguments_are_input_errors(journals):
    with pytest.raises(InputError):
        evidence.log_show("2026-11-21T05:00:00Z", "2026-11-21T04:00:00Z", paths=[str(journals)])
    with pytest.raises(InputError):
        evidence.log_show(*WINDOW, paths=[str(journals)], priority="loud")
    with pytest.raises(InputError):
        evidence.log_show(*WINDOW, source="file")
    with pytest.raises(InputError):
        evidence.log_show(*WINDOW, source="syslogd")  # type: ignore[arg-type]


def test_sweep_over_two_host_journals(journals):
    sweep = evidence.collect_evidence(*WINDOW, targets=["billing-api"], paths=[str(journals)])
    by = {c.category: c for c in sweep.categories}
    assert [c.category for c in sweep.categories] == [c.name for c in CATEGORIES]  # an empty category is a result too
    assert by["memory_pressure"].status == "found" and by["memory_pressure"].count == 5
    assert any("Out of memory: Killed process 4121" in e.message for e in by["memory_pressure"].top)
    assert by["signals"].status == "found" and "status=9/KILL" in by["signals"].top[0].message
    assert by["power"].status == "found" and {e.host for e in by["power"].top} == {"db-1"}
    assert by["kernel"].status == "found" and "segfault at 0" in by["kernel"].top[0].message
    assert by["code_signing"].status == "not_found" and by["code_signing"].count == 0
    assert by["target_process"].status == "found" and all(e.host == "web-1" for e in by["target_process"].top)
    assert by["crash_reports"].status in ("unavailable", "found", "not_found")
    if by["crash_reports"].status == "unavailable":
        assert by["crash_reports"].reason
    for c in sweep.categories:
        if c.status != "unavailable" and c.category not in ("crash_reports", "app_logs"):
            assert c.argv and c.argv[0][0] == "journalctl"
        for e in c.top:
            assert e.evidence_id.startswith("ev-")


def test_sweep_without_target_says_why(journals):
    sweep = evidence.collect_evidence(*WINDOW, paths=[str(journals)], known_locations=False)
    tp = next(c for c in sweep.categories if c.category == "target_process")
    assert tp.status == "unavailable" and "no target" in tp.reason


def test_sweep_when_journalctl_is_missing(monkeypatch, tmp_path, journals):
    monkeypatch.setenv("PATH", str(tmp_path))
    sweep = evidence.collect_evidence(*WINDOW, targets=["java"], paths=[str(journals)], known_locations=False)
    for c in sweep.categories:
        if c.category in ("target_process", "code_signing", "signals", "memory_pressure", "power", "kernel"):
            assert c.status == "unavailable" and "journalctl" in c.reason, c


def test_sweep_with_a_hanging_journalctl_is_bounded(tmp_path, monkeypatch, journals):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "journalctl").write_text("#!/bin/sh\nexec sleep 600\n")
    (fake / "journalctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    sweep = evidence.collect_evidence(*WINDOW, targets=["java"], paths=[str(journals)], timeout=1.0, known_locations=False)
    kernel = next(c for c in sweep.categories if c.category == "kernel")
    assert kernel.status == "unavailable" and "did not finish" in kernel.reason


def test_sweep_over_text_logs_and_app_logs(tmp_path):
    kern = sample("linux_logs", "hotsos_scenarios", "kernel__kernlog_calltrace_hungtasks__var_log_kern.log.txt")
    app = tmp_path / "app.log"
    app.write_text("2023-02-04 00:07:15 ERROR df-wrapper: stat of /mnt/fuse timed out after 120 s\n")
    sweep = evidence.collect_evidence("2023-02-04T00:00:00Z", "2023-02-04T01:00:00Z", targets=["df"], paths=[str(kern)],
                                      app_log_paths=[str(app)], zone="UTC", known_locations=False)
    by = {c.category: c for c in sweep.categories}
    assert by["kernel"].status == "found" and any("blocked for more than 120 seconds" in e.message for e in by["kernel"].top)
    assert by["kernel"].paths == [str(kern)] and by["kernel"].argv == []
    assert by["app_logs"].status == "found" and by["app_logs"].count == 1 and by["app_logs"].paths == [str(app)]
    assert by["memory_pressure"].status == "not_found"


def test_macos_samples_classify(tmp_path):
    folder = tmp_path / "mac"
    folder.mkdir()
    for name in ("logshow_default_amfi_kernel__xsscx-srd-issue18.txt", "logshow_syslog_style_powerd_darkwake__zearp-Nucintosh-issue9.txt",
                 "logshow_compact_style_lines.txt"):
        shutil.copy(sample("macos_log", "snippets", name), folder / name)
    sweep = evidence.collect_evidence("2020-01-01T00:00:00Z", "2026-11-01T00:00:00Z", paths=[str(folder)], zone="UTC", known_locations=False)
    by = {c.category: c for c in sweep.categories}
    assert by["code_signing"].status == "found" and by["code_signing"].count == 5
    assert by["power"].status == "found" and any("DarkWake" in e.message for e in by["power"].top)
    assert by["memory_pressure"].status == "found" and "memorystatus" in by["memory_pressure"].top[0].message


# --- bad input --------------------------------------------------------------------------------------


def test_unknown_binary_and_non_utf8_files(tmp_path):
    (tmp_path / "notes.txt").write_text("shopping list\nmilk\n")
    (tmp_path / "core.bin").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    (tmp_path / "latin1.log").write_bytes("Nov 21 03:10:00 web-1 app[7]: caf\xe9 cr\xe8me failed\n".encode("latin-1"))
    res = evidence.log_show("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z", paths=[str(tmp_path)], zone="UTC")
    status = {Path(r.path).name: (r.status, r.reason) for r in res.consulted}
    assert status["notes.txt"][0] == "unavailable" and "not a log format" in status["notes.txt"][1]
    assert status["core.bin"][0] == "unavailable" and "binary" in status["core.bin"][1]
    assert status["latin1.log"][0] == "ok"
    assert res.events[0].message == "caf\ufffd cr\ufffdme failed"
    assert any("not valid UTF-8" in w.message for w in res.warnings)


def test_missing_path_is_unavailable_not_a_crash(tmp_path):
    res = evidence.log_show(*WINDOW, paths=[str(tmp_path / "nope.log")])
    assert res.events == [] and res.consulted[0].status == "unavailable" and "no such file" in res.consulted[0].reason


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["syslog", "journald_json", "macos_ndjson"])
def test_a_50_mb_single_line_is_skipped_with_a_warning(tmp_path, kind):
    p = tmp_path / f"huge.{kind}"
    if kind == "syslog":
        head = b"Nov 21 03:10:00 web-1 app[7]: before\n"
        tail = b"Nov 21 03:10:02 web-1 app[7]: after\n"
        huge = b"Nov 21 03:10:01 web-1 app[7]: " + b"x" * (50 << 20) + b"\n"
    elif kind == "journald_json":
        head = json.dumps({"__REALTIME_TIMESTAMP": "1795230600000000", "MESSAGE": "before"}).encode() + b"\n"
        tail = json.dumps({"__REALTIME_TIMESTAMP": "1795230602000000", "MESSAGE": "after"}).encode() + b"\n"
        huge = b'{"__REALTIME_TIMESTAMP":"1795230601000000","MESSAGE":"' + b"x" * (50 << 20) + b'"}\n'
    else:
        rec = lambda m, s: json.dumps({"timestamp": f"2026-11-21 03:10:0{s}.000000+0000", "eventMessage": m, "processImagePath": "/bin/app", "processID": 7}).encode() + b"\n"  # noqa: E731
        head, tail = rec("before", 0), rec("after", 2)
        huge = rec("x" * (50 << 20), 1)
    with p.open("wb") as f:
        f.write(head + huge + tail)
    res = evidence.log_show("2026-11-21T03:00:00Z", "2026-11-21T04:00:00Z", paths=[str(p)], zone="UTC")
    msgs = [e.message for e in res.events]
    assert msgs[0] == "before" and msgs[-1] == "after"
    assert all(len(m) <= 9000 for m in msgs)
    assert any("bytes long" in w.message for w in res.warnings)


def test_permission_denied_gives_partial_results_and_warnings():
    """One readable and one unreadable log in a folder: the readable one is read, the other is reported."""
    folder = Path(tempfile.mkdtemp(prefix="rca-perm-"))
    try:
        folder.chmod(0o755)
        (folder / "a.log").write_text("Nov 21 03:10:00 web-1 app[7]: readable line\n")
        (folder / "a.log").chmod(0o644)
        secret = folder / "b.log"
        secret.write_text("Nov 21 03:10:01 web-1 app[7]: secret line\n")
        secret.chmod(0o600)
        code = (
            "import json,sys; from mcp_server.analysis.evidence import log_show; "
            f"r=log_show('2026-11-21T03:00:00Z','2026-11-21T04:00:00Z',paths=[{str(folder)!r}],zone='UTC'); "
            "print(json.dumps({'msgs':[e.message for e in r.events],'runs':[[r2.path,r2.status,r2.reason] for r2 in r.consulted],"
            "'warnings':[w.message for w in r.warnings]}))"
        )
        if os.geteuid() == 0:
            # root can read anything: run the library as `nobody` to meet a real permission error
            os.chown(secret, 0, 0)
            argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code]
        else:
            argv = [sys.executable, "-c", code]
            secret.chmod(0)
        out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": "/tmp"})
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout.strip().splitlines()[-1])
        assert data["msgs"] == ["readable line"]
        runs = {Path(p).name: (s, r) for p, s, r in data["runs"]}
        assert runs["b.log"][0] == "unavailable" and "permission denied" in runs["b.log"][1]
        assert any("permission denied" in w for w in data["warnings"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_pids_are_pushed_down_as_pid_matches(journals):
    res = evidence.log_show(*WINDOW, paths=[str(journals)], process=["612"])
    assert "_PID=612" in res.consulted[0].argv
    assert [e.message for e in res.events] == ["Lid closed.", "Suspending..."]
    mixed = evidence.log_show(*WINDOW, paths=[str(journals)], process=["612", "postgres"])
    assert not any(a.startswith(("_PID=", "_COMM=")) for a in mixed.consulted[0].argv)
    assert {e.process for e in mixed.events} == {"systemd-logind", "postgres"}


def test_sweep_leaves_out_dmesg_lines_without_a_boot_time_and_says_so():
    oom = sample("linux_logs", "hotsos_scenarios", "kernel__kernlog_calltrace_oom_killer__var_log_kern.log.txt")
    sweep = evidence.collect_evidence(*WINDOW, paths=[str(oom)], known_locations=False)
    mem = next(c for c in sweep.categories if c.category == "memory_pressure")
    assert mem.status == "not_found"  # an OOM kill at an unknown time is not evidence for this window
    assert "without a wall-clock time" in sweep.warnings[0].message
    shown = evidence.log_show(*WINDOW, paths=[str(oom)], contains="invoked oom-killer")
    assert shown.events and shown.events[0].time is None and "no boot time" in shown.events[0].time_meaning


def test_auto_falls_back_to_syslog_files_without_a_journal(tmp_path, monkeypatch):
    from mcp_server.sources import journald

    empty = tmp_path / "journal"
    empty.mkdir()
    monkeypatch.setattr(journald, "JOURNAL_DIRS", (str(empty),))
    syslog = tmp_path / "syslog"
    syslog.write_text("Nov 21 03:01:41 web-1 kernel: [8812.100000] Out of memory: Killed process 4121 (java) total-vm:8123456kB\n")
    monkeypatch.setattr(evidence, "SYSLOG_FILES", (str(syslog), str(tmp_path / "messages")))
    monkeypatch.setattr(evidence, "_platform_source", lambda: ("journald", None))
    res = evidence.log_show(*WINDOW, zone="UTC")
    assert [r.status for r in res.consulted] == ["unavailable", "ok"] and res.consulted[1].path == str(syslog)
    assert res.events[0].message.startswith("Out of memory: Killed process 4121")


def test_crash_reports_category_uses_the_crash_report_reader(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for p in sample("macos_crash").iterdir():
        if p.suffix in (".ips", ".crash") or p.name.endswith(".crash.txt"):
            shutil.copy(p, folder / p.name)
    sweep = evidence.collect_evidence("2016-03-15T08:00:00Z", "2016-03-15T09:00:00Z", paths=[str(folder)], known_locations=False)
    crash = next(c for c in sweep.categories if c.category == "crash_reports")
    assert crash.status == "found" and crash.count == 4  # the four idb reports of 2016-03-15 08:26-08:38 UTC
    assert all(e.evidence_id.startswith("ev-") and e.time_meaning == "crashed" for e in crash.top)


def test_crash_reports_category_without_the_reader(monkeypatch, journals):
    monkeypatch.setitem(sys.modules, "mcp_server.sources.crash_reports", None)  # import fails as when the module is absent
    sweep = evidence.collect_evidence(*WINDOW, paths=[str(journals)], known_locations=False)
    crash = next(c for c in sweep.categories if c.category == "crash_reports")
    assert crash.status == "unavailable" and crash.reason == "crash-report reader not installed"
