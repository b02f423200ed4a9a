"""Benchmark of the dangerous-command classifier (`flag_dangerous`, the PreToolUse Bash gate).

    python -m bench.bench_danger --size quick|full

Data (seeded, deterministic, written to a temp folder): the labelled corpus from
../shared/corpus/dangerous-commands.jsonl when present, plus generated agent-style commands
(pipelines, wrappers, heredocs, substitutions, long commit messages), repeated; and adversarial
inputs (deep `$(` nesting, unclosed quotes, megabyte commands, fork bombs, thousands of pipes).

Subjects, each in its own child process (peak RSS from getrusage):
  rca.classify          the classifier as the hook calls it (lexical screen + fast path + bashlex)
  rca.classify.corpus   the same on the labelled corpus alone (the issue's throughput goal)
  rca.classify.noscreen the same without the lexical screen
  bashlex.parse         baseline: bashlex parsing alone (what a bashlex-only classifier pays)
  shlex.split           baseline: the stdlib tokenizer alone (no structure, no classification)
  rca.adversarial       worst-case latency on hostile inputs
One JSON object per line, as bench/README conventions ask. Nothing is asserted about timings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "dangerous-commands.jsonl"
GOAL = ">= 20k commands/s, p99 <= 5 ms, worst adversarial <= 50 ms"
SIZES = {"quick": 3, "full": 40}  # corpus repetitions

_TEMPLATES = [
    "git status", "git diff --stat", "git log --oneline -20", "git add -A && git commit -m '{msg}'",
    "npm test -- --watch=false", "pytest -q tests/{name}", "ls -la {path}", "cat {path}/README.md | head -50",
    "rg -n '{word}' src/ | head", "find . -name '*.py' -not -path './.venv/*' | xargs wc -l",
    "docker ps --format '{{{{.Names}}}}'", "kubectl get pods -n {name}", "curl -s http://localhost:{port}/health",
    "kill -9 $(lsof -ti :{port})", "pkill -f '{name} server'", "tmux kill-session -t {name}",
    "rm -rf {path}/build", "rm -rf /tmp/{name}", "sudo systemctl restart {name}", "journalctl -u {name} --since '1 hour ago'",
    "cd {path} && make -j4 && ./bin/{name} --version", "python3 -c 'import os; print(os.getcwd())'",
    "bash -c 'cd {path} && npm run build'", "cat > {path}/config.json <<'EOF'\n{{\"name\": \"{name}\", \"port\": {port}}}\nEOF",
    "echo \"deploying {name}\" && ./deploy.sh {name} 2>&1 | tee deploy.log", "git push --force-with-lease origin {name}",
    "for f in {path}/*.log; do gzip \"$f\"; done", "ps aux | grep {name} | grep -v grep | awk '{{print $2}}' | xargs kill",
    "git commit -m \"{msg} (do not run rm -rf / here)\"", "psql -c 'SELECT count(*) FROM {name}'",
    "timeout 30 nohup ./{name} > /tmp/{name}.out 2>&1 &", "ssh prod-{port} 'sudo journalctl --vacuum-time=2d'",
]
_WORDS = ["api", "worker", "postgres", "redis", "frontend", "billing", "auth", "cache", "scheduler", "gateway"]


def generate(n: int, seed: int = 20261122) -> list:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        t = rnd.choice(_TEMPLATES)
        out.append(t.format(name=rnd.choice(_WORDS), path=rnd.choice(["src", "/srv/app", "~/code/app", "./pkg"]),
                            word=rnd.choice(_WORDS), port=rnd.randint(1024, 9999),
                            msg=" ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(3, 40)))))
    return out


def adversarial() -> list:
    return [
        "$(" * 5000, "`" * 5001, "echo " + "$(echo " * 3000 + ")" * 3000, "'" + "a" * 100_000,
        "echo " + "x" * 1_000_000, "rm -rf /" + " /" * 200_000, "a|" * 50_000, "(" * 10_000,
        "bash -c " * 2000 + "'rm -rf /'", "cat <<EOF\n" + "line\n" * 100_000, "\x00" * 10_000,
        ":(){ :|:& };:" * 1000, "eval " * 3000 + "ls", "x=" + "$((1+" * 2000, "echo \\" * 10_000,
        "f() { ls; }; " * 200, "case $x in " + "a) ls;; " * 500 + "esac", "\"unclosed $(rm -rf /" * 100,
    ]


def _percentile(sorted_times: list, q: float) -> float:
    if not sorted_times:
        return 0.0
    return sorted_times[min(len(sorted_times) - 1, int(len(sorted_times) * q))]


def child(subject: str, data_path: str) -> None:
    """Run one subject; print its measurements as JSON."""
    sys.path.insert(0, str(ROOT))
    commands = json.loads(Path(data_path).read_text(encoding="utf-8"))
    if subject.startswith("rca"):
        from mcp_server.analysis.danger import classify

        classify("echo $(ls) && f() { ls; }")  # imports (bashlex builds its tables once) stay out of the timings
        screen = subject != "rca.classify.noscreen"
        fn = (lambda c: classify(c, screen=screen))
    elif subject == "bashlex.parse":
        import bashlex

        def fn(c):
            try:
                bashlex.parse(c)
            except Exception:  # noqa: BLE001 - a failure is a result too
                pass
    elif subject == "shlex.split":
        import shlex

        def fn(c):
            try:
                shlex.split(c)
            except ValueError:
                pass
    else:
        raise SystemExit(f"unknown subject {subject}")
    times = []
    clock = time.perf_counter
    start = clock()
    for c in commands:
        t0 = clock()
        fn(c)
        times.append(clock() - t0)
    total = clock() - start
    times.sort()
    print(json.dumps({
        "seconds": total, "items": len(commands), "p50_ms": _percentile(times, 0.5) * 1e3,
        "p99_ms": _percentile(times, 0.99) * 1e3, "max_ms": times[-1] * 1e3 if times else 0.0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }))


def run_subject(subject: str, data_path: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.bench_danger", "--child", subject, data_path],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{subject} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=sorted(SIZES), default="quick")
    ap.add_argument("--child", nargs=2, metavar=("SUBJECT", "DATA"))
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    reps = SIZES[args.size]
    base = []
    if CORPUS.exists():
        base = [json.loads(line)["command"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus_set = set(base)
    base += generate(1000)
    workload = base * reps
    random.Random(7).shuffle(workload)
    with tempfile.TemporaryDirectory(prefix="bench_danger_") as tmp:
        data = Path(tmp) / "commands.json"
        data.write_text(json.dumps(workload), encoding="utf-8")
        corpus_only = Path(tmp) / "corpus.json"
        corpus_only.write_text(json.dumps([c for c in workload if c in corpus_set] if corpus_set else workload), encoding="utf-8")
        adv = Path(tmp) / "adversarial.json"
        adv.write_text(json.dumps(adversarial()), encoding="utf-8")
        results = {s: run_subject(s, str(data)) for s in ("rca.classify", "rca.classify.noscreen", "bashlex.parse", "shlex.split")}
        results["rca.classify.corpus"] = run_subject("rca.classify", str(corpus_only))
        results["bashlex.parse.corpus"] = run_subject("bashlex.parse", str(corpus_only))
        results["rca.adversarial"] = run_subject("rca.classify", str(adv))
    subject_seconds = results["rca.classify"]["seconds"]
    for name, r in results.items():
        baseline = name.startswith(("bashlex.parse", "shlex.split"))
        versus = results["bashlex.parse.corpus" if name.endswith(".corpus") else "bashlex.parse"]["seconds"]
        line = {
            "bench": "danger", "subject": name, "seconds": round(r["seconds"], 4), "items": r["items"],
            "items_per_s": round(r["items"] / r["seconds"], 1) if r["seconds"] else None,
            "peak_rss_mb": round(r["peak_rss_mb"], 1), "baseline": name if baseline else None,
            "ratio": None if baseline or name == "rca.adversarial" else round(versus / r["seconds"], 2),
            "goal": GOAL, "p50_ms": round(r["p50_ms"], 4), "p99_ms": round(r["p99_ms"], 4), "max_ms": round(r["max_ms"], 2),
        }
        if name == "rca.classify":
            line["ratio_vs_shlex"] = round(results["shlex.split"]["seconds"] / subject_seconds, 2)
        print(json.dumps(line))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
