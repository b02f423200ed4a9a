"""Evidence from system logs: `log_show` (filtered, paged events from any log source) and
`collect_evidence` (the eight-category sweep of one time window).

Both say exactly what they consulted (`SourceRun`: the argv that ran, the file read, counts,
truncation, the reason a source was unavailable), so "nothing found" can be told apart from
"could not look". Sources:
- `macos`: `log show --style ndjson` on this Mac, or on a `.logarchive` given in `paths`;
- `journald`: `journalctl -o json`, on this machine or on journal files/folders given in `paths`;
- `file`: text logs given in `paths` (files, folders, `.gz` rotations), format detected per file.
`auto` reads the given paths, or when none are given the live log of this machine.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Optional, Sequence, Union

from pydantic import BaseModel, Field

from ..errors import InputError
from ..paths import SYSLOG_FILES
from ..models import CategoryStatus, Event, ParseWarning, SourceRun
from ..paging import next_page_hint, page
from ..sources import detect, formats
from ..sources import applog as _applog  # noqa: F401 - registers the app-log formats
from ..sources import dmesg as _dmesg  # noqa: F401 - registers the dmesg formats
from ..sources import journald, macos_log
from ..sources import syslog as _syslog  # noqa: F401 - registers the syslog formats
from ..sources._io import looks_binary, read_head
from ..sources._logevent import LEVEL_RANK, LogFilter, is_kernel
from ..sources._proc import which
from ..timeutil import parse_window, to_utc_iso
from .categories import BY_NAME, CATEGORIES, Category, sweep_predicate

SourceChoice = Literal["auto", "macos", "journald", "file"]

#: Most events one call collects before sorting and paging (the rest is reported as truncated).
MAX_COLLECT = 20_000
#: Most warnings returned (the total is always given).
MAX_WARNINGS = 50
DEFAULT_TIMEOUT = 60.0


class LogShowResult(BaseModel):
    """Events from system logs, oldest first, and what was consulted to find them."""

    start: str = Field(description="Window start (UTC).")
    end: str = Field(description="Window end (UTC).")
    events: list[Event]
    total: int = Field(description="Matching events collected (all pages).")
    next_cursor: Optional[str] = None
    hint: Optional[str] = Field(None, description="How to get the next page, when there is one.")
    truncated: bool = Field(False, description="A source stopped at a limit: narrow the window or add filters.")
    consulted: list[SourceRun] = Field(description="Every source consulted: argv or path, status, counts, reason.")
    warnings: list[ParseWarning] = Field(default_factory=list)
    warnings_total: int = 0


def _as_list(value: Union[str, Sequence[str], None]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()] if "," in value else ([value] if value.strip() else [])
    return [str(v) for v in value if str(v).strip()]


def _priority(value: Union[int, str, None]) -> Optional[int]:
    if value is None or value == "":
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        p = int(value)
        if not 0 <= p <= 7:
            raise InputError("priority must be 0 (emerg) … 7 (debug) or a name such as 'err'")
        return p
    rank = LEVEL_RANK.get(str(value).lower())
    if rank is None:
        raise InputError(f"unknown priority {value!r}: use 0-7 or emerg, alert, crit, err, warning, notice, info, debug")
    return rank


def _platform_source() -> tuple[Optional[str], Optional[str]]:
    """The live system log of this machine: ('macos'|'journald', None) or (None, why not)."""
    if sys.platform == "darwin" and which("log"):
        return "macos", None
    if which("journalctl"):
        return "journald", None
    if sys.platform == "darwin":
        return None, "`log` was not found on this Mac"
    return None, "no system log reader here: `journalctl` is not installed and this is not macOS (`log`)"


class _Collector:
    """Runs the sources for one query and gathers events, runs and warnings."""

    def __init__(self, flt: LogFilter, *, zone: Optional[str], timeout: float, max_events: int = MAX_COLLECT) -> None:
        self.flt = flt
        self.zone = zone
        self.timeout = timeout
        self.max_events = max_events
        self.events: list[Event] = []
        self.runs: list[SourceRun] = []
        self.warnings: list[ParseWarning] = []
        self.truncated = False

    @property
    def room(self) -> int:
        return max(0, self.max_events - len(self.events))

    def _add(self, events: list[Event], run: SourceRun, warnings: list[ParseWarning]) -> None:
        self.events.extend(events)
        self.runs.append(run)
        self.warnings.extend(warnings)
        self.truncated = self.truncated or run.truncated

    # live sources -------------------------------------------------------------------------------

    def macos(self, *, info_debug: bool, raw_predicate: Optional[str], archive: Optional[str] = None,
              extra_predicate: Optional[str] = None) -> None:
        f = self.flt
        assert f.start is not None and f.end is not None
        pred = raw_predicate
        if extra_predicate:
            pred = f"({pred}) AND ({extra_predicate})" if pred else extra_predicate
        q = macos_log.MacosQuery(
            start=f.start, end=f.end, processes=list(f.processes), contains=f.contains, subsystem=f.subsystem,
            category=f.category, priority=f.priority, kernel=f.kernel_only, raw_predicate=pred, info_debug=info_debug,
            archive=archive,
        )
        res = macos_log.query_log(q, max_events=self.room or 1, timeout=self.timeout, flt=f)
        self._add(res.events, res.run, res.warnings)

    def journal(self, *, directory: Optional[str] = None, files: Optional[list[str]] = None) -> None:
        f = self.flt
        assert f.start is not None and f.end is not None
        # journalctl ANDs different fields: push names down as _COMM=, pids as _PID=, but not a mix
        # of both (the filter below still applies every value)
        names = [p for p in f.processes if not p.isdigit()]
        pids = [int(p) for p in f.processes if p.isdigit()]
        q = journald.JournalQuery(
            since=f.start, until=f.end, processes=names if not pids else [], pids=pids if not names else [],
            units=list(f.units), identifiers=list(f.identifiers), kernel=f.kernel_only, priority=f.priority,
            directory=directory, files=files or [],
        )
        res = journald.query_journal(q, max_events=self.room or 1, timeout=self.timeout, flt=f)
        self._add(res.events, res.run, res.warnings)

    # files --------------------------------------------------------------------------------------

    def text_file(self, path: Path, *, forced: Optional[str] = None) -> Optional[str]:
        """Parse one text log; returns the format name used (None when unreadable/unknown)."""
        p = str(path)
        run = SourceRun(source="file", path=p)
        if not path.exists():
            run.status, run.reason = "unavailable", f"{p}: no such file"
            self.runs.append(run)
            return None
        if not os.access(path, os.R_OK):
            run.status, run.reason = "unavailable", f"{p}: permission denied (run as a user who can read it, or copy it)"
            self.runs.append(run)
            self.warnings.append(ParseWarning(source="file", path=p, message=run.reason))
            return None
        head = read_head(path)
        if looks_binary(head):
            run.status, run.reason = "unavailable", f"{p}: binary data, not a text log"
            self.runs.append(run)
            return None
        text = head.decode("utf-8", "replace")
        fmt_cls = formats().get(forced) if forced else None
        if fmt_cls is None:
            found = detect(text)
            fmt_cls = found[0] if found else None
        if fmt_cls is None:
            run.status = "unavailable"
            run.reason = f"{p}: not a log format rca reads"
            self.runs.append(run)
            return None
        run.source = fmt_cls.NAME
        warnings: list[ParseWarning] = []
        events: list[Event] = []
        options = {"filter": self.flt, "zone": self.zone, "reference": self.flt.end}
        for ev in fmt_cls().parse(p, warnings, **options):
            if len(events) >= self.room:
                run.truncated = True
                break
            events.append(ev)
        run.events = len(events)
        run.warnings = len(warnings)
        if any("stopped reading" in w.message or "permission" in w.message for w in warnings):
            run.status = "partial"
        self._add(events, run, warnings)
        return fmt_cls.NAME

    def paths(self, paths: list[str], choice: SourceChoice, *, info_debug: bool, raw_predicate: Optional[str]) -> None:
        for raw in paths:
            p = Path(raw).expanduser()
            if macos_log.is_logarchive(raw):
                self.macos(info_debug=info_debug, raw_predicate=raw_predicate, archive=str(p))
            elif p.is_dir() and _is_journal_dir(p):
                self.journal(directory=str(p))
            elif p.is_file() and p.name.endswith((".journal", ".journal~")):
                self.journal(files=[str(p)])
            elif p.is_dir():
                if not os.access(p, os.R_OK | os.X_OK):
                    self.runs.append(SourceRun(source="file", path=str(p), status="unavailable", reason=f"{p}: permission denied"))
                    continue
                for child in _walk(p, self.warnings):
                    if self.room <= 0:
                        self.truncated = True
                        break
                    if child.name.endswith((".journal", ".journal~")):
                        self.journal(files=[str(child)])
                    else:
                        self.text_file(child)
            else:
                self.text_file(p)
            if self.room <= 0:
                self.truncated = True
                break


def _is_journal_dir(p: Path) -> bool:
    try:
        for child in p.iterdir():
            if child.name.endswith((".journal", ".journal~")):
                return True
            if child.is_dir() and len(child.name) == 32:  # /var/log/journal/<machine-id>/
                if any(c.name.endswith(".journal") for c in child.iterdir()):
                    return True
    except OSError:
        return False
    return False


def _walk(folder: Path, warnings: list[ParseWarning], limit: int = 2000) -> list[Path]:
    """Files under a folder (links not followed), unreadable sub-folders reported, bounded."""
    out: list[Path] = []

    def onerror(exc: OSError) -> None:
        warnings.append(ParseWarning(source="file", path=getattr(exc, "filename", None), message=f"cannot list: {exc.strerror or exc}"))

    for root, dirs, files in os.walk(folder, onerror=onerror):
        dirs.sort()
        for name in sorted(files):
            child = Path(root) / name
            if child.is_symlink():
                continue
            out.append(child)
            if len(out) >= limit:
                warnings.append(ParseWarning(source="file", path=str(folder), message=f"more than {limit} files; read the first {limit}"))
                return out
    return out


_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)


def _sort_key(ev: Event) -> datetime:
    """Oldest first; events without a time (dmesg without a boot time) first; ties keep source order."""
    return ev.time or _NO_TIME


def _run_sources(
    flt: LogFilter, *, source: SourceChoice, paths: list[str], zone: Optional[str], timeout: float,
    info_debug: bool, raw_predicate: Optional[str], max_events: int = MAX_COLLECT,
) -> _Collector:
    col = _Collector(flt, zone=zone, timeout=timeout, max_events=max_events)
    if source == "file" and not paths:
        raise InputError("source='file' needs paths (files or folders of logs)")
    if paths:
        col.paths(paths, source, info_debug=info_debug, raw_predicate=raw_predicate)
        return col
    auto = source == "auto"
    if auto:
        live, why = _platform_source()
        if live is None:
            col.runs.append(SourceRun(source="system_log", status="unavailable", reason=why))
            return col
        source = live  # type: ignore[assignment]
    if source == "macos":
        col.macos(info_debug=info_debug, raw_predicate=raw_predicate)
    elif source == "journald":
        col.journal()
        if col.runs[-1].status == "unavailable" and auto:
            # no journal here: the classic syslog files, when the machine has them
            files = [f for f in SYSLOG_FILES if Path(f).exists()]
            for f in files:
                col.text_file(Path(f))
    return col


def log_show(
    start: Union[str, datetime, None] = None,
    end: Union[str, datetime, None] = None,
    *,
    process: Union[str, Sequence[str], None] = None,
    contains: Optional[str] = None,
    subsystem: Optional[str] = None,
    category: Optional[str] = None,
    unit: Union[str, Sequence[str], None] = None,
    identifier: Union[str, Sequence[str], None] = None,
    priority: Union[int, str, None] = None,
    kernel_only: bool = False,
    source: SourceChoice = "auto",
    paths: Optional[Sequence[str]] = None,
    predicate: Optional[str] = None,
    info_debug: bool = False,
    zone: Optional[str] = None,
    limit: int = 200,
    cursor: Optional[str] = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> LogShowResult:
    """Filtered events from system logs in a time window (default: the last hour), oldest first."""
    if source not in ("auto", "macos", "journald", "file"):
        raise InputError(f"unknown source {source!r}: use auto, macos, journald or file")
    t0, t1 = parse_window(start, end, zone=zone)
    procs = _as_list(process)
    path_list = _as_list(paths)
    flt = LogFilter(
        start=t0, end=t1, processes=tuple(procs), contains=contains or None, subsystem=subsystem or None,
        category=category or None, units=tuple(_as_list(unit)), identifiers=tuple(_as_list(identifier)),
        priority=_priority(priority), kernel_only=kernel_only,
    )
    col = _run_sources(flt, source=source, paths=path_list, zone=zone, timeout=timeout, info_debug=info_debug, raw_predicate=predicate)
    events = sorted(col.events, key=_sort_key)
    query = {
        "start": to_utc_iso(t0), "end": to_utc_iso(t1), "process": procs, "contains": contains, "subsystem": subsystem,
        "category": category, "unit": _as_list(unit), "identifier": _as_list(identifier), "priority": priority,
        "kernel_only": kernel_only, "source": source, "paths": path_list, "predicate": predicate, "info_debug": info_debug,
    }
    chunk, nxt, total = page(events, limit, cursor, query)
    return LogShowResult(
        start=to_utc_iso(t0) or "",
        end=to_utc_iso(t1) or "",
        events=chunk,
        total=total,
        next_cursor=nxt,
        hint=next_page_hint("log_show", nxt, len(chunk), total),
        truncated=col.truncated,
        consulted=col.runs,
        warnings=col.warnings[:MAX_WARNINGS],
        warnings_total=len(col.warnings),
    )


# --- the sweep -------------------------------------------------------------------------------------


class CategoryResult(BaseModel):
    """One evidence category for the window: found, not found, or unavailable (with the reason)."""

    category: str
    title: str
    status: CategoryStatus
    count: int = Field(0, description="Events (or reports) in this category in the window.")
    reason: Optional[str] = Field(None, description="Why the category could not be checked, or what limited it.")
    top: list[Event] = Field(default_factory=list, description="The most relevant events, newest last; cite their evidence_id.")
    argv: list[list[str]] = Field(default_factory=list, description="Commands that were run to look (reproducible).")
    paths: list[str] = Field(default_factory=list, description="Files read for this category.")
    definition: str = Field("", description="What was searched for on this platform.")


class EvidenceSweep(BaseModel):
    """Every category for one window: an empty category is a result, not an omission."""

    start: str
    end: str
    platform: str
    targets: list[str]
    categories: list[CategoryResult]
    consulted: list[SourceRun]
    truncated: bool = False
    warnings: list[ParseWarning] = Field(default_factory=list)
    warnings_total: int = 0


def _platform_of(ev: Event) -> str:
    return "macos" if ev.source.startswith(("macos", "pmset")) else "linux"


def _category_strength(cat: Category, ev: Event) -> int:
    """2: the message matches the category's patterns; 1: only its process belongs; 0: no match."""
    plat = _platform_of(ev)
    if cat.kernel_only and not is_kernel(ev):
        return 0
    rx = cat.regex(plat)
    if rx is not None and rx.search(ev.message):
        return 2
    return 1 if (ev.process or "").lower() in cat.processes(plat) else 0


