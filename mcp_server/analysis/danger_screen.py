"""The danger classifier's lexical screens, light enough for a hook: they clear ordinary commands
without loading the classifier.

The PreToolUse Bash hook judges every command while an investigation is open. Loading the
classifier (`mcp_server.analysis.danger`: its rule tables, parser and `re`) costs ~12 ms of
start-up, more than the interpreter itself, for a verdict that is "nothing to deny" for
`git log`, `ls -la`, `python -m pytest -x 2>&1 | tail` or `cd src && make`. This module answers
those with string operations only (no `re`, no imports at all) and the hook loads the classifier
only when the screen cannot clear a command.

Two screens, both sound by construction:
- `cleared(command)` mirrors the classifier's own screen (`engine.screened_safe`): True only when
  the classifier returns risk "none". It is stricter on purpose where mirroring the engine would
  need a regex: control characters and Unicode blanks, `<` redirects and `$'…'` quoting.
- `gate_cleared(command)`, what the hook uses: True only when the classifier finds nothing the
  Bash gate denies (nothing executed in a gate category). It reads each simple command the way
  `_program` would, so a word counts only where the classifier would look at it (see its
  docstring and `engine._screen_hosts`, which says why each table is sound).
Their tables (program names and fragments without which no rule can match; data commands,
rule-table programs and interpreters) are derived from the rule tables by the engine and stored in
`danger_screen_vocab.py`; regenerate it with `python -m mcp_server.analysis.danger_screen` after
changing the rules. tests/analysis/test_danger_screen.py fails when the stored tables drift from
the rules, and checks both screens against the full classifier on the labelled corpus, the hook
bench's agent commands and generated commands.
Stdlib only, Python 3.9+.
"""

try:
    from .danger_screen_vocab import DASHES, DATA, FRAGMENTS, GENERIC, HOSTS, INTERPRETERS, NAMES, SCREEN_MAX_CHARS
except ImportError:  # missing or older than this module: clear nothing, the classifier decides
    DASHES, FRAGMENTS, NAMES, SCREEN_MAX_CHARS = "", (), frozenset(), -1
    DATA, GENERIC, HOSTS, INTERPRETERS = frozenset(), {}, {}, {}

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
    # the engine's `parser.lexable` for text without `<>(){}` and backticks: plain words, quotes,
    # comments and `; & |` operators; no unterminated quote, no trailing backslash, no `$'…'`
    return not _has_trigger(command) and _simple_commands(command) is not None


def _has_trigger(text: str) -> bool:
    """The engine's `_has_trigger`: a fragment anywhere, or a program name (or a versioned one:
    `python3.11`) as a word."""
    return _word_triggers(text, NAMES, True)


# ------------------------------------------------------------------------ the gate screen

#: Redirections that neither write nor read a file: fd duplication and /dev/null. The engine skips
#: a digit target (`_redirects`) and `_clobber` skips /dev/null (HARMLESS_DEVICES).
_HARMLESS_REDIRECTS = ("2>&1", "1>&2", ">&2", ">&1", "2>/dev/null", "1>/dev/null", ">/dev/null", "&>/dev/null",
                       "2>>/dev/null", ">>/dev/null", "2> /dev/null", "> /dev/null", "&> /dev/null")
_REDIRECT_STARTS = "12>&"


def gate_cleared(command: object) -> bool:
    """True when the PreToolUse Bash gate certainly lets the command pass: the classifier finds
    nothing it executes in a gate category (`destroys_process_or_evidence` is False). Looser
    than `cleared` (which proves risk "none"): a word matters only where the classifier would
    look at it. False means "ask the classifier", not "dangerous".

    The command must be simple commands: plain words, quotes, comments, `; & | && ||`, newlines,
    and the harmless redirections above; `{ } ( ) < >` only inside single quotes. For each, after
    its `NAME=value` words (checked for names and fragments): a data command (`echo`, `grep`, `ls`)
    has its arguments skipped; a program judged by its rule table (`git`, `systemctl`, `pip`) is
    left to the classifier only when an argument is one of its rules' first words (`git branch`,
    not `git log`); one with generic verbs too (`npm`, `go`) also when a fragment is in it or an
    argument; an interpreter only when inline code or stdin may be run (`python -m pytest` and
    `node app.js` pass); any other program, as `cleared` does, when a word holds a name or a
    fragment. The tables come from `engine._screen_hosts()`, which says why each is sound.
    """
    if not isinstance(command, str) or not command or len(command) > SCREEN_MAX_CHARS:
        return False
    if not command.isascii():
        command = command.translate(_DASH_TABLE)
    if not command.replace("\t", " ").replace("\n", " ").isprintable() or "`" in command:
        return False
    commands = _simple_commands(command)
    if commands is None:
        return False
    for words in commands:
        k = 0
        while k < len(words) and _is_assignment(words[k]):
            if _word_triggers(words[k], NAMES, True):
                return False
            k += 1
        if k < len(words) and not _program_passes(words[k], words[k + 1:]):
            return False
    return True


