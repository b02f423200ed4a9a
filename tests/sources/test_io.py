"""The shared bounded reader: compressed files, bad bytes, huge lines, truncation, missing files."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys

import pytest

from mcp_server.sources._io import LineReader, looks_binary, read_head
from tests.conftest import ROOT, require


def lines_of(path, **kw):
    r = LineReader(path, source="test", **kw)
    return [l.text for l in r], r.warnings


def test_plain_and_gzip_read_alike(tmp_path):
    text = "a\nb\r\nc"
    (tmp_path / "p.log").write_text(text)
    with gzip.open(tmp_path / "p.log.1.gz", "wt") as f:
        f.write(text)
    assert lines_of(tmp_path / "p.log")[0] == ["a", "b", "c"]
    assert lines_of(tmp_path / "p.log.1.gz")[0] == ["a", "b", "c"]


def test_invalid_utf8_is_replaced_and_reported_once(tmp_path):
    p = tmp_path / "bad.log"
    p.write_bytes(b"ok\nbad \xff\xfe here\nalso \xc3\n")
    lines, warnings = lines_of(p)
    assert lines[1] == "bad \ufffd\ufffd here"
    assert len(warnings) == 1 and "2 line(s) were not valid UTF-8" in warnings[0].message


def test_huge_line_is_cut_with_a_warning_and_the_rest_survives(tmp_path):
    p = tmp_path / "huge.log"
    with open(p, "wb") as f:
        f.write(b"before\n" + b"x" * (3 << 20) + b"\nafter\n")
    lines, warnings = lines_of(p, max_line_bytes=1 << 16)
    assert lines[0] == "before" and lines[2] == "after"
    assert len(lines[1]) == 1 << 16
    assert any("kept its first" in w.message for w in warnings)


def test_truncated_gzip_gives_partial_lines_and_a_warning(tmp_path):
    data = gzip.compress(("line\n" * 20000).encode())
    p = tmp_path / "cut.gz"
    p.write_bytes(data[: len(data) // 2])
    lines, warnings = lines_of(p)
    assert 0 < len(lines) < 20000
    assert any("truncated or corrupt" in w.message for w in warnings)


def test_missing_file_is_a_warning_not_an_exception(tmp_path):
    lines, warnings = lines_of(tmp_path / "nope.log")
    assert lines == [] and "no such file" in warnings[0].message


def test_unreadable_file_is_a_warning(tmp_path):
    """A real permission error: as root (CI) the reader runs as `nobody` through setpriv."""
    p = tmp_path / "secret.log"
    p.write_text("x\n")
    p.chmod(0)
    if os.geteuid() != 0:
        lines, warnings = lines_of(p)
        assert lines == [] and "permission denied" in warnings[0].message
        return
    setpriv = shutil.which("setpriv")
    require(setpriv is not None, "setpriv (util-linux) is needed to drop root privileges")
    tmp_path.chmod(0o755)
    code = (
        "from mcp_server.sources._io import LineReader;"
        f"r=LineReader({str(p)!r}, source='t'); print(len(list(r))); print(r.warnings[0].message)"
    )
    out = subprocess.run(
        [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-c", code],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    count, message = out.stdout.splitlines()
    assert count == "0" and "permission denied" in message


def test_binary_detection(tmp_path):
    assert looks_binary(b"\x7fELF\x02\x01\x01\x00\x00")
    assert not looks_binary(b"Nov 21 03:10:00 host kernel: hello\n")
    p = tmp_path / "x.gz"
    p.write_bytes(gzip.compress(b"hello\n"))
    assert read_head(p) == b"hello\n"
