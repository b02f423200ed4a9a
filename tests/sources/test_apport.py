"""apport /var/crash reports: the real jammy sample, StacktraceTop, huge base64 blobs, bad input."""

from __future__ import annotations

from pathlib import Path

from mcp_server.sources import apport
from mcp_server.sources._crash import MAX_REPORT_BYTES
from tests.conftest import sample


def one(path, **kw):
    warnings: list = []
    reports = list(apport.parse_file(Path(path), warnings, **kw))
    assert len(reports) == 1, warnings
    return reports[0], warnings


def test_real_jammy_sleep_report():
    r, warnings = one(sample("linux_logs", "apport_jammy_usr_bin_sleep.1000.crash"))
    assert warnings == []
    assert (r.kind, r.data_type, r.problem_type) == ("apport", "linux:apport:crash", "Crash")
    assert (r.executable_path, r.command_line) == ("/usr/bin/sleep", "sleep 86400")
    assert (r.signal, r.signal_number) == ("SIGSEGV", 11)
    assert (r.process, r.pid, r.parent_pid, r.uid) == ("sleep", 27790, 1884, 1000)
    assert r.time_text == "Tue Jun 11 14:39:28 2024"
    assert r.time is not None and r.time_note and "zone" in r.time_note  # asctime has no zone
    assert r.package == "coreutils 8.32-4.1ubuntu1" and r.os_version == "Ubuntu 22.04"
    assert any("CoreDump" in n for n in r.notes)
    ev = r.to_event()
    assert ev.time_meaning == "crashed" and ev.extra["problem_type"] == "Crash"


def test_body_leaves_out_the_base64_core():
    r, _ = one(sample("linux_logs", "apport_jammy_usr_bin_sleep.1000.crash"), include_body=True)
    assert "ProcCmdline: sleep 86400" in r.body
    assert "CoreDump: base64\n [base64 data omitted]" in r.body
    assert len(r.body) < 20000


def _with_stacktrace(tmp_path: Path) -> Path:
    text = sample("linux_logs", "apport_jammy_usr_bin_sleep.1000.crash").read_text()
    top = (
        "StacktraceTop:\n"
        " __GI___clock_nanosleep (clock_id=clock_id@entry=0, flags=flags@entry=0, req=0x7ffd6c1e3a60, rem=0x0) at ../sysdeps/unix/sysv/linux/clock_nanosleep.c:78\n"
        " __GI___nanosleep (req=<optimized out>, rem=<optimized out>) at ../sysdeps/unix/sysv/linux/nanosleep.c:25\n"
        " ?? ()\n"
        " __libc_start_call_main (main=main@entry=0x57bd123e1a60, argc=argc@entry=2, argv=argv@entry=0x7ffd6c1e3c38) at ../sysdeps/nptl/libc_start_call_main.h:58\n"
        " __libc_start_main_impl (main=0x57bd123e1a60, argc=2, argv=0x7ffd6c1e3c38, init=<optimized out>, fini=<optimized out>, rtld_fini=<optimized out>, stack_end=0x7ffd6c1e3c28) at ../csu/libc-start.c:392\n"
        "Title: sleep crashed with SIGSEGV in __GI___clock_nanosleep()\n"
    )
    text = text.replace("Uname: ", top + "Uname: ", 1)
    p = tmp_path / "_usr_bin_sleep.1000.crash"
    p.write_text(text)
    return p


def test_stacktrace_top_and_title(tmp_path):
    r, warnings = one(_with_stacktrace(tmp_path))
    assert warnings == []
    assert len(r.stacktrace_top) == 5
    assert r.stacktrace_top[0].startswith("__GI___clock_nanosleep (clock_id=")
    assert r.stacktrace_top[2] == "?? ()"
    assert r.application_specific == "sleep crashed with SIGSEGV in __GI___clock_nanosleep()"
    assert "__GI___clock_nanosleep" in r.summary()


def test_huge_report_reads_text_fields_and_skips_the_blob(tmp_path):
    p = tmp_path / "big.crash"
    text = sample("linux_logs", "apport_jammy_usr_bin_sleep.1000.crash").read_text()
    head = text[: text.index("CoreDump: base64")]
    with open(p, "w") as f:
        f.write(head + "CoreDump: base64\n")
        line = " " + "A" * 76 + "\n"
        f.write(line * ((MAX_REPORT_BYTES + (1 << 20)) // len(line)))
    r, warnings = one(p)
    assert r.command_line == "sleep 86400" and r.signal == "SIGSEGV"
    assert len(warnings) == 1 and "skipped the binary data" in warnings[0].message


def test_not_apport_is_one_warning(tmp_path):
    p = tmp_path / "x.crash"
    p.write_text("Process: foo\nhello\n")
    warnings: list = []
    assert list(apport.parse_file(p, warnings)) == []
    assert len(warnings) == 1 and "not an apport report" in warnings[0].message


def test_truncated_report_keeps_what_was_written(tmp_path):
    text = sample("linux_logs", "apport_jammy_usr_bin_sleep.1000.crash").read_text()
    p = tmp_path / "cut.crash"
    p.write_text(text[: text.index("ProcCwd:")])
    r, _ = one(p)
    assert r.command_line == "sleep 86400" and r.signal is None and r.executable_path == "/usr/bin/sleep"
