"""Streaming, bounded, never-crashing file reading shared by every file-based source.

Evidence files are written by dying programs: truncated, corrupt, binary, not UTF-8, with
megabyte lines. Everything here reads in bounded pieces (memory never grows with the file), and
turns each problem into a `ParseWarning` instead of an exception. Compressed rotations (`.gz`,
`.bz2`, `.xz`) are recognised by their magic bytes, not their names.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, Optional

from ..errors import SourceUnavailable
from ..models import ParseWarning

#: Longest line kept whole; the rest of a longer line is skipped (read, not stored) with a warning.
MAX_LINE_BYTES = 1 << 20
#: How much of a file's start the format detectors look at.
HEAD_BYTES = 64 * 1024

_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"))


def compression_of(head: bytes) -> Optional[str]:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def open_binary(path: os.PathLike[str] | str) -> IO[bytes]:
    """Open a file for binary reading, transparently decompressing it.

    Raises `SourceUnavailable` with a human reason for a missing file, a folder, or no permission.
    """
    p = Path(path)
    try:
        raw = open(p, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except FileNotFoundError as exc:
        raise SourceUnavailable(f"{p}: no such file") from exc
    except IsADirectoryError as exc:
        raise SourceUnavailable(f"{p}: is a folder, not a file") from exc
    except PermissionError as exc:
        raise SourceUnavailable(f"{p}: permission denied (run as a user who can read it, or copy it)") from exc
    except OSError as exc:
        raise SourceUnavailable(f"{p}: cannot open ({exc.strerror or exc})") from exc
    try:
        head = raw.read(6)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise SourceUnavailable(f"{p}: cannot read ({exc.strerror or exc})") from exc
    kind = compression_of(head)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(raw, mode="rb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(raw, mode="rb")  # type: ignore[return-value]
    return raw


def read_head(path: os.PathLike[str] | str, size: int = HEAD_BYTES) -> bytes:
    """The first `size` bytes of a file (decompressed); b"" when the file cannot be read."""
    try:
        with open_binary(path) as f:
            return f.read(size)
    except (SourceUnavailable, OSError, EOFError, lzma.LZMAError):
        return b""


def looks_binary(head: bytes) -> bool:
    """True for data that is not text: NUL bytes or mostly control bytes in the first block."""
    if not head:
        return False
    if b"\x00" in head[:8192]:
        return True
    sample = head[:4096]
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return ctrl > len(sample) // 10


@dataclass
class Line:
    """One line of a file: 1-based number, decoded text without the line ending."""

    number: int
    text: str
    cut: bool = False  # the line was longer than the limit and its end was dropped
    offset: int = 0  # byte offset of the line's start in the (decompressed) stream


@dataclass
class LineReader:
    """Iterate the lines of a file with bounded memory, collecting warnings instead of raising.

    >>> reader = LineReader("/var/log/syslog", source="syslog")
    >>> for line in reader: ...
    >>> reader.warnings  # problems met on the way (cut lines, bad bytes, truncation)
    """

    path: os.PathLike[str] | str
    source: str
    max_line_bytes: int = MAX_LINE_BYTES
    warnings: list[ParseWarning] = field(default_factory=list)
    bytes_read: int = 0
    lines_read: int = 0

    def _warn(self, message: str, line: Optional[int] = None, sample: Optional[str] = None) -> None:
        self.warnings.append(
            ParseWarning(source=self.source, message=message, path=str(self.path), line=line, sample=sample)
        )

    def __iter__(self) -> Iterator[Line]:
        try:
            stream = open_binary(self.path)
        except SourceUnavailable as exc:
            self._warn(str(exc))
            return
        with stream:
            yield from self._lines(stream)

    def _lines(self, stream: IO[bytes]) -> Iterator[Line]:
        number = 0
        bad_utf8 = 0
        first_bad: Optional[int] = None
        limit = self.max_line_bytes
        while True:
            start = self.bytes_read
            try:
                chunk = stream.readline(limit)
            except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
                self._warn(f"stopped reading: the file is truncated or corrupt after line {number} ({exc})", number or None)
                break
            if not chunk:
                break
            self.bytes_read += len(chunk)
            number += 1
            cut = False
            if len(chunk) >= limit and not chunk.endswith(b"\n"):
                cut = True
                skipped = 0
                try:
                    while True:
                        rest = stream.readline(limit)
                        self.bytes_read += len(rest)
                        skipped += len(rest)
                        if not rest or rest.endswith(b"\n"):
                            break
                except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
                    self._warn(f"stopped reading inside a huge line {number} ({exc})", number)
                    chunk = chunk[:limit]
                    text = chunk.decode("utf-8", "replace")
                    yield Line(number, text, True, start)
                    break
                self._warn(
                    f"line {number} is {len(chunk) + skipped} bytes long; kept its first {limit} bytes", number
                )
            body = chunk.rstrip(b"\r\n") if not cut else chunk
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = body.decode("utf-8", "replace")
                bad_utf8 += 1
                if first_bad is None:
                    first_bad = number
            self.lines_read = number
            yield Line(number, text, cut, start)
        if bad_utf8:
            self._warn(
                f"{bad_utf8} line(s) were not valid UTF-8 (first at line {first_bad}); bad bytes shown as U+FFFD",
                first_bad,
            )


def iter_files(paths: list[str], *, pattern_names: Optional[tuple[str, ...]] = None) -> Iterator[Path]:
    """Expand files and folders (one level of folders is walked recursively, links not followed)."""
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and not child.is_symlink():
                    if pattern_names is None or any(child.name.endswith(s) for s in pattern_names):
                        yield child
        else:
            yield p