def _matches_target(ev: Event, targets: list[str]) -> bool:
    names = {(ev.process or "").lower()}
    for key in ("SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT", "COREDUMP_COMM"):
        v = ev.extra.get(key)
        if isinstance(v, str):
            names.add(v.lower().removesuffix(".service"))
    msg = ev.message.lower()
    for t in targets:
        tl = t.lower()
        if tl.isdigit():
            if ev.pid == int(tl) or f"[{tl}]" in msg or f"pid {tl}" in msg or f"process {tl}" in msg:
                return True
        elif tl in names or tl[:15] in names or tl in msg:
            return True
    return False


def _severity(ev: Event) -> int:
    r = LEVEL_RANK.get((ev.level or "").lower())
    return 7 if r is None else r


def _top(events: list[Event], n: int, strength: Optional[dict[str, int]] = None) -> list[Event]:
    """The `n` most relevant: pattern matches first, then most severe, then newest; returned oldest first."""
    if len(events) <= n:
        return events
    st = strength or {}
    best = sorted(events, key=lambda e: (-st.get(e.evidence_id, 0), _severity(e), -(e.time.timestamp() if e.time else 0)))[:n]
    return sorted(best, key=_sort_key)


def _tmux_logs() -> list[str]:
    found: list[str] = []
    for folder in {Path.home(), Path.cwd()}:
        try:
            found += [str(p) for p in sorted(folder.glob("tmux-*.log")) if p.is_file()]
        except OSError:
            continue
    return found


