"""Claude Code transcripts: real 2.1.197 / 2.1.330 transcripts, format drift, bad input, properties."""

from __future__ import annotations

import os
import shutil
import tracemalloc
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_server.errors import InputError
from mcp_server.sources import claude_transcripts as ct
from tests.conftest import sample

S330 = "137f68f1-f8e7-4043-880f-62ede41288eb"
S197 = "2fda9ea8-a7c8-4033-bc69-d0f09039da29"


def d330() -> Path:
    return sample("claude_sessions", "generated_offline_2.1.330")


def d197() -> Path:
    return sample("claude_sessions", "generated_offline_2.1.197")


def by_command(result):
    return {c.command: c for c in result.commands}


# ------------------------------------------------------------------ real transcripts


def test_2_1_330_every_tool_call_with_its_outcome():
    r = ct.extract_session_commands(paths=[str(d330())], tools="all")
    assert r.total == 12 and not r.warnings
    assert r.sessions == [S330]
    calls = by_command(r)
    assert calls["echo hello-from-bash"].outcome == "ok" and calls["echo hello-from-bash"].exit_code == 0
    assert calls["echo hello-from-bash"].output_excerpt == "hello-from-bash"
    assert calls["echo hello-from-bash"].description == "Print a greeting"
    assert calls["echo DENY-ME"].outcome == "denied_by_hook"  # PreToolUse JSON deny
    assert calls["echo EXIT2-ME"].outcome == "denied_by_hook"  # PreToolUse exit 2
    failing = calls["ls /nonexistent-dir-xyz"]
    assert failing.outcome == "error" and failing.exit_code == 2 and failing.timeout_ms == 10000
    assert "No such file or directory" in failing.output_excerpt
    bg = calls["sleep 1; echo bg-done"]
    assert bg.run_in_background is True and bg.background_task_id == "b028j2kuc" and bg.outcome == "ok"
    assert bg.exit_code is None  # still running in the background: no exit code yet
    glob = next(c for c in r.commands if c.tool == "Glob")
    assert glob.agent == "a386e4022d0db03a1" and glob.agent_type == "plugin-demo:reviewer"
    agent = next(c for c in r.commands if c.tool == "Agent")
    assert agent.command.startswith("plugin-demo:reviewer: Review the notes")
    assert [c.line for c in r.commands if c.agent == "main"][:3] == [23, 35, 41]
    assert failing.result_line == 48 and failing.cwd == "/home/dev/proj2" and failing.version == "2.1.330"
    assert failing.git_branch == "main" and failing.duration_s == pytest.approx(0.442)
    times = [c.time for c in r.commands]
    assert times == sorted(times)
    kinds = [n.kind for n in r.notes]
    assert kinds.count("hook_denial") == 2


def test_2_1_197_foreground_agent_and_write_errors():
    r = ct.extract_session_commands(paths=[str(d197())], tools="all")
    assert r.total == 12
    calls = by_command(r)
    agent = next(c for c in r.commands if c.tool == "Agent")
    assert agent.outcome == "ok" and "Reviewer says OK." in agent.output_excerpt
    write = next(c for c in r.commands if c.tool == "Write")
    assert write.outcome == "error" and "File has not been read yet" in write.output_excerpt
    assert calls["echo EXIT2-ME"].outcome == "denied_by_hook"
    # 2.1.197 writes a JSON deny without any mark of the hook: it stays an error (no guessing)
    assert calls["echo DENY-ME"].outcome == "error"
    sub = next(c for c in r.commands if c.agent != "main")
    assert sub.agent == "a45e6f720cb67400d" and sub.agent_type == "plugin-demo:reviewer"


def test_default_tools_are_bash_and_agent():
    r = ct.extract_session_commands(paths=[str(d330())])
    assert {c.tool for c in r.commands} == {"Bash", "Agent"}
    assert r.total == 7


def test_evidence_ids_are_stable_and_events_convert():
    a = ct.extract_session_commands(paths=[str(d330())], tools="all")
    b = ct.extract_session_commands(paths=[str(d330())], tools="all")
    assert [c.evidence_id for c in a.commands] == [c.evidence_id for c in b.commands]
    assert len({c.evidence_id for c in a.commands}) == 12
    ev = by_command(a)["ls /nonexistent-dir-xyz"].to_event()
    assert ev.data_type == "claude:tool_call" and ev.source == "claude_transcripts"
    assert ev.category == "error" and ev.level == "error" and ev.extra["exit_code"] == 2
    assert ev.origin.endswith(".jsonl:47") and ev.time is not None


