"""systemd-coredump renderings (real samples) and real core files of processes crashed here.

Cores are produced for real: a small C program is built with gcc and made to die of SIGSEGV and
SIGABRT. When the kernel's core_pattern writes plain files (`core`, `core.%p`, or a folder path)
and RLIMIT_CORE can be raised, the kernel's own core is parsed. When it pipes cores to a helper
(systemd-coredump, apport) the core is not a file this test can direct into a temp folder without
changing the machine's settings, so the same crash is instead run under gdb and gdb writes the core
at the moment of the signal (`generate-core-file`), which carries the same notes.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mcp_server.sources import coredump
from mcp_server.sources.crash_reports import find_crash_reports, parse_path
from tests.conftest import ROOT, require, require_program, sample

CRASH_C = r"""
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    printf("%d\n", (int)getpid());
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "abort") == 0) abort();
    if (argc > 1 && strcmp(argv[1], "sleep") == 0) { sleep(120); return 0; }
    volatile int *p = (int *)0x10;
    *p = 42;
    return 0;
}
"""


@pytest.fixture(scope="module")
def crashme(tmp_path_factory) -> Path:
    gcc = require_program("gcc")
    d = tmp_path_factory.mktemp("crashbin")
    (d / "crashme.c").write_text(CRASH_C)
    subprocess.run([gcc, "-O0", "-g", "-o", str(d / "crashme"), str(d / "crashme.c")], check=True)
    return d / "crashme"


def core_pattern() -> str:
    try:
        return Path("/proc/sys/kernel/core_pattern").read_text().strip()
    except OSError:
        return ""


def kernel_core_blocker() -> str | None:
    """Why the kernel cannot write this test's core into a folder the test chooses, or None."""
    pat = core_pattern()
    if not pat:
        return "/proc/sys/kernel/core_pattern cannot be read (not Linux?)"
    if pat.startswith("|"):
        return (f"core_pattern is {pat!r}: the kernel pipes cores to {pat[1:].split()[0]}, so no core file can be "
                "directed into a temp folder without changing the machine's core_pattern")
    if pat.startswith("/") and not os.access(os.path.dirname(pat) or "/", os.W_OK):
        return f"core_pattern {pat!r} writes into a folder this user cannot write"
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    if hard == 0:
        return "the hard RLIMIT_CORE is 0, so the kernel writes no cores for this user"
    return None


def _raise_core_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def crash_with_kernel_core(exe: Path, mode: str, folder: Path) -> tuple[int, Path]:
    started = time.time()
    proc = subprocess.run([str(exe), mode, "extra arg"], cwd=folder, preexec_fn=_raise_core_limit,
                          capture_output=True, timeout=60)
    pid = int(proc.stdout.split()[0])
    assert proc.returncode < 0
    pat = core_pattern()
    where = folder if not pat.startswith("/") else Path(os.path.dirname(pat))
    for _ in range(50):
        found = [p for p in where.iterdir() if p.is_file() and p.name != exe.name and p.stat().st_mtime >= started - 1
                 and (p.name == "core" or str(pid) in p.name)]
        if found:
            return pid, found[0]
        time.sleep(0.1)
    raise AssertionError(f"the kernel wrote no core for pid {pid} (core_pattern {pat!r})")


