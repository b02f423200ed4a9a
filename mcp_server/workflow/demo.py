"""`rca demo`: the full timeline and report of an incident folder, drafted without a human.

An incident folder holds evidence files as they were found — Claude Code transcripts (`*.jsonl`),
shell histories, logs, crash reports, rca event exports (`*.events.jsonl`) — and optionally an
`incident.json` naming the incident, the window and the targets:

    {"incident": "tmux server died during an agent run", "start": "2026-11-21T02:45:00Z",
     "end": "2026-11-21T03:30:00Z", "targets": ["tmux"], "zone": "UTC"}

`run_demo` reads every file through the collection glue (a reader missing from this build is
reported, not hidden), merges the timeline, asks the root-cause heuristics for a class, and
drafts an investigation from them: the causal chain (the triggering evidence and the target's
death after it), the last command before the failure, the evidence categories found in the
folder, ruled-out classes, and an explicit unknown saying the draft is heuristic. The draft goes
through the same validated report renderer as a real investigation, and the HTML timeline is
written beside it.

The bundled example is `mcp_server/examples/tmux-killed` (package data, so `pip install .`
ships it).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Optional, Sequence

from pydantic import BaseModel, Field

from ..analysis.collect import collect_lanes
from ..analysis.root_cause import CLASSES, RULES, Suggestion, suggest_class
from ..analysis.timeline import ClockSkew, LaneSummary, Timeline, TimelineEntry, merge_timeline
from ..errors import InputError
from ..models import Event, SourceRun
from ..timeutil import parse_time, to_utc_iso
from .report import EVIDENCE_CATEGORIES, write_report
from .state import EvidenceRef, Finding, Investigation, LedgerEntry
from .timeline_html import render_timeline_html

EXAMPLE_NAME = "tmux-killed"
DEMO_ID = "RCA-000"
_DEATH = re.compile(
    r"exited|killed|terminated|crash|segfault|core dumped|Failed with result|Deactivated|Consumed .* CPU time|"
    r"server exited|lost server|no server running|Stopped|\bis gone\b|shutting down|caught SIG[A-Z]+",
    re.I,
)
#: Without targets, what dies within this long after the triggering evidence is the symptom.
DEATH_AFTER = timedelta(seconds=60)
_COMMAND_KINDS = ("tool", "command", "history", "bash")
#: Sources that are the system's own records (everything else read from a folder is an app log).
_SYSTEM_SOURCES = ("journald", "macos_log", "syslog", "kernel", "dmesg", "crash_reports", "claude_transcripts",
                   "shell_history", "git")


class DemoResult(BaseModel):
    folder: str
    out_dir: str
    incident: str
    window_start: Optional[datetime] = None
    window_end: Optional[datetime] = None
    html_path: str
    markdown_path: str
    json_path: str
    timeline_path: str = Field(description="The merged timeline as JSON.")
    verdict: str
    root_cause_class: Optional[str] = None
    root_cause: Optional[str] = None
    chain: list[TimelineEntry] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    lanes: list[LaneSummary] = Field(default_factory=list)
    events: int = 0
    clock_skew: list[ClockSkew] = Field(default_factory=list)
    sources: list[SourceRun] = Field(default_factory=list)
    unavailable: list[str] = Field(default_factory=list, description="Readers this build or machine lacks, with why.")
    warnings: int = 0


def example_candidates() -> list[Path]:
    pkg = Path(__file__).resolve().parent.parent
    return [pkg / "examples" / EXAMPLE_NAME]


def default_example() -> Path:
    """The bundled example incident folder (package data first, then the source checkout)."""
    for p in example_candidates():
        if p.is_dir():
            return p
    raise InputError(
        "the bundled example incident is not in this build (looked in "
        + ", ".join(str(p) for p in example_candidates())
        + "); give an incident folder: rca demo <folder>"
    )


def _meta(folder: Path) -> dict:
    f = folder / "incident.json"
    if not f.exists():
        return {}
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {f}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{f} must hold a JSON object")
    return data


def _death_time(folder: Path, zone: Optional[str]) -> Optional[datetime]:
    """The failure time from a `DEATH_TIME` file (one timestamp), when the folder has one."""
    f = folder / "DEATH_TIME"
    if not f.is_file():
        return None
    try:
        return parse_time(f.read_text(encoding="utf-8", errors="replace")[:100].strip(), zone=zone)
    except (OSError, InputError) as exc:
        raise InputError(f"cannot read the failure time in {f}: {exc}") from exc


def _readme_title(folder: Path) -> Optional[str]:
    """The incident's name from the folder's README heading ('# Example incident: "…"' → '…')."""
    f = folder / "README.md"
    try:
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh.read(8192).splitlines():
                if line.startswith("# "):
                    title = re.sub(r"^(example\s+)?incident\s*:\s*", "", line[2:].strip(), flags=re.I)
                    return title.strip().strip('"“”') or None
    except OSError:
        return None
    return None


def _is_command(e: TimelineEntry) -> bool:
    return any(k in e.data_type for k in _COMMAND_KINDS)


def _mentions(e: TimelineEntry, targets: Sequence[str]) -> bool:
    text = f"{e.process or ''} {e.message}".lower()
    return any(t.lower() in text for t in targets)


def categorise(entries: Sequence[TimelineEntry], targets: Sequence[str]) -> dict[str, str]:
    """found / not_found per evidence category, over the folder's own events (offline sweep)."""

    def rules(cls: str, *, event_rules_only: bool = False) -> list[re.Pattern[str]]:
        # event_rules_only: leave out rules about commands someone ran (a kill command is not a signal seen)
        return [r.pattern for r in RULES if r.cls == cls and not (event_rules_only and r.kinds is not None)]

    memory = [r.pattern for r in RULES if r.cls == "resource_exhaustion"][:3]  # OOM killer, oomd, jetsam
    signals = rules("process_killed", event_rules_only=True)
    checks: dict[str, Callable[[TimelineEntry], bool]] = {
        "target_process": lambda e: bool(targets) and _mentions(e, targets),
        "code_signing": lambda e: any(p.search(e.message) for p in rules("code_signing")),
        "signals": lambda e: not _is_command(e) and any(p.search(e.message) for p in signals),
        "memory_pressure": lambda e: any(p.search(e.message) for p in memory),
        "power": lambda e: any(p.search(e.message) for p in rules("power_event")),
        "kernel": lambda e: (e.process or "").lower() == "kernel" or "kernel" in e.data_type or "dmesg" in e.data_type,
        "crash_reports": lambda e: e.lane == "crash_reports" or e.source == "crash_reports",
        "app_logs": lambda e: not _is_command(e) and e.source not in _SYSTEM_SOURCES,
    }
    return {cat: ("found" if any(checks[cat](e) for e in entries) else "not_found") for cat in EVIDENCE_CATEGORIES}


