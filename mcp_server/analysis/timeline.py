"""One chronological timeline from every evidence source: lanes, de-duplication, clock skew.

`merge_timeline` takes one iterable of `Event`s per lane (a lane is a source as the reader sees
it: `journald`, `syslog`, `claude_transcripts`, `shell_history`, …) and returns a `Timeline`:

- **Merge**: lanes are merged with `heapq.merge`, so each lane is read once, lazily. Sources
  mostly yield in time order; a small re-order buffer per lane absorbs local disorder
  (multi-threaded writers), and an event older than what its lane already emitted is still kept
  and placed by binary insertion (counted as `out_of_order` on its lane). Nothing is dropped:
  events outside the window are counted, events without a usable time are kept apart in
  `untimed`.
- **De-duplication**: the same record seen through two sources (a journald entry and the same
  line in /var/log/syslog; a crash report and its journal entry) has the same process and
  message text in two lanes within a small tolerance (syslog keeps whole seconds, journald
  microseconds). One entry is kept (the one with the richest time and fields); the other's lane
  and evidence id are listed in its `also_seen`, so a citation of either id still resolves.
- **Clock skew**: the classic trap is a source whose local-time stamps were read as if UTC
  (or a UTC transcript compared with local-time logs). Two detectors, both reported as
  `ClockSkew` with the suspected offset and never silently "corrected":
  1. *matched events*: messages that occur exactly once in each of two lanes but whose times
     differ by a whole number of half hours (± a small residual) mean one lane's clock or zone is
     off by that much; the matched pairs are then also de-duplicated at that offset.
  2. *systematic shift*: without shared messages, a lane whose events line up with the other
     lanes' events only after shifting by a whole number of half hours, or a lane of zone-less
     times lying entirely outside the others' span by about such an offset.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Callable, Iterable, Iterator, Literal, Mapping, Optional, Sequence

from pydantic import BaseModel, Field

from ..errors import InputError
from ..models import Event, ParseWarning, SourceRun
from ..paging import next_page_hint, page
from ..timeutil import parse_window, to_utc_iso

#: Messages shown in a timeline are cut to this many characters (the event itself keeps more).
ENTRY_MESSAGE_CHARS = 500
#: Events held per lane to put locally disordered events back in order before merging.
REORDER_BUFFER = 1024
#: Default ceiling on the events one timeline holds (the rest is counted as truncated).
MAX_EVENTS = 200_000
HALF_HOUR = 1800.0
#: Untimed events and warnings returned with one page of a built timeline.
MAX_UNTIMED = 100
MAX_WARNINGS = 100


class SeenAlso(BaseModel):
    """A duplicate of a timeline entry, read through another source."""

    lane: str
    evidence_id: str
    time: Optional[datetime] = None


class TimelineEntry(BaseModel):
    time: Optional[datetime] = Field(None, description="UTC time of the event; None for untimed events.")
    time_text: Optional[str] = Field(None, description="The timestamp as the evidence wrote it.")
    lane: str = Field(description="The source lane the event came from.")
    evidence_id: str
    source: str
    data_type: str
    host: Optional[str] = None
    process: Optional[str] = None
    pid: Optional[int] = None
    level: Optional[str] = None
    message: str = ""
    origin: Optional[str] = None
    also_seen: list[SeenAlso] = Field(default_factory=list, description="The same event read through other sources.")

    @classmethod
    def from_event(cls, lane: str, ev: Event) -> "TimelineEntry":
        msg = ev.message if len(ev.message) <= ENTRY_MESSAGE_CHARS else ev.message[:ENTRY_MESSAGE_CHARS] + "…"
        return cls(
            time=ev.time, time_text=ev.time_text, lane=lane, evidence_id=ev.evidence_id, source=ev.source,
            data_type=ev.data_type, host=ev.host, process=ev.process, pid=ev.pid, level=ev.level, message=msg,
            origin=ev.origin, also_seen=[],
        )


class ClockSkew(BaseModel):
    """A suspected clock or time-zone offset of one lane against another."""

    lane: str = Field(description="The lane whose times look shifted.")
    reference_lane: str = Field(description="The lane it was compared with ('*' for all other lanes).")
    offset_seconds: float = Field(description="How far `lane` is ahead of the reference (negative: behind).")
    offset: str = Field(description="The offset as ±HH:MM, e.g. '+02:00'.")
    basis: Literal["matched_events", "systematic_shift"]
    pairs: int = Field(description="How many event pairs support it.")
    evidence_ids: list[str] = Field(default_factory=list, description="Examples of the events that show it.")
    note: str = ""


class LaneSummary(BaseModel):
    lane: str
    events: int = Field(0, description="Timed events of this lane inside the window (before de-duplication).")
    untimed: int = 0
    outside_window: int = 0
    duplicates: int = Field(0, description="Events of this lane folded into an entry of another lane.")
    out_of_order: int = Field(0, description="Events that arrived after later ones and were placed by insertion.")
    first: Optional[datetime] = None
    last: Optional[datetime] = None
    zoneless: int = Field(0, description="Events whose evidence gave no time zone (read as UTC or local by the source).")


class Timeline(BaseModel):
    start: Optional[datetime] = None
    end: Optional[datetime] = None
    entries: list[TimelineEntry] = Field(default_factory=list, description="Chronological, de-duplicated.")
    untimed: list[TimelineEntry] = Field(default_factory=list, description="Events without a usable time, kept apart.")
    lanes: list[LaneSummary] = Field(default_factory=list)
    clock_skew: list[ClockSkew] = Field(default_factory=list)
    duplicates_removed: int = 0
    outside_window: int = 0
    truncated: bool = Field(False, description="True when max_events stopped the merge before the end.")
    total: int = Field(0, description="Entries in the whole timeline (a page may show fewer).")
    next_cursor: Optional[str] = None
    hint: Optional[str] = None
    sources: list[SourceRun] = Field(default_factory=list, description="What was consulted to build it.")
    warnings: list[ParseWarning] = Field(default_factory=list)


# --------------------------------------------------------------------------------------- merge


def _ordered_lane(
    lane: str,
    order: int,
    events: Iterable[Event],
    start: Optional[datetime],
    end: Optional[datetime],
    summary: LaneSummary,
    untimed: list[TimelineEntry],
    late: list[tuple[datetime, int, Event, str]],
) -> Iterator[tuple[datetime, int, int, str, Event]]:
    """Yield a lane's in-window events in time order through a bounded re-order buffer."""
    heap: list[tuple[datetime, int, Event]] = []
    seq = 0
    last: Optional[datetime] = None
    zoneless = n_untimed = outside = inside = disorder = 0  # counted locally: model attributes are slow
    try:
        for ev in events:
            if ev.time_zone is None:
                zoneless += 1
            t = ev.time
            if t is None:
                n_untimed += 1
                untimed.append(TimelineEntry.from_event(lane, ev))
                continue
            if (start is not None and t < start) or (end is not None and t > end):
                outside += 1
                continue
            inside += 1
            if last is not None and t < last:
                disorder += 1
                late.append((t, order, ev, lane))
                continue
            heapq.heappush(heap, (t, seq, ev))
            seq += 1
            if len(heap) > REORDER_BUFFER:
                t0, s0, e0 = heapq.heappop(heap)
                last = t0
                yield (t0, order, s0, lane, e0)
        while heap:
            t0, s0, e0 = heapq.heappop(heap)
            yield (t0, order, s0, lane, e0)
    finally:
        summary.zoneless += zoneless
        summary.untimed += n_untimed
        summary.outside_window += outside
        summary.events += inside
        summary.out_of_order += disorder


