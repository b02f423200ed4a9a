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


def _text_format(name: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        from mcp_server.models import Event
        from mcp_server.sources import formats

        warnings: list = []
        for ev in formats()[name]().parse(as_file(data, name), warnings):
            assert isinstance(ev, Event)

    return run


def _crash_reports(data: bytes) -> None:
    from mcp_server.sources import crash_reports

    warnings: list = []
    reports = crash_reports.parse_path(as_file(data, "crash"), warnings)
    assert reports or warnings or not data.strip(), "a non-empty file gave neither reports nor a warning"
    for r in reports:
        r.to_event()


def _transcript(data: bytes) -> None:
    from mcp_server.sources import claude_transcripts

    folder = _TMP / f"projects-{os.getpid()}" / "-home-dev-app"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "5b1f0c2e-0000-4000-8000-000000000001.jsonl").write_bytes(data)
    res = claude_transcripts.extract_session_commands(paths=[str(folder.parent)], start="1980-01-02T00:00:00Z",
                                                       end="2100-01-01T00:00:00Z", tools="all", limit=1000)
    for c in res.commands:
        c.to_event()


def _shell_history(shell: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        from pathlib import Path as _P

        from mcp_server.sources import shell_history

        warnings: list = []
        shell_history.read_history_file(_P(as_file(data, f"hist-{shell}")), warnings, shell)  # type: ignore[arg-type]

    return run


def preload() -> None:
    """Import every module the targets drive (atheris instruments what is imported inside its block)."""
    import importlib

    for mod in ("mcp_server.sources._io", "mcp_server.timeutil", "mcp_server.redact", "mcp_server.analysis.evidence",
                "mcp_server.sources.crash_reports", "mcp_server.sources.claude_transcripts",
                "mcp_server.sources.shell_history", "mcp_server.analysis.danger"):
        try:
            importlib.import_module(mod)
        except ImportError:
            pass


def _log_format_targets() -> list[Target]:
    from mcp_server.analysis import evidence  # noqa: F401 - imports and registers every log format
    from mcp_server.sources import formats

    seeds = ("linux_logs/*", "linux_logs/derived_journalctl_renderings/*", "linux_logs/hotsos_scenarios/*",
             "macos_log/*", "macos_log/snippets/*")
    return [Target(f"log_{name}", _text_format(name), seeds) for name in sorted(formats())]


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("line_reader", _line_reader, ("linux_logs/plaso_syslog*", "macos_log/*.log")),
        Target("time", _time, ()),
        Target("redact", _redact, ("claude_hooks/*.txt",), max_len=8192),
        Target("crash_reports", _crash_reports, ("macos_crash/*", "linux_logs/apport*", "linux_logs/beats*",
                                                  "linux_logs/derived_journalctl_renderings/coredumpctl*")),
        Target("claude_transcript", _transcript, ("claude_sessions/*/*.jsonl", "claude_sessions/*/*/subagents/*.jsonl")),
        *(Target(f"history_{sh}", _shell_history(sh), (f"shell_history/*{sh}*",)) for sh in ("zsh", "bash", "fish")),
        *_log_format_targets(),
    )
}


def seed_files(target: Target) -> list[Path]:
    out: list[Path] = []
    for pattern in target.seeds:
        out += [p for p in sorted(SAMPLES.glob(pattern)) if p.is_file()]
    return out
