"""Accuracy of the dangerous-command classifier on a labelled corpus written by other people.

../shared/corpus/dangerous-commands.jsonl: 963 commands labelled dangerous/safe from the test
suites of destructive_command_guard (see its ATTRIBUTION). 'dangerous' <=> risk >= medium.
The test prints agreement per label and per corpus category, requires >= 98 % on each label, and
lists the commands we disagree with on purpose, each with its reason.
"""

from __future__ import annotations

import collections
import json

import pytest

from mcp_server.analysis.danger import classify
from mcp_server.analysis.danger.engine import screened_safe
from mcp_server.analysis.danger.parser import bashlex_parse, extract_heredocs, fast_parse, normalize
from tests.conftest import SHARED, require

CORPUS = SHARED / "corpus" / "dangerous-commands.jsonl"

#: Where the label and the classifier differ on purpose. Keyed by the command; the reason says why.
DELIBERATE = {
    "git reset\\n--hard": (
        "the text holds a backslash and an 'n', not a newline: bash runs `git resetn--hard`, which "
        "git rejects; a retrospective analysis must say what ran"
    ),
    "bash <<-EOF\n\\trm -rf /etc\nEOF": (
        "the here-document line is a backslash, a 't' and 'rm' (not a tab): bash runs `trm`, a "
        "command that does not exist"
    ),
}


def _rows():
    require(CORPUS.exists(), f"{CORPUS} is missing")
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_corpus_agreement_per_label_and_category():
    rows = _rows()
    per_label = collections.Counter()
    agree_label = collections.Counter()
    per_cat = collections.Counter()
    agree_cat = collections.Counter()
    wrong = []
    for row in rows:
        want = row["expected"] == "dangerous"
        got = classify(row["command"])
        ok = got.dangerous == want
        if row["command"] in DELIBERATE:
            assert not ok, f"no longer a disagreement, remove it from DELIBERATE: {row['command']!r}"
        cat = row["category"].split(":", 1)[0]
        per_label[row["expected"]] += 1
        per_cat[cat] += 1
        if ok:
            agree_label[row["expected"]] += 1
            agree_cat[cat] += 1
        elif row["command"] not in DELIBERATE:
            wrong.append((row["expected"], got.risk, row["command"]))
    print()
    for label in sorted(per_label):
        print(f"label {label:10s} {agree_label[label]:4d}/{per_label[label]:4d} = {agree_label[label] / per_label[label]:.2%}")
    for cat in sorted(per_cat):
        if agree_cat[cat] != per_cat[cat]:
            print(f"category {cat:60s} {agree_cat[cat]}/{per_cat[cat]}")
    print(f"{len(per_cat)} categories, {sum(1 for c in per_cat if agree_cat[c] == per_cat[c])} in full agreement")
    for item in wrong:
        print("UNEXPECTED", item)
    for label in per_label:
        assert agree_label[label] / per_label[label] >= 0.98, (label, wrong)
    assert not wrong, wrong


@pytest.mark.parametrize("command,reason", sorted(DELIBERATE.items()))
def test_deliberate_disagreements_are_in_the_corpus(command, reason):
    """Every deliberate disagreement is a real corpus command, labelled dangerous, that we call safe."""
    rows = {r["command"]: r for r in _rows()}
    assert command in rows
    assert rows[command]["expected"] == "dangerous"
    assert classify(command).risk == "none", reason


def test_lexical_screen_agrees_with_full_path_on_the_whole_corpus():
    """The fast screen may only skip commands the full classifier calls 'none' and parses."""
    screened = 0
    for row in _rows():
        cmd = row["command"]
        full = classify(cmd, screen=False)
        fast = classify(cmd)
        assert (fast.risk, fast.categories, fast.unparsed) == (full.risk, full.categories, full.unparsed), cmd
        if screened_safe(normalize(cmd)):
            screened += 1
            assert full.risk == "none" and not full.unparsed and not full.findings, cmd
    assert screened > 100  # the screen does real work on ordinary commands


def _fast_all(text, offset=0, depth=0):
    """Every simple command the fast path finds, substitution bodies included (None: not simple)."""
    subs: list = []
    script = fast_parse(text, offset, subs)
    if script is None or depth > 8:
        return None
    out = [c for c in script.commands if c.words]
    for body, pos in subs:
        inner = _fast_all(body, pos, depth + 1)
        if inner is None:
            return None
        out.extend(inner)
    return out


def _shape(cmds):
    """Commands as word tuples; words with substitutions compared by a placeholder
    (bashlex writes nested ones as '$(...)')."""
    return sorted(tuple("<subst>" if ("$(" in w.text or "`" in w.text) else w.text for w in c.words) for c in cmds)


def test_fast_parser_agrees_with_bashlex_on_the_corpus():
    """Where both parse a command, the fast tokenizer and bashlex see the same simple commands."""
    compared = 0
    for row in _rows():
        blanked, _docs = extract_heredocs(normalize(row["command"]))
        fast = _fast_all(blanked)
        if fast is None:
            continue
        try:
            full = bashlex_parse(blanked)
        except Exception:
            continue  # bashlex cannot parse it (e.g. `time`): nothing to compare
        assert _shape(fast) == _shape(c for c in full.commands if c.words), row["command"]
        compared += 1
    assert compared > 700
