"""Proof that planted secrets never reach tool output: every secret format of the redaction corpus
is written into every kind of evidence (a syslog file, journald JSON, a macOS ndjson log, a Claude
Code transcript, a shell history, an apport crash report, a git commit message), every forensic
tool reads it back through the MCP server, and no secret appears anywhere in what it returns."""

from __future__ import annotations

import json
import subprocess

import anyio
from mcp import Client

from mcp_server import server
from tests.test_redact import SECRETS

WIDE = {"start": "2026-11-20T00:00:00Z", "end": "2026-11-22T23:59:59Z"}


def _lines() -> list[str]:
    # one secret per line, each as it would appear in a command or a log message
    return [text.replace("\n", " ") if "PRIVATE KEY" not in text else text for text, _, _ in SECRETS]


def build(tmp_path):
    ev = tmp_path / "evidence"
    ev.mkdir()
    secrets = _lines()
    with open(ev / "syslog", "w") as f:
        for i, s in enumerate(secrets):
            for part in s.split("\n"):
                f.write(f"Nov 21 03:{i:02d}:00 web01 deploy[{4000 + i}]: running: {part}\n")
    with open(ev / "journal.json", "w") as f:
        for i, s in enumerate(secrets):
            f.write(json.dumps({"__REALTIME_TIMESTAMP": str(1795230000000000 + i * 1000000), "_HOSTNAME": "web01",
                                "_COMM": "deploy", "_PID": str(5000 + i), "PRIORITY": "6", "MESSAGE": s,
                                "__CURSOR": f"s=abc;i={i}"}) + "\n")
    with open(ev / "unified.ndjson", "w") as f:
        for i, s in enumerate(secrets):
            f.write(json.dumps({"timestamp": f"2026-11-21 03:{i:02d}:00.000000+0000", "messageType": "Default",
                                "eventType": "logEvent", "processImagePath": "/usr/local/bin/deploy",
                                "processID": 600 + i, "subsystem": "", "category": "", "eventMessage": s}) + "\n")
        f.write(json.dumps({"count": len(secrets), "finished": 1}) + "\n")
    projects = tmp_path / "claude" / "projects" / "-home-dev-app"
    projects.mkdir(parents=True)
    sid = "9d1c2b3a-0000-4000-8000-00000000beef"
    with open(projects / f"{sid}.jsonl", "w") as f:
        for i, s in enumerate(secrets):
            ts = f"2026-11-21T03:{i:02d}:00.000Z"
            tid = f"toolu_{i:06d}"
            use = {"type": "assistant", "uuid": f"a{i}", "sessionId": sid, "timestamp": ts, "cwd": "/home/dev/app",
                   "version": "2.1.197", "message": {"id": f"m{i}", "role": "assistant", "type": "message",
                   "content": [{"type": "tool_use", "id": tid, "name": "Bash",
                                "input": {"command": s, "description": "deploy"}}]}}
            res = {"type": "user", "uuid": f"r{i}", "sessionId": sid, "timestamp": ts,
                   "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tid,
                                                            "content": f"echoed: {s}", "is_error": False}]},
                   "toolUseResult": {"stdout": f"echoed: {s}", "stderr": "", "interrupted": False}}
            f.write(json.dumps(use, separators=(",", ":")) + "\n" + json.dumps(res, separators=(",", ":")) + "\n")
    with open(ev / ".zsh_history", "w") as f:
        for i, s in enumerate(secrets):
            f.write(f": {1795230000 + i * 60}:0;{s.splitlines()[0]}\n")
    crash = ev / "_usr_bin_deploy.1000.crash"
    crash.write_text(
        "ProblemType: Crash\nArchitecture: amd64\nDate: Fri Nov 21 03:10:00 2026\nExecutablePath: /usr/bin/deploy\n"
        f"ProcCmdline: /usr/bin/deploy {secrets[0]} {secrets[15]}\nProcEnviron:\n {secrets[18]}\n {secrets[2]}\n"
        "Signal: 11\nStacktraceTop:\n main () at deploy.c:42\n"
    )
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=dev", "-c", "user.email=dev@example.invalid"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "f").write_text("x\n")
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", f"rotate {secrets[5]}"], check=True)
    return ev, projects.parent, repo


def test_no_planted_secret_reaches_any_tool_output(tmp_path, monkeypatch):
    ev, projects, repo = build(tmp_path)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(tmp_path / "data"))
    calls = [
        ("log_show", {**WIDE, "paths": [str(ev / "syslog")], "limit": 1000}),
        ("log_show", {**WIDE, "paths": [str(ev / "journal.json")], "limit": 1000}),
        ("log_show", {**WIDE, "paths": [str(ev / "unified.ndjson")], "limit": 1000}),
        ("collect_evidence", {**WIDE, "paths": [str(ev / "syslog")], "targets": ["deploy"]}),
        ("extract_session_commands", {"paths": [str(projects)], "tools": "all", "limit": 1000}),
        ("last_commands_before", {"time": "2026-11-22T00:00:00Z", "n": 50, "paths": [str(projects)]}),
        ("list_sessions", {"paths": [str(projects)]}),
        ("shell_history", {**WIDE, "paths": [str(ev / ".zsh_history")]}),
        ("find_crash_reports", {"start": "2026-11-01T00:00:00Z", "paths": [str(ev)], "include_body": True}),
        ("git_activity", {"repo": str(repo), "start": "1h ago"}),
        ("flag_dangerous", {"commands": _lines()}),
        ("build_timeline", {**WIDE, "paths": [str(ev / "syslog"), str(ev / ".zsh_history")]}),
    ]

    async def go():
        async with Client(server.mcp) as client:
            return [(name, await client.call_tool(name, args)) for name, args in calls]

    results = anyio.run(go)
    for name, result in results:
        assert not result.is_error, (name, result.content[0].text)
        text = json.dumps(result.structured_content) + "".join(getattr(c, "text", "") for c in result.content)
        leaked = [secret for _, secret, _ in SECRETS if secret in text]
        assert leaked == [], f"{name} returned secrets unredacted: {leaked}"
        if name != "list_sessions":  # lists sessions, not their commands: nothing secret to show
            assert "[REDACTED:" in text, f"{name} returned none of the planted evidence (the proof would be vacuous)"