def _short(e: TimelineEntry, n: int = 160) -> str:
    m = " ".join(e.message.split())
    return m if len(m) <= n else m[: n - 1] + "…"


def draft_investigation(
    incident: str,
    timeline: Timeline,
    suggestions: list[Suggestion],
    *,
    targets: Sequence[str],
    project_dir: str,
    now: datetime,
) -> Investigation:
    """An investigation drafted from heuristics, citing only the timeline's own evidence."""
    entries = [e for e in timeline.entries if e.time is not None]
    by_id: dict[str, TimelineEntry] = {}
    for e in entries:
        by_id[e.evidence_id] = e
        for s in e.also_seen:
            by_id.setdefault(s.evidence_id, e)
    evidence = {
        e.evidence_id: EvidenceRef(evidence_id=e.evidence_id, tool="rca demo", seq=1, time=e.time, source=e.lane,
                                   summary=_short(e, 200))
        for e in entries
    }
    cats = categorise(entries, targets)
    ledger = [
        LedgerEntry(seq=1, time=now, tool="rca demo", arguments={"targets": list(targets)},
                    counts={"events": len(entries), "lanes": len(timeline.lanes)},
                    evidence_ids=list(evidence), categories=cats)  # type: ignore[arg-type]
    ]
    findings: list[Finding] = []

    def add(kind: str, text: str, ids: Sequence[str] = (), **kw: object) -> None:
        findings.append(Finding(id=f"F-{len(findings) + 1}", kind=kind, text=text, evidence_ids=list(ids), time=now, **kw))  # type: ignore[arg-type]

    top = suggestions[0] if suggestions else None
    trigger = sorted({by_id[i].evidence_id: by_id[i] for i in (top.evidence_ids if top else []) if i in by_id}.values(),
                     key=lambda e: e.time)  # type: ignore[arg-type, return-value]
    start_at = trigger[0].time if trigger else None
    deaths = [
        e for e in entries
        if _DEATH.search(e.message) and not _is_command(e)
        and (start_at is None or e.time >= start_at)  # type: ignore[operator]
        and (_mentions(e, targets) if targets else (start_at is not None and e.time - start_at <= DEATH_AFTER))  # type: ignore[operator]
    ]
    chain: list[TimelineEntry] = []
    for e in trigger[:5] + deaths[:3]:
        if e not in chain:
            chain.append(e)
    chain.sort(key=lambda e: (e.time, not _is_command(e)))  # a command before what it caused, at equal times
    failure_at = deaths[0].time if deaths else (chain[-1].time if chain else None)

    window = f"{to_utc_iso(timeline.start)} → {to_utc_iso(timeline.end)}"
    add("scope", f"Incident: {incident}. Window {window}; targets: {', '.join(targets) or 'none given'}.",
        [deaths[0].evidence_id] if deaths else [])
    commands = [e for e in entries if _is_command(e) and (failure_at is None or e.time <= failure_at)]  # type: ignore[operator]
    if commands:
        last = commands[-1]
        add("last_command", f"Last command before the failure: `{_short(last, 120)}` ({last.lane}, {to_utc_iso(last.time)})",
            [last.evidence_id])
    for i, e in enumerate(chain, 1):
        add("chain_link", f"[{e.lane}] {_short(e)}", [e.evidence_id], order=i)
    if top and trigger:
        first = trigger[0]
        add("root_cause", f"`{_short(first, 120)}` ({first.lane}, {to_utc_iso(first.time)}): "
            f"{re.sub(r' [(][0-9]+×[)]$', '', top.reasons[0])}", [first.evidence_id], confidence=top.confidence)
    if deaths:
        add("symptom", f"{_short(deaths[-1])}", [deaths[-1].evidence_id])
    names = {"memory_pressure": "resource_exhaustion", "power": "power_event", "code_signing": "code_signing"}
    what = {"memory_pressure": "no OOM-killer, oomd or jetsam entry", "power": "no sleep, wake or shutdown entry",
            "code_signing": "no AMFI, code-signature or security-policy denial"}
    for cat, cls_name in names.items():
        if cats.get(cat) == "not_found" and (not top or top.root_cause_class != cls_name):
            add("ruled_out", f"{CLASSES[cls_name].title}: {what[cat]} among the {len(entries)} events of the folder "
                f"({cat}: not found)")
    add("unknown", "Drafted by `rca demo` from heuristics over the folder's evidence: an investigator confirms or "
        "corrects each link before acting on it.")
    if top:
        add("action_item", CLASSES[top.root_cause_class].remediation[0])
    verdict = "LIKELY" if top and top.confidence >= 0.8 and trigger else "INCONCLUSIVE"
    add("verdict", f"{verdict} (heuristic confidence {top.confidence:.0%})" if top else verdict,
        [trigger[0].evidence_id] if trigger else [], verdict=verdict)
    return Investigation(
        id=DEMO_ID, mode="strategic", status="closed", incident=incident, project_dir=project_dir,
        window_start=timeline.start, window_end=timeline.end, targets=list(targets), phase="report",
        ledger=ledger, evidence=evidence, findings=findings,
        root_cause_class=top.root_cause_class if top else None, created=now, updated=now, closed=now,
        close_reason="rca demo draft",
    )


