"""The collection glue: rca's event export reader (a parser: property-tested) and source adapters."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_server.analysis import collect
from mcp_server.analysis.collect import _as_events, collect_lanes, read_event_export, write_event_export
from mcp_server.models import Event, SourceRun
from mcp_server.sources._io import compression_of
from tests.report_fixtures import at, tmux_incident_events

GOOD = [e.model_dump_json() for e in tmux_incident_events().values()]


def _valid(line: bytes) -> bool:
    try:
        Event.model_validate(json.loads(line.decode("utf-8")))
        return True
    except Exception:
        return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    chunks=st.lists(
        st.one_of(
            st.sampled_from([g.encode() for g in GOOD]),
            st.binary(max_size=300),
            st.sampled_from([b"\x00\x00\x00", b"{", b"[]", b'{"evidence_id": 3}', "caf\u00e9".encode("latin-1")]),
        ),
        max_size=25,
    ),
    cut=st.integers(min_value=0, max_value=10_000),
)
def test_event_export_never_raises_and_every_dropped_line_is_a_warning(tmp_path_factory, chunks, cut):
    data = b"\n".join(c.replace(b"\n", b" ").replace(b"\r", b" ") for c in chunks)
    data = data[: cut if cut < len(data) else len(data)]
    f = tmp_path_factory.mktemp("ex") / "x.events.jsonl"
    f.write_bytes(data)
    events, warnings = read_event_export(f)
    lines = [l for l in data.split(b"\n") if l.strip(b" \t\r\n\f\v")]
    valid = [l for l in lines if _valid(l)]
    if compression_of(data):  # read as a (broken) compressed file: nothing made up, and it says so
        assert len(events) <= len(valid) and (warnings or not data[3:])
        return
    assert len(events) == len(valid)
    assert len(warnings) >= len(lines) - len(valid)


def test_huge_line_is_a_warning_not_a_crash(tmp_path):
    f = tmp_path / "huge.events.jsonl"
    f.write_bytes(GOOD[0].encode() + b"\n" + b'{"message": "' + b"x" * (3 << 20) + b'"}\n' + GOOD[1].encode() + b"\n")
    events, warnings = read_event_export(f)
    assert len(events) == 2 and any("too long" in w.message or "bytes long" in w.message for w in warnings)


def test_export_round_trip(tmp_path):
    ev = list(tmux_incident_events().values())
    n = write_event_export(ev, tmp_path / "a.events.jsonl")
    back, warnings = read_event_export(tmp_path / "a.events.jsonl")
    assert n == 6 and back == ev and warnings == []


def test_adapters_accept_the_shapes_sources_return():
    ev = list(tmux_incident_events().values())

    class Result:  # a source result model: events plus what was consulted
        def __init__(self):
            self.events = ev[:2]
            self.sources = [SourceRun(source="journald", argv=["journalctl", "-o", "json"], events=2)]
            self.warnings = []
            self.next_cursor = None

    class Command:  # a session command that knows its event
        def __init__(self, e):
            self.e = e

        def to_event(self):
            return self.e

    class Commands:
        commands = [Command(ev[2]), Command(ev[3])]

    assert _as_events(Result()) == ev[:2]
    assert _as_events(Commands()) == ev[2:4]
    assert _as_events(iter(ev)) == ev and _as_events(list(ev)) == ev
    assert _as_events(None) == []


def test_source_without_a_paths_argument_is_not_run_on_the_whole_machine(tmp_path, monkeypatch):
    import types
    import sys

    calls = []

    def shell_history(start=None, end=None):  # a reader that cannot be pointed at files
        calls.append((start, end))
        return []

    mod = types.ModuleType("rca_test_fake_history")
    mod.shell_history = shell_history
    monkeypatch.setitem(sys.modules, "rca_test_fake_history", mod)
    monkeypatch.setitem(collect.SOURCE_FUNCTIONS, "shell_history", ("rca_test_fake_history", "shell_history"))
    (tmp_path / "zsh_history").write_text(": 1795229100:0;cd ~/app\n")
    out = collect_lanes(at(-3600), at(3600), paths=[str(tmp_path)])
    assert calls == []
    run = next(r for r in out.runs if r.source == "shell_history")
    assert run.status == "unavailable" and "takes no paths argument" in (run.reason or "")


def test_failing_source_is_an_error_run_and_others_still_run(tmp_path, monkeypatch):
    import sys
    import types

    def crash_reports(start=None, end=None, paths=None, process=None, limit=None, cursor=None):
        raise OSError("Permission denied: '/Library/Logs/DiagnosticReports'")

    mod = types.ModuleType("rca_test_fake_crash")
    mod.find_crash_reports = crash_reports
    monkeypatch.setitem(sys.modules, "rca_test_fake_crash", mod)
    monkeypatch.setitem(collect.SOURCE_FUNCTIONS, "crash_reports", ("rca_test_fake_crash", "find_crash_reports"))
    (tmp_path / "a.ips").write_text("{}")
    write_event_export(tmux_incident_events().values(), tmp_path / "b.events.jsonl")
    out = collect_lanes(at(-3600), at(3600), paths=[str(tmp_path)])
    statuses = {r.source: r.status for r in out.runs}
    assert statuses["crash_reports"] == "error" and statuses["events"] == "ok"
    assert sum(len(v) for v in out.lanes.values()) == 6


def test_one_reader_returning_two_sources_gives_two_lanes_so_duplicates_fold(tmp_path, monkeypatch):
    import sys
    import types

    from mcp_server.analysis.timeline import merge_timeline
    from tests.report_fixtures import journald, syslog

    line = "nova-compute.service: Main process exited, code=killed, status=9/KILL"
    j = journald(at(0.731), "systemd", 1, line, host="compute4")
    s = syslog(at(0.731), "systemd", 1, line, host="compute4", line=7312)

    class Result:  # log_show's shape: events from every source it consulted
        events = [j, s]
        consulted = [SourceRun(source="journald", argv=["journalctl", "-o", "json"], events=1),
                     SourceRun(source="syslog", path="/var/log/syslog", events=1)]
        warnings = []
        next_cursor = None

    mod = types.ModuleType("rca_test_fake_logs")
    mod.log_show = lambda start=None, end=None, process=None, limit=None, cursor=None: Result()
    monkeypatch.setitem(sys.modules, "rca_test_fake_logs", mod)
    monkeypatch.setitem(collect.SOURCE_FUNCTIONS, "logs", ("rca_test_fake_logs", "log_show"))
    out = collect_lanes(at(-60), at(60), sources=["logs"])
    assert set(out.lanes) == {"journald", "syslog"}
    assert [r.source for r in out.runs] == ["journald", "syslog"]
    tl = merge_timeline(out.lanes, at(-60), at(60))
    assert tl.total == 1 and tl.entries[0].also_seen[0].evidence_id == s.evidence_id