def _program_passes(raw: str, args: list) -> bool:
    prog = _plain(raw)
    if prog is None or "$" in prog:  # a program the lexer cannot name for sure
        return not any(_word_triggers(w, NAMES, True) for w in [raw, *args])
    prog = prog.lower()
    if "/" in prog and not prog.endswith("/"):
        prog = prog.rsplit("/", 1)[1]
    if prog in DATA:
        return True
    words = HOSTS.get(prog)
    if words is not None:
        return not any(_plain_lower(w) in words or _word_triggers(w, words, False) for w in args)
    words = GENERIC.get(prog)
    if words is not None:
        return not _word_triggers(prog, (), True) and not any(
            _plain_lower(w) in words or _word_triggers(w, words, True) for w in args)
    if prog not in INTERPRETERS and prog[-1:].isdigit() and prog.rstrip("0123456789.") in INTERPRETERS:
        prog = prog.rstrip("0123456789.")  # python3.11
    spec = INTERPRETERS.get(prog)
    if spec is not None:
        return _runs_no_inline_code(args, *spec)
    return not any(_word_triggers(w, NAMES, True) for w in [raw, *args])


def _runs_no_inline_code(args: list, code_opts: tuple, value_opts: tuple, python: bool) -> bool:
    """`engine._interpreter`'s walk: True when it stops at a script file or `python -m`, before
    any code option; False when code may run (a code option, stdin) or a word is not plain."""
    k = 0
    while k < len(args):
        t = _plain(args[k])
        if t is None:
            return False
        if t in code_opts:
            return False
        for o in code_opts:
            if o.startswith("-") and len(o) == 2 and t.startswith(o) and len(t) > 2 and not t.startswith("--"):
                return False
        if t == "-m" and python:
            return True
        if t.startswith("-"):
            k += 2 if t in value_opts else 1
            continue
        return t != "-"
    return False


def _plain(word: str):
    """The word as the shell passes it, when removing the quote characters is exactly that (no
    backslash, one kind of quote); else None."""
    if "\\" in word or ("'" in word and '"' in word):
        return None
    return word.replace("'", "").replace('"', "")


def _plain_lower(word: str) -> str:
    return word.translate(_UNQUOTE).lower()


def _is_assignment(word: str) -> bool:
    """`NAME=value` or `NAME+=value` (the parser's ASSIGN_RE without array subscripts)."""
    eq = word.find("=")
    if eq <= 0:
        return False
    name = word[:eq - 1] if word[eq - 1] == "+" else word[:eq]
    return bool(name) and (name[0].isalpha() or name[0] == "_") and name.isascii() and name.replace("_", "a").isalnum()


def _word_triggers(word: str, names, fragments: bool) -> bool:
    """A fragment in the text (when asked), or one of its pieces (split as the engine's
    `_SCREEN_SPLIT` does, quotes removed) among `names`."""
    low = word.translate(_UNQUOTE).lower()
    if fragments:
        for frag in FRAGMENTS:
            if frag in low:
                return True
    for tok in low.translate(_SPLIT_TABLE).split(" "):
        if tok in names or (tok[-1:].isdigit() and tok.rstrip("0123456789.") in names):
            return True
    return False


def _simple_commands(src: str):
    """The simple commands of `src` as lists of raw words (quotes kept), or None when `src` is not
    plain words, quotes, comments, `; & |` operators and harmless redirections: an unterminated
    quote, a trailing backslash, `$'…'`, `$(`, or `< > ( ) { }` outside single quotes."""
    commands, words = [], []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in _REDIRECT_STARTS:
            for r in _HARMLESS_REDIRECTS:
                if src.startswith(r, i) and (i + len(r) == n or src[i + len(r)] in _BREAK):
                    i += len(r)
                    break
            else:
                r = None
            if r is not None:
                continue
        if c in _BREAK:
            if c not in " \t" and words:
                commands.append(words)
                words = []
            i += 1
        elif c == "\\" and src.startswith("\n", i + 1):
            i += 2  # a line continuation
        elif c == "#":
            j = src.find("\n", i)
            if j < 0:
                break
            i = j
        else:  # a word, up to the next unquoted blank or operator
            start = i
            while i < n:
                c = src[i]
                if c in _BREAK:
                    break
                if c in _STRUCTURE:
                    return None
                if c == "\\":
                    if i + 1 >= n:
                        return None
                    i += 2
                elif c == "'":
                    j = src.find("'", i + 1)
                    if j < 0:
                        return None
                    i = j + 1
                elif c == '"':
                    i += 1
                    while True:
                        if i >= n:
                            return None
                        c = src[i]
                        if c == '"':
                            i += 1
                            break
                        if c in _STRUCTURE or src.startswith("$(", i):
                            return None
                        i += 2 if c == "\\" else 1
                elif c == "$" and src.startswith("'", i + 1):
                    return None
                else:
                    i += 1
            words.append(src[start:i])
    if words:
        commands.append(words)
    return commands


def render_vocabulary() -> str:
    """The text of `danger_screen_vocab.py`, from the engine's rule-derived vocabulary."""
    from .danger import engine, rules

    names, fragments = engine._screen_vocabulary()
    tables = engine._screen_hosts()
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
    lines += [")", "DATA = frozenset({"]
    lines += [f"    {d!r}," for d in sorted(tables["DATA"])]
    lines += ["})"]
    for table in ("HOSTS", "GENERIC"):
        lines += [f"{table} = {{"]
        lines += [f"    {h!r}: frozenset({sorted(words)!r})," for h, words in sorted(tables[table].items())]
        lines += ["}"]
    lines += ["INTERPRETERS = {"]
    lines += [f"    {name!r}: {spec!r}," for name, spec in sorted(tables["INTERPRETERS"].items())]
    lines += ["}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import os

    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "danger_screen_vocab.py")
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(render_vocabulary())
    print(f"wrote {target}")
