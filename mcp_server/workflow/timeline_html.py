"""A self-contained HTML picture of a timeline: one lane per source, the causal chain highlighted.

Everything is inline (CSS, a few lines of JS, one SVG); the page loads nothing from the network,
so it can be opened from a report folder, an e-mail attachment or an air-gapped machine. Every
event dot carries its evidence id, time, lane and message in an SVG `<title>` (shown on hover)
and in `data-*` attributes (a click shows them in the detail box). Chain events are larger, red,
and joined in time order by a line with arrows. All text is HTML-escaped.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Optional, Sequence

from ..analysis.timeline import Timeline, TimelineEntry
from ..timeutil import to_utc_iso

PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#393b79")
CHAIN_COLOUR = "#d62728"
MAX_DOTS = 5000
MAX_ROWS = 2000

_CSS = """
body{font:14px/1.4 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px} .sub{color:#555;margin:0 0 16px}
.skew{background:#fff4e5;border-left:4px solid #ff7f0e;padding:8px 12px;margin:8px 0}
svg{background:#fafafa;border:1px solid #ddd;max-width:100%;height:auto}
h2{font-size:16px;margin:18px 0 6px} .lane-label{font-size:12px;fill:#333}
.tick{font-size:11px;fill:#666} .grid{stroke:#e4e4e4} .lane-line{stroke:#d0d0d0}
.dot{cursor:pointer;stroke:#fff;stroke-width:1} .dot.chain{stroke:#600;stroke-width:1.5}
.dot:hover{stroke:#000;stroke-width:2} #detail{min-height:3em;margin:10px 0;padding:8px 12px;background:#f3f6fa;
border:1px solid #d6e0ea;font-family:ui-monospace,Menlo,monospace;font-size:12px;white-space:pre-wrap}
table{border-collapse:collapse;margin-top:16px;width:100%} td,th{border-bottom:1px solid #eee;padding:3px 6px;
text-align:left;vertical-align:top;font-size:12px} tr.chain td{background:#fdecea} code{font-size:11px}
.legend span{display:inline-block;margin-right:14px;font-size:12px} .sw{display:inline-block;width:10px;height:10px;
border-radius:50%;margin-right:4px;vertical-align:middle}
"""

_JS = """
document.querySelectorAll('.dot').forEach(function(d){d.addEventListener('click',function(){
 document.getElementById('detail').textContent=d.dataset.ev+'  '+d.dataset.time+'  ['+d.dataset.lane+']\\n'+d.dataset.msg;});});
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _fmt(t: Optional[datetime], with_date: bool, fine: bool = False) -> str:
    if t is None:
        return "—"
    t = t.astimezone(timezone.utc)
    text = t.strftime("%Y-%m-%d %H:%M:%S") if with_date else t.strftime("%H:%M:%S")
    return text + f".{t.microsecond // 1000:03d}" if fine else text


def _svg(
    entries: list[TimelineEntry],
    lanes: list[str],
    colour: dict[str, str],
    in_chain: Callable[[TimelineEntry], bool],
    t0: datetime,
    t1: datetime,
    width: int,
    name: str,
    pad_share: float = 0.03,
    ordinal: bool = False,
) -> str:
    """One lanes-over-time SVG for the entries between t0 and t1.

    `ordinal`: place the entries evenly in time order instead of by time (a sequence view for a
    chain that happens within a second, where a time axis would stack the dots on each other).
    """
    label_w, lane_h, top, right = 170, 46, 34, 24
    plot_w = width - label_w - right
    height = top + lane_h * max(1, len(lanes)) + 16

    span = max((t1 - t0).total_seconds(), 0.001)
    pad = span * pad_share
    lo = t0.timestamp() - pad
    full = span + 2 * pad
    with_date = t0.date() != t1.date()
    fine = span < 60

    slot = {id(e): i for i, e in enumerate(entries)}

    def x_of(e: TimelineEntry) -> float:
        if ordinal:
            return label_w + (slot[id(e)] + 0.5) * plot_w / max(1, len(entries))
        return x(e.time)  # type: ignore[arg-type]

    def x(t: datetime) -> float:
        return label_w + (t.timestamp() - lo) / full * plot_w

    def y(lane: str) -> float:
        return top + lane_h * lanes.index(lane) + lane_h / 2

    svg: list[str] = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{name} timeline">',
        f'<defs><marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{CHAIN_COLOUR}"/></marker></defs>',
    ]
    if ordinal:
        step = max(1, len(entries) // 12)
        for i, e in enumerate(entries):
            px = x_of(e)
            svg.append(f'<line class="grid" x1="{px:.1f}" y1="{top - 6}" x2="{px:.1f}" y2="{height - 10}"/>')
            if i % step == 0:
                svg.append(f'<text class="tick" x="{px:.1f}" y="{top - 12}" text-anchor="middle">'
                           f"{_e(_fmt(e.time, False, True))}</text>")
    for i in range(0 if ordinal else 7):
        ts = lo + full * i / 6
        px = label_w + plot_w * i / 6
        svg.append(f'<line class="grid" x1="{px:.1f}" y1="{top - 6}" x2="{px:.1f}" y2="{height - 10}"/>')
        svg.append(
            f'<text class="tick" x="{px:.1f}" y="{top - 12}" text-anchor="{"end" if i == 6 else "middle"}">'
            f"{_e(_fmt(datetime.fromtimestamp(ts, timezone.utc), with_date, fine))}</text>"
        )
    for lane in lanes:
        ly = y(lane)
        svg.append(f'<line class="lane-line" x1="{label_w}" y1="{ly:.1f}" x2="{width - right}" y2="{ly:.1f}"/>')
        svg.append(
            f'<text class="lane-label" x="{label_w - 10}" y="{ly + 4:.1f}" text-anchor="end">{_e(lane)}</text>'
        )
    chain_pts: list[tuple[float, float]] = []
    for e in entries:
        if in_chain(e):
            pt = (x_of(e), y(e.lane))
            if not chain_pts or abs(chain_pts[-1][0] - pt[0]) > 1 or chain_pts[-1][1] != pt[1]:
                chain_pts.append(pt)  # coincident dots would give the arrow no direction
    if len(chain_pts) >= 2:
        d = " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(chain_pts))
        svg.append(
            f'<path d="{d}" fill="none" stroke="{CHAIN_COLOUR}" stroke-width="2.5" stroke-opacity="0.8" '
            f'marker-mid="url(#arrow-{name})" marker-end="url(#arrow-{name})"/>'
        )
    shown = 0
    ordered = sorted(entries, key=in_chain)  # chain dots drawn last, on top
    for e in ordered:
        if shown >= MAX_DOTS and not in_chain(e):
            continue
        shown += 1
        c = in_chain(e)
        tip = f"{e.evidence_id} · {to_utc_iso(e.time)} · {e.lane}\n{e.message}"
        if e.also_seen:
            tip += "\nalso seen as: " + ", ".join(f"{s.evidence_id} ({s.lane})" for s in e.also_seen)
        svg.append(
            f'<circle class="dot{" chain" if c else ""}" cx="{x_of(e):.1f}" cy="{y(e.lane):.1f}" '
            f'r="{8 if c else 5}" fill="{CHAIN_COLOUR if c else colour[e.lane]}" data-ev="{_e(e.evidence_id)}" '
            f'data-time="{_e(to_utc_iso(e.time))}" data-lane="{_e(e.lane)}" data-msg="{_e(e.message)}">'
            f"<title>{_e(tip)}</title></circle>"
        )
    svg.append("</svg>")
    return "".join(svg)


def render_timeline_html(
    timeline: Timeline,
    *,
    chain: Sequence[str] = (),
    title: str = "Incident timeline",
    subtitle: str = "",
    width: int = 1150,
) -> str:
    """The HTML page for `timeline`; `chain` lists the evidence ids of the causal chain."""
    entries = [e for e in timeline.entries if e.time is not None]
    chain_set = set(chain)

    def in_chain(e: TimelineEntry) -> bool:
        return e.evidence_id in chain_set or any(s.evidence_id in chain_set for s in e.also_seen)

    lanes = [l.lane for l in timeline.lanes if l.events or l.untimed] or sorted({e.lane for e in entries})
    for e in entries:
        if e.lane not in lanes:
            lanes.append(e.lane)
    colour = {lane: PALETTE[i % len(PALETTE)] for i, lane in enumerate(lanes)}
    t0 = min((e.time for e in entries), default=timeline.start)  # type: ignore[type-var]
    t1 = max((e.time for e in entries), default=timeline.end)  # type: ignore[type-var]
    if t0 is None or t1 is None:
        t0 = t1 = datetime.now(timezone.utc)
    main_svg = _svg(entries, lanes, colour, in_chain, t0, t1, width, "main")
    # A close-up of the chain when it is a small part of the whole window (often a second or two).
    chain_entries = [e for e in entries if in_chain(e)]
    closeup = ""
    if len(chain_entries) >= 2:
        c0, c1 = chain_entries[0].time, chain_entries[-1].time
        cspan = (c1 - c0).total_seconds()  # type: ignore[operator]
        if cspan < 0.25 * max((t1 - t0).total_seconds(), 1.0):
            margin = timedelta(seconds=max(cspan * 0.15, 0.5))
            lo_c, hi_c = c0 - margin, c1 + margin  # type: ignore[operator]
            near = [e for e in entries if lo_c <= e.time <= hi_c][:60]  # type: ignore[operator]
            closeup = _svg(near, [l for l in lanes if any(e.lane == l for e in near)], colour, in_chain, lo_c, hi_c,
                           width, "closeup", pad_share=0.0, ordinal=True)

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        "script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(subtitle)} {len(entries)} events in {len(lanes)} lanes, '
        f"{_e(to_utc_iso(t0))} → {_e(to_utc_iso(t1))} (UTC); {timeline.duplicates_removed} duplicates folded; "
        f"{len(chain_set)} chain events.</p>",
    ]
    for s in timeline.clock_skew:
        out.append(
            f'<div class="skew"><b>Clock skew suspected</b> in lane <b>{_e(s.lane)}</b> ({_e(s.offset)} against '
            f"{_e(s.reference_lane)}): {_e(s.note)}</div>"
        )
    legend = "".join(
        f'<span><i class="sw" style="background:{colour[l]}"></i>{_e(l)}</span>' for l in lanes
    ) + f'<span><i class="sw" style="background:{CHAIN_COLOUR}"></i>causal chain</span>'
    out.append(f'<div class="legend">{legend}</div>')
    out.append(main_svg)
    if closeup:
        out.append(f"<h2>Causal chain close-up (in order, evenly spaced)</h2>{closeup}")
    out.append('<div id="detail">Hover a dot for its evidence id; click it to show the event here.</div>')
    out.append("<table><thead><tr><th>time (UTC)</th><th>lane</th><th>evidence id</th><th>event</th></tr></thead><tbody>")
    for e in entries[:MAX_ROWS]:
        cls = ' class="chain"' if in_chain(e) else ""
        out.append(
            f"<tr{cls}><td>{_e(_fmt(e.time, True))}</td><td>{_e(e.lane)}</td><td><code>{_e(e.evidence_id)}</code></td>"
            f"<td>{_e(e.message)}</td></tr>"
        )
    if len(entries) > MAX_ROWS:
        out.append(f"<tr><td colspan=4>… {len(entries) - MAX_ROWS} more events not listed</td></tr>")
    out.append("</tbody></table>")
    if timeline.untimed:
        out.append(f"<h2>Events without a time ({len(timeline.untimed)})</h2><ul>")
        for e in timeline.untimed[:MAX_ROWS]:
            out.append(f"<li><code>{_e(e.evidence_id)}</code> [{_e(e.lane)}] {_e(e.message)}</li>")
        out.append("</ul>")
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out)


def chain_from_ids(ids: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for i in ids:
        if i not in seen:
            seen.append(i)
    return seen


__all__ = ["render_timeline_html", "chain_from_ids"]
