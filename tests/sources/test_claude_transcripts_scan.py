"""The fast transcript scan against a slow reference.

The scan (`_scan_file` / `_scan_region` / `_parse_lines`) only parses the lines that hold a marker,
finds them with one search per marker over 2 MB blocks (StringZilla's SIMD search, or CPython's
`bytearray.find` without it) and indexes the common line inline. The reference here reads every
line of every file, parses each one fully with orjson and applies the scanner's general indexing
rules (`_Scanner.uses` / `_Scanner.notes`) to it. Both must find the same calls, in the same order,
with the same notes and the same count of bad lines: on the real transcripts, and on generated ones
full of traps (marker text inside strings, escaped quotes and backslashes, nested calls, duplicate
ids, invalid JSON, invalid UTF-8, NUL bytes, cut last lines), with blocks so small that every line
straddles a block boundary, with and without the SIMD search.

The one assumption both make explicit: Claude Code writes compact JSON (`JSON.stringify`), so a
tool_use block always holds the bytes `"type":"tool_use"`; generated lines are compact too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_server.sources import claude_transcripts as ct
from tests.conftest import sample

BLOCK_SIZES = (7, 64, 257, 4096, 2 << 20)


def _parse(raw: bytes) -> Optional[dict[str, Any]]:
    """What the scanner accepts as a line: JSON (bad UTF-8 read as U+FFFD), an object."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            obj = orjson.loads(raw.decode("utf-8", "replace"))
        except orjson.JSONDecodeError:
            return None
    return obj if isinstance(obj, dict) else None


def everything() -> ct.Collector:
    return ct.Collector("first", 10**9)


def reference(files: list[ct.TranscriptFile], tools: Optional[frozenset[str]] = None,
              collector: Callable[[], ct.Collector] = everything) -> tuple[ct.Scan, int]:
    """Every line parsed, every parsed line given to the general indexing rules; returns the scan
    and the number of bad lines the fast scan must report (bad lines holding a marker, and a bad
    unterminated last line)."""
    scan = ct.Scan(files=files, collector=collector())
    scanner = ct._Scanner(scan, tools, None, None)
    bad = 0
    for fidx, tf in enumerate(files):
        data = tf.path.read_bytes()
        lines = data.split(b"\n")
        off = 0
        for i, raw in enumerate(lines):
            unterminated = i == len(lines) - 1
            has_use = ct.USE_MARKER in raw
            has_note = any(m in raw for m in ct.NOTE_MARKERS)
            if raw.strip():
                obj = _parse(raw)
                if obj is None:
                    bad += has_use or has_note or unterminated
                else:
                    scanner.uses(fidx, off, obj)
                    if has_note or unterminated:  # the last, unterminated line is always looked at
                        scanner.notes(fidx, off, obj)
            off += len(raw) + 1
    scan.collector.finish()
    return scan, bad


def assert_same(files: list[ct.TranscriptFile], tools: Optional[frozenset[str]] = None,
                collector: Callable[[], ct.Collector] = everything) -> ct.Scan:
    got = ct.scan_files(files, tools, None, None, collector())
    want, bad = reference(files, tools, collector)
    assert got.collector.entries() == want.collector.entries()
    assert [getattr(got.collector, k) for k in ("total", "remaining", "seen_count")] == \
        [getattr(want.collector, k) for k in ("total", "remaining", "seen_count")]
    assert got.notes == want.notes
    assert got.stats.invalid_lines + got.stats.truncated_last_lines == bad
    assert got.stats.oversized_lines == 0
    return got


@pytest.fixture(params=["simd", "python"])
def search(request, monkeypatch):
    """Run a test with StringZilla's search, and with CPython's alone."""
    if request.param == "python":
        monkeypatch.setattr(ct, "_SzStr", None)
    else:
        assert ct._SzStr is not None, "stringzilla is a declared dependency"
    return request.param


# ------------------------------------------------------------------ real transcripts


