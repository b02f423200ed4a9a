"""Claude Code session transcripts: which sessions ran, and every tool call they made.

Format (JSON Lines, one object per line, written by the `claude` CLI; no published spec, so this
module follows what real 2.1.x transcripts contain and tolerates drift):

- Location: `<config>/projects/<slug>/<session-uuid>.jsonl`, `<config>` being `~/.claude` or
  `$CLAUDE_CONFIG_DIR`, the slug the working directory with every non-alphanumeric character
  replaced by `-`. Subagents: `<slug>/<session-uuid>/subagents/agent-<id>.jsonl` with an
  `agent-<id>.meta.json` naming the agent type (older versions: `<slug>/agent-<id>.jsonl`).
- Tool calls are `assistant` lines whose `message.content` holds `tool_use` blocks (each content
  block of one API message is its own line); results are `user` lines with `tool_result` blocks
  plus a top-level `toolUseResult` (a dict for Bash: stdout, stderr, interrupted,
  backgroundTaskId; a string "Error: …" for failures and denials). `message.content` may be a
  plain string. `Task` was renamed `Agent`. Older versions nest a subagent's messages inside
  `progress` lines. New line types appear in every release.

Speed: transcripts reach gigabytes, and most bytes are lines that cannot hold a tool call (tool
outputs, request blobs, attachments, snapshots). Files are read with `readinto` into one reused
buffer, 256 KB at a time; one search per block finds each of three structural markers (`"type":"tool_use"`,
`"subtype":"` of system lines, `"isApiErrorMessage":true` -- inside a JSON string every quote is
escaped, so these byte patterns only match real structure, at any nesting depth). The search is
StringZilla's SIMD `find` (memory speed); CPython's `bytearray.find` is the fallback, a two-way
search whose skip table keys on the byte under the needle's end (for two markers a quote, the
commonest byte of JSON), so it manages 3-4 GB/s and three passes cost ~0.9 s per GB. Only the
lines holding a marker are parsed, with orjson (the common line, a top-level assistant line, in
an inline loop). Tool results are never parsed during the scan: a `Collector` keeps only the
entries of the page asked for (time, file, byte offset, id), and that page is materialised by
re-reading its lines and searching forward for each call's `"tool_use_id":"<id>"`. So memory does
not grow with the number of calls, beyond one small int per call to drop duplicates. Sets over
PARALLEL_MIN_BYTES are read by two processes (this one and a forked copy, each about half the
bytes; the copy's findings are replayed here in file order, so the answer is a single pass's). A line
longer than `MAX_LINE_BYTES` is never held whole: its head and tail are kept, the fields are read
from them by pattern, and a warning says so.
"""

from __future__ import annotations

import heapq
import marshal
import os
import pickle
import re
import select
import signal
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Optional, Sequence, Union

import orjson
from pydantic import BaseModel, Field

from .. import paths as rca_paths
from ..errors import InputError
from ..models import Event, ParseWarning, SourceRun, clip, make_evidence_id
from ..paging import check_limit, next_page_hint, pack_token, page, query_fingerprint, unpack_token
from ..redact import redact
from ..timeutil import parse_time, to_utc_iso

SOURCE = "claude_transcripts"
DATA_TYPE = "claude:tool_call"

#: Bytes read per block while scanning. Small enough that a block and the buffer it is read into
#: stay in a core's L2 cache across the read and the marker searches (256 KB measured ~10% faster
#: than 2 MB on 1 GB of transcripts; 128 KB pays more per-block Python overhead).
BLOCK_BYTES = 256 << 10
#: Longest line parsed whole; longer lines are read by pattern from their head and tail.
MAX_LINE_BYTES = 8 << 20
#: How much of an oversized line's head and tail is kept.
HUGE_KEEP = 256 << 10
#: Output excerpt bound (characters): head and tail of the tool's output.
EXCERPT_HEAD = 700
EXCERPT_TAIL = 500
#: Notes (API errors, compactions, denials, interrupts) kept per query.
MAX_NOTES = 500
#: Warnings kept per query (the count of the rest is reported).
MAX_WARNINGS = 200

DEFAULT_TOOLS = ("Bash", "Agent")
#: Names a tool had in older versions: asking for one finds both.
TOOL_ALIASES = {"Agent": ("Agent", "Task"), "Task": ("Agent", "Task")}

#: Line types seen in real transcripts (2.0.x … 2.1.330); anything else is counted as unknown.
KNOWN_LINE_TYPES = frozenset(
    {
        "user", "assistant", "system", "attachment", "progress", "summary", "file-history-snapshot",
        "queue-operation", "last-prompt", "atis-latch", "api-request", "api-request-shape",
        "api-request-blob", "tools-used", "cost-state", "custom-title", "ai-title", "agent-name",
        "tag", "pr-link", "result",
    }
)

Outcome = Literal["ok", "error", "interrupted", "denied_by_hook", "rejected_by_user", "no_result"]


# --------------------------------------------------------------------------------------------
# result models


class ToolCall(BaseModel):
    """One tool call an agent made, with what came back."""

    evidence_id: str
    time: Optional[datetime] = Field(None, description="When the model issued the call (UTC).")
    time_text: Optional[str] = None
    result_time: Optional[datetime] = Field(None, description="When the result was written (UTC).")
    duration_s: Optional[float] = None
    session: str
    agent: str = Field("main", description="'main', or the subagent's id.")
    agent_type: Optional[str] = Field(None, description="The subagent's type (from its .meta.json).")
    tool: str
    command: Optional[str] = Field(None, description="Bash: the command; other tools: a summary of the input.")
    description: Optional[str] = None
    run_in_background: Optional[bool] = None
    timeout_ms: Optional[int] = None
    cwd: Optional[str] = None
    git_branch: Optional[str] = None
    version: Optional[str] = Field(None, description="Claude Code version that wrote the line.")
    tool_use_id: str
    outcome: Outcome
    exit_code: Optional[int] = None
    background_task_id: Optional[str] = None
    output_excerpt: Optional[str] = Field(None, description="Head and tail of the output, bounded and redacted.")
    nested: bool = Field(False, description="Found nested inside another line type (e.g. a progress line).")
    path: str
    line: Optional[int] = None
    result_line: Optional[int] = None

    def to_event(self) -> Event:
        text = self.command or ""
        who = "main" if self.agent == "main" else f"subagent {self.agent}" + (f" ({self.agent_type})" if self.agent_type else "")
        extra: dict[str, Any] = {
            "session": self.session,
            "agent": self.agent,
            "tool": self.tool,
            "tool_use_id": self.tool_use_id,
            "outcome": self.outcome,
        }
        for key in ("agent_type", "description", "run_in_background", "timeout_ms", "cwd", "git_branch",
                    "version", "exit_code", "background_task_id", "output_excerpt", "duration_s"):
            value = getattr(self, key)
            if value is not None:
                extra[key] = value
        if self.result_time:
            extra["result_time"] = to_utc_iso(self.result_time)
        return Event(
            evidence_id=self.evidence_id,
            data_type=DATA_TYPE,
            source=SOURCE,
            time=self.time,
            time_text=self.time_text,
            time_zone="UTC",
            time_meaning="issued",
            process="claude",
            subsystem=self.tool,
            category=self.outcome,
            level="info" if self.outcome == "ok" else "error",
            message=f"{who}: {self.tool}: {text}" + ("" if self.outcome == "ok" else f" [{self.outcome}]"),
            extra=extra,
            origin=f"{self.path}:{self.line}" if self.line else self.path,
        )


NoteKind = Literal["api_error", "compaction", "hook_denial", "hook_error", "interrupt"]


class TranscriptNote(BaseModel):
    """Something else in a transcript that matters to an investigation."""

    evidence_id: str
    kind: NoteKind
    detail: Optional[str] = Field(None, description="api_error: rate_limit, overloaded, timeout, server_error, other; compaction: its trigger.")
    time: Optional[datetime] = None
    session: Optional[str] = None
    agent: str = "main"
    message: str = ""
    path: str
    line: Optional[int] = None
    byte_offset: Optional[int] = Field(None, description="Where the line starts in the file (always given; line may be omitted on huge sets).")

    def to_event(self) -> Event:
        return Event(
            evidence_id=self.evidence_id,
            data_type=f"claude:{self.kind}",
            source=SOURCE,
            time=self.time,
            time_zone="UTC",
            process="claude",
            category=self.kind,
            level="warning",
            message=self.message,
            extra={k: v for k, v in {"session": self.session, "agent": self.agent, "detail": self.detail}.items() if v},
            origin=f"{self.path}:{self.line}" if self.line else f"{self.path}@{self.byte_offset}",
        )


class ScanStats(BaseModel):
    """What the scan saw, so nothing is dropped silently."""

    files: int = 0
    bytes: int = 0
    lines_parsed: int = Field(
        0, description="Lines that held a marker and were parsed; the others cannot hold a tool call (lines are not "
        "counted during the scan, which would cost a pass over every byte; line numbers are resolved for returned items)."
    )
    line_types: dict[str, int] = Field(default_factory=dict, description="Types of the parsed lines.")
    unknown_line_types: dict[str, int] = Field(default_factory=dict, description="Parsed lines of a type this version of rca does not know.")
    invalid_lines: int = 0
    oversized_lines: int = 0
    truncated_last_lines: int = Field(0, description="Files whose last line was cut mid-write (tolerated).")
    files_skipped_by_window: int = 0


class SubagentInfo(BaseModel):
    agent_id: str
    agent_type: Optional[str] = None
    description: Optional[str] = None
    launched_by: Optional[str] = Field(None, description="tool_use_id of the Agent call that started it.")
    path: str


class SessionInfo(BaseModel):
    session: str
    path: str
    project: str = Field(description="The project folder name (slug).")
    first_time: Optional[datetime] = None
    last_time: Optional[datetime] = None
    mtime: Optional[datetime] = None
    cwd: Optional[str] = None
    git_branch: Optional[str] = None
    version: Optional[str] = None
    size_bytes: int = 0
    tool_calls: int = Field(0, description="tool_use blocks in the main transcript.")
    subagent_tool_calls: int = 0
    subagents: list[SubagentInfo] = Field(default_factory=list)


