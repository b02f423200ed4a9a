"""Build ledger entries the way `server.run_tool` records them, for gate tests."""

from __future__ import annotations

from mcp_server.workflow import ledger, storage
from mcp_server.workflow.gates import CATEGORY_NAMES as EIGHT  # noqa: F401  (the eight categories)
from mcp_server.workflow.state import Investigation


def event(eid: str, msg: str, source: str = "journald", time: str = "2026-11-20T03:10:00+00:00") -> dict:
    return {"evidence_id": eid, "time": time, "source": source, "message": msg, "data_type": f"{source}:entry"}


def call(inv: Investigation, tool: str, result: dict, arguments: dict | None = None) -> None:
    """Append one tool call to `inv`'s ledger as ledger.record_call would."""
    counts, refs, cats = ledger.summarize(result)
    seq = len(inv.ledger) + 1
    inv.ledger.append(ledger.LedgerEntry(seq=seq, time=storage.now(), tool=tool, arguments=arguments or {},
                                         counts=counts, evidence_ids=list(refs), categories=cats))
    for eid, ref in refs.items():
        inv.evidence.setdefault(eid, ledger.EvidenceRef(evidence_id=eid, tool=tool, seq=seq, **ref))