def merge_timeline(
    lanes: Mapping[str, Iterable[Event]],
    start: Optional[datetime] = None,
    end: Optional[datetime] = None,
    *,
    dedupe_tolerance: timedelta = timedelta(seconds=2),
    max_events: int = MAX_EVENTS,
) -> Timeline:
    """Merge the lanes into one chronological, de-duplicated timeline, flagging clock skew.

    `lanes` maps a lane name to its events (any iterable; read once, lazily). `start`/`end`
    (aware datetimes) bound the window; events outside it are counted, not kept. Lane order in
    the mapping breaks ties between events at the same instant.
    """
    # Building one entry per event makes the cyclic garbage collector rescan an ever larger heap
    # (quadratic-looking slowdowns past ~100 k events); nothing built here forms cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _merge(lanes, start, end, dedupe_tolerance=dedupe_tolerance, max_events=max_events)
    finally:
        if was_enabled:
            gc.enable()


def _merge(
    lanes: Mapping[str, Iterable[Event]],
    start: Optional[datetime],
    end: Optional[datetime],
    *,
    dedupe_tolerance: timedelta,
    max_events: int,
) -> Timeline:
    summaries = {name: LaneSummary(lane=name) for name in lanes}
    untimed: list[TimelineEntry] = []
    late: list[tuple[datetime, int, Event, str]] = []
    streams = [
        _ordered_lane(name, i, evs, start, end, summaries[name], untimed, late)
        for i, (name, evs) in enumerate(lanes.items())
    ]
    entries: list[TimelineEntry] = []
    keys: list[tuple[datetime, int]] = []
    truncated = False
    seen: set[str] = set()  # the same evidence id read twice (overlapping paths, pages) is one entry
    repeats = 0
    # (time, lane order, sequence) is unique, so tuples compare without reaching the event
    for t, order, _seq, lane, ev in heapq.merge(*streams):
        if ev.evidence_id in seen:
            summaries[lane].duplicates += 1
            repeats += 1
            continue
        if len(entries) >= max_events:
            truncated = True
            break
        seen.add(ev.evidence_id)
        entries.append(TimelineEntry.from_event(lane, ev))
        keys.append((t, order))
    for stream in streams:
        stream.close()  # a merge stopped early still counts what each lane read (the generators' finally)
    for t, order, ev, lane in late:
        if ev.evidence_id in seen:
            summaries[lane].duplicates += 1
            repeats += 1
            continue
        if len(entries) >= max_events:
            truncated = True
            break
        seen.add(ev.evidence_id)
        i = bisect.bisect_right(keys, (t, order))
        keys.insert(i, (t, order))
        entries.insert(i, TimelineEntry.from_event(lane, ev))

    for e in entries:
        s = summaries[e.lane]
        if s.first is None or e.time < s.first:  # type: ignore[operator]
            s.first = e.time
        if s.last is None or e.time > s.last:  # type: ignore[operator]
            s.last = e.time

    lane_order = {name: i for i, name in enumerate(lanes)}
    fps = [_fingerprint(e) for e in entries]
    skews = detect_skew(entries, summaries, tolerance=dedupe_tolerance, fingerprints=fps)
    entries, removed = _dedupe(entries, skews, lane_order, summaries, dedupe_tolerance, fps)
    return Timeline(
        start=start,
        end=end,
        entries=entries,
        untimed=untimed,
        lanes=list(summaries.values()),
        clock_skew=skews,
        duplicates_removed=removed + repeats,
        outside_window=sum(s.outside_window for s in summaries.values()),
        truncated=truncated,
        total=len(entries),
    )


