"""Phase gates: pure functions of an `Investigation` that say what each phase still needs.

The gates read the evidence ledger (what the MCP server itself recorded) and the findings, whose
evidence ids `rca_record` has already checked against that ledger. They never read what the model
says it did. A phase is complete when every requirement of its gate holds; `rca_advance` moves to
the next phase only then.

Strategic (`/rca`): scope → system_evidence → session_forensics → code_path → root_cause → report.
Tactical (a fix that does not converge): scope → investigate → prescription.
Edits are allowed once the diagnosis exists: strategic after root_cause is complete, tactical once
a prescription is recorded — or when the user has overridden the gate.
"""

from __future__ import annotations

from typing import Iterable, Optional

from pydantic import BaseModel, Field

from ..analysis.categories import CATEGORIES
from .state import STRATEGIC_PHASES, TACTICAL_PHASES, Finding, Investigation, LedgerEntry

#: The evidence categories collect_evidence sweeps (analysis/categories.py; the skill's
#: evidence-categories.md is generated from the same data).
CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)

#: The forensic tools the gates look for in the ledger.
LIST_SESSIONS = "list_sessions"
COLLECT_EVIDENCE = "collect_evidence"
EXTRACT_COMMANDS = "extract_session_commands"
FLAG_DANGEROUS = "flag_dangerous"
LAST_COMMANDS = "last_commands_before"
#: What the PostToolUse hook records for a test run it saw (tactical evidence).
TEST_RUN = "test_run"

#: Finding kinds that must cite ledger evidence.
NEEDS_EVIDENCE = frozenset({"chain_link", "root_cause", "ruled_out", "hypothesis", "last_command", "contributing_factor"})


class Requirement(BaseModel):
    name: str
    met: bool
    need: str = Field(description="what the gate requires, and how to provide it")
    have: str = Field("", description="what the ledger and findings show so far")


class PhaseGate(BaseModel):
    phase: str
    status: str = Field(description="done, current or pending")
    met: bool
    requirements: list[Requirement]


def phases_for(mode: str) -> tuple[str, ...]:
    return STRATEGIC_PHASES if mode == "strategic" else TACTICAL_PHASES


def fix_phase(mode: str) -> str:
    """The phase whose completion unblocks edits."""
    return "root_cause" if mode == "strategic" else "prescription"


# --- ledger and findings queries ----------------------------------------------------------------


def calls(inv: Investigation, tool: str) -> list[LedgerEntry]:
    """Successful ledger entries of `tool`."""
    return [e for e in inv.ledger if e.tool == tool and e.error is None]


def findings(inv: Investigation, *kinds: str) -> list[Finding]:
    return [f for f in inv.findings if f.kind in kinds]


def cited(f: Finding, inv: Investigation) -> list[str]:
    """The finding's evidence ids that the ledger knows."""
    return [e for e in f.evidence_ids if e in inv.evidence]


def not_applicable(inv: Investigation, what: str) -> Optional[Finding]:
    for f in findings(inv, "not_applicable"):
        if f.applies_to == what and f.text.strip():
            return f
    return None


def categories_probed(inv: Investigation) -> dict[str, str]:
    """Every evidence category collect_evidence reported on, with its latest status."""
    seen: dict[str, str] = {}
    for e in calls(inv, COLLECT_EVIDENCE):
        seen.update(e.categories)
    return seen


def _req(name: str, met: bool, need: str, have: str = "") -> Requirement:
    return Requirement(name=name, met=bool(met), need=need, have=have)


def _count(items: Iterable[object], noun: str) -> str:
    n = len(list(items))
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- the gates ----------------------------------------------------------------------------------


