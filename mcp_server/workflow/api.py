"""The workflow operations behind the `rca_*` MCP tools: start, status, record, advance, close.

Plain functions over the stored `Investigation`; they know nothing of MCP. Each checks what the
model asks against the record: evidence ids must be in the ledger, a code path must exist, a
phase completes only when its gate holds.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Literal, Optional

from pydantic import BaseModel, Field

from ..errors import InputError
from ..timeutil import parse_window
from . import gatefile, gates, incidents, storage
from .state import Finding, FindingKind, HypothesisStatus, Investigation, Mode, PhaseRecord, Verdict

__all__ = ["FindingKind", "HypothesisStatus", "Mode", "Verdict", "start", "status", "record", "advance", "close"]

log = logging.getLogger("rca.workflow")

FILE_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?:[-:]\d+)?$")


class InvestigationStatus(BaseModel):
    """Where an investigation stands and exactly what each phase gate still needs."""

    id: str
    mode: Mode
    status: Literal["open", "closed"]
    incident: str
    phase: str
    edits_allowed: bool = Field(description="false while the diagnosis is missing: the hooks then deny edits")
    overridden: bool = Field(description="the user lifted the edit gate for this investigation")
    missing: list[str] = Field(description="what stands between now and an allowed edit")
    gates: list[gates.PhaseGate]
    ledger_calls: int
    evidence_ids: int
    findings: int
    report_dir: str
    next_step: str
    related_incidents: list[str] = Field(
        default_factory=list,
        description="earlier closed investigations that look like this one (incident store); read their reports",
    )
    recorded_in_store: Optional[bool] = Field(None, description="on close: whether the incident store kept it")


class RecordResult(BaseModel):
    finding: Finding
    status: InvestigationStatus


class AdvanceResult(BaseModel):
    advanced: bool
    completed_phase: Optional[str] = None
    status: InvestigationStatus


def _project(project_dir: Optional[str]) -> str:
    return gatefile.project_dir(project_dir)


def _next_step(inv: Investigation) -> str:
    if inv.status != "open":
        return f"{inv.id} is closed ({inv.close_reason or 'done'})."
    unmet = [r for r in gates.requirements(inv, inv.phase) if not r.met]
    if not unmet:
        return f"The {inv.phase} gate holds: call rca_advance."
    return f"Phase {inv.phase}: {unmet[0].need}."


def discover_report(inv: Investigation) -> None:
    """Note the report `rca_report` wrote (`<report folder>/RCA-NNN-<slug>.md`) in `inv.report_path`."""
    if inv.report_path and os.path.isfile(inv.report_path):
        return
    folder = gatefile.report_dir(inv.project_dir)
    try:
        found = sorted(n for n in os.listdir(folder) if n.startswith(inv.id + "-") and n.endswith(".md"))
    except OSError:
        return
    if found:
        inv.report_path = os.path.join(folder, found[-1])


def describe(inv: Investigation) -> InvestigationStatus:
    if inv.phase == "report":
        discover_report(inv)
    return InvestigationStatus(
        id=inv.id, mode=inv.mode, status=inv.status, incident=inv.incident, phase=inv.phase,
        edits_allowed=gates.edits_allowed(inv), overridden=gates.overridden(inv), missing=gates.missing(inv),
        gates=gates.status(inv), ledger_calls=len(inv.ledger), evidence_ids=len(inv.evidence),
        findings=len(inv.findings), report_dir=gatefile.report_dir(inv.project_dir), next_step=_next_step(inv),
    )


def start(incident: str, mode: Mode = "strategic", start: Optional[str] = None, end: Optional[str] = None,
          targets: Optional[list[str]] = None, project_dir: Optional[str] = None) -> InvestigationStatus:
    incident = (incident or "").strip()
    if not incident:
        raise InputError("say what happened: incident is empty")
    if mode not in ("strategic", "tactical"):
        raise InputError(f"mode must be strategic or tactical, not {mode!r}")
    window = parse_window(start, end) if (start or end) else (None, None)
    inv = storage.create(_project(project_dir), mode=mode, incident=incident, window_start=window[0],
                         window_end=window[1], targets=[t.strip() for t in targets or [] if t.strip()])
    result = describe(inv)
    try:
        result.related_incidents = [
            f"{r.incident.id} ({r.incident.root_cause_class or 'unclassified'}, score {r.score:.2f}): {r.why}"
            for r in incidents.related(inv)
        ]
    except Exception as exc:  # noqa: BLE001 - a broken store must not stop an investigation from starting
        log.warning("incident store unavailable: %s", exc)
    return result


def status(project_dir: Optional[str] = None, inv_id: Optional[str] = None) -> InvestigationStatus:
    project = _project(project_dir)
    inv = storage.load(project, inv_id) if inv_id else storage.load_active(project)
    if inv is None:
        raise InputError("no open investigation in this project: start one with rca_start (or /rca <what happened>)")
    return describe(inv)


def check_file_line(project: str, file_line: str) -> str:
    """`path:line` normalised to a project-relative path when inside the project; the file must
    exist and have that many lines."""
    m = FILE_LINE.match(file_line.strip())
    if not m:
        raise InputError(f"file_line must be path:line (e.g. src/server.py:42), not {file_line!r}")
    rel, line = m.group("path"), int(m.group("line"))
    path = os.path.realpath(os.path.join(project, os.path.expanduser(rel)))
    if not os.path.isfile(path):
        raise InputError(f"{rel} does not exist (relative to the project {project}); cite a file that is there")
    if line < 1:
        raise InputError("line numbers start at 1")
    n = 0
    with open(path, "rb") as f:
        for n, _ in enumerate(f, 1):
            if n >= line:
                break
    if n < line:
        raise InputError(f"{rel} has only {n} lines; line {line} does not exist")
    inside = path.startswith(project.rstrip(os.sep) + os.sep)
    return f"{os.path.relpath(path, project) if inside else path}:{line}"


def record(kind: FindingKind, text: str, evidence_ids: Optional[list[str]] = None, file_line: Optional[str] = None,
           confidence: Optional[float] = None, status: Optional[HypothesisStatus] = None,
           verdict: Optional[Verdict] = None, order: Optional[int] = None, applies_to: Optional[str] = None,
           files: Optional[list[str]] = None, owner: Optional[str] = None, due: Optional[str] = None,
           start: Optional[str] = None, end: Optional[str] = None, targets: Optional[list[str]] = None,
           project_dir: Optional[str] = None) -> RecordResult:
    text = (text or "").strip()
    if not text:
        raise InputError("text is empty: say what the finding is")
    ids = list(dict.fromkeys(evidence_ids or []))
    project = _project(project_dir)
    with storage.transaction(project) as inv:
        unknown = [e for e in ids if e not in inv.evidence]
        if unknown:
            raise InputError(
                f"evidence ids not in this investigation's ledger: {', '.join(unknown[:10])}. Cite only ids that "
                "forensic tools returned after rca_start (rca_status shows the ledger size); gather the evidence first."
            )
        if kind in gates.NEEDS_EVIDENCE and not ids:
            raise InputError(f"a {kind} finding must cite evidence_ids from the ledger")
        if kind == "hypothesis" and confidence is None:
            raise InputError("a hypothesis needs a confidence between 0 and 1")
        if kind == "verdict" and verdict is None:
            raise InputError("a verdict finding needs verdict=CONFIRMED, LIKELY or INCONCLUSIVE")
        if kind == "code_path" and not file_line:
            raise InputError("a code_path finding needs file_line=path:line (or record kind=not_applicable "
                             "applies_to=code_path with the reason)")
        if kind == "not_applicable" and not applies_to:
            raise InputError("say which requirement does not apply: applies_to=code_path or session_forensics")
        if kind == "prescription" and not files:
            raise InputError("a prescription names the files the fix will change: files=[…]")
        checked = check_file_line(project, file_line) if file_line else None
        if kind == "scope" and (start or end or targets):
            if start or end:
                inv.window_start, inv.window_end = parse_window(start, end)
            if targets:
                inv.targets = list(dict.fromkeys(inv.targets + [t.strip() for t in targets if t.strip()]))
        finding = Finding(
            id=f"F-{len(inv.findings) + 1}", kind=kind, text=text, evidence_ids=ids, file_line=checked,
            status=status or ("proposed" if kind == "hypothesis" else None), confidence=confidence, verdict=verdict,
            order=order, owner=owner, due=due, time=storage.now(), applies_to=applies_to, files=list(files or []),
        )
        inv.findings.append(finding)
    return RecordResult(finding=finding, status=describe(inv))


def advance(project_dir: Optional[str] = None) -> AdvanceResult:
    """Complete the current phase when its gate holds and move to the next; the last phase
    completing closes the investigation."""
    project = _project(project_dir)
    with storage.transaction(project) as inv:
        if inv.phase == "report":
            discover_report(inv)
        if not gates.holds(inv):
            return AdvanceResult(advanced=False, status=describe(inv))
        t = storage.now()
        done = inv.phase
        for p in inv.phases:
            if p.phase == done and p.completed is None:
                p.completed = t
        order = gates.phases_for(inv.mode)
        i = order.index(done)
        if i + 1 < len(order):
            inv.phase = order[i + 1]
            inv.phases.append(PhaseRecord(phase=inv.phase, started=t))
        else:
            inv.status, inv.closed, inv.close_reason = "closed", t, "all phases complete"
    result = AdvanceResult(advanced=True, completed_phase=done, status=describe(inv))
    if inv.status == "closed":
        result.status.recorded_in_store = _store_closed(inv)
    return result


def close(reason: str, project_dir: Optional[str] = None) -> InvestigationStatus:
    """Close the open investigation. Before the diagnosis is recorded this needs the user's
    override: closing would lift the edit gate, and the model must not be able to lift its own."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("say why the investigation is closed: reason is empty")
    with storage.transaction(_project(project_dir)) as inv:
        if not gates.edits_allowed(inv):
            raise InputError(
                f"{inv.id} cannot be closed before its diagnosis is recorded (phase {inv.phase}; rca_status shows "
                "what is missing). If the user wants to stop, they type /rca:override <reason>; then rca_close works."
            )
        inv.status, inv.closed, inv.close_reason = "closed", storage.now(), reason
    result = describe(inv)
    result.recorded_in_store = _store_closed(inv)
    return result


def _store_closed(inv: Investigation) -> bool:
    """Keep a closed investigation in the incident store (for rca_patterns and related incidents)."""
    try:
        incidents.record_closed(inv)
        return True
    except Exception as exc:  # noqa: BLE001 - the investigation is closed either way; say the store failed
        log.warning("incident store could not record %s: %s", inv.id, exc)
        return False
