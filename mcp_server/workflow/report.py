"""The RCA report: rendered from an investigation, validated against its evidence ledger.

`render_report(inv)` returns the Markdown text and the `RcaReport` model (its JSON twin).
`write_report(inv, project_dir, report_dir=None)` writes `RCA-NNN-<slug>.md` and `RCA-NNN-<slug>.json`
into the project's report folder (see `report_config` for how the folder is chosen).

Validation happens before anything is rendered: every evidence id a finding cites must be in the
investigation's ledger (`inv.evidence`, filled by the MCP server from tool results — the model
cannot cite what it did not gather), and the claims the report stands on — the timeline (chain
links, the last command) and the root cause — must cite at least one. Offenders are refused with
`UncitedClaims`, an `InputError` that lists them all, so the caller can fix them in one pass.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, Field

from ..analysis.root_cause import CLASSES
from ..errors import InputError
from ..timeutil import to_utc_iso
from .report_config import ReportDirError, resolve_report_dir
from .state import EvidenceRef, Finding, Investigation, Verdict

#: The eight evidence categories of the system-evidence sweep (collect_evidence), in report order.
EVIDENCE_CATEGORIES = (
    "target_process",
    "code_signing",
    "signals",
    "memory_pressure",
    "power",
    "kernel",
    "crash_reports",
    "app_logs",
)
#: Finding kinds that must cite evidence, and why: the report stands on them.
MUST_CITE = ("chain_link", "last_command", "root_cause")
TIMELINE_KINDS = ("chain_link", "last_command")
SECTIONS = (
    "Summary",
    "Timeline",
    "Root cause",
    "Contributing factors",
    "Symptoms",
    "Evidence summary",
    "Ruled-out alternatives",
    "Unknowns",
    "Recommended fix",
    "Action items",
    "Evidence cited",
)

CategoryState = Literal["found", "not_found", "unavailable", "not_probed"]


class Offender(BaseModel):
    finding_id: str
    kind: str
    problem: Literal["uncited", "unknown_evidence", "inconsistent"]
    detail: str


class Offenders(BaseModel):
    """The JSON shape of a refused report (`rca report --json`)."""

    refused: bool = True
    offenders: list[Offender]


class UncitedClaims(InputError):
    """The report was refused: claims without evidence, or citations the ledger does not hold."""

    def __init__(self, offenders: list[Offender]):
        self.offenders = offenders
        lines = "; ".join(f"{o.finding_id} ({o.kind}): {o.detail}" for o in offenders)
        super().__init__(
            f"the report was refused: {len(offenders)} claim(s) are not grounded in the evidence ledger — {lines}. "
            "Gather the evidence with a forensic tool while the investigation is open (it is recorded in the "
            "ledger), then cite its evidence_id with rca_record."
        )


class TimelineRow(BaseModel):
    time: Optional[datetime] = None
    event: str
    evidence_ids: list[str]
    source: Optional[str] = None
    finding_id: str


class ReportItem(BaseModel):
    finding_id: str
    text: str
    evidence_ids: list[str] = Field(default_factory=list)
    file_line: Optional[str] = None
    owner: Optional[str] = None
    due: Optional[str] = None
    confidence: Optional[float] = None


class CategoryRow(BaseModel):
    category: str
    status: CategoryState
    detail: str


class RcaReport(BaseModel):
    id: str
    incident: str
    mode: str
    status: str
    phase: str
    verdict: Verdict
    summary: str
    window_start: Optional[datetime] = None
    window_end: Optional[datetime] = None
    targets: list[str] = Field(default_factory=list)
    root_cause_class: Optional[str] = None
    root_cause_class_title: Optional[str] = None
    timeline: list[TimelineRow] = Field(default_factory=list)
    root_cause: list[ReportItem] = Field(default_factory=list)
    contributing_factors: list[ReportItem] = Field(default_factory=list)
    symptoms: list[ReportItem] = Field(default_factory=list)
    evidence_summary: list[CategoryRow] = Field(default_factory=list)
    ruled_out: list[ReportItem] = Field(default_factory=list)
    unknowns: list[ReportItem] = Field(default_factory=list)
    recommended_fix: list[ReportItem] = Field(default_factory=list)
    remediation: list[str] = Field(default_factory=list, description="Guidance for the root-cause class.")
    action_items: list[ReportItem] = Field(default_factory=list)
    evidence: list[EvidenceRef] = Field(default_factory=list, description="Every ledger entry the report cites.")
    generated: datetime


class ReportWritten(BaseModel):
    id: str
    verdict: Verdict
    markdown_path: str
    json_path: str
    report_dir: str
    cited_evidence: int
    sections: list[str]


# ------------------------------------------------------------------------------------ validation


def validate(inv: Investigation) -> list[Offender]:
    """Every problem that keeps the report from being written (empty: it can be written)."""
    offenders: list[Offender] = []
    for f in inv.findings:
        unknown = [e for e in f.evidence_ids if e not in inv.evidence]
        if unknown:
            offenders.append(
                Offender(
                    finding_id=f.id, kind=f.kind, problem="unknown_evidence",
                    detail=f"cites {', '.join(unknown)}, which the evidence ledger does not hold",
                )
            )
        if f.kind in MUST_CITE and not f.evidence_ids:
            offenders.append(
                Offender(finding_id=f.id, kind=f.kind, problem="uncited", detail=f"cites no evidence: {f.text[:120]!r}")
            )
    v = _verdict(inv)
    if v == "CONFIRMED" and not any(f.kind == "root_cause" for f in inv.findings):
        offenders.append(
            Offender(finding_id="-", kind="verdict", problem="inconsistent", detail="CONFIRMED without a recorded root cause")
        )
    return offenders


def _verdict(inv: Investigation) -> Verdict:
    for f in reversed(inv.findings):
        if f.kind == "verdict":
            if f.verdict:
                return f.verdict
            m = re.search(r"\b(CONFIRMED|LIKELY|INCONCLUSIVE)\b", f.text.upper())
            if m:
                return m.group(1)  # type: ignore[return-value]
    return "INCONCLUSIVE"


# ------------------------------------------------------------------------------------- rendering


def _item(f: Finding) -> ReportItem:
    return ReportItem(
        finding_id=f.id, text=f.text, evidence_ids=list(f.evidence_ids), file_line=f.file_line, owner=f.owner,
        due=f.due, confidence=f.confidence,
    )


def _of(inv: Investigation, *kinds: str) -> list[Finding]:
    return [f for f in inv.findings if f.kind in kinds]


def evidence_summary(inv: Investigation) -> list[CategoryRow]:
    """Each evidence category found / not found / unavailable, from the ledger (found wins)."""
    seen: dict[str, dict[str, list[str]]] = {}
    for entry in inv.ledger:
        for cat, status in entry.categories.items():
            seen.setdefault(cat, {}).setdefault(status, []).append(f"#{entry.seq} {entry.tool}")
    rows = []
    for cat in list(EVIDENCE_CATEGORIES) + sorted(c for c in seen if c not in EVIDENCE_CATEGORIES):
        by = seen.get(cat, {})
        for status in ("found", "not_found", "unavailable"):
            if status in by:
                calls = ", ".join(by[status][:3])
                rows.append(CategoryRow(category=cat, status=status, detail=f"ledger {calls}"))  # type: ignore[arg-type]
                break
        else:
            rows.append(CategoryRow(category=cat, status="not_probed", detail="no ledger entry probed this category"))
    return rows


def _row_time(inv: Investigation, f: Finding) -> Optional[datetime]:
    times = [inv.evidence[e].time for e in f.evidence_ids if e in inv.evidence and inv.evidence[e].time]
    return min(times) if times else None  # type: ignore[type-var]


def _sources(inv: Investigation, ids: list[str]) -> Optional[str]:
    names = []
    for e in ids:
        ref = inv.evidence.get(e)
        if ref and ref.source and ref.source not in names:
            names.append(ref.source)
    return ", ".join(names) or None


def build_report(inv: Investigation, *, now: Optional[datetime] = None) -> RcaReport:
    """The validated report model; `UncitedClaims` lists everything that keeps it from being written."""
    offenders = validate(inv)
    if offenders:
        raise UncitedClaims(offenders)
    rows = []
    chain = _of(inv, *TIMELINE_KINDS)
    for f in chain:
        rows.append(
            TimelineRow(
                time=_row_time(inv, f), event=f.text, evidence_ids=list(f.evidence_ids),
                source=_sources(inv, f.evidence_ids), finding_id=f.id,
            )
        )
    far = datetime.max.replace(tzinfo=timezone.utc)
    order = {f.id: (f.order if f.order is not None else 10**6) for f in chain}
    rows.sort(key=lambda r: (r.time or far, order[r.finding_id]))
    verdict = _verdict(inv)
    roots = _of(inv, "root_cause")
    cls = CLASSES.get(inv.root_cause_class or "")
    if roots:
        summary = (
            f"{inv.incident.strip().rstrip('.')}. Verdict: {verdict}. Root cause"
            + (f" ({cls.title.lower()})" if cls else "")
            + f": {roots[-1].text.strip()}"
        )
    else:
        summary = f"{inv.incident.strip().rstrip('.')}. Verdict: {verdict}. No root cause was established."
    cited: list[str] = []
    for f in inv.findings:
        for e in f.evidence_ids:
            if e not in cited:
                cited.append(e)
    return RcaReport(
        id=inv.id, incident=inv.incident, mode=inv.mode, status=inv.status, phase=inv.phase, verdict=verdict,
        summary=summary, window_start=inv.window_start, window_end=inv.window_end, targets=list(inv.targets),
        root_cause_class=inv.root_cause_class, root_cause_class_title=cls.title if cls else None,
        timeline=rows, root_cause=[_item(f) for f in roots],
        contributing_factors=[_item(f) for f in _of(inv, "contributing_factor")],
        symptoms=[_item(f) for f in _of(inv, "symptom")], evidence_summary=evidence_summary(inv),
        ruled_out=[_item(f) for f in _of(inv, "ruled_out")]
        + [_item(f) for f in _of(inv, "hypothesis") if f.status == "refuted"],
        unknowns=[_item(f) for f in _of(inv, "unknown")],
        recommended_fix=[_item(f) for f in _of(inv, "code_path", "prescription")],
        remediation=list(cls.remediation) if cls else [],
        action_items=[_item(f) for f in _of(inv, "action_item")],
        evidence=[inv.evidence[e] for e in cited],
        generated=now or datetime.now(timezone.utc),
    )


def _cell(text: object) -> str:
    s = "" if text is None else str(text)
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _ids(ids: list[str]) -> str:
    return ", ".join(f"`{e}`" for e in ids) if ids else "—"


def _items(out: list[str], items: list[ReportItem], empty: str) -> None:
    if not items:
        out.append(f"_{empty}_")
        return
    for it in items:
        extra = []
        if it.file_line:
            extra.append(f"`{it.file_line}`")
        if it.evidence_ids:
            extra.append("evidence " + _ids(it.evidence_ids))
        if it.confidence is not None:
            extra.append(f"confidence {it.confidence:.0%}")
        if it.owner:
            extra.append(f"owner {it.owner}")
        if it.due:
            extra.append(f"due {it.due}")
        tail = f" ({'; '.join(extra)})" if extra else ""
        out.append(f"- **{it.finding_id}** {it.text.strip()}{tail}")


def to_markdown(r: RcaReport) -> str:
    out: list[str] = [f"# {r.id}: {r.incident.strip()}", ""]
    out.append(f"| verdict | mode | status | window (UTC) | targets | class |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    window = f"{to_utc_iso(r.window_start) or '?'} → {to_utc_iso(r.window_end) or '?'}"
    out.append(
        f"| **{r.verdict}** | {r.mode} | {r.status} ({r.phase}) | {window} | {_cell(', '.join(r.targets) or '—')} | "
        f"{_cell(r.root_cause_class or '—')} |"
    )
    out += ["", "## Summary", "", r.summary, "", "## Timeline", ""]
    if r.timeline:
        out.append("| time (UTC) | event | evidence id | source |")
        out.append("| --- | --- | --- | --- |")
        for row in r.timeline:
            out.append(
                f"| {to_utc_iso(row.time) or '—'} | {_cell(row.event)} | {_ids(row.evidence_ids)} | {_cell(row.source or '—')} |"
            )
    else:
        out.append("_No event chain was recorded._")
    out += ["", "## Root cause", ""]
    if r.root_cause_class_title:
        out.append(f"Class: **{r.root_cause_class_title}** (`{r.root_cause_class}`)")
        out.append("")
    _items(out, r.root_cause, "Not established.")
    out += ["", "## Contributing factors", ""]
    _items(out, r.contributing_factors, "None recorded.")
    out += ["", "## Symptoms", ""]
    _items(out, r.symptoms, "None recorded.")
    out += ["", "## Evidence summary", "", "| category | result | from |", "| --- | --- | --- |"]
    label = {"found": "found", "not_found": "not found", "unavailable": "unavailable", "not_probed": "not probed"}
    for c in r.evidence_summary:
        out.append(f"| {c.category} | {label[c.status]} | {_cell(c.detail)} |")
    out += ["", "## Ruled-out alternatives", ""]
    _items(out, r.ruled_out, "None recorded.")
    out += ["", "## Unknowns", ""]
    _items(out, r.unknowns, "None recorded.")
    out += ["", "## Recommended fix", ""]
    _items(out, r.recommended_fix, "No code location recorded.")
    if r.remediation:
        out += ["", f"Guidance for {r.root_cause_class_title or r.root_cause_class}:", ""]
        out += [f"- {g}" for g in r.remediation]
    out += ["", "## Action items", ""]
    _items(out, r.action_items, "None recorded.")
    out += ["", "## Evidence cited", ""]
    if r.evidence:
        out.append("| evidence id | time (UTC) | source | gathered by | summary |")
        out.append("| --- | --- | --- | --- | --- |")
        for e in r.evidence:
            out.append(
                f"| `{e.evidence_id}` | {to_utc_iso(e.time) or '—'} | {_cell(e.source or '—')} | "
                f"#{e.seq} {_cell(e.tool)} | {_cell(e.summary[:200])} |"
            )
    else:
        out.append("_No evidence cited._")
    out += ["", f"_Generated by rca at {to_utc_iso(r.generated)} from investigation {r.id}._", ""]
    return "\n".join(out)


def render_report(inv: Investigation, *, now: Optional[datetime] = None) -> tuple[str, RcaReport]:
    """(Markdown, report model) for an investigation; refuses uncited claims (`UncitedClaims`)."""
    r = build_report(inv, now=now)
    return to_markdown(r), r


def slugify(text: str, limit: int = 48) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s[:limit].rstrip("-") or "incident")


def report_basename(inv: Investigation) -> str:
    ident = re.sub(r"[^A-Za-z0-9-]+", "-", inv.id).strip("-") or "RCA"
    return f"{ident}-{slugify(inv.incident)}"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_report(
    inv: Investigation,
    project_dir: Union[str, os.PathLike, None] = None,
    report_dir: Union[str, os.PathLike, None] = None,
    *,
    confine: bool = False,
    now: Optional[datetime] = None,
) -> ReportWritten:
    """Validate, render and write the Markdown report and its JSON twin; returns where they went."""
    project = Path(project_dir or inv.project_dir)
    try:
        folder = resolve_report_dir(project, report_dir, confine=confine)
    except ReportDirError as exc:
        raise InputError(str(exc)) from exc
    markdown, model = render_report(inv, now=now)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the report folder {folder}: {exc.strerror or exc}") from exc
    base = report_basename(inv)
    md, js = folder / f"{base}.md", folder / f"{base}.json"
    _atomic_write(md, markdown)
    _atomic_write(js, json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    return ReportWritten(
        id=inv.id, verdict=model.verdict, markdown_path=str(md), json_path=str(js), report_dir=str(folder),
        cited_evidence=len(model.evidence), sections=list(SECTIONS),
    )


def project_dir_default() -> str:
    """The project the MCP server or CLI works for: `$CLAUDE_PROJECT_DIR`, else the working folder."""
    return os.environ.get("CLAUDE_PROJECT_DIR") or os.getcwd()


def report_for_project(
    project_dir: Optional[str] = None,
    report_dir: Optional[str] = None,
    investigation_id: Optional[str] = None,
    *,
    confine: bool = False,
) -> ReportWritten:
    """Write the report of the project's open investigation (or of `investigation_id`).

    Reads investigation state through `workflow.storage` (the workflow layer's store).
    """
    from . import storage  # the workflow store; imported here so the report renders without it

    project = project_dir or project_dir_default()
    inv = storage.load(project, investigation_id) if investigation_id else storage.load_active(project)
    if inv is None:
        raise InputError(
            "no investigation is open for this project"
            + (f" ({project})" if project else "")
            + ": start one with rca_start, or name a closed one by its id (RCA-NNN)"
        )
    return write_report(inv, project, report_dir, confine=confine)


__all__ = [
    "EVIDENCE_CATEGORIES",
    "SECTIONS",
    "Offender",
    "RcaReport",
    "ReportWritten",
    "UncitedClaims",
    "build_report",
    "render_report",
    "report_for_project",
    "validate",
    "write_report",
]
