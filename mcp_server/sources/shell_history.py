"""Shell histories: the commands a person typed, with their times when the shell kept them.

Formats (all read streaming, bounded, bad records turned into warnings):

- zsh extended history (`setopt EXTENDED_HISTORY`): `: <start epoch>:<elapsed seconds>;<command>`.
  A command with embedded newlines is written with a backslash before each newline. zsh "metafies"
  bytes: byte 0x83 (Meta) means "the next byte XOR 0x20" (zsh's `unmetafy()`), so non-ASCII text
  must be unmetafied before it is decoded. Plain zsh history (no `: …;` prefix) has no times.
- bash: one command per line; with `HISTTIMEFORMAT` set, bash writes `#<epoch>` before each entry
  (only `#` followed by digits is a timestamp). Without those lines the file gives order only: that
  is said in the result, and the file's modification time bounds the last command.
- fish (`~/.local/share/fish/fish_history`): YAML-like `- cmd: <command>` then `  when: <epoch>`
  (and `  paths:` lists); fish escapes backslash as `\\` and newline as `\n`.

See plaso's `bash_history`, `zsh_extended_history` and `fish_history` parsers, and atuin's
importers, whose test cases are among the samples these parsers are tested on.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Literal, Optional, Sequence, Union

from pydantic import BaseModel, Field

from .. import paths as rca_paths
from ..models import Event, ParseWarning, SourceRun, clip, make_evidence_id
from ..paging import next_page_hint, page
from ..timeutil import parse_time, to_utc_iso
from ..errors import InputError, SourceUnavailable
from ._io import MAX_LINE_BYTES, open_binary, read_head

SOURCE = "shell_history"
Shell = Literal["zsh", "bash", "fish"]

#: Untimed entries kept per file (the newest), since they cannot be placed in a window.
UNTIMED_KEEP = 50
#: A command longer than this is cut (a runaway continuation, a pasted file).
MAX_COMMAND = 8192

_EARLIEST = datetime(1980, 1, 1, tzinfo=timezone.utc).timestamp()


class ShellCommand(BaseModel):
    evidence_id: str
    shell_type: Shell = Field(description="zsh, bash or fish.")
    command: str
    time: Optional[datetime] = Field(None, description="When the command started (UTC); None when the history keeps no times.")
    duration_s: Optional[int] = Field(None, description="zsh only: elapsed seconds.")
    order: int = Field(description="Position in its file (1 = oldest).")
    path: str
    line: int

    def to_event(self) -> Event:
        extra: dict[str, object] = {"shell": self.shell_type, "order": self.order}
        if self.duration_s is not None:
            extra["duration_s"] = self.duration_s
        return Event(
            evidence_id=self.evidence_id, data_type=f"{self.shell_type}:history:entry", source=SOURCE,
            time=self.time, time_text=str(int(self.time.timestamp())) if self.time else None,
            time_zone="UTC" if self.time else None, time_meaning="started", process=self.shell_type,
            message=self.command, extra=extra, origin=f"{self.path}:{self.line}",
        )


class HistoryFile(BaseModel):
    path: str
    shell: Optional[Shell] = None
    status: Literal["ok", "partial", "unavailable"] = "ok"
    reason: Optional[str] = None
    entries: int = 0
    timed: bool = Field(True, description="False: the file keeps no times (order only).")
    mtime: Optional[datetime] = Field(None, description="File modification time: an upper bound for its newest command.")
    note: Optional[str] = None


class ShellHistory(BaseModel):
    commands: list[ShellCommand]
    total: int
    next_cursor: Optional[str] = None
    hint: Optional[str] = None
    window: list[Optional[str]]
    files: list[HistoryFile]
    warnings: list[ParseWarning] = Field(default_factory=list)
    sources: list[SourceRun] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------
# zsh


def unmetafy(raw: bytes) -> bytes:
    """Undo zsh's metafication: 0x83 followed by b means b ^ 0x20."""
    if b"\x83" not in raw:
        return raw
    out = bytearray()
    it = iter(raw)
    for b in it:
        if b == 0x83:
            nxt = next(it, None)
            if nxt is None:
                break
            out.append(nxt ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


_ZSH = re.compile(rb"^: *(-?\d+):(-?\d+);(.*)\Z", re.S)


def _epoch(value: int) -> Optional[datetime]:
    if value < _EARLIEST or value > datetime.now(timezone.utc).timestamp() + 366 * 86400:
        return None
    return datetime.fromtimestamp(value, timezone.utc)


def _raw_lines(path: Path, warnings: list[ParseWarning]) -> Iterator[tuple[int, bytes]]:
    """(line number, raw bytes) of a file, bounded; problems become warnings."""
    # LineReader decodes, but zsh needs the raw bytes (unmetafy before decoding): same bounds here.
    try:
        stream = open_binary(path)
    except SourceUnavailable as exc:
        warnings.append(ParseWarning(source=SOURCE, message=str(exc), path=str(path)))
        return
    limit = MAX_LINE_BYTES
    number = 0
    with stream:
        while True:
            try:
                chunk = stream.readline(limit)
            except (OSError, EOFError, ValueError) as exc:
                warnings.append(ParseWarning(source=SOURCE, message=f"stopped reading after line {number}: {exc}", path=str(path)))
                return
            if not chunk:
                return
            number += 1
            if len(chunk) >= limit and not chunk.endswith(b"\n"):
                skipped = 0
                while True:
                    rest = stream.readline(limit)
                    skipped += len(rest)
                    if not rest or rest.endswith(b"\n"):
                        break
                warnings.append(ParseWarning(source=SOURCE, path=str(path), line=number,
                                             message=f"line {number} is {len(chunk) + skipped} bytes long; kept its first {limit} bytes"))
            yield number, chunk.rstrip(b"\r\n") if chunk.endswith(b"\n") else chunk


def _decode(raw: bytes, path: Path, line: int, warnings: list[ParseWarning]) -> str:
    raw = raw.replace(b"\x00", b"")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        warnings.append(ParseWarning(source=SOURCE, path=str(path), line=line,
                                     message="not valid UTF-8; bad bytes shown as U+FFFD"))
        return raw.decode("utf-8", "replace")


def parse_zsh(path: Path, warnings: list[ParseWarning]) -> Iterator[tuple[int, Optional[datetime], Optional[int], str]]:
    """(line, time, duration, command) for each zsh history entry."""
    pending: Optional[list] = None  # [line, time, duration, bytes]
    for number, raw in _raw_lines(path, warnings):
        raw = unmetafy(raw)
        if pending is not None and pending[3].endswith(b"\\"):
            # continuation: the backslash stood before a newline inside the command
            pending[3] = pending[3][:-1] + b"\n" + raw
            if len(pending[3]) > MAX_COMMAND:
                pending[3] = pending[3][:MAX_COMMAND]
            continue
        if pending is not None:
            yield pending[0], pending[1], pending[2], _decode(pending[3], path, pending[0], warnings)
            pending = None
        if raw.startswith(b":"):
            m = _ZSH.match(raw)
            if m:
                when = _epoch(int(m.group(1)))
                if when is None:
                    warnings.append(ParseWarning(source=SOURCE, path=str(path), line=number,
                                                 message=f"implausible zsh timestamp {m.group(1).decode()}; command kept without a time",
                                                 sample=raw[:120].decode("utf-8", "replace")))
                duration = int(m.group(2))
                pending = [number, when, duration if 0 <= duration < 10**9 else None, m.group(3)]
                continue
            if re.match(rb"^: *-?\d+:-?\d+$", raw) or raw.startswith(b": ") and re.match(rb"^: *\d", raw):
                warnings.append(ParseWarning(source=SOURCE, path=str(path), line=number,
                                             message="malformed zsh extended-history line (no ';' before the command); skipped",
                                             sample=raw[:120].decode("utf-8", "replace")))
                continue
        if not raw.strip():
            continue
        pending = [number, None, None, raw]
    if pending is not None:
        yield pending[0], pending[1], pending[2], _decode(pending[3], path, pending[0], warnings)


# --------------------------------------------------------------------------------------------
# bash

_BASH_TS = re.compile(rb"^#(-?\d+)\s*$")


def _open_quote(text: bytes) -> bool:
    """True when the text leaves a quote open or ends with a backslash (a multi-line command)."""
    if text.endswith(b"\\"):
        return True
    single = double = False
    escaped = False
    for b in text:
        if escaped:
            escaped = False
            continue
        if b == 0x5C and not single:
            escaped = True
        elif b == 0x27 and not double:
            single = not single
        elif b == 0x22 and not single:
            double = not double
    return single or double


def parse_bash(path: Path, warnings: list[ParseWarning]) -> tuple[list[tuple[int, Optional[datetime], Optional[int], str]], bool]:
    """(entries, timed). With `#<epoch>` lines, the lines after one belong to its entry when they
    continue an open quote or a trailing backslash, and are separate commands (time unknown,
    after that time) otherwise."""
    entries: list[tuple[int, Optional[datetime], Optional[int], str]] = []
    timed = False
    current_time: Optional[datetime] = None
    fresh = False  # the next command is the one the timestamp belongs to
    acc: Optional[list] = None  # [line, time, bytes]

    def flush() -> None:
        nonlocal acc
        if acc is not None:
            entries.append((acc[0], acc[1], None, _decode(acc[2][:MAX_COMMAND], path, acc[0], warnings)))
            acc = None

    for number, raw in _raw_lines(path, warnings):
        m = _BASH_TS.match(raw)
        if m:
            flush()
            timed = True
            current_time = _epoch(int(m.group(1)))
            if current_time is None:
                warnings.append(ParseWarning(source=SOURCE, path=str(path), line=number,
                                             message=f"implausible bash timestamp {m.group(1).decode()}; the next command is kept without a time"))
            fresh = True
            continue
        if acc is not None and _open_quote(acc[2]):
            acc[2] = acc[2] + b"\n" + raw
            continue
        flush()
        if not raw.strip():
            continue
        acc = [number, current_time if fresh else None, raw]
        fresh = False
    flush()
    return entries, timed


# --------------------------------------------------------------------------------------------
# fish


def _fish_unescape(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            out.append("\n" if n == "n" else n if n == "\\" else "\\" + n)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_fish(path: Path, warnings: list[ParseWarning]) -> Iterator[tuple[int, Optional[datetime], Optional[int], str]]:
    pending: Optional[list] = None  # [line, time, command]
    for number, raw in _raw_lines(path, warnings):
        text = _decode(raw, path, number, warnings)
        if text.startswith("- cmd:"):
            if pending is not None:
                yield pending[0], pending[1], None, pending[2]
            pending = [number, None, clip(_fish_unescape(text[6:].lstrip(" ")), MAX_COMMAND) or ""]
        elif text.startswith("  when:") and pending is not None:
            try:
                pending[1] = _epoch(int(text[7:].strip()))
                if pending[1] is None:
                    warnings.append(ParseWarning(source=SOURCE, path=str(path), line=number, message="implausible fish timestamp; command kept without a time"))
            except ValueError:
                warnings.append(ParseWarning(source=SOURCE, path=str(path), line=number, message="unreadable fish 'when:' value", sample=text[:120]))
        elif text.startswith("  ") or not text.strip():
            continue  # paths: lists and their items
        else:
            warnings.append(ParseWarning(source=SOURCE, path=str(path), line=number, message="unexpected line in fish history; skipped", sample=text[:120]))
    if pending is not None:
        yield pending[0], pending[1], None, pending[2]


# --------------------------------------------------------------------------------------------
# detection and the public function


def detect_shell(path: Path) -> Optional[Shell]:
    """zsh, bash or fish from the file's name and first lines; None for a binary file."""
    head = read_head(path, 16384)
    if b"\x00" in head[:4096] and not re.search(rb"^: \d+:\d+;", head, re.M):
        return None
    if re.search(rb"^- cmd: ", head, re.M):
        return "fish"
    if re.search(rb"^: *-?\d+:\d+;", head, re.M):
        return "zsh"
    name = path.name.lower()
    if "zsh" in name or name == ".zhistory":
        return "zsh"
    if "fish" in name:
        return "fish"
    return "bash"


def default_history_paths() -> list[Path]:
    home = rca_paths.home()
    xdg_data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    found = [home / ".bash_history", home / ".zsh_history", home / ".zhistory", home / ".histfile",
             xdg_data / "fish" / "fish_history"]
    histfile = os.environ.get("HISTFILE")
    if histfile:
        found.insert(0, Path(histfile).expanduser())
    seen: list[Path] = []
    for p in found:
        if p not in seen:
            seen.append(p)
    return seen


def read_history_file(path: Path, warnings: list[ParseWarning], shell: Optional[Shell] = None) -> tuple[HistoryFile, list[ShellCommand]]:
    """Every entry of one history file."""
    info = HistoryFile(path=str(path))
    if not path.exists():
        info.status, info.reason = "unavailable", "no such file"
        return info, []
    if not os.access(path, os.R_OK) or path.is_dir():
        info.status, info.reason = "unavailable", "is a folder" if path.is_dir() else "permission denied"
        return info, []
    try:
        info.mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError:
        pass
    shell = shell or detect_shell(path)
    if shell is None:
        info.status, info.reason = "unavailable", "binary data, not a shell history"
        return info, []
    info.shell = shell
    before = len(warnings)
    if shell == "zsh":
        rows = list(parse_zsh(path, warnings))
        timed = any(r[1] is not None for r in rows)
    elif shell == "fish":
        rows = list(parse_fish(path, warnings))
        timed = any(r[1] is not None for r in rows)
    else:
        rows, timed = parse_bash(path, warnings)
    info.timed = timed
    if not timed:
        info.note = ("this history keeps no times (bash without HISTTIMEFORMAT, or zsh without EXTENDED_HISTORY): "
                     "entries are in order only; the file's modification time bounds the newest")
    if len(warnings) > before:
        info.status = "partial"
    out = [
        ShellCommand(
            evidence_id=make_evidence_id(f"{shell}:history:entry", str(path), line, when, cmd),
            shell_type=shell, command=cmd, time=when, duration_s=dur, order=i + 1, path=str(path), line=line,
        )
        for i, (line, when, dur, cmd) in enumerate(rows)
    ]
    info.entries = len(out)
    return info, out


def shell_history(
    start: Union[str, datetime, None] = None,
    end: Union[str, datetime, None] = None,
    paths: Optional[Sequence[str]] = None,
    limit: int = 200,
    cursor: Optional[str] = None,
    include_defaults: Optional[bool] = None,
) -> ShellHistory:
    """Commands from shell histories in the window, oldest first.

    Reads the default locations ($HISTFILE, ~/.bash_history, ~/.zsh_history, ~/.zhistory,
    fish_history) plus any `paths` (files or folders; with `paths` given, defaults are read only
    when `include_defaults` is true). Entries without a time cannot be placed in a window: the
    newest `UNTIMED_KEEP` of each such file are listed with time None after the timed ones.
    """
    start_dt = parse_time(start)
    end_dt = parse_time(end)
    if start_dt and end_dt and start_dt > end_dt:
        raise InputError(f"the time window is reversed: start {to_utc_iso(start_dt)} is after end {to_utc_iso(end_dt)}")
    targets: list[Path] = []
    if paths:
        for raw in paths:
            p = Path(raw).expanduser()
            if p.is_dir():
                targets.extend(sorted(c for c in p.iterdir() if c.is_file()))
            else:
                targets.append(p)
    if not paths or include_defaults:
        targets.extend(p for p in default_history_paths() if p not in targets)
    warnings: list[ParseWarning] = []
    files: list[HistoryFile] = []
    runs: list[SourceRun] = []
    timed_cmds: list[ShellCommand] = []
    untimed: list[ShellCommand] = []
    explicit = {str(Path(p).expanduser()) for p in (paths or [])}
    for path in targets:
        info, cmds = read_history_file(path, warnings)
        if info.status == "unavailable" and info.reason == "no such file" and str(path) not in explicit:
            continue  # an absent default location is not news
        if info.status == "unavailable" and str(path) in explicit:
            warnings.append(ParseWarning(source=SOURCE, path=str(path), message=f"{path}: {info.reason}"))
        files.append(info)
        runs.append(SourceRun(source=SOURCE, path=str(path), status=info.status, events=info.entries, reason=info.reason or info.note))
        file_untimed = []
        for c in cmds:
            if c.time is None:
                file_untimed.append(c)
            elif (start_dt is None or c.time >= start_dt) and (end_dt is None or c.time <= end_dt):
                timed_cmds.append(c)
        if not info.timed or (start_dt is None and end_dt is None):
            untimed.extend(file_untimed[-UNTIMED_KEEP:])
        elif file_untimed:
            info.note = f"{len(file_untimed)} entries have no time and cannot be placed in the window; omitted"
    timed_cmds.sort(key=lambda c: (c.time, c.path, c.order))
    items = timed_cmds + untimed
    query = {"start": to_utc_iso(start_dt), "end": to_utc_iso(end_dt), "paths": list(paths or []), "defaults": include_defaults}
    chunk, next_cursor, total = page(items, limit, cursor, query)
    return ShellHistory(
        commands=chunk, total=total, next_cursor=next_cursor,
        hint=next_page_hint("shell_history", next_cursor, len(chunk), total),
        window=[to_utc_iso(start_dt), to_utc_iso(end_dt)], files=files, warnings=warnings[:500], sources=runs,
    )