def test_located_under_claude_config_dir(tmp_path, monkeypatch):
    cfg = tmp_path / "cfg"
    proj = cfg / "projects" / "-home-dev-proj2"
    shutil.copytree(d330(), proj)
    other = cfg / "projects" / "-home-dev-proj3"
    shutil.copytree(d197(), other)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(cfg))
    assert ct.extract_session_commands(project_dir="/home/dev/proj2").sessions == [S330]
    assert sorted(ct.extract_session_commands(all_projects=True).sessions) == sorted([S330, S197])
    assert ct.extract_session_commands(session=S197).sessions == [S197]
    listed = ct.list_sessions(all_projects=True)
    assert [s.session for s in listed.sessions] == [S197, S330]  # newest first
    s330 = next(s for s in listed.sessions if s.session == S330)
    assert s330.version == "2.1.330" and s330.cwd == "/home/dev/proj2" and s330.git_branch == "main"
    assert s330.tool_calls == 11 and s330.subagent_tool_calls == 1
    assert s330.subagents[0].agent_type == "plugin-demo:reviewer"
    assert s330.subagents[0].launched_by == "toolu_c20c9dd1a1bc4d4788860f59"
    # a window that holds only the 2.1.330 run
    only = ct.list_sessions(all_projects=True, start="2026-11-22T02:46:00Z", end="2026-11-22T02:46:40Z")
    assert [s.session for s in only.sessions] == [S330]


def test_missing_folders_are_warnings_not_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "nowhere"))
    r = ct.extract_session_commands(all_projects=True)
    assert r.total == 0 and "no Claude Code projects folder" in r.warnings[0].message
    r = ct.extract_session_commands(paths=[str(tmp_path / "absent.jsonl")])
    assert r.total == 0 and "no such file" in r.warnings[0].message
    (tmp_path / "cfg" / "projects").mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "cfg"))
    r = ct.extract_session_commands(project_dir="/home/dev/none")
    assert r.total == 0 and "all_projects" in r.warnings[0].message
    assert ct.list_sessions(project_dir="/home/dev/none").total == 0


def test_last_commands_before_across_sessions():
    both = [str(d330()), str(d197())]
    r = ct.last_commands_before("2026-11-22T02:46:26.600Z", n=3, paths=both)
    assert [c.command for c in r.commands] == ["echo DENY-ME", "echo EXIT2-ME", "ls /nonexistent-dir-xyz"]
    # the ls call was issued at 26.545 and answered at 26.987: still running at 26.600
    assert [c.command for c in r.still_running] == ["ls /nonexistent-dir-xyz"]
    later = ct.last_commands_before("2026-11-22T02:47:04.100Z", n=1, paths=both)
    assert later.commands[0].command == "ls /nonexistent-dir-xyz" and later.commands[0].session == S197
    with pytest.raises(InputError):
        ct.last_commands_before("", paths=both)


def test_paging_and_windows():
    both = [str(d330()), str(d197())]
    first = ct.extract_session_commands(paths=both, tools="all", limit=5)
    assert first.total == 24 and len(first.commands) == 5 and first.next_cursor
    assert "cursor=" in first.hint
    second = ct.extract_session_commands(paths=both, tools="all", limit=5, cursor=first.next_cursor)
    assert second.commands[0].time >= first.commands[-1].time
    assert not {c.tool_use_id for c in first.commands} & {c.tool_use_id for c in second.commands}
    with pytest.raises(InputError):
        ct.extract_session_commands(paths=both, tools="Bash", limit=5, cursor=first.next_cursor)
    win = ct.extract_session_commands(paths=both, tools="all", start="2026-11-22T02:47:00Z", end="2026-11-22T02:47:04.000Z")
    assert [c.command for c in win.commands][-1] == "ls /nonexistent-dir-xyz"
    assert all(c.session == S197 for c in win.commands)
    with pytest.raises(InputError):
        ct.extract_session_commands(paths=both, start="2026-11-22T03:00:00Z", end="2026-11-22T02:00:00Z")


