"""journald: real journal files built by systemd-journal-remote, read through the real journalctl;
saved `-o json` / `-o export` renderings; argv construction; failing, missing and hanging journalctl."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone

import orjson
import pytest

from mcp_server.errors import InputError
from mcp_server.sources import journald
from mcp_server.sources._logevent import LogFilter
from tests.conftest import sample
from tests.sources.logfixtures import BASE, build_journals

DERIVED = ("linux_logs", "derived_journalctl_renderings")
T0 = BASE
T1 = datetime(2026, 11, 21, 4, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def journals(tmp_path_factory):
    return build_journals(tmp_path_factory.mktemp("journal") / "remote")


def q(**kw) -> journald.JournalQuery:
    return journald.JournalQuery(since=T0, until=T1, **kw)


def test_argv_has_every_filter_as_its_own_element():
    argv = journald.build_argv(q(processes=["java", "a-very-long-process-name"], units=["billing-api"], identifiers=["postgres"],
                                 kernel=True, priority=3, directory="/srv/journals"))
    assert argv[:4] == ["journalctl", "-o", "json", "--no-pager"]
    assert argv[argv.index("--since") + 1] == "2026-11-21 03:00:00.000000 UTC"
    assert argv[argv.index("--until") + 1] == "2026-11-21 04:00:00.000000 UTC"
    assert argv[argv.index("--directory") + 1] == "/srv/journals"
    assert "-k" in argv and argv[argv.index("-p") + 1] == "3"
    # _COMM is truncated to 15 characters by the kernel, so the match must be too
    assert "_COMM=java" in argv and "_COMM=a-very-long-pro" in argv
    assert "_SYSTEMD_UNIT=billing-api.service" in argv and "SYSLOG_IDENTIFIER=postgres" in argv


def test_argv_refuses_option_like_paths_and_bad_priority():
    with pytest.raises(InputError):
        journald.build_argv(q(directory="--merge"))
    with pytest.raises(InputError):
        journald.build_argv(q(files=["-rf"]))
    with pytest.raises(InputError):
        journald.build_argv(q(priority=9))


def test_two_host_journal_folder_through_real_journalctl(journals):
    res = journald.query_journal(q(directory=str(journals)))
    assert res.run.status == "ok", res.run
    assert res.run.argv[res.run.argv.index("--directory") + 1] == str(journals)
    hosts = {e.host for e in res.events}
    assert hosts == {"web-1", "db-1"}
    assert res.run.events == len(res.events) == 20
    kill = next(e for e in res.events if "status=9/KILL" in e.message)
    assert kill.process == "systemd" and kill.pid == 1 and kill.level == "notice" and kill.host == "web-1"
    assert kill.extra["EXIT_STATUS"] == "9" and kill.time_zone == "UTC"
    assert kill.time == datetime(2026, 11, 21, 3, 1, 42, 3774, tzinfo=timezone.utc)
    oom = next(e for e in res.events if e.message.startswith("Out of memory: Killed process 4121"))
    assert oom.category == "kernel" and oom.extra["_TRANSPORT"] == "kernel" and oom.level == "err"


def test_byte_array_repeated_and_null_values(journals):
    res = journald.query_journal(q(directory=str(journals)))
    binary = next(e for e in res.events if e.process == "sensor-agent")
    # MESSAGE had control and invalid UTF-8 bytes: journalctl printed a byte array
    assert "checksum mismatch" in binary.message and "\ufffd" in binary.message
    long = next(e for e in res.events if e.process == "reportgen")
    # a 70 kB MESSAGE is printed as null by `journalctl -o json` (without --all)
    assert long.message == "" and "too long" in long.extra["message_omitted"]
    # repeated field TAG=rx, TAG=crc comes out as an array; entry_to_event keeps it from crashing
    ev = journald.entry_to_event({"__REALTIME_TIMESTAMP": "1", "MESSAGE": "m", "SYSLOG_IDENTIFIER": ["a", "b"], "_PID": ["7", "8"]}, None)
    assert ev.pid == 7 and ev.extra["SYSLOG_IDENTIFIER"] == ["a", "b"]


def test_field_matches_and_kernel_run_in_journalctl(journals):
    res = journald.query_journal(q(directory=str(journals), units=["billing-api"]))
    assert res.run.status == "ok"
    assert {e.message for e in res.events} == {"Started billing worker pool (threads=32)", "java.lang.OutOfMemoryError: GC overhead limit exceeded"}
    res = journald.query_journal(q(directory=str(journals), kernel=True))
    assert res.events and all(e.extra.get("_TRANSPORT") == "kernel" for e in res.events)
    res = journald.query_journal(q(directory=str(journals), processes=["systemd-logind"]))
    assert [e.message for e in res.events] == ["Lid closed.", "Suspending..."]


def test_single_file_and_window(journals):
    f = str(journals / "remote-db-1.journal")
    res = journald.query_journal(journald.JournalQuery(since=datetime(2026, 11, 21, 3, 10, tzinfo=timezone.utc), until=T1, files=[f]))
    assert {e.host for e in res.events} == {"db-1"}
    assert [e.message for e in res.events][0] == "PM: suspend exit"


def test_evidence_ids_are_stable_and_distinct(journals):
    a = journald.query_journal(q(directory=str(journals))).events
    b = journald.query_journal(q(directory=str(journals))).events
    assert [e.evidence_id for e in a] == [e.evidence_id for e in b]
    assert len({e.evidence_id for e in a}) == len(a)
    assert all(e.extra.get("cursor", "").startswith("s=") for e in a)


def test_max_events_truncates(journals):
    res = journald.query_journal(q(directory=str(journals)), max_events=3)
    assert len(res.events) == 3 and res.run.truncated


def _fake(tmp_path, name: str, body: str) -> str:
    p = tmp_path / name
    p.write_text("#!/bin/sh\n" + body)
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return str(p)


def test_missing_journalctl_is_unavailable(monkeypatch, tmp_path, journals):
    monkeypatch.setenv("PATH", str(tmp_path))
    res = journald.query_journal(q(directory=str(journals)))
    assert res.run.status == "unavailable" and "not installed" in res.run.reason and res.events == []


def test_failing_journalctl_is_error_with_stderr(tmp_path, journals):
    prog = _fake(tmp_path, "journalctl", 'echo "Failed to open files: Bad message" >&2\nexit 1\n')
    res = journald.query_journal(q(program=prog, directory=str(journals)))
    assert res.run.status == "error" and "Bad message" in res.run.reason and "status 1" in res.run.reason


def test_hanging_journalctl_is_stopped_by_the_time_limit(tmp_path, journals):
    line = orjson.dumps({"__REALTIME_TIMESTAMP": "1795230000000000", "MESSAGE": "before the hang", "__CURSOR": "s=1"}).decode()
    prog = _fake(tmp_path, "journalctl", f"echo '{line}'\nexec sleep 600\n")
    res = journald.query_journal(q(program=prog, directory=str(journals)), timeout=1.5)
    assert res.run.status == "partial" and "did not finish" in res.run.reason
    assert [e.message for e in res.events] == ["before the hang"]


def test_corrupt_lines_from_journalctl_become_one_warning(tmp_path, journals):
    good = orjson.dumps({"__REALTIME_TIMESTAMP": "1795230000000000", "MESSAGE": "ok"}).decode()
    prog = _fake(tmp_path, "journalctl", f"echo '{good}'\necho '{{\"MESSAGE\": \"no time\"}}'\necho 'garbage'\necho '{good}'\n")
    res = journald.query_journal(q(program=prog, directory=str(journals)))
    assert len(res.events) == 2 and res.run.status == "ok"
    assert len(res.warnings) == 1 and "2 line(s)" in res.warnings[0].message


def test_unreadable_journal_folder(tmp_path, journals):
    if os.geteuid() == 0:
        # root reads everything: check the missing-folder path instead of permission bits
        res = journald.query_journal(q(directory=str(tmp_path / "absent")))
        assert res.run.status == "unavailable" and "no such journal folder" in res.run.reason
        return
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.journal").write_bytes((journals / "remote-web-1.journal").read_bytes())
    (locked / "x.journal").chmod(0)
    res = journald.query_journal(q(directory=str(locked)))
    assert res.run.status in ("partial", "unavailable", "error") and res.events == []


# --- saved renderings ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["journalctl_-o_json.TZ-UTC.txt", "journalctl_-o_json-seq.TZ-UTC.txt", "journalctl_-o_json-sse.TZ-UTC.txt",
                                  "journalctl_-o_json-pretty.TZ-UTC.txt", "journalctl_-o_export.TZ-UTC.txt", "journalctl_-o_json_--all.TZ-UTC.txt"])
def test_saved_renderings_give_the_same_four_entries(name):
    from mcp_server.sources import detect

    path = sample(*DERIVED, name)
    fmt = detect(path.read_text(errors="replace")[:65536])[0]
    warnings: list = []
    events = list(fmt().parse(str(path), warnings))
    assert warnings == []
    assert len(events) == 4
    first = events[0]
    assert first.process == "systemd-coredum" and first.pid == 3740 and first.level == "crit"
    assert first.message.startswith("Process 3717 (kdeconnectd) of user 1000 dumped core.")
    assert first.time == datetime(2024, 7, 1, 11, 44, 6, 841951, tzinfo=timezone.utc)
    assert first.extra["COREDUMP_SIGNAL"] == "6"
    assert events[1].message.startswith("Unable to parse indicator of AT+BIA command")  # a byte-array MESSAGE


def test_beats_json_array_and_lnav_spacing():
    w: list = []
    events = list(journald.JournaldJsonFormat().parse(str(sample("linux_logs", "beats_journalctl_json_corner-cases.json")), w))
    assert len(events) == 2 and w == []
    assert "\r" in events[1].message  # the byte array held a carriage return
    events = list(journald.JournaldJsonFormat().parse(str(sample("linux_logs", "lnav_logfile_journald.json")), w))
    assert [e.host for e in events] == ["imx6ul-medusa", "imx6ul-medusa"] and events[0].level == "alert"


def test_odd_single_value_fields_are_read_or_counted_never_raised(tmp_path):
    """Fields that should hold one value, given as an empty list, a byte array or repeated: the
    entry is read when a value can be had, else counted in the warning; the rest of the file is
    read either way (an empty `_PID` list used to raise IndexError out of the whole read)."""
    base = {"__CURSOR": "s=1;i=1", "__REALTIME_TIMESTAMP": "1795230000000000", "MESSAGE": "ok", "_COMM": "app"}
    lines = [
        dict(base, _PID=[]),                                             # read, no pid
        dict(base, SYSLOG_PID=[], _PID=None),                            # read, no pid
        dict(base, _PID=[52, 50]),                                       # byte array "42"
        dict(base, _PID=["7", "8"]),                                     # repeated: the first
        dict(base, __REALTIME_TIMESTAMP=[49, 55, 57, 53, 50, 51, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48]),
        dict(base, __REALTIME_TIMESTAMP=[]),                             # no time: counted
        dict(base, __CURSOR=[115, 61, 50]),                              # byte-array cursor: decoded
        dict(base, MESSAGE="last"),
    ]
    path = tmp_path / "odd.json"
    text = b"\n".join(orjson.dumps(line) for line in lines) + b"\n"
    # a MESSAGE nested deeper than Python's recursion limit (orjson reads 1024 levels; write more by hand)
    text += b'{"__REALTIME_TIMESTAMP": "1795230000000000", "MESSAGE": ' + b"[" * 1000 + b'"x"' + b"]" * 1000 + b"}\n"
    text += orjson.dumps(dict(base, MESSAGE="after")) + b"\n"
    path.write_bytes(text)
    w: list = []
    events = list(journald.JournaldJsonFormat().parse(str(path), w))
    assert [e.pid for e in events[:4]] == [None, None, 42, 7]
    assert events[4].time == datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc) and events[4].time_text == "1795230000000000"
    assert events[5].extra["cursor"] == "s=2" and isinstance(events[5].time_text, str)
    assert [e.message for e in events[-2:]] == ["last", "after"]
    assert len(events) == 8 and len(w) == 1 and "2 line" in w[0].message, (len(events), w)
    for e in events:  # every extra value is what Event.extra holds: serialising warns of nothing
        e.model_dump_json(warnings="error")


def test_filter_applies_to_saved_json(tmp_path):
    path = sample(*DERIVED, "journalctl_-o_json.TZ-UTC.txt")
    flt = LogFilter(contains="gps reference")
    events = list(journald.JournaldJsonFormat().parse(str(path), [], filter=flt))
    assert [e.process for e in events] == ["python", "python"]


def test_truncated_export_file_keeps_earlier_entries(tmp_path):
    data = sample(*DERIVED, "journalctl_-o_export.TZ-UTC.txt").read_bytes()
    cut = tmp_path / "cut.export"
    cut.write_bytes(data[: int(len(data) * 0.9)])
    w: list = []
    events = list(journald.JournaldExportFormat().parse(str(cut), w))
    assert 1 <= len(events) <= 4


def test_verbose_rendering():
    from mcp_server.sources import detect

    path = sample(*DERIVED, "journalctl_-o_verbose.TZ-UTC.txt")
    fmt = detect(path.read_text(errors="replace")[:65536])[0]
    assert fmt.NAME == "journald_verbose"
    w: list = []
    events = list(fmt().parse(str(path), w))
    assert w == [] and len(events) == 4
    first = events[0]
    assert first.process == "systemd-coredum" and first.pid == 3740 and first.level == "crit" and first.host == "millennium-falcon"
    assert first.message.startswith("Process 3717 (kdeconnectd) of user 1000 dumped core.\n\nStack trace of thread 3717:\n#0  0x00007f27c56a8e44")
    assert first.time == datetime(2024, 7, 1, 11, 44, 6, 841938, tzinfo=timezone.utc)
    assert "COREDUMP_PROC_AUXV" in first.extra["blob_fields"]
    assert events[1].message == "" and "blob" in events[1].extra["message_omitted"]  # MESSAGE held a \r: shown as blob


def test_no_journal_files_is_unavailable_not_an_empty_result(tmp_path, monkeypatch):
    empty = tmp_path / "journal"
    empty.mkdir()
    res = journald.query_journal(q(directory=str(empty)))
    assert res.run.status == "unavailable" and "no journal files" in res.run.reason
    monkeypatch.setattr(journald, "JOURNAL_DIRS", (str(empty), str(tmp_path / "run-journal")))
    res = journald.query_journal(q())
    assert res.run.status == "unavailable" and "journald is not running" in res.run.reason
