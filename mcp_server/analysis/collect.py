"""Collection glue: the one place the timeline, `rca scan` and `rca demo` call the evidence sources.

Every source module is imported lazily, inside the function that uses it, so this module works
on a build where a source is missing: the source is then reported as a `SourceRun` with status
`unavailable` and the reason, never silently skipped. Each adapter converts whatever the source
returns into `Event`s (see `_as_events`), so the timeline only ever sees events.

Sources (lane names):
- `logs`: `analysis.evidence.log_show(start, end, process=…, paths=…)` (system logs and log files)
- `crash_reports`: `sources.crash_reports.find_crash_reports(start, end, process=…, paths=…)`
- `sessions`: `sources.claude_transcripts.extract_session_commands(project_dir|all, start, end)`
- `shell_history`: `sources.shell_history.shell_history(start, end, paths=…)`
- `git`: `sources.git_activity.git_activity(start, end, project_dir)`
- `events`: rca's own event export (`*.events.jsonl`, one `Event` as JSON per line), read here.

Folders of evidence (an incident folder such as `examples/tmux-killed`) are routed file by file
with `route_files`: transcripts to `sessions`, histories to `shell_history`, crash reports to
`crash_reports`, event exports to `events`, everything else to `logs`.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from pydantic import ValidationError

from ..models import Event, ParseWarning, SourceRun
from ..sources._io import LineReader, iter_files

#: Every lane this glue can fill, in timeline order: ties at the same instant go to earlier lanes, so
#: commands come before the log lines they caused when both carry the same (whole-second) time.
LANES = ("sessions", "shell_history", "git", "logs", "crash_reports", "events")
#: Where each source lives: (module, function).
SOURCE_FUNCTIONS: dict[str, tuple[str, str]] = {
    "logs": ("mcp_server.analysis.evidence", "log_show"),
    "crash_reports": ("mcp_server.sources.crash_reports", "find_crash_reports"),
    "sessions": ("mcp_server.sources.claude_transcripts", "extract_session_commands"),
    "shell_history": ("mcp_server.sources.shell_history", "shell_history"),
    "git": ("mcp_server.sources.git_activity", "git_activity"),
}
#: Upper bound of items asked from a paged source in one call.
SOURCE_LIMIT = 1000
#: Pages followed per source before the result is marked truncated.
MAX_PAGES = 50

_CRASH_SUFFIXES = (".ips", ".crash", ".panic", ".diag", ".spin", ".hang", ".ips.synced")
_HISTORY_NAMES = ("history", "_history", ".bash_history", ".zsh_history", "fish_history")
#: Files in an incident folder that describe it or reproduce it, and are not evidence themselves.
_NOT_EVIDENCE = (".meta.json", ".md", ".sh", ".py", ".js", ".ts", ".rb", ".pl", ".ps1", ".bat")
_FOLDER_META = ("incident.json", "sources.txt", "death_time")


@dataclass
class Collected:
    lanes: dict[str, list[Event]] = field(default_factory=dict)
    runs: list[SourceRun] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    def add(self, lane: str, events: Iterable[Event]) -> None:
        """Add events, each in the lane of the source that read it (`Event.source`: journald,
        syslog, claude_transcripts, …), `lane` when it names none. One reader can return several
        sources (log_show: journald and syslog files), and the timeline only folds duplicates
        across lanes: the same line in the journal and in /var/log/syslog must land in two."""
        for ev in events:
            self.lanes.setdefault(ev.source or lane, []).append(ev)


ProgressFn = Callable[[str, str], None]


# ------------------------------------------------------------------------------- own event file


def read_event_export(path: str | Path) -> tuple[list[Event], list[ParseWarning]]:
    """Read an rca event export (`*.events.jsonl`): one `Event` JSON object per line.

    Blank lines are skipped; every other line that is not a valid event becomes a warning with
    its line number, and reading goes on.
    """
    reader = LineReader(path, source="events")
    events: list[Event] = []
    warnings: list[ParseWarning] = []
    for line in reader:
        text = line.text.strip(" \t\r\n\f\v")  # only ASCII blanks: other control characters are a bad record
        if not text:
            continue
        if line.cut:
            warnings.append(ParseWarning(source="events", message="event line too long; skipped", path=str(path), line=line.number))
            continue
        try:
            events.append(Event.model_validate(json.loads(text)))
        except (ValueError, ValidationError, TypeError, RecursionError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            warnings.append(
                ParseWarning(
                    source="events", message=f"not an rca event: {first[:200]}", path=str(path), line=line.number,
                    sample=text[:120],
                )
            )
    return events, reader.warnings + warnings


def write_event_export(events: Iterable[Event], path: str | Path) -> int:
    """Write events as an rca event export; returns how many were written."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for ev in events:
            fh.write(ev.model_dump_json() + "\n")
            n += 1
    return n


# ----------------------------------------------------------------------------------- adapters


