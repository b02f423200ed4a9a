"""The danger classifier's lexical screen, light enough for a hook: clears ordinary commands
without loading the classifier.

The PreToolUse Bash hook judges every command while an investigation is open. Loading the
classifier (`mcp_server.analysis.danger`: its rule tables, parser, dataclasses, `re`, `typing`)
costs ~20 ms of start-up, more than the interpreter itself, for a verdict that is "none" for
`git status`, `ls -la`, `pytest -x` or `cd src && make`. This module answers those with string
operations only (no `re`, no imports at all) and the hook loads the classifier only when the
screen cannot clear a command.

Sound by construction: `cleared(command)` is True only when the classifier's own screen
(`engine.screened_safe`) would also clear it — the classifier then returns risk "none" — and it
is stricter on purpose where mirroring the engine would need a regex: control characters and
Unicode blanks, `<` redirects and `$'…'` quoting are left to the classifier. The vocabulary (program
names and fragments without which no rule can match) is the engine's `_screen_vocabulary()`,
derived from the rule tables and stored in `danger_screen_vocab.py`; regenerate it with
`python -m mcp_server.analysis.danger_screen` after changing the rules.
tests/analysis/test_danger_screen.py fails when the stored vocabulary drifts from the rules, and
checks `cleared` against the classifier on the labelled corpus and on generated commands.
Stdlib only, Python 3.9+.
"""

try:
    from .danger_screen_vocab import DASHES, FRAGMENTS, NAMES, SCREEN_MAX_CHARS
except ImportError:  # missing or older than this module: clear nothing, the classifier decides
    DASHES, FRAGMENTS, NAMES, SCREEN_MAX_CHARS = "", (), frozenset(), -1

#: What the engine refuses outright (`_STRUCTURE`), plus `<` (redirects and here-documents).
_STRUCTURE = "<>(){}`"
#: engine `_UNQUOTE_CHARS`: quotes and backslashes go before matching, as the shell removes them.
_UNQUOTE = str.maketrans("", "", "'\"\\")
#: engine `_SCREEN_SPLIT` is `[^a-z0-9_.+-]+`: every other character separates words.
_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_.+-"
#: parser.normalize: Unicode dashes fold to '-' (one character for one).
_DASH_TABLE = {ord(c): "-" for c in DASHES}


class _Separators(dict):
    """A str.translate table: word characters stay, every other character (any code point)
    becomes a blank, so `split(" ")` cuts where `_SCREEN_SPLIT` cuts."""

    def __missing__(self, code: int) -> str:
        return " "


_SPLIT_TABLE = _Separators((ord(c), c) for c in _WORD_CHARS)
_BREAK = " \t\n;&|"  # ends a word (the engine's _WORD_END, less the characters refused above)


def cleared(command: object) -> bool:
    """True when the command certainly does nothing the danger classifier flags (risk "none");
    False means "ask the classifier", not "dangerous"."""
    if not isinstance(command, str) or not command or len(command) > SCREEN_MAX_CHARS:
        return False
    if not command.isascii():
        command = command.translate(_DASH_TABLE)
    if not command.replace("\t", " ").replace("\n", " ").isprintable():
        return False  # control characters, Unicode blanks: what is a word there is the classifier's business
    for ch in _STRUCTURE:
        if ch in command:
            return False
    return not _has_trigger(command) and _lexes(command)


def _has_trigger(text: str) -> bool:
    """The engine's `_has_trigger`: a fragment anywhere, or a program name (or a versioned one:
    `python3.11`) as a word."""
    low = text.translate(_UNQUOTE).lower()
    for frag in FRAGMENTS:
        if frag in low:
            return True
    for tok in low.translate(_SPLIT_TABLE).split(" "):
        if tok in NAMES or (tok[-1:].isdigit() and tok.rstrip("0123456789.") in NAMES):
            return True
    return False


def _lexes(src: str) -> bool:
    """The text is plain words, quotes, comments and `; & |` operators (the engine's
    `parser.lexable` for text without `<>(){}` and backticks): no unterminated quote, no trailing
    backslash, no `$'…'`."""
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in _BREAK:
            i += 1
        elif c == "\\" and src.startswith("\n", i + 1):
            i += 2  # a line continuation
        elif c == "#":
            j = src.find("\n", i)
            if j < 0:
                return True
            i = j
        else:  # a word, up to the next unquoted blank or operator
            while i < n:
                c = src[i]
                if c in _BREAK:
                    break
                if c == "\\":
                    if i + 1 >= n:
                        return False
                    i += 2
                elif c == "'":
                    j = src.find("'", i + 1)
                    if j < 0:
                        return False
                    i = j + 1
                elif c == '"':
                    i += 1
                    while True:
                        if i >= n:
                            return False
                        c = src[i]
                        if c == '"':
                            i += 1
                            break
                        i += 2 if c == "\\" else 1
                elif c == "$" and src.startswith("'", i + 1):
                    return False
                else:
                    i += 1
    return True


def render_vocabulary() -> str:
    """The text of `danger_screen_vocab.py`, from the engine's rule-derived vocabulary."""
    from .danger import engine, rules

    names, fragments = engine._screen_vocabulary()
    lines = [
        '"""Generated by `python -m mcp_server.analysis.danger_screen` from the danger rules',
        "(`engine._screen_vocabulary()`): do not edit. tests/analysis/test_danger_screen.py fails when it",
        'drifts from the rules."""',
        "",
        f"SCREEN_MAX_CHARS = {rules.SCREEN_MAX_CHARS!r}",
        f"DASHES = {rules.DASHES!r}",
        "NAMES = frozenset({",
    ]
    lines += [f"    {n!r}," for n in sorted(names)]
    lines += ["})", "FRAGMENTS = ("]
    lines += [f"    {f!r}," for f in fragments]
    lines += [")", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import os

    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "danger_screen_vocab.py")
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(render_vocabulary())
    print(f"wrote {target}")
