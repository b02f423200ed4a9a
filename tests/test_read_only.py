"""Proof that the forensic tools never write: every one runs over a fixture tree of real evidence
(logs, crash reports, transcripts, histories, a git repository), made read-only, and every file's
hash, size and mtime, and every folder's listing, are compared before and after. The only writes
allowed anywhere under the fake home are the plugin's own state folder.

Root ignores file modes, so the tree being read-only proves nothing by itself here: the snapshot
comparison is the proof.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import anyio
import pytest
from mcp import Client

from mcp_server import server
from tests.conftest import SAMPLES, require

WIDE = {"start": "2017-01-02T00:00:00Z", "end": "2026-12-31T00:00:00Z"}  # the longest window allowed


def snapshot(root: Path) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        out[str(d)] = ("dir", tuple(sorted(dirnames + filenames)), d.stat().st_mtime_ns)
        for name in filenames:
            p = d / name
            st = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if stat.S_ISREG(st.st_mode) else None
            out[str(p)] = ("file", digest, st.st_size, st.st_mtime_ns, stat.S_IMODE(st.st_mode))
    return out


@pytest.fixture
def evidence_home(tmp_path, monkeypatch):
    require(SAMPLES.is_dir(), "../shared/samples is absent")
    home = tmp_path / "home"
    ev = home / "evidence"
    shutil.copytree(SAMPLES / "linux_logs", ev / "logs")
    shutil.copytree(SAMPLES / "macos_log", ev / "macos_log")
    shutil.copytree(SAMPLES / "macos_crash", ev / "crash")
    shutil.copytree(SAMPLES / "shell_history", ev / "history")
    projects = home / ".claude" / "projects"
    for version in ("generated_offline_2.1.197", "generated_offline_2.1.330"):
        shutil.copytree(SAMPLES / "claude_sessions" / version, projects / f"-home-dev-{version.replace('.', '-')}")
    repo = home / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=dev", "-c", "user.email=dev@example.invalid"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "app.py").write_text("print('hi')\n")
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "first"], check=True)
    (repo / "app.py").write_text("print('bye')\n")
    subprocess.run(git + ["commit", "-qam", "second"], check=True)
    subprocess.run(git + ["reset", "-q", "--hard", "HEAD~1"], check=True)
    for dirpath, _, filenames in os.walk(home):
        for name in filenames:
            os.chmod(Path(dirpath) / name, 0o444)
        os.chmod(dirpath, 0o555)
    state = tmp_path / "plugin-data"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / ".claude"))
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(state))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.chdir(repo)
    yield home, ev, repo
    for dirpath, _, _ in os.walk(home):
        os.chmod(dirpath, 0o755)


def calls(ev: Path, repo: Path) -> list[tuple[str, dict]]:
    transcripts = str(Path(os.environ["CLAUDE_CONFIG_DIR"]) / "projects")
    return [
        ("evidence_sources", {}),
        ("log_show", {**WIDE, "paths": [str(ev / "logs"), str(ev / "macos_log")], "limit": 50}),
        ("collect_evidence", {**WIDE, "paths": [str(ev / "logs")], "targets": ["tmux"]}),
        ("find_crash_reports", {**WIDE, "paths": [str(ev / "crash"), str(ev / "logs")]}),
        ("list_sessions", {"all_projects": True}),
        ("extract_session_commands", {"all_projects": True, "tools": "all"}),
        ("last_commands_before", {"time": "2030-01-01T00:00:00Z", "paths": [transcripts]}),
        ("shell_history", {"paths": [str(ev / "history")]}),
        ("git_activity", {"repo": str(repo), **WIDE}),
        ("flag_dangerous", {"commands": ["tmux kill-server", "rm -rf /var/lib/app", "git status"]}),
        ("build_timeline", {**WIDE, "paths": [str(ev / "logs"), str(ev / "history")]}),
    ]


def test_every_forensic_tool_leaves_the_evidence_untouched(evidence_home):
    home, ev, repo = evidence_home
    before = snapshot(home)

    async def go():
        results = {}
        async with Client(server.mcp) as client:
            listed = {t.name for t in (await client.list_tools()).tools}
            for name, args in calls(ev, repo):
                assert name in listed, name
                results[name] = await client.call_tool(name, args)
            # every read-only tool of the server is exercised here
            read_only = {t.name for t in (await client.list_tools()).tools
                         if t.annotations and t.annotations.read_only_hint and t.annotations.open_world_hint}
        return results, read_only

    results, read_only = anyio.run(go)
    for name, result in results.items():
        assert not result.is_error, (name, result.content[0].text if result.content else "")
    assert read_only <= set(results), f"forensic tools not covered: {read_only - set(results)}"
    after = snapshot(home)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == []
    # and the tools did find the evidence they were pointed at (the proof is not vacuous)
    assert results["log_show"].structured_content["events"]
    assert results["find_crash_reports"].structured_content["reports"]
    assert results["extract_session_commands"].structured_content["commands"]
    git = results["git_activity"].structured_content
    assert git["status"] == "ok" and git["entries"] and git["flagged"] >= 1  # the reset --hard