# ------------------------------------------------------------------ format drift (realistic hand-made lines)

SESSION = "0b5e7d1c-3f7a-4c1e-9d2a-6a1e2c3d4e5f"
BASE = {"userType": "external", "cwd": "/home/dev/app", "sessionId": SESSION, "version": "2.0.76", "gitBranch": "main"}


def line(**fields) -> bytes:
    d = dict(BASE)
    d.update(fields)
    return orjson.dumps(d) + b"\n"


def use(tid: str, name: str, inp: dict, ts: str, **extra) -> bytes:
    return line(type="assistant", uuid=tid + "-u", timestamp=ts, message={
        "id": "msg_" + tid[-8:], "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "tool_use", "id": tid, "name": name, "input": inp}], "stop_reason": "tool_use"}, **extra)


def result(tid: str, content, ts: str, is_error=False, tur=None, **extra) -> bytes:
    block = {"tool_use_id": tid, "type": "tool_result", "content": content}
    if is_error:
        block["is_error"] = True
    return line(type="user", uuid=tid + "-r", timestamp=ts, message={"role": "user", "content": [block]},
                toolUseResult=tur, **extra)


def write(tmp_path: Path, *lines: bytes, name: str = SESSION) -> Path:
    p = tmp_path / "-home-dev-app" / f"{name}.jsonl"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"".join(lines))
    return p


def test_task_is_agent_and_old_nested_progress_lines(tmp_path):
    nested_use = line(type="progress", uuid="p1", timestamp="2026-11-21T10:00:02.000Z", toolUseID="agent_msg_1",
                      parentToolUseID="toolu_01Task", data={
                          "type": "agent_progress", "agentId": "a1b2c3d", "prompt": "stop the dev server",
                          "message": {"type": "assistant", "timestamp": "2026-11-21T10:00:02.000Z", "uuid": "n1", "message": {
                              "role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01Nested", "name": "Bash",
                                                                "input": {"command": "tmux kill-server", "description": "Stop tmux"}}]}}})
    nested_result = line(type="progress", uuid="p2", timestamp="2026-11-21T10:00:03.000Z", toolUseID="agent_msg_2",
                         parentToolUseID="toolu_01Task", data={
                             "type": "agent_progress", "agentId": "a1b2c3d",
                             "message": {"type": "user", "timestamp": "2026-11-21T10:00:03.000Z", "uuid": "n2", "message": {
                                 "role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01Nested", "content": ""}]},
                                 "toolUseResult": {"stdout": "", "stderr": "", "interrupted": False}}})
    p = write(tmp_path,
              line(type="user", uuid="u0", timestamp="2026-11-21T10:00:00.000Z", message={"role": "user", "content": "stop it"}),
              use("toolu_01Task", "Task", {"description": "Stop server", "prompt": "stop the dev server", "subagent_type": "general-purpose"},
                  "2026-11-21T10:00:01.000Z"),
              nested_use, nested_result,
              result("toolu_01Task", [{"type": "text", "text": "Stopped."}], "2026-11-21T10:00:04.000Z",
                     tur={"status": "completed", "agentId": "a1b2c3d", "content": [{"type": "text", "text": "Stopped."}]}))
    r = ct.extract_session_commands(paths=[str(p)])  # default tools: Bash and Agent (which finds Task)
    assert [c.tool for c in r.commands] == ["Task", "Bash"]
    nested = r.commands[1]
    assert nested.nested and nested.agent == "a1b2c3d" and nested.command == "tmux kill-server"
    assert nested.outcome == "ok" and nested.exit_code == 0 and nested.line == 3 and nested.result_line == 4
    assert r.stats.line_types.get("progress") == 1


def test_unknown_line_type_is_counted_and_its_tool_calls_kept(tmp_path):
    p = write(tmp_path,
              line(type="agent-handoff", uuid="x", timestamp="2026-11-21T10:00:00.000Z", payload={"message": {"content": [
                  {"type": "tool_use", "id": "toolu_01New", "name": "Bash", "input": {"command": "make deploy"}}]}}))
    r = ct.extract_session_commands(paths=[str(p)])
    assert r.stats.unknown_line_types == {"agent-handoff": 1}
    assert r.commands[0].command == "make deploy" and r.commands[0].outcome == "no_result"


