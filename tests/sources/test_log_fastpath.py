"""The log sources' fast paths must build exactly the events the plain code builds.

`build_event` bypasses pydantic; the events it makes must be indistinguishable from validated
ones (same fields, same fields-set, extra and private slots, same dump).
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

from mcp_server.models import Event
from mcp_server.sources._logevent import build_event

VALUES = {
    "evidence_id": "ev-0123456789abcdef", "data_type": "journald:entry", "source": "journald",
    "time": datetime(2026, 11, 21, 3, 0, 1, 5, tzinfo=timezone.utc), "time_text": "1795230000000005", "time_zone": "UTC",
    "time_meaning": "logged", "host": "web-1", "process": "java", "pid": 42, "subsystem": "java.service",
    "category": None, "level": "err", "message": "Out of memory", "extra": {"PRIORITY": "3", "_UID": ["0", "1"]},
    "origin": "x.json:7",
}


def test_build_event_is_indistinguishable_from_a_validated_event():
    fast = build_event(dict(VALUES))
    slow = Event(**VALUES)
    assert type(fast) is Event
    assert fast == slow
    assert fast.__dict__ == slow.__dict__ and list(fast.__dict__) == list(slow.__dict__)
    assert fast.model_fields_set == slow.model_fields_set == set(Event.model_fields)
    assert fast.__pydantic_extra__ is None and fast.__pydantic_private__ is None
    assert fast.model_dump_json() == slow.model_dump_json()
    assert copy.deepcopy(fast) == slow and fast.model_copy(update={"pid": 1}).pid == 1
    assert Event.model_validate(fast.model_dump()) == fast


# --- journald and unified-log JSON: the fast readers against the reference ---------------------

import json  # noqa: E402
import random  # noqa: E402
from pathlib import Path  # noqa: E402

import orjson  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mcp_server.sources import journald, macos_log  # noqa: E402
from tests.conftest import sample  # noqa: E402
from tests.sources import log_reference as ref  # noqa: E402


def assert_same(got: Event, want: Event) -> None:
    """Field by field, including the order of `extra` and the zone object of `time`."""
    assert type(got) is Event
    assert got.__dict__ == want.__dict__
    assert list(got.__dict__) == list(want.__dict__)
    assert list(got.extra.items()) == list(want.extra.items())
    if want.time is not None:
        assert got.time.tzinfo is want.time.tzinfo
    assert got.model_fields_set == want.model_fields_set
    assert got.model_dump() == want.model_dump()


def same_outcome(fast, slow, *args) -> None:  # noqa: ANN001
    """Both convert the record to the same event, or both reject it with the same error type."""
    try:
        want = slow(*args)
    except Exception as exc:  # noqa: BLE001 - the kind of failure is what is compared
        with pytest.raises(type(exc)):
            fast(*args)
        return
    got = fast(*args)
    if want is None:
        assert got is None
    else:
        assert_same(got, want)


def assert_same_read(got: list[Event], got_w: list, want: list[Event], want_w: list) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert_same(g, w)
    assert [w.model_dump() for w in got_w] == [w.model_dump() for w in want_w]


J_SAMPLES = [
    ("linux_logs", "beats_journalctl_json_corner-cases.json"),
    ("linux_logs", "lnav_logfile_journald.json"),
    ("linux_logs", "derived_journalctl_renderings", "journalctl_-o_json.TZ-UTC.txt"),
    ("linux_logs", "derived_journalctl_renderings", "journalctl_-o_json_--all.TZ-UTC.txt"),
    ("linux_logs", "derived_journalctl_renderings", "journalctl_-o_json-seq.TZ-UTC.txt"),
    ("linux_logs", "derived_journalctl_renderings", "journalctl_-o_json-sse.TZ-UTC.txt"),
]


def one_per_line(path: Path) -> bool:
    first = path.read_bytes()[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    nl = first.find(b"\n")
    return first.startswith((b"{", b"\x1e", b"data: ")) and (nl == -1 or first[:nl].rstrip().endswith(b"}"))


@pytest.mark.parametrize("parts", J_SAMPLES, ids=lambda p: p[-1])
def test_journald_samples_read_as_before(parts):
    path = sample(*parts)
    got_w: list = []
    got = list(journald.JournaldJsonFormat().parse(str(path), got_w))
    assert got
    if one_per_line(path):
        want_w: list = []
        want = ref.read_journal_json(str(path), want_w)
        assert_same_read(got, got_w, want, want_w)
    for blob_number, ev in enumerate(got, 1):  # every entry, also of pretty or array files
        entry = {**ev.extra}  # not an input: just make sure each event is complete
        assert ev.evidence_id.startswith("ev-") and ev.time is not None, (blob_number, entry)


def test_journald_sample_entries_convert_as_before():
    checked = 0
    for parts in J_SAMPLES[:4]:
        for number, line in enumerate(sample(*parts).read_bytes().splitlines(), 1):
            line = line.strip().lstrip(b"\x1e")
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # part of a pretty-printed object
            if isinstance(entry, dict):
                checked += 1
                same_outcome(journald.entry_to_event, ref.entry_to_event, entry, f"p:{number}")
    assert checked > 5


M_SAMPLES = [("macos_log", "snippets", "logshow_style_ndjson_coreaudio_with_trailer.ndjson")]


@pytest.mark.parametrize("parts", M_SAMPLES, ids=lambda p: p[-1])
def test_macos_samples_read_as_before(parts):
    path = str(sample(*parts))
    got_w: list = []
    got = list(macos_log.MacosNdjsonFormat().parse(path, got_w))
    want_w: list = []
    want = ref.read_ndjson(path, want_w)
    assert got
    assert_same_read(got, got_w, want, want_w)


# odd journald values: what journalctl prints (strings, byte arrays, repeated fields, nulls) and
# what it never prints but a hand-made or converted file may hold
_BYTES_OK = list("héllo wörld".encode())
_BYTES_BAD = [104, 0xFF, 0xFE, 105, 0, 27]
ODD_VALUES = [
    "", "x", "java", "3", "  42 ", "1_000", "-7", "9" * 30, "é" * 600, "a" * 511, "a" * 512, "a" * 513, "m" * 9000,
    "\ud800x", "line1\nline2", None, [], [1], _BYTES_OK, _BYTES_BAD, ["a", "b"], ["a", None], [None], [["x"]],
    [1, "a"], ["a", 1], 0, 3, -1, 2**70, 1.5, float("inf"), True, False, {"k": "v"}, {},
]


def odd_entry(rnd: random.Random, i: int) -> dict:
    t = 1795230000000000 + i * 1013
    e: dict = {}
    keys = list(journald.EXTRA_FIELDS) + ["MESSAGE", "_COMM", "SYSLOG_IDENTIFIER", "_PID", "SYSLOG_PID", "_HOSTNAME",
                                          "_GID", "_CAP_EFFECTIVE", "_SYSTEMD_CGROUP", "X_CUSTOM", "__CURSOR"]
    rnd.shuffle(keys)
    for k in keys[: rnd.randrange(len(keys) + 1)]:
        roll = rnd.random()
        if roll < 0.6:
            e[k] = rnd.choice(["web-1", "java", "3", "7", "kernel", "journal", "sshd.service", f"s=1;i={i:x};x={i}", str(i)])
        else:
            e[k] = rnd.choice(ODD_VALUES)
    roll = rnd.random()
    rt: object = str(t)
    if roll < 0.1:
        rt = rnd.choice([[str(t)], t, "", "abc", None, " 123 ", str(t) + "0" * 12, "-5", [str(t), "1"]])
    if roll < 0.97:
        e["__REALTIME_TIMESTAMP"] = rt
    items = list(e.items())
    rnd.shuffle(items)  # journalctl's field order differs between entries
    return dict(items)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # odd values the old code kept too
def test_journald_odd_entries_convert_as_before():
    rnd = random.Random(3)
    for i in range(6000):
        entry = odd_entry(rnd, i)
        same_outcome(journald.entry_to_event, ref.entry_to_event, entry, f"p:{i}")
        same_outcome(journald.entry_to_event, ref.entry_to_event, entry, None)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # odd values the old code kept too
def test_journald_same_key_order_entries_convert_as_before():
    """Many entries with the same fields in the same order (the common case) and varying values."""
    rnd = random.Random(4)
    template = odd_entry(random.Random(5), 1)
    template["__REALTIME_TIMESTAMP"] = "1795230000000000"
    for i in range(3000):
        entry = {k: (rnd.choice(ODD_VALUES) if rnd.random() < 0.05 else v) for k, v in template.items()}
        same_outcome(journald.entry_to_event, ref.entry_to_event, entry, f"p:{i}")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(
    st.sampled_from(list(journald.EXTRA_FIELDS) + ["MESSAGE", "_COMM", "_PID", "_HOSTNAME", "__CURSOR", "X"]),
    st.one_of(st.none(), st.text(max_size=600), st.integers(), st.lists(st.integers(0, 255), max_size=5),
              st.lists(st.one_of(st.text(max_size=5), st.none()), max_size=3)),
))
def test_journald_any_entry_converts_as_before(fields: dict) -> None:
    entry = {"__REALTIME_TIMESTAMP": "1795230000000001", **fields}
    same_outcome(journald.entry_to_event, ref.entry_to_event, entry, "o")


def odd_journal_file(tmp_path: Path, seed: int) -> Path:
    """A `-o json` file with what the line loop must handle: json-seq and json-sse prefixes,
    blank and `\\r\\n` lines, garbage, arrays, truncated objects, odd entries."""
    rnd = random.Random(seed)
    out = []
    for i in range(2500):
        roll = rnd.random()
        if roll < 0.03:
            out.append(rnd.choice([b"", b"   ", b"garbage", b"[1,2]", b'{"a":', b"id: 7", b":keepalive", b"{}", b"\xff\xfe"]))
            continue
        entry = odd_entry(rnd, i)
        for k in ("_PID", "SYSLOG_PID"):
            if entry.get(k) == []:  # raises IndexError out of the reader, before and after (a known gap)
                entry[k] = "1"
        # the standard library writes what orjson does not (big integers, Infinity, lone surrogates)
        line = json.dumps(entry).encode() if rnd.random() < 0.5 else orjson.dumps(
            {"__REALTIME_TIMESTAMP": str(1795230000000000 + i), "__CURSOR": f"s=1;i={i:x}", "MESSAGE": f"m{i}", "_COMM": "java", "PRIORITY": "6"})
        prefix = rnd.choice([b"", b"", b"", b"\x1e", b"data: ", b"  "])
        out.append(prefix + line + (b"\r" if rnd.random() < 0.05 else b""))
    path = tmp_path / f"odd{seed}.json"
    path.write_bytes(b"\n".join(out) + rnd.choice([b"", b"\n"]))
    return path


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_journald_odd_file_reads_as_before(tmp_path, seed):
    path = odd_journal_file(tmp_path, seed)
    got_w: list = []
    got = list(journald.JournaldJsonFormat().parse(str(path), got_w))
    want_w: list = []
    want = ref.read_journal_json(str(path), want_w)
    assert len(want) > 1500 and want_w, "the file holds events and bad lines"
    assert_same_read(got, got_w, want, want_w)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.one_of(st.binary(max_size=30), st.just(b"x" * 70)), max_size=30),
       block=st.integers(1, 64), final_newline=st.booleans())
def test_line_batches_number_lines_as_raw_lines(lines: list[bytes], block: int, final_newline: bool) -> None:
    """The batches hold exactly raw_lines' lines, and each batch's first number is right."""
    import io

    from mcp_server.sources import _logevent

    data = b"\n".join(line.replace(b"\n", b"") for line in lines) + (b"\n" if final_newline and lines else b"")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_logevent, "LINE_BLOCK", block)
        w1: list = []
        w2: list = []
        want = list(enumerate(_logevent.raw_lines(io.BytesIO(data), w1, "t", None, limit=50), 1))
        got = [(n, line) for first, batch in _logevent.line_batches(io.BytesIO(data), w2, "t", None, limit=50)
               for n, line in enumerate(batch, first)]
    assert got == want
    assert [w.model_dump() for w in w2] == [w.model_dump() for w in w1]


M_ODD = [None, "", "x", "/", "/usr/libexec/powerd", "powerd", "a/b/", 0, 7, -1, 2**70, 1.5, True, [], ["/x"], {}, {"a": 1},
         "2026-11-21 03:10:00.123456+0100", "\ud800", "é/ü"]
M_KEYS = ["timestamp", "eventMessage", "processImagePath", "senderImagePath", "processID", "messageType", "subsystem",
          "category", "eventType", "bootUUID", "threadID", "traceID", "machTimestamp", "activityIdentifier", "userID",
          "finished", "count", "formatString"]
M_TIMES = ["2026-11-21 03:10:00.123456+0100", "2026-11-21 03:10:00.123456-0330", "2026-11-21 03:10:00+0000",
           "2026-11-21T03:10:00.5Z", "2026-11-21 03:10:00.123456", "yesterday", "", 5, None]


def odd_record(rnd: random.Random, i: int) -> dict:
    rec: dict = {}
    for k in rnd.sample(M_KEYS, rnd.randrange(len(M_KEYS) + 1)):
        if rnd.random() < 0.6:
            rec[k] = {"processImagePath": "/usr/libexec/powerd", "senderImagePath": rnd.choice(["/usr/libexec/powerd", "/usr/lib/libxpc.dylib"]),
                      "processID": i, "messageType": rnd.choice(["Default", "Error"]), "bootUUID": "B-1",
                      "machTimestamp": 5377653386596 + i, "threadID": i % 7, "traceID": i * 3}.get(k, f"v{i}")
        else:
            rec[k] = rnd.choice(M_ODD)
    if rnd.random() < 0.9:
        rec["timestamp"] = rnd.choice(M_TIMES) if rnd.random() < 0.2 else M_TIMES[0]
    return rec


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_macos_odd_records_convert_as_before():
    rnd = random.Random(7)
    for i in range(6000):
        same_outcome(macos_log.record_to_event, ref.record_to_event, odd_record(rnd, i), f"p:{i}")


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
@pytest.mark.parametrize("seed", [1, 2])
def test_macos_odd_file_reads_as_before(tmp_path, seed):
    rnd = random.Random(seed)
    out = [b"Filtering the log data using \"process == 1\"", b"Timestamp  Thread"]
    for i in range(2500):
        if rnd.random() < 0.03:
            out.append(rnd.choice([b"", b"  ", b"garbage", b"[1]", b'{"a":', b"{}", b"\xff"]))
        else:
            rec = odd_record(rnd, i) if rnd.random() < 0.5 else {
                "timestamp": M_TIMES[0], "eventMessage": f"m{i}", "processImagePath": "/usr/libexec/powerd",
                "bootUUID": "B", "machTimestamp": i, "threadID": 1, "traceID": 2, "processID": 5, "messageType": "Info"}
            out.append(json.dumps(rec).encode() + (b"\r" if rnd.random() < 0.05 else b""))
    out.append(b'{"count":2500,"finished":1}')
    path = tmp_path / "odd.ndjson"
    path.write_bytes(b"\n".join(out) + b"\n")
    got_w: list = []
    got = list(macos_log.MacosNdjsonFormat().parse(str(path), got_w))
    want_w: list = []
    want = ref.read_ndjson(str(path), want_w)
    assert len(want) > 1000 and want_w
    assert_same_read(got, got_w, want, want_w)
