"""Session forensics: extracting every tool call from a large set of Claude Code transcripts.

    python -m bench.bench_sessions --size quick   # ~50 MB, CI
    python -m bench.bench_sessions --size full    # ~1 GB, the README's figures

Generates (seeded, deterministic) a transcript set shaped like real 2.1.x transcripts: one content
block per assistant line, tool results as user lines with a duplicated `toolUseResult`, long
outputs (file reads, build logs), request blobs, attachments, file-history snapshots, progress
lines, subagent files with .meta.json, occasional compactions and API errors. Then measures, each
in its own child process on the same warm files: rca (`extract_session_commands`, every tool; again
in one process, with the default tools, and with CPython's search instead of StringZilla's), the seeds' snippet (json.loads per line),
orjson per line, a floor (read, search, orjson of the tool_use lines and nothing else), jq, `rg -c`
(if installed) and `cat`.
Goal (issue 5): ≥ 15× faster than the snippet, within ~3× of cat, peak RSS ≤ 64 MB.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from bench._common import emit, python_child, row, run_child, size_arg

ROOT = Path(__file__).resolve().parent.parent
BENCH = "sessions"
GOAL = "≥ 15× the json.loads snippet, within ~3× of cat, peak RSS ≤ 64 MB"
SIZES = {"quick": 50 << 20, "full": 1 << 30}
REPEATS = 3

_WORDS = ("error warning build test src lib main return function const import from def class self value result "
          "file path line config server client request response timeout retry cache index node module package "
          "npm pytest cargo make docker kubectl git commit branch merge status diff log").split()


class Gen:
    """Deterministic transcript writer."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        # a pool of text, sliced for outputs (generating fresh text per line would dominate the run)
        lines = []
        for _ in range(20000):
            n = self.rnd.randint(3, 14)
            lines.append(" ".join(self.rnd.choice(_WORDS) for _ in range(n)))
        self.pool = "\n".join(lines)
        self.t = 1_795_000_000.0

    def text(self, size: int) -> str:
        start = self.rnd.randrange(0, max(1, len(self.pool) - size))
        return self.pool[start : start + size]

    def ts(self) -> str:
        self.t += self.rnd.uniform(0.05, 4.0)
        from datetime import datetime, timezone

        dt = datetime.fromtimestamp(self.t, timezone.utc)
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rnd.getrandbits(128), version=4))

    def tid(self) -> str:
        return "toolu_" + "".join(self.rnd.choice("0123456789abcdef") for _ in range(24))


def _common(session: str, cwd: str, agent: str | None) -> dict:
    d = {"userType": "external", "entrypoint": "cli", "cwd": cwd, "sessionId": session, "version": "2.1.330", "gitBranch": "main"}
    if agent:
        d["agentId"] = agent
    return d


def _dump(obj: dict) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"


TOOLS = ("Bash", "Bash", "Bash", "Read", "Read", "Edit", "Grep", "Glob", "Write", "Agent")


