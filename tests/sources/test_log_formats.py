"""Every log format: lnav-style sample detection, the registry, and property tests (random bytes,
truncation, invalid UTF-8, NUL bytes, huge lines never raise, and dropped records are warned)."""

from __future__ import annotations

import importlib
import pkgutil
import random

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mcp_server.sources as sources_pkg
from mcp_server.analysis import evidence  # noqa: F401 - imports every log source module
from mcp_server.sources import TextFormat, detect, formats

LOG_FORMATS = sorted(formats())
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("name", LOG_FORMATS)
def test_every_sample_is_detected_as_its_own_format_first(name):
    cls = formats()[name]
    assert cls.SAMPLES, f"{name} has no SAMPLES"
    assert cls.DESCRIPTION and cls.__doc__
    for s in cls.SAMPLES:
        found = [c.NAME for c in detect(s)]
        assert found and found[0] == name, (name, found, s[:80])
        # no other format of the same or higher priority accepts it (specific beats generic, never a tie)
        rivals = [c.NAME for c in detect(s) if c.NAME != name and c.PRIORITY >= cls.PRIORITY]
        assert rivals == [], (name, rivals)


def test_every_source_module_with_a_format_is_registered():
    registered = {cls for cls in formats().values()}
    for mod in pkgutil.iter_modules(sources_pkg.__path__):
        m = importlib.import_module(f"mcp_server.sources.{mod.name}")
        for obj in vars(m).values():
            if isinstance(obj, type) and issubclass(obj, TextFormat) and obj.__module__ == m.__name__ and getattr(obj, "NAME", ""):
                assert obj in registered, f"{obj.__name__} in {mod.name} is not registered"


def test_unknown_style_detects_nothing():
    assert detect("this is just a note I wrote\nnothing here looks like a log\n") == []
    assert detect("") == []


def _run(name, path):
    w: list = []
    events = list(formats()[name]().parse(str(path), w, zone="UTC"))
    return events, w


@pytest.mark.parametrize("name", LOG_FORMATS)
@PROPS
@given(data=st.binary(max_size=4096))
def test_random_bytes_never_raise(tmp_path_factory, name, data):
    p = tmp_path_factory.mktemp("rb") / "f.log"
    p.write_bytes(data)
    _run(name, p)


@pytest.mark.parametrize("name", LOG_FORMATS)
@PROPS
@given(cut=st.integers(min_value=0, max_value=10_000), junk=st.sampled_from([b"", b"\x00\x00", b"\xff\xfe\xc3(", b"\n\t\n"]))
def test_truncated_and_corrupted_samples_never_raise(tmp_path_factory, name, cut, junk):
    text = ("\n".join(formats()[name].SAMPLES * 3) + "\n").encode()
    cut = cut % (len(text) + 1)
    p = tmp_path_factory.mktemp("tr") / "f.log"
    p.write_bytes(text[:cut] + junk + text[cut:])
    events, _ = _run(name, p)
    assert len(events) <= len(formats()[name].SAMPLES) * formats()[name].SAMPLE_RECORDS * 3 + 1


@pytest.mark.parametrize("name", LOG_FORMATS)
def test_huge_line_is_bounded(tmp_path, name):
    p = tmp_path / "huge.log"
    sample = formats()[name].SAMPLES[0]
    p.write_bytes(sample.encode() + b"\n" + b"A" * (3 << 20) + b"\n" + sample.encode() + b"\n")
    events, w = _run(name, p)
    assert all(len(e.message) < 10_000 for e in events)


RECORD = {"timestamp": "2026-11-21 03:10:00.000000+0000", "eventMessage": "m", "processImagePath": "/usr/sbin/x", "processID": 1}
JOURNAL = {"__REALTIME_TIMESTAMP": "1795230000000000", "MESSAGE": "m", "_COMM": "x"}


@pytest.mark.parametrize("name,record", [("macos_log_ndjson", RECORD), ("journald_json", JOURNAL)])
@PROPS
@given(layout=st.lists(st.booleans(), min_size=1, max_size=60), seed=st.integers(0, 2**16))
def test_every_dropped_json_line_is_counted_in_a_warning(tmp_path_factory, name, record, layout, seed):
    rnd = random.Random(seed)
    lines = []
    for good in [True] + layout:  # the first line is good so the format is recognisable
        if good:
            lines.append(orjson.dumps(record))
        else:
            blob = orjson.dumps(record)
            lines.append(blob[: rnd.randrange(1, len(blob) - 1)])  # a record cut mid-way
    p = tmp_path_factory.mktemp("jl") / "f.json"
    p.write_bytes(b"\n".join(lines) + b"\n")
    events, w = _run(name, p)
    bad = layout.count(False)
    assert len(events) == 1 + layout.count(True)
    if bad:
        assert len(w) == 1 and w[0].message.startswith(f"{bad} line(s)")
    else:
        assert w == []


@pytest.mark.parametrize("name", [n for n in LOG_FORMATS if not n.startswith(("journald", "macos_log_json", "macos_log_ndjson"))])
@PROPS
@given(garbage=st.integers(0, 5), records=st.integers(1, 20))
def test_text_formats_warn_about_lines_before_the_first_record(tmp_path_factory, name, garbage, records):
    cls = formats()[name]
    head = [f"garbage line {i} that is no record" for i in range(garbage)]
    body = [cls.SAMPLES[i % len(cls.SAMPLES)] for i in range(records)]
    p = tmp_path_factory.mktemp("tx") / "f.log"
    p.write_text("\n".join(head + body) + "\n")
    events, w = _run(name, p)
    assert len(events) == records * cls.SAMPLE_RECORDS
    orphan = [x for x in w if "before the first record" in x.message]
    if garbage:
        assert orphan and orphan[0].message.startswith(f"{garbage} line(s)")
    else:
        assert orphan == []


@PROPS
@given(objs=st.lists(st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=20), st.integers(-(2**63), 2**63 - 1), st.none()), max_size=4), max_size=12),
       chunk=st.integers(1, 64), pretty=st.booleans(), array=st.booleans())
def test_json_object_splitter_is_independent_of_chunking(objs, chunk, pretty, array):
    """The streaming splitter finds the same objects whatever the chunk size, layout or string contents."""
    import io

    from mcp_server.sources._logevent import iter_json_objects

    opt = orjson.OPT_INDENT_2 if pretty else 0
    parts = [orjson.dumps(o, option=opt) for o in objs]
    blob = (b"[" + b",\n".join(parts) + b"]") if array else b"\n".join(parts)
    w: list = []
    got = [orjson.loads(b) for b in iter_json_objects(io.BytesIO(blob), w, "test", chunk_size=chunk)]
    assert got == objs and w == []


@PROPS
@given(cut=st.integers(0, 4000))
def test_json_object_splitter_warns_on_truncation(cut):
    import io

    from mcp_server.sources._logevent import iter_json_objects

    blob = b"[" + b",".join(orjson.dumps({"k": i, "s": "a}b{c\"d"}) for i in range(100)) + b"]"
    cut = cut % len(blob)
    w: list = []
    got = list(iter_json_objects(io.BytesIO(blob[:cut]), w, "test", chunk_size=97))
    assert all(orjson.loads(b)["s"] == 'a}b{c"d' for b in got)
    end_of_last = blob.index(got[-1]) + len(got[-1]) if got else 0
    inside = b"{" in blob[end_of_last:cut]  # an object was opened and not closed before the cut
    assert bool(w) == inside