def run_demo(
    folder: Optional[str | Path] = None,
    out_dir: Optional[str | Path] = None,
    *,
    now: Optional[datetime] = None,
    progress: Optional[Callable[[str, str], None]] = None,
) -> DemoResult:
    """Build the timeline, the drafted report and the HTML picture of an incident folder."""
    src = Path(folder).expanduser() if folder else default_example()
    if not src.is_dir():
        raise InputError(f"{src} is not an incident folder")
    meta = _meta(src)
    now = now or datetime.now(timezone.utc)
    zone = meta.get("zone")
    death = _death_time(src, zone)
    if meta.get("start"):
        start = parse_time(meta.get("start"), zone=zone)
    else:
        start = death - timedelta(hours=1) if death else now - timedelta(days=3650)
    if meta.get("end"):
        end = parse_time(meta.get("end"), zone=zone)
    else:
        end = death + timedelta(minutes=10) if death else now + timedelta(days=1)
    if start and end and start > end:
        raise InputError(f"incident.json: start {to_utc_iso(start)} is after end {to_utc_iso(end)}")
    targets = [str(t) for t in meta.get("targets", []) if str(t).strip()]
    incident = str(meta.get("incident") or _readme_title(src) or f"incident in {src.name}")
    out = Path(out_dir).expanduser() if out_dir else Path.cwd() / f"rca-demo-{src.name}"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {out}: {exc.strerror or exc}") from exc

    collected = collect_lanes(start, end, paths=[str(src)], progress=progress)  # type: ignore[arg-type]
    timeline = merge_timeline(collected.lanes, start, end)
    timeline.sources = collected.runs
    timeline.warnings = collected.warnings[:200]
    in_window: list[Event] = [
        ev for evs in collected.lanes.values() for ev in evs
        if ev.time is not None and start <= ev.time <= end  # type: ignore[operator]
    ]
    suggestions = suggest_class(in_window)
    inv = draft_investigation(incident, timeline, suggestions, targets=targets, project_dir=str(out), now=now)
    written = write_report(inv, out, out, now=now)
    chain_ids = [i for f in inv.findings if f.kind == "chain_link" for i in f.evidence_ids]
    html_path = out / "timeline.html"
    html_path.write_text(
        render_timeline_html(timeline, chain=chain_ids, title=f"{incident}", subtitle=f"rca demo of {src.name}:"),
        encoding="utf-8",
    )
    tl_path = out / "timeline.json"
    tl_path.write_text(timeline.model_dump_json(indent=2), encoding="utf-8")
    index = {e.evidence_id: e for e in timeline.entries}
    roots = [f.text for f in inv.findings if f.kind == "root_cause"]
    return DemoResult(
        folder=str(src), out_dir=str(out), incident=incident, window_start=start, window_end=end,
        html_path=str(html_path), markdown_path=written.markdown_path, json_path=written.json_path,
        timeline_path=str(tl_path), verdict=written.verdict, root_cause_class=inv.root_cause_class,
        root_cause=roots[0] if roots else None, chain=[index[i] for i in chain_ids if i in index],
        suggestions=suggestions[:5], lanes=timeline.lanes, events=timeline.total, clock_skew=timeline.clock_skew,
        sources=collected.runs,
        unavailable=[f"{r.source}: {r.reason}" for r in collected.runs if r.status in ("unavailable", "error")],
        warnings=len(collected.warnings),
    )


__all__ = ["DemoResult", "categorise", "default_example", "draft_investigation", "run_demo"]