def _strategic(inv: Investigation, phase: str) -> list[Requirement]:
    if phase == "scope":
        return [
            _req("incident", bool(inv.incident.strip()), "the incident in one sentence (rca_start incident=…)"),
            _req("window", inv.window_start is not None and inv.window_end is not None,
                 "the time window (rca_start or rca_record kind=scope with start= and end=)",
                 f"{inv.window_start} … {inv.window_end}"),
            _req("targets", bool(inv.targets), "what died: process names, services or pids (targets=)",
                 ", ".join(inv.targets)),
            _req("sessions_listed", bool(calls(inv, LIST_SESSIONS)),
                 f"the Claude Code sessions active in the window: call {LIST_SESSIONS}",
                 _count(calls(inv, LIST_SESSIONS), "call")),
        ]
    if phase == "system_evidence":
        probed = categories_probed(inv)
        unprobed = [c for c in CATEGORY_NAMES if c not in probed]
        return [_req(
            "categories", not unprobed,
            f"all {len(CATEGORY_NAMES)} evidence categories probed for the window, each found / not_found / "
            f"unavailable: call {COLLECT_EVIDENCE} (then drill down with log_show, find_crash_reports)",
            (", ".join(f"{k}={probed[k]}" for k in CATEGORY_NAMES if k in probed) or "none probed")
            + (f"; not yet: {', '.join(unprobed)}" if unprobed and probed else ""),
        )]
    if phase == "session_forensics":
        na = not_applicable(inv, "session_forensics")
        listed = bool(calls(inv, LIST_SESSIONS))
        if na is not None and listed:
            return [_req("no_sessions", True, "no sessions in the window (recorded)", na.text)]
        last = [f for f in findings(inv, "last_command") if cited(f, inv)]
        return [
            _req("extracted", bool(calls(inv, EXTRACT_COMMANDS)),
                 f"commands of the sessions in the window: call {EXTRACT_COMMANDS} "
                 "(or, when list_sessions found none, rca_record kind=not_applicable applies_to=session_forensics)",
                 _count(calls(inv, EXTRACT_COMMANDS), "call")),
            _req("flagged", bool(calls(inv, FLAG_DANGEROUS)), f"their commands rated: call {FLAG_DANGEROUS}",
                 _count(calls(inv, FLAG_DANGEROUS), "call")),
            _req("last_command", bool(calls(inv, LAST_COMMANDS)) and bool(last),
                 f"the last command before the failure: call {LAST_COMMANDS}, then "
                 "rca_record kind=last_command citing its evidence id",
                 _count(last, "finding")),
        ]
    if phase == "code_path":
        code = [f for f in findings(inv, "code_path") if f.file_line]
        na = not_applicable(inv, "code_path")
        return [_req("code_path", bool(code) or na is not None,
                     "at least one rca_record kind=code_path with file_line=path:line, or kind=not_applicable "
                     "applies_to=code_path with the reason",
                     ", ".join(f.file_line or "" for f in code) or (f"not applicable: {na.text}" if na else ""))]
    if phase == "root_cause":
        chain = findings(inv, "chain_link")
        uncited = [f.id for f in chain if not cited(f, inv)]
        verdicts = [f for f in findings(inv, "verdict") if f.verdict]
        return [
            _req("chain", bool(chain) and not uncited,
                 "the event chain: rca_record kind=chain_link (order=1,2,…), every link citing ledger evidence",
                 _count(chain, "link") + (f"; uncited: {', '.join(uncited)}" if uncited else "")),
            _req("root_cause", any(cited(f, inv) for f in findings(inv, "root_cause")),
                 "the root cause, with evidence (kind=root_cause); contributing factors (kind=contributing_factor) "
                 "apart from it", _count(findings(inv, "root_cause"), "finding")),
            _req("symptoms", bool(findings(inv, "symptom")), "the symptoms, apart from the cause (kind=symptom)",
                 _count(findings(inv, "symptom"), "finding")),
            _req("ruled_out", any(cited(f, inv) for f in findings(inv, "ruled_out")),
                 "at least one alternative explanation ruled out with evidence (kind=ruled_out)",
                 _count(findings(inv, "ruled_out"), "finding")),
            _req("unknowns", bool(findings(inv, "unknown")), "what the evidence cannot tell (kind=unknown)",
                 _count(findings(inv, "unknown"), "finding")),
            _req("verdict", bool(verdicts), "the verdict: kind=verdict verdict=CONFIRMED|LIKELY|INCONCLUSIVE",
                 verdicts[-1].verdict if verdicts else ""),
        ]
    if phase == "report":
        return [_req("report", bool(inv.report_path), "the report written (rca_report)", inv.report_path or "")]
    raise ValueError(f"unknown strategic phase {phase!r}")