# ------------------------------------------------------------------------------ matching events

def _fingerprint(e: TimelineEntry) -> Optional[tuple[str, str]]:
    """What makes two records the same record: process name and message text, normalised."""
    msg = " ".join(e.message[:400].split()).lower()
    if len(msg) < 8:
        return None
    return ((e.process or "").lower(), msg[:300])


def _offset_text(seconds: float) -> str:
    sign = "+" if seconds >= 0 else "-"
    minutes = int(round(abs(seconds) / 60))
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _richness(e: TimelineEntry, zoned: bool) -> tuple[int, ...]:
    subsecond = e.time is not None and e.time.microsecond != 0
    return (int(zoned), int(subsecond), int(e.pid is not None), int(e.host is not None))


def _suspect(a: str, b: str, summaries: Mapping[str, LaneSummary]) -> tuple[str, str]:
    """Of two lanes, the one more likely shifted: the one with more zone-less times."""

    def zoneless_share(name: str) -> float:
        s = summaries[name]
        total = s.events + s.untimed + s.outside_window
        return s.zoneless / total if total else 0.0

    return (a, b) if zoneless_share(a) > zoneless_share(b) else (b, a)


def detect_skew(
    entries: list[TimelineEntry],
    summaries: Mapping[str, LaneSummary],
    *,
    tolerance: timedelta = timedelta(seconds=2),
    residual: float = 120.0,
    max_hours: int = 14,
    fingerprints: Optional[list[Optional[tuple[str, str]]]] = None,
) -> list[ClockSkew]:
    """Suspected whole-hour / half-hour offsets between lanes (see the module docstring)."""
    tol = tolerance.total_seconds()
    fps = fingerprints if fingerprints is not None else [_fingerprint(e) for e in entries]
    by_fp: dict[tuple[str, str], list[TimelineEntry]] = defaultdict(list)
    for e, fp in zip(entries, fps):
        if fp is not None:
            by_fp[fp].append(e)
    groups: dict[tuple[str, str], dict[str, list[TimelineEntry]]] = {}
    for fp, es in by_fp.items():
        lanes_of = {e.lane for e in es}
        if len(lanes_of) < 2:
            continue  # most messages are seen by one source only: skip them cheaply
        g: dict[str, list[TimelineEntry]] = defaultdict(list)
        for e in es:
            g[e.lane].append(e)
        groups[fp] = g
    # lane pair -> list of (diff seconds b - a, id a, id b) from messages seen exactly once per lane
    diffs: dict[tuple[str, str], list[tuple[float, str, str]]] = defaultdict(list)
    for by_lane in groups.values():
        if len(by_lane) < 2:
            continue
        singles = sorted((lane, es[0]) for lane, es in by_lane.items() if len(es) == 1)
        for i in range(len(singles)):
            for j in range(i + 1, len(singles)):
                (la, ea), (lb, eb) = singles[i], singles[j]
                d = (eb.time - ea.time).total_seconds()  # type: ignore[operator]
                diffs[(la, lb)].append((d, ea.evidence_id, eb.evidence_id))

    skews: list[ClockSkew] = []
    skewed_lanes: set[str] = set()
    for (la, lb), pairs in sorted(diffs.items()):
        steps = Counter()
        agree = 0
        for d, _, _ in pairs:
            if abs(d) <= tol:
                agree += 1
                continue
            k = round(d / HALF_HOUR)
            if k != 0 and abs(k) <= 2 * max_hours and abs(d - k * HALF_HOUR) <= residual:
                steps[k] += 1
        if not steps:
            continue
        k, n = steps.most_common(1)[0]
        if n < max(1, 0.6 * len(pairs)) or n <= agree:
            continue
        support = [p for p in pairs if round(p[0] / HALF_HOUR) == k and abs(p[0] - k * HALF_HOUR) <= residual]
        offset = statistics.median(p[0] for p in support)
        suspect, ref = _suspect(la, lb, summaries)
        if suspect == la:
            offset = -offset
        ids = [x for p in support[:3] for x in (p[1], p[2])]
        skews.append(
            ClockSkew(
                lane=suspect, reference_lane=ref, offset_seconds=round(offset, 3), offset=_offset_text(offset),
                basis="matched_events", pairs=n, evidence_ids=ids,
                note=(
                    f"{n} message(s) seen once in both {la} and {lb} are {_offset_text(abs(offset))} apart: "
                    f"{suspect}'s clock or time zone is likely off (local time read as UTC?). Times are not corrected."
                ),
            )
        )
        skewed_lanes.update((la, lb))

    skews.extend(_systematic_shift(entries, summaries, skewed_lanes, max_hours=max_hours))
    return skews


