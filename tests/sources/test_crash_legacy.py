"""Apple text crash reports: every real sample in ../shared/samples/macos_crash, field by field."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from mcp_server.sources import crash_legacy
from mcp_server.sources.crash_reports import parse_path
from tests.conftest import sample

FIXTURES = Path(__file__).parent / "crash_fixtures"


def one(path):
    warnings = []
    reports = list(crash_legacy.parse_file(Path(path), warnings))
    assert len(reports) == 1, (path, warnings)
    return reports[0], warnings


# (file, process, pid, parent, parent pid, UTC time, os version, exception type, signal, crashed thread, top frame)
REAL = [
    ("fuzzmanager_apple-10-7-crash-report-example.txt", "js", 55788, "python", 18478,
     datetime(2017, 3, 12, 22, 55, 36, 820000, timezone.utc), "Mac OS X Server 10.7.2 (11C74)",
     "EXC_BAD_ACCESS (SIGSEGV)", "SIGSEGV", 0, "js: js::jit::LIRGenerator::visitNearbyInt(js::jit::MNearbyInt*) + 669"),
    ("fuzzmanager_apple-crash-report-example.txt", "js-dbg-64-dm-darwin-a523d4c7efe2", 27938, "bash", 27933,
     datetime(2015, 11, 20, 1, 1, 28, 214000, timezone.utc), "Mac OS X 10.11.1 (15B42)",
     "EXC_BAD_ACCESS (SIGSEGV)", "SIGSEGV", 0,
     "js-dbg-64-dm-darwin-a523d4c7efe2: js::jit::MacroAssembler::Pop(js::jit::Register) + 180 (MacroAssembler-inl.h:50)"),
    ("idb_agent_custom_set.crash", "WebDriverAgent", 39655, "launchd_sim", 39576,
     datetime(2016, 3, 15, 8, 36, 38, 33000, timezone.utc), "Mac OS X 10.11.3 (15D21)",
     "EXC_CRASH (SIGABRT)", "SIGABRT", 0, "libsystem_kernel.dylib: __pthread_kill + 10"),
    ("idb_app_custom_set.crash", "TableSearch", 40119, "launchd_sim", 39927,
     datetime(2016, 3, 15, 8, 38, 21, 236000, timezone.utc), "Mac OS X 10.11.3 (15D21)",
     "EXC_CRASH (SIGABRT)", "SIGABRT", 0, "libsystem_kernel.dylib: __pthread_kill + 10"),
    ("idb_app_default_set.crash", "TableSearch", 37083, "launchd_sim", 37007,
     datetime(2016, 3, 15, 8, 26, 41, 996000, timezone.utc), "Mac OS X 10.11.3 (15D21)",
     "EXC_CRASH (SIGABRT)", "SIGABRT", 0, "libsystem_kernel.dylib: __pthread_kill + 10"),
    ("idb_assetsd_custom_set.crash", "assetsd", 39942, "launchd_sim", 39927,
     datetime(2016, 3, 15, 8, 38, 22, 657000, timezone.utc), "Mac OS X 10.11.3 (15D21)",
     "EXC_CRASH (SIGABRT)", "SIGABRT", 5, "libsystem_kernel.dylib: __pthread_kill + 10"),
    ("sentry-acrp_XCDYouTubeKit-54.crash.txt", "iTubeDownloader", 590, "launchd", 129,
     datetime(2014, 7, 16, 0, 25, 9, tzinfo=timezone.utc), "Mac OS X 10.8.5 (12F45)",
     "SIGSEGV", "SIGSEGV", 0, "com.apple.JavaScriptCore: JSValueIsString + 155"),
    ("sentry-acrp_bruno.crash.txt", "YetAnotherMac", 49028, "launchd", 1,
     datetime(2019, 1, 9, 12, 44, 22, 75000, timezone.utc), "Mac OS X 10.14.0 (18A391)",
     "SIGSEGV", "SIGSEGV", 5, None),
    ("sentry-acrp_handcrafted.crash.txt", "YetAnotherMac", 49028, "launchd", 1,
     datetime(2019, 1, 9, 17, 42, 22, tzinfo=timezone.utc), "Mac OS X 10.14.0 (18A391)",
     "SIGSEGV", "SIGSEGV", 1, "libsystem_kernel.dylib + 0x25be"),
    ("sentry-acrp_xcode16.crash.txt", "TouchCanvas", 1052, "launchd", 1,
     datetime(2020, 3, 28, 1, 6, 51, 496900, timezone.utc), "iPhone OS 13.3.1 (17D50)",
     None, None, None, None),
]


@pytest.mark.parametrize("row", REAL, ids=[r[0] for r in REAL])
def test_real_sample_fields(row):
    name, process, pid, parent, ppid, when, osv, exc, sig, thread, top = row
    r, warnings = one(sample("macos_crash", name))
    assert warnings == []
    assert (r.process, r.pid, r.parent_process, r.parent_pid) == (process, pid, parent, ppid)
    assert r.time == when
    assert r.os_version == osv
    assert r.exception_type == exc
    assert r.signal == sig
    assert r.crashed_thread == thread
    if top is not None:
        assert r.frames[0].text() == top
    assert r.kind == "crash" and r.data_type == "macos:crash:text"
    assert r.evidence_id.startswith("ev-")


def test_bruno_crashed_thread_5_frames_come_from_its_block():
    r, _ = one(sample("macos_crash", "sentry-acrp_bruno.crash.txt"))
    assert r.crashed_thread == 5
    assert len(r.frames) == 12  # top frames only
    assert r.frames[0].image and r.frames[0].image_offset is not None and r.frames[0].symbol is None
    assert r.exception_codes == "SEGV_MAPERR at 0x88"


def test_assetsd_dispatch_queue_and_application_specific_information():
    r, _ = one(sample("macos_crash", "idb_assetsd_custom_set.crash"))
    assert r.crashed_thread_name == "Dispatch queue: com.apple.assetsd.PLChangeHub.events"
    assert "NSInternalInconsistencyException" in r.application_specific
    assert r.executable_path.startswith("/Applications/xcode_7.2.app/")
    assert r.version == "2753.1.27"


def test_handcrafted_explicit_crashed_block_wins_over_header_number():
    r, _ = one(sample("macos_crash", "sentry-acrp_handcrafted.crash.txt"))
    assert r.crashed_thread == 1 and r.crashed_thread_name == "Test Thread Name"
    assert len(r.frames) == 3


def test_report_without_header_still_yields_its_frames_with_notes():
    r, warnings = one(sample("macos_crash", "sentry-acrp_spaces.crash.txt"))
    assert r.process is None and r.time is None
    assert r.frames[0].image == "App Namespace"  # image names with spaces
    assert any("no header" in n for n in r.notes)
    assert any("no thread is marked as crashed" in n for n in r.notes)


def test_xcode16_short_header_only_report():
    r, _ = one(sample("macos_crash", "sentry-acrp_xcode16.crash.txt"))
    assert r.identifier == "com.example.apple-samplecode.TouchCanvas"
    assert r.version == "1 (3.0)"
    assert r.hardware_model == "iPhone8,1"
    assert r.incident_id == "6156848E-344E-4D9E-84E0-87AFD0D0AE7B"
    assert r.frames == []


def test_every_text_sample_in_the_folder_is_recognised_by_content():
    folder = sample("macos_crash")
    texts = [p for p in sorted(folder.iterdir()) if p.name != "SOURCES.txt" and not p.name.endswith(".ips")]
    assert len(texts) == len(REAL) + 1  # + the header-less "spaces" fragment
    warnings: list = []
    for p in texts:
        assert len(parse_path(p, warnings)) == 1, p
    assert warnings == []


def test_spindump_hang_fixture():
    r, warnings = one(FIXTURES / "Finder_2026-11-18-120000_host.hang")
    assert warnings == []
    assert (r.kind, r.data_type, r.process, r.pid) == ("hang", "macos:hang:text", "Finder", 601)
    assert r.time == datetime(2026, 11, 18, 11, 0, 0, 412000, timezone.utc)
    assert r.identifier == "com.apple.finder"


def test_legacy_panic_text():
    text = (
        "Anonymous UUID:       1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9\n\n"
        "Sat Nov 14 03:02:01 2026\n\n"
        "*** Panic Report ***\n"
        "panic(cpu 0 caller 0xffffff8002b4d7a5): Kernel trap at 0xffffff8002d2c2c9, type 14=page fault\n"
        "BSD process name corresponding to current thread: kernel_task\n\n"
        "Mac OS version:\n19H2\n"
    )
    r = crash_legacy.parse_text(text, path="/x/Kernel-2026-11-14-030201.panic", warnings=[])
    assert r.kind == "panic" and r.process == "kernel_task" and r.os_version == "19H2"
    assert r.panic_string.startswith("panic(cpu 0 caller")
    assert r.time is not None and r.time_note  # no zone written: read as local, noted


def test_text_report_as_event():
    r, _ = one(sample("macos_crash", "idb_agent_custom_set.crash"))
    ev = r.to_event()
    assert ev.time_meaning == "crashed" and ev.data_type == "macos:crash:text"
    assert ev.evidence_id == r.evidence_id and ev.pid == 39655 and ev.process == "WebDriverAgent"
    assert "SIGABRT" in ev.message and ev.extra["signal"] == "SIGABRT"
    assert ev.extra["frames"][0] == "libsystem_kernel.dylib: __pthread_kill + 10"


def test_evidence_ids_are_stable_across_reads():
    a, _ = one(sample("macos_crash", "idb_app_custom_set.crash"))
    b, _ = one(sample("macos_crash", "idb_app_custom_set.crash"))
    c, _ = one(sample("macos_crash", "idb_app_default_set.crash"))
    assert a.evidence_id == b.evidence_id != c.evidence_id


def test_cpu_resource_diag(tmp_path):
    p = tmp_path / "mds_stores_2026-11-18-031444_host.cpu_resource.diag"
    p.write_text(
        "Date/Time:        2026-11-18 03:12:44.118 +0100\n"
        "End time:         2026-11-18 03:14:51.902 +0100\n"
        "OS Version:       macOS 14.1 (Build 23B74)\n"
        "Architecture:     arm64e\n"
        "Report Version:   44\n"
        "Incident Identifier: 2C4E6A8B-0D1F-4A3C-9E5B-7D9F1B3C5E7A\n\n"
        "Data Source:      Microstackshots\n"
        "Command:          mds_stores\n"
        "Path:             /System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mds_stores\n"
        "Version:          ??? (???)\n"
        "PID:              412\n"
        "Event:            cpu usage\n"
        "Action taken:     none\n"
        "CPU:              90 seconds cpu time over 128 seconds (70% cpu average), exceeding limit of 50% cpu over 180 seconds\n"
        "Duration:         127.78s\n"
    )
    r, warnings = one(p)
    assert warnings == []
    assert (r.kind, r.data_type, r.process, r.pid) == ("diag", "macos:diag:text", "mds_stores", 412)
    assert r.time == datetime(2026, 11, 18, 2, 12, 44, 118000, timezone.utc)
