"""Hook latency: the PreToolUse hook (deny and allow paths, with and without an open investigation)
against the floor — a minimal stdlib hook that reads the stdin JSON, reads a small JSON state
file and prints a JSON decision — run by the same interpreter with the same flags.

Goal (issue 9): p50 ≤ 1.3× the floor. Every run is a fresh process, as Claude Code runs hooks;
each subject's peak RSS is its own (wait4). Also reported: what the interpreter choice costs
(`/usr/bin/python3` vs whatever `python3` is on PATH, e.g. a pyenv shim; with and without
`-I -S`), the `sh -c "… || true"` wrapper hooks.json uses, and Node for comparison.
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
GOAL = "PreToolUse p50 ≤ 1.3× a minimal stdlib JSON hook (same interpreter, same flags)"

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

        interpreters = []
        for exe in ("/usr/bin/python3", shutil.which("python3")):
            if exe and os.path.exists(exe) and exe not in [i for i, _ in interpreters]:
                interpreters.append((exe, os.path.realpath(exe) if "shims" not in exe else "pyenv shim"))
        flags = ["-I", "-S"]
        python = interpreters[0][0]

        # --- the floor and the interpreter choice --------------------------------------------
        floor_times, floor_rss = measure([python, *flags, str(floor_py)], edit, env, n, expect="{}")
        floor = statistics.median(floor_times)
        emit(row("hooks", f"floor: minimal stdlib JSON hook ({python} -I -S)", floor, n, floor_rss, goal=GOAL,
                 p50_ms=round(floor * 1e3, 2), p99_ms=round(pct(floor_times, 0.99) * 1e3, 2)))
        for exe, what in interpreters:
            for fl in ([], flags):
                if exe == python and fl == flags:
                    continue
                t, rss = measure([exe, *fl, str(floor_py)], edit, env, max(8, n // 3))
                emit(row("hooks", f"interpreter: floor hook via {exe} {' '.join(fl)} ({what})".replace("  ", " "),
                         statistics.median(t), len(t), rss, baseline="floor", baseline_seconds=floor,
                         goal="interpreter choice (not a goal)", p50_ms=round(statistics.median(t) * 1e3, 2)))
        node = shutil.which("node")
        if node:
            nf = tmp / "floor_hook.js"
            nf.write_text(NODE_FLOOR)
            t, rss = measure([node, str(nf)], edit, env, max(8, n // 3))
            emit(row("hooks", "interpreter: the same floor hook in Node", statistics.median(t), len(t), rss,
                     baseline="floor", baseline_seconds=floor, goal="interpreter choice (not a goal)",
                     p50_ms=round(statistics.median(t) * 1e3, 2)))

        # --- PreToolUse: no investigation, then an open one, then a lifted gate ---------------
        # Subject and floor runs alternate, so both see the same machine load.
        hook = [python, *flags, str(HOOK)]
        floor_argv = [python, *flags, str(floor_py)]

        def subject(name: str, stdin: Path, expect: str, argv: list[str] = hook, floor: list[str] = floor_argv,
                    run_env: dict = env) -> None:
            t, rss, f = [], 0.0, []
            for i in range(n + 2):
                r = run_child(argv, stdin_path=str(stdin), env=run_env)
                fl = run_child(floor, stdin_path=str(stdin), env=run_env)
                if i == 0:
                    assert expect in r.stdout.decode(), f"{name}: {r.stdout!r}"
                if i >= 2:
                    t.append(r.seconds)
                    f.append(fl.seconds)
                    rss = max(rss, r.peak_rss_mb)
            p50, fp50 = statistics.median(t), statistics.median(f)
            emit(row("hooks", name if argv is not hook else f"PreToolUse {name}", p50, n, rss, baseline="floor", baseline_seconds=fp50, goal=GOAL,
                     p50_ms=round(p50 * 1e3, 2), p99_ms=round(pct(t, 0.99) * 1e3, 2),
                     floor_p50_ms=round(fp50 * 1e3, 2), floor_p99_ms=round(pct(f, 0.99) * 1e3, 2),
                     x_floor=round(p50 / fp50, 2)))

        subject("allow: Edit, no investigation ever", edit, "{}")
        subject("allow: Bash, no investigation ever", bash, "{}")
        post = [python, *flags, str(ROOT / "hooks" / "post_tool_use.py")]
        post_bash = tmp / "post_bash.json"
        post_bash.write_text(json.dumps(dict(payload(project, "Bash", {"command": "git status"}),
                                             hook_event_name="PostToolUse",
                                             tool_response={"stdout": "On branch main", "stderr": ""})))
        post_edit = tmp / "post_edit.json"
        post_edit.write_text(json.dumps(dict(json.loads(edit.read_text()), hook_event_name="PostToolUse")))
        subject("PostToolUse Bash, not a test run (frequent path)", post_bash, "{}", post)
        subject("PostToolUse Edit, no failing streak (frequent path)", post_edit, "{}", post)

        def workflow(code: str) -> None:  # in a child: this process stays small (its RSS is forked)
            r = run_child([sys.executable, "-c", "from mcp_server.workflow import api; " + code],
                          env=dict(env, PYTHONPATH=str(ROOT)), cwd=str(ROOT))
            assert r.returncode == 0, code

        workflow("api.start('tmux server died overnight', targets=['tmux'], start='2h ago')")
        state_file.write_text(json.dumps({"open": True, "id": "RCA-001"}))
        subject("deny: Edit, investigation open", edit, '"deny"')
        subject("allow: Write into docs/rca/, investigation open", report, "{}")
        subject("allow: Bash git status, investigation open (classifier path)", bash, "{}")
        workflow("from mcp_server.workflow import storage; from mcp_server.workflow.state import Override\n"
                 "with storage.transaction(storage.gatefile.project_dir()) as inv:\n"
                 "    inv.overrides.append(Override(time=storage.now(), source='user_prompt', text='bench'))\n"
                 "api.close('bench done')")
        state_file.write_text(json.dumps({"open": False}))
        subject("allow: Edit, investigation closed", edit, "{}")

        # --- the wrapper hooks.json uses, against the floor behind the same wrapper ------------
        cmd = json.loads((ROOT / "hooks" / "hooks.json").read_text())["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
        subject("PreToolUse through hooks.json's command (sh -c '… || true'), floor wrapped alike", edit, "{}",
                argv=["sh", "-c", cmd], floor=["sh", "-c", f'"{python}" -I -S "{floor_py}" || true'],
                run_env=dict(env, RCA_HOOK_PYTHON=python))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
