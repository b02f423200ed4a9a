"""The hooks' light screen (`mcp_server.analysis.danger_screen`) only clears what the classifier
allows: checked on the whole labelled corpus and on generated commands, its vocabulary checked
against the rules, its imports checked to stay light."""

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
from mcp_server.analysis.danger.engine import _screen_vocabulary, screened_safe
from mcp_server.analysis.danger.parser import normalize
from tests.conftest import ROOT, SHARED, require

CORPUS = SHARED / "corpus" / "dangerous-commands.jsonl"


def assert_sound(cmd: str) -> None:
    """What the light screen clears, the engine's screen clears, and the full classifier (no
    screen) rates 'none' with nothing found, parsed, and not a gate denial."""
    if not danger_screen.cleared(cmd):
        return
    assert len(cmd) <= rules.SCREEN_MAX_CHARS and screened_safe(normalize(cmd)), cmd
    full = classify(cmd, screen=False)
    assert full.risk == "none" and not full.findings and not full.unparsed, (cmd, full)
    assert not destroys_process_or_evidence(full), cmd


def test_the_stored_vocabulary_is_the_rules_vocabulary():
    names, fragments = _screen_vocabulary()
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
