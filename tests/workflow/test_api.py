"""The workflow and the incident store meet: closing records the incident, starting names look-alikes."""

from __future__ import annotations

from mcp_server.workflow import api, incidents, storage
from mcp_server.workflow.state import Override


def _close_with_override(project, reason):
    with storage.transaction(str(project)) as inv:
        inv.overrides.append(Override(time=storage.now(), source="user_prompt", text="stop"))
    return api.close(reason)


def test_closed_investigations_reach_the_store_and_later_starts_name_them(env):
    api.start("tmux server died during the test run", targets=["tmux"])
    closed = _close_with_override(env, "the test harness kills tmux; fixed in conftest")
    assert closed.status == "closed" and closed.recorded_in_store is True
    second = api.start("tmux server died again after pytest", targets=["tmux"])
    assert second.related_incidents, "the earlier tmux incident should be named"
    assert second.related_incidents[0].startswith("RCA-001")
    assert [r.id for r in incidents.IncidentStore().incidents()] == ["RCA-001"]


def test_a_broken_store_never_stops_an_investigation(env, monkeypatch):
    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(incidents, "related", broken)
    monkeypatch.setattr(incidents, "record_closed", broken)
    started = api.start("postgres died", targets=["postgres"])
    assert started.related_incidents == []
    closed = _close_with_override(env, "duplicate")
    assert closed.status == "closed" and closed.recorded_in_store is False