class SessionList(BaseModel):
    sessions: list[SessionInfo]
    total: int
    next_cursor: Optional[str] = None
    hint: Optional[str] = None
    searched: list[str] = Field(default_factory=list, description="Folders looked in.")
    window: Optional[list[Optional[str]]] = None
    warnings: list[ParseWarning] = Field(default_factory=list)
    sources: list[SourceRun] = Field(default_factory=list)


class SessionCommands(BaseModel):
    commands: list[ToolCall]
    total: int
    next_cursor: Optional[str] = None
    hint: Optional[str] = None
    notes: list[TranscriptNote] = Field(
        default_factory=list,
        description="API errors, compactions, hook errors (first page only) and the hook denials of this page's calls.",
    )
    notes_total: int = 0
    stats: ScanStats = Field(default_factory=ScanStats)
    sessions: list[str] = Field(default_factory=list, description="Sessions read.")
    warnings: list[ParseWarning] = Field(default_factory=list)
    warnings_total: int = 0
    sources: list[SourceRun] = Field(default_factory=list)


class LastCommands(BaseModel):
    before: str
    commands: list[ToolCall] = Field(description="The last calls issued at or before `before`, newest last.")
    still_running: list[ToolCall] = Field(default_factory=list, description="Calls issued before `before` whose result came after it, or never.")
    notes: list[TranscriptNote] = Field(default_factory=list)
    stats: ScanStats = Field(default_factory=ScanStats)
    warnings: list[ParseWarning] = Field(default_factory=list)
    sources: list[SourceRun] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------
# locating transcripts


@dataclass
class TranscriptFile:
    path: Path
    session: str
    project: str
    agent: str = "main"
    agent_type: Optional[str] = None
    launched_by: Optional[str] = None
    description: Optional[str] = None


_UUIDISH = re.compile(r"^[0-9a-fA-F-]{8,}$")


def _read_meta(meta: Path) -> dict[str, Any]:
    try:
        with open(meta, "rb") as f:
            data = orjson.loads(f.read(1 << 16))
        return data if isinstance(data, dict) else {}
    except (OSError, orjson.JSONDecodeError):
        return {}


def _subagent_files(session_file: Path, session: str, project: str) -> list[TranscriptFile]:
    folder = session_file.with_suffix("") / "subagents"
    out: list[TranscriptFile] = []
    try:
        children = sorted(folder.glob("agent-*.jsonl"))
    except OSError:
        return out
    for child in children:
        agent_id = child.name[len("agent-") : -len(".jsonl")]
        meta = _read_meta(child.with_name(f"agent-{agent_id}.meta.json"))
        out.append(
            TranscriptFile(
                child, session, project, agent=agent_id, agent_type=meta.get("agentType"),
                launched_by=meta.get("toolUseId"), description=meta.get("description"),
            )
        )
    return out


def _session_of_sidechain(path: Path) -> Optional[str]:
    """Older versions: `<slug>/agent-<id>.jsonl` holds the sessionId of its parent in every line."""
    try:
        with open(path, "rb") as f:
            head = f.read(64 << 10)
    except OSError:
        return None
    m = re.search(rb'"sessionId":"([^"]{1,80})"', head)
    return m.group(1).decode("ascii", "replace") if m else None


def _project_sessions(project_dir: Path, warnings: list[ParseWarning]) -> list[TranscriptFile]:
    out: list[TranscriptFile] = []
    try:
        entries = sorted(project_dir.iterdir())
    except PermissionError:
        warnings.append(ParseWarning(source=SOURCE, message=f"{project_dir}: permission denied", path=str(project_dir)))
        return out
    except OSError as exc:
        warnings.append(ParseWarning(source=SOURCE, message=f"{project_dir}: cannot list ({exc})", path=str(project_dir)))
        return out
    project = project_dir.name
    for p in entries:
        if not p.name.endswith(".jsonl") or not p.is_file():
            continue
        stem = p.name[: -len(".jsonl")]
        if stem.startswith("agent-"):
            parent = _session_of_sidechain(p) or "?"
            out.append(TranscriptFile(p, parent, project, agent=stem[len("agent-") :]))
            continue
        out.append(TranscriptFile(p, stem, project))
        out.extend(_subagent_files(p, stem, project))
    return out