def write_session(g: Gen, out, session: str, cwd: str, budget: int, agent: str | None = None) -> tuple[int, int, list]:
    """Write lines until `budget` bytes; returns (bytes, tool calls, agents to write)."""
    written = 0
    calls = 0
    agents = []
    common = _common(session, cwd, agent)
    parent = None

    def put(obj: dict) -> None:
        nonlocal written, parent
        obj.update(common)
        obj["uuid"] = u = g.uid()
        obj["parentUuid"] = parent
        obj["isSidechain"] = agent is not None
        parent = u
        s = _dump(obj)
        out.write(s)
        written += len(s.encode())

    if agent is None:
        put({"type": "queue-operation", "operation": "enqueue", "timestamp": g.ts(), "content": "fix the failing build"})
        put({"type": "user", "message": {"role": "user", "content": "fix the failing build and run the tests"}, "timestamp": g.ts()})
    else:
        put({"type": "user", "message": {"role": "user", "content": "Review the change and report"}, "timestamp": g.ts()})
    while written < budget:
        r = g.rnd.random()
        if agent is None and r < 0.08:
            put({"type": "api-request-blob", "hash": g.uid(), "message": {"role": "user", "content": [{"type": "text", "text": g.text(g.rnd.randint(8000, 60000))}]}, "timestamp": g.ts()})
        if r < 0.25:
            put({"type": "attachment", "attachment": {"type": "hook_additional_context", "content": [g.text(g.rnd.randint(200, 3000))], "hookName": "PostToolUse", "toolUseID": g.tid(), "hookEvent": "PostToolUse"}, "timestamp": g.ts()})
        if r < 0.05 and agent is None:
            put({"type": "file-history-snapshot", "messageId": g.uid(), "snapshot": {"messageId": g.uid(), "trackedFileBackups": {f"src/mod{i}.py": {"backupFileName": g.uid(), "version": i, "backupTime": g.ts()} for i in range(g.rnd.randint(5, 60))}, "timestamp": g.ts()}, "isSnapshotUpdate": False})
        if r < 0.003 and agent is None:
            put({"type": "system", "subtype": "compact_boundary", "content": "Conversation compacted", "level": "info", "compactMetadata": {"trigger": "auto", "preTokens": 167000}, "timestamp": g.ts()})
        if 0.003 <= r < 0.005:
            put({"type": "system", "subtype": "api_error", "level": "error", "error": {"status": 529, "error": {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}}, "retryInMs": 1200, "retryAttempt": 1, "maxRetries": 10, "timestamp": g.ts()})
        if agent is None:
            req = g.uid()
            put({"type": "api-request", "id": req, "querySource": "repl_main_thread", "shapeHash": g.uid() + g.uid(), "params": {"model": "claude-opus-5-5", "max_tokens": 32000, "thinking": {"type": "adaptive"}}, "keep": 0, "tail": [g.uid() + g.uid(), g.uid() + g.uid()], "cacheControl": [{"path": ["system", 0], "value": {"type": "ephemeral"}}], "requestDigest": g.uid() + g.uid(), "timestamp": g.ts()})
        msg_id = "msg_" + g.uid().replace("-", "")[:24]
        if g.rnd.random() < 0.5:
            put({"type": "assistant", "message": {"id": msg_id, "type": "message", "role": "assistant", "model": "claude-opus-5-5", "content": [{"type": "text", "text": g.text(g.rnd.randint(50, 1500))}], "stop_reason": None, "usage": {"input_tokens": 10, "output_tokens": 40}}, "requestId": "req_" + g.uid()[:20], "timestamp": g.ts()})
        tool = g.rnd.choice(TOOLS) if agent is None else g.rnd.choice(TOOLS[:-1])
        tid = g.tid()
        if tool == "Bash":
            inp = {"command": g.rnd.choice(["npm test", "pytest -q tests/", "make build", "git status", "tmux kill-server", "rm -rf build/", "cargo build --release"]), "description": "Run the step", "timeout": 120000}
            if g.rnd.random() < 0.1:
                inp["run_in_background"] = True
        elif tool == "Agent":
            inp = {"description": "Review the change", "prompt": g.text(300), "subagent_type": "code-reviewer"}
        elif tool in ("Read", "Write", "Edit"):
            inp = {"file_path": f"{cwd}/src/mod{g.rnd.randint(1, 90)}.py"}
            if tool == "Edit":
                inp.update(old_string=g.text(200), new_string=g.text(200))
            if tool == "Write":
                inp["content"] = g.text(g.rnd.randint(500, 8000))
        else:
            inp = {"pattern": g.rnd.choice(_WORDS)}
        put({"type": "assistant", "message": {"id": msg_id, "type": "message", "role": "assistant", "model": "claude-opus-5-5", "content": [{"type": "tool_use", "id": tid, "name": tool, "input": inp}], "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 40}}, "requestId": "req_" + g.uid()[:20], "timestamp": g.ts()})
        calls += 1
        put({"type": "attachment", "attachment": {"type": "hook_success", "hookName": f"PreToolUse:{tool}", "toolUseID": tid, "hookEvent": "PreToolUse", "content": "", "stdout": "", "stderr": "", "exitCode": 0, "command": "python3 ${CLAUDE_PLUGIN_ROOT}/hooks/pre_tool_use.py", "durationMs": 41}, "timestamp": g.ts()})
        put({"type": "progress", "data": {"type": "hook_progress", "hookEvent": "PostToolUse", "hookName": f"PostToolUse:{tool}", "command": "python3 hooks/post.py"}, "parentToolUseID": tid, "toolUseID": tid, "timestamp": g.ts()})
        size = int(g.rnd.paretovariate(1.2) * 400)
        size = min(size, 400_000)
        output = g.text(size)
        failing = g.rnd.random() < 0.08
        if tool == "Bash":
            content = (f"Exit code 1\n{output}" if failing else output)
            tur = {"stdout": output, "stderr": "", "interrupted": False, "isImage": False, "noOutputExpected": False}
            if failing:
                tur = "Error: " + content
        elif tool == "Agent":
            agent_id = "a" + "".join(g.rnd.choice("0123456789abcdef") for _ in range(16))
            agents.append((agent_id, tid))
            content = [{"type": "text", "text": output}]
            tur = {"status": "completed", "agentId": agent_id, "agentType": "code-reviewer", "content": content, "totalToolUseCount": 3}
        else:
            content = output
            tur = {"type": "text", "file": {"filePath": inp.get("file_path", ""), "content": output, "numLines": output.count("\n") + 1}}
        put({"type": "user", "message": {"role": "user", "content": [{"tool_use_id": tid, "type": "tool_result", "content": content, "is_error": failing}]}, "toolUseResult": tur, "sourceToolAssistantUUID": parent, "timestamp": g.ts()})
    return written, calls, agents


def generate(folder: Path, total: int, seed: int = 5) -> int:
    g = Gen(seed)
    written = 0
    calls = 0
    n = 0
    while written < total:
        project = folder / f"-home-dev-proj{n % 4}"
        project.mkdir(parents=True, exist_ok=True)
        session = g.uid()
        budget = min(total - written, int(g.rnd.uniform(0.5, 1.5) * max(total // 40, 1 << 20)))
        with open(project / f"{session}.jsonl", "w", encoding="utf-8") as out:
            b, c, agents = write_session(g, out, session, f"/home/dev/proj{n % 4}", budget)
        written += b
        calls += c
        for agent_id, tid in agents[:3]:
            sub = project / session / "subagents"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"agent-{agent_id}.meta.json").write_text(json.dumps({"agentType": "code-reviewer", "description": "Review the change", "toolUseId": tid}))
            with open(sub / f"agent-{agent_id}.jsonl", "w", encoding="utf-8") as out:
                b, c, _ = write_session(g, out, session, f"/home/dev/proj{n % 4}", g.rnd.randint(20_000, 400_000), agent=agent_id)
            written += b
            calls += c
        n += 1
    return calls


SNIPPET = r"""
import json, sys, glob
uses = {}
results = 0
for path in sorted(glob.glob(sys.argv[1] + "/**/*.jsonl", recursive=True)):
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            t = d.get("type")
            content = (d.get("message") or {}).get("content")
            if not isinstance(content, list):
                continue
            for b in content:
                if not isinstance(b, dict):
                    continue
                if t == "assistant" and b.get("type") == "tool_use":
                    uses[b["id"]] = (d.get("timestamp"), b.get("name"), b.get("input"))
                elif t == "user" and b.get("type") == "tool_result":
                    results += 1
print(len(uses))
"""

ORJSON_SNIPPET = SNIPPET.replace("import json, sys, glob", "import orjson as json, sys, glob").replace(
    'open(path, encoding="utf-8")', 'open(path, "rb")')

RCA = r"""
import sys
from mcp_server.sources.claude_transcripts import extract_session_commands
r = extract_session_commands(paths=[sys.argv[1]], tools="all", limit=200)
print(r.total)
"""

RCA_PY_SEARCH = RCA.replace("import extract_session_commands",
                            "import extract_session_commands\nimport mcp_server.sources.claude_transcripts as ct\nct._SzStr = None")

#: The tool's default filter (Bash and Agent calls): every tool_use line is still parsed (the JSON
#: check, line types and bad lines are reported whatever the filter), fewer calls are indexed.
RCA_DEFAULT_TOOLS = RCA.replace('tools="all"', 'tools=None')

#: rca without its second reading process (see SCAN_PROCESSES), to show what the fork buys.
RCA_ONE_PROCESS = RCA.replace("import extract_session_commands",
                              "import extract_session_commands\nimport mcp_server.sources.claude_transcripts as ct\nct.SCAN_PROCESSES = 1")

IMPORT_ONLY = "import mcp_server.sources.claude_transcripts"

#: What no scan that parses every tool-call line can beat: read the files in 2 MB blocks, find the
#: tool_use lines (SIMD search) and orjson them, nothing else (no imports of rca, no indexing,
#: lines cut by a block boundary not even completed).
FLOOR = r"""
import glob, sys, orjson
from stringzilla import Str
buf = bytearray(2 << 20)
marker = b'"type":"tool_use"'
n = 0
for path in sorted(glob.glob(sys.argv[1] + "/**/*.jsonl", recursive=True)):
    with open(path, "rb", buffering=0) as f:
        while True:
            k = f.readinto(buf)
            if not k:
                break
            find = Str(buf).find
            pos = find(marker, 0, k)
            while pos >= 0:
                le = buf.find(b"\n", pos, k)
                if le < 0:
                    break
                try:
                    orjson.loads(buf[buf.rfind(b"\n", 0, pos) + 1 : le])
                    n += 1
                except orjson.JSONDecodeError:
                    pass
                pos = find(marker, le + 1, k)
print(n)
"""

JQ_FILTER = 'select(.type=="assistant") | .message.content[]? | select(.type=="tool_use") | .id'


def main() -> None:
    args = size_arg(__doc__ or "")
    total = SIZES[args.size]
    tmp = Path(tempfile.mkdtemp(prefix="rca-bench-sessions-"))
    try:
        folder = tmp / "projects"
        expected = generate(folder, total)
        files = sorted(str(p) for p in folder.rglob("*.jsonl"))
        size = sum(Path(f).stat().st_size for f in files)
        env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin:/usr/local/bin"}
        run_child(["cat", *files], keep_stdout=False)  # warm the page cache

        def best(argv, **kw):
            """Best of REPEATS runs: the machine may be shared, and the minimum is the least disturbed."""
            return min((run_child(argv, **kw) for _ in range(REPEATS)), key=lambda r: r.seconds)

        cat = best(["cat", *files], keep_stdout=False)
        snippet = best(python_child(SNIPPET, str(folder)), env=env)
        rca = best(python_child(RCA, str(folder)), env=env, cwd=str(ROOT))
        startup = best(python_child(IMPORT_ONLY), env=env, cwd=str(ROOT))
        rca_n = int(rca.stdout.strip() or 0)
        snip_n = int(snippet.stdout.strip() or 0)
        emit(row(BENCH, "rca extract_session_commands (all tools)", rca.seconds, rca_n, rca.peak_rss_mb,
                 baseline="json.loads snippet", baseline_seconds=snippet.seconds, goal=GOAL, bytes=size,
                 files=len(files), agrees_with_snippet=rca_n == snip_n == expected))
        scan_s = max(rca.seconds - startup.seconds, 1e-6)
        emit(row(BENCH, "rca scan only (wall minus interpreter start and imports)", scan_s, rca_n, rca.peak_rss_mb,
                 baseline="json.loads snippet", baseline_seconds=snippet.seconds, goal=GOAL,
                 startup_seconds=round(startup.seconds, 3)))
        emit(row(BENCH, "rca vs cat", rca.seconds, rca_n, rca.peak_rss_mb, baseline="cat",
                 baseline_seconds=cat.seconds, goal="within ~3× of cat (ratio ≥ 0.33)"))
        one = best(python_child(RCA_ONE_PROCESS, str(folder)), env=env, cwd=str(ROOT))
        emit(row(BENCH, "rca in one process (SCAN_PROCESSES=1)", one.seconds, int(one.stdout.strip() or 0),
                 one.peak_rss_mb, baseline="json.loads snippet", baseline_seconds=snippet.seconds, goal=GOAL))
        default = best(python_child(RCA_DEFAULT_TOOLS, str(folder)), env=env, cwd=str(ROOT))
        emit(row(BENCH, "rca extract_session_commands (default tools: Bash, Agent)", default.seconds,
                 int(default.stdout.strip() or 0), default.peak_rss_mb, baseline="json.loads snippet",
                 baseline_seconds=snippet.seconds, goal=GOAL))
        py_search = best(python_child(RCA_PY_SEARCH, str(folder)), env=env, cwd=str(ROOT))
        emit(row(BENCH, "rca with CPython's bytes.find instead of StringZilla", py_search.seconds,
                 int(py_search.stdout.strip() or 0), py_search.peak_rss_mb, baseline="json.loads snippet",
                 baseline_seconds=snippet.seconds, goal=GOAL))
        floor = best(python_child(FLOOR, str(folder)), env=env)
        emit(row(BENCH, "floor: read + SIMD search + orjson of the tool_use lines, nothing else", floor.seconds,
                 int(floor.stdout.strip() or 0), floor.peak_rss_mb, baseline="json.loads snippet",
                 baseline_seconds=snippet.seconds, goal=GOAL))
        emit(row(BENCH, "json.loads snippet", snippet.seconds, snip_n, snippet.peak_rss_mb, goal=GOAL))
        oj = best(python_child(ORJSON_SNIPPET, str(folder)), env=env)
        emit(row(BENCH, "orjson per line", oj.seconds, int(oj.stdout.strip() or 0), oj.peak_rss_mb, goal=GOAL))
        if shutil.which("jq"):
            jq = best(["jq", "-r", JQ_FILTER, *files])
            emit(row(BENCH, "jq (tool_use ids)", jq.seconds, len(jq.stdout.splitlines()), jq.peak_rss_mb, goal=GOAL))
        if shutil.which("rg"):
            rg = best(["rg", "-c", "--no-filename", '"type":"tool_use"', *files])
            emit(row(BENCH, "rg -c (count only, no parse)", rg.seconds,
                     sum(int(x) for x in rg.stdout.split() if x.isdigit()), rg.peak_rss_mb, goal=GOAL))
        emit(row(BENCH, "cat", cat.seconds, len(files), cat.peak_rss_mb, goal=GOAL, bytes=size))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
