"""Inputs the fuzzers found crashing a parser, replayed through the same targets: each must now pass.

A file is named `<target>--<hash>`; `python -m fuzz.run` writes new ones to fuzz/out/ as crash-*.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz.targets import TARGETS

CASES = sorted((Path(__file__).parent / "fuzz_regressions").glob("*--*"))


def test_there_are_regression_inputs():
    assert CASES, "the fuzz regression folder is empty"


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_crash_input_no_longer_crashes(path):
    target = path.name.split("--", 1)[0]
    TARGETS[target].run(path.read_bytes())