@pytest.mark.parametrize("block", BLOCK_SIZES)
def test_real_transcripts_equal_a_full_parse(monkeypatch, search, block):
    monkeypatch.setattr(ct, "BLOCK_BYTES", block)
    files, _ = ct.locate(paths=[str(sample("claude_sessions", "generated_offline_2.1.330")),
                                str(sample("claude_sessions", "generated_offline_2.1.197"))])
    assert len(files) == 4
    for tools in (None, frozenset({"Bash", "Agent", "Task"})):
        got = assert_same(files, tools)
    assert got.collector.total == 14  # Bash and Agent calls, main agents and subagents
    assert all(c == 0 for c in (got.stats.invalid_lines, got.stats.truncated_last_lines))


def test_haystack_view_searches_like_bytearray():
    buf = bytearray(b'{"a":1}\n{"type":"tool_use"}\n' * 3)
    hay = ct._haystack(buf)
    for start, end in ((0, len(buf)), (9, 20), (30, len(buf) - 1), (len(buf), 0), (-5, len(buf) + 9)):
        assert hay.find(ct.USE_MARKER, start, end) == buf.find(ct.USE_MARKER, start, end)


# ------------------------------------------------------------------ traps, by hand

TS = "2026-11-21T10:00:00.000Z"
BASE = {"parentUuid": None, "isSidechain": False, "userType": "external", "cwd": "/home/dev/app",
        "sessionId": "5b1f0a52-8c1e-4f53-9a0e-3d1f7e2b9c10", "version": "2.1.330", "gitBranch": "main"}


def jl(**fields: Any) -> bytes:
    return orjson.dumps({**BASE, **fields}) + b"\n"


def use_line(blocks: list[dict], ts: Any = TS, **extra: Any) -> bytes:
    return jl(message={"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-opus-5-5",
                       "content": blocks, "stop_reason": "tool_use"}, type="assistant", uuid="u", timestamp=ts, **extra)


def block(tid: str, name: str = "Bash", inp: Optional[dict] = None, order: int = 0) -> dict:
    items = [("type", "tool_use"), ("id", tid), ("name", name), ("input", inp or {"command": "true"})]
    return dict(items[order % 4:] + items[: order % 4])


def write(tmp_path: Path, data: bytes) -> list[ct.TranscriptFile]:
    p = tmp_path / "proj" / "5b1f0a52-8c1e-4f53-9a0e-3d1f7e2b9c10.jsonl"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    files, _ = ct.locate(paths=[str(p)])
    return files


TRAPS = b"".join([
    # marker text inside strings: JSON escapes every quote, so these bytes are never the marker
    jl(type="user", uuid="a", timestamp=TS, message={"role": "user", "content": 'grep \'"type":"tool_use"\' *.jsonl'}),
    jl(type="user", uuid="b", timestamp=TS, message={"role": "user", "content": [
        {"tool_use_id": "toolu_01A", "type": "tool_result", "content": '{"type":"tool_use","id":"toolu_FAKE"}\\"\\\\'}]},
       toolUseResult={"stdout": '\\"type\\":\\"tool_use\\" "subtype":" "isApiErrorMessage":true', "stderr": ""}),
    # keys in any order, several blocks, text blocks between, duplicates of one id
    use_line([{"type": "text", "text": "first"}, block("toolu_01A", order=1), block("toolu_01B", "Read", {"file_path": "/x"}, 2)]),
    use_line([block("toolu_01A", order=3)], ts="2026-11-21T10:00:05.000Z"),
    use_line([block("toolu_01C", "Agent", {"prompt": 'say "hi" \\ \u2028 é', "subagent_type": "x"}, 1)], ts="2026-11-21T10:00:01Z"),
    use_line([block("toolu_01D", order=2)], ts="2026-11-21T11:00:01.5+01:00"),
    use_line([block("toolu_01E")], ts=12345),
    # nested: a subagent's call inside a progress line, and a block deep in an unknown line type
    jl(type="progress", uuid="p", timestamp=TS, data={"type": "agent_progress", "agentId": "a1", "message": {
        "type": "assistant", "timestamp": "2026-11-21T10:00:02.000Z", "message": {"content": [block("toolu_01N", order=1)]}}}),
    jl(type="brand-new-type", uuid="q", timestamp=TS, payload=[[{"deep": block("toolu_01Q", "Grep", {"pattern": "x"})}]]),
    # notes
    jl(type="system", subtype="compact_boundary", uuid="s", timestamp=TS, content="Conversation compacted",
       compactMetadata={"trigger": "auto", "preTokens": 1}),
    jl(type="system", subtype="api_error", uuid="e", timestamp=TS, error={"status": 529}, retryAttempt=1, maxRetries=10),
    jl(type="assistant", uuid="f", timestamp=TS, isApiErrorMessage=True,
       message={"content": [{"type": "text", "text": "API Error: 429 rate_limit_error"}]}),
    # bad lines holding a marker: cut JSON, not an object, bad UTF-8 inside a string, NUL bytes
    use_line([block("toolu_01X")])[:-30] + b"\n",
    b'[{"type":"tool_use","id":"toolu_01Arr","name":"Bash","input":{}}]\n',
    use_line([block("toolu_01U", inp={"command": "echo @@"})]).replace(b"@@", b"\xff\xfe"),
    b'\x00\x00{"type":"tool_use"}\x00\n',
    b"\n\n   \n",
    # the session died mid-write: a cut last line without a newline
    use_line([block("toolu_01Z")])[:-40],
])


