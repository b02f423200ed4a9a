"""Run the coverage-guided fuzzers (atheris / libFuzzer), one process per target.

    python -m fuzz.run                       # every target, 100 000 inputs each (the documented long run)
    python -m fuzz.run --runs 2000           # the short run CI does
    python -m fuzz.run --target journald_json --runs 1000000

Each target's corpus starts from the real samples in ../shared/samples (copied to a temp folder).
Prints one line per target: inputs tried, seconds, crashes (a crash is an exception escaping a
parser; libFuzzer writes the input that caused it as crash-* in the working folder, and it becomes
a regression test in tests/test_fuzz_regressions.py).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fuzz.targets import ROOT, TARGETS, seed_files

_CHILD = """
import sys, atheris
with atheris.instrument_imports(include=["mcp_server"]):
    from fuzz.targets import TARGETS, preload
    preload()
target = TARGETS[sys.argv[1]]
def one(data):
    target.run(data)
atheris.Setup([sys.argv[0]] + sys.argv[2:], one)
atheris.Fuzz()
"""


def run_target(name: str, runs: int, workdir: Path) -> dict:
    target = TARGETS[name]
    corpus = Path(tempfile.mkdtemp(prefix=f"corpus-{name}-"))
    for i, f in enumerate(seed_files(target)):
        shutil.copyfile(f, corpus / f"seed-{i}")
    argv = [sys.executable, "-c", _CHILD, name, f"-runs={runs}", f"-max_len={target.max_len}",
            "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={workdir}/{name}-", str(corpus)]
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - started
    shutil.rmtree(corpus, ignore_errors=True)
    done = re.search(r"Done (\d+) runs", proc.stderr)
    crashes = sorted(str(p) for p in workdir.glob(f"{name}-crash-*")) + sorted(str(p) for p in workdir.glob(f"{name}-timeout-*"))
    return {
        "target": name,
        "inputs": int(done.group(1)) if done else None,
        "seconds": round(took, 1),
        "crashes": crashes,
        "exit": proc.returncode,
        "tail": proc.stderr.strip().splitlines()[-8:] if proc.returncode else [],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", action="append", default=[], help="a target name (repeatable); default all")
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--workdir", default=str(ROOT / "fuzz" / "out"))
    args = ap.parse_args()
    names = args.target or sorted(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        ap.error(f"unknown target(s) {unknown}; known: {sorted(TARGETS)}")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results = [run_target(n, args.runs, workdir) for n in names]
    for r in results:
        print(json.dumps(r))
    bad = [r for r in results if r["crashes"] or r["exit"] != 0 or r["inputs"] is None]
    total = sum(r["inputs"] or 0 for r in results)
    print(f"fuzz: {len(results)} targets, {total} inputs, {len(bad)} with crashes or errors", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
