"""The hooks' light screens (`mcp_server.analysis.danger_screen`) only clear what the classifier
allows: `cleared` (risk "none") and `gate_cleared` (nothing the Bash gate would deny), checked on
the whole labelled corpus, on the agent command mix of the hook bench and on generated commands;
their tables checked against the rules; their imports checked to stay light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_server.analysis import danger_screen, danger_screen_vocab
from mcp_server.analysis.danger import classify, destroys_process_or_evidence, rules
from mcp_server.analysis.danger.engine import _screen_hosts, _screen_vocabulary, screened_safe
from mcp_server.analysis.danger.parser import normalize
from tests.conftest import ROOT, SHARED, require

CORPUS = SHARED / "corpus" / "dangerous-commands.jsonl"
AGENT_MIX = ROOT / "bench" / "agent_commands.txt"


def assert_sound(cmd: str) -> None:
    """What the light screen clears, the engine's screen clears, and the full classifier (no
    screen) rates 'none' with nothing found, parsed, and not a gate denial."""
    if not danger_screen.cleared(cmd):
        return
    assert len(cmd) <= rules.SCREEN_MAX_CHARS and screened_safe(normalize(cmd)), cmd
    full = classify(cmd, screen=False)
    assert full.risk == "none" and not full.findings and not full.unparsed, (cmd, full)
    assert not destroys_process_or_evidence(full), cmd


def assert_gate_sound(cmd: str, targets: tuple = ()) -> None:
    """What the gate screen clears, the full classifier (no screen) finds nothing executed in a
    gate category at any risk (so no target can raise it to a denial), and does not deny."""
    if not danger_screen.gate_cleared(cmd):
        return
    full = classify(cmd, list(targets), screen=False)
    gate = [f for f in full.findings if f.executes and f.category in rules.GATE_CATEGORIES]
    assert not gate and not destroys_process_or_evidence(full), (cmd, full)


def agent_mix() -> list:
    return [line for line in AGENT_MIX.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]


def test_the_stored_vocabulary_is_the_rules_vocabulary():
    names, fragments = _screen_vocabulary()
    tables = _screen_hosts()
    assert danger_screen_vocab.HOSTS == tables["HOSTS"] and danger_screen_vocab.DATA == tables["DATA"]
    assert danger_screen_vocab.GENERIC == tables["GENERIC"]
    assert danger_screen_vocab.INTERPRETERS == tables["INTERPRETERS"]
    assert danger_screen_vocab.NAMES == names
    assert danger_screen_vocab.FRAGMENTS == fragments
    assert danger_screen_vocab.SCREEN_MAX_CHARS == rules.SCREEN_MAX_CHARS
    assert danger_screen_vocab.DASHES == rules.DASHES
    stored = Path(danger_screen_vocab.__file__).read_text(encoding="utf-8")
    assert stored == danger_screen.render_vocabulary(), \
        "the rules changed: regenerate with `python -m mcp_server.analysis.danger_screen`"


def test_the_light_screen_is_sound_on_the_whole_corpus():
    require(CORPUS.exists(), f"{CORPUS} is missing")
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    light = engine = 0
    for row in rows:
        cmd = row["command"]
        assert_sound(cmd)
        light += danger_screen.cleared(cmd)
        engine += len(cmd) <= rules.SCREEN_MAX_CHARS and screened_safe(normalize(cmd))
        if danger_screen.cleared(cmd):
            assert row["expected"] == "safe", cmd
    # it does the engine screen's work (it leaves `<`, `$'…'` and control characters to the engine)
    assert light > 200 and light >= engine - 10, (light, engine)


def test_the_gate_screen_is_sound_on_the_whole_corpus():
    require(CORPUS.exists(), f"{CORPUS} is missing")
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    gate = 0
    for row in rows:
        cmd = row["command"]
        assert_gate_sound(cmd)
        assert_gate_sound(cmd, ("nginx", "/var/log", "4242"))
        gate += danger_screen.gate_cleared(cmd)
        if danger_screen.cleared(cmd):  # what the strict screen clears, the gate screen clears
            assert danger_screen.gate_cleared(cmd), cmd
    assert gate > sum(danger_screen.cleared(r["command"]) for r in rows)


def test_the_gate_screen_clears_most_of_what_agents_run():
    mix = agent_mix()
    assert len(mix) >= 100
    for cmd in mix:
        assert_gate_sound(cmd)
        assert not destroys_process_or_evidence(classify(cmd)), cmd  # the mix is ordinary work
    gate = sum(danger_screen.gate_cleared(c) for c in mix)
    strict = sum(danger_screen.cleared(c) for c in mix)
    assert gate >= 0.8 * len(mix) and gate > strict + 20, (gate, strict, len(mix))


@pytest.mark.parametrize("cmd", [
    "git log --oneline -20", "git commit -m 'case in point: the loop was done in the poller'", "echo done",
    "tail -n 200 /var/log/nginx/error.log", "awk -F, '{print $2}' data.csv | sort | uniq -c", "ps aux | grep node",
    "python -m pytest tests/test_app.py -x -q 2>&1 | tail -30", "python3 scripts/check.py >/dev/null 2>&1",
    "npm test", "go test ./...", "pip install -e .", "systemctl status nginx", "node dist/server.js",
    "python3 -W ignore scripts/x.py", "grep -rn 'kill -9' src", "FOO=1 make test", "which python3 node npm",
    "/usr/bin/git log -1", "cd backend && python -m pytest -q", "log show --last 1h",
    "find . -name '*.py' -not -path './.venv/*' | head -40", "find src -type f -newer build.stamp",
])
def test_ordinary_commands_pass_the_gate_screen(cmd):
    assert danger_screen.gate_cleared(cmd), cmd
    assert_gate_sound(cmd)


@pytest.mark.parametrize("cmd", [
    "git branch -D feature", "git log; git reset --hard", "echo hi | bash", "python3 -c 'import os; os.kill(1, 9)'",
    "python3 -W ignore -c 'import os'", "python3", "cat x.py | python3 -", "python3 -", "echo x > /var/log/syslog",
    "ls 2>&1 >out.txt", "npm uninstall react", "go clean -cache", "HISTFILE=/dev/null ls",
    "echo $(rm -rf /)", "echo `id`", "sudo rm -rf build", "env rm x", "xargs kill", "timeout 5 kill 1",
    "\\rm x", "'python3' -c 'import os'", "py\\thon3 -c x", "p'y'\"t\"hon -c x", "node -e 'x'",
    "node -pe 1", "python3 -cimport\\ os", "systemctl stop nginx", "systemctl 'restart' x", "git \"push\" -f",
    "echo 'a' ; kill 1", "grep x f | xargs rm", "cat <<EOF\nx\nEOF", "ls >/dev/nullx", "ls 2>&1x",
    "docker compose down", "tmux kill-server", "screen-wipe", "brew services stop x", "log erase --all",
    "find . -name '*.log' -delete", "find /tmp -exec rm \\{\\} \\;", "find . '-execdir' ls", "find . -ok rm x",
    "find . -DELETE",
])
def test_commands_the_gate_screen_leaves_to_the_classifier(cmd):
    assert not danger_screen.gate_cleared(cmd), cmd


@pytest.mark.parametrize("cmd", [
    "ls -la", "git log --oneline", "echo 'a (b) {c} <d>'", "pytest -q 2>&1 | tail", "make >/dev/null 2>&1 && echo ok",
])
def test_the_gate_screen_and_the_classifier_agree_on_plain_commands(cmd):
    assert danger_screen.gate_cleared(cmd)
    assert not destroys_process_or_evidence(classify(cmd, screen=False))


@pytest.mark.parametrize("cmd", [
    "git status", "git diff HEAD~1 -- src/", "ls -la", "pytest -x",
    "cd src && make", "cargo test", "make test", "git add -A && git commit -m 'fix: guard the lookup — parse.py'",
    "uv run pytest -k 'not slow'", "docker ps", "npx tsc --noEmit", "cat README.md | wc -l", "grep -rn TODO src",
    "echo $HOME \"$PATH\"", "ls -la  # what is there", "git show HEAD:README.md",
])
def test_ordinary_commands_are_cleared_without_the_classifier(cmd):
    assert danger_screen.cleared(cmd), cmd
    assert_sound(cmd)


@pytest.mark.parametrize("cmd", [
    "kill -9 4242", "rm -rf build", "git reset --hard", "tmux kill-server", "journalctl --vacuum-time=1s",
    "echo ok; pkill node", "ls | xargs rm", "KILL 1", "r\\m -rf /", "'rm' x", "bash -c 'ls'", "ls > out.txt",
    "cat < x", "echo $(whoami)", "echo `id`", "echo $'\\x72m'", "echo \"unterminated", "ls \\", "shred -u f",
    "ls\x00rm", "ls\u00a0-la", "git stash drop", "find . -delete", "python3 -c 'import os'", "\u212aill 1",
    "ls -la\r\nrm -rf /", "crontab -r", "dd if=/dev/zero of=x", "echo hi | sh",
])
def test_commands_that_need_the_classifier_are_not_cleared(cmd):
    assert not danger_screen.cleared(cmd), cmd


# Shell-ish text: vocabulary words, ordinary words, quotes, escapes, operators, odd characters.
_WORDS = sorted(danger_screen_vocab.NAMES)[::7] + list(danger_screen_vocab.FRAGMENTS)[::5] + [
    "git", "status", "ls", "-la", "pytest", "-x", "make", "echo", "cd", "src", "$HOME", "x.log", "/var/log", "~",
    "-rf", "-9", "4242", "--hard", "HEAD", "*.py", "a=b", "#", "Kill", "RM", "r\\m", "'rm'", "\"k\"ill", "python3.11",
    "sh", "é", "—", "\u2013rf", "\u212a", "İ",
]
_PIECES = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from([" ", " ", "  ", "\t", "\n", ";", "&&", "||", "|", "&", "'", '"', "\\", "\\\n", "$", "$'", "#",
                     "<", ">", "(", ")", "{", "}", "`", "\r", "\x00", "\u00a0", "\u2028"]),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=6),
    st.text(max_size=3),
)
_COMMANDS = st.lists(_PIECES, max_size=14).map("".join)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_COMMANDS)
def test_the_light_screen_never_clears_what_the_classifier_would_not(cmd):
    assert_sound(cmd)


_GATE_WORDS = _WORDS + sorted(danger_screen_vocab.DATA)[::6] + sorted(danger_screen_vocab.HOSTS)[::4] + [
    w for words in list(danger_screen_vocab.HOSTS.values())[::5] for w in sorted(words)[:2]] + sorted(
    danger_screen_vocab.GENERIC) + sorted(danger_screen_vocab.INTERPRETERS)[::3] + [
    "python3", "node", "-m", "-c", "-e", "-W", "-r", "-", "pytest", "app.js", "2>&1", ">/dev/null", "2>/dev/null",
    "'{print $1}'", "'(a)'", "'<x>'", "FOO=1", "HISTFILE=", "X+=1", "\"a'b\"", "'-c'", "\"-m\"", "/usr/bin/python3",
    "git", "log", "branch", "reset", "--hard", "systemctl", "stop", "npm", "clean", "echo", "done",
    "find", "-delete", "-exec", "-execdir", "-ok", "-name", "'*.py'", "\\;", "\\{\\}", "/var/log", "~/.bash_history",
]
_GATE_PIECES = st.one_of(
    st.sampled_from(_GATE_WORDS),
    st.sampled_from([" ", " ", " ", "  ", "\t", "\n", ";", "&&", "||", "|", "&", "'", '"', "\\", "$", "#", "<", ">",
                     "(", ")", "{", "}", "`", "\r"]),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=4),
)


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_GATE_PIECES, max_size=12).map("".join))
def test_the_gate_screen_never_clears_what_the_gate_would_deny(cmd):
    assert_gate_sound(cmd)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_GATE_WORDS), min_size=1, max_size=6).map(" ".join),
       st.sampled_from(["", " 2>&1", " >/dev/null", " | tail -5", "; ls", " && echo ok"]))
def test_the_gate_screen_is_sound_on_word_sequences(cmd, tail):
    assert_gate_sound(cmd + tail)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["git status", "ls -la", "pytest -x", "make", "cd src", "echo 'a b'"]), min_size=1,
                max_size=4),
       st.lists(st.sampled_from([" && ", " || ", " ; ", " | ", "\n", " & "]), min_size=3, max_size=3))
def test_pipelines_of_harmless_commands_are_cleared(cmds, ops):
    cmd = cmds[0] + "".join(op + c for op, c in zip(ops, cmds[1:]))
    assert danger_screen.cleared(cmd), cmd
    assert_sound(cmd)


def test_it_imports_nothing_heavy():
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from mcp_server.analysis import danger_screen as d\n"
            "assert d.cleared('git status') and not d.cleared('kill -9 1')\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('mcp_server', 're', 'typing', 'enum', "
            "'dataclasses')))))")
    r = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["mcp_server", "mcp_server.analysis", "mcp_server.analysis.danger_screen",
                                "mcp_server.analysis.danger_screen_vocab"], r.stdout
