"""Warm-start overhead of the launcher (scripts/launch_server.py) against starting the server directly.

Goal (issue 2): a warm start through the launcher adds at most 100 ms. Measured as the time from
spawning the process to the server's answer to `initialize` over stdio, through
`python3 scripts/launch_server.py` (what Claude Code runs) and through `<venv>/bin/python -m
mcp_server` (the baseline), median of N starts each; plus the bare exec overhead (`-c pass`),
also through `python3` as found on PATH, which may be a version-manager shim (pyenv's adds
60-250 ms on the dev machine: that cost is the shim's, paid by any python3 command).

The environment is generated in a temp folder: a virtualenv (no pip) whose site-packages points at
this interpreter's, registered where the launcher looks for a complete one, so the bench needs no
network and no 10 s build. Run: `python -m bench.bench_launcher --size quick|full`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "scripts" / "launch_server.py"
GOAL = "warm start through the launcher adds <= 100 ms"
INITIALIZE = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}}) + "\n"


def load_launcher():
    import importlib.util

    spec = importlib.util.spec_from_file_location("launch_server_bench", LAUNCHER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_environment(data: Path) -> Path:
    """A complete launcher environment in `data` that reuses this interpreter's packages."""
    os.environ["CLAUDE_PLUGIN_DATA"] = str(data)
    plan = load_launcher().Plan()
    venv = Path(plan.venv)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                   "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "rca_bench_parent.pth").write_text("\n".join(sorted(here)) + "\n")
    (venv / ".rca-complete").write_text(plan.key_src + "\n")
    assert plan.ready()
    return venv


def time_start(argv: list[str], env: dict[str, str], handshake: bool) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    if handshake:
        assert proc.stdin and proc.stdout
        proc.stdin.write(INITIALIZE)
        proc.stdin.flush()
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        if '"serverInfo"' not in line:
            raise RuntimeError(f"no initialize result from {argv}: {line!r}")
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return elapsed
    proc.communicate()
    return time.perf_counter() - started


def worker(subject: str, data: str, runs: int) -> None:
    """Run one subject `runs` times in this child process; print the median and our children's peak RSS."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["CLAUDE_PLUGIN_DATA"] = data
    os.environ["CLAUDE_PLUGIN_DATA"] = data
    venv_py = load_launcher().venv_python(load_launcher().Plan().venv)
    python3 = shutil.which("python3") or sys.executable  # what Claude Code runs (may be a pyenv/asdf shim)
    real = subprocess.run([python3, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True,
                          check=True).stdout.strip()  # the interpreter behind it
    direct_env = {**env, "PYTHONPATH": str(ROOT)}
    argv, run_env, handshake = {
        "launcher_initialize": ([real, str(LAUNCHER)], env, True),
        "direct_initialize": ([venv_py, "-m", "mcp_server"], direct_env, True),
        "launcher_exec": ([real, str(LAUNCHER), "-c", "pass"], env, False),
        "launcher_exec_via_path_python3": ([python3, str(LAUNCHER), "-c", "pass"], env, False),
        "direct_exec": ([venv_py, "-c", "pass"], direct_env, False),
    }[subject]
    time_start(argv, run_env, handshake)  # warm the file cache
    times = [time_start(argv, run_env, handshake) for _ in range(runs)]
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": statistics.median(times), "peak_rss_mb": round(rss_mb, 1)}))


def measure(subject: str, data: Path, runs: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.bench_launcher", "--worker", subject, "--data", str(data),
                          "--runs", str(runs)], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=("quick", "full"), default="quick")
    ap.add_argument("--worker")
    ap.add_argument("--data")
    ap.add_argument("--runs", type=int)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.runs)
        return
    runs = 3 if args.size == "quick" else 25
    with tempfile.TemporaryDirectory(prefix="rca-bench-launcher-") as tmp:
        data = Path(tmp) / "plugin-data"
        make_environment(data)
        pairs = (("direct_initialize", ("launcher_initialize",)),
                 ("direct_exec", ("launcher_exec", "launcher_exec_via_path_python3")))
        for baseline, subjects in pairs:
            base = measure(baseline, data, runs)
            rows = [(baseline, base, None)] + [(s, measure(s, data, runs), baseline) for s in subjects]
            for name, m, base_name in rows:
                print(json.dumps({
                    "bench": "launcher", "subject": name, "seconds": round(m["seconds"], 4), "items": runs,
                    "items_per_s": round(1 / m["seconds"], 2), "peak_rss_mb": m["peak_rss_mb"],
                    "baseline": base_name,
                    "ratio": round(base["seconds"] / m["seconds"], 3) if base_name else None,
                    "goal": GOAL,
                    **({"overhead_ms": round((m["seconds"] - base["seconds"]) * 1000, 1)} if base_name else {}),
                }), flush=True)


if __name__ == "__main__":
    main()
