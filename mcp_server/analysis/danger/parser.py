"""Shell text to a small intermediate form: pipelines of simple commands with spans.

Three layers, tried in order, all producing the same `Script`:

1. `fast_parse` — a regex tokenizer for the simple subset (words, quotes, `$VAR`, pipes, lists,
   redirects, here-strings): no substitutions, subshells, groups or compound commands. Most
   commands an agent runs are in this subset, and it is ~20x faster than a grammar parser.
2. `bashlex_parse` — bashlex (a pure-Python port of bash's own yacc grammar) for everything else:
   `$( )`, backticks, process substitution, subshells, groups, if/for/while, functions.
3. `fallback_parse` — when bashlex raises (it has no `case`, `[[ ]]` inside lists, arithmetic, …):
   a quote-aware splitter on operators and newlines, with `$( )`/backtick bodies extracted and
   parsed again. Its result is marked `unparsed`, so the classifier never calls it safe.

Here-documents are cut out before any of them runs (`extract_heredocs`, length-preserving), which
also sidesteps bashlex's failure on quoted delimiters (`<<'EOF'`). Stdlib + bashlex only.
"""

from __future__ import annotations

import re
import threading
import time
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only (PEP 563)
    from typing import List, Optional, Tuple

from .rules import DASHES

class BudgetExceeded(Exception):
    """The per-command time budget ran out while parsing."""


#: The budget clock: CPU time of the calling thread, so a loaded machine (or a descheduled thread)
#: does not turn an ordinary command into "time budget exhausted"; only work done counts.
clock = time.thread_time


class _Budget(threading.local):
    """Per thread (the MCP server classifies in worker threads): the deadline (thread CPU time) of
    the command being classified, and the seconds a bashlex import took during that call."""

    deadline = float("inf")
    import_seconds = 0.0


BUDGET = _Budget()
_BASHLEX_LOADED = [False]
_BASHLEX_LOCK = threading.Lock()


def set_deadline(deadline: float) -> None:
    BUDGET.deadline = deadline
    BUDGET.import_seconds = 0.0  # only an import during this call extends its budget


def deadline() -> float:
    return BUDGET.deadline + BUDGET.import_seconds


def _check_deadline() -> None:
    if clock() > BUDGET.deadline + BUDGET.import_seconds:
        raise BudgetExceeded()


