"""`rca scan`: one sweep of the machine's evidence for a window — categories, timeline, suggested classes.

Runs the eight-category evidence sweep (`collect_evidence`, when this build has it) and every
timeline source through the collection glue, then merges the timeline and asks the root-cause
heuristics for suggestions over all in-window events. What could not be consulted is listed with
the reason; nothing is left out silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Optional, Sequence

from pydantic import BaseModel, Field

from ..errors import InputError
from ..models import CategoryStatus, SourceRun
from ..timeutil import parse_window
from .collect import collect_categories, collect_lanes
from .root_cause import Suggestion, suggest_class
from .timeline import Timeline, merge_timeline


class CategorySummary(BaseModel):
    category: str
    status: CategoryStatus
    events: int = 0
    reason: Optional[str] = None
    evidence_ids: list[str] = Field(default_factory=list, description="Top events of the category.")


class ScanResult(BaseModel):
    start: datetime
    end: datetime
    process: list[str] = Field(default_factory=list)
    categories: list[CategorySummary] = Field(default_factory=list)
    categories_unavailable: Optional[str] = Field(None, description="Why the category sweep could not run, if it could not.")
    timeline: Timeline
    suggestions: list[Suggestion] = Field(default_factory=list)
    sources: list[SourceRun] = Field(default_factory=list)
    unavailable: list[str] = Field(default_factory=list, description="Sources not consulted, each with the reason.")


def _categories_from(result: Any) -> list[CategorySummary]:
    """Category rows out of a collect_evidence result (a list of per-category models, or a dict)."""
    raw = getattr(result, "categories", result)
    items = list(raw.items()) if isinstance(raw, dict) else [(None, c) for c in (raw or [])]
    rows = []
    for key, c in items:
        name = key or getattr(c, "category", None) or getattr(c, "name", None)
        status = getattr(c, "status", None) or (c.get("status") if isinstance(c, dict) else None)
        if not name or status not in ("found", "not_found", "unavailable"):
            continue
        events = getattr(c, "events", None)
        if events is None:
            events = getattr(c, "top", None)  # collect_evidence: the category's top events
        count = getattr(c, "count", None)
        if isinstance(events, list):
            ids = [getattr(e, "evidence_id", "") for e in events][:5]
            n = count if isinstance(count, int) else len(events)
        else:
            ids = []
            n = events if isinstance(events, int) else (count if isinstance(count, int) else 0)
        rows.append(
            CategorySummary(category=str(name), status=status, events=n, reason=getattr(c, "reason", None), evidence_ids=ids)
        )
    return rows


def scan(
    start: object = None,
    end: object = None,
    *,
    process: Sequence[str] = (),
    paths: Sequence[str] = (),
    project_dir: Optional[str] = None,
    zone: Optional[str] = None,
    limit: int = 200,
    progress: Optional[Callable[[str, str], None]] = None,
) -> ScanResult:
    s, e = parse_window(start, end, zone=zone)  # type: ignore[arg-type]
    if limit < 1:
        raise InputError("limit must be at least 1")
    if progress:
        progress("categories", "evidence sweep")
    cats, why = collect_categories(s, e, targets=list(process), paths=list(paths))
    collected = collect_lanes(
        s, e, paths=list(paths), project_dir=project_dir, process=list(process) or None, progress=progress
    )
    timeline = merge_timeline(collected.lanes, s, e)
    in_window = [ev for evs in collected.lanes.values() for ev in evs if ev.time is not None and s <= ev.time <= e]
    suggestions = suggest_class(in_window)
    timeline.sources = collected.runs
    timeline.warnings = collected.warnings[:100]
    timeline.entries = timeline.entries[-limit:]  # the latest events are the ones nearest the failure
    return ScanResult(
        start=s, end=e, process=list(process), categories=_categories_from(cats) if cats is not None else [],
        categories_unavailable=why, timeline=timeline, suggestions=suggestions, sources=collected.runs,
        unavailable=[
            f"{r.source}{' ' + r.path if r.path else ''}: {r.reason}"
            for r in collected.runs if r.status in ("unavailable", "error")
        ]
        + ([f"categories: {why}"] if why else []),
    )


__all__ = ["CategorySummary", "ScanResult", "scan"]
