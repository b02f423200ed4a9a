"""Hook latency: every hook path (PreToolUse deny and allow, with and without an open
investigation; the frequent PostToolUse paths) against a bare `python3 -c pass` run by the same
interpreter — the issue's baseline: a hook cannot start faster than its interpreter.

Goal (issue 7): PreToolUse p50 ≤ 1.3× a bare `python3 -c pass` on the same machine. Every run is
a fresh process, as Claude Code runs hooks, and each subject's runs alternate with baseline runs
so both see the same machine load; each subject's peak RSS is its own (wait4). `x_bare` is the
subject's p50 over the baseline's (the issue's figure: ≤ 1.3); `ratio` is the reverse, as in
every bench row (baseline seconds / subject seconds); `seconds` is the p50 of one call, so
`items` is 1 and `items_per_s` is calls per second, one after another. Also reported, for information: a minimal
stdlib JSON hook (`import json`, read stdin and a small state file, print a decision) under the
hooks' flags, what the interpreter choice costs (`/usr/bin/python3` vs whatever `python3` is on
PATH, e.g. a pyenv shim; with and without `-I -S`), the `sh -c "… || true"` wrapper hooks.json
uses, and Node.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench._common import emit, row, run_child, size_arg

ROOT = Path(__file__).resolve().parent.parent
HOOK = ROOT / "hooks" / "pre_tool_use.py"
GOAL = "PreToolUse p50 ≤ 1.3× a bare `python3 -c pass` (same interpreter, same machine)"
BARE = "bare python3 -c pass"
INFO = "hook path (PostToolUse; the goal names PreToolUse)"

FLOOR = r"""
import json, os, sys
payload = json.loads(sys.stdin.read())
try:
    with open(os.environ["FLOOR_STATE"]) as f:
        state = json.load(f)
except FileNotFoundError:
    state = {}
if state.get("open") and payload.get("tool_name") == "Edit":
    print(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                             "permissionDecisionReason": "blocked"}}))
else:
    print("{}")
