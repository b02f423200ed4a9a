"""The log sources' fast paths must build exactly the events the plain code builds.

`build_event` bypasses pydantic; the events it makes must be indistinguishable from validated
ones (same fields, same fields-set, extra and private slots, same dump).
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

from mcp_server.models import Event
from mcp_server.sources._logevent import build_event

VALUES = {
    "evidence_id": "ev-0123456789abcdef", "data_type": "journald:entry", "source": "journald",
    "time": datetime(2026, 11, 21, 3, 0, 1, 5, tzinfo=timezone.utc), "time_text": "1795230000000005", "time_zone": "UTC",
    "time_meaning": "logged", "host": "web-1", "process": "java", "pid": 42, "subsystem": "java.service",
    "category": None, "level": "err", "message": "Out of memory", "extra": {"PRIORITY": "3", "_UID": ["0", "1"]},
    "origin": "x.json:7",
}


def test_build_event_is_indistinguishable_from_a_validated_event():
    fast = build_event(dict(VALUES))
    slow = Event(**VALUES)
    assert type(fast) is Event
    assert fast == slow
    assert fast.__dict__ == slow.__dict__ and list(fast.__dict__) == list(slow.__dict__)
    assert fast.model_fields_set == slow.model_fields_set == set(Event.model_fields)
    assert fast.__pydantic_extra__ is None and fast.__pydantic_private__ is None
    assert fast.model_dump_json() == slow.model_dump_json()
    assert copy.deepcopy(fast) == slow and fast.model_copy(update={"pid": 1}).pid == 1
    assert Event.model_validate(fast.model_dump()) == fast
