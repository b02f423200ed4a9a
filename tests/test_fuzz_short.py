"""CI's short coverage-guided fuzz run (atheris) over every target; the long run is `python -m fuzz.run`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fuzz.targets import TARGETS
from tests.conftest import ROOT, require


@pytest.mark.timeout(900)
def test_short_fuzz_run_finds_no_crash(tmp_path):
    try:
        import atheris  # noqa: F401
    except ImportError:
        require(False, "atheris is not installed (pip install -e '.[test]')")
    proc = subprocess.run([sys.executable, "-m", "fuzz.run", "--runs", "2000", "--workdir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=880)
    rows = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith("{")]
    assert {r["target"] for r in rows} == set(TARGETS)
    for r in rows:
        assert r["crashes"] == [] and r["exit"] == 0, r
        assert r["inputs"] and r["inputs"] >= 2000, r