"""

NODE_FLOOR = r"""
const fs = require("fs");
const p = JSON.parse(fs.readFileSync(0, "utf8"));
let s = {};
try { s = JSON.parse(fs.readFileSync(process.env.FLOOR_STATE, "utf8")); } catch (e) {}
console.log(s.open && p.tool_name === "Edit" ? JSON.stringify({hookSpecificOutput: {permissionDecision: "deny"}}) : "{}");
"""


def payload(project: Path, tool: str, tool_input: dict) -> dict:
    return {"session_id": "2fda9ea8-a7c8-4033-bc69-d0f09039da29",
            "transcript_path": f"/home/dev/.claude/projects/x/2fda9ea8.jsonl", "cwd": str(project),
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input, "tool_use_id": "toolu_b8a019462ced4028b6f1ae24"}


def measure(argv: list[str], stdin: Path, env: dict, n: int, expect: str | None = None) -> tuple[list[float], float]:
    times, rss = [], 0.0
    for i in range(n + 2):
        r = run_child(argv, stdin_path=str(stdin), env=env)
        if expect is not None and i == 0:
            out = r.stdout.decode()
            assert expect in out, f"{argv[-1]} printed {out!r}, expected {expect!r}"
        if i >= 2:  # two warm-up runs (page cache, pyc)
            times.append(r.seconds)
            rss = max(rss, r.peak_rss_mb)
    return times, rss


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    args = size_arg(__doc__)
    n = 12 if args.size == "quick" else 300
    tmp = Path(tempfile.mkdtemp(prefix="rca-bench-hooks-"))
    try:
        data, project = tmp / "data", tmp / "proj"
        project.mkdir()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "CLAUDE_PLUGIN_DATA": str(data),
               "CLAUDE_PROJECT_DIR": str(project), "CLAUDE_PLUGIN_ROOT": str(ROOT)}
        floor_py = tmp / "floor_hook.py"
        floor_py.write_text(FLOOR)
        state_file = tmp / "floor_state.json"
        env["FLOOR_STATE"] = str(state_file)

        edit = tmp / "edit.json"
        edit.write_text(json.dumps(payload(project, "Edit", {"file_path": str(project / "src" / "app.py"),
                                                             "old_string": "a", "new_string": "b"})))
        report = tmp / "report.json"
        report.write_text(json.dumps(payload(project, "Write", {"file_path": "docs/rca/RCA-001.md", "content": "x"})))
        bash = tmp / "bash.json"
        bash.write_text(json.dumps(payload(project, "Bash", {"command": "git status"})))
        pipeline = tmp / "pipeline.json"
        pipeline.write_text(json.dumps(payload(project, "Bash", {"command": "cd src && pytest -x -q | tail -20"})))
        unscreened = tmp / "unscreened.json"  # curl is an HTTP client and network sink: left to the classifier
        unscreened.write_text(json.dumps(payload(project, "Bash", {"command": "curl -s http://localhost:8080/health"})))
        destroy = tmp / "destroy.json"
        destroy.write_text(json.dumps(payload(project, "Bash", {"command": "tmux kill-server"})))

        interpreters = []
        for exe in ("/usr/bin/python3", shutil.which("python3")):
            if exe and os.path.exists(exe) and exe not in [i for i, _ in interpreters]:
                interpreters.append((exe, os.path.realpath(exe) if "shims" not in exe else "pyenv shim"))
        flags = ["-I", "-S"]
        python = interpreters[0][0]
        bare_argv = [python, "-c", "pass"]

        # --- the baseline, and what the interpreter choice costs (information) -----------------
        bare_times, bare_rss = measure(bare_argv, edit, env, n)
        bare = statistics.median(bare_times)
        emit(row("hooks", f"baseline: {BARE} ({python})", bare, 1, bare_rss, goal=GOAL, runs=n,
                 p50_ms=round(bare * 1e3, 2), p99_ms=round(pct(bare_times, 0.99) * 1e3, 2)))
        info = "interpreter choice (not a goal)"
        floor_argv = [python, *flags, str(floor_py)]
        for argv, what in [([python, *flags, "-c", "pass"], f"{python} -I -S -c pass"),
                           (floor_argv, f"a minimal stdlib JSON hook via {python} -I -S (import json, read, print)")]:
            t, rss = measure(argv, edit, env, max(8, n // 3))
            emit(row("hooks", f"interpreter: {what}", statistics.median(t), 1, rss, baseline=BARE,
                     baseline_seconds=bare, goal=info, p50_ms=round(statistics.median(t) * 1e3, 2),
                     x_bare=round(statistics.median(t) / bare, 2)))
        for exe, what in interpreters:
            for fl in ([], flags):
                if exe == python:
                    continue
                t, rss = measure([exe, *fl, str(floor_py)], edit, env, max(8, n // 3))
                emit(row("hooks", f"interpreter: the JSON hook via {exe} {' '.join(fl)} ({what})".replace("  ", " "),
                         statistics.median(t), 1, rss, baseline=BARE, baseline_seconds=bare, goal=info,
                         p50_ms=round(statistics.median(t) * 1e3, 2), x_bare=round(statistics.median(t) / bare, 2)))
        node = shutil.which("node")
        if node:
            nf = tmp / "floor_hook.js"
            nf.write_text(NODE_FLOOR)
            t, rss = measure([node, str(nf)], edit, env, max(8, n // 3))
            emit(row("hooks", "interpreter: the same JSON hook in Node", statistics.median(t), 1, rss,
                     baseline=BARE, baseline_seconds=bare, goal=info, p50_ms=round(statistics.median(t) * 1e3, 2),
                     x_bare=round(statistics.median(t) / bare, 2)))

        # --- the hook paths, each run alternating with the baseline and the JSON-hook floor ------
        hook = [python, *flags, str(HOOK)]

        def subject(name: str, stdin: Path, expect: str, argv: list[str] = hook, base: list[str] = bare_argv,
                    goal: str = GOAL, run_env: dict = env) -> None:
            t, b, f, rss = [], [], [], 0.0
            for i in range(n + 2):
                r = run_child(argv, stdin_path=str(stdin), env=run_env)
                br = run_child(base, stdin_path=str(stdin), env=run_env)
                fr = run_child(floor_argv, stdin_path=str(stdin), env=run_env)
                if i == 0:
                    assert expect in r.stdout.decode(), f"{name}: {r.stdout!r}"
                if i >= 2:  # two warm-up runs (page cache, pyc)
                    t.append(r.seconds)
                    b.append(br.seconds)
                    f.append(fr.seconds)
                    rss = max(rss, r.peak_rss_mb)
            p50, bp50, fp50 = statistics.median(t), statistics.median(b), statistics.median(f)
            emit(row("hooks", name, p50, 1, rss, baseline=BARE, baseline_seconds=bp50, goal=goal, runs=n,
                     p50_ms=round(p50 * 1e3, 2), p99_ms=round(pct(t, 0.99) * 1e3, 2),
                     bare_p50_ms=round(bp50 * 1e3, 2), bare_p99_ms=round(pct(b, 0.99) * 1e3, 2),
                     x_bare=round(p50 / bp50, 2), meets_goal=p50 / bp50 <= 1.3 if goal == GOAL else None,
                     json_hook_p50_ms=round(fp50 * 1e3, 2), x_json_hook=round(p50 / fp50, 2)))

        subject("PreToolUse allow: Edit, no investigation ever", edit, "{}")
        subject("PreToolUse allow: Bash, no investigation ever", bash, "{}")
        post = [python, *flags, str(ROOT / "hooks" / "post_tool_use.py")]
        post_bash = tmp / "post_bash.json"
        post_bash.write_text(json.dumps(dict(payload(project, "Bash", {"command": "git status"}),
                                             hook_event_name="PostToolUse",
                                             tool_response={"stdout": "On branch main", "stderr": ""})))
        post_edit = tmp / "post_edit.json"
        post_edit.write_text(json.dumps(dict(json.loads(edit.read_text()), hook_event_name="PostToolUse")))
        subject("PostToolUse Bash, not a test run (frequent path)", post_bash, "{}", post, goal=INFO)
        subject("PostToolUse Edit, no failing streak (frequent path)", post_edit, "{}", post, goal=INFO)

        def workflow(code: str) -> None:  # in a child: this process stays small (its RSS is forked)
            r = run_child([sys.executable, "-c", "from mcp_server.workflow import api; " + code],
                          env=dict(env, PYTHONPATH=str(ROOT)), cwd=str(ROOT))
            assert r.returncode == 0, code

        workflow("api.start('tmux server died overnight', targets=['tmux'], start='2h ago')")
        state_file.write_text(json.dumps({"open": True, "id": "RCA-001"}))
        subject("PreToolUse deny: Edit, investigation open", edit, '"deny"')
        subject("PreToolUse allow: Write into docs/rca/, investigation open", report, "{}")
        subject("PreToolUse allow: Bash git status, investigation open (cleared by the gate screen)", bash, "{}")
        subject("PreToolUse allow: Bash `cd src && pytest -x -q | tail -20`, investigation open (gate screen)",
                pipeline, "{}")
        subject("PreToolUse allow: Bash `curl -s http://localhost:8080/health`, investigation open (the screen "
                "leaves curl to the classifier: danger classifier imported)", unscreened, "{}")
        subject("PreToolUse deny: Bash `tmux kill-server`, investigation open (danger classifier imported)",
                destroy, '"deny"')
        # --- the mix: what agents run, one PreToolUse Bash call per command, investigation open ----
        mix_subject(tmp, project, hook, bare_argv, env, 3 if args.size == "full" else 1)
        workflow("from mcp_server.workflow import storage; from mcp_server.workflow.state import Override\n"
                 "with storage.transaction(storage.gatefile.project_dir()) as inv:\n"
                 "    inv.overrides.append(Override(time=storage.now(), source='user_prompt', text='bench'))\n"
                 "api.close('bench done')")
        state_file.write_text(json.dumps({"open": False}))
        subject("PreToolUse allow: Edit, investigation closed", edit, "{}")

        # --- the wrapper hooks.json uses, against the baseline behind the same wrapper -----------
        cmd = json.loads((ROOT / "hooks" / "hooks.json").read_text())["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
        subject("PreToolUse through hooks.json's command (sh -c '… || true'), baseline wrapped alike", edit, "{}",
                argv=["sh", "-c", cmd], base=["sh", "-c", f'"{python}" -c pass || true'],
                run_env=dict(env, RCA_HOOK_PYTHON=python))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


MIX = ROOT / "bench" / "agent_commands.txt"


def mix_subject(tmp: Path, project: Path, hook: list[str], bare_argv: list[str], env: dict, rounds: int) -> None:
    """Every command of bench/agent_commands.txt (ordinary agent work, none denied) through the hook
    `rounds` times, each run beside a bare interpreter run; the p50, p75 and p90 of all runs against
    the baseline's, and how many commands the light gate screen cleared without the classifier."""
    sys.path.insert(0, str(ROOT))
    from mcp_server.analysis.danger_screen import gate_cleared

    commands = [c for c in MIX.read_text(encoding="utf-8").splitlines() if c.strip() and not c.startswith("#")]
    files = []
    for k, command in enumerate(commands):
        f = tmp / f"mix-{k}.json"
        f.write_text(json.dumps(payload(project, "Bash", {"command": command})))
        files.append(f)
    for f in files[:2]:  # warm-up (page cache, pyc)
        run_child(hook, stdin_path=str(f), env=env)
    t, b, rss, screened, by = [], [], 0.0, [], {}
    for _ in range(rounds):
        for command, f in zip(commands, files):
            r = run_child(hook, stdin_path=str(f), env=env)
            br = run_child(bare_argv, stdin_path=str(f), env=env)
            assert r.returncode == 0 and b'"deny"' not in r.stdout, (command, r.stdout)
            t.append(r.seconds)
            b.append(br.seconds)
            rss = max(rss, r.peak_rss_mb)
            by.setdefault(gate_cleared(command), []).append(r.seconds / br.seconds)
    cleared = sum(gate_cleared(c) for c in commands)
    p50, bp50 = statistics.median(t), statistics.median(b)
    emit(row("hooks", f"PreToolUse Bash, investigation open: the mix of {len(commands)} agent commands "
             f"(bench/agent_commands.txt; {cleared} cleared by the gate screen)", p50, 1, rss, baseline=BARE,
             baseline_seconds=bp50, goal=GOAL, runs=len(t), p50_ms=round(p50 * 1e3, 2),
             p75_ms=round(pct(t, 0.75) * 1e3, 2), p90_ms=round(pct(t, 0.9) * 1e3, 2), bare_p50_ms=round(bp50 * 1e3, 2),
             x_bare=round(p50 / bp50, 2), meets_goal=p50 / bp50 <= 1.3,
             x_bare_p75=round(pct(t, 0.75) / pct(b, 0.75), 2), x_bare_p90=round(pct(t, 0.9) / pct(b, 0.9), 2),
             x_bare_screened_p50=round(statistics.median(by.get(True, [0])), 2),
             x_bare_classifier_p50=round(statistics.median(by.get(False, [0])), 2)))


if __name__ == "__main__":
    main()
