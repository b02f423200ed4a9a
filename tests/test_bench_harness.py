"""The benchmark harness runs end to end at its quick size, so it cannot rot. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_every_benchmark_runs_at_quick_size_and_reports_rows(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--size", "quick", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "results-quick.json").read_text())
    assert result["failures"] == []
    benches = {r["bench"] for r in result["rows"]}
    modules = {p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py")}
    assert modules <= benches, f"benchmarks that printed no rows: {modules - benches}"
    for r in result["rows"]:
        assert r["seconds"] > 0 and r["subject"], r

    # the README's table is printed from such a file: one row per result, every cell filled in
    table = subprocess.run([sys.executable, "-m", "bench.readme_table", str(tmp_path / "results-quick.json")],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith("| bench | subject |") and len(lines) == 2 + len(result["rows"])
    mix = [ln for ln in lines if "agent commands" in ln]
    assert len(mix) == 1 and "× bare" in mix[0] and "p75" in mix[0], mix
