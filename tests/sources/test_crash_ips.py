"""Apple .ips reports: the real idb sample (hard header), fixtures for 309/298/210/109, bad input."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from mcp_server.sources import crash_ips
from tests.conftest import sample

FIXTURES = Path(__file__).parent / "crash_fixtures"


def parse(path):
    warnings: list = []
    reports = list(crash_ips.parse_file(Path(path), warnings))
    return reports, warnings


def one(path):
    reports, warnings = parse(path)
    assert len(reports) == 1, warnings
    return reports[0], warnings


def test_idb_sample_with_braces_and_quotes_in_app_name():
    p = sample("macos_crash", "idb_xctest-concated-json-crash.ips")
    header = p.read_text().split("\n", 1)[0]
    assert '"app_name":"x{cte\\"st"' in header  # the hard part is really there
    r, warnings = one(p)
    assert warnings == []
    assert (r.kind, r.data_type, r.bug_type) == ("crash", "macos:crash:ips", "309")
    assert (r.process, r.pid, r.parent_process, r.parent_pid) == ("xctest3", 82406, "idb", 81861)
    assert r.time == datetime(2022, 4, 20, 13, 36, 33, 576700, timezone.utc) and r.time_zone == "+01:00"
    assert r.os_version == "macOS 12.3.1 (21E258)"
    assert (r.exception_type, r.signal, r.signal_number) == ("EXC_BREAKPOINT", "SIGTRAP", 5)
    assert r.exception_codes == "0x0000000000000001, 0x000000010482d290"
    assert (r.termination_namespace, r.termination_code, r.termination_reason) == ("SIGNAL", "5", "Trace/BPT trap: 5")
    assert r.termination_by == "exc handler [82406]"
    assert r.crashed_thread == 0 and r.crashed_thread_name == "Dispatch queue: com.apple.main-thread"
    f0 = r.frames[0]
    assert (f0.image, f0.symbol, f0.offset, f0.source_file, f0.source_line) == (
        "TpxUnitTests", "-[TpxUnitTests testExample1]", 48, "TpxUnitTests.m", 15)
    assert f0.image_offset == 4752
    assert r.incident_id == "FC4D11AC-D309-4C8E-816E-7B6E676A86BB"


def test_header_and_body_concatenated_on_one_line(tmp_path):
    text = sample("macos_crash", "idb_xctest-concated-json-crash.ips").read_text()
    header, body = text.split("\n", 1)
    p = tmp_path / "oneline.ips"
    p.write_text(header + json.dumps(json.loads(body)))
    r, warnings = one(p)
    assert warnings == [] and r.pid == 82406 and r.frames


def test_codesigning_termination_fixture():
    r, warnings = one(FIXTURES / "MyTool-2026-11-20-101112.ips")
    assert warnings == []
    assert (r.process, r.pid, r.parent_process, r.responsible_process) == ("MyTool", 48213, "zsh", "iTerm2")
    assert (r.termination_namespace, r.termination_code, r.termination_reason) == ("CODESIGNING", "2", "Invalid Page")
    assert r.exception_type == "EXC_BAD_ACCESS" and r.signal == "SIGKILL"
    assert r.exception_subtype == "UNKNOWN_0x32 at 0x0000000104a1c000"
    assert r.identifier == "com.example.mytool" and r.version == "1.2.0"
    assert [f.text() for f in r.frames] == ["MyTool: main + 0", "dyld: start + 2360"]
    assert r.frames[0].address == hex(4372660224 + 16384)
    ev = r.to_event()
    assert ev.extra["termination_namespace"] == "CODESIGNING" and "CODESIGNING" in ev.message


def test_jetsam_killed_crash_fixture_maps_the_jetsam_code_to_its_reason():
    r, _ = one(FIXTURES / "Notes-2026-11-20-094512.ips")
    assert (r.process, r.pid) == ("MobileNotes", 3391)
    assert (r.termination_namespace, r.termination_code, r.termination_reason) == ("JETSAM", "7", "per-process-limit")
    assert r.os_version == "iPhone OS 17.1 (21B80)"
    assert r.frames[-1].symbol is None and r.frames[-1].text() == "MobileNotes + 0x4470"


def test_jetsam_event_fixture():
    r, warnings = one(FIXTURES / "JetsamEvent-2026-11-20-094500.ips")
    assert warnings == []
    assert (r.kind, r.data_type, r.bug_type) == ("jetsam", "macos:jetsam:ips", "298")
    assert r.largest_process == "MobileSafari"
    assert [(p.name, p.pid, p.reason) for p in r.jetsam_processes] == [
        ("MobileNotes", 3391, "per-process-limit"), ("mediaanalysisd", 412, "vm-pageshortage")]
    assert r.termination_reason == "per-process-limit, vm-pageshortage"
    assert r.time == datetime(2026, 11, 20, 8, 44, 59, 870000, timezone.utc)
    assert r.hardware_model == "iPhone15,2"
    ev = r.to_event()
    assert ev.extra["largest_process"] == "MobileSafari"
    assert ev.extra["jetsam_processes"] == ["MobileNotes [3391]: per-process-limit", "mediaanalysisd [412]: vm-pageshortage"]


def test_panic_fixture():
    r, warnings = one(FIXTURES / "panic-full-2026-11-19-231500.0002.ips")
    assert warnings == []
    assert (r.kind, r.bug_type, r.process, r.pid) == ("panic", "210", "kernel_task", 0)
    assert r.panic_string.startswith("panic(cpu 4 caller 0xfffffe0017a0c2e8): watchdog timeout")
    assert r.time == datetime(2026, 11, 19, 22, 14, 58, 310000, timezone.utc)


def test_text_body_ips_fixture():
    r, warnings = one(FIXTURES / "ExcUserFault_legacy-2026-11-17-080000.ips")
    assert warnings == []
    assert (r.kind, r.bug_type, r.process, r.pid) == ("crash", "109", "backupd", 2231)
    assert (r.termination_namespace, r.termination_code) == ("SIGNAL", "0xb")
    assert r.crashed_thread == 3 and r.frames[0].symbol == "objc_msgSend"
    assert r.incident_id == "0B1C2D3E-4F5A-4B6C-7D8E-9F0A1B2C3D4E"


def test_synced_copy_reads_alike(tmp_path):
    src = FIXTURES / "MyTool-2026-11-20-101112.ips"
    dst = tmp_path / "MyTool-2026-11-20-101112.ips.synced"
    dst.write_bytes(src.read_bytes())
    r, _ = one(dst)
    assert r.termination_namespace == "CODESIGNING"


# --- bad input: a warning per file, what can be read is kept ---------------------------------


def test_truncated_body_keeps_header_and_salvaged_fields(tmp_path):
    text = (FIXTURES / "MyTool-2026-11-20-101112.ips").read_text()
    p = tmp_path / "cut.ips"
    p.write_text(text[: text.index('"termination"')])
    r, warnings = one(p)
    assert len(warnings) == 1 and "malformed or truncated" in warnings[0].message
    assert (r.process, r.pid, r.exception_type, r.signal) == ("MyTool", 48213, "EXC_BAD_ACCESS", "SIGKILL")
    assert r.time == datetime(2026, 11, 20, 9, 11, 12, 441800, timezone.utc)
    assert any("truncated" in n for n in r.notes)


def test_header_only(tmp_path):
    p = tmp_path / "h.ips"
    p.write_text((FIXTURES / "JetsamEvent-2026-11-20-094500.ips").read_text().split("\n", 1)[0] + "\n")
    r, warnings = one(p)
    assert len(warnings) == 1 and "no body" in warnings[0].message
    assert r.kind == "jetsam" and r.incident_id == "7C1E3A5B-9D2F-4A6C-8E0B-1D3F5A7C9E2B"
    assert r.time == datetime(2026, 11, 20, 8, 45, tzinfo=timezone.utc)


def test_malformed_header_is_one_warning_and_no_report(tmp_path):
    p = tmp_path / "bad.ips"
    p.write_text('{"bug_type":"309","timestamp":"2026-11-20 10:11:12.00 +0100",\n{"procName":"x"}\n')
    reports, warnings = parse(p)
    assert reports == [] and len(warnings) == 1 and "header line is not valid JSON" in warnings[0].message


def test_body_that_is_not_an_object(tmp_path):
    p = tmp_path / "arr.ips"
    p.write_text('{"bug_type":"309","name":"x","timestamp":"2026-11-20 10:11:12.00 +0100"}\n[1,2,3]\n')
    r, warnings = one(p)
    assert r.process == "x" and len(warnings) == 1


def test_unknown_bug_type_keeps_header_fields(tmp_path):
    p = tmp_path / "stack.ips"
    p.write_text('{"bug_type":"288","name":"stacks","timestamp":"2026-11-20 10:11:12.00 +0100","os_version":"macOS 14.1 (23B74)"}\n{"pid":7}\n')
    r, warnings = one(p)
    assert r.kind == "diagnostic" and r.bug_type == "288" and r.os_version == "macOS 14.1 (23B74)"
    assert warnings == [] and any("288" in n for n in r.notes)


def test_invalid_utf8_is_replaced_and_warned(tmp_path):
    data = (FIXTURES / "MyTool-2026-11-20-101112.ips").read_bytes().replace(b'"zsh"', b'"z\xffsh"')
    p = tmp_path / "u.ips"
    p.write_bytes(data)
    r, warnings = one(p)
    assert r.parent_process == "z\ufffdsh" and len(warnings) == 1 and "UTF-8" in warnings[0].message


def test_include_body_is_bounded(tmp_path):
    r = list(crash_ips.parse_file(FIXTURES / "MyTool-2026-11-20-101112.ips", [], include_body=True))[0]
    assert r.body.startswith('{"app_name":"MyTool"') and r.body_truncated is False