def collect_evidence(
    start: Union[str, datetime, None] = None,
    end: Union[str, datetime, None] = None,
    targets: Union[str, Sequence[str], None] = None,
    *,
    paths: Optional[Sequence[str]] = None,
    app_log_paths: Optional[Sequence[str]] = None,
    source: SourceChoice = "auto",
    zone: Optional[str] = None,
    top: int = 5,
    timeout: float = 120.0,
    known_locations: bool = True,
) -> EvidenceSweep:
    """Run every evidence category over one window and say, per category, found / not found / unavailable."""
    t0, t1 = parse_window(start, end, zone=zone)
    target_list = _as_list(targets)
    path_list = _as_list(paths)
    # events without a wall-clock time (dmesg without a boot time) cannot be placed in the window
    flt = LogFilter(start=t0, end=t1, keep_untimed=False)
    # macOS: one `log show` whose predicate covers every category (the unified log is too big to read whole)
    col = _run_sources(flt, source=source, paths=path_list, zone=zone, timeout=timeout, info_debug=False,
                       raw_predicate=sweep_predicate(target_list), max_events=200_000)
    system_runs = list(col.runs)
    usable = [r for r in system_runs if r.status in ("ok", "partial")]
    unavailable_reason = None
    if not usable:
        reasons = [r.reason or f"{r.source} unavailable" for r in system_runs]
        unavailable_reason = _summarise(reasons) or "no system log source"
    argv = [r.argv for r in system_runs if r.argv]
    read_paths = [r.path for r in system_runs if r.path and not r.argv]
    platform = "macos" if any(r.source == "macos_log" for r in system_runs) or sys.platform == "darwin" else "linux"
    partial_note = None
    if col.truncated:
        partial_note = f"stopped after {len(col.events)} events: narrow the window for a complete sweep"
    elif any(r.status == "partial" for r in system_runs):
        partial_note = "; ".join(r.reason or "partial" for r in system_runs if r.status == "partial")

    results: list[CategoryResult] = []
    for cat in CATEGORIES:
        definition = _definition(cat, platform, target_list)
        if cat.origin == "crash_reports":
            results.append(_crash_category(cat, target_list, t0, t1, path_list, top, definition))
            continue
        if cat.origin == "app_logs":
            results.append(_app_category(cat, target_list, t0, t1, app_log_paths, known_locations, zone, top, definition, col))
            continue
        if cat.name == "target_process" and not target_list:
            results.append(CategoryResult(category=cat.name, title=cat.title, status="unavailable",
                                          reason="no target given: pass targets (process names or pids)", definition=definition))
            continue
        if unavailable_reason:
            results.append(CategoryResult(category=cat.name, title=cat.title, status="unavailable", reason=unavailable_reason,
                                          argv=argv, paths=read_paths, definition=definition))
            continue
        strength: dict[str, int] = {}
        if cat.name == "target_process":
            hits = [e for e in col.events if _matches_target(e, target_list)]
        else:
            hits = []
            for e in col.events:
                k = _category_strength(cat, e)
                if k:
                    hits.append(e)
                    strength[e.evidence_id] = k
        results.append(CategoryResult(
            category=cat.name, title=cat.title, status="found" if hits else "not_found", count=len(hits),
            reason=partial_note, top=_top(hits, top, strength), argv=argv, paths=read_paths, definition=definition,
        ))
    runs = col.runs
    if flt.untimed_dropped:
        col.warnings.insert(0, ParseWarning(
            source="collect_evidence",
            message=f"{flt.untimed_dropped} event(s) without a wall-clock time (dmesg seconds since boot, no boot time "
                    "known) were left out of the sweep; read them with log_show",
        ))
    return EvidenceSweep(
        start=to_utc_iso(t0) or "", end=to_utc_iso(t1) or "", platform=platform, targets=target_list,
        categories=results, consulted=runs, truncated=col.truncated, warnings=col.warnings[:MAX_WARNINGS],
        warnings_total=len(col.warnings),
    )