def test_traps_equal_a_full_parse(tmp_path, monkeypatch, search):
    files = write(tmp_path, TRAPS)
    for size in BLOCK_SIZES:
        monkeypatch.setattr(ct, "BLOCK_BYTES", size)
        got = assert_same(files)
        ids = [e[3] for e in got.collector.entries()]
        assert sorted(ids) == sorted(["toolu_01A", "toolu_01B", "toolu_01C", "toolu_01D", "toolu_01E", "toolu_01N",
                                      "toolu_01Q", "toolu_01U"])
        assert "toolu_FAKE" not in ids and "toolu_01Arr" not in ids
        assert got.stats.invalid_lines == 3 and got.stats.truncated_last_lines == 1
        assert [n.kind for n in got.notes] == ["compaction", "api_error", "api_error"]
        # the second sighting of toolu_01A is dropped; the first keeps its line
        assert [e for e in got.collector.entries() if e[3] == "toolu_01A"][0][2] == TRAPS.rindex(b'{"parentUuid"', 0, TRAPS.index(b"first"))
        assert assert_same(files, frozenset({"Read"})).collector.total == 1


# ------------------------------------------------------------------ generated transcripts

_text = st.lists(st.sampled_from(list('ab "\\{}[]:,\n\t/é\u2028') + ['"type":"tool_use"', '"subtype":"', "tool_use",
                                                                       '"isApiErrorMessage":true']),
                 max_size=20).map("".join)
_ids = st.one_of(st.sampled_from(["toolu_01A", 'toolu_"q"', "toolu_\\b"]), st.integers(0, 99).map("toolu_{:02d}".format))
_names = st.sampled_from(["Bash", "Agent", "Task", "Read", "Grep", "mcp__srv__tool"])
_times = st.one_of(st.sampled_from([TS, "2026-11-21T09:59:59.999Z", "2026-11-21T10:00:00Z", "2026-11-21T12:00:00+02:00",
                                    "", "not a time"]), st.integers(-2**63, 2**63 - 1), st.none())


@st.composite
def _block(draw) -> dict:
    b = block(draw(_ids), draw(_names), {"command": draw(_text), "description": draw(_text)}, draw(st.integers(0, 3)))
    if draw(st.booleans()):
        b["cache_control"] = {"type": "ephemeral"}
    return b