def locate(
    session: Optional[str] = None,
    project_dir: Optional[str] = None,
    all_projects: bool = False,
    paths: Optional[Sequence[str]] = None,
    warnings: Optional[list[ParseWarning]] = None,
) -> tuple[list[TranscriptFile], list[str]]:
    """The transcript files (main and subagents) to read, and the folders searched.

    `paths` are explicit transcript files or folders (a copied `projects/<slug>` folder, an
    evidence bundle); otherwise the Claude projects folder is searched: one project
    (`project_dir`, default the current directory), or every project with `all_projects`.
    `session` narrows to one session id (or is itself a path to a .jsonl file).
    """
    warnings = warnings if warnings is not None else []
    files: list[TranscriptFile] = []
    searched: list[str] = []
    if session and (session.endswith(".jsonl") or os.sep in session):
        paths = [*(paths or []), session]
        session = None
    if paths:
        for raw in paths:
            p = Path(raw).expanduser()
            searched.append(str(p))
            if p.is_dir():
                if any(c.name.endswith(".jsonl") for c in _safe_iter(p)):
                    files.extend(_project_sessions(p, warnings))
                for sub in sorted(_safe_iter(p)):
                    if sub.is_dir() and not _UUIDISH.match(sub.name) and sub.name not in ("subagents",):
                        files.extend(_project_sessions(sub, warnings))
            elif p.is_file():
                stem = p.name[: -len(".jsonl")] if p.name.endswith(".jsonl") else p.stem
                if stem.startswith("agent-"):
                    files.append(TranscriptFile(p, _session_of_sidechain(p) or "?", p.parent.name, agent=stem[6:]))
                else:
                    files.append(TranscriptFile(p, stem, p.parent.name))
                    files.extend(_subagent_files(p, stem, p.parent.name))
            else:
                warnings.append(ParseWarning(source=SOURCE, message=f"{p}: no such file or folder", path=str(p)))
    else:
        root = rca_paths.claude_projects_dir()
        searched.append(str(root))
        if not root.is_dir():
            warnings.append(ParseWarning(
                source=SOURCE, path=str(root),
                message=f"{root}: no Claude Code projects folder (set CLAUDE_CONFIG_DIR if Claude Code keeps its files elsewhere)",
            ))
            return [], searched
        if all_projects or session:
            projects = [d for d in sorted(_safe_iter(root)) if d.is_dir()]
        else:
            # the project Claude Code runs the server for ($CLAUDE_PROJECT_DIR), else the current folder
            project_dir = project_dir or os.environ.get("CLAUDE_PROJECT_DIR") or os.getcwd()
            slug = rca_paths.project_slug(project_dir)
            projects = [root / slug]
            if not projects[0].is_dir():
                warnings.append(ParseWarning(
                    source=SOURCE, path=str(projects[0]),
                    message=f"no transcripts for project {project_dir} (looked for {projects[0]}); "
                    "pass all_projects=true to search every project",
                ))
                return [], searched
        for d in projects:
            if session and not (d / f"{session}.jsonl").exists() and not any(d.glob(f"agent-*.jsonl")):
                continue
            files.extend(_project_sessions(d, warnings))
    if session:
        files = [f for f in files if f.session == session]
        if not files:
            warnings.append(ParseWarning(source=SOURCE, message=f"no transcript for session {session}"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        if f.path not in seen:
            seen.add(f.path)
            unique.append(f)
    return unique, searched


def _safe_iter(p: Path) -> list[Path]:
    try:
        return list(p.iterdir())
    except OSError:
        return []


# --------------------------------------------------------------------------------------------
# scanning


_TS = re.compile(rb'"timestamp":"([0-9T:.\-+Z]{10,40})"')
_FIELD = {
    key: re.compile(rb'"' + key.encode() + rb'":"((?:[^"\\]|\\.){0,2000})"')
    for key in ("cwd", "version", "gitBranch", "sessionId", "name", "id", "tool_use_id", "command", "description", "type")
}


def _ts(text: Optional[str]) -> Optional[datetime]:
    if not text or not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


#: An index entry of one tool_use is a tuple (time text, file index, line offset, tool_use_id,
#: tool, nested): compact on purpose; the page returned is materialised by re-reading its lines.


@dataclass
class _NoteRaw:
    kind: str
    detail: Optional[str]
    time: Optional[str]
    fidx: int
    off: int
    message: str


@dataclass
class Scan:
    """Result of scanning a set of files."""

    files: list[TranscriptFile]
    collector: "Collector" = field(default_factory=lambda: Collector())
    notes: list[_NoteRaw] = field(default_factory=list)
    notes_total: int = 0
    warnings: list[ParseWarning] = field(default_factory=list)
    warnings_total: int = 0
    stats: ScanStats = field(default_factory=ScanStats)
    huge: dict[tuple[int, int], tuple[bytes, bytes]] = field(default_factory=dict)
    runs: list[SourceRun] = field(default_factory=list)

    def warn(self, message: str, path: Optional[Path] = None, line: Optional[int] = None, sample: Optional[str] = None) -> None:
        self.warnings_total += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(ParseWarning(
                source=SOURCE, message=message, path=str(path) if path else None, line=line,
                sample=clip(sample, 200) if sample else None,
            ))


def _text_of(content: Any, limit: int = 1 << 16) -> str:
    """The text of a message/tool_result content (string, or list of text blocks)."""
    if isinstance(content, str):
        return content[:limit]
    if isinstance(content, list):
        parts = []
        size = 0
        for block in content:
            if isinstance(block, dict):
                t = block.get("text")
                if isinstance(t, str):
                    parts.append(t[: limit - size])
                    size += len(parts[-1])
                elif block.get("type") == "image":
                    parts.append("[image]")
            elif isinstance(block, str):
                parts.append(block[: limit - size])
                size += len(parts[-1])
            if size >= limit:
                break
        return "\n".join(parts)
    return ""


def _walk_blocks(obj: Any, holder: Optional[dict[str, Any]] = None, depth: int = 0) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yield (block, holder) for every tool_use / tool_result block at any depth; `holder` is the
    innermost object with a `message` or `toolUseResult` key (the line-level fields: timestamp,
    toolUseResult, agentId), or {}."""
    if depth > 12:
        return
    if isinstance(obj, dict):
        if obj.get("type") in ("tool_use", "tool_result"):
            yield obj, holder or {}
            return
        if "message" in obj or "toolUseResult" in obj:
            holder = obj
        for value in obj.values():
            if isinstance(value, (dict, list)):
                yield from _walk_blocks(value, holder, depth + 1)
    elif isinstance(obj, list):
        for value in obj:
            if isinstance(value, (dict, list)):
                yield from _walk_blocks(value, holder, depth + 1)


def _api_error_kind(text: str) -> str:
    low = text.lower()
    if "429" in low or "rate_limit" in low or "rate limit" in low or "usage limit" in low:
        return "rate_limit"
    if "529" in low or "overloaded" in low:
        return "overloaded"
    if "timed out" in low or "timeout" in low or "etimedout" in low:
        return "timeout"
    if re.search(r"\b5\d\d\b", low) or "api_error" in low or "internal server error" in low:
        return "server_error"
    if "connection" in low or "econnreset" in low or "fetch failed" in low:
        return "connection"
    return "other"


class _Scanner:
    """Turns the candidate lines of one scan into index entries, notes and warnings."""

    def __init__(self, scan: Scan, tools: Optional[frozenset[str]], start: Optional[datetime], end: Optional[datetime]):
        self.scan = scan
        self.tools = tools
        self.start_s = _iso_ms(start) if start else None
        self.end_s = _iso_ms(end) if end else None
        self.parsed = 0

    def bad_line(self, tf: TranscriptFile, off: int, raw: bytes, last: bool, exc: Exception) -> None:
        stats = self.scan.stats
        text = raw[:200].decode("utf-8", "replace")
        if last:
            stats.truncated_last_lines += 1
            self.scan.warn(f"the last line (at byte {off}) is cut mid-write (the session stopped while writing it); skipped",
                           tf.path, _line_no(tf.path, off), text)
        else:
            stats.invalid_lines += 1
            self.scan.warn(f"invalid JSON line skipped ({exc})", tf.path, _line_no(tf.path, off), text)

    def parse(self, tf: TranscriptFile, off: int, raw: bytes, last: bool) -> Optional[dict[str, Any]]:
        self.parsed += 1  # a plain counter: setting a pydantic field per line costs more than the parse
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            try:
                obj = orjson.loads(raw.decode("utf-8", "replace"))
            except orjson.JSONDecodeError:
                self.bad_line(tf, off, raw, last, exc)
                return None
            self.scan.warn(f"line at byte {off} is not valid UTF-8; bad bytes read as U+FFFD", tf.path, _line_no(tf.path, off))
        if not isinstance(obj, dict):
            self.scan.stats.invalid_lines += 1
            self.scan.warn("line is JSON but not an object; skipped", tf.path, _line_no(tf.path, off), raw[:200].decode("utf-8", "replace"))
            return None
        ltype = obj.get("type")
        ltype = ltype if isinstance(ltype, str) else "(none)"
        stats = self.scan.stats
        stats.line_types[ltype] = stats.line_types.get(ltype, 0) + 1
        if ltype not in KNOWN_LINE_TYPES:
            stats.unknown_line_types[ltype] = stats.unknown_line_types.get(ltype, 0) + 1
        return obj

    def uses(self, fidx: int, off: int, obj: dict[str, Any]) -> None:
        """Index the tool_use blocks of one parsed line (top-level, or nested in another line type)."""
        ts = obj.get("timestamp")
        ts = ts if isinstance(ts, str) else ""
        msg = obj.get("message")
        content = msg.get("content") if isinstance(msg, dict) else None
        if obj.get("type") == "assistant" and isinstance(content, list):
            # the common case, kept tight: one assistant line, usually one tool_use block
            nts = _norm_ts(ts)
            tools = self.tools
            collect = self.scan.collector.add
            for b in content:
                if isinstance(b, dict) and b.get("type") == "tool_use":
                    tid = b.get("id")
                    name = b.get("name")
                    if isinstance(tid, str) and isinstance(name, str) and (tools is None or name in tools):
                        collect((nts, fidx, off, tid), _TOOL_NAMES.setdefault(name, name), False)
            return
        else:
            found = [(b, h) for b, h in _walk_blocks(obj) if b.get("type") == "tool_use"]
            nested = True
        collect = self.scan.collector.add
        for block, holder in found:
            tid = block.get("id")
            name = block.get("name")
            if not isinstance(tid, str) or not isinstance(name, str):
                continue
            if self.tools is not None and name not in self.tools:
                continue
            bts = holder.get("timestamp") if isinstance(holder.get("timestamp"), str) else ts
            collect((_norm_ts(bts), fidx, off, tid), _TOOL_NAMES.setdefault(name, name), nested)

    def note(self, kind: str, detail: Optional[str], ts: Optional[str], fidx: int, off: int, message: str) -> None:
        if ts and ((self.start_s and ts < self.start_s) or (self.end_s and ts > self.end_s)):
            return
        self.scan.notes_total += 1
        if len(self.scan.notes) < MAX_NOTES:
            self.scan.notes.append(_NoteRaw(kind, detail, ts, fidx, off, message))

    def notes(self, fidx: int, off: int, obj: dict[str, Any]) -> None:
        ltype = obj.get("type")
        ts = obj.get("timestamp") if isinstance(obj.get("timestamp"), str) else None
        subtype = obj.get("subtype")
        if ltype == "system" and isinstance(subtype, str):
            if subtype.endswith("compact_boundary"):
                meta = obj.get("compactMetadata") or obj.get("microcompactMetadata") or {}
                trigger = meta.get("trigger") if isinstance(meta, dict) else None
                pre = meta.get("preTokens") if isinstance(meta, dict) else None
                text = f"{subtype}: conversation compacted"
                if trigger:
                    text += f" (trigger {trigger}" + (f", {pre} tokens before)" if pre else ")")
                self.note("compaction", trigger or subtype, ts, fidx, off, text)
            elif subtype == "api_error":
                err = obj.get("error")
                text = orjson.dumps(err).decode()[:600] if err is not None else str(obj.get("content") or "")
                retry = obj.get("retryAttempt")
                head = f"API error (retry {retry} of {obj.get('maxRetries')})" if retry else "API error"
                self.note("api_error", _api_error_kind(text), ts, fidx, off, f"{head}: {text[:500]}")
            elif subtype == "stop_hook_summary" and (obj.get("hookErrors") or obj.get("preventedContinuation")):
                self.note("hook_error", "Stop", ts, fidx, off,
                          f"Stop hook errors: {clip(orjson.dumps(obj.get('hookErrors')).decode(), 400)}"
                          + (f"; stopped the session: {obj.get('stopReason')}" if obj.get("preventedContinuation") else ""))
        if obj.get("isApiErrorMessage") is True:
            msg = obj.get("message")
            text = _text_of(msg.get("content") if isinstance(msg, dict) else None, 600)
            err = obj.get("error")
            self.note("api_error", _api_error_kind(f"{text} {err or ''}"), ts, fidx, off, text[:600] or str(err))
        if ltype == "user":
            msg = obj.get("message")
            content = msg.get("content") if isinstance(msg, dict) else None
            text = content if isinstance(content, str) else _text_of(
                [b for b in content if isinstance(b, dict) and b.get("type") == "text"], 300) if isinstance(content, list) else ""
            if text.startswith("[Request interrupted by user"):
                self.note("interrupt", None, ts, fidx, off, text[:200])
        if ltype == "attachment":
            att = obj.get("attachment")
            if isinstance(att, dict) and str(att.get("type", "")).endswith("blocking_error"):
                self.note("hook_error", str(att.get("hookEvent") or att.get("hookName") or ""), ts, fidx, off,
                          f"hook blocking error: {clip(str(att.get('blockingError') or att.get('content') or att), 400)}")

    def huge(self, fidx: int, tf: TranscriptFile, off: int, head: bytes, tail: bytes, length: int) -> None:
        """An oversized line: never parsed whole; its head and tail are searched for the fields."""
        scan = self.scan
        scan.stats.oversized_lines += 1
        scan.warn(
            f"line at byte {off} is {length / 1e6:.1f} MB, over the {MAX_LINE_BYTES >> 20} MB limit: not parsed whole; "
            "tool call fields were read by pattern from its first and last 256 KB",
            tf.path, _line_no(tf.path, off), head[:120].decode("utf-8", "replace"),
        )
        at = head.find(USE_MARKER)
        if at < 0:
            return
        ts_m = None
        for ts_m in _TS.finditer(tail):
            pass
        ts_m = ts_m or _TS.search(head)
        ts = ts_m.group(1).decode("ascii", "replace") if ts_m else ""
        tid = _FIELD["id"].search(head, at)
        name = _FIELD["name"].search(head, at)
        if tid and name:
            self.uses(fidx, off, {"type": "assistant", "timestamp": ts, "message": {"content": [
                {"type": "tool_use", "id": _unescape(tid.group(1)), "name": _unescape(name.group(1))}]}})
            scan.huge[(fidx, off)] = (head, tail)


_HOOK_DENIAL = re.compile(r"^(?:Pre|Post)ToolUse(?::\S*)? hook (?:error|blocked)|hook denied|blocked by (?:a )?hook", re.I)


_line_cache: dict[tuple[str, int], int] = {}


def _line_no(path: Path, off: int) -> Optional[int]:
    """1-based line number of the line starting at byte `off` (counts newlines; used for the few
    lines that are returned or reported, not during the scan)."""
    key = (str(path), off)
    if key in _line_cache:
        return _line_cache[key]
    try:
        n = 0
        with open(path, "rb") as f:
            remaining = off
            while remaining > 0:
                block = f.read(min(BLOCK_BYTES, remaining))
                if not block:
                    break
                n += block.count(b"\n")
                remaining -= len(block)
    except OSError:
        return None
    if len(_line_cache) > 4096:
        _line_cache.clear()
    _line_cache[key] = n + 1
    return n + 1


class _LineNumbers:
    """Line numbers for many offsets of one file in a single forward pass."""

    @staticmethod
    def resolve(path: Path, offsets: Iterable[int]) -> dict[int, int]:
        wanted = sorted(set(o for o in offsets if o >= 0))
        out: dict[int, int] = {}
        if not wanted:
            return out
        try:
            with open(path, "rb") as f:
                pos = 0
                lines = 0
                i = 0
                while i < len(wanted):
                    block = f.read(BLOCK_BYTES)
                    if not block:
                        break
                    end = pos + len(block)
                    counted = 0  # bytes of this block already counted into `lines`
                    while i < len(wanted) and wanted[i] <= end:
                        upto = wanted[i] - pos
                        lines += block.count(b"\n", counted, upto)
                        counted = upto
                        out[wanted[i]] = lines + 1
                        i += 1
                    lines += block.count(b"\n", counted)
                    pos = end
        except OSError:
            pass
        return out


#: The marker of a tool call. Inside a JSON string every quote is escaped, so this byte pattern
#: only matches real structure, at any nesting depth.
USE_MARKER = b'"type":"tool_use"'
#: The rarer lines worth a look, one byte search each: every `system` line (compactions, API
#: error retries, Stop hook summaries) and the assistant line that reports a failed request.
#: (Interrupts and hook denials show in the outcome of the calls they hit.)
NOTE_MARKERS = (b'"subtype":"', b'"isApiErrorMessage":true')


try:  # SIMD substring search; CPython's own is the fallback (see the module docstring)
    from stringzilla import Str as _SzStr
except ImportError:  # pragma: no cover - a declared dependency; the fallback is tested by monkeypatching
    _SzStr = None


def _haystack(buf: bytearray) -> Any:
    """What the markers are searched in: a zero-copy StringZilla view of `buf` (its `find` has the
    semantics of `bytearray.find`, at memory speed), else `buf` itself (CPython's two-way search,
    3-4 GB/s on JSON text). The view holds a raw pointer and no buffer export: `buf` must not be
    resized while it lives, so it is made per region and dropped before the next read."""
    return _SzStr(buf) if _SzStr is not None else buf


def _scan_region(scanner: _Scanner, fidx: int, tf: TranscriptFile, buf: bytearray, base: int, end: int, last: bool) -> None:
    """Parse the lines of buf[:end] (whole lines) that hold a marker; `base` is buf's file offset.

    One search per marker over the whole region (never a per-line loop); the start of the line
    around each hit is found with memrchr (`bytearray.rfind` of one byte), its end with memchr, and
    the search goes on after the line, so a line is parsed once whatever it holds."""
    find = _haystack(buf).find  # a view of buf: buf is not resized while it lives (this call)
    bfind = buf.find
    rfind = buf.rfind
    use_lines: list[int] = []
    pos = find(USE_MARKER, 0, end)
    while pos >= 0:
        use_lines.append(rfind(b"\n", 0, pos) + 1)
        le = bfind(b"\n", pos, end)
        if le < 0:
            break
        pos = find(USE_MARKER, le + 1, end)
    note_lines: Optional[set[int]] = None
    for marker in NOTE_MARKERS:
        pos = find(marker, 0, end)
        while pos >= 0:
            if note_lines is None:
                note_lines = set()
            note_lines.add(rfind(b"\n", 0, pos) + 1)
            le = bfind(b"\n", pos, end)
            if le < 0:
                break
            pos = find(marker, le + 1, end)
    if note_lines is not None:
        use_lines = sorted(note_lines.union(use_lines))
    if use_lines:
        _parse_lines(scanner, fidx, tf, buf, base, end, use_lines, note_lines, last)


def _parse_lines(scanner: _Scanner, fidx: int, tf: TranscriptFile, buf: bytearray, base: int, end: int,
                 starts: list[int], note_lines: Optional[set[int]], last: bool) -> None:
    """The hot loop, in line order: parse each candidate line and index its calls. The common line
    (a top-level `assistant` line whose content list holds the block) is handled inline; anything
    else (note lines, other line types, invalid lines) goes through the general `_Scanner`
    methods. Both paths index a line the same way (tested against a full parse of every line).
    The common line's calls are handed to the collector in one batch (`add_uses`); the batch is
    flushed before any general-path call, so the collector sees every call in line order."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    bfind = buf.find
    line_types = scanner.scan.stats.line_types
    tools = scanner.tools
    add_uses = scanner.scan.collector.add_uses
    found: list[tuple] = []
    push = found.append
    parsed = 0
    for ls in starts:
        le = bfind(b"\n", ls, end)
        if le < 0:
            le = end
        off = base + ls
        if le - ls > MAX_LINE_BYTES:
            if found:
                add_uses(found)
                found.clear()
            scanner.huge(fidx, tf, off, buf[ls : ls + HUGE_KEEP], buf[le - HUGE_KEEP : le], le - ls)
            continue
        if note_lines is not None and ls in note_lines:
            if found:
                add_uses(found)
                found.clear()
            obj = scanner.parse(tf, off, buf[ls:le], last)
            if obj is not None:
                if bfind(USE_MARKER, ls, le) >= 0:
                    scanner.uses(fidx, off, obj)
                scanner.notes(fidx, off, obj)
            continue
        try:
            obj = loads(buf[ls:le])
        except decode_error:
            obj = None
        if type(obj) is not dict or obj.get("type") != "assistant":
            # invalid, not UTF-8, not an object, another line type: the general path reports it
            if found:
                add_uses(found)
                found.clear()
            obj = scanner.parse(tf, off, buf[ls:le], last)
            if obj is not None:
                scanner.uses(fidx, off, obj)
            continue
        parsed += 1
        msg = obj.get("message")
        content = msg.get("content") if type(msg) is dict else None
        if type(content) is not list:
            if found:
                add_uses(found)
                found.clear()
            scanner.uses(fidx, off, obj)
            continue
        ts = obj.get("timestamp")
        if type(ts) is not str:
            ts = ""
        elif len(ts) != 24 or ts[19] != "." or ts[23] != "Z":
            ts = _norm_ts(ts)
        for b in content:
            if type(b) is dict and b.get("type") == "tool_use":
                tid = b.get("id")
                name = b.get("name")
                if type(tid) is str and type(name) is str and (tools is None or name in tools):
                    push((ts, fidx, off, tid, name))
    if found:
        add_uses(found)
    if parsed:
        scanner.parsed += parsed
        line_types["assistant"] = line_types.get("assistant", 0) + parsed


def _scan_file(scanner: _Scanner, fidx: int, tf: TranscriptFile) -> None:
    """Read one file into a reused buffer (`readinto`: no allocation and no page faults per block);
    lines are only sliced out around markers. A line longer than MAX_LINE_BYTES is never held: its
    head and tail are kept and the rest streams past."""
    scan = scanner.scan
    stats = scan.stats
    try:
        f = open(tf.path, "rb", buffering=0)  # noqa: SIM115 - closed below
    except FileNotFoundError:
        reason = "no such file (it vanished while being read)"
    except PermissionError:
        reason = "permission denied"
    except OSError as exc:
        reason = f"cannot open ({exc.strerror or exc})"
    else:
        reason = ""
    if reason:
        scan.warn(f"{tf.path}: {reason}", tf.path)
        scan.runs.append(SourceRun(source=SOURCE, path=str(tf.path), status="unavailable", reason=reason))
        return
    stats.files += 1
    warn_before = scan.warnings_total
    uses_before = scan.collector.seen_count
    buf = bytearray(2 * BLOCK_BYTES)
    with f:
        base = 0  # file offset of the next read
        n = 0  # bytes in buf: an incomplete line carried over, then what was read
        huge: Optional[list] = None  # [offset, head, tail, length] of an oversized line being skipped
        while True:
            if n + BLOCK_BYTES > len(buf):  # a long line in progress: grow (bounded by MAX_LINE_BYTES)
                buf.extend(bytes(n + BLOCK_BYTES - len(buf)))
            try:
                k = f.readinto(memoryview(buf)[n : n + BLOCK_BYTES])
            except OSError as exc:
                scan.warn(f"read error after byte {base}: {exc.strerror or exc}; the rest of the file is not read", tf.path)
                break
            if not k:
                break
            stats.bytes += k
            buf_base = base - n
            base += k
            n += k
            start = 0
            if huge is not None:
                nl = buf.find(b"\n", 0, n)
                end = n if nl < 0 else nl
                huge[2] = (huge[2] + buf[:end])[-HUGE_KEEP:]
                huge[3] += end
                if nl < 0:
                    n = 0
                    continue
                scanner.huge(fidx, tf, huge[0], huge[1], huge[2], huge[3])
                huge = None
                start = nl + 1
            last_nl = buf.rfind(b"\n", start, n)
            if last_nl >= 0:
                if start:
                    # shift so that offsets stay relative to buf[0]
                    buf[0 : n - start] = buf[start:n]
                    n -= start
                    buf_base += start
                    last_nl -= start
                _scan_region(scanner, fidx, tf, buf, buf_base, last_nl, False)
                rest = n - last_nl - 1
                buf[0:rest] = buf[last_nl + 1 : n]
                n = rest
            elif start:
                buf[0 : n - start] = buf[start:n]
                n -= start
            if n > MAX_LINE_BYTES:
                carry_base = base - n
                huge = [carry_base, bytes(buf[:HUGE_KEEP]), bytes(buf[n - HUGE_KEEP : n]), n]
                n = 0
            if len(buf) > 2 * BLOCK_BYTES and n <= BLOCK_BYTES:
                del buf[2 * BLOCK_BYTES :]  # the long line is over: give the memory back
        if huge is not None:
            scanner.huge(fidx, tf, huge[0], huge[1], huge[2], huge[3])
            stats.truncated_last_lines += 1
            scan.warn("the file ends inside an oversized line (cut mid-write)", tf.path)
        elif bytes(buf[:n]).strip():
            # no newline at the end: a session that died mid-write, or one still writing
            carry_base = base - n
            carry = bytes(buf[:n])
            obj = scanner.parse(tf, carry_base, carry, True)
            if obj is not None:
                scanner.uses(fidx, carry_base, obj)
                scanner.notes(fidx, carry_base, obj)
    status = "partial" if scan.warnings_total > warn_before else "ok"
    scan.runs.append(SourceRun(source=SOURCE, path=str(tf.path), status=status, events=scan.collector.seen_count - uses_before,
                               warnings=scan.warnings_total - warn_before))


# --------------------------------------------------------------------------------------------
# materialising calls


def _parse_line(raw: Optional[bytes]) -> Optional[dict[str, Any]]:
    if raw is None:
        return None
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            obj = orjson.loads(raw.decode("utf-8", "replace").encode())
        except orjson.JSONDecodeError:
            return None
    return obj if isinstance(obj, dict) else None


def _find_block(obj: dict[str, Any], kind: str, tid: str) -> tuple[Optional[dict[str, Any]], dict[str, Any]]:
    key = "id" if kind == "tool_use" else "tool_use_id"
    msg = obj.get("message")
    content = msg.get("content") if isinstance(msg, dict) else None
    if isinstance(content, list):
        for b in content:
            if isinstance(b, dict) and b.get("type") == kind and b.get(key) == tid:
                return b, obj
    for b, holder in _walk_blocks(obj):
        if b.get("type") == kind and b.get(key) == tid:
            return b, holder or obj
    return None, obj


def _summary(tool: str, inp: dict[str, Any]) -> Optional[str]:
    if not isinstance(inp, dict):
        return None
    if tool == "Bash" or isinstance(inp.get("command"), str):
        return clip(str(inp.get("command", "")), 2000)
    if tool in ("Agent", "Task"):
        kind = inp.get("subagent_type") or "general-purpose"
        return clip(f"{kind}: {inp.get('description') or ''} — {inp.get('prompt') or ''}", 600)
    for key in ("file_path", "notebook_path", "path", "pattern", "url", "query", "skill", "plan"):
        if isinstance(inp.get(key), str):
            extra = f" (in {inp['path']})" if key == "pattern" and isinstance(inp.get("path"), str) else ""
            return clip(f"{key}={inp[key]}{extra}", 600)
    try:
        return clip(orjson.dumps(inp).decode(), 400)
    except TypeError:
        return None


def _excerpt(text: str) -> Optional[str]:
    """Head and tail of an output, redacted. Each part is redacted with a margin before it is cut,
    so a secret that straddles the cut is still recognised whole."""
    if not text:
        return None
    if len(text) <= EXCERPT_HEAD + EXCERPT_TAIL:
        return redact(text)
    head = redact(text[: EXCERPT_HEAD + 400])[:EXCERPT_HEAD]
    tail = redact(text[-(EXCERPT_TAIL + 400):])[-EXCERPT_TAIL:]
    return f"{head}\n… [{len(text) - EXCERPT_HEAD - EXCERPT_TAIL} characters cut] …\n{tail}"


_EXIT = re.compile(r"(?:^|\n)(?:Error: )?Exit code (-?\d+)")
_USER_REJECT = (
    "The user doesn't want to proceed with this tool use",
    "User rejected tool use",
    "The user rejected",
)
_INTERRUPT = ("[Request interrupted by user", "The user doesn't want to take this action right now", "Interrupted by user")


def _outcome(tool: str, block: Optional[dict[str, Any]], holder: dict[str, Any]) -> tuple[Outcome, Optional[int], str, Optional[str]]:
    """(outcome, exit code, output text, background task id) of one tool_result."""
    if block is None:
        return "no_result", None, "", None
    tur = holder.get("toolUseResult")
    text = _text_of(block.get("content"))
    out_text = text
    if isinstance(tur, dict):
        stdout, stderr = tur.get("stdout"), tur.get("stderr")
        if isinstance(stdout, str) or isinstance(stderr, str):
            out_text = "\n".join(s for s in (stdout, stderr) if isinstance(s, str) and s) or text
    bg = tur.get("backgroundTaskId") if isinstance(tur, dict) and isinstance(tur.get("backgroundTaskId"), str) else None
    pd = holder.get("permissionDecision") if isinstance(holder.get("permissionDecision"), dict) else {}
    tur_text = tur if isinstance(tur, str) else ""
    m = _EXIT.search(text[:300]) or _EXIT.search(tur_text[:300])  # "Exit code N" leads the output
    exit_code = int(m.group(1)) if m else None
    if pd.get("decision") == "reject" and pd.get("source") == "hook" or (block.get("is_error") and _HOOK_DENIAL.search(text)):
        return "denied_by_hook", None, text, None
    if pd.get("decision") == "reject" and pd.get("source") in ("user", "user_reject", "prompt") or any(text.startswith(p) or tur_text.startswith(p) for p in _USER_REJECT):
        return "rejected_by_user", None, text, None
    if (isinstance(tur, dict) and tur.get("interrupted") is True) or any(p in text[:200] for p in _INTERRUPT):
        return "interrupted", exit_code, out_text, bg
    if block.get("is_error"):
        return "error", exit_code, text, bg
    if tool == "Bash" and exit_code is None and bg is None and (isinstance(tur, dict) or tur is None):
        # a failing command is an error result ("Exit code N"); subagent results carry no toolUseResult
        exit_code = 0
    return "ok", exit_code, out_text, bg


def _find_result(path: Path, start: int, tid: str) -> tuple[int, Optional[bytes], Optional[tuple[bytes, bytes]]]:
    """The line holding the tool_result for `tid`, searched forward from `start` in one file.

    Returns (offset, line, None), (offset, None, (head, tail)) for an oversized line, or
    (-1, None, None) when there is none (the call was still running when the transcript ended).
    """
    needle = b'"tool_use_id":"' + tid.encode("utf-8", "replace") + b'"'
    size = 64 << 10  # the result usually follows within a few KB: start small, double up to a block
    try:
        with open(path, "rb") as f:
            f.seek(start)
            pos = start
            keep = b""
            while True:
                block = f.read(size)
                size = min(size * 2, BLOCK_BYTES)
                if not block:
                    return -1, None, None
                buf = keep + block
                buf_base = pos - len(keep)
                hit = buf.find(needle)
                if hit >= 0:
                    ls_rel = buf.rfind(b"\n", 0, hit) + 1
                    line_off = buf_base + ls_rel if ls_rel > 0 else _line_start(f, buf_base + hit)
                    raw, head_tail = _read_line_at(path, line_off)
                    return line_off, raw, head_tail
                keep = buf[-(len(needle) - 1) :]
                pos += len(block)
    except OSError:
        return -1, None, None


def _line_start(f: Any, at: int) -> int:
    """Offset of the start of the line containing byte `at` (searching backwards in blocks)."""
    pos = at
    while pos > 0:
        step = min(pos, 1 << 20)
        f.seek(pos - step)
        block = f.read(step)
        nl = block.rfind(b"\n")
        if nl >= 0:
            return pos - step + nl + 1
        pos -= step
    return 0


def _read_line_at(path: Path, off: int) -> tuple[Optional[bytes], Optional[tuple[bytes, bytes]]]:
    """The line at `off`: (line, None), or (None, (head, tail)) when it is over MAX_LINE_BYTES."""
    try:
        with open(path, "rb") as f:
            f.seek(off)
            raw = f.readline(MAX_LINE_BYTES + 1)
            if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
                return raw.rstrip(b"\r\n"), None
            head = raw[:HUGE_KEEP]
            tail = raw[-HUGE_KEEP:]
            while True:
                chunk = f.read(BLOCK_BYTES)
                if not chunk:
                    break
                nl = chunk.find(b"\n")
                tail = (tail + (chunk if nl < 0 else chunk[:nl]))[-HUGE_KEEP:]
                if nl >= 0:
                    break
            return None, (head, tail)
    except OSError:
        return None, None


def _materialise(scan: Scan, uses: Sequence[tuple], include_results: bool) -> list[ToolCall]:
    """Full records for the index entries of one page: re-read their lines and find their results."""
    found = []
    per_file: dict[int, list[int]] = {}
    for u in uses:
        ts, fidx, off, tid, tool, nested = u
        tf = scan.files[fidx]
        res_off, res_raw, res_huge = _find_result(tf.path, off, tid)
        found.append((u, res_off, res_raw, res_huge))
        per_file.setdefault(fidx, []).append(off)
        if res_off >= 0:
            per_file[fidx].append(res_off)
    numbers = {fidx: _LineNumbers.resolve(scan.files[fidx].path, offs) for fidx, offs in per_file.items()}
    out: list[ToolCall] = []
    for (ts, fidx, off, tid, tool, nested), res_off, res_raw, res_huge in found:
        tf = scan.files[fidx]
        use_raw, _ = _read_line_at(tf.path, off)
        use_obj = _parse_line(use_raw) or {}
        block, holder = _find_block(use_obj, "tool_use", tid) if use_obj else (None, {})
        if block is None and (fidx, off) in scan.huge:
            head, _tail = scan.huge[(fidx, off)]
            cm = _FIELD["command"].search(head)
            block = {"input": {"command": _unescape(cm.group(1)) if cm else "[line too large to read]"}}
        inp = (block or {}).get("input") or {}
        if not isinstance(inp, dict):
            inp = {}
        holder = holder or use_obj
        res_block: Optional[dict[str, Any]] = None
        res_holder: dict[str, Any] = {}
        res_ts: Optional[str] = None
        if res_raw is not None:
            res_obj = _parse_line(res_raw)
            if res_obj is not None:
                res_block, res_holder = _find_block(res_obj, "tool_result", tid)
                res_ts = res_holder.get("timestamp") if isinstance(res_holder.get("timestamp"), str) else res_obj.get("timestamp")
        elif res_huge is not None:
            head, tail = res_huge
            res_block = {"content": head[:4000].decode("utf-8", "replace") + " … [line too large; cut]",
                         "is_error": b'"is_error":true' in head or b'"is_error":true' in tail}
            m = None
            for m in _TS.finditer(tail):
                pass
            res_ts = m.group(1).decode("ascii", "replace") if m else None
        outcome, code, text, bg = _outcome(tool, res_block, res_holder)
        t = _ts(ts)
        rt = _ts(res_ts) if isinstance(res_ts, str) else None
        session = tf.session if tf.session != "?" else str(holder.get("sessionId") or "?")
        agent = tf.agent
        if nested and agent == "main":
            agent = _nested_agent_id(use_obj) or agent
        desc = inp.get("description") if isinstance(inp.get("description"), str) else None
        timeout = inp.get("timeout")
        rib = inp.get("run_in_background")

        def field_of(key: str) -> Optional[str]:
            value = holder.get(key) if isinstance(holder.get(key), str) else use_obj.get(key)
            return value if isinstance(value, str) else None

        out.append(ToolCall(
            evidence_id=make_evidence_id(DATA_TYPE, session, agent, tid),
            time=t, time_text=ts or None, result_time=rt,
            duration_s=round((rt - t).total_seconds(), 3) if t and rt else None,
            session=session, agent=agent, agent_type=tf.agent_type, tool=tool,
            command=_summary(tool, inp), description=desc,
            run_in_background=rib if isinstance(rib, bool) else None,
            timeout_ms=int(timeout) if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) else None,
            cwd=field_of("cwd"), git_branch=field_of("gitBranch"), version=field_of("version"),
            tool_use_id=tid, outcome=outcome, exit_code=code, background_task_id=bg,
            output_excerpt=_excerpt(text) if include_results else None,
            nested=nested, path=str(tf.path), line=numbers.get(fidx, {}).get(off),
            result_line=numbers.get(fidx, {}).get(res_off) if res_off >= 0 else None,
        ))
    return out


def _denial_notes(calls: Sequence[ToolCall]) -> list[TranscriptNote]:
    """Hook denials among the returned calls, as notes."""
    return [
        TranscriptNote(
            evidence_id=make_evidence_id("claude:hook_denial", c.session, c.tool_use_id), kind="hook_denial",
            time=c.result_time or c.time, session=c.session, agent=c.agent,
            message=f"{c.tool} call {c.tool_use_id} ({clip(c.command, 120)}) denied by a hook: {clip(c.output_excerpt, 300)}",
            path=c.path, line=c.result_line,
        )
        for c in calls if c.outcome == "denied_by_hook"
    ]


def _nested_agent_id(obj: dict[str, Any]) -> Optional[str]:
    data = obj.get("data")
    if isinstance(data, dict) and isinstance(data.get("agentId"), str):
        return data["agentId"]
    if isinstance(obj.get("agentId"), str):
        return obj["agentId"]
    return None


def _unescape(raw: bytes) -> str:
    try:
        return orjson.loads(b'"' + raw + b'"')
    except orjson.JSONDecodeError:
        return raw.decode("utf-8", "replace")


def _materialise_notes(scan: Scan) -> list[TranscriptNote]:
    """Notes with line numbers; those cost a pass over the file up to the note, so they are
    resolved only while the files holding notes total at most NOTE_LINES_BUDGET bytes (the byte
    offset is always given)."""
    per_file: dict[int, list[int]] = {}
    for n in scan.notes:
        per_file.setdefault(n.fidx, []).append(n.off)
    budget = 0
    for fidx in per_file:
        try:
            budget += scan.files[fidx].path.stat().st_size
        except OSError:
            pass
    numbers = ({fidx: _LineNumbers.resolve(scan.files[fidx].path, offs) for fidx, offs in per_file.items()}
               if budget <= NOTE_LINES_BUDGET else {})
    out = []
    for n in scan.notes:
        tf = scan.files[n.fidx]
        out.append(TranscriptNote(
            evidence_id=make_evidence_id("claude:note", str(tf.path), n.off, n.kind),
            kind=n.kind, detail=n.detail, time=_ts(n.time), session=tf.session, agent=tf.agent,
            message=redact(n.message), path=str(tf.path), line=numbers.get(n.fidx, {}).get(n.off), byte_offset=n.off,
        ))
    out.sort(key=_note_order)
    return out


NOTE_LINES_BUDGET = 32 << 20


# --------------------------------------------------------------------------------------------
# public functions


def _tool_filter(tools: Union[Sequence[str], str, None]) -> Optional[frozenset[str]]:
    if tools is None:
        tools = DEFAULT_TOOLS
    if isinstance(tools, str):
        if tools.strip().lower() == "all":
            return None
        tools = [t.strip() for t in tools.split(",") if t.strip()]
    names: set[str] = set()
    for t in tools:
        if str(t).lower() == "all":
            return None
        names.update(TOOL_ALIASES.get(t, (t,)))
    if not names:
        raise InputError('tools must name at least one tool, or be "all"')
    return frozenset(names)


def _file_head(path: Path, size: int = 256 << 10) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(size)
    except OSError:
        return b""


def _file_tail(path: Path, size: int = 256 << 10) -> bytes:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            end = f.tell()
            f.seek(max(0, end - size))
            return f.read(size)
    except OSError:
        return b""


def _first_time(path: Path) -> Optional[datetime]:
    m = _TS.search(_file_head(path, 64 << 10))
    return _ts(m.group(1).decode("ascii", "replace")) if m else None


def _last_time(path: Path) -> Optional[datetime]:
    tail = _file_tail(path, 256 << 10)
    found = None
    for m in _TS.finditer(tail):
        found = m
    return _ts(found.group(1).decode("ascii", "replace")) if found else None


def _mtime(path: Path) -> Optional[datetime]:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError:
        return None


_TOOL_NAMES: dict[str, str] = {}


def _norm_ts(ts: str) -> str:
    """Times as Claude Code writes them (`2026-11-22T02:46:24.483Z`) compare as text; any other
    form is normalised to it so that windows and ordering stay right."""
    if len(ts) == 24 and ts[19] == "." and ts[23] == "Z":
        return ts
    dt = _ts(ts)
    return _iso_ms(dt) if dt else ""


class _Rev:
    """Orders keys in reverse, for a bounded max-heap with heapq."""

    __slots__ = ("key", "meta")

    def __init__(self, key: tuple, meta: tuple) -> None:
        self.key = key
        self.meta = meta

    def __lt__(self, other: "_Rev") -> bool:
        return self.key > other.key


class Collector:
    """Keeps only what one answer needs, whatever the number of tool calls.

    Each index entry is a key (time, file index, line offset, tool_use_id) plus (tool, nested).
    Mode "first": the `k` smallest keys after `after` (one page, keyset paging); mode "last": the
    `k` largest keys at or before `upto`. Duplicates (a session resumed into a new file repeats
    its history; old versions mirror subagent calls in `progress` lines) are dropped by
    tool_use_id, the first non-nested sighting winning; that costs one small int per call.
    """

    def __init__(self, mode: str = "first", k: int = 200, after: Optional[tuple] = None,
                 start: Optional[str] = None, end: Optional[str] = None) -> None:
        self.mode, self.k, self.after, self.start, self.end = mode, k, after, start, end
        self.heap: list = []
        self.seen: set[int] = set()
        self.nested: dict[str, tuple] = {}
        self.total = 0  # entries in the window
        self.remaining = 0  # entries in the window after the cursor
        self.seen_count = 0

    def add(self, key: tuple, tool: str, nested: bool) -> None:
        self.seen_count += 1
        if nested:
            if key[3] not in self.nested:
                self.nested[key[3]] = (key, tool)
            return
        h = hash(key[3])
        if h in self.seen:
            return
        self.seen.add(h)
        self._emit(key, (tool, False))

    def add_uses(self, items: Sequence[tuple]) -> None:
        """`add` of each top-level call (time, file index, offset, tool_use_id, tool), in order,
        with the collector's state in locals: the scan's hot loop hands over a region's calls at
        once (one method call per region instead of per call)."""
        self.seen_count += len(items)
        seen = self.seen
        seen_add = seen.add
        heap = self.heap
        start, end, after, k = self.start, self.end, self.after, self.k
        first = self.mode == "first"
        total = remaining = 0
        for ts, fidx, off, tid, tool in items:
            h = hash(tid)
            if h in seen:
                continue
            seen_add(h)
            if (start and (not ts or ts < start)) or (end and ts and ts > end):
                continue
            total += 1
            if first:
                if after is None and len(heap) == k and ts > heap[0].key[0]:
                    remaining += 1  # the common case once the page is full: a later call
                    continue
                key = (ts, fidx, off, tid)
                if after is not None and key <= after:
                    continue
                remaining += 1
                if len(heap) < k:
                    heapq.heappush(heap, _Rev(key, (tool, False)))
                elif key < heap[0].key:
                    heapq.heapreplace(heap, _Rev(key, (tool, False)))
                continue
            key = (ts, fidx, off, tid)
            if len(heap) < k:
                heapq.heappush(heap, (key, (tool, False)))
            elif key > heap[0][0]:
                heapq.heapreplace(heap, (key, (tool, False)))
        self.total += total
        self.remaining += remaining

    def finish(self) -> None:
        for tid, (key, tool) in self.nested.items():
            if hash(tid) not in self.seen:
                self._emit(key, (tool, True))
        self.nested.clear()

    def _emit(self, key: tuple, meta: tuple) -> None:
        ts = key[0]
        if self.start and (not ts or ts < self.start):
            return
        if self.end and ts and ts > self.end:
            return
        self.total += 1
        heap = self.heap
        if self.mode == "first":
            if self.after is not None and key <= self.after:
                return
            self.remaining += 1
            if len(heap) < self.k:
                heapq.heappush(heap, _Rev(key, meta))
            elif key < heap[0].key:
                heapq.heapreplace(heap, _Rev(key, meta))
        else:
            if len(heap) < self.k:
                heapq.heappush(heap, (key, meta))
            elif key > heap[0][0]:
                heapq.heapreplace(heap, (key, meta))

    def entries(self) -> list[tuple]:
        """(time, fidx, off, tid, tool, nested) in time order."""
        items = [(e.key, e.meta) for e in self.heap] if self.mode == "first" else list(self.heap)
        items.sort(key=lambda km: km[0])
        return [(*key, *meta) for key, meta in items]


def _encode_key_cursor(key: tuple, fp: str) -> str:
    return pack_token({"k": list(key), "q": fp})


def _decode_key_cursor(cursor: Optional[str], fp: str) -> Optional[tuple]:
    if not cursor:
        return None
    try:
        data = unpack_token(cursor)
        key = data["k"]
        ok = data["q"] == fp
        key = (str(key[0]), int(key[1]), int(key[2]), str(key[3]))
    except Exception as exc:  # noqa: BLE001 - any decoding failure means the same to the caller
        raise InputError("the cursor is not one this tool issued; call again without a cursor") from exc
    if not ok:
        raise InputError("the cursor belongs to a different query (or the set of transcripts changed); "
                         "call again without a cursor or with the same arguments")
    return key


#: Large scans are shared between this process and one forked copy of it, split by bytes: this
#: process reads the first files while the copy reads the rest, and the copy's findings are
#: replayed here in file order (so the answer is the one a single pass gives). On 1 GB with the
#: second core free the scan took ~0.48 s instead of ~0.77 s; with both cores busy with other work
#: it costs ~5% more (the replay). 1 turns it off.
SCAN_PROCESSES = 2
#: Below this many bytes to read the fork, its copy-on-write faults and the replay (~10 ms) are not
#: worth it: at 50 MB two processes were ~10 ms slower on a busy machine, at 200 MB even.
PARALLEL_MIN_BYTES = 64 << 20
#: How long this process waits for the forked reader once its own half is done, as a multiple of
#: the time that half took (at least CHILD_WAIT_MIN_S): the halves are the same size, so a child
#: still running after that is stuck (a lock another thread held at the fork) or starved; it is
#: killed and this process reads its files itself. A scan can be slow, never hang.
CHILD_WAIT_FACTOR = 4.0
CHILD_WAIT_MIN_S = 10.0
#: The share of the bytes this process reads itself. Half: the copy's spill and exit cost about as
#: much as the replay here (on 1 GB, 0.44 and 0.47 left this process waiting 30-85 ms; 0.5 did
#: not, and 0.53 was slower).
_PARENT_SHARE = 0.5
#: Index entries the forked reader buffers before writing them to its spill file (a memfd: memory,
#: ~75 bytes per call, never disk).
_SPILL_EVERY = 4096


def _can_fork() -> bool:
    if SCAN_PROCESSES < 2 or not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return False  # macOS: fork without exec is unsafe with system frameworks; Windows: no fork
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) >= 2