RESERVED = frozenset({"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "select", "in", "{", "}", "coproc", "!"})
ASSIGN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_DASH_TABLE = {ord(c): "-" for c in DASHES}


class Word:
    __slots__ = ("text", "start", "end", "quoted", "dynamic")

    def __init__(self, text: str, start: int, end: int, quoted: bool = False, dynamic: bool = False) -> None:
        self.text = text  # value after quote removal (expansions left as written)
        self.start = start
        self.end = end
        self.quoted = quoted
        self.dynamic = dynamic  # contains $VAR, ${…}, $( ) or backticks

    def __repr__(self) -> str:
        return f"Word({self.text!r}@{self.start})"


class Stdin:
    __slots__ = ("text", "start", "end", "kind", "expands")

    def __init__(self, text: str, start: int, end: int, kind: str, expands: bool) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.kind = kind  # 'heredoc' | 'herestring'
        self.expands = expands  # unquoted heredoc delimiter: $( ) in the body runs


class Cmd:
    __slots__ = ("words", "assigns", "redirs", "stdin", "start", "end", "pipe_prev")

    def __init__(self, start: int) -> None:
        self.words: List[Word] = []
        self.assigns: List[Word] = []
        self.redirs: List[Tuple[str, Optional[Word]]] = []
        self.stdin: Optional[Stdin] = None
        self.start = start
        self.end = start
        self.pipe_prev: Optional["Cmd"] = None  # the command whose stdout feeds this one

    def __repr__(self) -> str:
        return f"Cmd({[w.text for w in self.words]})"


class Script:
    __slots__ = ("commands", "functions", "unparsed", "parser")

    def __init__(self, parser: str) -> None:
        self.commands: List[Cmd] = []
        self.functions: List[Tuple[str, List[Cmd], int, int]] = []  # name, body commands, span
        self.unparsed: Optional[str] = None
        self.parser = parser


class Heredoc:
    __slots__ = ("op_start", "body", "body_start", "body_end", "quoted")

    def __init__(self, op_start: int, body: str, body_start: int, body_end: int, quoted: bool) -> None:
        self.op_start = op_start
        self.body = body
        self.body_start = body_start
        self.body_end = body_end
        self.quoted = quoted


def normalize(src: str) -> str:
    """Fold Unicode dashes to '-' (one character for one, so spans stay true)."""
    if src.isascii():
        return src
    return src.translate(_DASH_TABLE)


# ---------------------------------------------------------------------------------- heredocs

_HEREDOC_OP = re.compile(r"(?<!<)<<(?!<)(-?)[ \t]*('([^'\n]*)'|\"([^\"\n]*)\"|\\?([^\s;&|<>()'\"]+))")
_HAS_HEREDOC = re.compile(r"(?<!<)<<(?!<)")


def extract_heredocs(src: str) -> Tuple[str, List[Heredoc]]:
    """Blank here-document operators and bodies out of `src`; return them separately.

    Quote-aware (a `<<` inside quotes is text). A body without its terminator runs to the end,
    as bash does (with a warning).
    """
    if not _HAS_HEREDOC.search(src):
        return src, []
    out = list(src)
    docs: List[Heredoc] = []
    pending: List[Tuple[int, str, bool, bool]] = []  # op_start, delimiter, strip tabs, quoted
    i, n = 0, len(src)
    quote = ""
    steps = 0
    while i < n:
        steps += 1
        if not steps & 1023:
            _check_deadline()
        c = src[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 2
                continue
            if c == quote:
                quote = ""
            i += 1
            continue
        if c == "\\":
            i += 2
            continue
        if c in "'\"":
            quote = c
            i += 1
            continue
        if c == "#" and (i == 0 or src[i - 1] in " \t\n;&|("):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "<" and src.startswith("<<", i) and not src.startswith("<<<", i) and (i == 0 or src[i - 1] != "<"):
            m = _HEREDOC_OP.match(src, i)
            if m:
                delim = m.group(3) if m.group(3) is not None else m.group(4) if m.group(4) is not None else m.group(5)
                quoted = m.group(3) is not None or m.group(4) is not None or src[m.start(2)] == "\\"
                pending.append((i, delim, m.group(1) == "-", quoted))
                for k in range(m.start(), m.end()):
                    out[k] = " "
                i = m.end()
                continue
        if c == "\n" and pending:
            pos = i + 1
            for op_start, delim, strip, quoted in pending:
                body_start = pos
                lines: List[str] = []
                end = n
                while pos < n:
                    nl = src.find("\n", pos)
                    line_end = n if nl < 0 else nl
                    line = src[pos:line_end]
                    test = line.lstrip("\t") if strip else line
                    out[pos:line_end] = " " * (line_end - pos)
                    if test == delim or test.rstrip(" ") == delim:
                        end = pos
                        pos = line_end + 1 if nl >= 0 else n
                        break
                    lines.append(test)
                    pos = line_end + 1 if nl >= 0 else n
                    end = pos
                    if not len(lines) & 1023:
                        _check_deadline()
                docs.append(Heredoc(op_start, "\n".join(lines), body_start, min(end, n), quoted))
            pending = []
            i = pos
            continue
        i += 1
    for op_start, _delim, _strip, quoted in pending:  # operator with no body at all
        docs.append(Heredoc(op_start, "", n, n, quoted))
    return "".join(out), docs


def attach_heredocs(script: Script, docs: List[Heredoc]) -> None:
    for doc in docs:
        best: Optional[Cmd] = None
        for cmd in script.commands:
            if cmd.start <= doc.op_start and (best is None or cmd.start >= best.start):
                best = cmd
        if best is not None and best.stdin is None:
            best.stdin = Stdin(doc.body, doc.body_start, doc.body_end, "heredoc", not doc.quoted)


# ---------------------------------------------------------------------------------- words

_PART = re.compile(r"""'([^']*)'|\$'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|\\(.)|([^'"\\]+)|(.)""", re.S)
_DQ_ESC = re.compile(r"\\([$`\"\\\n])")
_ANSI = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a", "e": "\x1b", "0": "\0"}


_SPECIAL = re.compile(r"['\"\\$`]")


def unquote(raw: str) -> Tuple[str, bool, bool]:
    """Quote removal of one shell word: (value, had quotes, has expansions)."""
    if _SPECIAL.search(raw) is None:
        return raw, False, False
    out: List[str] = []
    quoted = False
    dynamic = False
    for m in _PART.finditer(raw):
        sq, ansi, dq, esc, plain, other = m.groups()
        if sq is not None:
            quoted = True
            out.append(sq)
        elif ansi is not None:
            quoted = True
            out.append(re.sub(r"\\(.)", lambda e: _ANSI.get(e.group(1), e.group(1)), ansi))
        elif dq is not None:
            quoted = True
            if "$" in dq or "`" in dq:
                dynamic = True
            out.append(_DQ_ESC.sub(lambda e: "" if e.group(1) == "\n" else e.group(1), dq))
        elif esc is not None:
            quoted = True
            if esc != "\n":
                out.append(esc)
        elif plain is not None:
            if "$" in plain or "`" in plain:
                dynamic = True
            out.append(plain)
        else:
            out.append(other)
    return "".join(out), quoted, dynamic


# ---------------------------------------------------------------------------------- fast path

_TOKEN = re.compile(
    r"""(?P<sp>[ \t\r\f\v]+|\\\n)
|(?P<nl>\n)
|(?P<procsub>[<>]\()
|(?P<redir>(?:\d{1,3}|&)?(?:>>|>\||>&|<<<|<&|<>|>|<))
|(?P<op>&&|\|\||\|&|;;&?|[;&|])
|(?P<paren>[()])
|(?P<comment>\#[^\n]*)
|(?P<word>(?:[^\s'"\\;&|<>()`$]|\\.|'[^']*'|"(?:[^"\\$`]|\\.|\$\{[^{}()`"]*\}|\$(?![({]))*"|\$'(?:[^'\\]|\\.)*'|\$\{[^{}()`'"]*\}|\$(?![({]))+)""",
    re.X | re.S,
)


def lexable(src: str) -> bool:
    """The whole text is simple words, quotes and operators (no parens): the engine's screen.

    A token loop, not one anchored regex: `(?:token)*\\Z` backtracks exponentially on a text
    that ends badly (a lone trailing backslash)."""
    pos, n = 0, len(src)
    match = _TOKEN.match
    pending = False  # a redirect waits for its file word
    while pos < n:
        m = match(src, pos)
        if m is None:
            return False
        kind = m.lastgroup
        if kind in ("paren", "procsub"):
            return False
        if kind == "word":
            end = m.end()
            if end < n and src[end] not in _WORD_END:
                return False
            pending = False
        elif kind == "redir":
            if pending:
                return False
            pending = True
        elif kind in ("op", "nl") and pending:
            return False
        pos = m.end()
    return not pending

#: Keywords that open or continue a compound command: the command starts at the next word.
_LEAD_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
#: Keywords that close one: they end the current command.
_END_KEYWORDS = frozenset({"fi", "done", "}", "esac"})
#: Keywords the fast path leaves to the grammar parser.
_HARD_KEYWORDS = frozenset({"case", "function", "coproc", "select", "[[", "]]"}) - {"[[", "]]"}
_WORD_END = frozenset(" \t\r\f\v\n;&|<>()")


_PAREN_STOP = re.compile(r"[\\'\"`()]")
_DQ_STOP = re.compile(r"[\\\"$`]")


def _skip_quoted(src: str, i: int, subs: Optional[List[Tuple[int, int]]]) -> Optional[int]:
    """For an escape, '…', "…" or `…` starting at src[i]: the index just past it, -1 when it is not
    closed, None when src[i] starts none of them. Backtick bodies are noted in `subs` when given."""
    c = src[i]
    if c == "\\":
        return i + 2
    if c == "'":
        j = src.find("'", i + 1)
        return -1 if j < 0 else j + 1
    if c == '"':
        return _scan_dq(src, i + 1, subs)
    if c == "`":
        j = _scan_backtick(src, i + 1)
        if j < 0:
            return -1
        if subs is not None:
            subs.append((i + 1, j))
        return j + 1
    return None


def _scan_paren(src: str, i: int) -> int:
    """Index of the ')' closing a '$(' or '(' whose body starts at i; -1 when unbalanced."""
    depth, n = 1, len(src)
    stop = _PAREN_STOP.search
    while i < n:
        m = stop(src, i)
        if m is None:
            return -1
        i = m.start()
        c = src[i]
        k = _skip_quoted(src, i, None)
        if k is not None:
            if k < 0:
                return -1
            i = k
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _scan_backtick(src: str, i: int) -> int:
    n = len(src)
    if "\\" not in src:
        j = src.find("`", i)
        return j
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            return i
        i += 1
    return -1


def _scan_dq(src: str, i: int, subs: Optional[List[Tuple[int, int]]]) -> int:
    """Index just past the '"' closing a double-quoted string whose body starts at i; -1 if none."""
    n = len(src)
    stop = _DQ_STOP.search
    while i < n:
        m = stop(src, i)
        if m is None:
            return -1
        i = m.start()
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c == "$" and src.startswith("$(", i):
            j = _scan_paren(src, i + 2)
            if src.startswith("$((", i):  # arithmetic: no command runs
                if j < 0:
                    return -1
                i = j + 1
                continue
            if j < 0:
                return -1
            if subs is not None:
                subs.append((i + 2, j))
            i = j + 1
            continue
        if c == "`":
            j = _scan_backtick(src, i + 1)
            if j < 0:
                return -1
            if subs is not None:
                subs.append((i + 1, j))
            i = j + 1
            continue
        i += 1
    return -1


def _scan_word(src: str, i: int, subs: List[Tuple[int, int]]) -> int:
    """End of the shell word starting at i (with quotes, $( ), backticks); -1 when unsupported."""
    n = len(src)
    start = i
    while i < n:
        c = src[i]
        if c in _WORD_END:
            if c == "(" :
                return -1  # `name(` : a function definition or an extglob
            break
        k = _skip_quoted(src, i, subs)
        if k is not None:
            if k < 0:
                return -1
            i = k
            continue
        if c == "$" and i + 1 < n and src[i + 1] == "(":
            j = _scan_paren(src, i + 2)
            if j < 0:
                return -1
            if src.startswith("$((", i):  # arithmetic: no command runs
                i = j + 1
                continue
            subs.append((i + 2, j))
            i = j + 1
            continue
        if c == "$" and i + 1 < n and src[i + 1] == "{":
            j = src.find("}", i)
            if j < 0:
                return -1
            i = j + 1
            continue
        i += 1
    i = min(i, n)  # a lone trailing backslash
    return i if i > start else -1


def fast_parse(src: str, offset: int = 0, subs_out: Optional[List[Tuple[str, int]]] = None) -> Optional[Script]:
    """Parse the common subset; None when the text needs the grammar parser.

    Handles words, quotes, `$VAR`, `$( )`, backticks, `<( )`, pipes, lists, redirects,
    here-strings, subshells `( )`, groups `{ }` and the keywords of if/while/until/for. Leaves
    `case`, functions, arithmetic and anything unbalanced to bashlex.
    """
    script = Script("fast")
    cmd: Optional[Cmd] = None
    prev_in_pipe: Optional[Cmd] = None
    pending_redir: Optional[str] = None
    skip_clause = False  # inside `for x in a b c` up to the separator
    depth = 0
    pos, n = 0, len(src)
    match = _TOKEN.match
    subs: List[Tuple[int, int]] = []
    steps = 0
    while pos < n:
        steps += 1
        if not steps & 511:
            _check_deadline()
        m = match(src, pos)
        kind = m.lastgroup if m is not None else None
        start = pos
        if kind == "word" or kind is None:
            end = m.end() if m is not None else pos
            if m is None or (end < n and src[end] not in _WORD_END):
                end = _scan_word(src, pos, subs)
                if end < 0:
                    return None
            raw = src[start:end]
            pos = end
            if skip_clause:
                if raw == "do":
                    skip_clause = False
                continue
            if pending_redir is not None:
                text, quoted, dynamic = unquote(raw)
                if cmd is None:
                    cmd = Cmd(start + offset)
                w = Word(text, start + offset, end + offset, quoted, dynamic)
                if pending_redir.endswith("<<<"):
                    cmd.stdin = Stdin(text, start + offset, end + offset, "herestring", dynamic)
                else:
                    cmd.redirs.append((pending_redir, w))
                cmd.end = end + offset
                pending_redir = None
                continue
            if cmd is None or not cmd.words:
                if raw in _LEAD_KEYWORDS and (cmd is None or not cmd.assigns):
                    continue
                if raw in _END_KEYWORDS and (cmd is None or not cmd.assigns):
                    if cmd is not None:
                        script.commands.append(cmd)
                        cmd = None
                    prev_in_pipe = None
                    continue
                if raw in ("for", "select"):
                    skip_clause = True
                    continue
                if raw in _HARD_KEYWORDS or raw == "in":
                    return None
                if raw.startswith("{") and "}" not in raw:
                    return None
                if ASSIGN_RE.match(raw):
                    if cmd is None:
                        cmd = Cmd(start + offset)
                        cmd.pipe_prev = prev_in_pipe
                    text, quoted, dynamic = unquote(raw)
                    cmd.assigns.append(Word(text, start + offset, end + offset, quoted, dynamic))
                    cmd.end = end + offset
                    continue
            if cmd is None:
                cmd = Cmd(start + offset)
                cmd.pipe_prev = prev_in_pipe
            text, quoted, dynamic = unquote(raw)
            cmd.words.append(Word(text, start + offset, end + offset, quoted, dynamic))
            cmd.end = end + offset
            continue
        assert m is not None
        end = m.end()
        pos = end
        if kind == "sp" or kind == "comment":
            continue
        if kind == "procsub":
            j = _scan_paren(src, end)
            if j < 0:
                return None
            subs.append((end, j))
            if pending_redir is not None:
                pending_redir = None
            pos = j + 1
            if cmd is None:
                cmd = Cmd(start + offset)
                cmd.pipe_prev = prev_in_pipe
            cmd.words.append(Word(src[start:pos], start + offset, pos + offset, False, True))
            cmd.end = pos + offset
            continue
        if kind == "redir":
            if pending_redir is not None or skip_clause:
                return None
            op = m.group()
            if op.endswith("<<") and not op.endswith("<<<"):
                return None
            pending_redir = op
            if cmd is None:
                cmd = Cmd(start + offset)
                cmd.pipe_prev = prev_in_pipe
            continue
        if pending_redir is not None:
            return None
        if kind == "paren":
            if m.group() == "(":
                if cmd is not None and (cmd.words or cmd.assigns):
                    return None  # `name (` or `a=(…)`: a function or an array
                if src.startswith("(", end):
                    return None  # `((`: arithmetic
                depth += 1
                cmd = None
                prev_in_pipe = None
                continue
            if depth == 0:
                return None
            depth -= 1
        # an operator, a newline or a ')' ends the command
        skip_clause = False
        op = m.group()
        if cmd is not None:
            script.commands.append(cmd)
        prev_in_pipe = cmd if op in ("|", "|&") else None
        cmd = None
    if pending_redir is not None or depth != 0 or skip_clause:
        return None
    if cmd is not None:
        script.commands.append(cmd)
    if subs_out is not None:
        for s, e in subs:
            subs_out.append((src[s:e], s + offset))
    return script


# ---------------------------------------------------------------------------------- bashlex

def bashlex_parse(src: str, offset: int = 0) -> Script:
    """Parse with bashlex. Raises whatever bashlex raises (the caller falls back)."""
    if not _BASHLEX_LOADED[0]:
        t0 = clock()
        with _BASHLEX_LOCK:
            import bashlex  # noqa: F401  pure Python; imported lazily so the fast path never pays for it
        BUDGET.import_seconds = clock() - t0
        _BASHLEX_LOADED[0] = True
    import bashlex

    with _BASHLEX_LOCK:  # bashlex keeps its yacc parser in module state: not thread-safe
        trees = bashlex.parse(src)
    script = Script("bashlex")
    for tree in trees:
        _walk(tree, src, offset, script, None)
    return script


def _walk(node, src: str, offset: int, script: Script, prev: Optional[Cmd]) -> Optional[Cmd]:
    kind = node.kind
    if kind == "command":
        return _command(node, src, offset, script, prev)
    if kind == "pipeline":
        last: Optional[Cmd] = None
        feed: Optional[Cmd] = None
        for part in node.parts:
            if part.kind == "pipe":
                feed = last
                continue
            if part.kind == "reservedword":  # `!` or `time`
                continue
            last = _walk(part, src, offset, script, feed)
            feed = None
        return last
    if kind == "function":
        name = node.parts[0].word if node.parts and hasattr(node.parts[0], "word") else ""
        body = Script("bashlex")
        for part in node.parts[1:]:
            _walk(part, src, offset, body, None)
        script.functions.append((name, body.commands, node.pos[0] + offset, node.pos[1] + offset))
        script.commands.extend(body.commands)
        script.functions.extend(body.functions)
        return None
    last = None
    for attr in ("parts", "list"):
        for part in getattr(node, attr, None) or []:
            last = _walk(part, src, offset, script, None)
    cmd_node = getattr(node, "command", None)
    if cmd_node is not None:
        last = _walk(cmd_node, src, offset, script, None)
    # redirects on compound commands (`{ …; } > f`)
    return last


def _subst(node, src: str, offset: int, script: Script) -> None:
    """Commands inside $( ), backticks and <( ) of a word run: add them."""
    for part in getattr(node, "parts", None) or []:
        if part.kind in ("commandsubstitution", "processsubstitution"):
            _walk(part.command, src, offset, script, None)
        else:
            _subst(part, src, offset, script)


_DYNAMIC = re.compile(r"\$(?!')|`")


def _word(node, src: str, offset: int) -> Word:
    start, end = node.pos
    raw = src[start:end]
    text = node.word
    quoted = any(c in raw for c in "'\"\\")
    dynamic = _DYNAMIC.search(raw) is not None
    if not dynamic:  # our own quote removal (bashlex keeps the '$' of $'…')
        text = unquote(raw)[0] if quoted else raw
    return Word(text, start + offset, end + offset, quoted, dynamic)


def _command(node, src: str, offset: int, script: Script, prev: Optional[Cmd]) -> Cmd:
    cmd = Cmd(node.pos[0] + offset)
    cmd.end = node.pos[1] + offset
    cmd.pipe_prev = prev
    for part in node.parts:
        k = part.kind
        if k == "assignment":
            if not cmd.words:
                start, end = part.pos
                text, quoted, dynamic = unquote(src[start:end])
                cmd.assigns.append(Word(text, start + offset, end + offset, quoted, dynamic))
            else:
                cmd.words.append(_word(part, src, offset))
            _subst(part, src, offset, script)
        elif k == "word":
            cmd.words.append(_word(part, src, offset))
            _subst(part, src, offset, script)
        elif k == "redirect":
            target = part.output
            if part.type == "<<<" and hasattr(target, "word"):
                w = _word(target, src, offset)
                cmd.stdin = Stdin(w.text, w.start, w.end, "herestring", w.dynamic)
                _subst(target, src, offset, script)
            elif hasattr(target, "word"):
                cmd.redirs.append((part.type, _word(target, src, offset)))
                _subst(target, src, offset, script)
            else:
                cmd.redirs.append((part.type, None))
    script.commands.append(cmd)
    return cmd


# ---------------------------------------------------------------------------------- fallback

_SPLIT = re.compile(r"&&|\|\||\|&|;;|[;&|\n(){}]")
_SEG_STOP = re.compile(r"[\\'\"`$)&|;\n(){}]")


def split_segments(src: str) -> List[Tuple[int, int, bool]]:
    """Quote-aware split on operators; (start, end, piped-from-previous). Never raises."""
    segs: List[Tuple[int, int, bool]] = []
    i, n, seg_start = 0, len(src), 0
    quote = ""
    depth = 0
    piped = False
    steps = 0
    while i < n:
        steps += 1
        if not steps & 1023:
            _check_deadline()
        if not quote:
            m = _SEG_STOP.search(src, i)
            if m is None:
                break
            i = m.start()
        c = src[i]
        if quote:
            if c == "\\" and quote != "'":
                i += 2
                continue
            if c == quote:
                quote = ""
            i += 1
            continue
        if c == "\\":
            i += 2
            continue
        if c in "'\"`":
            quote = c
            i += 1
            continue
        if c == "$" and i + 1 < n and src[i + 1] == "(":
            depth += 1
            i += 2
            continue
        if c == ")" and depth:
            depth -= 1
            i += 1
            continue
        if depth == 0:
            m = _SPLIT.match(src, i)
            if m:
                if i > seg_start:
                    segs.append((seg_start, i, piped))
                piped = m.group() in ("|", "|&")
                i = m.end()
                seg_start = i
                continue
        i += 1
    if seg_start < n:
        segs.append((seg_start, n, piped))
    return segs


_SUBST_RE = re.compile(r"\$\(((?:[^()]|\([^()]*\))*)\)|`([^`]*)`")
_WORD_RE = re.compile(r"""(?:[^\s'"\\]|\\.|'[^']*'?|"(?:[^"\\]|\\.)*"?)+""", re.S)


def fallback_parse(src: str, offset: int = 0) -> Tuple[Script, List[Tuple[str, int]]]:
    """Best-effort split for what bashlex cannot parse: (script, substitution bodies to parse)."""
    script = Script("fallback")
    prev: Optional[Cmd] = None
    for start, end, piped in split_segments(src):
        seg = src[start:end]
        cmd: Optional[Cmd] = None
        pending: Optional[str] = None
        _check_deadline()
        for m in _WORD_RE.finditer(seg):
            raw = m.group()
            ws, we = start + m.start() + offset, start + m.end() + offset
            if raw in (">", ">>", ">|", "&>", "<", "2>", "1>", "2>>", "<<<"):
                pending = raw
                continue
            rm = re.match(r"^(\d*|&)(>>|>\||>|<<<|<)(.+)$", raw)
            if rm and not raw.startswith(("'", '"')):
                pending, raw = rm.group(1) + rm.group(2), rm.group(3)
            text, quoted, dynamic = unquote(raw)
            if cmd is None:
                cmd = Cmd(ws)
                cmd.pipe_prev = prev if piped else None
            cmd.end = we
            if pending is not None:
                if pending == "<<<":
                    cmd.stdin = Stdin(text, ws, we, "herestring", dynamic)
                else:
                    cmd.redirs.append((pending, Word(text, ws, we, quoted, dynamic)))
                pending = None
                continue
            if not cmd.words and (raw in RESERVED or raw in ("then", "do", "else", "time")):
                continue
            if not cmd.words and ASSIGN_RE.match(raw):
                cmd.assigns.append(Word(text, ws, we, quoted, dynamic))
                continue
            cmd.words.append(Word(text, ws, we, quoted, dynamic))
        if cmd is not None:
            script.commands.append(cmd)
        prev = cmd
    subs = [(m.group(1) if m.group(1) is not None else m.group(2), m.start(1 if m.group(1) is not None else 2) + offset) for m in _SUBST_RE.finditer(src)]
    return script, subs


def parse(src: str, offset: int = 0, allow_bashlex: bool = True) -> Tuple[Script, List[Tuple[str, int]]]:
    """Parse one shell text: (script, extra substitution bodies to parse as executed scripts)."""
    blanked, docs = extract_heredocs(src)
    subs: List[Tuple[str, int]] = []
    script = fast_parse(blanked, offset, subs)
    if script is None:
        subs = []
        reason = None
        if allow_bashlex:
            try:
                script = bashlex_parse(blanked, offset)
            except RecursionError:
                reason = "nesting too deep for the parser"
            except Exception as exc:  # bashlex raises ParsingError, NotImplementedError, IndexError, …
                reason = f"bash parser: {type(exc).__name__}: {str(exc)[:120]}"
        else:
            reason = "too long or too deep for the grammar parser"
        if script is None:
            script, subs = fallback_parse(blanked, offset)
            script.unparsed = reason
    for doc in docs:
        doc.op_start += offset
        doc.body_start += offset
        doc.body_end += offset
    attach_heredocs(script, docs)
    return script, subs