def test_rejected_interrupted_and_still_running(tmp_path):
    p = write(tmp_path,
              use("toolu_01Rej", "Bash", {"command": "rm -rf /srv/data"}, "2026-11-21T10:00:00.000Z"),
              result("toolu_01Rej", "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it "
                     "was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the "
                     "user to tell you how to proceed.", "2026-11-21T10:00:05.000Z", is_error=True, tur="User rejected tool use"),
              use("toolu_01Int", "Bash", {"command": "npm run build"}, "2026-11-21T10:00:06.000Z"),
              result("toolu_01Int", "[Request interrupted by user for tool use]", "2026-11-21T10:00:09.000Z", is_error=True,
                     tur={"stdout": "building…", "stderr": "", "interrupted": True, "isImage": False}),
              line(type="user", uuid="i", timestamp="2026-11-21T10:00:09.100Z",
                   message={"role": "user", "content": [{"type": "text", "text": "[Request interrupted by user for tool use]"}]}),
              use("toolu_01Run", "Bash", {"command": "tmux kill-server", "description": "Stop tmux"}, "2026-11-21T10:00:10.000Z"))
    r = ct.extract_session_commands(paths=[str(p)])
    assert [c.outcome for c in r.commands] == ["rejected_by_user", "interrupted", "no_result"]
    last = ct.last_commands_before("2026-11-21T10:00:30Z", paths=[str(p)])
    assert last.commands[-1].command == "tmux kill-server"
    assert [c.command for c in last.still_running] == ["tmux kill-server"]


def test_api_errors_and_compactions_are_notes(tmp_path):
    p = write(tmp_path,
              line(type="system", subtype="api_error", level="error", uuid="e1", timestamp="2026-11-21T10:00:00.000Z",
                   error={"status": 529, "headers": {}, "requestID": "req_011", "error": {"type": "error", "error": {
                       "type": "overloaded_error", "message": "Overloaded"}}}, retryInMs=1130.5, retryAttempt=1, maxRetries=10),
              line(type="assistant", uuid="e2", timestamp="2026-11-21T10:00:30.000Z", isApiErrorMessage=True, error="rate_limit",
                   message={"id": "x", "model": "<synthetic>", "role": "assistant", "type": "message",
                            "content": [{"type": "text", "text": "API Error: 429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}"}]}),
              line(type="system", subtype="api_error", level="error", uuid="e3", timestamp="2026-11-21T10:01:00.000Z",
                   error={"message": "Request timed out."}, retryAttempt=2, maxRetries=10),
              line(type="system", subtype="compact_boundary", uuid="c1", timestamp="2026-11-21T10:02:00.000Z", level="info",
                   content="Conversation compacted", compactMetadata={"trigger": "auto", "preTokens": 167012}),
              use("toolu_01After", "Bash", {"command": "git status"}, "2026-11-21T10:02:05.000Z"))
    r = ct.extract_session_commands(paths=[str(p)])
    got = [(n.kind, n.detail) for n in r.notes]
    assert got == [("api_error", "overloaded"), ("api_error", "rate_limit"), ("api_error", "timeout"), ("compaction", "auto")]
    assert r.notes[0].line == 1 and "retry 1 of 10" in r.notes[0].message
    assert r.notes[0].to_event().data_type == "claude:api_error"


def test_output_excerpt_is_bounded_and_redacted(tmp_path):
    secret = "AKIA" + "ABCDEFGHIJKLMNOP"
    big = "x" * 50_000
    p = write(tmp_path,
              use("toolu_01Env", "Bash", {"command": "env"}, "2026-11-21T10:00:00.000Z"),
              result("toolu_01Env", f"AWS_ACCESS_KEY_ID={secret}\n{big}\nthe end", "2026-11-21T10:00:01.000Z",
                     tur={"stdout": f"AWS_ACCESS_KEY_ID={secret}\n{big}\nthe end", "stderr": "", "interrupted": False}))
    c = ct.extract_session_commands(paths=[str(p)]).commands[0]
    assert secret not in c.output_excerpt and "REDACTED" in c.output_excerpt
    assert len(c.output_excerpt) < 2000 and c.output_excerpt.endswith("the end") and "characters cut" in c.output_excerpt


