"""macOS unified log: recorded real `log show` / `log stream` output in every style, realistic
fixtures, and the live `log show` argv and predicate construction (the live run needs a Mac)."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime, timedelta, timezone

import orjson
import pytest

from mcp_server.errors import InputError
from mcp_server.sources import detect, macos_log
from tests.conftest import sample

SNIP = ("macos_log", "snippets")
T0 = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)
T1 = datetime(2026, 11, 21, 4, 0, 0, 250000, tzinfo=timezone.utc)


def parse(path, **options):
    fmt = detect(path.read_text(errors="replace")[:65536])[0]
    w: list = []
    return fmt.NAME, list(fmt().parse(str(path), w, **options)), w


# --- recorded real output ---------------------------------------------------------------------------


def test_ndjson_with_trailer():
    name, events, w = parse(sample(*SNIP, "logshow_style_ndjson_coreaudio_with_trailer.ndjson"))
    assert name == "macos_log_ndjson" and w == [] and len(events) == 2  # the {"count":2,"finished":1} trailer is no event
    e = events[0]
    assert e.process == "RemotePlayerService" and e.pid == 99240
    assert (e.subsystem, e.category, e.level) == ("com.apple.coreaudio", "ac", "default")
    assert e.time == datetime(2026, 7, 26, 6, 11, 22, 348728, tzinfo=timezone.utc) and e.time_zone == "+12:00"
    assert e.extra["sender"] == "AudioCodecs" and e.extra["bootUUID"] == "3590A0B1-4C7D-4C4A-9F0B-69FAC3D0BD58"


def test_json_style_pretty_objects():
    name, events, w = parse(sample(*SNIP, "logshow_style_json_powerd_battery.json"))
    assert name == "macos_log_json" and w == [] and len(events) == 2
    assert events[0].process == "powerd" and events[0].category == "battery" and events[0].time_zone == "-04:00"


def test_default_style_with_preamble():
    name, events, w = parse(sample(*SNIP, "logshow_default_info_preamble__nirs-vmnet-broker.txt"))
    assert name == "macos_log_default" and w == []
    assert len(events) == 6  # preamble and column header are not events
    assert events[0].process == "logger" and events[0].pid == 6103 and events[0].level == "info"
    assert events[0].message == "vmnet-broker: Downloading vmnet-broker latest"
    assert events[-1].level == "default" and events[-1].message.endswith("Install completed")


def test_default_style_kernel_library_and_subsystem():
    _, events, _ = parse(sample(*SNIP, "logshow_default_amfi_kernel__xsscx-srd-issue18.txt"))
    assert len(events) == 5 and all(e.process == "kernel" and e.pid == 0 for e in events)
    assert events[0].extra["library"] == "AppleMobileFileIntegrity_research"
    assert events[0].message == "AMFI: code signature validation failed."
    _, events, _ = parse(sample(*SNIP, "logshow_default_powerd_battery.txt"))
    assert (events[0].subsystem, events[0].category) == ("com.apple.powerd", "battery")
    _, events, _ = parse(sample(*SNIP, "logshow_default_boot_marker.txt"))
    assert events[0].message.startswith("=== system boot:") and events[0].level == "timesync"
    assert events[1].message == "Previous shutdown cause: 5"


def test_log_stream_output():
    name, events, w = parse(sample(*SNIP, "logstream_default__pymobiledevice3-remotepairingd.txt"))
    assert name == "macos_log_default" and len(events) == 3 and w == []
    assert events[0].extra["library"] == "RemotePairing" and events[0].category == "networktunnelmanager"


def test_compact_style_has_no_offset_and_says_so():
    name, events, _ = parse(sample(*SNIP, "logshow_compact_style_lines.txt"), zone="America/Los_Angeles")
    assert name == "macos_log_compact"
    e = events[0]
    assert e.process == "kernel" and e.pid == 0 and e.level == "default" and e.extra["threadID"] == "2398a46"
    assert e.time == datetime(2026, 9, 6, 5, 27, 28, 221000, tzinfo=timezone.utc)  # 22:27 PDT
    assert "assumed" in e.time_zone and "America/Los_Angeles" in e.time_zone
    assert events[1].extra["library"] == "IOgPTPPlugin"


def test_syslog_style():
    name, events, _ = parse(sample(*SNIP, "logshow_syslog_style_powerd_darkwake__zearp-Nucintosh-issue9.txt"))
    assert name == "macos_log_syslog" and len(events) == 11
    dark = next(e for e in events if "DarkWake" in e.message)
    assert dark.host == "localhost" and dark.process == "powerd" and dark.pid == 67 and dark.category == "sleepWake"


# --- realistic fixtures -------------------------------------------------------------------------------

DEFAULT_MULTILINE = """\
Filtering the log data using "process == "Finder""
Timestamp                       Thread     Type        Activity             PID    TTL  
2026-11-21 03:10:00.100000+0100 0x2a1b     Error       0x0                  412    0    Finder: (CoreFoundation) [com.apple.finder:xpc] Failed to connect:
	Error Domain=NSCocoaErrorDomain Code=4099 "The connection to service was invalidated."
	UserInfo={NSDebugDescription=The connection to service was invalidated.}