def _systematic_shift(
    entries: list[TimelineEntry],
    summaries: Mapping[str, LaneSummary],
    already: set[str],
    *,
    max_hours: int,
    align: float = 10.0,
    sample: int = 2000,
) -> list[ClockSkew]:
    by_lane: dict[str, list[TimelineEntry]] = defaultdict(list)
    for e in entries:
        by_lane[e.lane].append(e)
    if len(by_lane) < 2:
        return []
    out: list[ClockSkew] = []
    flagged: set[str] = set()

    def zoneless_share(name: str) -> float:
        s = summaries[name]
        return s.zoneless / max(1, s.events + s.untimed + s.outside_window)

    # The most zone-less lanes are the likeliest culprits: test them first, and leave a flagged
    # lane out of the reference for the rest (two lanes shifted against each other are one skew).
    for lane in sorted(by_lane, key=lambda n: (-zoneless_share(n), n)):
        own = by_lane[lane]
        if lane in already or len(own) < 2:
            continue
        others = sorted(
            e.time.timestamp() for e in entries if e.lane != lane and e.lane not in flagged  # type: ignore[union-attr]
        )
        if not others:
            continue
        mine = [e.time.timestamp() for e in own[:sample]]  # type: ignore[union-attr]

        def hits(shift: float) -> list[int]:
            found = []
            for i, t in enumerate(mine):
                j = bisect.bisect_left(others, t - shift - align)
                if j < len(others) and others[j] <= t - shift + align:
                    found.append(i)
            return found

        base = len(hits(0.0))
        best_k, best = 0, []
        for k in range(-2 * max_hours, 2 * max_hours + 1):
            if k == 0:
                continue
            h = hits(k * HALF_HOUR)
            if len(h) > len(best):
                best_k, best = k, h
        summary = summaries[lane]
        if len(best) >= 2 and len(best) >= 0.5 * len(mine) and len(best) >= 2 * (base + 1):
            offset = best_k * HALF_HOUR
            out.append(
                ClockSkew(
                    lane=lane, reference_lane="*", offset_seconds=offset, offset=_offset_text(offset),
                    basis="systematic_shift", pairs=len(best), evidence_ids=[own[i].evidence_id for i in best[:5]],
                    note=(
                        f"{len(best)} of {len(mine)} {lane} events line up within {align:.0f} s with events of other "
                        f"lanes only when moved back by {_offset_text(offset)} (unmoved: {base}); its clock or zone "
                        f"looks {_offset_text(offset)} off (local time read as UTC?). Times are not corrected."
                    ),
                )
            )
            flagged.add(lane)
            continue
        # A lane of zone-less times lying wholly outside the others' span by about a whole offset.
        if summary.zoneless and summary.zoneless >= 0.8 * (summary.events + summary.untimed + summary.outside_window):
            lo, hi = others[0], others[-1]
            first, last = min(mine), max(mine)
            if last < lo - HALF_HOUR + 300 or first > hi + HALF_HOUR - 300:
                gap = (first - hi) if first > hi else (last - lo)
                k = round(gap / HALF_HOUR) if abs(gap) >= HALF_HOUR else (1 if gap > 0 else -1)
                if 0 < abs(k) <= 2 * max_hours:
                    offset = k * HALF_HOUR
                    out.append(
                        ClockSkew(
                            lane=lane, reference_lane="*", offset_seconds=offset, offset=_offset_text(offset),
                            basis="systematic_shift", pairs=0, evidence_ids=[own[0].evidence_id, own[-1].evidence_id],
                            note=(
                                f"all {lane} events carry no time zone and lie {_offset_text(gap)} "
                                f"{'after' if gap > 0 else 'before'} every other lane; suspect local time read as UTC "
                                f"(about {_offset_text(offset)}). Times are not corrected."
                            ),
                        )
                    )
                    flagged.add(lane)
    return out