# ------------------------------------------------------------------ bad input


def test_corrupt_and_truncated_lines_are_reported_with_line_numbers(tmp_path):
    good = use("toolu_01A", "Bash", {"command": "echo a"}, "2026-11-21T10:00:00.000Z")
    corrupt = b'{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_01B",\n'
    cut = use("toolu_01C", "Bash", {"command": "echo c"}, "2026-11-21T10:00:02.000Z")[:70]
    p = write(tmp_path, good, corrupt, result("toolu_01A", "a", "2026-11-21T10:00:01.000Z"), cut)
    r = ct.extract_session_commands(paths=[str(p)])
    assert [c.command for c in r.commands] == ["echo a"]
    assert r.stats.invalid_lines == 1 and r.stats.truncated_last_lines == 1
    lines = sorted(w.line for w in r.warnings if w.line)
    assert lines == [2, 4]
    assert any("cut mid-write" in w.message for w in r.warnings)


def test_invalid_utf8_inside_a_tool_call_line(tmp_path):
    raw = use("toolu_01U", "Bash", {"command": "echo XX"}, "2026-11-21T10:00:00.000Z").replace(b"XX", b"\xff\xfe")
    p = write(tmp_path, raw)
    r = ct.extract_session_commands(paths=[str(p)])
    assert r.commands[0].command == "echo \ufffd\ufffd"
    assert any("not valid UTF-8" in w.message for w in r.warnings)


def test_unreadable_and_vanished_files(tmp_path, monkeypatch):
    p = write(tmp_path, use("toolu_01V", "Bash", {"command": "true"}, "2026-11-21T10:00:00.000Z"))
    link = p.parent / "5f1d7c2e-0000-4000-8000-000000000000.jsonl"
    link.symlink_to(tmp_path / "gone.jsonl")  # a session file that vanished
    real_open = open

    def deny(path, *a, **k):
        if str(path) == str(p):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", deny)
    r = ct.extract_session_commands(paths=[str(p.parent)])
    monkeypatch.undo()
    assert r.total == 0
    reasons = " ".join(w.message for w in r.warnings)
    assert "permission denied" in reasons
    assert {s.status for s in r.sources} == {"unavailable"}


def test_a_100_mb_line_is_never_held_whole(tmp_path):
    huge_out = "y" * (100 << 20)
    p = write(tmp_path,
              use("toolu_01Big", "Bash", {"command": "cat big.log"}, "2026-11-21T10:00:00.000Z"),
              result("toolu_01Big", huge_out, "2026-11-21T10:00:01.000Z", is_error=True,
                     tur="Error: Exit code 1\n" + "y" * 10),
              use("toolu_01Next", "Bash", {"command": "echo after"}, "2026-11-21T10:00:02.000Z"),
              line(type="attachment", uuid="att", timestamp="2026-11-21T10:00:03.000Z", attachment={"type": "x", "content": huge_out}))
    del huge_out
    tracemalloc.start()
    r = ct.extract_session_commands(paths=[str(p)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 48 << 20, peak
    big, nxt = r.commands
    assert big.outcome == "error" and len(big.output_excerpt) < 5000
    assert nxt.command == "echo after" and nxt.line == 3
    # both huge lines were streamed past (head and tail kept), reported, and never parsed whole
    assert r.stats.oversized_lines == 2 and r.stats.lines_parsed == 2
    assert sum("not parsed whole" in w.message for w in r.warnings) == 2


def test_a_100_mb_tool_use_line_is_read_by_pattern(tmp_path):
    p = write(tmp_path,
              use("toolu_01W", "Write", {"file_path": "/home/dev/app/dump.bin", "content": "z" * (100 << 20)}, "2026-11-21T10:00:00.000Z"),
              result("toolu_01W", "File created successfully at: /home/dev/app/dump.bin", "2026-11-21T10:00:05.000Z"))
    tracemalloc.start()
    r = ct.extract_session_commands(paths=[str(p)], tools="all")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 48 << 20, peak
    assert r.stats.oversized_lines == 1 and any("not parsed whole" in w.message for w in r.warnings)
    c = r.commands[0]
    assert c.tool == "Write" and c.tool_use_id == "toolu_01W" and c.outcome == "ok"
    assert c.time_text == "2026-11-21T10:00:00.000Z"


def test_bad_tools_argument():
    with pytest.raises(InputError):
        ct.extract_session_commands(paths=["/nonexistent"], tools=[])


# ------------------------------------------------------------------ properties


def _sample_bytes() -> bytes:
    return (d330() / f"{S330}.jsonl").read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=10**9))
