"""Property tests for the crash parsers: nothing escapes, nothing hangs, nothing is dropped silently.

Inputs are real samples and fixtures cut at arbitrary offsets, with NUL bytes, invalid UTF-8 and
huge lines spliced in, plus random bytes; and a real core file (written by crashing a program
here) with bytes flipped and cut. Every file gives either reports or a warning saying why not.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_server.sources import apport, coredump, crash_ips, crash_legacy
from mcp_server.sources.crash_reports import parse_path
from tests.conftest import SAMPLES, require_program

FIXTURES = Path(__file__).parent / "crash_fixtures"

_CANDIDATES = [
    *sorted((SAMPLES / "macos_crash").glob("*")),
    SAMPLES / "linux_logs" / "apport_jammy_usr_bin_sleep.1000.crash",
    SAMPLES / "linux_logs" / "beats_journalctl_json_corner-cases.json",
    *sorted((SAMPLES / "linux_logs" / "derived_journalctl_renderings").glob("coredumpctl_*")),
    SAMPLES / "linux_logs" / "derived_journalctl_renderings" / "journalctl_-o_export.TZ-UTC.txt",
    SAMPLES / "linux_logs" / "derived_journalctl_renderings" / "journalctl_-o_json-pretty.TZ-UTC.txt",
    *sorted(p for p in FIXTURES.glob("*") if p.name != "README.md"),
]
SOURCES = [p for p in _CANDIDATES if p.exists() and p.name != "SOURCES.txt"]
# read once: small files (the apport sample is the largest, 36 KB)
DATA = {p.name: p.read_bytes() for p in SOURCES}

SETTINGS = settings(max_examples=int(os.environ.get("RCA_PROP_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

splices = st.sampled_from([b"", b"\x00" * 7, b"\xff\xfe\xc3", b"\n" + b"x" * 70000 + b"\n", b"{", b'"', b"\r\n\r\n"])


def _check(path: Path) -> None:
    warnings: list = []
    reports = parse_path(path, warnings, explicit=True)
    assert reports or warnings, f"{path.name}: nothing read and nothing said"
    for r in reports:
        r.to_event()  # every report is a valid timeline event
        assert r.evidence_id.startswith("ev-")


@pytest.mark.skipif(not SOURCES, reason="no samples or fixtures found")
@SETTINGS
@given(name=st.sampled_from(sorted(DATA)), cut=st.floats(0, 1), at=st.floats(0, 1), splice=splices)
def test_cut_and_spliced_reports_never_raise(name, cut, at, splice):
    data = DATA[name]
    data = data[: int(len(data) * cut)]
    pos = int(len(data) * at)
    data = data[:pos] + splice + data[pos:]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(data)
        _check(p)


@SETTINGS
@given(blob=st.binary(max_size=4096), suffix=st.sampled_from([".ips", ".crash", ".panic", ".hang", "", ".json"]))
def test_random_bytes_never_raise(blob, suffix):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"report{suffix}"
        p.write_bytes(blob)
        _check(p)


@SETTINGS
@given(text=st.text(max_size=3000))
def test_text_parsers_on_arbitrary_text(text):
    for head in ("", '{"bug_type":"309"}\n', '{"bug_type":"298"}\n{', '{"bug_type":"210"}\n'):
        crash_ips.parse_text(head + text, path="x.ips", warnings=[])
    crash_legacy.parse_text(text, path="x.crash", warnings=[])
    crash_legacy.matches(text)
    coredump.parse_info_text("           PID: 1 (x)\n" + text, "t", None, [], "linux:coredump:info")
    coredump.parse_list_text(text, "t", None, [])


@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(["ProblemType", "Date", "Signal", "ProcCmdline", "ExecutablePath",
                                               "StacktraceTop", "ProcStatus", "CoreDump"]),
                              st.text(alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=200)))
def test_apport_with_arbitrary_values(fields):
    lines = ["ProblemType: Crash"] + [f"{k}: {v}" for k, v in fields.items()]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "_x.crash"
        p.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        warnings: list = []
        reports = list(apport.parse_file(p, warnings))
        assert len(reports) == 1


# --- real core file, mutated ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real_core(tmp_path_factory) -> bytes:
    from tests.sources.test_coredump import CRASH_C, crash_under_gdb, crash_with_kernel_core, kernel_core_blocker

    gcc = require_program("gcc")
    d = tmp_path_factory.mktemp("propcore")
    (d / "crashme.c").write_text(CRASH_C)
    subprocess.run([gcc, "-O0", "-o", str(d / "crashme"), str(d / "crashme.c")], check=True)
    if kernel_core_blocker() is None:
        _pid, core = crash_with_kernel_core(d / "crashme", "segv", d)
    else:
        _pid, core = crash_under_gdb(d / "crashme", "segv", d)
    with open(core, "rb") as f:
        return f.read(256 * 1024)  # headers and notes sit at the start


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 256 * 1024), flips=st.lists(st.tuples(st.integers(0, 8191), st.integers(0, 255)), max_size=12))
def test_mutated_real_core_never_raises(real_core, cut, flips):
    data = bytearray(real_core[:cut])
    for pos, val in flips:
        if pos < len(data):
            data[pos] = val
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "core"
        p.write_bytes(bytes(data))
        _check(p)


_ENTRY = (SAMPLES / "linux_logs" / "derived_journalctl_renderings" / "journalctl_-o_json.TZ-UTC.txt")


@pytest.mark.skipif(not _ENTRY.exists(), reason="sample absent")
@SETTINGS
@given(broken=st.lists(st.booleans(), min_size=1, max_size=5), cut=st.integers(1, 200))
def test_every_dropped_journal_entry_is_a_warning(broken, cut):
    import json as _json

    entry = _json.loads(_ENTRY.read_text().splitlines()[0])
    lines = []
    for i, bad in enumerate(broken):
        e = dict(entry, __CURSOR=f"s=x;i={i}", COREDUMP_PID=str(1000 + i))
        text = _json.dumps(e)
        lines.append(text[:cut] if bad else text)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "coredumps.json"
        p.write_text("\n".join(lines) + "\n")
        warnings: list = []
        reports = parse_path(p, warnings)
        assert sorted(r.pid for r in reports) == [1000 + i for i, bad in enumerate(broken) if not bad]
        assert len(warnings) == sum(broken) or (not reports and len(warnings) == 1)
