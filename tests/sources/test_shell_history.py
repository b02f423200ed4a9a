"""Shell histories: real zsh/bash/fish samples (plaso, atuin), metafied bytes, windows, bad input."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytest

from mcp_server.errors import InputError
from mcp_server.sources import shell_history as sh
from tests.conftest import sample


def read(name: str) -> sh.ShellHistory:
    return sh.shell_history(paths=[str(sample("shell_history", name))])


def utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def test_zsh_extended_history_plaso():
    r = read("plaso_zsh_extended_history.txt")
    assert r.files[0].shell == "zsh" and r.files[0].timed
    assert [c.command for c in r.commands] == [
        "cd plaso", "ls", "echo dfgdfg \\\n& touch /tmp/afile", "PYTHONPATH=. ./runtests.py"]
    assert r.commands[0].time == utc(1457771210) and r.commands[0].duration_s == 0
    assert r.commands[2].line == 3 and r.commands[3].line == 5
    ev = r.commands[0].to_event()
    assert ev.data_type == "zsh:history:entry" and ev.time == utc(1457771210)


def test_zsh_continuations_and_metafied_bytes_atuin():
    r = read("atuin_zsh_extended_test_parse_file.zsh_history")
    assert [c.command for c in r.commands] == [
        "cargo install atuin", "cargo install atuin; \\\ncargo update", "cargo :b̷i̶t̴r̵o̴t̴ ̵i̷s̴ ̷r̶e̵a̸l̷"]
    assert r.commands[1].duration_s == 10
    meta = read("atuin_zsh_metafied.zsh_history")
    assert [c.command for c in meta.commands] == ["echo 你好", "ls ~/音乐"]
    assert not meta.files[0].timed and "order only" in meta.files[0].note


def test_zsh_malformed_lines_become_warnings():
    r = read("atuin_zsh_malformed_lines.zsh_history")
    msgs = [(w.line, w.message) for w in r.warnings]
    assert any(line == 2 and "malformed" in m for line, m in msgs)
    assert any(line == 3 and "implausible" in m for line, m in msgs)
    assert any(line == 6 and "implausible" in m for line, m in msgs)
    timed = [c for c in r.commands if c.time]
    assert [c.command for c in timed] == ["echo hello"] and timed[0].line == 4
    assert r.files[0].status == "partial"


def test_bash_with_and_without_timestamps():
    r = read("atuin_bash_with_timestamps.bash_history")
    assert [(c.command, c.time) for c in r.commands] == [
        ("git reset", utc(1672918999)), ("git clean -dxf", utc(1672919006)), ("cd ../", utc(1672919020))]
    partial = read("atuin_bash_partial_timestamps.bash_history")
    got = {c.command: c.time for c in partial.commands}
    assert got["git clean -dxf"] == utc(1672919006) and got["git reset"] is None and got["cd ../"] is None
    neg = read("atuin_bash_negative_timestamp.bash_history")
    assert all(c.time is None for c in neg.commands) and "implausible" in neg.warnings[0].message
    plain = read("plaso_bash_history_desync")
    multi = [c for c in plain.commands if c.command.startswith("binary argument1")][0]
    assert multi.command == 'binary argument1 "--params=\\\nparam1=foo,\nparam2=bar\n" argument2'
    assert multi.time == utc(1623364236)


def test_bash_without_any_timestamp_is_order_only(tmp_path):
    p = tmp_path / ".bash_history"
    p.write_text("ls\nmake deploy\ntmux kill-server\n")
    r = sh.shell_history(paths=[str(p)], start="2026-11-21T00:00:00Z")
    f = r.files[0]
    assert not f.timed and "order only" in f.note and f.mtime is not None
    assert [c.command for c in r.commands] == ["ls", "make deploy", "tmux kill-server"]
    assert [c.order for c in r.commands] == [1, 2, 3] and all(c.time is None for c in r.commands)


def test_fish_history_plaso():
    r = read("plaso_fish_history")
    assert r.files[0].shell == "fish"
    assert r.commands[0].command == "ll" and r.commands[0].time == utc(1619736780)
    assert r.commands[-1].command == "cd plaso" and len(r.commands) == 10
    assert not r.warnings


def test_fish_escapes(tmp_path):
    p = tmp_path / "fish_history"
    p.write_text("- cmd: echo a\\\\b\\nsecond line\n  when: 1700000000\n")
    c = sh.shell_history(paths=[str(p)]).commands[0]
    assert c.command == "echo a\\b\nsecond line" and c.time == utc(1700000000)


def test_window_default_locations_and_missing_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("HISTFILE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    (tmp_path / ".zsh_history").write_text(": 1700000000:0;make build\n: 1700000600:2;tmux kill-server\n")
    r = sh.shell_history(start="2023-11-14T22:20:00Z", end="2023-11-14T22:30:00Z")  # 1700000600 = 22:23:20Z
    assert [c.command for c in r.commands] == ["tmux kill-server"]
    assert [f.path for f in r.files] == [str(tmp_path / ".zsh_history")]  # absent defaults are not listed
    missing = sh.shell_history(paths=[str(tmp_path / "nope")])
    assert missing.files[0].status == "unavailable" and "no such file" in missing.warnings[0].message
    with pytest.raises(InputError):
        sh.shell_history(start="2023-11-15T00:00:00Z", end="2023-11-14T00:00:00Z")


def test_hishtory_bash_cases_are_plain_commands(tmp_path):
    # hishtory's table of real `history` lines: written as a history file, each is one command
    cases = [json.loads(line) for line in sample("shell_history", "hishtory_HISTTIMEFORMAT_prefix_cases.jsonl").read_text().splitlines()]
    p = tmp_path / ".bash_history"
    p.write_text("".join(c["expected_command"].strip() + "\n" for c in cases if c["expected_command"].strip()))
    r = sh.shell_history(paths=[str(p)])
    assert len(r.commands) == sum(1 for c in cases if c["expected_command"].strip())


def test_binary_file_is_unavailable(tmp_path):
    p = tmp_path / "core"
    p.write_bytes(b"\x7fELF\x00\x00\x00" + bytes(range(256)) * 10)
    r = sh.shell_history(paths=[str(p)])
    assert r.files[0].status == "unavailable" and "binary" in r.files[0].reason


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=3000), kind=st.sampled_from(["zsh_history", "bash_history", "fish_history"]),
       prefix=st.sampled_from([b"", b": 1700000000:0;", b"#1700000000\n", b"- cmd: "]))
def test_random_bytes_never_raise(tmp_path_factory, blob, kind, prefix):
    p = tmp_path_factory.mktemp("h") / kind
    p.write_bytes(prefix + blob)
    r = sh.shell_history(paths=[str(p)])
    for c in r.commands:
        assert c.time is None or c.time.year >= 1980


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_truncated_zsh_keeps_whole_entries(tmp_path_factory, cut):
    data = sample("shell_history", "plaso_zsh_extended_history.txt").read_bytes()
    cut = cut % (len(data) + 1)
    p = tmp_path_factory.mktemp("z") / ".zsh_history"
    p.write_bytes(data[:cut])
    r = sh.shell_history(paths=[str(p)])
    full = [c.command for c in read("plaso_zsh_extended_history.txt").commands]
    got = [c.command for c in r.commands]
    assert len(got) <= len(full)
    for a, b in zip(got[:-1], full):
        assert a == b  # only the last (cut) entry may differ