def _summarise(reasons: list[str], keep: int = 3) -> str:
    """Reasons joined, at most `keep` of them, with how many more there were."""
    text = "; ".join(reasons[:keep])
    if len(reasons) > keep:
        text += f"; and {len(reasons) - keep} more (see consulted)"
    return text


def _definition(cat: Category, platform: str, targets: list[str]) -> str:
    if platform == "macos":
        text = cat.macos_predicate
    else:
        text = ", ".join(cat.linux_matches)
        if cat.linux_patterns:
            text += " | messages: " + " | ".join(cat.linux_patterns)
    if targets:
        text = text.replace("<target>", targets[0])
    return text


def _crash_category(cat: Category, targets: list[str], t0: datetime, t1: datetime, paths: list[str], top: int, definition: str) -> CategoryResult:
    try:
        from ..sources.crash_reports import find_crash_reports  # the crash-report reader (another module)
    except ImportError:
        return CategoryResult(category=cat.name, title=cat.title, status="unavailable",
                              reason="crash-report reader not installed", definition=definition)
    reports: list = []
    argv: list[list[str]] = []
    consulted_paths: list[str] = []
    reasons: list[str] = []
    for proc in targets or [None]:
        res = find_crash_reports(process=proc, start=t0, end=t1, paths=paths or None, limit=50)
        reports += list(res.reports)
        for r in getattr(res, "consulted", []) or []:
            if getattr(r, "argv", None):
                argv.append(list(r.argv))
            if getattr(r, "path", None):
                consulted_paths.append(r.path)
            if getattr(r, "status", "ok") == "unavailable" and getattr(r, "reason", None):
                reasons.append(r.reason)
    seen: set[str] = set()
    unique = [r for r in reports if not (r.evidence_id in seen or seen.add(r.evidence_id))]
    status: CategoryStatus = "found" if unique else ("unavailable" if reasons and not consulted_paths and not argv else "not_found")
    top_events = [
        Event(evidence_id=r.evidence_id, data_type="crash:report", source="crash_reports", time=r.time,
              time_meaning="crashed", process=r.process, pid=getattr(r, "pid", None),
              message=" ".join(str(x) for x in (f"{r.kind} report:", getattr(r, "exception_type", None),
                                                getattr(r, "signal", None), r.path) if x),
              origin=str(r.path) if r.path else None)
        for r in unique[:top]
    ]
    return CategoryResult(category=cat.name, title=cat.title, status=status, count=len(unique),
                          reason=_summarise(reasons) or None, top=top_events, argv=argv, paths=consulted_paths,
                          definition=definition)


