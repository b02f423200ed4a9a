"""Run every benchmark side by side and print one table (and write JSON).

    python -m bench.run                 # quick size (what CI runs, so the harness cannot rot)
    python -m bench.run --size full     # the figures the README quotes
    python -m bench.run --only sessions

Each `bench/bench_<area>.py` prints JSON rows (see bench/_common.py). Nothing here asserts a
timing: the ratios against baselines measured in the same run are the result.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": None, "cpu": platform.processor()}
    try:
        import os

        info["cpus"] = os.cpu_count()
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=("quick", "full"), default="quick")
    ap.add_argument("--only", action="append", default=[], help="run only bench_<NAME> (repeatable)")
    ap.add_argument("--out", default=str(HERE / "out"))
    args = ap.parse_args()
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        modules = [m for m in modules if m.removeprefix("bench_") in args.only]
    rows: list[dict] = []
    failures: list[str] = []
    console = Console(stderr=True)
    for mod in modules:
        console.print(f"[bold]running {mod} ({args.size})[/bold]")
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", f"bench.{mod}", "--size", args.size], cwd=ROOT,
                              capture_output=True, text=True)
        took = time.perf_counter() - started
        got = 0
        for line in proc.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                    got += 1
                except json.JSONDecodeError:
                    failures.append(f"{mod}: unreadable row {line[:80]}")
        if proc.returncode != 0 or got == 0:
            failures.append(f"{mod}: exit {proc.returncode}, {got} rows; stderr: {proc.stderr.strip()[-500:]}")
        console.print(f"  {got} rows in {took:.1f} s")
    table = Table(title=f"rca benchmarks ({args.size})")
    for col in ("bench", "subject", "seconds", "items/s", "peak RSS MB", "vs baseline", "goal"):
        table.add_column(col, overflow="fold")
    for r in rows:
        if r.get("overhead_ms") is not None and r.get("baseline"):
            ratio = f"{r['overhead_ms']:+} ms vs {r['baseline']}"
        elif r.get("ratio") and r.get("baseline"):
            ratio = f"{r['ratio']}× the speed of {r['baseline']}"
        else:
            ratio = ""
        table.add_row(r["bench"], r["subject"], f"{r['seconds']:.4f}",
                      f"{r['items_per_s']:,.0f}" if r.get("items_per_s") else "",
                      f"{r['peak_rss_mb']}" if r.get("peak_rss_mb") is not None else "", ratio, r.get("goal", ""))
    Console(width=max(160, Console().width)).print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result = {"size": args.size, "machine": machine(), "rows": rows, "failures": failures}
    (out / f"results-{args.size}.json").write_text(json.dumps(result, indent=2))
    for f in failures:
        console.print(f"[red]FAILED[/red] {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
