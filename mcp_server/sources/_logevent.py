"""Fast event construction and the shared streaming helpers of the system-log sources.

`Event` validation costs more than parsing a journald JSON line, so the log sources check what
the validators would check themselves (an aware time, a bounded message, scalar extras) and build
events with `Event.model_construct` (measured in bench/bench_logs.py: about 2.5x faster overall).
Also here: a bounded, streaming splitter of top-level JSON objects (for JSON arrays and pretty
printed output that is not one object per line).
"""

from __future__ import annotations

import hashlib
import lzma
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any, Iterable, Iterator, Optional, Sequence

from ..models import EVIDENCE_PREFIX, Event, ExtraValue, ParseWarning, clip, make_evidence_id

#: What reading a (possibly compressed, possibly truncated) stream can raise.
READ_ERRORS = (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error)

_EVENT_DEFAULTS = {f: info.get_default(call_default_factory=True) for f, info in Event.model_fields.items()}
_FIELDS = frozenset(Event.model_fields)
_ALL_SET = set(_FIELDS)
_UTC = timezone.utc
_new = Event.__new__
_blake2b = hashlib.blake2b


def _slot_setter(name: str):  # noqa: ANN202 - a slot descriptor's bound __set__
    """The `__set__` of the pydantic `BaseModel` slot (or `__dict__`) `name`, found along Event's MRO.

    Calling it stores straight into the slot; `object.__setattr__` would first look the name up
    along the MRO on every call (measured: 4 such calls cost 0.5 µs of `build_event`'s 0.8 µs)."""
    for klass in Event.__mro__:
        if name in vars(klass):
            return vars(klass)[name].__set__
    raise AttributeError(name)  # pragma: no cover - pydantic 2 always has these slots


_set_dict = _slot_setter("__dict__")
_set_fields_set = _slot_setter("__pydantic_fields_set__")
_set_extra = _slot_setter("__pydantic_extra__")
_set_private = _slot_setter("__pydantic_private__")


def build_event(values: dict) -> Event:
    """An `Event` from a complete, already checked field dict, without pydantic's per-field work.

    What `Event.model_construct` does at its end, minus its per-call field bookkeeping (measured:
    0.3 µs instead of 7.5 µs, and validation is 5 µs). Only for values `fast_event` has checked.
    """
    ev = _new(Event)
    _set_dict(ev, values)
    # one shared set: it already names every field, so pydantic adding a name to it changes nothing
    _set_fields_set(ev, _ALL_SET)
    _set_extra(ev, None)
    _set_private(ev, None)
    return ev


def id_head(data_type: str) -> Any:
    """What `key_evidence_id` needs for a data type, made once per module: a hasher that has
    already taken in the data type (copying it is cheaper than a new keyword-configured one)."""
    return _blake2b((data_type + "\x1f").encode(), digest_size=8)


def key_evidence_id(head: Any, key: str) -> str:
    """`make_evidence_id(data_type, key)` (same id) with one hasher copy and update, for sources
    whose records carry their own stable key (a journald cursor, a unified-log boot and mach time)."""
    h = head.copy()
    h.update(key.encode("utf-8", "surrogatepass") + b"\x1f")
    return EVIDENCE_PREFIX + h.hexdigest()


def fast_event(
    *,
    data_type: str,
    source: str,
    time: Optional[datetime],
    message: str,
    id_parts: tuple[object, ...] = (),
    evidence_id: Optional[str] = None,
    **fields: object,
) -> Event:
    """An `Event` built without per-field validation, after doing what the validators do
    (an aware time converted to UTC, the message clipped, no unknown fields).

    The evidence id hashes `data_type`, the time, host, process, pid and message, plus `id_parts`
    (a file path and line) so the same record always gets the same id; a source with its own
    stable record id (a journald cursor) passes `evidence_id` instead.
    """
    if time is not None:
        if time.tzinfo is None:
            raise ValueError("event times must carry a zone")
        if time.tzinfo is not _UTC:
            time = time.astimezone(_UTC)
    if message and len(message) > 8192:
        message = clip(message) or ""
    values = _EVENT_DEFAULTS.copy()
    values["extra"] = {}
    for key in fields:
        if key not in _FIELDS:
            raise TypeError(f"Event has no field {key!r}")
    values.update(fields)
    values["data_type"] = data_type
    values["source"] = source
    values["time"] = time
    values["message"] = message
    values["evidence_id"] = evidence_id or make_evidence_id(
        data_type, time, values["host"], values["process"], values["pid"], message, *id_parts
    )
    return build_event(values)


