"""The investigation record: what the workflow layer stores, the report renders and the hooks read.

Stored as one JSON file per investigation (see `workflow/storage.py` for where and how); the
hooks read those files with the stdlib `json` module only, so the JSON shape of `Investigation` is
a contract: field names change only with a migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, Field

from ..models import CategoryStatus

Mode = Literal["strategic", "tactical"]

#: Phases in order, per mode. The last phase of each is where the fix may begin.
STRATEGIC_PHASES = ("scope", "system_evidence", "session_forensics", "code_path", "root_cause", "report")
TACTICAL_PHASES = ("scope", "investigate", "prescription")

FindingKind = Literal[
    "scope",  # a fact about what died, when, and what was running
    "session",  # a session in the window, or the explicit "no sessions" record
    "last_command",  # the last command before the failure
    "code_path",  # file:line where the failing behaviour lives
    "not_applicable",  # a phase requirement that does not apply, with the reason
    "chain_link",  # one link of the event chain from root cause to symptom
    "root_cause",
    "contributing_factor",
    "symptom",
    "hypothesis",
    "ruled_out",  # an alternative explanation excluded by evidence
    "unknown",  # what the evidence cannot tell
    "verdict",
    "prescription",  # tactical: the files and actions of the fix
    "action_item",
    "note",
]

Verdict = Literal["CONFIRMED", "LIKELY", "INCONCLUSIVE"]
HypothesisStatus = Literal["proposed", "supported", "refuted"]


class LedgerEntry(BaseModel):
    """One forensic tool call, recorded by the MCP server itself while an investigation is open."""

    seq: int
    time: datetime
    tool: str
    arguments: dict[str, object] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict, description="events, warnings, sources, … as the tool reported")
    evidence_ids: list[str] = Field(default_factory=list)
    categories: dict[str, CategoryStatus] = Field(
        default_factory=dict, description="per evidence category: found / not_found / unavailable (collect_evidence)"
    )
    error: Optional[str] = None


class EvidenceRef(BaseModel):
    """What the ledger knows about one evidence id, so reports can show it without re-reading."""

    evidence_id: str
    tool: str
    seq: int
    time: Optional[datetime] = None
    source: Optional[str] = None
    summary: str = ""


class Finding(BaseModel):
    id: str  # "F-1", "F-2", …
    kind: FindingKind
    text: str
    evidence_ids: list[str] = Field(default_factory=list)
    file_line: Optional[str] = Field(None, description="path:line for code-path findings (checked to exist)")
    status: Optional[HypothesisStatus] = None
    confidence: Optional[float] = Field(None, ge=0, le=1)
    verdict: Optional[Verdict] = None
    order: Optional[int] = Field(None, description="position in the event chain (chain_link)")
    owner: Optional[str] = None
    due: Optional[str] = None
    time: datetime
    #: the phase or requirement a `not_applicable` finding answers ("code_path", "session_forensics")
    applies_to: Optional[str] = None
    #: prescription: the files the fix will touch
    files: list[str] = Field(default_factory=list)


class PhaseRecord(BaseModel):
    phase: str
    started: datetime
    completed: Optional[datetime] = None


class Override(BaseModel):
    time: datetime
    source: str = Field(description="how it was given: 'user_prompt', 'cli', …")
    text: str = ""


class Investigation(BaseModel):
    id: str  # "RCA-001"
    mode: Mode
    status: Literal["open", "closed"] = "open"
    incident: str
    project_dir: str
    window_start: Optional[datetime] = None
    window_end: Optional[datetime] = None
    targets: list[str] = Field(default_factory=list)
    phase: str
    phases: list[PhaseRecord] = Field(default_factory=list)
    ledger: list[LedgerEntry] = Field(default_factory=list)
    evidence: dict[str, EvidenceRef] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)
    root_cause_class: Optional[str] = None
    created: datetime
    updated: datetime
    closed: Optional[datetime] = None
    close_reason: Optional[str] = None
    report_path: Optional[str] = None
    #: tactical mode: the failing command and its failure signature that opened it
    trigger: Optional[dict[str, object]] = None