#: Attributes of source results that hold records, in the order they are read.
_RECORD_FIELDS = ("events", "commands", "notes", "entries", "reports", "items")


def _to_event(item: Any, result: Any) -> Optional[Event]:
    if isinstance(item, Event):
        return item
    if hasattr(item, "to_event"):
        try:
            return item.to_event()
        except TypeError:  # git entries need the repository they came from
            return item.to_event(getattr(result, "repo", ""))
    if isinstance(getattr(item, "event", None), Event):
        return item.event
    return None


def _as_events(result: Any) -> list[Event]:
    """Events out of whatever a source returned: a result model holding records in `.events`,
    `.commands` (and `.notes`: API errors, compactions, hook denials), `.entries`, `.reports` or
    `.items`, or an iterable of records. A record is an `Event`, or has `.to_event()`."""
    if result is None:
        return []
    if isinstance(result, (list, tuple)) or inspect.isgenerator(result) or isinstance(result, Iterator):
        groups: list[Any] = [result]
    else:
        groups = [getattr(result, name) for name in _RECORD_FIELDS if isinstance(getattr(result, name, None), list)]
    out: list[Event] = []
    for group in groups:
        for item in group:
            ev = _to_event(item, result)
            if ev is not None:
                out.append(ev)
    return out


def _runs_and_warnings(result: Any, name: str) -> tuple[list[SourceRun], list[ParseWarning]]:
    runs = []
    for field_name in ("sources", "consulted", "runs"):
        for r in getattr(result, field_name, None) or []:
            if isinstance(r, SourceRun):
                runs.append(r)
    warnings = [w for w in (getattr(result, "warnings", None) or []) if isinstance(w, ParseWarning)]
    return runs, warnings