def scalar(value: object) -> ExtraValue:
    """Coerce a parsed JSON value into what `Event.extra` holds (scalars or lists of scalars)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value  # type: ignore[return-value]
    if isinstance(value, list):
        return [v if v is None or isinstance(v, (str, int, float, bool)) else str(v) for v in value]
    return str(value)


_BYTE_ARRAY = re.compile(rb'":\s*\[\s*\d')

#: Largest single JSON object the splitter keeps; bigger ones are skipped with a warning.
MAX_OBJECT_BYTES = 16 << 20
_JSON_TOKENS = re.compile(rb'[{}"\\\[\]]')


def iter_json_objects(
    stream: IO[bytes],
    warnings: list[ParseWarning],
    source: str,
    path: Optional[str] = None,
    chunk_size: int = 1 << 16,
) -> Iterator[bytes]:
    """Yield the bytes of each top-level JSON object in a stream: one JSON array of objects,
    pretty-printed objects one after another, or a mix, in bounded memory.

    Text between objects (commas, brackets, whitespace, a `log show` preamble) is skipped. An
    object larger than `MAX_OBJECT_BYTES` is dropped with a warning; an unterminated object at the
    end of the stream (a truncated file) is reported as a warning.
    """
    depth = 0
    in_string = False
    escape = False
    parts: list[bytes] = []
    size = 0
    oversized = False
    objects = 0
    while True:
        try:
            chunk = stream.read(chunk_size)
        except READ_ERRORS as exc:
            warnings.append(ParseWarning(source=source, path=path, message=f"stopped reading: truncated or corrupt ({exc})"))
            break
        if not chunk:
            break
        start = 0 if depth else -1
        pos = 0
        n = len(chunk)
        while pos < n:
            if in_string:
                if escape:
                    escape = False
                    pos += 1
                    continue
                m = _STRING_END.search(chunk, pos)
                if m is None:
                    pos = n
                    break
                if m.group() == b"\\":
                    escape = True
                    pos = m.end()
                    continue
                in_string = False
                pos = m.end()
                continue
            m = _JSON_TOKENS.search(chunk, pos)
            if m is None:
                pos = n
                break
            tok = m.group()
            pos = m.end()
            if depth == 0:
                if tok == b"{":
                    depth = 1
                    start = m.start()
                    parts = []
                    size = 0
                    oversized = False
                continue
            if tok == b'"':
                in_string = True
            elif tok == b"\\":
                pos += 1
            elif tok == b"{":
                depth += 1
            elif tok == b"}":
                depth -= 1
                if depth == 0:
                    piece = chunk[start:pos]
                    if not oversized and size + len(piece) <= MAX_OBJECT_BYTES:
                        parts.append(piece)
                        objects += 1
                        yield b"".join(parts)
                    else:
                        warnings.append(
                            ParseWarning(
                                source=source,
                                path=path,
                                message=f"skipped a JSON object larger than {MAX_OBJECT_BYTES >> 20} MB",
                            )
                        )
                    parts = []
                    size = 0
                    start = -1
        if depth > 0:
            piece = chunk[start if start >= 0 else 0 :]
            start = -1
            if not oversized:
                if size + len(piece) > MAX_OBJECT_BYTES:
                    oversized = True
                    parts = []
                else:
                    parts.append(piece)
                    size += len(piece)
    if depth > 0:
        warnings.append(
            ParseWarning(
                source=source,
                path=path,
                message="the file ends inside a JSON object (truncated); that last record was dropped",
            )
        )


_STRING_END = re.compile(rb'["\\]')


#: Severity names of every log format mapped to syslog priorities (0 emerg … 7 debug).
LEVEL_RANK = {
    "emerg": 0, "emergency": 0, "panic": 0,
    "alert": 1,
    "crit": 2, "critical": 2, "fault": 2, "fatal": 2,
    "err": 3, "error": 3,
    "warning": 4, "warn": 4,
    "notice": 5, "default": 5,
    "info": 6, "information": 6,
    "debug": 7, "trace": 7,
}


def level_rank(level: Optional[str]) -> Optional[int]:
    if not level:
        return None
    return LEVEL_RANK.get(level.lower())


@dataclass
class LogFilter:
    """The structured filters of `log_show`, applied to events read from any source.

    Live sources also push them down (a journalctl match, a `log` predicate); applying them again
    here is cheap and makes every source answer the same question the same way.
    """

    start: Optional[datetime] = None
    end: Optional[datetime] = None
    processes: tuple[str, ...] = ()
    contains: Optional[str] = None
    subsystem: Optional[str] = None
    category: Optional[str] = None
    units: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    priority: Optional[int] = None
    kernel_only: bool = False
    keep_untimed: bool = True
    #: events left out because they have no wall-clock time (counted when keep_untimed is False)
    untimed_dropped: int = field(default=0, init=False)
    _procs: frozenset = field(default=frozenset(), init=False, repr=False)
    _needle: Optional[str] = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._procs = frozenset(p.lower() for p in self.processes)
        self._needle = self.contains.lower() if self.contains else None

    def byte_needles(self) -> tuple[bytes, ...]:
        """Lower-case byte strings that the raw JSON line of any accepted event must contain.

        Only plain ASCII needles (no quote, backslash or non-ASCII: JSON escaping could hide
        them); the decoded event is checked again by `accepts`, so they only ever skip work.
        """
        needles: list[bytes] = []
        if self._needle and self._needle.isascii() and not any(c in self._needle for c in '"\\/') and self._needle.isprintable():
            needles.append(self._needle.encode())
        if len(self._procs) == 1:
            (p,) = tuple(self._procs)
            if p.isascii() and p.isprintable() and not any(c in p for c in '"\\/'):
                needles.append(p[:15].encode())
        return tuple(needles)

    def byte_prefilter(self, byte_arrays: bool = False):  # noqa: ANN201 - a callable or None
        """A cheap test on one raw JSON line that may reject it before it is decoded, or None
        (see `byte_needles`). With `byte_arrays`, a line holding a JSON array of numbers always
        passes (see `grep_lines`)."""
        needles = self.byte_needles()
        if not needles:
            return None

        def check(line: bytes) -> bool:
            low = line.lower()
            return all(n in low for n in needles) or (byte_arrays and _BYTE_ARRAY.search(line) is not None)

        return check

    def in_window(self, t: Optional[datetime]) -> bool:
        if t is None:
            if not self.keep_untimed:
                self.untimed_dropped += 1
            return self.keep_untimed
        if self.start is not None and t < self.start:
            return False
        if self.end is not None and t > self.end:
            return False
        return True

    def process_matches(self, process: Optional[str], identifier: Optional[str], pid: Optional[int]) -> bool:
        """The process filter: a wanted name equals the process or syslog identifier (any case;
        a 15-character name also matches a longer wanted name, as Linux cuts `comm` at 15), or a
        wanted number equals the pid."""
        names = {(process or "").lower()}
        if identifier is not None:
            names.add(identifier.lower())
        return bool(
            names & self._procs
            or (pid is not None and str(pid) in self._procs)
            or any(n and p.startswith(n) and len(n) == 15 for n in names for p in self._procs)
        )

    def accepts(self, ev: Event) -> bool:
        if not self.in_window(ev.time):
            return False
        if self._procs:
            ident = ev.extra.get("SYSLOG_IDENTIFIER") if ev.extra else None
            if not self.process_matches(ev.process, ident if isinstance(ident, str) else None, ev.pid):
                return False
        if self._needle and self._needle not in ev.message.lower():
            return False
        if self.subsystem and (ev.subsystem or "").lower() != self.subsystem.lower():
            return False
        if self.category and (ev.category or "").lower() != self.category.lower():
            return False
        if self.units:
            unit = ev.extra.get("_SYSTEMD_UNIT") or ev.extra.get("_SYSTEMD_USER_UNIT") or ev.subsystem
            if not isinstance(unit, str) or not any(unit == u or unit == u + ".service" for u in self.units):
                return False
        if self.identifiers:
            ident = ev.extra.get("SYSLOG_IDENTIFIER") or ev.process
            if ident not in self.identifiers:
                return False
        if self.priority is not None:
            rank = level_rank(ev.level)
            if rank is not None and rank > self.priority:
                return False
        if self.kernel_only and not is_kernel(ev):
            return False
        return True


def is_kernel(ev: Event) -> bool:
    """True for kernel messages in any source (journald kernel transport, macOS sender kernel, dmesg)."""
    if ev.category == "kernel" or ev.extra.get("_TRANSPORT") == "kernel":
        return True
    proc = (ev.process or "").lower()
    return proc == "kernel" or ev.source == "dmesg"


#: Longest JSON line kept (a journald entry with a core dump's maps can be megabytes long).
MAX_JSON_LINE = 16 << 20


#: Bytes read per call by `raw_lines` (a line never needs to fit in one block).
LINE_BLOCK = 1 << 20

try:  # SIMD substring search and counting (a declared dependency); CPython's own is the fallback
    from stringzilla import Str as _SzStr
except ImportError:  # pragma: no cover - the fallback is tested by monkeypatching _SzStr
    _SzStr = None


def _simd(buf: bytes) -> Any:
    """A zero-copy view of `buf` whose `find`, `rfind` and `count` behave as `bytes`' own but run
    at memory speed (StringZilla), else `buf` itself. The view keeps a reference to `buf`, and
    bytes cannot change under it."""
    return _SzStr(buf) if _SzStr is not None else buf


def _line_blocks(
    stream: IO[bytes], warnings: list[ParseWarning], source: str, path: Optional[str], limit: int
) -> Iterator[tuple[int, bytes, int, int]]:
    """Whole lines of a stream in big blocks: `(lines before, block, start, end)`, where
    `block[start:end]` is one or more whole lines joined by b"\\n" (their `\\r` kept), without a
    final newline. No bytes are copied to make a block: the region is given by offsets.

    Reads 1 MB at a time (`read1`), so splitting and searching happen in C rather than one
    `readline` per line, which costs more than decoding a short JSON line. A line that spans
    blocks is collected in pieces and comes as a block of its own; once it passes `limit` its
    bytes are dropped as they arrive (memory stays bounded), a warning names it, and an empty
    line stands in for it so line numbers stay right. Lines inside a read block are shorter than
    `LINE_BLOCK`, so with `limit >= LINE_BLOCK` no line of a block is over the limit.
    """
    read = getattr(stream, "read1", None) or stream.read
    number = 0  # lines before the next block
    parts: list[bytes] = []  # the unfinished line, when it spans blocks
    held = 0  # bytes in parts
    skipping = 0  # > 0: bytes of an over-long line being dropped

    def too_long(nbytes: int) -> ParseWarning:
        line = number + 1
        return ParseWarning(source=source, path=path, line=line, message=f"line {line} is {nbytes} bytes long; skipped")

    while True:
        try:
            block = read(LINE_BLOCK)
        except READ_ERRORS as exc:
            warnings.append(ParseWarning(source=source, path=path, line=number or None, message=f"stopped reading: truncated or corrupt ({exc})"))
            return
        if not block:
            break
        nl = block.find(b"\n")
        if nl < 0:
            if skipping:
                skipping += len(block)
            else:
                parts.append(block)
                held += len(block)
                if held >= limit:
                    skipping, parts, held = held, [], 0
            continue
        start = 0
        if skipping or parts:
            if skipping:
                warnings.append(too_long(skipping + nl))
                skipping = 0
                line = b""
            else:
                parts.append(block[:nl])
                line = b"".join(parts)
                parts, held = [], 0
                if len(line) >= limit:
                    warnings.append(too_long(len(line)))
                    line = b""
            yield number, line, 0, len(line)
            number += 1
            start = nl + 1
        last = block.rfind(b"\n")
        if last >= start:  # whole lines between start and the last newline
            yield number, block, start, last
            number += _simd(block).count(b"\n", start, last) + 1
        if last + 1 < len(block):
            parts.append(block[last + 1 :])
            held = len(block) - last - 1
    if skipping:
        warnings.append(too_long(skipping))
        yield number, b"", 0, 0
    elif parts:
        line = b"".join(parts)
        if len(line) >= limit:
            warnings.append(too_long(len(line)))
            line = b""
        yield number, line, 0, len(line)


def line_batches(
    stream: IO[bytes], warnings: list[ParseWarning], source: str, path: Optional[str], limit: int = MAX_JSON_LINE
) -> Iterator[tuple[int, list[bytes]]]:
    """`(number of the first line, lines)` for the byte lines of a stream, a block's worth at a
    time, without their line endings; a line over `limit` is skipped with a warning and an empty
    line stands in for it (see `_line_blocks`). A reader loops over each list itself, which
    costs less per line than pulling lines one by one through generators."""
    for before, block, start, end in _line_blocks(stream, warnings, source, path, limit):
        lines = block.split(b"\n")
        if end < len(block):
            lines.pop()  # the piece after the region's last newline
        if start:
            del lines[0]  # the piece before the region (it ended a line joined from pieces)
        if limit >= LINE_BLOCK:  # every line of a block is shorter than the limit
            if b"\r" in block:
                lines = [line.rstrip(b"\r") for line in lines]
            yield before + 1, lines
            continue
        kept: list[bytes] = []
        for number, line in enumerate(lines, before + 1):
            if len(line) >= limit:
                warnings.append(ParseWarning(source=source, path=path, line=number, message=f"line {number} is {len(line)} bytes long; skipped"))
                kept.append(b"")
            else:
                kept.append(line.rstrip(b"\r"))
        yield before + 1, kept


def raw_lines(
    stream: IO[bytes], warnings: list[ParseWarning], source: str, path: Optional[str], limit: int = MAX_JSON_LINE
) -> Iterator[bytes]:
    """Byte lines of a stream without their line ending; a line over `limit` is skipped with a
    warning and an empty line stands in for it (see `_line_blocks`)."""
    for _, lines in line_batches(stream, warnings, source, path, limit):
        yield from lines


def grep_lines(
    stream: IO[bytes],
    warnings: list[ParseWarning],
    source: str,
    path: Optional[str],
    needles: tuple[bytes, ...],
    byte_arrays: bool = False,
) -> Iterator[tuple[int, bytes]]:
    """`(line number, line)` for the lines whose lower-cased bytes contain every needle (given
    lower-case), found by searching whole lower-cased blocks, so a line without the first needle
    costs no Python work at all. With `byte_arrays`, lines holding a JSON array of numbers are
    kept too (journalctl prints a value that is not clean UTF-8 as one, which hides its text from
    a byte search). Over-long lines are skipped with a warning, as by `raw_lines`."""
    first_needle, rest = needles[0], needles[1:]
    for before, block, region_start, region_end in _line_blocks(stream, warnings, source, path, MAX_JSON_LINE):
        low = block.lower()
        fast_low, fast_block = _simd(low), _simd(block)
        spans: dict[int, int] = {}  # line start -> line end, for the lines to yield
        pos = fast_low.find(first_needle, region_start, region_end)
        while pos >= 0:
            start = max(region_start, fast_low.rfind(b"\n", 0, pos) + 1)
            end = fast_low.find(b"\n", pos, region_end)
            if end < 0:
                end = region_end
            if not rest or all(n in low[start:end] for n in rest):
                spans[start] = end
            pos = fast_low.find(first_needle, end, region_end)
        if byte_arrays:
            pos = fast_block.find(b'":[', region_start, region_end)
            while pos >= 0:
                end = fast_block.find(b"\n", pos, region_end)
                if end < 0:
                    end = region_end
                if block[pos + 3 : pos + 4].isdigit():
                    spans[max(region_start, fast_block.rfind(b"\n", 0, pos) + 1)] = end
                    pos = fast_block.find(b'":[', end, region_end)
                else:
                    pos = fast_block.find(b'":[', pos + 3, region_end)
        counted = region_start  # block offset up to which newlines are counted
        number = before + 1  # number of the line starting at `counted`
        for start in sorted(spans) if byte_arrays else spans:
            number += fast_block.count(b"\n", counted, start)
            counted = start
            yield number, block[start : spans[start]].rstrip(b"\r")


def single_line_batches(lines: Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, tuple[bytes]]]:
    """Numbered lines as one-line batches, for a batch reader fed line by line (a live command's
    output, lines a byte search picked out)."""
    return ((number, (line,)) for number, line in lines)


def numbered_batches(
    stream: IO[bytes],
    warnings: list[ParseWarning],
    source: str,
    path: Optional[str],
    flt: Optional[LogFilter],
    byte_arrays: bool = False,
) -> tuple[Iterator[tuple[int, Sequence[bytes]]], bool]:
    """The lines of a JSON-lines stream as `(number of the first line, consecutive lines)`
    batches, and whether they were already narrowed to the lines that can hold an event `flt`
    accepts: whole blocks when every line is read (`line_batches`), one line per batch when the
    filter's byte needles narrowed them (`grep_lines`, whose lines are seldom consecutive).
    `byte_arrays`: see `grep_lines`."""
    needles = flt.byte_needles() if flt is not None else ()
    if needles:
        return single_line_batches(grep_lines(stream, warnings, source, path, needles, byte_arrays)), True
    return line_batches(stream, warnings, source, path), False
