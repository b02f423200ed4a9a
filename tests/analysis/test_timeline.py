"""merge_timeline: chronological merge over lanes, de-duplication across sources, clock skew, untimed events."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from mcp_server.analysis.timeline import build_timeline, entry_index, merge_timeline
from mcp_server.errors import InputError
from tests.report_fixtures import app_log, at, bash_call, history, journald, syslog, tmux_incident_events, untimed

OOM = "Out of memory: Killed process 955 (gnome-shell) total-vm:3289540kB, anon-rss:77868kB, file-rss:107372kB, shmem-rss:12kB, UID:121 pgtables:788kB oom_score_adj:0"
SIGKILL = "nova-compute.service: Main process exited, code=killed, status=9/KILL"


def test_merges_lanes_in_time_order_with_lane_and_evidence_id():
    ev = tmux_incident_events()
    lanes = {
        "journald": [ev["exit"], ev["node"]],
        "claude_transcripts": [ev["start_server"], ev["tests"], ev["kill"]],
        "tmux_log": [ev["lost"]],
    }
    tl = merge_timeline(lanes, at(-3600), at(3600))
    assert [e.evidence_id for e in tl.entries] == [
        ev[k].evidence_id for k in ("start_server", "tests", "kill", "lost", "exit", "node")
    ]
    assert [e.lane for e in tl.entries] == ["claude_transcripts"] * 3 + ["tmux_log", "journald", "journald"]
    assert tl.duplicates_removed == 0 and not tl.clock_skew
    by_lane = {l.lane: l for l in tl.lanes}
    assert by_lane["claude_transcripts"].events == 3 and by_lane["claude_transcripts"].first == at(-600)


def test_lanes_are_read_lazily_once():
    consumed = []

    def lane():
        for i in range(5):
            consumed.append(i)
            yield journald(at(i), "sshd", 100 + i, f"Accepted publickey for dev from 10.0.0.{i} port 5{i}22 ssh2")

    tl = merge_timeline({"journald": lane()}, at(-10), at(10))
    assert consumed == [0, 1, 2, 3, 4] and tl.total == 5


def test_out_of_order_events_are_placed_not_dropped():
    rng = random.Random(7)
    times = list(range(3000))
    rng.shuffle(times)  # far more disorder than the re-order buffer absorbs
    events = [journald(at(t), "cron", 900 + t, f"(root) CMD (run-parts /etc/cron.hourly) #{t}") for t in times]
    tl = merge_timeline({"journald": events, "other": [history(at(1500.5), "ls -la")]}, at(-1), at(4000))
    assert tl.total == 3001
    stamps = [e.time for e in tl.entries]
    assert stamps == sorted(stamps)
    lane = next(l for l in tl.lanes if l.lane == "journald")
    assert lane.out_of_order > 0 and lane.events == 3000


def test_window_filters_and_counts_outside_and_keeps_untimed_apart():
    lanes = {
        "journald": [journald(at(-7200), "kernel", None, OOM), journald(at(5), "systemd", 1, SIGKILL)],
        "bash_history": [untimed("tmux kill-server", 41), untimed("git status", 42)],
    }
    tl = merge_timeline(lanes, at(-60), at(60))
    assert [e.message for e in tl.entries] == [SIGKILL]
    assert tl.outside_window == 1
    assert [e.message for e in tl.untimed] == ["tmux kill-server", "git status"]
    assert all(e.time is None for e in tl.untimed)


def test_same_line_in_journald_and_syslog_is_folded_into_one_entry():
    j = journald(at(0.731), "systemd", 1, SIGKILL, host="compute4")
    s = syslog(at(0.731), "systemd", 1, SIGKILL, host="compute4", line=7312)
    other = syslog(at(3), "systemd", 1, "nova-compute.service: Failed with result 'signal'.", host="compute4", line=7313)
    tl = merge_timeline({"syslog": [s, other], "journald": [j]}, at(-60), at(60))
    assert tl.duplicates_removed == 1 and tl.total == 2
    kept = tl.entries[0]
    assert kept.lane == "journald"  # microsecond time wins over whole seconds
    assert [(x.lane, x.evidence_id) for x in kept.also_seen] == [("syslog", s.evidence_id)]
    assert entry_index(tl)[s.evidence_id].evidence_id == j.evidence_id
    assert next(l for l in tl.lanes if l.lane == "syslog").duplicates == 1


def test_repeated_message_within_one_lane_is_not_a_duplicate():
    msgs = [journald(at(i), "sshd", 77, "Connection closed by 10.0.0.5 port 52344 [preauth]") for i in (0, 1)]
    tl = merge_timeline({"journald": msgs}, at(-1), at(5))
    assert tl.total == 2 and tl.duplicates_removed == 0


def test_local_time_syslog_read_as_utc_is_flagged_with_its_offset_and_still_deduplicated():
    # journald is right (UTC); the syslog file was written in CET (+01:00) and read as if UTC.
    lines = [
        ("kernel", None, OOM),
        ("systemd", 1, SIGKILL),
        ("systemd", 1, "nova-compute.service: Failed with result 'signal'."),
        ("systemd", 1, "nova-compute.service: Scheduled restart job, restart counter is at 3."),
    ]
    j = [journald(at(i * 7.25), p, pid, m, host="compute4") for i, (p, pid, m) in enumerate(lines)]
    s = [syslog(at(i * 7.25 + 3600), p, pid, m, host="compute4", line=100 + i, zone=None) for i, (p, pid, m) in enumerate(lines)]
    tl = merge_timeline({"journald": j, "syslog": s}, at(-7200), at(7200))
    assert len(tl.clock_skew) == 1
    skew = tl.clock_skew[0]
    assert skew.lane == "syslog" and skew.reference_lane == "journald"
    assert skew.offset == "+01:00" and abs(skew.offset_seconds - 3600) < 2
    assert skew.basis == "matched_events" and skew.pairs == 4
    assert set(skew.evidence_ids) & {e.evidence_id for e in j}
    # the matched pairs are the same records: folded at the detected offset, times untouched
    assert tl.duplicates_removed == 4 and tl.total == 4
    assert all(e.lane == "journald" for e in tl.entries)


def test_half_hour_offsets_are_recognised():
    msgs = ["Started Daily apt upgrade and clean activities.", "Starting Clean php session files...",
            "Finished Rotate log files."]
    a = [journald(at(i * 60), "systemd", 1, m) for i, m in enumerate(msgs)]
    b = [syslog(at(i * 60 + 5.5 * 3600), "systemd", 1, m, line=i, zone=None) for i, m in enumerate(msgs)]
    tl = merge_timeline({"journald": a, "syslog": b}, at(-86400), at(86400))
    assert [s.offset for s in tl.clock_skew] == ["+05:30"]


def test_a_few_seconds_apart_is_not_skew():
    a = [journald(at(i * 60), "systemd", 1, f"Started Session {i} of User dev.") for i in range(3)]
    b = [syslog(at(i * 60 + 40), "systemd", 1, f"Started Session {i} of User dev.", line=i) for i in range(3)]
    tl = merge_timeline({"journald": a, "syslog": b}, at(-600), at(600))
    assert tl.clock_skew == [] and tl.duplicates_removed == 0


def test_lane_systematically_shifted_without_shared_messages_is_flagged():
    # The transcript (UTC) and an app log written in local time (+02:00) read as UTC: the log's
    # lines follow the commands that caused them by a fraction of a second, two hours late.
    cmds = [
        (0, "tmux new-session -d -s dev 'npm run dev'", "dev server listening on :3000"),
        (95, "curl -s localhost:3000/health", "GET /health 200 2ms"),
        (240, "npm run migrate", "migration 0042_add_index applied"),
        (400, "tmux kill-server", "server exited unexpectedly"),
    ]
    transcript = [bash_call(at(t), c) for t, c, _ in cmds]
    log = [app_log(at(t + 0.4 + 7200), m, process="node", line=i) for i, (t, _, m) in enumerate(cmds)]
    tl = merge_timeline({"sessions": transcript, "app_log": log}, at(-86400), at(86400))
    assert len(tl.clock_skew) == 1
    skew = tl.clock_skew[0]
    assert skew.lane == "app_log" and skew.basis == "systematic_shift" and skew.offset == "+02:00"
    assert skew.pairs == 4


def test_zoneless_lane_entirely_outside_the_others_is_suspected():
    transcript = [bash_call(at(t), c) for t, c in ((0, "make build"), (30, "make test"), (60, "tmux kill-server"))]
    log = [app_log(at(3 * 3600 + t), m, line=i) for i, (t, m) in enumerate(((5, "build ok"), (900, "exiting")))]
    tl = merge_timeline({"sessions": transcript, "app_log": log}, at(-86400), at(86400))
    assert [(s.lane, s.basis) for s in tl.clock_skew] == [("app_log", "systematic_shift")]
    assert tl.clock_skew[0].offset.startswith("+03")


def test_empty_and_single_lane_are_fine():
    assert merge_timeline({}, at(0), at(1)).total == 0
    tl = merge_timeline({"journald": []}, None, None)
    assert tl.total == 0 and tl.lanes[0].events == 0


def test_max_events_truncates_and_says_so():
    evs = [journald(at(i), "cron", 1, f"job {i} done") for i in range(50)]
    tl = merge_timeline({"journald": evs}, None, None, max_events=10)
    assert tl.truncated and tl.total == 10


def test_build_timeline_reports_missing_sources_and_reads_event_exports(tmp_path):
    from mcp_server.analysis.collect import write_event_export

    ev = tmux_incident_events()
    f = tmp_path / "incident.events.jsonl"
    write_event_export(ev.values(), f)
    tl = build_timeline(at(-3600), at(3600), paths=[str(f)], limit=4)
    assert tl.total == 6 and len(tl.entries) == 4 and tl.next_cursor and "cursor=" in (tl.hint or "")
    rest = build_timeline(at(-3600), at(3600), paths=[str(f)], limit=4, cursor=tl.next_cursor)
    assert [e.evidence_id for e in tl.entries + rest.entries] == [
        ev[k].evidence_id for k in ("start_server", "tests", "kill", "lost", "exit", "node")
    ]
    assert [r.status for r in tl.sources] == ["ok"]


def test_build_timeline_machine_sweep_says_what_is_unavailable():
    tl = build_timeline("2h ago", "now", sources=["crash_reports", "git"])
    assert {r.source for r in tl.sources} >= {"crash_reports", "git"}
    for r in tl.sources:
        assert r.status in ("ok", "partial", "unavailable", "error")
        if r.status in ("unavailable", "error"):
            assert r.reason


def test_build_timeline_refuses_bad_input():
    with pytest.raises(InputError):
        build_timeline(at(10), at(0))
    with pytest.raises(InputError, match="unknown source"):
        build_timeline("1h ago", "now", sources=["telepathy"])


def test_skew_detection_is_bounded_on_large_timelines():
    evs = [journald(at(i * 0.01), "app", 1, f"request {i} served in 3ms") for i in range(20000)]
    other = [syslog(at(i * 0.01), "app", 1, f"request {i} served in 3ms", line=i) for i in range(0, 20000, 10)]
    tl = merge_timeline({"journald": evs, "syslog": other}, None, None, dedupe_tolerance=timedelta(seconds=1))
    assert tl.duplicates_removed == 2000 and not tl.clock_skew


def test_same_evidence_read_twice_is_one_entry():
    ev = tmux_incident_events()
    # e.g. a subagent transcript passed as a path and also found beside its main transcript
    tl = merge_timeline({"sessions": [ev["kill"], ev["kill"]], "other": [ev["kill"], ev["lost"]]}, at(-60), at(60))
    assert [e.evidence_id for e in tl.entries] == [ev["kill"].evidence_id, ev["lost"].evidence_id]
    assert tl.duplicates_removed == 2


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_MSGS = ["Started Session 5 of User dev.", SIGKILL, OOM, "tmux kill-server", "GET /health 200 2ms", "x"]


@st.composite
def _lanes(draw):
    lanes = {}
    for name in draw(st.lists(st.sampled_from(["journald", "syslog", "sessions", "app_log"]), unique=True, max_size=4)):
        evs = []
        for i in range(draw(st.integers(0, 25))):
            secs = draw(st.one_of(st.none(), st.floats(-7200, 7200, allow_nan=False)))
            msg = draw(st.sampled_from(_MSGS))
            proc = draw(st.sampled_from(["systemd", "kernel", "tmux", None]))
            if secs is None:
                evs.append(untimed(msg, i))
            elif name == "syslog":
                evs.append(syslog(at(secs), proc or "app", 1, msg, line=i, zone=draw(st.sampled_from([None, "+00:00"]))))
            else:
                evs.append(journald(at(secs), proc or "app", i, msg))
        lanes[name] = evs
    return lanes


@settings(max_examples=200, deadline=None)
@given(lanes=_lanes(), window=st.tuples(st.floats(-8000, 0), st.floats(0, 8000)))
def test_merge_keeps_every_event_accounted_for_and_in_order(lanes, window):
    start, end = at(window[0]), at(window[1])
    tl = merge_timeline(lanes, start, end)
    n_in = sum(len(v) for v in lanes.values())
    assert tl.total + len(tl.untimed) + tl.outside_window + tl.duplicates_removed == n_in
    times = [e.time for e in tl.entries]
    assert times == sorted(times) and all(start <= t <= end for t in times)
    ids = [e.evidence_id for e in tl.entries]
    folded = [s.evidence_id for e in tl.entries for s in e.also_seen]
    assert len(set(ids)) == len(ids) and not set(ids) & set(folded)
    for s in tl.clock_skew:  # a skew is always a whole number of half hours
        assert s.offset_seconds != 0 and abs(s.offset_seconds / 1800 - round(s.offset_seconds / 1800)) < 0.1


def test_cursor_of_a_relative_window_stays_valid(tmp_path):
    from mcp_server.analysis.collect import write_event_export
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    evs = [journald(now - timedelta(minutes=50 - i), "cron", 1, f"job {i} done") for i in range(5)]
    write_event_export(evs, tmp_path / "x.events.jsonl")
    first = build_timeline("1h ago", "now", paths=[str(tmp_path)], limit=3)
    rest = build_timeline("1h ago", "now", paths=[str(tmp_path)], limit=3, cursor=first.next_cursor)
    assert len(first.entries) == 3 and len(rest.entries) == 2
