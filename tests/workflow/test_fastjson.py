"""fastjson behaves exactly like json.loads / json.dumps (default arguments), and its fast path is
the one actually taken on CPython — without importing `json`."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_server.workflow import fastjson
from tests.conftest import ROOT

CPYTHON = platform.python_implementation() == "CPython"

# Text as hooks see it: ASCII, accents, emoji, control characters and lone surrogates.
texts = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()), max_size=30)
scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10 ** 80), max_value=10 ** 80)
           | st.floats(allow_nan=True, allow_infinity=True) | texts)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts, inner, max_size=5),
    max_leaves=25,
)
keys = st.one_of(texts, st.integers(), st.floats(allow_nan=True), st.booleans(), st.none())
WS = st.text(alphabet=" \t\n\r\x0b\x0c\xa0\u2028", max_size=3)


def outcome(fn, arg):
    """('ok', repr of the result) or ('raise', exception type, message)."""
    try:
        return ("ok", repr(fn(arg)))
    except Exception as exc:  # noqa: BLE001 - the point is to compare them
        return ("raise", type(exc), str(exc))


def same_loads(data):
    assert outcome(fastjson.loads, data) == outcome(json.loads, data), data


def same_dumps(obj):
    assert outcome(fastjson.dumps, obj) == outcome(json.dumps, obj)


def test_the_accelerated_path_is_the_one_taken_on_cpython():
    if not CPYTHON:
        pytest.skip("the accelerator is CPython's; elsewhere everything goes to json")  # PyPy is not in CI
    scanner, encode_ascii, make_encoder = fastjson._accelerator()
    assert scanner is not None and encode_ascii is not None and make_encoder is not None


def test_a_fresh_isolated_interpreter_never_imports_json_on_the_success_path():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from mcp_server.workflow import fastjson as f\n"
        "v = f.loads(b' {\"tool_name\": \"Edit\", \"n\": [1, 2.5, null, true], \"t\": \"caf\\\\u00e9\"}\\n')\n"
        "assert v == {'tool_name': 'Edit', 'n': [1, 2.5, None, True], 't': 'caf\\u00e9'}, v\n"
        "assert f.dumps({'a': ['\\u00e9', 1, None]}) == '{\"a\": [\"\\\\u00e9\", 1, null]}'\n"
        "print(sorted(m for m in ('json', 're', 'enum') if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    if CPYTHON:
        assert "json" not in r.stdout, r.stdout


@settings(max_examples=400, deadline=None)
@given(values)
def test_dumps_is_json_dumps(v):
    same_dumps(v)


@settings(max_examples=400, deadline=None)
@given(values, WS, WS)
def test_loads_reads_what_json_writes_and_the_reverse(v, before, after):
    text = json.dumps(v)
    same_loads(text)
    same_loads(before + text + after)
    same_loads((before + text + after).encode("utf-8", "surrogatepass"))
    # the state files (gatefile.write_json: indent=1, ensure_ascii=False) read back the same
    assert repr(fastjson.loads(json.dumps(v, indent=1, ensure_ascii=False))) == repr(json.loads(text))


@settings(max_examples=400, deadline=None)
@given(values, st.integers(min_value=0, max_value=200), st.text(max_size=3))
def test_broken_documents_fail_the_same_way(v, cut, junk):
    text = json.dumps(v)
    same_loads(text[:cut])
    same_loads(text[:cut] + junk + text[cut:])
    same_loads(text + junk)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_random_bytes_fail_or_succeed_the_same_way(b):
    same_loads(b)
    same_loads(b'{"a": ' + b + b"}")


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
                                "utf-32-be"]))
def test_every_encoding_json_detects(v, enc):
    same_loads(json.dumps(v).encode(enc))
    same_loads(bytearray(json.dumps(v).encode(enc)))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, scalars, max_size=6))
def test_non_string_keys_are_converted_like_json(d):
    same_dumps(d)


@pytest.mark.parametrize("doc", [
    "", " ", "\n", "\ufeff{}", "{}\ufeff", "NaN", "-Infinity", "[Infinity, -Infinity, NaN]", "nan", "1" * 5000,
    "-" + "9" * 4300, "1e999", "-0", "-0.0", "0.1e-999", '"\\ud800"', '"\\udc00\\ud800"', '"\\uD83D\\uDE00"',
    '"\x00"', '"\\x"', "[" * 100000 + "]" * 100000, "[" * 100000, '{"a": 1, "a": 2}', "{'a': 1}", "[1,]", "[1 2]",
    "tru", "true false", "01", "1.", ".5", '"\t"', "\x00", "{}\x00", " {} \t\r\n", '{"\u00e9": "\U0001f600"}',
    b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"\xfe\xff\x00{\x00}", b"\x00\x00\x00{", b"{}\xff", b'"\xed\xa0\x80"',
    b'"\xc3\xa9"', bytearray(b"[1]"),
])
def test_edge_documents(doc):
    same_loads(doc)


@pytest.mark.parametrize("obj", [
    set(), b"x", object(), {(1, 2): 1}, {"a": {1, 2}}, float("nan"), [float("inf"), float("-inf")], -0.0,
    True, "\ud800", "é\U0001f600", (1, "2"), {1: "a", 1.5: "b", True: "c", None: "d"},
])
def test_edge_values(obj):
    same_dumps(obj)


def test_huge_integers_fail_or_succeed_like_json():
    same_dumps(10 ** 5000)  # more digits than 3.11+ converts by default: both raise the same ValueError
    same_dumps([-(10 ** 4299)])


def test_circular_structures_fail_like_json():
    a: list = []
    a.append(a)
    same_dumps(a)
    d: dict = {}
    d["self"] = d
    same_dumps(d)


def test_types_json_refuses_are_refused_alike():
    for arg in (None, 1, 1.5, ["[]"], memoryview(b"[]")):
        same_loads(arg)

