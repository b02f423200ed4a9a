"""`flag_dangerous`: the library function behind the MCP tool and `rca flag`, with its pydantic
result models. A thin wrapper: the classifier itself (`analysis/danger/`) is stdlib-only so the
PreToolUse hook can import it; this module adds the models, paging and the session reference path.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Literal, Optional, Sequence

from pydantic import BaseModel, Field

from ..errors import InputError
from ..paging import next_page_hint, page
from .danger import RISKS, Assessment, classify, destroys_process_or_evidence

Risk = Literal["critical", "high", "medium", "low", "none"]
_RANK = {r: i for i, r in enumerate(RISKS)}
MAX_COMMANDS = 5000


class DangerFinding(BaseModel):
    category: str = Field(description="e.g. process_termination, filesystem_destruction, evidence_destruction")
    risk: Risk
    segment: str = Field(description="the simple command (or text) that matched, as written")
    span: List[int] = Field(description="[start, end) character offsets of the segment in the command")
    reason: str
    executes: bool = Field(description="false: the text is only mentioned (echo, grep pattern, commit message, heredoc data)")
    references_target: Optional[str] = Field(None, description="the target (process, service, path, port) it touches")


class CommandAssessment(BaseModel):
    command: str
    risk: Risk
    categories: List[str] = Field(description="sorted categories of what the command executes")
    findings: List[DangerFinding] = Field(description="what the command executes that is dangerous")
    mentions: List[DangerFinding] = Field(description="dangerous text the command only mentions (not executed)")
    destroys_process_or_evidence: bool = Field(description="what the Bash gate blocks: kills, deletes, erases evidence")
    unparsed: bool = Field(description="the parser gave up on part of it: risk is at least medium")
    unparsed_reason: Optional[str] = None
    time: Optional[str] = Field(None, description="when it ran (session reference only), UTC ISO 8601")
    session_id: Optional[str] = None
    evidence_id: Optional[str] = Field(None, description="cite this id in findings (session reference only)")


class FlagDangerousResult(BaseModel):
    source: Literal["commands", "session"]
    assessments: List[CommandAssessment]
    total: int = Field(description="assessments matching min_risk, over all pages")
    examined: int = Field(description="commands classified")
    by_risk: Dict[str, int] = Field(description="examined commands per risk")
    by_category: Dict[str, int] = Field(description="examined commands per executed category")
    targets: List[str] = []
    next_cursor: Optional[str] = None
    hint: Optional[str] = None


def to_model(a: Assessment, time: Optional[str] = None, session_id: Optional[str] = None, evidence_id: Optional[str] = None) -> CommandAssessment:
    def f(x) -> DangerFinding:
        return DangerFinding(category=x.category, risk=x.risk, segment=x.segment, span=list(x.span), reason=x.reason,
                             executes=x.executes, references_target=x.references_target)

    return CommandAssessment(
        command=a.command, risk=a.risk, categories=list(a.categories), findings=[f(x) for x in a.findings if x.executes],
        mentions=[f(x) for x in a.mentions], destroys_process_or_evidence=destroys_process_or_evidence(a),
        unparsed=a.unparsed, unparsed_reason=a.unparsed_reason, time=time, session_id=session_id, evidence_id=evidence_id,
    )


def _session_commands(session: Optional[str], start: Optional[str], end: Optional[str]):
    try:
        from ..sources.claude_transcripts import extract_session_commands  # noqa: PLC0415 - optional component
    except ImportError as exc:
        raise InputError("session forensics is not installed") from exc
    result = extract_session_commands(session=session, start=start, end=end, tools=("Bash",))
    return list(result.commands)


def flag_dangerous(
    commands: Optional[Sequence[str]] = None,
    session: Optional[str] = None,
    start: Optional[str] = None,
    end: Optional[str] = None,
    targets: Optional[Sequence[str]] = None,
    cwd: Optional[str] = None,
    min_risk: Optional[str] = None,
    limit: int = 100,
    cursor: Optional[str] = None,
) -> FlagDangerousResult:
    """Classify commands given directly, or the Bash commands of a Claude Code session/window.

    min_risk filters the listed assessments (the counts cover everything examined); its default is
    'none' (list every given command) for `commands` and 'low' for a session reference.
    """
    if commands is not None and (session is not None or start is not None or end is not None):
        raise InputError("give either commands, or a session/time-window reference, not both")
    if commands is None and session is None and start is None and end is None:
        raise InputError("give commands to classify, or a session id and/or a time window (start, end)")
    if min_risk is not None and min_risk not in _RANK:
        raise InputError(f"min_risk must be one of {', '.join(RISKS)}")
    tgts = [t for t in (targets or []) if t and t.strip()]
    rows: List[CommandAssessment] = []
    if commands is not None:
        if isinstance(commands, str):
            commands = [commands]
        if len(commands) > MAX_COMMANDS:
            raise InputError(f"at most {MAX_COMMANDS} commands per call; split the list")
        source = "commands"
        floor = min_risk or "none"
        for c in commands:
            rows.append(to_model(classify(c, tgts, cwd)))
    else:
        source = "session"
        floor = min_risk or "low"
        for sc in _session_commands(session, start, end):
            run_cwd = getattr(sc, "cwd", None) or cwd
            t = getattr(sc, "time", None)
            rows.append(to_model(classify(sc.command, tgts, run_cwd), time=t.isoformat() if hasattr(t, "isoformat") else t,
                                 session_id=getattr(sc, "session_id", None), evidence_id=getattr(sc, "evidence_id", None)))
    by_risk = Counter(r.risk for r in rows)
    by_cat: Counter = Counter()
    for r in rows:
        by_cat.update(r.categories)
    keep = [r for r in rows if _RANK[r.risk] >= _RANK[floor] or (floor != "none" and r.mentions and _RANK[floor] <= _RANK["low"])]
    query = {"commands": list(commands) if commands is not None else None, "session": session, "start": start, "end": end,
             "targets": tgts, "cwd": cwd, "min_risk": floor}
    chunk, next_cursor, total = page(keep, limit, cursor, query)
    return FlagDangerousResult(
        source=source, assessments=chunk, total=total, examined=len(rows),
        by_risk={r: by_risk.get(r, 0) for r in reversed(RISKS)}, by_category=dict(sorted(by_cat.items())),
        targets=tgts, next_cursor=next_cursor, hint=next_page_hint("flag_dangerous", next_cursor, len(chunk), total),
    )
