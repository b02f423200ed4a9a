"""The classifier: walks parsed commands and applies the rules in `rules.py`.

Stdlib + bashlex only (the PreToolUse hook imports this under the user's python3, 3.9+).
"""

from __future__ import annotations

import posixpath
import re
import shlex
import time
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only (PEP 563): importing typing costs the hook ~2 ms
    from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from . import rules as R
from . import parser as _parser
from .parser import Cmd, Script, Word, clock, normalize, parse

#: `ast` is imported on first use: interpreter one-liners are rare, and importing it costs ~20 ms of
#: start-up in the PreToolUse Bash hook, which imports this module for every command it judges.
ast = None  # type: ignore[assignment]


def _ast():  # type: ignore[no-untyped-def]
    global ast
    if ast is None:
        import ast as module

        ast = module  # type: ignore[assignment]
    return ast

_RANK = R.RISK_RANK


# ---------------------------------------------------------------------------------- results

_init = object.__setattr__


class _Record:
    """What frozen dataclasses would give (construction with defaults, equality and hashing by
    value, a readable repr, immutability, pickling) without importing `dataclasses`, which costs
    the hook ~6 ms (it imports `inspect`). Subclasses write their `__init__` out, as the
    dataclass would generate it."""

    __slots__ = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__) + ")"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple:
        return (type(self), self._values())


class Finding(_Record):
    """One thing a command does (or only mentions) that can kill, destroy or erase evidence.

    category, risk; segment: the simple command (or text) that matched, as written; span: its
    character span in the original command; reason: one line; executes: False when the text is
    only mentioned (echo, grep pattern, commit message, heredoc data); references_target: the
    target it touches, if any."""

    __slots__ = ("category", "risk", "segment", "span", "reason", "executes", "references_target")
    category: str
    risk: str
    segment: str
    span: Tuple[int, int]
    reason: str
    executes: bool
    references_target: Optional[str]

    def __init__(self, category: str, risk: str, segment: str, span: Tuple[int, int], reason: str,
                 executes: bool = True, references_target: Optional[str] = None) -> None:
        _init(self, "category", category)
        _init(self, "risk", risk)
        _init(self, "segment", segment)
        _init(self, "span", span)
        _init(self, "reason", reason)
        _init(self, "executes", executes)
        _init(self, "references_target", references_target)

    def to_dict(self) -> Dict[str, object]:
        return {
            "category": self.category, "risk": self.risk, "segment": self.segment, "span": list(self.span),
            "reason": self.reason, "executes": self.executes, "references_target": self.references_target,
        }


class Assessment(_Record):
    """The verdict on one command: risk is critical | high | medium | low | none; findings are
    everything found, executed first, then mentions; categories the sorted unique categories of
    executed findings; mentions the findings that are only mentions; parser is fast | bashlex |
    fallback | screen."""

    __slots__ = ("command", "risk", "findings", "categories", "mentions", "unparsed", "unparsed_reason", "parser")
    command: str
    risk: str
    findings: Tuple[Finding, ...]
    categories: Tuple[str, ...]
    mentions: Tuple[Finding, ...]
    unparsed: bool
    unparsed_reason: Optional[str]
    parser: str

    def __init__(self, command: str, risk: str, findings: Tuple[Finding, ...] = (), categories: Tuple[str, ...] = (),
                 mentions: Tuple[Finding, ...] = (), unparsed: bool = False, unparsed_reason: Optional[str] = None,
                 parser: str = "fast") -> None:
        _init(self, "command", command)
        _init(self, "risk", risk)
        _init(self, "findings", findings)
        _init(self, "categories", categories)
        _init(self, "mentions", mentions)
        _init(self, "unparsed", unparsed)
        _init(self, "unparsed_reason", unparsed_reason)
        _init(self, "parser", parser)

    @property
    def dangerous(self) -> bool:
        return _RANK[self.risk] >= _RANK[R.DANGEROUS_AT]

    @property
    def executed(self) -> Tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.executes)

    def to_dict(self) -> Dict[str, object]:
        return {
            "command": self.command, "risk": self.risk, "categories": list(self.categories),
            "findings": [f.to_dict() for f in self.findings],  # executed first, then mentions (executes=False)
            "mentions": [f.to_dict() for f in self.mentions],
            "unparsed": self.unparsed, "unparsed_reason": self.unparsed_reason, "parser": self.parser,
        }


# ---------------------------------------------------------------------------------- context

class _Budget(Exception):
    pass


class _Ctx:
    __slots__ = ("root", "targets", "cwd", "deadline", "findings", "unparsed", "parser", "steps")

    def __init__(self, root: str, targets: Tuple[str, ...], cwd: Optional[str], deadline: float) -> None:
        self.root = root
        self.targets = targets
        self.cwd = cwd
        self.deadline = deadline
        self.findings: List[Finding] = []
        self.unparsed: List[str] = []
        self.parser = "fast"
        self.steps = 0

    def check(self) -> None:
        # A short command does little work: only a long text or many steps can be cut, so a GC
        # pause during `rm build.log` never turns it into "time budget exhausted".
        self.steps += 1
        if (self.steps > 64 or len(self.root) > 2048) and clock() > _parser.deadline():
            raise _Budget()


class _Loc:
    """Where a parsed text sits in the original command: exact offset, or a clamp span."""

    __slots__ = ("offset", "clamp", "executes", "depth", "via")

    def __init__(self, offset: int, clamp: Optional[Tuple[int, int]], executes: bool, depth: int, via: str = "") -> None:
        self.offset = offset
        self.clamp = clamp
        self.executes = executes
        self.depth = depth
        self.via = via