def _load(lane: str) -> tuple[Optional[Callable[..., Any]], Optional[str]]:
    module, fn = SOURCE_FUNCTIONS[lane]
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name and module.startswith(exc.name):
            return None, f"{module} is not part of this build"
        return None, f"{module} could not be imported: {exc}"
    f = getattr(mod, fn, None)
    if f is None:
        return None, f"{module} has no {fn}()"
    return f, None


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _call(fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Call a source with the keyword arguments it accepts (others are dropped)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn(**kwargs)
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return fn(**{k: v for k, v in kwargs.items() if v is not None})
    return fn(**{k: v for k, v in kwargs.items() if k in params and v is not None})


def _run_source(
    lane: str,
    kwargs: dict[str, Any],
    out: Collected,
    label: Optional[str] = None,
    *,
    required: Sequence[str] = (),
) -> None:
    """Run one source and add its events to `lane`.

    `required` names arguments the call is meaningless without (the files to read): a source
    whose function does not take them is reported unavailable rather than called without them,
    which would sweep the whole machine instead of the given files.
    """
    fn, why = _load(lane)
    if fn is None:
        out.runs.append(SourceRun(source=label or lane, status="unavailable", reason=why))
        return
    missing = [r for r in required if not _accepts(fn, r)]
    if missing:
        module, name = SOURCE_FUNCTIONS[lane]
        out.runs.append(
            SourceRun(source=label or lane, status="unavailable",
                      reason=f"{module}.{name}() takes no {', '.join(missing)} argument; cannot read given files")
        )
        return
    pages = 0
    cursor = None
    events: list[Event] = []
    truncated = False
    own_runs: list[SourceRun] = []
    try:
        while True:
            result = _call(fn, dict(kwargs, cursor=cursor, limit=SOURCE_LIMIT))
            events.extend(_as_events(result))
            runs, warnings = _runs_and_warnings(result, lane)
            if pages == 0:  # every page repeats what was consulted
                own_runs = runs
                out.runs.extend(runs)
            out.warnings.extend(warnings)
            cursor = getattr(result, "next_cursor", None)
            pages += 1
            if not cursor:
                break
            if pages >= MAX_PAGES:
                truncated = True
                break
    except Exception as exc:  # noqa: BLE001 - one failing source must not sink the others
        out.runs.append(SourceRun(source=label or lane, status="error", reason=f"{type(exc).__name__}: {exc}"))
        out.add(lane, events)
        return
    out.add(lane, events)
    if truncated or not own_runs:  # the source's own runs say what it read; add ours only when they do not
        out.runs.append(
            SourceRun(source=label or lane, status="partial" if truncated else "ok", events=len(events),
                      truncated=truncated, reason=f"stopped after {MAX_PAGES} pages" if truncated else None)
        )


def route_files(paths: Sequence[str | Path]) -> dict[str, list[str]]:
    """Which lane reads each file of the given files and folders."""
    routed: dict[str, list[str]] = {}
    for p in iter_files([str(x) for x in paths]):
        name = p.name.lower()
        if name.startswith(".") and not any(name.endswith(h) for h in _HISTORY_NAMES):
            continue
        if name.endswith(_NOT_EVIDENCE) or name in _FOLDER_META:
            continue
        if name.endswith(".events.jsonl"):
            lane = "events"
        elif name.endswith(".jsonl") and not name.endswith(".meta.jsonl"):
            lane = "sessions"
        elif any(name.endswith(h) for h in _HISTORY_NAMES):
            lane = "shell_history"
        elif name.endswith(_CRASH_SUFFIXES) or name.startswith("core"):
            lane = "crash_reports"
        else:
            lane = "logs"
        routed.setdefault(lane, []).append(str(p))
    return routed


def collect_lanes(
    start: datetime,
    end: datetime,
    *,
    sources: Optional[Sequence[str]] = None,
    paths: Sequence[str | Path] = (),
    project_dir: Optional[str] = None,
    process: Optional[Sequence[str]] = None,
    progress: Optional[ProgressFn] = None,
) -> Collected:
    """Events per lane for the window, from the machine (no `paths`) or from the given files.

    With `paths`, only those files are read, each by the lane `route_files` picks; without, the
    machine's own sources are swept (`sources` narrows which). Unknown source names are an error
    of the caller (`ValueError`).
    """
    wanted = list(sources) if sources else [l for l in LANES if l != "events"]
    unknown = [s for s in wanted if s not in LANES]
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(LANES)}")
    out = Collected()
    procs = list(process) if process else None

    def tell(lane: str, what: str) -> None:
        if progress:
            progress(lane, what)

    if paths:
        routed = route_files(paths)
        for lane, files in ((l, routed[l]) for l in LANES if l in routed):
            if lane not in wanted and not (sources is None):
                continue
            tell(lane, f"{len(files)} file(s)")
            if lane == "events":
                for f in files:
                    evs, warns = read_event_export(f)
                    out.add("events", evs)  # each event in the lane of the source that first read it
                    out.warnings.extend(warns)
                    out.runs.append(
                        SourceRun(source="events", path=f, events=len(evs), warnings=len(warns),
                                  status="partial" if warns else "ok")
                    )
                continue
            if lane == "sessions":
                fn, _ = _load("sessions")
                if fn is not None and not _accepts(fn, "paths") and _accepts(fn, "session"):
                    for f in files:  # one transcript file at a time
                        _run_source("sessions", {"session": f, "start": start, "end": end, "include_results": True},
                                    out, label=f"sessions:{Path(f).name}", required=("session",))
                    continue
                _run_source("sessions", {"paths": files, "start": start, "end": end, "include_results": True}, out,
                            required=("paths",))
                continue
            kwargs = {"start": start, "end": end, "paths": files,
                      "process": (procs[0] if procs and len(procs) == 1 else None) if lane == "crash_reports" else procs}
            if lane == "logs":
                kwargs["source"] = "file"  # log_show: read the given files, not the machine's logs
            _run_source(lane, kwargs, out, required=("paths",))
        return out

    for lane in wanted:
        tell(lane, "sweeping")
        if lane == "events":
            continue
        kwargs: dict[str, Any] = {"start": start, "end": end}
        if lane == "logs":
            kwargs["process"] = procs
        if lane == "crash_reports" and procs and len(procs) == 1:
            kwargs["process"] = procs[0]  # one process filter; several: every report of the window
        if lane == "sessions":
            kwargs.update(project_dir=project_dir, all_projects=project_dir is None, include_results=True)
        if lane == "git":
            repo = project_dir or (os.getcwd() if Path(os.getcwd(), ".git").exists() else None)
            if not repo:
                out.runs.append(SourceRun(source="git", status="unavailable",
                                          reason="no project folder given and the current folder is not a git "
                                                 "repository (git activity is read per repository)"))
                continue
            kwargs["repo"] = repo
        _run_source(lane, kwargs, out)
    return out


def collect_categories(
    start: datetime, end: datetime, targets: Sequence[str] = (), paths: Sequence[str] = ()
) -> tuple[Any, Optional[str]]:
    """The eight-category sweep (`analysis.evidence.collect_evidence`), or (None, why it is unavailable)."""
    try:
        mod = importlib.import_module("mcp_server.analysis.evidence")
        fn = getattr(mod, "collect_evidence")
    except (ImportError, AttributeError) as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name and "mcp_server.analysis.evidence".startswith(exc.name):
            return None, "mcp_server.analysis.evidence.collect_evidence is not part of this build"
        return None, f"mcp_server.analysis.evidence.collect_evidence could not be loaded: {exc}"
    try:
        return _call(fn, {"start": start, "end": end, "targets": list(targets), "paths": list(paths) or None}), None
    except Exception as exc:  # noqa: BLE001
        return None, f"collect_evidence failed: {type(exc).__name__}: {exc}"


def iter_all(collected: Collected) -> Iterator[Event]:
    for evs in collected.lanes.values():
        yield from evs


__all__ = [
    "Collected",
    "LANES",
    "collect_categories",
    "collect_lanes",
    "iter_all",
    "read_event_export",
    "route_files",
    "write_event_export",
]