def test_truncation_at_any_offset_loses_only_the_cut_line(tmp_path_factory, cut):
    data = _sample_bytes()
    cut = cut % (len(data) + 1)
    folder = tmp_path_factory.mktemp("t")
    p = folder / "s.jsonl"
    p.write_bytes(data[:cut])
    r = ct.extract_session_commands(paths=[str(p)], tools="all")
    prefix = data[:cut]
    complete = prefix[: prefix.rfind(b"\n") + 1] if b"\n" in prefix else b""
    expected = complete.count(b'"type":"tool_use"')
    partial = prefix[len(complete):]
    got = r.total
    if partial and b'"type":"tool_use"' in partial:
        # the cut line is either dropped with a warning, or complete JSON that happened to end at the cut
        assert got in (expected, expected + 1)
        if got == expected:
            assert r.stats.truncated_last_lines == 1
    else:
        assert got == expected


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=4000), marker=st.booleans())
def test_random_bytes_never_raise(tmp_path_factory, blob, marker):
    folder = tmp_path_factory.mktemp("r")
    p = folder / "s.jsonl"
    if marker:
        blob = blob[: len(blob) // 2] + b'"type":"tool_use"\x00\xff' + blob[len(blob) // 2:]
    p.write_bytes(blob)
    r = ct.extract_session_commands(paths=[str(p)], tools="all")
    # every candidate line that did not parse is a warning
    assert r.stats.invalid_lines + r.stats.truncated_last_lines <= r.warnings_total
    assert r.total <= blob.count(b'"type":"tool_use"')


def test_session_events_for_the_timeline():
    events, warnings = ct.session_events(paths=[str(d330()), str(d197())], tools="all")
    calls = [e for e in events if e.data_type == "claude:tool_call"]
    assert len(calls) == 24 and not warnings
    assert {e.data_type for e in events} >= {"claude:tool_call", "claude:hook_denial"}
    assert len({e.evidence_id for e in events}) == len(events)


def test_tool_use_count_across_block_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(ct, "BLOCK_BYTES", 7)  # every needle straddles some boundary
    data = (d330() / f"{S330}.jsonl").read_bytes()
    p = tmp_path / "s.jsonl"
    p.write_bytes(data)
    assert ct._count_tool_uses(p) == data.count(b'"type":"tool_use"') == 11
    r = ct.extract_session_commands(paths=[str(p)], tools="all")
    assert r.total == 11  # the scan itself is exact with tiny blocks too


def test_default_project_is_claude_project_dir(tmp_path, monkeypatch):
    cfg = tmp_path / "cfg"
    shutil.copytree(d330(), cfg / "projects" / "-home-dev-proj2")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(cfg))
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", "/home/dev/proj2")
    monkeypatch.chdir(tmp_path)
    assert ct.extract_session_commands().sessions == [S330]
    monkeypatch.delenv("CLAUDE_PROJECT_DIR")
    assert ct.extract_session_commands().total == 0  # the current folder has no transcripts


def test_notes_come_once_across_pages(tmp_path):
    p = write(tmp_path,
              line(type="system", subtype="compact_boundary", uuid="c1", timestamp="2026-11-21T10:00:00.000Z",
                   content="Conversation compacted", compactMetadata={"trigger": "manual", "preTokens": 1000}),
              *[use(f"toolu_01P{i:02d}", "Bash", {"command": f"echo {i}"}, f"2026-11-21T10:00:{i + 1:02d}.000Z") for i in range(5)])
    first = ct.extract_session_commands(paths=[str(p)], limit=2)
    second = ct.extract_session_commands(paths=[str(p)], limit=2, cursor=first.next_cursor)
    assert [n.kind for n in first.notes] == ["compaction"] and second.notes == []
    events, _ = ct.session_events(paths=[str(p)])
    assert sum(e.data_type == "claude:compaction" for e in events) == 1
    assert sum(e.data_type == "claude:tool_call" for e in events) == 5