def _max(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


# ---------------------------------------------------------------------------------- public API

def _screen_vocabulary() -> Tuple[FrozenSet[str], Tuple[str, ...]]:
    """Words without which no rule can match, built from the rule tables (one source of truth):
    program names (whole words) and verbs/fragments (substrings, as camelCase hides them)."""
    names = set(R.PROGRAM_RULES) | set(_ANALYZERS) | set(R.SHELLS) | set(R.INTERPRETERS) | set(R.DB_CLIENTS)
    names |= set(R.STRING_RUNNERS) | set(R.HTTP_CLIENTS) | set(R.ENV_DUMPERS) | (set(R.READ_COMMANDS) - set(R.DATA_COMMANDS))
    names |= {"eval", "ssh", "mosh", "autossh", "su", "runuser", "script", "find", "java", "busybox", "gpg", "security",
              "gh", "printenv", "case", "function", "coproc", "select", "in", "esac", "yes", "for", "while", "until",
              "if", "then", "else", "elif", "fi", "do", "done", "time"}
    # A program judged only by its rule table (no analyzer, no generic verbs, not a wrapper of
    # code) can match only when a rule's first subcommand word is there: `git status` cannot.
    special = _special_programs()
    for prog, rules in R.PROGRAM_RULES.items():
        if prog in special or any(path[0] == "*" for path, *_ in rules):
            continue
        names.discard(prog)
        names.update(path[0] for path, *_ in rules)
    subs = set(R.DESTRUCTIVE_VERBS) | set(R.COMPOUND_ONLY_VERBS) | set(R.DESTRUCTIVE_OPTION_WORDS)
    subs |= {"secret", "mkfs", "hist", "savehist", "fork", "/dev/", "sysrq", "power"}
    subs |= set(R.SECRET_FILE_FRAGMENTS) | set(R.SECRET_ENV_FRAGMENTS)
    return frozenset(n.lower() for n in names), tuple(sorted(x.lower() for x in subs))


def _special_programs() -> Set[str]:
    """Programs `_program` does more with than match their rule table: analyzers, shells and
    interpreters (they run code), HTTP clients and network sinks, secret readers, generic verbs."""
    special = set(_ANALYZERS) | set(R.SHELLS) | set(R.INTERPRETERS) | set(R.DB_CLIENTS) | set(R.HTTP_CLIENTS)
    special |= set(R.NETWORK_SINKS) | set(R.READ_COMMANDS) | set(R.ENV_DUMPERS) | set(R.GENERIC_TOO) | set(R.STRING_RUNNERS)
    special |= {"find", "java", "busybox", "gh", "gpg", "security", "printenv", "eval", "ssh", "su", "runuser", "script"}
    return special


def _screen_hosts() -> Dict[str, object]:
    """The tables of the hooks' position-aware gate screen (`danger_screen.gate_cleared`), read
    off `_program` and the rule tables. Each names programs whose findings in a gate category can
    only come from a few words, so the screen need not send them to the classifier otherwise:

    - HOSTS: judged by their rule table alone (not special, no `*` rule, not a command runner,
      not a wrapper), each with the first words of its rule paths; and `find`, with the actions
      `_find` looks for (-delete, -exec, -execdir, -ok, -okdir). `_match_rules` skips a rule
      whose first word is not among the positionals, and nothing else in `_program` can find
      anything gate-worthy for them (no analyzer, no generic verbs; secrets and mentions are
      never gate categories): `git log …` with none of git's rule words cannot be denied.
    - GENERIC: the rule table plus the generic destructive verbs (`GENERIC_TOO`, less those with
      another role): besides the rule words, only a verb, compound verb or option word (all among
      the fragments) in the program name or an argument can make `_generic` fire.
    - DATA: `DATA_COMMANDS` with no rule table, analyzer, runner or wrapper role: `_program`
      looks at their arguments only for mentions (never executed) and credential files (not a
      gate category): `echo done`, `grep -rn kill src`. READ_COMMANDS (cat, grep, sed, …) are
      special only for that credential-file check, so they count as data.
    - INTERPRETERS: name -> (code options, options taking a value, python?): `_interpreter`
      finds something only in inline code (a code option) or in code piped to its stdin (no
      script and no module); a script file or `python -m module` is opaque.
    """
    special = _special_programs()
    runners = {p for p, _ in R.DASHDASH_RUNNERS} | {p for p, _ in R.SUBCOMMAND_RUNNERS}
    # what else `_program` and `_command` do with a program, besides its rule table and generic verbs
    other = set(_ANALYZERS) | set(R.SHELLS) | set(R.INTERPRETERS) | set(R.DB_CLIENTS) | set(R.HTTP_CLIENTS)
    other |= set(R.NETWORK_SINKS) | set(R.ENV_DUMPERS) | set(R.STRING_RUNNERS) | runners | set(R.WRAPPERS)
    other |= {"find", "java", "busybox", "gh", "gpg", "security", "printenv", "eval", "ssh", "mosh", "autossh", "su",
              "runuser", "script", "time", "mkfs"} | set(_TRUNCATORS) | set(_parser.RESERVED)

    def rule_words(prog: str) -> Optional[FrozenSet[str]]:
        rules = R.PROGRAM_RULES.get(prog, [])
        if prog in other or prog.startswith("mkfs") or any(path[0] == "*" for path, *_ in rules):
            return None
        return frozenset(path[0].lower() for path, *_ in rules)

    hosts: Dict[str, FrozenSet[str]] = {}
    for prog in R.PROGRAM_RULES:
        words = rule_words(prog)
        if words is not None and prog not in special:
            hosts[prog.lower()] = words
    # `_program` hands find to `_find` and returns: only -delete and the -exec family find anything
    hosts["find"] = _FIND_ACTIONS
    generic: Dict[str, FrozenSet[str]] = {}
    for prog in R.GENERIC_TOO:
        words = rule_words(prog)
        if words is not None and prog not in R.READ_COMMANDS:
            generic[prog.lower()] = words
    names, _ = _screen_vocabulary()
    data = frozenset(p.lower() for p in R.DATA_COMMANDS
                     if p not in other and p not in R.PROGRAM_RULES and p not in R.GENERIC_TOO and p.lower() not in names)
    interpreters = {
        name.lower(): (tuple(sorted(R.CODE_OPTS.get(family, ()))), tuple(sorted(R.INTERPRETER_VALUE_OPTS.get(family, ()))),
                       family == "python")
        for name, family in R.INTERPRETERS.items()
        if name not in other - set(R.INTERPRETERS) and name not in R.PROGRAM_RULES and name not in R.GENERIC_TOO
    }
    return {"HOSTS": hosts, "GENERIC": generic, "DATA": data, "INTERPRETERS": interpreters}


_SCREEN: Optional[Tuple[FrozenSet[str], Tuple[str, ...]]] = None
_STRUCTURE = re.compile(r"[>(){}`]")
_SCREEN_SPLIT = re.compile(r"[^a-z0-9_.+-]+")
_VERSION_TAIL = re.compile(r"[\d.]+$")


def _has_trigger(text: str) -> bool:
    """Linear in the text: substring tests and one split (no backtracking regex)."""
    global _SCREEN
    if _SCREEN is None:
        _SCREEN = _screen_vocabulary()
    names, subs = _SCREEN
    low = text.translate(_UNQUOTE_CHARS).lower()
    for sub in subs:
        if sub in low:
            return True
    for tok in _SCREEN_SPLIT.split(low):
        if tok in names or (tok[-1:].isdigit() and _VERSION_TAIL.sub("", tok) in names):
            return True
    return False


_UNQUOTE_CHARS = str.maketrans("", "", "'\"\\")


def screened_safe(src: str) -> bool:
    """The lexical screen: True proves no rule can match and the text parses (so risk is none).

    Sound by construction: every trigger of every rule is in the pattern (quotes and backslashes
    removed first, as the shell would), and the text must tokenize as simple words and operators.
    tests/analysis/test_danger_corpus.py checks that it agrees with the full path on the corpus.
    """
    if _STRUCTURE.search(src) or _has_trigger(src):
        return False
    return _parser.lexable(src)


def classify(command: str, targets: Sequence[str] = (), cwd: Optional[str] = None, *, screen: bool = True) -> Assessment:
    """Classify one shell command. Never raises; bounded in time and depth.

    `screen=False` skips the lexical screen (tests use it to check the screen is sound)."""
    if screen and isinstance(command, str) and len(command) <= R.SCREEN_MAX_CHARS:
        src = normalize(command)
        if screened_safe(src):
            return Assessment(command=command, risk="none", parser="screen")
    if not isinstance(command, str):
        command = str(command)
    original = command
    src = normalize(command)
    ctx = _Ctx(root=src, targets=tuple(t for t in targets if t), cwd=cwd, deadline=clock() + R.BUDGET_SECONDS)
    if len(src) > R.MAX_CHARS:
        ctx.unparsed.append(f"command longer than {R.MAX_CHARS // 1024} KiB: only the head was analysed")
        src = src[: R.MAX_CHARS]
    _parser.set_deadline(ctx.deadline)
    try:
        _classify_text(src, ctx, _Loc(0, None, True, 0))
    except (_Budget, _parser.BudgetExceeded):
        ctx.unparsed.append("time budget exhausted: the rest was not analysed")
    except RecursionError:
        ctx.unparsed.append("nesting too deep")
    except Exception as exc:  # a classifier bug must not crash a hook: report it as unparsed
        ctx.unparsed.append(f"internal error: {type(exc).__name__}: {exc}"[:200])
    finally:
        _parser.set_deadline(float("inf"))  # direct parser calls after this one are not cut
    return _assemble(original, ctx)


def destroys_process_or_evidence(assessment: Assessment) -> bool:
    """For the PreToolUse Bash gate: True when the command, as executed, kills processes, destroys
    files, discards version-control work, powers the machine off, or erases evidence (logs,
    journals, history) with risk >= medium. Mentions never count; an unparsed command counts only
    when what could be read of it matches (so exotic but ordinary syntax is never blocked)."""
    for f in assessment.findings:
        if f.executes and f.category in R.GATE_CATEGORIES and _RANK[f.risk] >= _RANK[R.DANGEROUS_AT]:
            return True
    return False


def _assemble(command: str, ctx: _Ctx) -> Assessment:
    seen = set()
    executed: List[Finding] = []
    mentions: List[Finding] = []
    for f in ctx.findings:
        key = (f.category, f.span, f.executes, f.reason)
        if key in seen:
            continue
        seen.add(key)
        (executed if f.executes else mentions).append(f)
    risk = "none"
    for f in executed:
        risk = _max(risk, f.risk)
    unparsed = bool(ctx.unparsed)
    if unparsed:
        risk = _max(risk, "medium")
    cats = tuple(sorted({f.category for f in executed}))
    mentions = [m for m in mentions if _RANK[m.risk] >= _RANK["medium"]]
    return Assessment(
        command=command, risk=risk, findings=tuple(executed) + tuple(mentions), categories=cats,
        mentions=tuple(mentions), unparsed=unparsed, unparsed_reason="; ".join(dict.fromkeys(ctx.unparsed)) or None,
        parser=ctx.parser,
    )


# ---------------------------------------------------------------------------------- text -> commands

def _classify_text(text: str, ctx: _Ctx, loc: _Loc) -> None:
    ctx.check()
    if loc.depth > R.MAX_DEPTH:
        if loc.executes:
            ctx.unparsed.append(f"nested deeper than {R.MAX_DEPTH} levels")
        return
    if not text.strip():
        return
    if loc.depth and len(text) <= R.SCREEN_MAX_CHARS and (screened_safe(text) if loc.executes else not _has_trigger(text)):
        return  # nested text the screen proves harmless (a mention must reach medium: it needs a trigger)
    allow_bashlex = len(text) <= R.MAX_BASHLEX_CHARS
    script, subs = parse(text, loc.offset if loc.clamp is None else 0, allow_bashlex)
    if loc.depth == 0:
        ctx.parser = script.parser
    if script.unparsed and loc.executes:
        ctx.unparsed.append(script.unparsed)
        _fork_bomb_text(text, ctx, loc)
    for body, pos in subs:
        sub_loc = _Loc(pos if loc.clamp is None else 0, loc.clamp, loc.executes, loc.depth + 1, loc.via)
        _classify_text(body, ctx, sub_loc)
    _fork_bombs(script, ctx, loc)
    saved_cwd = ctx.cwd
    for cmd in script.commands:
        ctx.check()
        _command(cmd, ctx, loc)
        if cmd.words and cmd.words[0].text in ("cd", "pushd") and len(cmd.words) <= 3:
            ctx.cwd = _cd(ctx.cwd, cmd.words[-1] if len(cmd.words) > 1 else None)
    ctx.cwd = saved_cwd


def _cd(cwd: Optional[str], word: Optional[Word]) -> Optional[str]:
    """The working directory after `cd`: relative paths that follow are judged from there."""
    if word is None or word.text in ("~", "$HOME"):
        return "~"
    t = word.text
    if word.dynamic and not _VAR_HOME.match(t) and not _VAR_TMP.match(t):
        return None
    t = _VAR_TMP.sub("/tmp", _VAR_HOME.sub("~", t))
    if t == "-":
        return None
    if t.startswith(("/", "~")):
        return t
    return posixpath.join(cwd, t) if cwd else None


def _segment(cmd: Cmd, ctx: _Ctx, loc: _Loc, text: Optional[str] = None) -> Tuple[str, Tuple[int, int]]:
    if loc.clamp is not None:
        seg = text if text is not None else " ".join(w.text for w in cmd.words)
        return seg[:300], loc.clamp
    start = cmd.start
    if cmd.assigns and cmd.words:
        start = cmd.words[0].start
    return ctx.root[start : cmd.end][:300], (start, cmd.end)


def _add(ctx: _Ctx, loc: _Loc, cmd: Cmd, category: str, risk: str, reason: str, words: Iterable[str] = (), text: Optional[str] = None) -> None:
    seg, span = _segment(cmd, ctx, loc, text)
    ref = _references(ctx.targets, list(words) or [w.text for w in cmd.words], seg)
    if ref is not None and _RANK[risk] < _RANK["medium"]:
        risk = "medium"
        reason += f" (touches the target {ref})"
    if loc.via:
        reason = f"{reason} ({loc.via})"
    ctx.findings.append(Finding(category, risk, seg, span, reason, loc.executes, ref))


def _references(targets: Sequence[str], words: List[str], segment: str) -> Optional[str]:
    if not targets:
        return None
    low = segment.lower()
    for t in targets:
        tl = t.strip().lower()
        if not tl:
            continue
        if tl.startswith(("/", "~")):
            tp = tl.rstrip("/") or "/"
            for w in words:
                wl = w.lower()
                if not wl.startswith(("/", "~")):
                    continue
                wp = wl.rstrip("/*") or "/"
                if wp == tp or wp.startswith(tp + "/") or tp.startswith(wp.rstrip("/") + "/"):
                    return t
            continue
        if re.search(r"(?<![a-z0-9_])" + re.escape(tl), low):
            return t
    return None


# ---------------------------------------------------------------------------------- one command

_BASENAME_RE = re.compile(r"[^/]+$")


def _prog(word: Word) -> str:
    text = word.text
    if "/" in text:
        m = _BASENAME_RE.search(text)
        text = m.group() if m else text
    return text.lower()


def _sub_cmd(cmd: Cmd, words: List[Word]) -> Cmd:
    sub = Cmd(cmd.start)
    sub.words = words
    sub.redirs = cmd.redirs
    sub.stdin = cmd.stdin
    sub.end = cmd.end
    sub.pipe_prev = cmd.pipe_prev
    return sub


def _command(cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool = False) -> None:
    for a in cmd.assigns:
        _assignment(a, cmd, ctx, loc)
    _redirects(cmd, ctx, loc)
    words = cmd.words
    if not words:
        return
    i = 0
    n = len(words)
    while i < n:
        name = _prog(words[i])
        if name in R.WRAPPERS:
            if name == "command" and i + 1 < n and words[i + 1].text in ("-v", "-V"):
                return  # `command -v rm`: a lookup
            if name == "env" or name == "sudo":
                # `env -S "cmd args"` splits a string into a command
                for k in range(i + 1, n):
                    if words[k].text in ("-S", "--split-string") and k + 1 < n:
                        _nested(words[k + 1].text, words[k + 1], cmd, ctx, loc, "env -S")
                        return
            if name == "xargs":
                stdin_args = True
            value_opts, skip_pos = R.WRAPPERS[name]
            i += 1
            while i < n:
                t = words[i].text
                if t == "--":
                    i += 1
                    break
                if t.startswith("-") and len(t) > 1:
                    i += 2 if (t in value_opts and "=" not in t) else 1
                    continue
                if name == "env" and "=" in t and R_ASSIGN.match(t):
                    _assignment(words[i], cmd, ctx, loc)
                    i += 1
                    continue
                if skip_pos:
                    i += skip_pos
                    skip_pos = 0
                    continue
                break
            continue
        break
    if i >= n:
        return
    words = words[i:]
    prog = _prog(words[0])
    args = words[1:]
    sub = cmd if i == 0 else _sub_cmd(cmd, words)
    _program(prog, args, sub, ctx, loc, stdin_args)


R_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _nested(text: str, word: Word, cmd: Cmd, ctx: _Ctx, loc: _Loc, via: str, executes: Optional[bool] = None) -> None:
    """Classify a string that a program runs (bash -c, eval, ssh, watch) or only mentions."""
    ex = loc.executes if executes is None else (executes and loc.executes)
    if loc.clamp is None:
        idx = ctx.root.find(text, word.start, word.end) if text else -1
        if idx >= 0:
            _classify_text(text, ctx, _Loc(idx, None, ex, loc.depth + 1, loc.via or via))
            return
        clamp = (word.start, word.end)
    else:
        clamp = loc.clamp
    _classify_text(text, ctx, _Loc(0, clamp, ex, loc.depth + 1, loc.via or via))


def _nested_span(text: str, start: int, end: int, ctx: _Ctx, loc: _Loc, via: str, executes: bool) -> None:
    ex = executes and loc.executes
    if loc.clamp is None and ctx.root[start:end] == text:
        _classify_text(text, ctx, _Loc(start, None, ex, loc.depth + 1, loc.via or via))
    else:
        _classify_text(text, ctx, _Loc(0, loc.clamp or (start, end), ex, loc.depth + 1, loc.via or via))


_MENTION_START = re.compile(r"(?:^|(?<=[\s:;,(\[]))([A-Za-z][\w.-]*)")


def _mention(text: str, word: Word, cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    """Dangerous commands quoted in prose ("fix: stop using rm -rf /"): classify the text, and if
    nothing is found, the text from each known program name on (a few tries)."""
    if len(text) > R.MAX_MENTION_CHARS or " " not in text.strip() or not _has_trigger(text):
        return  # a mention is reported only when it would be medium or worse: it needs a trigger
    before = len(ctx.findings)
    _nested(text, word, cmd, ctx, loc, "mentioned", executes=False)
    if len(ctx.findings) > before or _SCREEN is None:
        return
    names = _SCREEN[0]
    tries = 0
    for m in _MENTION_START.finditer(text):
        if m.start() == 0 or m.group(1).lower() not in names:
            continue
        tries += 1
        if tries > 4:
            break
        clamp = loc.clamp or (word.start, word.end)
        _classify_text(text[m.start():], ctx, _Loc(0, clamp, False, loc.depth + 1, "mentioned"))
        if len(ctx.findings) > before:
            return


# ---------------------------------------------------------------------------------- options

class _Opts:
    __slots__ = ("shorts", "longs", "exact", "positionals", "dashdash", "pos_after_opt")

    def __init__(self, args: Sequence[Word]) -> None:
        self.shorts = set()
        self.longs = set()
        self.exact = set()
        self.positionals: List[Word] = []
        self.dashdash: List[Word] = []
        self.pos_after_opt: List[bool] = []
        after = False
        prev_opt = False
        for w in args:
            t = w.text
            if after:
                self.dashdash.append(w)
                self.positionals.append(w)
                self.pos_after_opt.append(False)
                continue
            if t == "--":
                after = True
                continue
            if t.startswith("--") and len(t) > 2:
                self.longs.add(t.split("=", 1)[0].lower())
                self.exact.add(t.lower())
                prev_opt = "=" not in t
                continue
            if t.startswith("-") and len(t) > 1 and not t[1:2].isdigit():
                self.exact.add(t)
                if t[1:].isalpha():
                    self.shorts.update(t[1:])
                prev_opt = True
                continue
            self.positionals.append(w)
            self.pos_after_opt.append(prev_opt)
            prev_opt = False

    def has(self, spec: str) -> bool:
        if spec.startswith("="):
            return spec[1:] in self.exact
        if spec == "+refspec":
            return any(w.text.startswith("+") for w in self.positionals)
        if spec == ":refspec":
            return any(w.text.startswith(":") and len(w.text) > 1 for w in self.positionals)
        if spec == "--force-other":
            return any(l.startswith("--force") and l not in ("--force", "--force-with-lease", "--force-if-includes") for l in self.longs)
        if spec.startswith("--"):
            if spec.endswith("*"):
                p = spec[:-1]
                return any(l.startswith(p) for l in self.longs)
            if "=" in spec:
                return spec in self.exact
            return spec in self.longs
        if len(spec) == 2 and spec[0] == "-":
            return spec[1] in self.shorts or spec in self.exact
        return spec in self.exact or spec.lower() in self.exact


def _match_rules(prog: str, opts: _Opts) -> Optional[Tuple[str, str, str]]:
    rules = R.PROGRAM_RULES.get(prog)
    if not rules:
        return None
    pos = [w.text.lower() for w in opts.positionals]
    posset = set(pos)
    for path, cond, category, risk, reason in rules:
        if path[0] != "*" and path[0] not in posset:
            continue
        rest = _match_path(path, pos, opts)
        if rest is None:
            continue
        if "any" in cond and not any(opts.has(s) for s in cond["any"]):  # type: ignore[union-attr]
            continue
        if "all" in cond and not all(opts.has(s) for s in cond["all"]):  # type: ignore[union-attr]
            continue
        if "none" in cond and any(opts.has(s) for s in cond["none"]):  # type: ignore[union-attr]
            continue
        if "args" in cond and not any(a in {x.lower() for x in cond["args"]} for a in rest):  # type: ignore[union-attr]
            continue
        if cond.get("dashdash") and not opts.dashdash:
            continue
        return category, risk, reason
    return None


def _match_path(path: Tuple[str, ...], pos: List[str], opts: _Opts) -> Optional[List[str]]:
    if all(p == "*" for p in path) and len(path) == 1:
        return pos
    starts = [0] + [k for k in range(1, len(pos)) if opts.pos_after_opt[k - 1] or opts.pos_after_opt[k]]
    for s in starts[:3]:
        if s + len(path) > len(pos):
            continue
        if all(p == "*" or p == pos[s + j] for j, p in enumerate(path)):
            return pos[s + len(path) :]
    return None


# ---------------------------------------------------------------------------------- programs

_SHELL_C = re.compile(r"^-[a-zA-Z]*c[a-zA-Z]*$")


def _only_prints_info(prog: str, texts: List[str]) -> bool:
    """`--help`/`--version`/`--usage`: the program prints and exits. For a shell or an interpreter
    only among its leading long options: after `-c CODE` or a script they are the code's own
    arguments (`bash -c 'rm -rf ~' --help` runs the rm)."""
    if prog in R.SHELLS or prog in R.INTERPRETERS or _VERSION_TAIL.sub("", prog) in R.INTERPRETERS:
        for t in texts:
            if t in R.INFO_OPTS:
                return True
            if not t.startswith("--"):
                return False
        return False
    return any(t in R.INFO_OPTS for t in texts)


def _program(prog: str, args: List[Word], cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    texts = [w.text for w in args]
    if prog not in R.DATA_COMMANDS and _only_prints_info(prog, texts):
        return
    if prog.startswith("mkfs.") or prog.startswith("mkfs_"):
        prog = "mkfs"
    if prog == "busybox" and args:
        prog, args = _prog(args[0]), args[1:]
        texts = texts[1:]
    if prog == "java":
        for k, t in enumerate(texts):
            if t == "-jar" and k + 1 < len(args):
                prog = _prog(args[k + 1]).rsplit(".jar", 1)[0]
                args = args[k + 2 :]
                texts = texts[k + 2 :]
                break
    # --- shells and eval
    if prog in R.SHELLS:
        _shell(prog, args, cmd, ctx, loc)
        return
    if prog == "eval":
        if args:
            text = " ".join(texts)
            if len(args) == 1:
                _nested(text, args[0], cmd, ctx, loc, "via eval")
            else:
                _nested_span(text, args[0].start, args[-1].end, ctx, loc, "via eval", True)
        return
    if prog in ("su", "runuser", "script") and "-c" in texts:
        k = texts.index("-c")
        if k + 1 < len(args):
            _nested(texts[k + 1], args[k + 1], cmd, ctx, loc, f"via {prog} -c")
        return
    if prog in R.STRING_RUNNERS:
        k = 0
        while k < len(texts) and texts[k].startswith("-"):
            k += 2 if texts[k] in R.WATCH_VALUE_OPTS else 1
        if k < len(args):
            if k == len(args) - 1:
                _nested(texts[k], args[k], cmd, ctx, loc, "via watch")
            else:
                _nested_span(" ".join(texts[k:]), args[k].start, args[-1].end, ctx, loc, "via watch", True)
        return
    if prog in ("ssh", "mosh", "autossh"):
        _ssh(args, cmd, ctx, loc)
        return
    if prog not in R.INTERPRETERS and prog[-1:].isdigit() and _VERSION_TAIL.sub("", prog) in R.INTERPRETERS:
        prog = _VERSION_TAIL.sub("", prog)  # python3.11, ruby3.2
    if prog in R.INTERPRETERS:
        _interpreter(R.INTERPRETERS[prog], prog, args, cmd, ctx, loc)
        return
    if prog in R.DB_CLIENTS:
        _database(prog, args, cmd, ctx, loc)
        return
    # --- command runners: `doppler run -- cmd`, `docker exec ctr cmd`
    first = texts[0].lower() if texts else ""
    if (prog, first) in R.DASHDASH_RUNNERS or (prog, "") in R.DASHDASH_RUNNERS:
        if "--" in texts:
            k = texts.index("--")
            if k + 1 < len(args):
                _command(_sub_cmd(cmd, args[k + 1 :]), ctx, loc, stdin_args)
            return
    if (prog, first) in R.SUBCOMMAND_RUNNERS:
        value_opts = R.SUBCOMMAND_RUNNERS[(prog, first)]
        k = 1
        while k < len(texts) and texts[k].startswith("-"):
            k += 2 if texts[k] in value_opts else 1
        if prog in ("docker", "podman"):
            k += 1  # the container
        if k < len(args):
            _command(_sub_cmd(cmd, args[k:]), ctx, loc, stdin_args)
        return
    if prog == "find":
        _find(args, cmd, ctx, loc)
        return
    if prog == "git" and args:
        args = _strip_git_globals(args)
        texts = [w.text for w in args]
    opts = _Opts(args)
    if prog in R.PROGRAM_RULES:
        hit = _match_rules(prog, opts)
        if hit is not None:
            category, risk, reason = hit
            if category:
                _add(ctx, loc, cmd, category, risk, reason)
            return
    analyzer = _ANALYZERS.get(prog)
    if analyzer is not None:
        analyzer(prog, args, opts, cmd, ctx, loc, stdin_args)
    if prog in R.HTTP_CLIENTS or (prog == "gh" and first == "api"):
        _http(prog, args, opts, cmd, ctx, loc)
    _secrets(prog, args, opts, cmd, ctx, loc)
    if prog in R.NETWORK_SINKS:
        _exfiltration(prog, args, cmd, ctx, loc)
    if prog not in R.NO_GENERIC and (prog not in R.PROGRAM_RULES or prog in R.GENERIC_TOO):
        _generic(prog, args, opts, cmd, ctx, loc)
    _mentions(prog, args, cmd, ctx, loc)


def _strip_git_globals(args: List[Word]) -> List[Word]:
    k = 0
    while k < len(args) and args[k].text.startswith("-"):
        t = args[k].text
        k += 2 if t in R.GIT_GLOBAL_VALUE_OPTS else 1
    return args[k:]


def _mentions(prog: str, args: List[Word], cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    """Destructive text inside echo/printf/grep arguments or messages: report as mentions."""
    if loc.depth >= R.MAX_DEPTH - 1:
        return
    texts = [w.text for w in args]
    if prog in R.DATA_COMMANDS:
        for k, w in enumerate(args):
            if not k & 255:
                ctx.check()
            if not w.text.startswith("-"):
                _mention(w.text, w, cmd, ctx, loc)
    else:
        for k, t in enumerate(texts):
            if k + 1 < len(args) and (t in R.MESSAGE_OPTS):
                _mention(texts[k + 1], args[k + 1], cmd, ctx, loc)
            elif t.startswith("--") and "=" in t and t.split("=", 1)[0] in R.MESSAGE_OPTS:
                _mention(t.split("=", 1)[1], args[k], cmd, ctx, loc)
    stdin = cmd.stdin
    if stdin is not None and prog not in R.SHELLS and prog not in R.INTERPRETERS and prog not in R.DB_CLIENTS:
        _nested_span(stdin.text, stdin.start, stdin.end, ctx, loc, "mentioned", False)
        if stdin.expands and ("$(" in stdin.text or "`" in stdin.text):
            from .parser import _SUBST_RE

            for m in _SUBST_RE.finditer(stdin.text):
                body = m.group(1) if m.group(1) is not None else m.group(2)
                _nested_span(body, stdin.start, stdin.end, ctx, loc, "in a here-document", True)


# ---------------------------------------------------------------------------------- shells, ssh

def _pipe_data(cmd: Cmd) -> Optional[Tuple[str, int, int]]:
    """Text fed to this command's stdin: a here-doc/here-string, or `echo …|` / `cat <<EOF |`."""
    if cmd.stdin is not None:
        return cmd.stdin.text, cmd.stdin.start, cmd.stdin.end
    prev = cmd.pipe_prev
    if prev is None or not prev.words:
        return None
    p = _prog(prev.words[0])
    if p in ("echo", "printf") and len(prev.words) > 1:
        ws = [w for w in prev.words[1:] if not (w.text.startswith("-") and len(w.text) <= 3)]
        if ws:
            text = " ".join(w.text for w in ws).replace("\\n", "\n")
            return text, ws[0].start, ws[-1].end
    if p == "cat" and prev.stdin is not None and len(prev.words) == 1:
        return prev.stdin.text, prev.stdin.start, prev.stdin.end
    return None


def _shell(prog: str, args: List[Word], cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    texts = [w.text for w in args]
    k = 0
    while k < len(texts):
        t = texts[k]
        if _SHELL_C.match(t) or t == "--command":
            j = k + 1
            while j < len(texts) and texts[j].startswith("-") and texts[j] != "-":
                j += 1
            if j < len(args):
                _nested(texts[j], args[j], cmd, ctx, loc, f"via {prog} -c")
            return
        if t in R.SHELL_VALUE_OPTS:
            k += 2
            continue
        if t.startswith(("-", "+")) and t != "-":
            k += 1
            continue
        break
    if k < len(texts) and texts[k] != "-" and texts[k] != "-s":
        return  # runs a script file we cannot see
    data = _pipe_data(cmd)
    if data is not None:
        _nested_span(data[0], data[1], data[2], ctx, loc, f"fed to {prog}", True)


_SSH_VALUE = frozenset("-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w".split())


def _ssh(args: List[Word], cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    k = 0
    texts = [w.text for w in args]
    while k < len(texts) and texts[k].startswith("-"):
        k += 2 if texts[k] in _SSH_VALUE else 1
    k += 1  # the host
    if k < len(args):
        rest = args[k:]
        if len(rest) == 1:
            _nested(rest[0].text, rest[0], cmd, ctx, loc, "on a remote host via ssh")
        else:
            _nested_span(" ".join(w.text for w in rest), rest[0].start, rest[-1].end, ctx, loc, "on a remote host via ssh", True)
        return
    data = _pipe_data(cmd)
    if data is not None:
        _nested_span(data[0], data[1], data[2], ctx, loc, "on a remote host via ssh", True)


# ---------------------------------------------------------------------------------- interpreters

def _interpreter(family: str, prog: str, args: List[Word], cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    texts = [w.text for w in args]
    code_opts = R.CODE_OPTS.get(family, frozenset())
    value_opts = R.INTERPRETER_VALUE_OPTS.get(family, frozenset())
    code: Optional[Tuple[str, Word]] = None
    script_file = False
    k = 0
    while k < len(texts):
        t = texts[k]
        if t in code_opts:
            if k + 1 < len(args):
                code = (texts[k + 1], args[k + 1])
            break
        hit = next((o for o in code_opts if o.startswith("-") and len(o) == 2 and t.startswith(o) and len(t) > 2 and t[1] == o[1] and not t.startswith("--")), None)
        if hit is not None:
            code = (t[2:], args[k])
            break
        if t in ("-m",) and family == "python":
            return  # a module: opaque
        if t.startswith("-"):
            k += 2 if t in value_opts else 1  # `python -W ignore -c …`: `ignore` is not the script
            continue
        if t != "-":
            script_file = True
        break
    if code is not None:
        _code(family, code[0], ctx, loc, cmd, code[1].start, code[1].end)
        return
    if script_file:
        return
    data = _pipe_data(cmd)
    if data is not None:
        _code(family, data[0], ctx, loc, cmd, data[1], data[2])


def _code_add(ctx: _Ctx, loc: _Loc, cmd: Cmd, start: int, end: int, category: str, risk: str, reason: str, words: Sequence[str] = ()) -> None:
    seg = ctx.root[start:end][:300] if loc.clamp is None else ctx.root[loc.clamp[0] : loc.clamp[1]][:300]
    span = (start, end) if loc.clamp is None else loc.clamp
    ref = _references(ctx.targets, list(words), seg)
    if ref is not None and _RANK[risk] < _RANK["medium"]:
        risk = "medium"
        reason += f" (touches the target {ref})"
    if loc.via:
        reason = f"{reason} ({loc.via})"
    ctx.findings.append(Finding(category, risk, seg, span, reason, loc.executes, ref))


def _code(family: str, code: str, ctx: _Ctx, loc: _Loc, cmd: Cmd, start: int, end: int) -> None:
    """Inline code: kill/remove API calls, and shell commands it runs."""
    if len(code) > R.MAX_CHARS:
        code = code[: R.MAX_CHARS]
    sub_loc = _Loc(0, loc.clamp or (start, end), loc.executes, loc.depth + 1, loc.via or f"in {family} code")
    if family == "python":
        try:
            tree = _ast().parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        if tree is not None:
            _python_ast(tree, ctx, loc, cmd, start, end, sub_loc)
            return
    for m in re.finditer(R.SCRIPT_SHELL_RE[family], code, re.S):
        s = next((g for g in (m.groupdict().get(k) for k in ("s", "s2", "s3")) if g), None)
        if s:
            _classify_text(s, ctx, sub_loc)
    for m in re.finditer(R.SCRIPT_DELETE_RE[family], code, re.S):
        path = next((g for g in (m.groupdict().get(k) for k in ("s", "s2")) if g), None)
        recursive = bool(re.search(R.SCRIPT_RECURSIVE_RE, code))
        _code_delete(path, recursive, f"{family} code deletes files", ctx, loc, cmd, start, end)
    if re.search(R.SCRIPT_KILL_RE[family], code):
        _code_add(ctx, loc, cmd, start, end, "process_termination", "high", f"{family} code kills processes")
    if family == "applescript" and re.search(R.SCRIPT_POWER_RE, code):
        _code_add(ctx, loc, cmd, start, end, "power", "critical", "AppleScript shuts down, restarts or sleeps the machine")
    if re.search(R.SCRIPT_FORK_BOMB_RE, code):
        _code_add(ctx, loc, cmd, start, end, "resource_exhaustion", "critical", f"{family} code forks without bound (fork bomb)")


def _code_delete(path: Optional[str], recursive: bool, reason: str, ctx: _Ctx, loc: _Loc, cmd: Cmd, start: int, end: int) -> None:
    if path is None:
        _code_add(ctx, loc, cmd, start, end, "filesystem_destruction", "medium", reason + " (path computed at run time)")
        return
    cls = _path_class(path, ctx.cwd)
    risk = _RM_RISK[cls][0 if recursive else 2]
    if recursive:
        # Shell words are analysed exactly; code only approximately (the literal may be joined,
        # looped over, or relative to a chdir we cannot see): a tree deletion in code is >= medium.
        risk = _max(risk, "medium")
    cat = "evidence_destruction" if cls in ("evidence", "history") else "filesystem_destruction"
    _code_add(ctx, loc, cmd, start, end, cat, risk, f"{reason}: {path} ({_CLASS_WORDS[cls]})", [path])


def _dotted(node: ast.AST) -> str:
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    else:
        parts.append("?")
    return ".".join(reversed(parts))


def _literal(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(e) for e in node.elts]
        if items and all(i is not None for i in items):
            return " ".join(shlex.quote(i) for i in items)  # type: ignore[arg-type]
    if isinstance(node, ast.Call) and node.args:  # Path('/x') / pathlib.Path('/x')
        return _literal(node.args[0])
    return None


def _python_ast(tree: ast.AST, ctx: _Ctx, loc: _Loc, cmd: Cmd, start: int, end: int, sub_loc: _Loc) -> None:
    used = set()  # literals already judged as executed
    _python_calls(tree, ctx, loc, cmd, start, end, sub_loc, used)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in used and " " in node.value:
            if len(node.value) <= R.MAX_MENTION_CHARS and _has_trigger(node.value) and loc.depth < R.MAX_DEPTH - 1:
                _classify_text(node.value, ctx, _Loc(0, sub_loc.clamp, False, loc.depth + 1, "mentioned"))


def _python_calls(tree: ast.AST, ctx: _Ctx, loc: _Loc, cmd: Cmd, start: int, end: int, sub_loc: _Loc, used: set) -> None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.While, ast.For)):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and _dotted(sub.func).endswith("fork"):
                    _code_add(ctx, loc, cmd, start, end, "resource_exhaustion", "critical", "python code forks in a loop (fork bomb)")
                    break
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        first_arg = node.args[0] if node.args else None
        if name in R.PY_SHELL_CALLS or last in ("system", "popen", "check_output", "check_call", "getoutput", "Popen") or (name.startswith("subprocess.")):
            s = _literal(first_arg) if first_arg is not None else None
            if s:
                used.update(id(n) for n in ast.walk(first_arg))  # type: ignore[arg-type]
                _classify_text(s, ctx, sub_loc)
            continue
        key = name if name in R.PY_DELETE_CALLS else last if last in R.PY_DELETE_CALLS else None
        if key is not None:
            reason, recursive = R.PY_DELETE_CALLS[key]
            target = first_arg
            if key in ("unlink", "rmdir") and isinstance(node.func, ast.Attribute) and not name.startswith("os."):
                target = node.func.value  # Path('/x').unlink()
            path = _literal(target) if target is not None else None
            if target is not None:
                used.update(id(n) for n in ast.walk(target))
            _code_delete(path, recursive, reason, ctx, loc, cmd, start, end)
            continue
        if name in ("os.kill", "os.killpg", "signal.pthread_kill") or last in ("kill", "terminate", "killpg", "send_signal"):
            _code_add(ctx, loc, cmd, start, end, "process_termination", "high", f"python code calls {name}() to kill a process")


# ---------------------------------------------------------------------------------- databases

def _database(prog: str, args: List[Word], cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    texts = [w.text for w in args]
    opts = R.DB_CLIENTS[prog]
    sqls: List[Tuple[str, int, int]] = []
    for k, t in enumerate(texts):
        if t in opts and k + 1 < len(args):
            sqls.append((texts[k + 1], args[k + 1].start, args[k + 1].end))
        elif t.startswith("--") and "=" in t and t.split("=", 1)[0] in opts:
            sqls.append((t.split("=", 1)[1], args[k].start, args[k].end))
    if prog in ("sqlite3", "duckdb", "redis-cli", "valkey-cli", "bq"):
        pos = [w for w in args if not w.text.startswith("-")]
        if prog in ("redis-cli", "valkey-cli"):
            if args:
                sqls.append((" ".join(texts), args[0].start, args[-1].end))
        elif len(pos) >= 2:
            sqls.append((" ".join(w.text for w in pos[1:]), pos[1].start, pos[-1].end))
    data = _pipe_data(cmd)
    if data is not None:
        sqls.append(data)
    for text, s, e in sqls:
        low = text.lower()
        for pattern, risk, reason in R.SQL_RULES:
            if re.search(pattern, low, re.S | re.M):
                cat = "process_termination" if "SHUTDOWN" in reason else "database_destruction"
                _code_add(ctx, loc, cmd, s, e, cat, risk, f"{reason} ({prog})")


# ---------------------------------------------------------------------------------- paths

_RM_RISK: Dict[str, Tuple[str, str, str]] = {
    # class: (recursive and force, recursive or force alone, neither)
    "root": ("critical", "critical", "high"),
    "system": ("high", "high", "medium"),
    "evidence": ("high", "high", "high"),
    "history": ("high", "high", "high"),
    "home": ("high", "medium", "low"),
    "dynamic": ("high", "medium", "low"),
    "project": ("medium", "low", "low"),
    "temp": ("low", "low", "low"),
    "device": ("critical", "critical", "critical"),
}
_CLASS_WORDS = {
    "root": "the root, a home folder or every user's files", "system": "a system or absolute path outside temporary folders",
    "evidence": "logs or crash evidence", "history": "shell history", "home": "a path in the home folder",
    "dynamic": "a path computed at run time", "project": "a path in the working directory", "temp": "a temporary path",
    "device": "a block device",
}
_VAR_HOME = re.compile(r"^(\$HOME|\$\{HOME\}|\$\{HOME:-[^}]*\})(?=/|$)")
_VAR_TMP = re.compile(r"^(\$TMPDIR|\$\{TMPDIR\}|\$\{TMPDIR:-[^}]*\}|\$TMP|\$\{TMP\}|\$TEMP|\$\{TEMP\}|\$RUNNER_TEMP)(?=/|$)")
_DEVICE = re.compile(R.DEVICE_RE)
_LOG_NAME = re.compile(R.LOG_NAME_RE)


def _path_class(text: str, cwd: Optional[str]) -> str:
    p = text.strip()
    if not p:
        return "project"
    p = _VAR_HOME.sub("~", p)
    p = _VAR_TMP.sub("/tmp", p)
    if p.startswith("~") and not p.startswith("~/") and p != "~":
        p = "/home/" + p[1:]  # ~user
    if "$" in p or "`" in p:
        return "dynamic"
    if not p.startswith(("/", "~")):
        if cwd:
            p = posixpath.join(cwd, p)
        else:
            norm = posixpath.normpath(p)
            base = norm.rsplit("/", 1)[-1]
            if base in R.HISTORY_FILES:
                return "history"
            return "project"
    home = p.startswith("~")
    norm = posixpath.normpath(p) if p not in ("/", "~") else p
    if home and not (norm == "~" or norm.startswith("~/")):
        return "root"  # ~/.. climbs out of the home folder
    if norm.startswith("//"):
        norm = norm[1:]
    stripped = re.sub(r"(/\*|/\.\*|/\.)+$", "", norm) or "/"
    if norm in R.ROOT_PATHS or stripped in R.ROOT_PATHS or stripped in ("/", "~"):
        return "root"
    if _DEVICE.match(norm):
        return "device"
    base = norm.rsplit("/", 1)[-1]
    if base in R.HISTORY_FILES:
        return "history"
    for pre in R.EVIDENCE_PREFIXES:
        if stripped == pre or stripped.startswith(pre + "/"):
            return "evidence"
    for pre in R.TEMP_PREFIXES:
        if norm.startswith(pre + "/"):
            return "temp"
    if home:
        return "home"
    parts = stripped.split("/")
    if parts[1:2] and parts[1] in ("home", "Users") and len(parts) == 3:
        return "root"  # a whole home folder
    if parts[1:2] and parts[1] in ("home", "Users") and len(parts) > 3:
        return "home"
    return "system"


# ---------------------------------------------------------------------------------- analyzers

def _rm(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    recursive = bool(opts.shorts & {"r", "R"}) or "--recursive" in opts.longs or prog in ("shred", "wipe") and "r" in opts.shorts
    force = "f" in opts.shorts or "--force" in opts.longs
    if prog in ("shred", "wipe", "srm"):
        force = True
    if prog == "rmdir":
        return
    col = 0 if (recursive and force) else 1 if recursive else 2
    if prog in ("shred", "wipe", "srm"):
        col = min(col, 1)  # overwritten, not just unlinked: nothing to recover
    targets = opts.positionals
    verb = {"rm": "rm", "unlink": "unlink", "shred": "shred", "srm": "srm", "wipe": "wipe"}.get(prog, prog)
    flags = ("-rf " if recursive and force else "-r " if recursive else "-f " if force else "")
    if not targets:
        if stdin_args:
            _add(ctx, loc, cmd, "filesystem_destruction", "high" if recursive else "medium", f"{verb} {flags}deletes paths read from a pipeline")
        elif recursive and force:
            _add(ctx, loc, cmd, "filesystem_destruction", "medium", f"{verb} {flags}with no operand: targets unknown")
        return
    worst: Optional[Tuple[str, str, str]] = None
    out_of_time = False
    for k, t in enumerate(targets):
        if k and not k & 255 and clock() > _parser.deadline():
            out_of_time = True  # report what was judged so far, then stop
            break
        cls = _path_class(t.text, ctx.cwd)
        risk = _RM_RISK[cls][col]
        if prog == "shred" and cls == "project":
            risk = _max(risk, "low")
        if worst is None or _RANK[risk] > _RANK[worst[0]]:
            worst = (risk, cls, t.text)
    if worst is not None:
        risk, cls, path = worst
        git_dirs = [t.text for t in targets if t.text.rstrip("/").rsplit("/", 1)[-1] == ".git"]
        if git_dirs and recursive:
            _add(ctx, loc, cmd, "vcs_destruction", "high", f"{verb} {flags}deletes the repository history in {git_dirs[0]}")
        cat = "evidence_destruction" if cls in ("evidence", "history") else "filesystem_destruction"
        what = "securely erases" if prog in ("shred", "wipe", "srm") else "deletes"
        _add(ctx, loc, cmd, cat, risk, f"{verb} {flags}{what} {path} ({_CLASS_WORDS[cls]})")
    if out_of_time:
        raise _Budget()


_FIND_FILTERS = frozenset("-name -iname -path -ipath -wholename -iwholename -regex -iregex -newer -mtime -mmin -atime -amin -ctime -cmin -size -type -user -group -empty -perm -links -inum -samefile -lname -ilname -nouser -nogroup -newermt".split())


#: find's actions that run a command per match; with -delete, all `_find` looks for.
_FIND_RUNS = ("-exec", "-execdir", "-ok", "-okdir")
_FIND_ACTIONS = frozenset(("-delete",) + _FIND_RUNS)


def _find(args: List[Word], cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    texts = [w.text for w in args]
    k = 0
    starts: List[str] = []
    while k < len(texts) and not texts[k].startswith(("-", "(", "!", "\\(")):
        starts.append(texts[k])
        k += 1
    if not starts:
        starts = ["."]
    filtered = any(t in _FIND_FILTERS for t in texts[k:])
    if "-delete" in texts[k:]:
        worst = max(((_RM_RISK[c][2 if filtered else 0], c, s) for s in starts for c in [_path_class(s, ctx.cwd)]), key=lambda x: _RANK[x[0]])
        risk, cls, path = worst
        cat = "evidence_destruction" if cls in ("evidence", "history") else "filesystem_destruction"
        what = "matching files" if filtered else "everything"
        _add(ctx, loc, cmd, cat, risk, f"find -delete deletes {what} under {path} ({_CLASS_WORDS[cls]})")
    j = k
    while j < len(texts):
        if texts[j] in _FIND_RUNS:
            e = j + 1
            while e < len(texts) and texts[e] not in (";", "+", "\\;"):
                e += 1
            inner = [Word(w.text.replace("{}", starts[0].rstrip("/") + "/{}") if "{}" in w.text else w.text, w.start, w.end, w.quoted, w.dynamic) for w in args[j + 1 : e]]
            if inner and not filtered and _prog(inner[0]) in ("rm", "shred", "unlink", "srm"):
                # no test narrows the match: every file under the start path goes, as with rm -rf
                first = inner[0]
                inner = [first, Word("-rf", first.end, first.end)] + [Word(starts[0], w.start, w.end) for w in inner[1:] if "{}" in w.text]
            if inner:
                sub = _sub_cmd(cmd, inner)
                sub.redirs = []
                sub.start, sub.end = cmd.start, cmd.end
                _command(sub, ctx, _Loc(loc.offset, loc.clamp, loc.executes, loc.depth, loc.via or "via find -exec"))
            j = e + 1
            continue
        j += 1


def _dd(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    kv = {w.text.split("=", 1)[0]: w.text.split("=", 1)[1] for w in args if "=" in w.text}
    out = kv.get("of")
    if out is None:
        return
    cls = _path_class(out, ctx.cwd)
    if cls == "device" or out.startswith("/dev/disk") or out.startswith("/dev/rdisk"):
        _add(ctx, loc, cmd, "filesystem_destruction", "critical", f"dd writes raw data onto the device {out}")
        return
    if cls in ("root", "system", "evidence", "history") and out not in R.HARMLESS_DEVICES:
        cat = "evidence_destruction" if cls in ("evidence", "history") else "filesystem_destruction"
        _add(ctx, loc, cmd, cat, "high", f"dd overwrites {out} ({_CLASS_WORDS[cls]})")
        return
    if kv.get("if") in ("/dev/zero", "/dev/urandom", "/dev/random") and "count" not in kv and out not in R.HARMLESS_DEVICES:
        _add(ctx, loc, cmd, "resource_exhaustion", "medium", f"dd from {kv.get('if')} without count= fills the disk")


def _truncate(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    texts = [w.text for w in args]
    size = None
    files: List[str] = []
    k = 0
    while k < len(texts):
        t = texts[k]
        if t in ("-s", "--size") and k + 1 < len(texts):
            size = texts[k + 1]
            k += 2
            continue
        if t.startswith("-s") and len(t) > 2:
            size = t[2:]
        elif t.startswith("--size="):
            size = t.split("=", 1)[1]
        elif not t.startswith("-"):
            files.append(t)
        k += 1
    if size is None or not re.match(r"^[<]?0+[KMGkmg]?$|^-", size):
        return
    for f in files:
        _clobber(f, cmd, ctx, loc, truncation=True, how=f"truncate -s {size}")


def _clobber(path: str, cmd: Cmd, ctx: _Ctx, loc: _Loc, truncation: bool, how: str) -> None:
    """A file overwritten or emptied: judge by what the file is."""
    if path in R.HARMLESS_DEVICES or path.startswith("/dev/fd/") or path in ("-", "/dev/stdin"):
        return
    if path in R.POWER_FILES:
        _add(ctx, loc, cmd, "power", R.POWER_FILES[path], f"{how} writes to {path}, which reboots, halts or suspends the machine", [path])
        return
    cls = _path_class(path, ctx.cwd)
    base = path.rstrip("/").rsplit("/", 1)[-1]
    if cls == "device":
        _add(ctx, loc, cmd, "filesystem_destruction", "critical", f"{how} overwrites the block device {path}", [path])
    elif cls in ("evidence", "history"):
        _add(ctx, loc, cmd, "evidence_destruction", "high", f"{how} empties or overwrites {path} ({_CLASS_WORDS[cls]})", [path])
    elif _LOG_NAME.search(base) and truncation:
        _add(ctx, loc, cmd, "evidence_destruction", "medium", f"{how} empties the log {path}", [path])
    elif cls in ("root", "system") and not path.startswith(("/proc/", "/sys/", "/dev/")):
        _add(ctx, loc, cmd, "filesystem_destruction", "high", f"{how} overwrites {path} ({_CLASS_WORDS[cls]})", [path])
    elif cls == "home" and re.search(r"/\.[^/]+$|/\.ssh/|/\.config/", path):
        _add(ctx, loc, cmd, "filesystem_destruction", "medium", f"{how} overwrites the configuration file {path}", [path])
    elif truncation and cls != "temp":
        _add(ctx, loc, cmd, "filesystem_destruction", "low", f"{how} empties {path}", [path])


_TRUNCATORS = frozenset({":", "true", "false"})


def _redirects(cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    if not cmd.redirs:
        return
    first = _prog(cmd.words[0]) if cmd.words else ""
    texts = [w.text for w in cmd.words[1:]]
    truncation = not cmd.words or first in _TRUNCATORS or (first == "echo" and all(t in ("-n", "-ne", "-en", "") for t in texts)) or (first == "cat" and texts in (["/dev/null"],)) or (first == "printf" and texts in ([""], []))
    for op, target in cmd.redirs:
        if target is None or target.text.isdigit() or target.text == "-":
            continue
        path = target.text
        clobber = op.lstrip("0123456789&") in (">", ">|") or op in ("&>",) or (op.endswith(">&") and not path.isdigit())
        append = op.lstrip("0123456789&") == ">>"
        if not (clobber or append):
            continue
        if append:
            if path in R.POWER_FILES or _DEVICE.match(path):
                _clobber(path, cmd, ctx, loc, False, f"`{op} {path}`")
            continue
        _clobber(path, cmd, ctx, loc, truncation, f"`{op} {path}`")
        if first == "yes" or (first == "cat" and any(t in ("/dev/zero", "/dev/urandom", "/dev/random") for t in texts)):
            if path not in R.HARMLESS_DEVICES:
                _add(ctx, loc, cmd, "resource_exhaustion", "medium", f"{first} writes without end into {path}, filling the disk", [path])


def _assignment(word: Word, cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    name, _, value = word.text.partition("=")
    if name in ("HISTFILE",) and value in ("/dev/null", ""):
        _add(ctx, loc, cmd, "evidence_destruction", "medium", f"{name}={value or '(empty)'} stops the shell from saving history")
    elif name in ("HISTSIZE", "HISTFILESIZE", "SAVEHIST") and value.strip() in ("0", ""):
        _add(ctx, loc, cmd, "evidence_destruction", "medium", f"{name}=0 stops the shell from keeping history")
    elif value and " " in value and not word.dynamic:
        _mention(value, word, cmd, ctx, loc)


def _chmod(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    recursive = "R" in opts.shorts or "--recursive" in opts.longs
    pos = opts.positionals
    if prog in ("chmod", "chown", "chgrp") and pos and "--reference" not in opts.longs:
        pos = pos[1:]  # the mode or owner
    worst = None
    for w in pos:
        cls = _path_class(w.text, ctx.cwd)
        if cls in ("root",):
            risk = "critical" if recursive else "high"
        elif cls in ("system", "device", "evidence", "history"):
            risk = "high" if recursive else "low"
        elif cls == "home":
            risk = "medium" if recursive else "none"
        else:
            risk = "none"
        if risk != "none" and (worst is None or _RANK[risk] > _RANK[worst[0]]):
            worst = (risk, cls, w.text)
    if worst:
        risk, cls, path = worst
        _add(ctx, loc, cmd, "permissions", risk, f"{prog}{' -R' if recursive else ''} changes {path} ({_CLASS_WORDS[cls]})")


def _kill(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    texts = [w.text for w in args]
    signal = "TERM"
    pids: List[Word] = []
    k = 0
    while k < len(texts):
        t = texts[k]
        if t in ("-l", "-L", "--list", "--table"):
            return
        if t in ("-s", "-n", "--signal") and k + 1 < len(texts):
            signal = texts[k + 1].upper()
            k += 2
            continue
        if t == "--":
            pids.extend(args[k + 1 :])
            break
        if t.startswith("-") and not pids and len(t) > 1 and signal == "TERM" and (not t[1:].lstrip("-").isdigit() or k == 0):
            signal = t[1:].upper()
            k += 1
            continue
        pids.append(args[k])
        k += 1
    sig = signal[3:] if signal.startswith("SIG") else signal
    if signal in R.HARMLESS_SIGNALS or sig in R.HARMLESS_SIGNALS:
        return
    hard = signal in R.HARD_SIGNALS or sig in R.HARD_SIGNALS
    sig_text = f"SIG{sig}" if not sig.isdigit() else f"signal {sig}"
    if not pids:
        if stdin_args:
            _add(ctx, loc, cmd, "process_termination", "high", f"kill sends {sig_text} to process ids read from a pipeline")
        return
    ptexts = [w.text for w in pids]
    if any(p in ("-1", "0") for p in ptexts):
        _add(ctx, loc, cmd, "process_termination", "critical", f"kill {' '.join(ptexts)} sends {sig_text} to every process it may signal")
    elif "1" in ptexts:
        _add(ctx, loc, cmd, "process_termination", "critical", f"kill sends {sig_text} to pid 1 (init)")
    elif any(w.dynamic for w in pids) or stdin_args:
        _add(ctx, loc, cmd, "process_termination", "high", f"kill sends {sig_text} to processes chosen at run time ({' '.join(ptexts)[:80]})")
    else:
        _add(ctx, loc, cmd, "process_termination", "high" if hard else "medium", f"kill sends {sig_text} to {' '.join(ptexts)[:80]}")


def _copylike(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    pos = opts.positionals
    if prog == "tee":
        if "a" in opts.shorts or "--append" in opts.longs:
            return
        for w in pos:
            _clobber(w.text, cmd, ctx, loc, False, "tee")
        return
    if len(pos) < 2:
        return
    dest = pos[-1].text
    if dest == "/dev/null" and prog == "mv":
        _add(ctx, loc, cmd, "filesystem_destruction", "high", "mv onto /dev/null destroys the moved files")
        return
    if prog == "ln":
        if opts.shorts & {"f"} or "--force" in opts.longs:
            cls = _path_class(dest, ctx.cwd)
            if cls in ("history", "evidence") and pos[0].text == "/dev/null":
                _add(ctx, loc, cmd, "evidence_destruction", "high", f"ln -sf /dev/null {dest} makes the history or log go nowhere")
        return
    if _DEVICE.match(dest) or dest in R.POWER_FILES:
        _clobber(dest, cmd, ctx, loc, False, prog)
        return
    cls = _path_class(dest, ctx.cwd)
    if cls in ("history", "evidence"):
        _add(ctx, loc, cmd, "evidence_destruction", "high", f"{prog} overwrites {dest} ({_CLASS_WORDS[cls]})")
    if prog == "mv":
        for w in pos[:-1]:
            c = _path_class(w.text, ctx.cwd)
            if c in ("history", "evidence"):
                _add(ctx, loc, cmd, "evidence_destruction", "medium", f"mv moves {w.text} ({_CLASS_WORDS[c]}) away")
                break


def _set(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    texts = [w.text for w in args]
    if prog == "set" and "+o" in texts and "history" in texts:
        _add(ctx, loc, cmd, "evidence_destruction", "medium", "set +o history stops the shell from recording history")
    if prog in ("export", "declare", "typeset", "local", "readonly"):
        for w in args:
            if "=" in w.text:
                _assignment(w, cmd, ctx, loc)


def _tmux_send(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc, stdin_args: bool) -> None:
    """`tmux send-keys 'cmd' Enter` types a command into a pane: it runs."""
    if not args or args[0].text not in ("send-keys", "send"):
        return
    texts = [w.text for w in args[1:]]
    k = 0
    words: List[Word] = []
    while k < len(texts):
        if texts[k] in ("-t", "-N"):
            k += 2
            continue
        if texts[k].startswith("-"):
            k += 1
            continue
        words.append(args[1 + k])
        k += 1
    keys = [w for w in words if w.text not in ("Enter", "C-m", "KPEnter")]
    for w in keys:
        _nested(w.text, w, cmd, ctx, loc, "typed into a tmux pane")


_ANALYZERS = {
    "rm": _rm, "unlink": _rm, "rmdir": _rm, "shred": _rm, "srm": _rm, "wipe": _rm,
    "dd": _dd, "truncate": _truncate,
    "chmod": _chmod, "chown": _chmod, "chgrp": _chmod, "setfacl": _chmod,
    "kill": _kill,
    "cp": _copylike, "mv": _copylike, "tee": _copylike, "ln": _copylike, "install": _copylike,
    "set": _set, "export": _set, "declare": _set, "typeset": _set, "local": _set, "readonly": _set,
    "tmux": _tmux_send,
}


# ---------------------------------------------------------------------------------- http, secrets

_URL_TOKENS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_HTTP_DESTROY = frozenset({"delete", "destroy", "purge", "drop", "truncate", "wipe", "remove", "flush", "erase"})


def _http(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    texts = [w.text for w in args]
    method = None
    for k, t in enumerate(texts):
        if t in R.HTTP_METHOD_OPTS and k + 1 < len(texts) and (prog != "wget" or t != "-m"):
            method = texts[k + 1].upper()
        elif t.startswith("-X") and len(t) > 2:
            method = t[2:].upper()
        elif t.startswith(("--request=", "--method=")):
            method = t.split("=", 1)[1].upper()
    if prog in ("http", "https", "xh", "xhs") and texts and texts[0].isupper():
        method = texts[0]
    urls = [t for t in texts if "://" in t or t.startswith("/")]
    url = urls[0] if urls else ""
    if method == "DELETE":
        _add(ctx, loc, cmd, "infrastructure_deletion", "medium", f"HTTP DELETE {url[:120]}")
        return
    if method in ("POST", "PUT", "PATCH") and url:
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        tokens = {t.lower() for t in _URL_TOKENS.findall(path.split("?", 1)[0])}
        hit = tokens & _HTTP_DESTROY
        if hit:
            _add(ctx, loc, cmd, "infrastructure_deletion", "medium", f"HTTP {method} to a {sorted(hit)[0]} endpoint: {url[:120]}")


_SECRET_FILE = re.compile(R.SECRET_FILE_RE)
_SECRET_ENV = re.compile(R.SECRET_ENV_RE)
_VAR_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _secret_path(text: str) -> bool:
    t = text.lstrip("@<")
    return bool(_SECRET_FILE.search(t)) and not t.endswith(".pub") and not t.endswith(".example") and not t.endswith(".sample")


def _secrets(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    if prog in R.READ_COMMANDS:
        for w in opts.positionals:
            if _secret_path(w.text):
                env_file = bool(re.search(r"(^|/)\.env(\.[a-z]+)?$", w.text))
                _add(ctx, loc, cmd, "secret_exposure", "low" if env_file else "medium", f"{prog} prints the credential file {w.text}")
                return
    if prog in ("printenv", "env") and not args:
        _add(ctx, loc, cmd, "secret_exposure", "low", f"{prog} prints the whole environment, secrets included")
    elif prog == "printenv" and any(_SECRET_ENV.search(w.text) for w in args):
        _add(ctx, loc, cmd, "secret_exposure", "low", "printenv prints a secret variable")
    elif prog in ("echo", "printf"):
        for w in args:
            if w.dynamic:
                for name in _VAR_REF.findall(w.text):
                    if _SECRET_ENV.search(name):
                        _add(ctx, loc, cmd, "secret_exposure", "low", f"{prog} prints the secret variable ${name}")
                        return
    elif prog == "gpg" and any(t.startswith("--export-secret") for t in opts.longs):
        _add(ctx, loc, cmd, "secret_exposure", "medium", "gpg exports private keys")
    elif prog == "security" and args and args[0].text.startswith("find-") and "w" in opts.shorts:
        _add(ctx, loc, cmd, "secret_exposure", "medium", "security prints a keychain password")
    elif prog == "gh" and [w.text for w in args[:2]] == ["auth", "token"]:
        _add(ctx, loc, cmd, "secret_exposure", "medium", "gh auth token prints the GitHub token")


def _exfiltration(prog: str, args: List[Word], cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    """Secrets piped or attached to a program that sends data off the machine."""
    prev = cmd.pipe_prev
    if prev is not None and prev.words:
        p = _prog(prev.words[0])
        ptexts = [w.text for w in prev.words[1:]]
        if p in R.ENV_DUMPERS and (p in ("env", "printenv") or not ptexts):
            _add(ctx, loc, cmd, "secret_exposure", "high", f"{p} | {prog} sends the environment, secrets included, off the machine")
            return
        if p in R.READ_COMMANDS and any(_secret_path(t) for t in ptexts):
            _add(ctx, loc, cmd, "secret_exposure", "high", f"{p} | {prog} sends a credential file off the machine")
            return
    for w in args:
        t = w.text
        if _secret_path(t) and (t.startswith("@") or "=@" in t or "<" in t or prog in ("scp", "rsync", "sftp", "nc", "ncat")):
            _add(ctx, loc, cmd, "secret_exposure", "high", f"{prog} sends the credential file {t.split('@')[-1]} off the machine")
            return
        if w.dynamic and re.search(r"\$\((\s*(env|printenv)\b|\s*cat\s+[^)]*(id_rsa|id_ed25519|credentials|\.netrc))", t):
            _add(ctx, loc, cmd, "secret_exposure", "high", f"{prog} sends secrets off the machine")
            return
    if prog in ("nc", "ncat", "netcat", "socat", "telnet"):
        for op, target in cmd.redirs:
            if op == "<" and target is not None and _secret_path(target.text):
                _add(ctx, loc, cmd, "secret_exposure", "high", f"{prog} sends the credential file {target.text} off the machine")
                return


# ---------------------------------------------------------------------------------- generic verbs

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_:.][A-Za-z0-9]+)*$")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def _tokens(word: str) -> List[str]:
    out: List[str] = []
    for part in re.split(r"[-_:.]", word):
        if part.islower() or part.isupper() or part.isdigit():
            out.append(part.lower())
        else:
            out.extend(t.lower() for t in _CAMEL.findall(part))
    return [t for t in out if t]


def _generic(prog: str, args: List[Word], opts: _Opts, cmd: Cmd, ctx: _Ctx, loc: _Loc) -> None:
    if any(l in R.DRY_RUN_OPTS for l in opts.longs):
        return
    hit: Optional[Tuple[str, str, str]] = None  # category, verb, where
    secret_noun = False
    secret_write = secret_read = False
    prog_tokens = _tokens(prog) if ("-" in prog or "_" in prog) else []
    for tok in prog_tokens[1:]:
        if tok in R.DESTRUCTIVE_VERBS and tok not in R.WEAK_VERBS:
            hit = (R.DESTRUCTIVE_VERBS[tok][0], tok, prog)
            break
    for idx, w in enumerate(opts.positionals[:4]):
        if not _IDENT.match(w.text):
            continue
        toks = _tokens(w.text)
        if any(t in ("secret", "secrets") for t in toks):
            secret_noun = True
        if secret_noun or (idx > 0 and any(t in ("secret", "secrets") for t in _tokens(opts.positionals[idx - 1].text))):
            if any(t in R.SECRET_WRITE_VERBS for t in toks):
                secret_write = True
            if any(t in R.SECRET_READ_VERBS for t in toks):
                secret_read = True
        if hit is None:
            for t in toks:
                if t in R.DESTRUCTIVE_VERBS:
                    if t in R.WEAK_VERBS and len(toks) == 1 and idx == 0:
                        continue
                    hit = (R.DESTRUCTIVE_VERBS[t][0], t, w.text)
                    break
                if t in R.COMPOUND_ONLY_VERBS and len(toks) > 1:
                    hit = (R.COMPOUND_ONLY_VERBS[t][0], t, w.text)
                    break
    if hit is None:
        for l in opts.longs:
            if l in R.BENIGN_OPTIONS:
                continue
            first = l[2:].split("-", 1)[0]
            if first in R.DESTRUCTIVE_OPTION_WORDS:
                hit = ("infrastructure_deletion", first, l)
                break
    if hit is not None:
        category, verb, where = hit
        wide = any(opts.has(s) for s in R.WIDENING_OPTIONS) or any(w.text in ("*", "all", "_all") for w in opts.positionals)
        risk = "high" if wide else "medium"
        _add(ctx, loc, cmd, category, risk, f"{prog} {where if where != prog else ''} {R.DESTRUCTIVE_VERBS.get(verb, R.COMPOUND_ONLY_VERBS.get(verb, ('', 'deletes')))[1]} what {prog} manages".replace("  ", " "))
        return
    if secret_write:
        _add(ctx, loc, cmd, "infrastructure_deletion", "medium", f"{prog} overwrites a stored secret (the old value may be lost)")
    elif secret_read:
        _add(ctx, loc, cmd, "secret_exposure", "low", f"{prog} prints a stored secret")


# ---------------------------------------------------------------------------------- fork bombs

_FORK_BOMB_TEXT = re.compile(r"([A-Za-z_:.][\w:.]*)\s*\(\s*\)\s*\{[^}]*?\1\s*\|\s*\1\s*&")


def _fork_bombs(script: Script, ctx: _Ctx, loc: _Loc) -> None:
    for name, body, start, end in script.functions:
        calls = [c for c in body if c.words and c.words[0].text == name]
        if any(c.pipe_prev is not None for c in calls) or len(calls) >= 2:
            seg = ctx.root[start:end] if loc.clamp is None else name
            span = (start, end) if loc.clamp is None else loc.clamp
            ctx.findings.append(Finding("resource_exhaustion", "critical", seg[:300], span, f"function {name} calls itself in a pipeline: a fork bomb", loc.executes, None))


_FUNC_OPEN = re.compile(r"\(\s*\)\s*\{")
_FUNC_NAME = re.compile(r"([A-Za-z_:.][\w:.]{0,63})\s*$")


def _fork_bomb_text(text: str, ctx: _Ctx, loc: _Loc) -> None:
    """Fork bombs in text the parser gave up on; bounded windows keep it linear."""
    for k, opening in enumerate(_FUNC_OPEN.finditer(text)):
        if k >= 32:
            return
        nm = _FUNC_NAME.search(text, max(0, opening.start() - 64), opening.start())
        if nm is None:
            continue
        window = text[nm.start() : opening.end() + 256]
        m = _FORK_BOMB_TEXT.match(window)
        if m:
            start = nm.start()
            span = (loc.offset + start, loc.offset + start + m.end()) if loc.clamp is None else loc.clamp
            ctx.findings.append(Finding("resource_exhaustion", "critical", m.group()[:300], span, "a function that calls itself in a pipeline: a fork bomb", loc.executes, None))
            return


_SCREEN = _screen_vocabulary()  # built once at import, never inside a command's budget