class _Recorder:
    """The collector of the forked reader: it records every call offered to it, in order, and
    spills them to an in-memory file; the parent replays them into the real collector after its own files, so
    duplicates across the two halves, the window, paging and counts come out as in one pass."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.events: list[tuple] = []
        self.seen_count = 0

    def add(self, key: tuple, tool: str, nested: bool) -> None:
        self.seen_count += 1
        self.events.append((key, tool, nested))
        if len(self.events) >= _SPILL_EVERY:
            self.spill()

    def add_uses(self, items: Sequence[tuple]) -> None:
        self.seen_count += len(items)
        self.events.extend(items)
        if len(self.events) >= _SPILL_EVERY:
            self.spill()

    def spill(self) -> None:
        if self.events:
            _write_record(self.out, b"e", marshal.dumps(self.events))  # marshal: 8x faster than pickle here
            self.events = []


def _write_record(out: Any, kind: bytes, payload: bytes) -> None:
    out.write(kind + len(payload).to_bytes(8, "little"))
    out.write(payload)


def _read_record(f: Any) -> tuple[bytes, bytes]:
    head = f.read(9)
    size = int.from_bytes(head[1:], "little")
    payload = f.read(size)
    if len(head) != 9 or len(payload) != size:
        raise EOFError("the forked reader's records are cut short")
    return head[:1], payload


def _child_scan(scanner: _Scanner, fidxs: Sequence[int], out: Any) -> None:
    """In the forked reader: scan `fidxs` into a fresh Scan whose collector records, then write
    what the parent needs to merge (in file order, after its own files)."""
    parent = scanner.scan
    recorder = _Recorder(out)
    scan = Scan(files=parent.files, collector=recorder)  # type: ignore[arg-type]
    child = _Scanner(scan, scanner.tools, None, None)
    child.start_s, child.end_s = scanner.start_s, scanner.end_s
    for fidx in fidxs:
        _scan_file(child, fidx, parent.files[fidx])
    recorder.spill()
    _write_record(out, b"d", pickle.dumps((scan.notes, scan.notes_total, scan.warnings, scan.warnings_total, scan.stats,
                                           scan.huge, scan.runs, child.parsed), protocol=pickle.HIGHEST_PROTOCOL))
    out.flush()


def _merge_child(scanner: _Scanner, f: Any) -> None:
    """Replay the forked reader's records (complete: it wrote them all before saying so) into this
    scan, after this process's own files."""
    scan = scanner.scan
    collector = scan.collector
    add, add_uses = collector.add, collector.add_uses
    f.seek(0)
    while True:
        kind, payload = _read_record(f)
        if kind != b"e":
            break
        events = marshal.loads(payload)
        run = 0  # runs of the hot loop's calls (5 items) in one batch; a call through `add` ends a run
        for i, e in enumerate(events):
            if len(e) != 5:
                if run < i:
                    add_uses(events[run:i])
                add(*e)
                run = i + 1
        if run < len(events):
            add_uses(events[run:])
    notes, notes_total, warnings, warnings_total, stats, huge, runs, parsed = pickle.loads(payload)
    scan.notes.extend(notes[: MAX_NOTES - len(scan.notes)])
    scan.notes_total += notes_total
    scan.warnings.extend(warnings[: MAX_WARNINGS - len(scan.warnings)])
    scan.warnings_total += warnings_total
    mine = scan.stats
    for key in ("files", "bytes", "invalid_lines", "oversized_lines", "truncated_last_lines"):
        setattr(mine, key, getattr(mine, key) + getattr(stats, key))
    for key in ("line_types", "unknown_line_types"):
        counts = getattr(mine, key)
        for name, n in getattr(stats, key).items():
            counts[name] = counts.get(name, 0) + n
    scan.huge.update(huge)
    scan.runs.extend(runs)
    scanner.parsed += parsed


