"""The HTML timeline: self-contained, escaped, evidence ids on hover, and really rendered by headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from mcp_server.analysis.timeline import merge_timeline
from mcp_server.workflow.timeline_html import CHAIN_COLOUR, PALETTE, render_timeline_html
from tests.conftest import require
from tests.pngread import read_png
from tests.report_fixtures import at, journald, syslog, tmux_incident_events, untimed


def incident_timeline():
    ev = tmux_incident_events()
    lanes = {
        "claude_transcripts": [ev["start_server"], ev["tests"], ev["kill"]],
        "tmux_log": [ev["lost"]],
        "journald": [ev["exit"], ev["node"], journald(at(120), "systemd", 1, "Started Session 7 of User dev.")],
        "syslog": [syslog(at(0.5), "node", 48121, ev["node"].message, line=3301),
                   syslog(at(-300), "CRON", 5512, "(dev) CMD (/home/dev/bin/backup.sh)", line=3290)],
        "bash_history": [untimed("tmux ls", 17)],
    }
    chain = [ev["start_server"].evidence_id, ev["kill"].evidence_id, ev["lost"].evidence_id, ev["node"].evidence_id]
    return ev, merge_timeline(lanes, at(-3600), at(3600)), chain


def test_html_is_self_contained_and_carries_evidence_ids():
    ev, tl, chain = incident_timeline()
    page = render_timeline_html(tl, chain=chain, title="RCA-003 tmux server died")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page)  # nothing loaded from anywhere
    assert "default-src 'none'" in page  # and the browser is told so
    for e in tl.entries:
        assert f'data-ev="{e.evidence_id}"' in page
        assert f"<title>{e.evidence_id} · " in page  # hover tooltip starts with the evidence id
    assert page.count('class="dot chain"') == 4
    assert 'marker-end="url(#arrow-main)"' in page  # the causal chain is drawn as a path with arrows
    # duplicates folded: the syslog copy of the npm line shows as "also seen as" of the journald entry
    node = next(e for e in tl.entries if e.evidence_id == ev["node"].evidence_id)
    assert [s.lane for s in node.also_seen] == ["syslog"]
    assert f"also seen as: {node.also_seen[0].evidence_id} (syslog)" in page
    assert "Events without a time (1)" in page and "tmux ls" in page


def test_html_escapes_hostile_messages():
    ev = journald(at(0), "web", 80, '<script>alert("x")</script> & <img src=x onerror=alert(1)>')
    page = render_timeline_html(merge_timeline({"journald": [ev]}, None, None), title="<b>t</b>")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<title>&lt;b&gt;t&lt;/b&gt;</title>" in page


def test_empty_timeline_renders():
    page = render_timeline_html(merge_timeline({}, at(0), at(60)), title="nothing")
    assert page.startswith("<!DOCTYPE html>") and "0 events in 0 lanes" in page


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require(path is not None, "chromium is not installed (scripts/test installs the Debian package)")
    assert path
    return path


def screenshot(html_path, png_path, profile) -> None:
    argv = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        f"--user-data-dir={profile}", f"--screenshot={png_path}", "--window-size=1200,800",
        html_path.as_uri(),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert png_path.exists(), f"chromium wrote no screenshot (exit {proc.returncode}): {proc.stderr[-2000:]}"


def hexrgb(h: str) -> tuple[int, int, int]:
    return tuple(int(h[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def near(p, q, tol=40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(p, q))


@pytest.mark.slow
def test_renders_in_headless_chromium_and_is_not_blank(tmp_path):
    ev, tl, chain = incident_timeline()
    html_path = tmp_path / "timeline.html"
    html_path.write_text(render_timeline_html(tl, chain=chain, title="RCA-003 tmux server died"), encoding="utf-8")
    png_path = tmp_path / "shot.png"
    screenshot(html_path, png_path, tmp_path / "profile")
    img = read_png(png_path.read_bytes())
    assert (img.width, img.height) == (1200, 800)
    # the lanes area: below the heading, left of the window edge, where the SVG is drawn
    area = list(img.pixels(0, 60, 1200, 400))
    non_white = [p for p in area if p != (255, 255, 255)]
    assert len(non_white) > 0.05 * len(area), "the lanes area is (nearly) blank"
    assert len(set(area)) > 50, "too few colours for lanes, dots, labels and the chain"
    red = sum(1 for p in area if near(p, hexrgb(CHAIN_COLOUR)))
    assert red > 150, f"the causal chain (red) is not visible: {red} pixels"
    lane_colours = [hexrgb(c) for c in PALETTE[:4]]
    seen = [c for c in lane_colours if any(near(p, c, 30) for p in area)]
    assert len(seen) >= 3, f"lane dots missing: {seen}"


def test_chain_within_a_second_gets_a_sequence_close_up_with_distinct_positions():
    ev, tl, chain = incident_timeline()
    tight = [ev["kill"].evidence_id, ev["lost"].evidence_id, ev["exit"].evidence_id, ev["node"].evidence_id]
    page = render_timeline_html(tl, chain=tight)
    assert "Causal chain close-up" in page
    closeup = page[page.index('aria-label="closeup timeline"'):]
    closeup = closeup[: closeup.index("</svg>")]
    xs = re.findall(r'class="dot chain" cx="([0-9.]+)"', closeup)
    assert len(xs) == 4 and len(set(xs)) == 4  # one slot each, although three share 03:10:00
    assert "03:10:00.300" in closeup  # slots are labelled with their millisecond times
    # a chain spread over the whole window needs no close-up
    assert "Causal chain close-up" not in render_timeline_html(tl, chain=chain)
