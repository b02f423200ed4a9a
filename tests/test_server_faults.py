"""Fault injection for the MCP server: evidence programs that are missing, fail, hang or print
garbage; a transcript appended to while it is read; a call cancelled mid-scan; many concurrent calls.
Every case must end in a result that says what went wrong (or a deliberate ToolError), never a
crash, and never a hang (a hang would trip pytest-timeout)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client

from mcp_server import server

WIDE = {"start": "2020-01-01T00:00:00Z", "end": "2026-12-31T00:00:00Z"}

FAKE = {
    "garbage": "#!/bin/sh\nprintf '%s\\n' 'not json at all' '{\"half\": ' '\\x00\\x01binary' '[1,2' \nexit 0\n",
    "fail": "#!/bin/sh\necho 'Failed to open files: Bad message' >&2\nexit 1\n",
    "hang": "#!/bin/sh\nexec sleep 300\n",
}


@pytest.fixture
def fake_bin(tmp_path, monkeypatch):
    """A PATH where journalctl, coredumpctl and git are scripts behaving as `mode` says."""

    def install(mode: str) -> Path:
        d = tmp_path / f"bin-{mode}"
        d.mkdir(exist_ok=True)
        for prog in ("journalctl", "coredumpctl", "git"):
            p = d / prog
            p.write_text(FAKE[mode])
            p.chmod(0o755)
        monkeypatch.setenv("PATH", f"{d}:/usr/bin:/bin")
        return d

    monkeypatch.setenv("RCA_COMMAND_TIMEOUT", "3")
    return install


def call_all(pairs):
    async def go():
        async with Client(server.mcp) as client:
            return [await client.call_tool(name, args) for name, args in pairs]

    return anyio.run(go)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["garbage", "fail", "hang", "missing"])
def test_evidence_programs_misbehaving(mode, fake_bin, tmp_path, monkeypatch):
    if mode == "missing":
        empty = tmp_path / "empty-bin"
        empty.mkdir()
        monkeypatch.setenv("PATH", str(empty))
    else:
        fake_bin(mode)
    journal = tmp_path / "system.journal"
    journal.write_bytes(b"LPKSHHRH" + b"\0" * 256)  # a journal-looking file so journalctl is consulted
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    started = time.monotonic()
    log, crash, git = call_all([
        ("log_show", {**WIDE, "source": "journald", "paths": [str(journal)]}),
        ("find_crash_reports", {**WIDE}),
        ("git_activity", {"repo": str(repo), **WIDE}),
    ])
    took = time.monotonic() - started
    for result in (log, crash, git):
        assert not result.is_error, result.content[0].text
    runs = log.structured_content["consulted"]
    assert runs and all(r["status"] in ("error", "unavailable", "partial", "ok") for r in runs)
    if mode != "garbage":
        assert any(r["status"] in ("error", "unavailable") and r["reason"] for r in runs), runs
    else:  # garbage is read, warned about, and yields no invented events
        assert log.structured_content["events"] == []
        assert log.structured_content["warnings_total"] >= 1 or any(r["reason"] for r in runs)
    if mode == "hang":
        assert any("did not finish" in (r["reason"] or "") for r in runs), runs
        assert took < 100  # three 3-second limits, not three 300-second sleeps
    git_data = git.structured_content
    assert git_data["status"] in ("unavailable", "partial", "ok") and (git_data["reason"] or mode == "garbage")
    coredump_runs = [r for r in crash.structured_content["consulted"] if r["source"].startswith("coredump")]
    if mode in ("fail", "hang", "missing"):
        assert all(r["status"] != "ok" or r["reason"] for r in coredump_runs), coredump_runs


def _transcript_line(i: int) -> str:
    tid = f"toolu_{i:08d}"
    ts = f"2026-11-21T03:{i // 60 % 60:02d}:{i % 60:02d}.000Z"
    use = {"type": "assistant", "uuid": f"u{i}", "sessionId": "7c0ffee0-0000-4000-8000-000000000001",
           "timestamp": ts, "cwd": "/home/dev/app", "version": "2.1.197",
           "message": {"id": f"msg_{i}", "role": "assistant", "type": "message",
                       "content": [{"type": "tool_use", "id": tid, "name": "Bash",
                                    "input": {"command": f"echo step {i}", "description": "step"}}]}}
    res = {"type": "user", "uuid": f"r{i}", "sessionId": "7c0ffee0-0000-4000-8000-000000000001", "timestamp": ts,
           "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tid,
                                                    "content": f"step {i}\n" + "x" * 2000, "is_error": False}]},
           "toolUseResult": {"stdout": f"step {i}", "stderr": "", "interrupted": False}}
    compact = {"separators": (",", ":")}  # as Claude Code writes them (JSON.stringify)
    return json.dumps(use, **compact) + "\n" + json.dumps(res, **compact) + "\n"


@pytest.mark.timeout(120)
def test_transcript_appended_while_being_read(tmp_path):
    folder = tmp_path / "projects" / "-home-dev-app"
    folder.mkdir(parents=True)
    f = folder / "7c0ffee0-0000-4000-8000-000000000001.jsonl"
    f.write_text("".join(_transcript_line(i) for i in range(2000)))
    stop = threading.Event()

    def writer():
        i = 2000
        with open(f, "a") as out:
            while not stop.is_set() and i < 20000:
                out.write(_transcript_line(i)[: 700 if i % 7 == 0 else None])  # some lines cut mid-write
                out.flush()
                i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        results = call_all([("extract_session_commands", {"paths": [str(tmp_path / "projects")], "limit": 1000})] * 3)
    finally:
        stop.set()
        t.join()
    for r in results:
        assert not r.is_error, r.content[0].text
        data = r.structured_content
        assert data["total"] >= 2000 and len(data["commands"]) == 1000
        assert data["commands"][0]["command"] == "echo step 0"


@pytest.mark.timeout(180)
def test_cancelled_call_leaves_the_server_responsive(tmp_path):
    folder = tmp_path / "projects" / "-home-dev-app"
    folder.mkdir(parents=True)
    with open(folder / "7c0ffee0-0000-4000-8000-000000000001.jsonl", "w") as out:
        for i in range(40000):
            out.write(_transcript_line(i))

    async def go():
        async with Client(server.mcp) as client:
            with anyio.move_on_after(0.2) as scope:
                await client.call_tool("extract_session_commands",
                                       {"paths": [str(tmp_path / "projects")], "tools": "all", "limit": 1000})
            assert scope.cancel_called  # the deadline passed while the scan was still running
            t = time.monotonic()
            after = await client.call_tool("flag_dangerous", {"commands": ["tmux kill-server"]})
            return after, time.monotonic() - t

    after, _ = anyio.run(go)
    assert not after.is_error
    assert after.structured_content["assessments"][0]["risk"] in ("high", "critical")


@pytest.mark.timeout(180)
def test_many_concurrent_calls(tmp_path):
    from tests.conftest import sample

    logs = str(sample("linux_logs"))
    crash = str(sample("macos_crash"))

    async def go():
        out: list = []
        async with Client(server.mcp) as client:
            async def one(i: int):
                kind = i % 4
                if kind == 0:
                    r = await client.call_tool("log_show", {**WIDE, "start": "2017-01-02T00:00:00Z", "paths": [logs], "limit": 20})
                elif kind == 1:
                    r = await client.call_tool("find_crash_reports", {"start": "2010-01-01T00:00:00Z", "paths": [crash], "limit": 5})
                elif kind == 2:
                    r = await client.call_tool("flag_dangerous", {"commands": [f"kill -9 {i}", "ls"]})
                else:
                    r = await client.call_tool("evidence_sources", {})
                out.append((kind, r))

            async with anyio.create_task_group() as tg:
                for i in range(40):
                    tg.start_soon(one, i)
        return out

    results = anyio.run(go)
    assert len(results) == 40
    for kind, r in results:
        assert not r.is_error, (kind, r.content[0].text)
    first_log = next(r for k, r in results if k == 0).structured_content
    assert all(r.structured_content == first_log for k, r in results if k == 0)  # same answer under load