def _tactical(inv: Investigation, phase: str) -> list[Requirement]:
    if phase == "scope":
        scope = findings(inv, "scope")
        return [_req("failure", inv.trigger is not None or bool(scope),
                     "the failing command and its error (rca_record kind=scope)",
                     str((inv.trigger or {}).get("signature") or (scope[-1].text if scope else "")))]
    if phase == "investigate":
        hyps = findings(inv, "hypothesis")
        good = [h for h in hyps if cited(h, inv) and h.confidence is not None]
        return [_req("hypothesis", bool(good),
                     "at least one hypothesis citing ledger evidence (the recorded test runs, forensic tool results) "
                     "with a confidence: rca_record kind=hypothesis evidence_ids=[…] confidence=0.0-1.0",
                     f"{len(good)} of {len(hyps)} hypotheses cite evidence with a confidence")]
    if phase == "prescription":
        pres = [f for f in findings(inv, "prescription") if f.files]
        return [_req("prescription", bool(pres),
                     "the prescription: rca_record kind=prescription text=<the actions> files=[the files to change]",
                     _count(pres, "prescription"))]
    raise ValueError(f"unknown tactical phase {phase!r}")


def requirements(inv: Investigation, phase: str) -> list[Requirement]:
    return _strategic(inv, phase) if inv.mode == "strategic" else _tactical(inv, phase)


def holds(inv: Investigation, phase: Optional[str] = None) -> bool:
    return all(r.met for r in requirements(inv, phase or inv.phase))


def completed(inv: Investigation) -> set[str]:
    return {p.phase for p in inv.phases if p.completed is not None}


def overridden(inv: Investigation) -> bool:
    return bool(inv.overrides)


def diagnosis_done(inv: Investigation) -> bool:
    """Strategic: the root-cause phase is complete. Tactical: a prescription with files is recorded."""
    if inv.mode == "strategic":
        return "root_cause" in completed(inv)
    return bool([f for f in findings(inv, "prescription") if f.files])


def edits_allowed(inv: Investigation) -> bool:
    return inv.status != "open" or diagnosis_done(inv) or overridden(inv)


def status(inv: Investigation) -> list[PhaseGate]:
    done = completed(inv)
    out = []
    for phase in phases_for(inv.mode):
        reqs = requirements(inv, phase)
        state = "done" if phase in done else "current" if phase == inv.phase else "pending"
        out.append(PhaseGate(phase=phase, status=state, met=all(r.met for r in reqs), requirements=reqs))
    return out


def missing(inv: Investigation) -> list[str]:
    """What stands between the investigation and an allowed edit, in words for the model: the
    current phase's unmet requirements, then the phases still to complete."""
    if diagnosis_done(inv) or inv.status != "open":
        return []
    out = [f"{inv.phase}: {r.need}" for r in requirements(inv, inv.phase) if not r.met]
    if not out:
        out.append(f"{inv.phase}: the gate holds — call rca_advance")
    order = phases_for(inv.mode)
    last = order.index(fix_phase(inv.mode))
    later = [p for p in order[order.index(inv.phase) + 1: last + 1]] if inv.phase in order else []
    if later:
        out.append("then: " + " → ".join(later))
    return out


def gate_fields(inv: Investigation) -> dict:
    """The gate file's content for this investigation (see gatefile.make_gate)."""
    return {
        "inv_id": inv.id, "mode": inv.mode, "phase": inv.phase, "edits_allowed": edits_allowed(inv),
        "missing": missing(inv), "overridden": overridden(inv), "is_open": inv.status == "open",
        "targets": list(inv.targets),
    }
