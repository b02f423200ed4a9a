"""The evidence ledger: every forensic tool call made while an investigation is open.

`server.run_tool` calls `record_call` after each forensic tool returns (or fails). What the
result contained is summarised here, by walking it: every object with an `evidence_id` becomes an
`EvidenceRef` (time, source, a short message), top-level numbers and list lengths become counts,
and a `categories` field (collect_evidence) becomes per-category found / not_found / unavailable.
`rca_record` later accepts only evidence ids found this way.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Optional

from pydantic import BaseModel

from ..models import EVIDENCE_PREFIX
from . import gatefile, storage
from .state import EvidenceRef, LedgerEntry

log = logging.getLogger("rca.workflow")

#: Bounds on what one call adds to the record (a page of results is far below these).
MAX_REFS_PER_CALL = 5000
MAX_ARG_CHARS = 2000
SUMMARY_CHARS = 200
CATEGORY_STATES = ("found", "not_found", "unavailable")


def _clip(text: object, limit: int) -> str:
    s = str(text)
    return s if len(s) <= limit else s[:limit] + "…"


def _time(value: object) -> Optional[datetime]:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _walk_refs(obj: Any, out: dict[str, dict], depth: int = 0) -> None:
    if depth > 12 or len(out) >= MAX_REFS_PER_CALL:
        return
    if isinstance(obj, dict):
        eid = obj.get("evidence_id")
        if isinstance(eid, str) and eid.startswith(EVIDENCE_PREFIX) and eid not in out:
            text = obj.get("message") or obj.get("summary") or obj.get("command") or obj.get("text") or ""
            source = obj.get("source") or obj.get("data_type")
            out[eid] = {"time": _time(obj.get("time")), "source": None if source is None else _clip(source, 80),
                        "summary": _clip(" ".join(str(text).split()), SUMMARY_CHARS)}
        for v in obj.values():
            if isinstance(v, (dict, list)):
                _walk_refs(v, out, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            if isinstance(v, (dict, list)):
                _walk_refs(v, out, depth + 1)


def _categories(value: Any) -> dict[str, str]:
    """collect_evidence's categories in any of the shapes a result may use: a list of objects
    with name/category and status, or a mapping of name to status (or to an object with one)."""
    out: dict[str, str] = {}
    items: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        items = [(k, v.get("status") if isinstance(v, dict) else v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(v.get("category") or v.get("name"), v.get("status")) for v in value if isinstance(v, dict)]
    for name, state in items:
        if isinstance(name, str) and state in CATEGORY_STATES:
            out[name] = state
    return out


def summarize(result: Any) -> tuple[dict[str, int], dict[str, dict], dict[str, str]]:
    """(counts, evidence refs by id, categories) of one tool result."""
    data = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    counts: dict[str, int] = {}
    categories: dict[str, str] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, bool):
                continue
            if isinstance(v, int):
                counts[k] = v
            elif isinstance(v, list):
                counts[k] = len(v)
        if "categories" in data:
            categories = _categories(data["categories"])
    refs: dict[str, dict] = {}
    _walk_refs(data, refs)
    return counts, refs, categories


def _jsonable_args(arguments: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in arguments.items():
        if isinstance(v, BaseModel):
            v = v.model_dump(mode="json")
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[k] = _clip(v, MAX_ARG_CHARS) if isinstance(v, str) else v
        else:
            out[k] = _clip(repr(v), MAX_ARG_CHARS) if not isinstance(v, (list, dict)) else v
    return out


def record_call(tool: str, arguments: dict[str, Any], result: Any = None, error: Optional[str] = None,
                project_dir: Optional[str] = None) -> Optional[LedgerEntry]:
    """Append one call to the open investigation's ledger; None when no investigation is open.

    Cheap when nothing is open (one small file read). Never raises: a ledger that cannot be
    written is logged, the tool's answer still reaches the model.
    """
    project = gatefile.project_dir(project_dir)
    try:
        gate = gatefile.read_gate(project)
        if not gate or not gate.get("open"):
            return None
        counts, refs, categories = summarize(result) if result is not None else ({}, {}, {})
        with storage.transaction(project) as inv:
            seq = max((e.seq for e in inv.ledger), default=0) + 1
            t = storage.now()
            entry = LedgerEntry(seq=seq, time=t, tool=tool, arguments=_jsonable_args(arguments), counts=counts,
                                evidence_ids=list(refs), categories=categories, error=error)
            inv.ledger.append(entry)
            for eid, ref in refs.items():
                if eid not in inv.evidence:
                    inv.evidence[eid] = EvidenceRef(evidence_id=eid, tool=tool, seq=seq, **ref)
        return entry
    except Exception as exc:  # noqa: BLE001 - the ledger must never break a forensic tool
        log.warning("could not record %s in the investigation ledger: %s", tool, exc)
        return None
