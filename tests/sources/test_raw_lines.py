"""`raw_lines`: the block splitter under the JSON log sources must give exactly the lines that
`readline` would, keep line numbers right when it drops an over-long line, and never hold more
than about one line of memory."""

from __future__ import annotations

import gzip
import io
import re
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_server.sources import _logevent
from mcp_server.sources._io import open_binary
from mcp_server.sources._logevent import raw_lines


def reference(data: bytes, limit: int) -> tuple[list[bytes], list[int]]:
    """What the old per-line `readline` loop yielded: lines without endings, b"" for a dropped
    line, and the numbers of the dropped lines."""
    out, dropped = [], []
    for number, line in enumerate(io.BytesIO(data).readlines(), 1):
        body = line[:-1] if line.endswith(b"\n") else line
        if len(body) >= limit:
            out.append(b"")
            dropped.append(number)
        else:
            out.append(body.rstrip(b"\r\n"))
    return out, dropped


def run(data: bytes, limit: int) -> tuple[list[bytes], list[int]]:
    warnings: list = []
    lines = list(raw_lines(io.BytesIO(data), warnings, "test", "f.json", limit=limit))
    return lines, [w.line for w in warnings]


lines_st = st.lists(
    st.one_of(
        st.binary(max_size=40),
        st.binary(max_size=40).map(lambda b: b + b"\r"),
        st.integers(30, 90).map(lambda n: b"x" * n),
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(lines=lines_st, block=st.integers(1, 64), limit=st.integers(1, 80), final_newline=st.booleans())
def test_same_lines_as_readline(lines: list[bytes], block: int, limit: int, final_newline: bool) -> None:
    data = b"\n".join(line.replace(b"\n", b"") for line in lines) + (b"\n" if final_newline and lines else b"")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_logevent, "LINE_BLOCK", block)
        m.setattr(_logevent, "_SzStr", None if limit % 2 else _logevent._SzStr)  # both ways of counting
        assert run(data, limit) == reference(data, limit)


def test_crlf_split_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_logevent, "LINE_BLOCK", 4)
    data = b'{"a":1}\r\n{"b":2}\r\n'
    for size in range(1, 12):
        monkeypatch.setattr(_logevent, "LINE_BLOCK", size)
        assert run(data, 1 << 20)[0] == [b'{"a":1}', b'{"b":2}']


def test_over_long_line_is_dropped_in_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 50 MB line with a 1 MB limit: dropped with a warning naming its line and size, the lines
    around it kept, and the splitter never holds the whole line (it stops collecting at the limit)."""
    monkeypatch.setattr(_logevent, "LINE_BLOCK", 1 << 16)
    big = b"A" * (50 << 20)
    data = b'{"first":1}\n' + big + b'\n{"last":3}\n'
    warnings: list = []
    stream = io.BytesIO(data)
    tracemalloc.start()
    try:
        out = list(raw_lines(stream, warnings, "test", "f.json", limit=1 << 20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out == [b'{"first":1}', b"", b'{"last":3}']
    assert [(w.line, str(50 << 20) in w.message) for w in warnings] == [(2, True)]
    assert peak < 4 << 20, f"held {peak} bytes while dropping a 50 MB line"


def test_unterminated_last_line_is_kept_and_truncated_gzip_is_a_warning(tmp_path) -> None:
    data = b'{"a":1}\n{"b":2}\n{"c":3'
    assert run(data, 1 << 20)[0] == [b'{"a":1}', b'{"b":2}', b'{"c":3']
    packed = gzip.compress(b'{"a":1}\n' * 200_000)
    path = tmp_path / "j.json.gz"
    path.write_bytes(packed[: len(packed) // 2])
    warnings: list = []
    with open_binary(str(path)) as stream:
        out = list(raw_lines(stream, warnings, "test", str(path)))
    assert out and all(line == b'{"a":1}' for line in out)
    assert len(out) < 200_000
    assert any("truncated or corrupt" in w.message for w in warnings)


needle_st = st.lists(st.sampled_from([b"ab", b"java", b"x", b"\xc3"]), min_size=1, max_size=2).map(tuple)


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(st.sampled_from([
        b"", b"ab", b"AB java", b"JaVa x", b"xx\r", b"\xc3\xa9ab", b"nothing here", b"JAVAab",
        b'{"_COMM":[106,97,118,97]}', b'{"A":["x","y"],"B":[1]} ab', b'{"A":[]}', b'":[":[7',
    ]), max_size=60),
    block=st.integers(1, 48),
    needles=needle_st,
    final_newline=st.booleans(),
    byte_arrays=st.booleans(),
    simd=st.booleans(),
)
def test_grep_lines_is_the_filtered_raw_lines(
    lines: list[bytes], block: int, needles: tuple[bytes, ...], final_newline: bool, byte_arrays: bool, simd: bool
) -> None:
    """Whatever the block size, with StringZilla's search or CPython's, grep_lines gives exactly
    the (number, line) pairs of raw_lines whose lower-cased bytes hold every needle (or, asked
    for, a JSON array of numbers)."""
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_logevent, "LINE_BLOCK", block)
        if not simd:
            m.setattr(_logevent, "_SzStr", None)
        want = [
            (n, line) for n, line in enumerate(raw_lines(io.BytesIO(data), [], "t", None), 1)
            if all(x in line.lower() for x in needles) or (byte_arrays and re.search(rb'":\[\d', line))
        ]
        got = list(_logevent.grep_lines(io.BytesIO(data), [], "t", None, needles, byte_arrays))
    assert got == want


def test_grep_lines_numbers_match_the_file(tmp_path) -> None:
    path = tmp_path / "j.json"
    rows = [b'{"MESSAGE":"line %d","_COMM":"%s"}' % (i, b"java" if i % 7 == 0 else b"sshd") for i in range(1, 50_001)]
    path.write_bytes(b"\n".join(rows) + b"\n")
    with path.open("rb") as f:
        got = list(_logevent.grep_lines(f, [], "t", str(path), (b"java",)))
    assert [n for n, _ in got] == list(range(7, 50_001, 7))
    assert all(line == rows[n - 1] for n, line in got)