def _scan_parallel(scanner: _Scanner, first: Sequence[int], rest: Sequence[int]) -> bool:
    """Scan `first` here and `rest` in a forked copy of this process, then merge in file order.
    False if the fork or the child failed: `first` is scanned, nothing of `rest` is merged, and
    the caller scans `rest` itself."""
    try:
        # in memory, never on disk: a forensic tool does not write to the machine it examines
        out = os.fdopen(os.memfd_create("rca-transcript-scan", os.MFD_CLOEXEC), "w+b")
    except (AttributeError, OSError):
        out = None
    try:
        if out is None:
            raise OSError("no memfd")
        done_r, done_w = os.pipe()
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns when a process with other threads (the MCP server's) forks, as
                # the child could need a lock another thread held. This child takes none: it reads
                # files, parses, writes to its memfd and exits (os._exit), importing nothing. Under
                # `-W error` the warning would be raised after the fork, leaving the child unwaited.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:
            os.close(done_r)
            os.close(done_w)
            raise
    except OSError:
        if out is not None:
            out.close()
        for fidx in first:
            _scan_file(scanner, fidx, scanner.scan.files[fidx])
        return False
    if pid == 0:  # the forked reader: never returns, never runs the parent's cleanup or atexit
        code = 1
        try:
            os.close(done_r)
            _child_scan(scanner, rest, out)
            os.write(done_w, b"1")
            code = 0
        except BaseException:  # noqa: BLE001 - the parent notices (no "1") and reads the files itself
            pass
        finally:
            os._exit(code)
    os.close(done_w)
    finished = False
    try:
        started = time.monotonic()
        for fidx in first:
            _scan_file(scanner, fidx, scanner.scan.files[fidx])
        wait = max(CHILD_WAIT_MIN_S, CHILD_WAIT_FACTOR * (time.monotonic() - started))
        ready, _, _ = select.select([done_r], [], [], wait)
        finished = bool(ready) and os.read(done_r, 1) == b"1"  # EOF without it: the child died
        if finished:
            _merge_child(scanner, out)
        return finished
    finally:
        if not finished:
            try:
                os.kill(pid, signal.SIGKILL)  # this process failed, or the child did: stop it
            except OSError:
                pass
        os.close(done_r)
        out.close()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # already reaped by someone else's SIGCHLD handler


def scan_files(
    files: list[TranscriptFile],
    tools: Optional[frozenset[str]] = None,
    start: Optional[datetime] = None,
    end: Optional[datetime] = None,
    collector: Optional[Collector] = None,
) -> Scan:
    """Scan transcript files: the collector keeps the tool calls the answer needs; notes, stats
    and warnings come along. Large sets are read by two processes (see PARALLEL_MIN_BYTES); the
    result is the same as reading every file here in order."""
    scan = Scan(files=files, collector=collector or Collector())
    scanner = _Scanner(scan, tools, start, end)
    todo: list[int] = []
    for fidx, tf in enumerate(files):
        if start is not None:
            mt = _mtime(tf.path)
            if mt is not None and mt < start:
                scan.stats.files_skipped_by_window += 1
                continue
        if end is not None:
            ft = _first_time(tf.path)
            if ft is not None and ft > end:
                scan.stats.files_skipped_by_window += 1
                continue
        todo.append(fidx)
    split = _split_point(files, todo)
    if split is not None:
        first, rest = todo[:split], todo[split:]
        if not _scan_parallel(scanner, first, rest):
            for fidx in rest:
                _scan_file(scanner, fidx, files[fidx])
    else:
        for fidx in todo:
            _scan_file(scanner, fidx, files[fidx])
    scan.stats.lines_parsed = scanner.parsed
    scan.collector.finish()
    return scan


def _split_point(files: list[TranscriptFile], todo: list[int]) -> Optional[int]:
    """Where to split `todo` between this process and a forked one (about half the bytes each),
    or None to read everything here."""
    if len(todo) < 2 or not _can_fork():
        return None
    sizes = []
    for fidx in todo:
        try:
            sizes.append(files[fidx].path.stat().st_size)
        except OSError:
            sizes.append(0)
    total = sum(sizes)
    if total < PARALLEL_MIN_BYTES:
        return None
    acc = 0
    for i, size in enumerate(sizes):
        acc += size
        if acc >= total * _PARENT_SHARE:
            return min(i + 1, len(todo) - 1)
    return None


def _note_order(n: TranscriptNote) -> tuple:
    return (n.time or datetime.min.replace(tzinfo=timezone.utc), n.path, n.line or 0)


#: last_commands_before looks this far back for calls still running at the moment asked about.
RUNNING_WINDOW = 50


def _iso_ms(dt: Optional[datetime]) -> Optional[str]:
    """The form Claude Code writes (`2026-11-22T02:46:24.483Z`), so index times compare as text."""
    if dt is None:
        return None
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def extract_session_commands(
    session: Optional[str] = None,
    project_dir: Optional[str] = None,
    all_projects: bool = False,
    start: Union[str, datetime, None] = None,
    end: Union[str, datetime, None] = None,
    tools: Union[Sequence[str], str, None] = DEFAULT_TOOLS,
    include_results: bool = True,
    limit: int = 200,
    cursor: Optional[str] = None,
    paths: Optional[Sequence[str]] = None,
) -> SessionCommands:
    """Every tool call in the chosen transcripts (main agent and subagents), oldest first, paged."""
    start_dt = parse_time(start)
    end_dt = parse_time(end)
    if start_dt and end_dt and start_dt > end_dt:
        raise InputError(f"the time window is reversed: start {to_utc_iso(start_dt)} is after end {to_utc_iso(end_dt)}")
    tool_set = _tool_filter(tools)
    limit = check_limit(limit)
    warnings: list[ParseWarning] = []
    files, _searched = locate(session, project_dir, all_projects, paths, warnings)
    query = {"session": session, "project_dir": project_dir, "all": all_projects, "start": to_utc_iso(start_dt),
             "end": to_utc_iso(end_dt), "tools": sorted(tool_set) if tool_set else "all", "paths": list(paths or []),
             "files": [str(f.path) for f in files]}
    fp = query_fingerprint(query)
    after = _decode_key_cursor(cursor, fp)
    end_s = _iso_ms(end_dt) if end_dt else None
    collector = Collector("first", limit, after, _iso_ms(start_dt) if start_dt else None, end_s)
    scan = scan_files(files, tool_set, start_dt, end_dt, collector)
    chunk = collector.entries()
    next_cursor = _encode_key_cursor(tuple(chunk[-1][:4]), fp) if chunk and collector.remaining > len(chunk) else None
    calls = _materialise(scan, chunk, include_results)
    # notes belong to the query, not to a page: they come with the first page only, so that a
    # caller gathering every page does not collect them twice (hook denials follow their calls)
    notes = sorted((_materialise_notes(scan) if cursor is None else []) + _denial_notes(calls), key=_note_order)
    all_warnings = warnings + scan.warnings
    total = collector.total
    shown_before = total - collector.remaining
    hint = None
    if next_cursor:
        hint = (f"Showing calls {shown_before + 1}–{shown_before + len(calls)} of {total}. Call extract_session_commands "
                f'again with the same arguments and cursor="{next_cursor}" for the next page.')
    return SessionCommands(
        commands=calls, total=total, next_cursor=next_cursor, hint=hint,
        notes=notes, notes_total=scan.notes_total + len(notes) - len(scan.notes), stats=scan.stats,
        sessions=sorted({f.session for f in files}),
        warnings=all_warnings[:MAX_WARNINGS], warnings_total=len(warnings) + scan.warnings_total,
        sources=scan.runs,
    )


def last_commands_before(
    time: Union[str, datetime],
    n: int = 10,
    project_dir: Optional[str] = None,
    all_projects: bool = True,
    tools: Union[Sequence[str], str, None] = "all",
    session: Optional[str] = None,
    paths: Optional[Sequence[str]] = None,
    include_results: bool = True,
) -> LastCommands:
    """The last `n` tool calls issued at or before `time`, across sessions (all projects by
    default): the usual first question after a crash. Calls still running at `time` (no result
    yet, or a result written after it) are listed apart as well."""
    at = parse_time(time)
    if at is None:
        raise InputError("time is required: when did the failure happen?")
    if n < 1:
        raise InputError("n must be at least 1")
    n = min(n, 200)
    tool_set = _tool_filter(tools)
    warnings: list[ParseWarning] = []
    files, _ = locate(session, project_dir, all_projects and not project_dir, paths, warnings)
    at_s = _iso_ms(at)
    # calls still running at `at`: among the last RUNNING_WINDOW calls, those without a result by then
    collector = Collector("last", max(n, RUNNING_WINDOW), None, "0", at_s)
    scan = scan_files(files, tool_set, None, at, collector)
    recent = _materialise(scan, collector.entries(), include_results)
    last = recent[-n:]
    running = [c for c in recent if c.result_time is None or c.result_time > at][-n:]
    notes = [x for x in _materialise_notes(scan) + _denial_notes(last) if x.time is None or x.time <= at]
    return LastCommands(
        before=to_utc_iso(at) or "",
        commands=last,
        still_running=running,
        notes=sorted(notes, key=_note_order)[-50:],
        stats=scan.stats, warnings=(warnings + scan.warnings)[:MAX_WARNINGS], sources=scan.runs,
    )


def session_events(**kwargs: Any) -> tuple[list[Event], list[ParseWarning]]:
    """Tool calls and notes as `Event`s (for the timeline): every page, in order."""
    events: list[Event] = []
    warnings: list[ParseWarning] = []
    cursor = None
    while True:
        result = extract_session_commands(limit=1000, cursor=cursor, **kwargs)
        events.extend(c.to_event() for c in result.commands)
        events.extend(n.to_event() for n in result.notes)
        if cursor is None:
            warnings = result.warnings
        cursor = result.next_cursor
        if not cursor:
            break
    return events, warnings


def _count_tool_uses(path: Path) -> int:
    n = 0
    tail = b""
    needle = b'"type":"tool_use"'
    try:
        with open(path, "rb") as f:
            while True:
                block = f.read(BLOCK_BYTES)
                if not block:
                    break
                # the kept tail is shorter than the needle, so a hit in `joined` is either inside
                # this block or straddles the boundary: each is counted exactly once
                joined = tail + block
                n += _haystack(joined).count(needle)
                tail = joined[-(len(needle) - 1) :]
    except OSError:
        return n
    return n


def _session_info(files: list[TranscriptFile]) -> Optional[SessionInfo]:
    main = next((f for f in files if f.agent == "main"), None)
    ref = main or files[0]
    head = _file_head(ref.path, 128 << 10)
    fields = {}
    for key in ("cwd", "version", "gitBranch"):
        m = _FIELD[key].search(head)
        fields[key] = _unescape(m.group(1)) if m else None
    tail = _file_tail(ref.path, 128 << 10)
    vm = None
    for vm in _FIELD["version"].finditer(tail):
        pass
    if vm:
        fields["version"] = _unescape(vm.group(1))
    times = [t for f in files for t in (_first_time(f.path), _last_time(f.path)) if t]
    try:
        size = ref.path.stat().st_size
    except OSError:
        size = 0
    return SessionInfo(
        session=ref.session, path=str(ref.path), project=ref.project,
        first_time=min(times) if times else None, last_time=max(times) if times else None,
        mtime=max((m for m in (_mtime(f.path) for f in files) if m), default=None),
        cwd=fields["cwd"], git_branch=fields["gitBranch"], version=fields["version"], size_bytes=size,
        tool_calls=_count_tool_uses(ref.path) if main else 0,
        subagent_tool_calls=sum(_count_tool_uses(f.path) for f in files if f.agent != "main"),
        subagents=[SubagentInfo(agent_id=f.agent, agent_type=f.agent_type, description=f.description,
                                launched_by=f.launched_by, path=str(f.path)) for f in files if f.agent != "main"],
    )


def list_sessions(
    project_dir: Optional[str] = None,
    all_projects: bool = False,
    start: Union[str, datetime, None] = None,
    end: Union[str, datetime, None] = None,
    limit: int = 100,
    cursor: Optional[str] = None,
    paths: Optional[Sequence[str]] = None,
) -> SessionList:
    """Sessions active in the window (their first..last event overlaps it), newest first."""
    start_dt = parse_time(start)
    end_dt = parse_time(end)
    if start_dt and end_dt and start_dt > end_dt:
        raise InputError(f"the time window is reversed: start {to_utc_iso(start_dt)} is after end {to_utc_iso(end_dt)}")
    warnings: list[ParseWarning] = []
    files, searched = locate(None, project_dir, all_projects, paths, warnings)
    by_session: dict[tuple[str, str], list[TranscriptFile]] = {}
    for f in files:
        by_session.setdefault((f.project, f.session), []).append(f)
    infos: list[SessionInfo] = []
    runs: list[SourceRun] = []
    for group in by_session.values():
        if start_dt is not None:
            mt = max((m for m in (_mtime(f.path) for f in group) if m), default=None)
            if mt is not None and mt < start_dt:
                continue
        info = _session_info(group)
        if info is None:
            continue
        if start_dt and info.last_time and info.last_time < start_dt:
            continue
        if end_dt and info.first_time and info.first_time > end_dt:
            continue
        infos.append(info)
        runs.append(SourceRun(source=SOURCE, path=info.path, events=info.tool_calls))
    infos.sort(key=lambda s: (s.last_time or s.mtime or datetime.min.replace(tzinfo=timezone.utc)), reverse=True)
    query = {"project_dir": project_dir, "all": all_projects, "start": to_utc_iso(start_dt), "end": to_utc_iso(end_dt),
             "paths": list(paths or [])}
    chunk, next_cursor, total = page(infos, limit, cursor, query)
    return SessionList(
        sessions=chunk, total=total, next_cursor=next_cursor,
        hint=next_page_hint("list_sessions", next_cursor, len(chunk), total), searched=searched,
        window=[to_utc_iso(start_dt), to_utc_iso(end_dt)] if (start_dt or end_dt) else None,
        warnings=warnings, sources=runs,
    )
