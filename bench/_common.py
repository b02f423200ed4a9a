"""Shared helpers for the benchmarks: timing a child process with its own peak RSS, JSON rows.

Every subject and baseline runs as its own child process so that its peak resident memory is its
own (`os.wait4` returns the child's rusage), and all of them run in the same invocation on the same
generated data, so ratios compare like with like on whatever machine runs them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass
class ChildRun:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: bytes


def run_child(argv: Sequence[str], *, stdin_path: Optional[str] = None, env: Optional[dict] = None,
              cwd: Optional[str] = None, keep_stdout: bool = True) -> ChildRun:
    """Run argv (no shell) and return its wall time, its own peak RSS (os.wait4) and its stdout."""
    with tempfile.TemporaryFile() as out, (open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb")) as inp:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdin=inp, stdout=out if keep_stdout else subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        data = out.read() if keep_stdout else b""
    return ChildRun(seconds, usage.ru_maxrss / 1024.0, proc.returncode, data)


def python_child(code: str, *args: str) -> list[str]:
    """argv running a Python snippet in a fresh interpreter with this repo importable."""
    return [sys.executable, "-c", code, *args]


def row(bench: str, subject: str, seconds: float, items: int, peak_rss_mb: Optional[float] = None,
        baseline: Optional[str] = None, baseline_seconds: Optional[float] = None, goal: str = "",
        **extra: object) -> dict:
    r = {
        "bench": bench,
        "subject": subject,
        "seconds": round(seconds, 6),
        "items": items,
        "items_per_s": round(items / seconds, 1) if seconds > 0 else None,
        "peak_rss_mb": round(peak_rss_mb, 1) if peak_rss_mb is not None else None,
        "baseline": baseline,
        "ratio": round(baseline_seconds / seconds, 2) if baseline_seconds and seconds > 0 else None,
        "goal": goal,
    }
    r.update(extra)
    return r


def emit(r: dict) -> None:
    sys.stdout.write(json.dumps(r) + "\n")
    sys.stdout.flush()


def size_arg(description: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--size", choices=("quick", "full"), default="quick")
    return p.parse_args()