def _app_category(cat: Category, targets: list[str], t0: datetime, t1: datetime, app_paths: Optional[Sequence[str]],
                  known: bool, zone: Optional[str], top: int, definition: str, system: _Collector) -> CategoryResult:
    files = _as_list(app_paths)
    if known:
        files += [f for f in _tmux_logs() if f not in files]
    # app-log files among the sweep's own paths count too
    hits = [e for e in system.events if e.source == "applog"]
    col = _Collector(LogFilter(start=t0, end=t1), zone=zone, timeout=DEFAULT_TIMEOUT)
    if files:
        col.paths(files, "file", info_debug=False, raw_predicate=None)
        hits += col.events
    read = [r.path for r in col.runs if r.path] + [r.path for r in system.runs if r.source == "applog" and r.path]
    if not files and not hits:
        return CategoryResult(category=cat.name, title=cat.title, status="not_found",
                              reason="no application log given and none at known locations (tmux-*.log)", definition=definition)
    if targets:
        targeted = [e for e in hits if _matches_target(e, targets)]
        ranked = targeted or hits
    else:
        ranked = hits
    problems = [r.reason for r in col.runs if r.status == "unavailable" and r.reason]
    problem_text = _summarise(problems)
    status: CategoryStatus = "found" if hits else ("unavailable" if problems and len(problems) == len(col.runs) else "not_found")
    return CategoryResult(category=cat.name, title=cat.title, status=status, count=len(hits),
                          reason=problem_text or None, top=_top(ranked, top), paths=read, definition=definition)


__all__ = ["log_show", "collect_evidence", "LogShowResult", "EvidenceSweep", "CategoryResult", "BY_NAME"]