def crash_under_gdb(exe: Path, mode: str, folder: Path) -> tuple[int, Path]:
    gdb = require_program("gdb")
    core = folder / "gdb.core"
    out = subprocess.run([gdb, "-nx", "-batch", "-ex", "run", "-ex", f"generate-core-file {core}",
                          "--args", str(exe), mode, "extra arg"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert core.exists(), out.stdout + out.stderr
    pid = int(re.search(r"^(\d+)$", out.stdout, re.M).group(1))
    return pid, core


@pytest.mark.parametrize("mode,sig", [("segv", "SIGSEGV"), ("abort", "SIGABRT")])
def test_real_crash_core_is_parsed(crashme, tmp_path, mode, sig, record_property, monkeypatch):
    blocker = kernel_core_blocker()
    if blocker is None:
        pid, core = crash_with_kernel_core(crashme, mode, tmp_path)
        record_property("core_written_by", "kernel")
    else:
        pid, core = crash_under_gdb(crashme, mode, tmp_path)
        record_property("core_written_by", f"gdb (kernel core impossible here: {blocker})")
    warnings: list = []
    reports = parse_path(core, warnings)
    assert warnings == []
    assert len(reports) == 1
    r = reports[0]
    assert (r.kind, r.data_type) == ("core", "linux:core:elf")
    assert r.pid == pid
    assert r.process == "crashme"
    assert r.signal == sig and r.signal_number == int(getattr(signal, sig))
    assert r.command_line.endswith(f"crashme {mode} extra arg")
    assert r.executable_path == str(crashme)
    if sig == "SIGSEGV":
        assert r.exception_codes.endswith("at 0x10")  # the address the program wrote to
    assert r.time is not None and r.time_note
    # found by content through find_crash_reports too, by pid (only in this folder)
    from mcp_server.sources import crash_reports

    monkeypatch.setattr(crash_reports, "default_locations", lambda: [])
    monkeypatch.setattr(crash_reports, "use_coredumpctl", lambda: False)
    res = find_crash_reports(pid=pid, paths=[str(tmp_path)])
    assert [x.pid for x in res.reports] == [pid]
    assert res.reports[0].to_event().time_meaning == "crashed"


def test_gdb_core_of_a_live_process(crashme, tmp_path):
    gdb = require_program("gdb")
    proc = subprocess.Popen([str(crashme), "sleep", "--flag"], stdout=subprocess.PIPE)
    try:
        pid = int(proc.stdout.readline())
        core = tmp_path / f"core.{pid}"
        out = subprocess.run([gdb, "-nx", "-batch", "-p", str(pid), "-ex", f"generate-core-file {core}"],
                             capture_output=True, text=True, timeout=120)
        assert core.exists(), out.stderr
    finally:
        proc.kill()
        proc.wait()
    warnings: list = []
    [r] = parse_path(core, warnings)
    assert warnings == []
    assert (r.pid, r.process, r.parent_pid) == (pid, "crashme", os.getpid())
    # gdb 13 fills pr_psargs from /proc/PID/cmdline up to its first NUL, so only argv[0] survives
    assert r.command_line.split()[0] == str(crashme)


def test_truncated_core_is_one_warning(crashme, tmp_path):
    _pid, core = crash_under_gdb(crashme, "segv", tmp_path)
    data = core.read_bytes()
    cut = tmp_path / "core.cut"
    cut.write_bytes(data[:100])
    warnings: list = []
    assert parse_path(cut, warnings) == []
    assert len(warnings) == 1 and ("truncated" in warnings[0].message or "PT_NOTE" in warnings[0].message)


def test_non_core_elf_is_not_a_crash(crashme):
    warnings: list = []
    assert parse_path(crashme, warnings) == []
    assert len(warnings) == 1 and "not a crash report" in warnings[0].message


def test_systemd_compressed_core_name(tmp_path):
    p = tmp_path / "core.kdeconnectd.1000.62c460d8931346bf85d24dfe22d2d2fb.3717.1719834246000000.zst"
    p.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 32)  # zstd magic; contents are not read
    [r] = parse_path(p, [])
    assert (r.process, r.pid, r.uid, r.data_type) == ("kdeconnectd", 3717, 1000, "linux:coredump:file")
    assert r.time.isoformat() == "2024-07-01T11:44:06+00:00"


# --- systemd-coredump renderings (real entries) ---------------------------------------------

RENDER = "derived_journalctl_renderings"


def test_coredumpctl_info_sample():
    [r] = parse_path(sample("linux_logs", RENDER, "coredumpctl_info.TZ-UTC.txt"), warnings := [])
    assert warnings == []
    assert (r.kind, r.data_type, r.process, r.pid) == ("coredump", "linux:coredump:info", "kdeconnectd", 3717)
    assert (r.signal, r.signal_number, r.uid) == ("SIGABRT", 6, 1000)
    assert r.time.isoformat() == "2024-07-01T11:44:06+00:00" and r.time_text == "Mon 2024-07-01 11:44:06 UTC"
    assert r.command_line == "kdeconnectd" and r.executable_path == "/usr/bin/kdeconnectd"
    assert r.unit == "user@1000.service" and r.user_unit == "dbus-:1.9-org.kde.kdeconnect@0.service"
    assert r.storage.endswith("3717.1719834246000000.zst (missing)")
    assert r.host == "millennium-falcon"
    assert r.crashed_thread == 3717 and len(r.frames) == 12
    assert r.frames[1].text() == "libc.so.6: raise (+0x3ca30)"
    assert r.frames[0].text() == "libc.so.6 + 0x94e44"


def test_coredumpctl_list_sample():
    [r] = parse_path(sample("linux_logs", RENDER, "coredumpctl_list.TZ-UTC.txt"), warnings := [])
    assert warnings == []
    assert (r.pid, r.uid, r.signal, r.storage, r.executable_path, r.process) == (
        3717, 1000, "SIGABRT", "missing", "/usr/bin/kdeconnectd", "kdeconnectd")
    assert r.time.isoformat() == "2024-07-01T11:44:06+00:00"


def test_beats_corner_cases_journal_entry():
    reports = parse_path(sample("linux_logs", "beats_journalctl_json_corner-cases.json"), warnings := [])
    assert warnings == []
    assert len(reports) == 1  # two entries, one of them a coredump
    r = reports[0]
    assert (r.data_type, r.process, r.pid, r.parent_pid, r.signal) == ("linux:coredump:journal", "kdeconnectd", 3717, 1998, "SIGABRT")
    assert r.storage.startswith("/var/lib/systemd/coredump/core.kdeconnectd.")
    assert r.command_line == "kdeconnectd" and r.unit == "user@1000.service"
    assert r.host == "millennium-falcon"
    assert r.stacktrace_top[:3] == ["libc.so.6 + 0x94e44", "libc.so.6: raise (+0x3ca30)", "libc.so.6: abort (+0x244c3)"]


@pytest.mark.parametrize("name", [
    "journalctl_-o_json.TZ-UTC.txt", "journalctl_-o_json_--all.TZ-UTC.txt", "journalctl_-o_json-pretty.TZ-UTC.txt",
    "journalctl_-o_json-seq.TZ-UTC.txt", "journalctl_-o_json-sse.TZ-UTC.txt", "journalctl_-o_export.TZ-UTC.txt",
    "INPUT_generated_from_json.export", "journalctl_-o_verbose.TZ-UTC.txt",
])
def test_every_structured_journal_rendering_gives_the_same_dump(name):
    reports = parse_path(sample("linux_logs", RENDER, name), warnings := [])
    assert warnings == []
    assert [(r.pid, r.process, r.signal, r.time.isoformat(), r.unit) for r in reports] == [
        (3717, "kdeconnectd", "SIGABRT", "2024-07-01T11:44:06+00:00", "user@1000.service")]
    assert reports[0].frames[2].symbol == "abort"


def test_journal_json_with_a_bad_line(tmp_path):
    good = sample("linux_logs", RENDER, "journalctl_-o_json.TZ-UTC.txt").read_text().splitlines()
    p = tmp_path / "j.json"
    p.write_text("\n".join([good[0], '{"COREDUMP_PID": "1", broken', *good[1:]]) + "\n")
    reports = parse_path(p, warnings := [])
    assert len(reports) == 1 and len(warnings) == 1 and "not a valid JSON journal entry" in warnings[0].message


def test_coredumpctl_missing_is_reported_unavailable(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    reports, warnings, runs = coredump.from_coredumpctl(None, None)
    assert reports == [] and warnings == []
    assert runs[0].status == "unavailable" and "coredumpctl" in runs[0].reason
    assert runs[0].argv[:2] == ["coredumpctl", "--no-pager"]


# --- live coredumpctl, against a real journal file -----------------------------------------


def _coredumpctl_dir() -> str | None:
    """coredumpctl on PATH, or the copy scripts/test unpacks into .cache (never installed: see there)."""
    found = shutil.which("coredumpctl")
    if found:
        return os.path.dirname(found)
    local = ROOT / ".cache" / "systemd-coredump" / "usr" / "bin"
    return str(local) if (local / "coredumpctl").exists() else None


@pytest.fixture
def coredumpctl_journal(tmp_path, monkeypatch) -> Path:
    """A real journal file holding the beats systemd-coredump entry, written by systemd-journal-remote."""
    d = _coredumpctl_dir()
    require(d is not None, "coredumpctl is not available (scripts/test unpacks systemd-coredump into .cache)")
    monkeypatch.setenv("PATH", f"{os.environ.get('PATH', '')}:{d}")
    remote = next((p for p in ("/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote")
                   if os.access(p, os.X_OK)), None)
    require(remote is not None, "systemd-journal-remote is not installed")
    export = sample("linux_logs", RENDER, "INPUT_generated_from_json.export")
    journal = tmp_path / "remote.journal"
    subprocess.run([remote, "-o", str(journal), str(export)], check=True, capture_output=True, timeout=60)
    return journal


def test_live_coredumpctl_on_a_journal_file(coredumpctl_journal):
    reports, warnings, runs = coredump.from_coredumpctl(None, None, journal=str(coredumpctl_journal))
    assert warnings == []
    assert [r.status for r in runs] == ["ok", "ok"]
    assert runs[0].argv == ["coredumpctl", "--no-pager", f"--file={coredumpctl_journal}", "--json=short", "list"]
    assert runs[1].argv[-2:] == ["info", "COREDUMP_PID=3717"]
    [r] = reports
    assert (r.data_type, r.process, r.pid, r.signal, r.uid) == ("linux:coredump:coredumpctl", "kdeconnectd", 3717, "SIGABRT", 1000)
    assert r.command_line == "kdeconnectd" and r.unit == "user@1000.service"
    assert r.storage.endswith(".zst (missing)")
    assert r.frames[2].symbol == "abort"
    assert r.time.isoformat().startswith("2024-07-01T11:44:06")


def test_live_coredumpctl_window_without_dumps(coredumpctl_journal):
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    reports, warnings, runs = coredump.from_coredumpctl(start, None, journal=str(coredumpctl_journal))
    assert reports == [] and warnings == []
    assert runs[0].status == "ok" and "--since=@1735689600" in runs[0].argv
    assert "No coredumps found" in runs[0].reason
    # the same window syntax around the dump finds it
    around = (datetime(2024, 7, 1, 11, tzinfo=timezone.utc), datetime(2024, 7, 1, 12, tzinfo=timezone.utc))
    reports, _, runs = coredump.from_coredumpctl(*around, journal=str(coredumpctl_journal))
    assert [r.pid for r in reports] == [3717] and runs[0].status == "ok"


def test_find_crash_reports_reads_a_given_journal_file_through_coredumpctl(coredumpctl_journal, monkeypatch):
    from mcp_server.sources import crash_reports

    monkeypatch.setattr(crash_reports, "default_locations", lambda: [])
    monkeypatch.setattr(crash_reports, "use_coredumpctl", lambda: False)
    res = find_crash_reports(paths=[str(coredumpctl_journal)], process="kdeconnect")
    assert [(r.pid, r.data_type) for r in res.reports] == [(3717, "linux:coredump:coredumpctl")]
    assert any(c.argv and "--json=short" in c.argv for c in res.consulted)