2026-11-21 03:10:01.200000+0100 0x2a1b     Fault       0x0                  412    0    Finder: [com.apple.finder:app] Terminating with uncaught exception
--------------------------------------------------------------------------------------------------------------------
Log      - Default:          0, Info:                0, Debug:             0, Error:          1, Fault:          1
Activity - Create:           0, Transition:          0, Actions:           0
"""


def test_multiline_messages_and_footer(tmp_path):
    p = tmp_path / "finder.log"
    p.write_text(DEFAULT_MULTILINE)
    name, events, w = parse(p)
    assert name == "macos_log_default" and w == [] and len(events) == 2
    assert events[0].level == "error" and events[0].message.count("\n") == 2
    assert "UserInfo=" in events[0].message
    assert events[1].level == "fault" and "Log      -" not in events[1].message


def test_ndjson_corrupt_lines_and_missing_trailer(tmp_path):
    rec = {"timestamp": "2026-11-21 03:10:00.000000+0000", "eventMessage": "memorystatus: killing_specific_process pid 449 [amfidebilitate] (per-process-limit 3)",
           "processImagePath": "/kernel", "processID": 0, "messageType": "Default", "subsystem": "", "category": ""}
    p = tmp_path / "x.ndjson"
    p.write_bytes(orjson.dumps(rec) + b"\n{not json\n" + b'{"timestamp": "yesterday"}\n' + orjson.dumps(rec)[:40] + b"\n" + orjson.dumps(rec) + b"\n")
    name, events, w = parse(p)
    assert name == "macos_log_ndjson" and len(events) == 2
    assert events[0].subsystem is None and events[0].process == "kernel"
    assert len(w) == 1 and "3 line(s)" in w[0].message


def test_huge_json_array_streams_object_by_object(tmp_path):
    # one array, 20 000 records, written the way `log show --style json` writes it
    rec = {"timezoneName": "", "messageType": "Info", "eventType": "logEvent", "processImagePath": "/usr/libexec/powerd",
           "processID": 88, "subsystem": "com.apple.powerd", "category": "sleepWake", "eventMessage": "Wake reason: \"EC.LidOpen (User)\"",
           "timestamp": "2026-11-21 03:10:00.000000+0000", "machTimestamp": 1}
    p = tmp_path / "big.json"
    with p.open("wb") as f:
        f.write(b"[")
        for i in range(20000):
            rec["machTimestamp"] = i
            f.write((b"," if i else b"") + orjson.dumps(rec, option=orjson.OPT_INDENT_2))
        f.write(b"]\n")
    name, events, w = parse(p)
    assert name == "macos_log_json" and len(events) == 20000 and w == []
    assert len({e.evidence_id for e in events}) == 20000


def test_truncated_json_array_warns(tmp_path):
    text = sample(*SNIP, "logshow_style_json_powerd_battery.json").read_text()
    p = tmp_path / "cut.json"
    p.write_text("[" + text[: len(text) - 200])
    name, events, w = parse(p)
    assert len(events) == 1 and any("truncated" in x.message for x in w)


# --- live path: argv and predicates -------------------------------------------------------------------


def test_predicate_quoting_escapes_quotes_and_backslashes():
    assert macos_log.quote('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'
    q = macos_log.MacosQuery(start=T0, end=T1, processes=["Google Chrome Helper", "412"], contains='can\'t "open"',
                             subsystem="com.apple.powerd", category="sleepWake", kernel=False)
    assert macos_log.build_predicate(q) == (
        '(process == "Google Chrome Helper" OR processID == 412) AND eventMessage CONTAINS[c] "can\'t \\"open\\"" '
        'AND subsystem == "com.apple.powerd" AND category == "sleepWake"'
    )


def test_argv_is_a_list_with_the_predicate_as_one_element():
    raw = 'sender == "AppleMobileFileIntegrity" OR eventMessage CONTAINS "; rm -rf /"'
    q = macos_log.MacosQuery(start=T0, end=T1, processes=["kernel"], raw_predicate=raw, info_debug=True)
    argv = macos_log.build_argv(q)
    assert argv[:4] == ["log", "show", "--style", "ndjson"]
    assert argv[argv.index("--start") + 1] == "2026-11-21 03:00:00+0000"
    assert argv[argv.index("--end") + 1] == "2026-11-21 04:00:01+0000"  # rounded up, never cuts the window
    assert "--info" in argv and "--debug" in argv
    pred = argv[argv.index("--predicate") + 1]
    assert pred == f'process == "kernel" AND ({raw})'
    assert len(argv) == argv.index("--predicate") + 2


def test_logarchive_is_read_with_log_show_archive():
    q = macos_log.MacosQuery(start=T0, end=T1, archive="/cases/mac42/system_logs.logarchive")
    argv = macos_log.build_argv(q)
    assert argv[:3] == ["log", "show", "/cases/mac42/system_logs.logarchive"] and "--predicate" not in argv
    with pytest.raises(InputError):
        macos_log.build_argv(macos_log.MacosQuery(start=T0, end=T1, archive="-rf.logarchive"))
    with pytest.raises(InputError):
        macos_log.build_argv(macos_log.MacosQuery(start=T0, end=T1, archive="/tmp/notes.txt"))


def test_kernel_and_priority_predicates():
    q = macos_log.MacosQuery(start=T0, end=T1, kernel=True, priority=3)
    assert macos_log.build_predicate(q) == "processID == 0 AND (messageType == error OR messageType == fault)"


def test_log_missing_is_unavailable(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    res = macos_log.query_log(macos_log.MacosQuery(start=T0, end=T1))
    assert res.run.status == "unavailable" and "macOS" in res.run.reason and res.run.argv[0] == "log"


def test_fake_log_program_output_is_parsed_and_trailer_checked(tmp_path):
    """The live runner over a recorded ndjson file, served by a stand-in `log` (no Mac here)."""
    rec = sample(*SNIP, "logshow_style_ndjson_coreaudio_with_trailer.ndjson")
    prog = tmp_path / "log"
    prog.write_text(f"#!/bin/sh\ncat '{rec}'\n")
    prog.chmod(0o755)
    res = macos_log.query_log(macos_log.MacosQuery(start=T0, end=T1, program=str(prog)))
    assert res.run.status == "ok" and len(res.events) == 2 and res.warnings == []
    half = tmp_path / "log2"
    half.write_text(f"#!/bin/sh\nhead -n 1 '{rec}'\n")
    half.chmod(0o755)
    res = macos_log.query_log(macos_log.MacosQuery(start=T0, end=T1, program=str(half)))
    assert res.run.status == "partial" and "finished" in res.warnings[0].message


@pytest.mark.macos
def test_live_log_show_on_a_real_mac():
    if sys.platform != "darwin" or shutil.which("log") is None:
        pytest.skip("needs a real Mac with the `log` command")
    end = datetime.now(timezone.utc)
    res = macos_log.query_log(macos_log.MacosQuery(start=end - timedelta(minutes=2), end=end, processes=["kernel"]), max_events=50)
    assert res.run.status in ("ok", "partial") and res.run.reason is None
    assert all(e.process == "kernel" for e in res.events)


def test_console_app_copy_takes_its_date_from_the_window():
    path = sample(*SNIP, "console_app_copy_amfi__mozilla-mig-issue278.txt")
    fmt = detect(path.read_text())[0]
    assert fmt.NAME == "macos_console_copy"
    w: list = []
    events = list(fmt().parse(str(path), w, reference=datetime(2019, 5, 3, 22, 0, tzinfo=timezone.utc)))
    assert len(events) == 2 and w == []
    e = events[0]
    assert e.process == "kernel" and e.level == "default" and e.message.startswith("AMFI: allowing exception handler")
    assert e.time == datetime(2019, 5, 3, 20, 37, 16, 296978, tzinfo=timezone.utc)
    assert "date assumed from the query window" in e.time_zone
    # a time of day after the reference belongs to the day before
    events = list(fmt().parse(str(path), [], reference=datetime(2019, 5, 3, 12, 0, tzinfo=timezone.utc)))
    assert events[0].time.date().isoformat() == "2019-05-02"