@st.composite
def _line(draw) -> bytes:
    kind = draw(st.sampled_from(["use", "use", "use", "bare", "text", "result", "nested", "system", "apierr", "other", "blank"]))
    ts = draw(_times)
    if kind == "use":
        blocks = draw(st.lists(st.one_of(_block(), st.builds(lambda t: {"type": "text", "text": t}, _text)), min_size=1, max_size=3))
        raw = use_line(blocks, ts=ts)
    elif kind == "bare":  # a block as a whole line: the marker right at the line start
        raw = orjson.dumps(draw(_block())) + b"\n"
    elif kind == "text":
        raw = jl(type="assistant", uuid="t", timestamp=ts, message={"content": [{"type": "text", "text": draw(_text)}]})
    elif kind == "result":
        raw = jl(type="user", uuid="r", timestamp=ts, message={"role": "user", "content": [
            {"tool_use_id": draw(_ids), "type": "tool_result", "content": draw(_text), "is_error": draw(st.booleans())}]},
            toolUseResult={"stdout": draw(_text), "stderr": draw(_text), "interrupted": False})
    elif kind == "nested":
        raw = jl(type=draw(st.sampled_from(["progress", "user", "something-new"])), uuid="n", timestamp=ts,
                 data={"message": {"type": "assistant", "timestamp": draw(_times), "message": {"content": [draw(_block())]}}})
    elif kind == "system":
        raw = jl(type="system", subtype=draw(st.sampled_from(["compact_boundary", "api_error", "stop_hook_summary", "x"])),
                 uuid="s", timestamp=ts, content=draw(_text), error={"message": draw(_text)}, hookErrors=[draw(_text)],
                 compactMetadata={"trigger": draw(_text)})
    elif kind == "apierr":
        raw = jl(type="assistant", uuid="e", timestamp=ts, isApiErrorMessage=True,
                 message={"content": [{"type": "text", "text": draw(_text)}]}, error=draw(_text))
    elif kind == "other":
        raw = jl(type=draw(st.sampled_from(["attachment", "file-history-snapshot", "api-request-blob"])), uuid="o",
                 timestamp=ts, attachment={"content": draw(_text)})
    else:
        raw = draw(st.sampled_from([b"\n", b"  \n", b"\r\n"]))
    damage = draw(st.sampled_from(["none"] * 6 + ["cut", "utf8", "nul", "crlf"]))
    body = raw.rstrip(b"\n")
    if damage == "cut" and body:
        body = body[: draw(st.integers(0, len(body) - 1))]
    elif damage == "utf8" and body:
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f"])) + body[at:]
    elif damage == "nul":
        at = draw(st.integers(0, len(body)))
        body = body[:at] + b"\x00" + body[at:]
    elif damage == "crlf":
        body += b"\r"
    return body.replace(b"\n", b"") + b"\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(_line(), max_size=25), unterminated=st.booleans(), block_size=st.sampled_from(BLOCK_SIZES[:4]),
       simd=st.booleans(), tools=st.sampled_from([None, frozenset({"Bash"}), frozenset({"Agent", "Task"})]),
       mode=st.sampled_from(["first", "last"]), k=st.integers(1, 4), after=st.booleans(),
       window=st.tuples(st.sampled_from([None, "2026-11-21T10:00:00.000Z"]), st.sampled_from([None, "2026-11-21T10:00:00.000Z"])))
def test_generated_transcripts_equal_a_full_parse(tmp_path_factory, monkeypatch, lines, unterminated, block_size, simd, tools,
                                                  mode, k, after, window):
    data = b"".join(lines)
    if unterminated:
        data = data.rstrip(b"\n")
    files = write(tmp_path_factory.mktemp("g"), data)
    with monkeypatch.context() as m:
        m.setattr(ct, "BLOCK_BYTES", block_size)
        if not simd:
            m.setattr(ct, "_SzStr", None)
        assert_same(files, tools)
        # one page of the calls (keyset paging: after a key; or the last k), in a time window
        key = ("2026-11-21T10:00:00.000Z", 0, 300, "toolu_50") if after and mode == "first" else None
        assert_same(files, tools, lambda: ct.Collector(mode, k, key, *window))


# ------------------------------------------------------------------ results far from their call


def pad_line(n: int) -> bytes:
    """An attachment line of exactly n bytes (newline included)."""
    empty = jl(type="attachment", uuid="pad", timestamp=TS, attachment={"type": "hook_additional_context", "content": ""})
    return empty.replace(b'"content":""', b'"content":"' + b"x" * (n - len(empty)) + b'"')