# ---------------------------------------------------------------------------- de-duplication


def _dedupe(
    entries: list[TimelineEntry],
    skews: list[ClockSkew],
    lane_order: Mapping[str, int],
    summaries: Mapping[str, LaneSummary],
    tolerance: timedelta,
    fps: list[Optional[tuple[str, str]]],
) -> tuple[list[TimelineEntry], int]:
    """Fold records seen through two lanes into one entry (see the module docstring)."""
    tol = tolerance.total_seconds()
    offsets: dict[tuple[str, str], float] = {}
    for s in skews:
        if s.basis == "matched_events":
            offsets[(s.lane, s.reference_lane)] = s.offset_seconds
            offsets[(s.reference_lane, s.lane)] = -s.offset_seconds
    reach = tol + max((abs(v) for v in offsets.values()), default=0.0)
    zoned_share = {
        name: (1 - s.zoneless / max(1, s.events + s.untimed + s.outside_window)) for name, s in summaries.items()
    }
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, fp in enumerate(fps):
        if fp is not None:
            groups[fp].append(i)
    drop: set[int] = set()
    for idxs in groups.values():
        if len({entries[i].lane for i in idxs}) < 2:
            continue
        for a_pos, a in enumerate(idxs):
            if a in drop:
                continue
            ea = entries[a]
            for b in idxs[a_pos + 1 :]:
                if b in drop:
                    continue
                eb = entries[b]
                if eb.lane == ea.lane:
                    continue
                d = (eb.time - ea.time).total_seconds()  # type: ignore[operator]
                if d > reach:
                    break  # entries are in time order: nothing later can match `a`
                expected = offsets.get((eb.lane, ea.lane), 0.0)
                if abs(d - expected) > tol:
                    continue
                ka = _richness(ea, zoned_share[ea.lane] >= 0.5) + (-lane_order[ea.lane],)
                kb = _richness(eb, zoned_share[eb.lane] >= 0.5) + (-lane_order[eb.lane],)
                keep, gone = (ea, eb) if ka >= kb else (eb, ea)
                keep.also_seen.append(SeenAlso(lane=gone.lane, evidence_id=gone.evidence_id, time=gone.time))
                keep.also_seen.extend(gone.also_seen)
                summaries[gone.lane].duplicates += 1
                drop.add(b if gone is eb else a)
                if gone is ea:
                    break
    kept = [e for i, e in enumerate(entries) if i not in drop]
    return kept, len(drop)


