"""The shortcuts taken before an event is built — the block search for the filter's byte needles
(`grep_lines`), the window and process checks on raw journal fields — must never change what a
filtered read returns: it must equal reading everything and keeping what `LogFilter.accepts`
accepts, for any entry shapes and any filter."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_server.sources import journald, macos_log
from mcp_server.sources._logevent import LogFilter

BASE = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)
NAMES = ["java", "JAVA", "sshd", "kworker/0:1", "systemd-journald", "systemd-journal", "postgres", "ja\\va", "jävä", ""]


def journal_entry(rnd: random.Random, i: int) -> dict:
    t = BASE + timedelta(seconds=rnd.randrange(0, 7200), microseconds=rnd.randrange(10**6))
    e: dict = {
        "__CURSOR": f"s=1;i={i:x};b=aa;m={i:x};t={i:x};x={i:x}",
        "__REALTIME_TIMESTAMP": str(int(t.timestamp()) * 10**6 + t.microsecond),
        "_HOSTNAME": rnd.choice(["web-1", "db-1"]),
        "MESSAGE": rnd.choice([
            "Out of memory: Killed process 4242 (java) total-vm:8123456kB",
            "Started Session 3 of user dev.",
            "JAVA heap dump written",
            "postgres: checkpoint complete",
        ]),
    }
    kind = rnd.randrange(6)
    name = rnd.choice(NAMES)
    if kind == 0:
        e["_COMM"] = name
    elif kind == 1:
        e["SYSLOG_IDENTIFIER"] = name
    elif kind == 2:
        e["_COMM"], e["SYSLOG_IDENTIFIER"] = name, rnd.choice(NAMES)
    elif kind == 3:
        e["_COMM"] = list(name.encode()) or None  # a byte array, as journalctl prints non-UTF-8
    elif kind == 4:
        e["SYSLOG_IDENTIFIER"] = [name, "x"]  # a repeated field
    if rnd.random() < 0.7:
        e["_PID"] = rnd.choice(["4242", "17", "0042", " 7", "abc", "-1"])
    if rnd.random() < 0.1:
        e["SYSLOG_IDENTIFIER"] = "j" * 600
    return e


filters = st.builds(
    lambda procs, contains, window: (procs, contains, window),
    st.lists(st.sampled_from(["java", "JAVA", "sshd", "systemd-journald", "4242", "42", "ja\\va", "jävä", "j" * 600]), max_size=2),
    st.sampled_from([None, "java", "killed", "ä", "dump written", "\"x"]),
    st.sampled_from([None, (0, 3600), (1800, 1801), (7000, 9000)]),
)


def make_filter(procs, contains, window) -> LogFilter:
    start = end = None
    if window:
        start, end = BASE + timedelta(seconds=window[0]), BASE + timedelta(seconds=window[1])
    return LogFilter(start=start, end=end, processes=tuple(procs), contains=contains)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32), spec=filters)
def test_filtered_journal_read_equals_filtering_every_event(tmp_path_factory, seed: int, spec) -> None:
    rnd = random.Random(seed)
    path = tmp_path_factory.mktemp("j") / "journal.json"
    path.write_bytes(b"\n".join(orjson.dumps(journal_entry(rnd, i)) for i in range(300)) + b"\n")
    fmt = journald.JournaldJsonFormat()
    everything = list(fmt.parse(str(path), []))
    want = [e for e in everything if make_filter(*spec).accepts(e)]
    got = list(fmt.parse(str(path), [], filter=make_filter(*spec)))
    assert [e.model_dump() for e in got] == [e.model_dump() for e in want]


def ndjson_record(rnd: random.Random) -> dict:
    proc = rnd.choice(["/usr/libexec/powerd", "/kernel", "/Applications/Safari.app/Contents/MacOS/Safari", "/usr/bin/java"])
    return {
        "timestamp": f"2026-11-21 03:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}.{rnd.randrange(10**6):06d}+0100",
        "messageType": rnd.choice(["Default", "Error"]), "eventType": "logEvent", "subsystem": "com.apple.runningboard",
        "category": "process", "processImagePath": proc, "senderImagePath": proc, "processID": rnd.choice([4242, 17]),
        "eventMessage": rnd.choice([
            "memorystatus: killing_specific_process pid 4242 [Safari] (per-process-limit 3) 2331079KB",
            "Wake reason: RTC (Alarm)", "MEMORYSTATUS pressure", "java started", "caf\u00e9 \"quoted\" text",
        ]),
    }


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32), procs=st.lists(st.sampled_from(["safari", "java", "4242", "kernel"]), max_size=2),
       contains=st.sampled_from([None, "memorystatus", "wake reason", "café", "quoted"]))
def test_filtered_ndjson_read_equals_filtering_every_event(tmp_path_factory, seed: int, procs, contains) -> None:
    rnd = random.Random(seed)
    path = tmp_path_factory.mktemp("m") / "log.ndjson"
    body = b"\n".join(orjson.dumps(ndjson_record(rnd)).replace(b"/", b"\\/") for _ in range(200))
    path.write_bytes(body + b'\n{"count":200,"finished":1}\n')
    fmt = macos_log.MacosNdjsonFormat()
    flt = LogFilter(processes=tuple(procs), contains=contains)
    want = [e for e in fmt.parse(str(path), []) if LogFilter(processes=tuple(procs), contains=contains).accepts(e)]
    got = list(fmt.parse(str(path), [], filter=flt))
    assert [e.model_dump() for e in got] == [e.model_dump() for e in want]
    if contains == "memorystatus" and not procs:
        assert got, "the generated log always holds memorystatus lines"


@settings(max_examples=300, deadline=None)
@given(data_type=st.sampled_from(["journald:entry", "macos:unified_log:entry"]), key=st.text())
def test_one_call_evidence_id_is_make_evidence_id(data_type: str, key: str) -> None:
    """Ids already cited in reports must still resolve: the one-call hash gives the same id."""
    from mcp_server.models import make_evidence_id
    from mcp_server.sources._logevent import id_head, key_evidence_id

    assert key_evidence_id(id_head(data_type), key) == make_evidence_id(data_type, key)
