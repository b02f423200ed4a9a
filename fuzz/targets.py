"""Fuzz targets: one per parser, each taking raw bytes and driving the parser to the end.

A target fails (a crash, in libFuzzer's terms) only when an exception escapes the parser: every
bad record must come back as a warning. Each target names the real samples that seed it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
_TMP = Path(tempfile.mkdtemp(prefix="rca-fuzz-"))


def as_file(data: bytes, name: str = "input") -> str:
    """Write the input where file parsers can read it (one file per target and process)."""
    p = _TMP / f"{name}-{os.getpid()}"
    p.write_bytes(data)
    return str(p)


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    seeds: tuple[str, ...]  # globs under ../shared/samples
    max_len: int = 64 * 1024


def _line_reader(data: bytes) -> None:
    from mcp_server.sources._io import LineReader

    r = LineReader(as_file(data, "lines"), source="fuzz", max_line_bytes=4096)
    for _ in r:
        pass


def _time(data: bytes) -> None:
    from mcp_server.errors import InputError
    from mcp_server.timeutil import parse_time

    try:
        parse_time(data.decode("utf-8", "replace")[:200], zone="UTC")
    except InputError:
        pass


def _redact(data: bytes) -> None:
    from mcp_server.redact import redact

    text = data.decode("utf-8", "replace")
    once = redact(text)
    assert redact(once) == once, "redaction is not idempotent"


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("line_reader", _line_reader, ("linux_logs/plaso_syslog*", "macos_log/*.log")),
        Target("time", _time, ()),
        Target("redact", _redact, ("claude_hooks/*.txt",), max_len=8192),
    )
}


def seed_files(target: Target) -> list[Path]:
    out: list[Path] = []
    for pattern in target.seeds:
        out += [p for p in sorted(SAMPLES.glob(pattern)) if p.is_file()]
    return out