@pytest.mark.parametrize("gap", ["none", "straddle", "past_first_read", "past_blocks"])
def test_result_found_however_far_after_its_call(tmp_path, gap):
    """Results are searched forward from the call in growing reads (64 KB, doubling to a block):
    one right after its call, one whose `"tool_use_id":"…"` straddles the end of the first read,
    one past it, one several blocks on, all come back with their outcome and line numbers."""
    call = use_line([block("toolu_01Far", inp={"command": "make deploy"})])
    result = jl(type="user", uuid="r", timestamp="2026-11-21T10:00:09.000Z", toolUseResult="Error: Exit code 3\nboom",
                message={"role": "user", "content": [{"tool_use_id": "toolu_01Far", "type": "tool_result",
                                                      "content": "Exit code 3\nboom", "is_error": True}]})
    needle_at = result.index(b'"tool_use_id":"')
    filler: list[bytes] = []
    if gap == "straddle":
        filler = [pad_line((64 << 10) - 7 - len(call) - needle_at)]
    elif gap == "past_first_read":
        filler = [pad_line(50_000), pad_line(50_000)]
    elif gap == "past_blocks":
        filler = [pad_line(100_000)] * 50
    data = call + b"".join(filler) + result
    if gap == "straddle":
        assert data.index(b'"tool_use_id":"') == (64 << 10) - 7
    p = tmp_path / "proj" / "5b1f0a52-8c1e-4f53-9a0e-3d1f7e2b9c10.jsonl"
    p.parent.mkdir(parents=True)
    p.write_bytes(data)
    r = ct.extract_session_commands(paths=[str(p)])
    (c,) = r.commands
    assert c.command == "make deploy" and c.outcome == "error" and c.exit_code == 3
    assert c.line == 1 and c.result_line == len(filler) + 2 and c.duration_s == 9.0


# ------------------------------------------------------------------ oversized lines inside one block


def test_oversized_lines_within_a_block_are_read_by_pattern(tmp_path, monkeypatch, search):
    """A line over MAX_LINE_BYTES that still fits in the buffer reaches the hot loop whole: it is
    not parsed either, but read by pattern from its head and tail, like one streamed past."""
    monkeypatch.setattr(ct, "MAX_LINE_BYTES", 2000)
    monkeypatch.setattr(ct, "HUGE_KEEP", 500)
    big_write = use_line([block("toolu_01W", "Write", {"file_path": "/home/dev/app/a.txt", "content": "z" * 5000})])
    big_system = jl(type="system", subtype="api_error", uuid="e", timestamp=TS, error={"message": "y" * 5000})
    small = use_line([block("toolu_01S", "Bash", {"command": "ls"})], ts="2026-11-21T10:00:01.000Z")
    files = write(tmp_path, small + big_write + big_system + small.replace(b"toolu_01S", b"toolu_01T"))
    scan = ct.scan_files(files, None, None, None, ct.Collector("first", 100))
    assert [(e[3], e[4]) for e in scan.collector.entries()] == [("toolu_01W", "Write"), ("toolu_01S", "Bash"), ("toolu_01T", "Bash")]
    assert scan.stats.oversized_lines == 2 and scan.stats.lines_parsed == 2
    assert sum("not parsed whole" in w.message for w in scan.warnings) == 2


# ------------------------------------------------------------------ the hot loop's batches


def test_a_duplicate_id_keeps_its_first_line_across_both_paths(tmp_path, monkeypatch, search):
    """The hot loop hands its calls to the collector in batches, flushed before any line that takes
    the general path: so when one id is in a common line and in a line of the general path (bad
    UTF-8 inside a string; an API-error line, which holds a note marker), in the same block, the
    first of the two in the file keeps the call, either way round."""
    clean = use_line([block("toolu_01D", inp={"command": "clean"})], ts="2026-11-21T10:00:01.000Z")
    bad = use_line([block("toolu_01D", inp={"command": "echo @@"})], ts="2026-11-21T10:00:02.000Z").replace(b"@@", b"\xff")
    note = use_line([block("toolu_01D", inp={"command": "note"})], ts="2026-11-21T10:00:03.000Z", isApiErrorMessage=True)
    other = use_line([block("toolu_01E")])
    for i, lines in enumerate(([other, clean, bad], [other, bad, clean], [other, clean, note], [other, note, clean])):
        files = write(tmp_path / str(i), b"".join(lines))
        got = assert_same(files)
        (entry,) = [e for e in got.collector.entries() if e[3] == "toolu_01D"]
        assert entry[2] == len(other)  # the offset of the second line, the first holding the id
        assert got.collector.seen_count == 3