def build_timeline(
    start: object = None,
    end: object = None,
    *,
    sources: Optional[Sequence[str]] = None,
    paths: Sequence[str] = (),
    project_dir: Optional[str] = None,
    process: Optional[Sequence[str]] = None,
    zone: Optional[str] = None,
    limit: int = 200,
    cursor: Optional[str] = None,
    progress: Optional[Callable[[str, str], None]] = None,
) -> Timeline:
    """Collect every source for the window (or read the given files) and merge one page of timeline.

    The window defaults to the last hour (`timeutil.parse_window`). Sources missing from this
    build or this machine are listed in `sources` with status `unavailable` and the reason.
    """
    from .collect import collect_lanes  # the glue imports the sources lazily; keep merge_timeline free of it

    s, e = parse_window(start, end, zone=zone)  # type: ignore[arg-type]
    try:
        collected = collect_lanes(
            s, e, sources=sources, paths=list(paths or ()), project_dir=project_dir, process=process, progress=progress
        )
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    tl = merge_timeline(collected.lanes, s, e)
    # the window as given ('2h ago' stays '2h ago'), so a cursor stays valid on the next call
    query = {"start": str(start), "end": str(end), "sources": list(sources or []), "paths": list(paths or []),
             "project_dir": project_dir, "process": list(process or [])}
    tl.sources = collected.runs
    tl.warnings = collected.warnings[:MAX_WARNINGS]
    return page_timeline(tl, limit, cursor, query)


def page_timeline(tl: Timeline, limit: int, cursor: Optional[str], query: dict, tool: str = "build_timeline") -> Timeline:
    """Cut a merged timeline down to one page of entries (cursor paging, see `paging.page`)."""
    chunk, nxt, total = page(tl.entries, limit, cursor, query)
    tl.entries = chunk
    tl.total = total
    tl.next_cursor = nxt
    tl.hint = next_page_hint(tool, nxt, len(chunk), total)
    if len(tl.untimed) > MAX_UNTIMED:
        tl.untimed = tl.untimed[:MAX_UNTIMED]
    return tl


def entry_index(timeline: Timeline) -> dict[str, TimelineEntry]:
    """Evidence id → entry, including ids folded into another entry as duplicates."""
    index: dict[str, TimelineEntry] = {}
    for e in list(timeline.entries) + list(timeline.untimed):
        index[e.evidence_id] = e
        for s in e.also_seen:
            index.setdefault(s.evidence_id, e)
    return index


__all__ = [
    "build_timeline",
    "ClockSkew",
    "LaneSummary",
    "SeenAlso",
    "Timeline",
    "TimelineEntry",
    "detect_skew",
    "entry_index",
    "merge_timeline",
    "page_timeline",
    "to_utc_iso",
]
