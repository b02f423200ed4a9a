"""Print the README's benchmark table from a `bench.run` result file, so the README shows exactly
what a run measured:

    python -m bench.readme_table [bench/out/results-full.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _num(x: float) -> str:
    return f"{x:.4g}"


def versus(r: dict) -> str:
    """The 'vs baseline' cell: latency figures, a ratio to the bare interpreter, an overhead, or
    a speed ratio, whichever the row carries."""
    if r["bench"] == "danger":
        return f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms"
    if r.get("x_bare") is not None and r.get("bare_p50_ms") is not None:
        cell = f"{r['x_bare']}× bare (p50 {r['p50_ms']} ms"
        if r.get("p99_ms") is not None:
            cell += f", p99 {r['p99_ms']} ms"
        cell += f"; bare {r['bare_p50_ms']} ms)"
        if r.get("x_bare_p75") is not None:
            cell += (f"; p75 {r['x_bare_p75']}×, p90 {r['x_bare_p90']}×; screened {r['x_bare_screened_p50']}×, "
                     f"classifier {r['x_bare_classifier_p50']}×")
        return cell
    if r.get("x_bare") is not None:
        return f"{r['x_bare']}× bare"
    if r.get("overhead_ms") is not None and r.get("baseline"):
        return f"{r['overhead_ms']:+} ms vs {r['baseline']}"
    if r.get("ratio") and r.get("baseline"):
        return f"{r['ratio']}× the speed of {r['baseline']}"
    return ""


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "out" / "results-full.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    print("| bench | subject | seconds | items/s | peak RSS MB | vs baseline | goal |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in result["rows"]:
        rate = f"{r['items_per_s']:,.0f}" if r.get("items_per_s") and r["bench"] != "server" else ""
        rss = f"{r['peak_rss_mb']}" if r.get("peak_rss_mb") is not None else ""
        cells = [r["bench"], r["subject"], _num(r["seconds"]), rate, rss, versus(r), r.get("goal", "")]
        print("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")


if __name__ == "__main__":
    main()
