"""The `forensics` MCP server: a thin face over the library.

Each tool is a short typed async function: a docstring written for the model, typed arguments,
a pydantic result (structured output), and one call into the library through `run_tool`, which
runs the blocking work in a thread, turns caller mistakes into `ToolError`s the model can act on,
and redacts secrets from everything returned. Nothing but the protocol goes to stdout; logs go to
stderr.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any, Callable, List, Literal, Optional, TypeVar

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from . import __version__
from .analysis import danger_models
from .errors import InputError
from .redact import redact_model, redact_obj
from .sources import inventory
from .workflow import api as workflow
from .workflow import ledger
from .analysis import evidence as log_evidence
from .sources import crash_reports
from .analysis import timeline as _timeline
from .workflow import incidents as _incidents
from .workflow import report as _report
from .sources import claude_transcripts, git_activity as git_source, shell_history as history_source

log = logging.getLogger("rca.forensics")

R = TypeVar("R", bound=BaseModel)

INSTRUCTIONS = (
    "Forensic tools for root-cause analysis of crashes and unexplained failures. Gather evidence "
    "before reasoning: start with evidence_sources to see what this machine can show. Every event "
    "carries an evidence_id; cite those ids in findings. Large results are paged: when a result has "
    "next_cursor, call the same tool again with cursor set to it."
)

mcp = MCPServer("forensics", version=__version__, instructions=INSTRUCTIONS)

#: Forensic tools only read: the same call twice gives the same answer about the same evidence,
#: and they look at the open world of the machine's logs and files.
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)


def _calling_tool(frame: Any) -> tuple[str, dict[str, Any]]:
    """The name and arguments of the tool function that called run_tool (its frame's parameters)."""
    code = frame.f_code
    n = code.co_argcount + code.co_kwonlyargcount
    return code.co_name, {k: frame.f_locals[k] for k in code.co_varnames[:n] if k in frame.f_locals}


async def run_tool(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Run one library call for a tool: off the event loop, errors made clear, output redacted,
    and — while an investigation is open — the call written to its evidence ledger.

    The ledger's tool name and arguments are those of the calling tool function (read from its
    frame), so tools keep the one-line shape `return await run_tool(libfn, …)`; `rca_*` workflow
    tools are not forensic calls and are not recorded.
    """
    tool, arguments = _calling_tool(sys._getframe(1))
    try:
        result = await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))
    except InputError as exc:
        if not tool.startswith("rca_"):
            await anyio.to_thread.run_sync(lambda: ledger.record_call(tool, redact_obj(arguments), error=str(exc)))
        raise ToolError(str(exc)) from exc
    result = redact_model(result)
    if not tool.startswith("rca_"):
        await anyio.to_thread.run_sync(lambda: ledger.record_call(tool, redact_obj(arguments), result))
    return result


@mcp.tool(annotations=READ_ONLY)
async def evidence_sources() -> inventory.EvidenceSources:
    """List the evidence sources this machine has for a root-cause analysis, and why any is unavailable.

    Covers the macOS unified log, journald (and whether journal files exist), coredumpctl, syslog
    files, crash-report folders, Claude Code session transcripts, shell histories and git. Call it
    first in an investigation: an unavailable source is itself a fact to report.
    """
    return await run_tool(inventory.probe_sources)


# --- workflow tools ---
#: Workflow tools write only the plugin's own investigation state (outside the project): not
#: read-only, never destructive, and closed-world.
WORKFLOW = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)

Kind = Annotated[workflow.FindingKind, Field(description=(
    "scope | session | last_command | code_path | not_applicable | chain_link | root_cause | contributing_factor | "
    "symptom | hypothesis | ruled_out | unknown | verdict | prescription | action_item | note"))]


@mcp.tool(annotations=WORKFLOW)
async def rca_start(
    incident: Annotated[str, Field(description="What happened, in one sentence: what died or failed, and when.")],
    mode: Annotated[workflow.Mode, Field(description="strategic (/rca, the full forensic workflow) or tactical "
                                                      "(a failing fix: diagnose before changing code)")] = "strategic",
    start: Annotated[Optional[str], Field(description="Window start: ISO time, epoch, or '2h ago'.")] = None,
    end: Annotated[Optional[str], Field(description="Window end (default now when start is given).")] = None,
    targets: Annotated[Optional[list[str]], Field(description="What died: process names, services, pids.")] = None,
) -> workflow.InvestigationStatus:
    """Open an investigation (id RCA-NNN) for this project before gathering evidence.

    From now on every forensic tool call is written to the investigation's evidence ledger, and
    file edits are blocked until the diagnosis is recorded. Returns the phase and exactly what its
    gate needs. One investigation is open per project at a time.
    """
    return await run_tool(workflow.start, incident, mode, start, end, targets)


@mcp.tool(annotations=WORKFLOW)
async def rca_status() -> workflow.InvestigationStatus:
    """Show the open investigation: its phase, what every phase gate still needs (met or not),
    whether edits are allowed, and the next step. Call it whenever unsure what to do next."""
    return await run_tool(workflow.status)


@mcp.tool(annotations=WORKFLOW)
async def rca_record(
    kind: Kind,
    text: Annotated[str, Field(description="The finding in one or two sentences.")],
    evidence_ids: Annotated[Optional[list[str]], Field(description=(
        "Evidence ids returned by forensic tools in this investigation (ev-…). Ids the ledger does not hold are "
        "refused. Required for chain_link, root_cause, contributing_factor, ruled_out, hypothesis, last_command."))] = None,
    file_line: Annotated[Optional[str], Field(description="code_path: path:line, relative to the project; "
                                                           "checked to exist.")] = None,
    confidence: Annotated[Optional[float], Field(ge=0, le=1, description="hypothesis: 0..1.")] = None,
    status: Annotated[Optional[workflow.HypothesisStatus], Field(description="hypothesis: proposed, supported, "
                                                                              "refuted.")] = None,
    verdict: Annotated[Optional[workflow.Verdict], Field(description="verdict: CONFIRMED, LIKELY or "
                                                                      "INCONCLUSIVE.")] = None,
    order: Annotated[Optional[int], Field(description="chain_link: position in the chain, 1 = root.")] = None,
    applies_to: Annotated[Optional[str], Field(description="not_applicable: code_path or session_forensics.")] = None,
    files: Annotated[Optional[list[str]], Field(description="prescription: the files the fix changes.")] = None,
    owner: Annotated[Optional[str], Field(description="action_item: who.")] = None,
    due: Annotated[Optional[str], Field(description="action_item: by when (YYYY-MM-DD).")] = None,
    start: Annotated[Optional[str], Field(description="scope: set the window start.")] = None,
    end: Annotated[Optional[str], Field(description="scope: set the window end.")] = None,
    targets: Annotated[Optional[list[str]], Field(description="scope: add targets.")] = None,
) -> workflow.RecordResult:
    """Record a finding in the open investigation: a scope fact, a code path, a link of the event
    chain, the root cause, a hypothesis, a ruled-out alternative, an unknown, the verdict, a
    prescription. Evidence is checked against the ledger: only ids that forensic tools returned
    in this investigation are accepted. Returns the finding and the updated gate status."""
    return await run_tool(workflow.record, kind, text, evidence_ids, file_line, confidence, status, verdict, order,
                          applies_to, files, owner, due, start, end, targets)


@mcp.tool(annotations=WORKFLOW)
async def rca_advance() -> workflow.AdvanceResult:
    """Complete the current phase and move to the next — only if its gate holds. When it does not,
    nothing changes and the result lists exactly what is missing. Call it at the end of each phase."""
    return await run_tool(workflow.advance)


@mcp.tool(annotations=WORKFLOW)
async def rca_close(
    reason: Annotated[str, Field(description="Why the investigation ends (done, duplicate, abandoned, …).")],
) -> workflow.InvestigationStatus:
    """Close the open investigation with a reason; the edit gate is lifted. Works once the diagnosis
    is recorded (strategic: root cause; tactical: prescription) or after the user's /rca:override;
    before that it is refused, with what is still missing."""
    return await run_tool(workflow.close, reason)

# --- log tools ---


@mcp.tool(annotations=READ_ONLY)
async def log_show(
    start: Annotated[Optional[str], Field(description="Window start: ISO 8601 ('2026-11-21T03:10:00Z', '2026-11-21 03:10 -0500'), local time, epoch, or relative ('30m ago'). Default: 1 hour before end.")] = None,
    end: Annotated[Optional[str], Field(description="Window end, same forms. Default: now.")] = None,
    process: Annotated[Optional[list[str]], Field(description="Process names or pids (any of them).")] = None,
    contains: Annotated[Optional[str], Field(description="Only messages containing this text (case-insensitive).")] = None,
    subsystem: Annotated[Optional[str], Field(description="macOS subsystem, e.g. com.apple.powerd.")] = None,
    category: Annotated[Optional[str], Field(description="macOS log category, e.g. sleepWake.")] = None,
    unit: Annotated[Optional[list[str]], Field(description="systemd units (journald), e.g. nginx or nginx.service.")] = None,
    identifier: Annotated[Optional[list[str]], Field(description="Syslog identifiers (journald SYSLOG_IDENTIFIER).")] = None,
    priority: Annotated[Optional[str], Field(description="Most verbose level kept: 0-7 or emerg/alert/crit/err/warning/notice/info/debug.")] = None,
    kernel_only: Annotated[bool, Field(description="Only kernel messages.")] = False,
    source: Annotated[Literal["auto", "macos", "journald", "file"], Field(description="auto: the given paths, else this machine's log (macOS `log`, or journald).")] = "auto",
    paths: Annotated[Optional[list[str]], Field(description="Log files, folders, .gz rotations, journal files/folders (journalctl --file/--directory) or .logarchive bundles.")] = None,
    predicate: Annotated[Optional[str], Field(description="macOS only: a raw NSPredicate, ANDed with the other filters.")] = None,
    info_debug: Annotated[bool, Field(description="macOS only: include Info and Debug messages (--info --debug).")] = False,
    zone: Annotated[Optional[str], Field(description="IANA zone for times written without an offset (default: this machine's).")] = None,
    limit: Annotated[int, Field(description="Events per page (max 1000).", ge=1, le=1000)] = 200,
    cursor: Annotated[Optional[str], Field(description="next_cursor from the previous call, for the next page.")] = None,
) -> log_evidence.LogShowResult:
    """Read system-log events in a time window, filtered, oldest first, with evidence ids.

    Use it to look at what the system logged around a failure: the macOS unified log (`log show`),
    journald (`journalctl`), or log files/journals/.logarchives copied from another machine (paths).
    `consulted` lists every source with the exact command that ran (reproducible by a human), its
    status and why a source was unavailable; an unavailable source is a fact to report, not an
    empty result. Cite events by evidence_id. When next_cursor is set, call again with the same
    arguments and cursor=next_cursor for the next page. For a first complete sweep of all evidence
    categories use collect_evidence instead.
    """
    return await run_tool(
        log_evidence.log_show, start, end, process=process, contains=contains, subsystem=subsystem, category=category,
        unit=unit, identifier=identifier, priority=priority, kernel_only=kernel_only, source=source, paths=paths,
        predicate=predicate, info_debug=info_debug, zone=zone, limit=limit, cursor=cursor,
    )


@mcp.tool(annotations=READ_ONLY)
async def collect_evidence(
    start: Annotated[Optional[str], Field(description="Window start (same forms as log_show). Default: 1 hour before end.")] = None,
    end: Annotated[Optional[str], Field(description="Window end. Default: now.")] = None,
    targets: Annotated[Optional[list[str]], Field(description="The failing process names, units or pids.")] = None,
    paths: Annotated[Optional[list[str]], Field(description="System logs to read instead of this machine's (files, folders, journals, .logarchive).")] = None,
    app_log_paths: Annotated[Optional[list[str]], Field(description="Application logs of the target (files or folders).")] = None,
    source: Annotated[Literal["auto", "macos", "journald", "file"], Field(description="Which system log to read (auto: paths, else this machine's).")] = "auto",
    zone: Annotated[Optional[str], Field(description="IANA zone for times written without an offset.")] = None,
    top: Annotated[int, Field(description="Events shown per category.", ge=1, le=50)] = 5,
) -> log_evidence.EvidenceSweep:
    """Sweep ALL evidence categories for one time window before reasoning about a cause.

    Categories: target_process, code_signing, signals, memory_pressure, power, kernel,
    crash_reports, app_logs. Each comes back found / not_found / unavailable (with the reason),
    with a count, the top events (cite their evidence_id) and the command that was run. A
    not_found category is evidence too (e.g. "no OOM kill in the window"); an unavailable one must
    be reported as a gap. Drill into a category with log_show.
    """
    return await run_tool(
        log_evidence.collect_evidence, start, end, targets, paths=paths, app_log_paths=app_log_paths, source=source,
        zone=zone, top=top,
    )

# --- end log tools ---


# --- crash tools ---
# (imports kept inside this block so that each area's block merges on its own)


@mcp.tool(annotations=READ_ONLY)
async def find_crash_reports(
    process: Annotated[Optional[str], Field(description="Only reports whose process name, executable or bundle id contains this (case-insensitive).")] = None,
    pid: Annotated[Optional[int], Field(description="Only reports of this process id (or Jetsam events listing it).")] = None,
    start: Annotated[Optional[str], Field(description="Earliest crash time: ISO 8601, '2026-11-21 03:10 -0500', epoch seconds, or '2h' / '30m ago'.")] = None,
    end: Annotated[Optional[str], Field(description="Latest crash time, same forms as start; default now.")] = None,
    paths: Annotated[Optional[list[str]], Field(description="Extra files or folders to read (copied reports, a core file, saved coredumpctl output); the default places are always read.")] = None,
    include_body: Annotated[bool, Field(description="Also return each report's raw text (bounded to 64 KB).")] = False,
    limit: Annotated[int, Field(description="Reports per page (1-1000).", ge=1, le=1000)] = 50,
    cursor: Annotated[Optional[str], Field(description="next_cursor from the previous call, to get the next page.")] = None,
) -> crash_reports.CrashReportsResult:
    """Find crash reports on this machine, newest first: macOS .ips / .crash / .panic / .spin / .hang /
    .diag and JetsamEvent reports (~/Library/Logs/DiagnosticReports, /Library/Logs/DiagnosticReports and
    Retired/), Linux systemd-coredump (coredumpctl), apport /var/crash/*.crash, and core files — plus any
    paths you give. Use it when a process died or hung, to get the signal, exception, termination reason
    (e.g. CODESIGNING, or a jetsam reason such as per-process-limit), the crashed thread's top frames,
    parent process and command line. Each report has an evidence_id to cite. `warnings` lists files that
    could not be read; `consulted` says what was looked at and what was unavailable (itself a fact).
    When next_cursor is set, call again with the same arguments and cursor=next_cursor.
    """
    return await run_tool(
        crash_reports.find_crash_reports, process=process, pid=pid, start=start, end=end, paths=paths,
        include_body=include_body, limit=limit, cursor=cursor,
    )


# --- report tools ---


#: The report tool writes only the project's report folder; patterns only read the incident store.
REPORT_WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
STORE_READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


@mcp.tool(annotations=READ_ONLY)
async def build_timeline(
    start: Annotated[Optional[str], Field(description="Window start: ISO 8601 ('2026-11-21T03:00:00Z'), '2h ago', epoch. Default: 1 hour before end.")] = None,
    end: Annotated[Optional[str], Field(description="Window end; default now.")] = None,
    sources: Annotated[Optional[list[str]], Field(description="Only these sources: logs, crash_reports, sessions, shell_history, git. Default: all.")] = None,
    paths: Annotated[Optional[list[str]], Field(description="Read these evidence files or folders instead of the machine's own sources.")] = None,
    project_dir: Annotated[Optional[str], Field(description="Project whose Claude Code sessions and git history to include; default all sessions.")] = None,
    process: Annotated[Optional[list[str]], Field(description="Only events of these processes (logs, crash reports).")] = None,
    zone: Annotated[Optional[str], Field(description="IANA zone for times given without an offset; default the machine's.")] = None,
    limit: Annotated[int, Field(ge=1, le=1000, description="Entries per page.")] = 200,
    cursor: Annotated[Optional[str], Field(description="next_cursor from the previous page.")] = None,
) -> _timeline.Timeline:
    """Merge every evidence source into one chronological timeline for a time window.

    Use it once the window of a failure is known, to see in order what the system logs, crash
    reports, Claude Code session tool calls, shell history and git activity recorded around it.
    Each entry has its evidence_id (cite it) and a lane (its source). The same record seen through
    two sources (journald and syslog) is folded into one entry listing the other id in
    also_seen. clock_skew flags a lane whose times look shifted by whole hours (local time read as
    UTC): compare such lanes with care. Events without a time are listed apart in untimed.
    `sources` says what was consulted and what was unavailable, with the reason. Paged: when
    next_cursor is set, call again with the same arguments and cursor=next_cursor.
    """
    return await run_tool(
        _timeline.build_timeline, start, end, sources=sources, paths=paths or [], project_dir=project_dir,
        process=process, zone=zone, limit=limit, cursor=cursor,
    )


@mcp.tool(annotations=REPORT_WRITE)
async def rca_report(
    report_dir: Annotated[Optional[str], Field(description="Report folder inside the project; default $RCA_REPORT_DIR, .claude/rca.json report_dir, or docs/rca.")] = None,
    investigation_id: Annotated[Optional[str], Field(description="RCA-NNN of a closed investigation; default the open one.")] = None,
) -> _report.ReportWritten:
    """Write the RCA report of this project's investigation: RCA-NNN-<slug>.md and a JSON twin.

    Call it in the report phase, after the root cause, chain, ruled-out alternatives, unknowns
    and verdict are recorded with rca_record. Sections: summary and verdict, timeline table,
    root cause, contributing factors, symptoms, evidence summary (the eight categories found /
    not found / unavailable), ruled-out alternatives, unknowns, recommended fix (file:line),
    action items. The report is refused, with the list of offending findings, when a chain link,
    the last command or the root cause cites no evidence, or when any finding cites an evidence id
    the ledger does not hold: gather that evidence with a forensic tool and record it again.
    Writes only into the report folder.
    """
    return await run_tool(_report.report_for_project, None, report_dir, investigation_id, confine=True)


@mcp.tool(annotations=STORE_READ)
async def rca_patterns(
    min_count: Annotated[int, Field(ge=1, le=100, description="Smallest number of incidents that makes a pattern.")] = 2,
) -> _incidents.Patterns:
    """Recurring root causes across all closed investigations, with a systemic recommendation each.

    Use it when an incident looks familiar, or in a postmortem, to see whether the same class of
    cause (same targets or similar root-cause text) has happened before and how often.
    """
    return await run_tool(_incidents.patterns, None, min_count=min_count)


# --- session tools ---


_Start = Annotated[Optional[str], Field(description="Window start: ISO 8601, epoch seconds, or relative ('30m ago'). Omit for no lower bound.")]
_End = Annotated[Optional[str], Field(description="Window end, same forms as start. Omit for now / no upper bound.")]
_Limit = Annotated[int, Field(ge=1, le=1000, description="Items per page.")]
_Cursor = Annotated[Optional[str], Field(description="next_cursor from the previous page of the same query.")]
_ProjectDir = Annotated[Optional[str], Field(description="Project working directory whose sessions to read (default: the server's current directory).")]
_AllProjects = Annotated[bool, Field(description="Search every project under the Claude projects folder.")]
_Paths = Annotated[Optional[list[str]], Field(description="Explicit transcript files or folders (a copied projects/<slug> folder, an evidence bundle) instead of the Claude projects folder.")]


@mcp.tool(annotations=READ_ONLY)
async def list_sessions(
    project_dir: _ProjectDir = None,
    all_projects: _AllProjects = False,
    start: _Start = None,
    end: _End = None,
    limit: _Limit = 100,
    cursor: _Cursor = None,
    paths: _Paths = None,
) -> claude_transcripts.SessionList:
    """List Claude Code sessions active in a time window: first and last event time, cwd, git branch,
    Claude Code version, number of tool calls and subagents (with their types). Use it to find which
    agent sessions were running when something broke; then call extract_session_commands for one.
    Newest first; paged (call again with cursor=next_cursor)."""
    return await run_tool(claude_transcripts.list_sessions, project_dir, all_projects, start, end, limit, cursor, paths)


@mcp.tool(annotations=READ_ONLY)
async def extract_session_commands(
    session: Annotated[Optional[str], Field(description="Session id (uuid) or path to a transcript .jsonl; omit for every session of the project.")] = None,
    project_dir: _ProjectDir = None,
    all_projects: _AllProjects = False,
    start: _Start = None,
    end: _End = None,
    tools: Annotated[list[str] | Literal["all"], Field(description='Tool names to keep (Task and Agent are the same tool), or "all".')] = ["Bash", "Agent"],  # noqa: B006
    include_results: Annotated[bool, Field(description="Include a bounded, redacted output excerpt per call.")] = True,
    limit: _Limit = 200,
    cursor: _Cursor = None,
    paths: _Paths = None,
) -> claude_transcripts.SessionCommands:
    """Every tool call agents made in Claude Code sessions (main agent and subagents), oldest first:
    time, session, agent (main or subagent id and type), tool, command or input summary, description,
    run_in_background, timeout, cwd, tool_use_id, and outcome (ok, error, interrupted, denied_by_hook,
    rejected_by_user, no_result = still running when the transcript ended) with exit code and an output
    excerpt. Also returns notes: API errors (rate limit, overload, timeout), compactions, hook denials,
    interrupts. Use it when a command an agent ran may have caused the failure. Paged: call again with
    cursor=next_cursor."""
    return await run_tool(claude_transcripts.extract_session_commands, session, project_dir, all_projects, start, end,
                          tools, include_results, limit, cursor, paths)


@mcp.tool(annotations=READ_ONLY)
async def last_commands_before(
    time: Annotated[str, Field(description="When the failure happened: ISO 8601, epoch seconds, or '10m ago'.")],
    n: Annotated[int, Field(ge=1, le=200, description="How many calls to return.")] = 10,
    project_dir: Annotated[Optional[str], Field(description="Only this project's sessions (default: every project).")] = None,
    tools: Annotated[list[str] | Literal["all"], Field(description='Tool names to keep, or "all".')] = "all",
    paths: _Paths = None,
) -> claude_transcripts.LastCommands:
    """The last n tool calls any Claude Code agent issued at or before a moment (across all sessions and
    subagents), plus the calls still running at that moment. Use it first when a process or server died
    at a known time: it answers "what did an agent run just before the crash?"."""
    return await run_tool(claude_transcripts.last_commands_before, time, n, project_dir, project_dir is None, tools,
                          None, paths)


@mcp.tool(annotations=READ_ONLY)
async def shell_history(
    start: _Start = None,
    end: _End = None,
    paths: Annotated[Optional[list[str]], Field(description="History files or folders to read instead of the default locations.")] = None,
    limit: _Limit = 200,
    cursor: _Cursor = None,
) -> history_source.ShellHistory:
    """Commands a person typed, from zsh (extended history), bash (with #epoch lines, or order only) and
    fish histories at the default locations or given paths, in a window, oldest first. Entries without
    times are listed after the timed ones with time null; each file says whether it keeps times.
    Paged: call again with cursor=next_cursor."""
    return await run_tool(history_source.shell_history, start, end, paths, limit, cursor)


@mcp.tool(annotations=READ_ONLY)
async def git_activity(
    repo: Annotated[str, Field(description="Path of the repository (any folder inside it).")],
    start: _Start = None,
    end: _End = None,
    limit: _Limit = 200,
    cursor: _Cursor = None,
) -> git_source.GitActivity:
    """Commits and reflog entries of a git repository in a window, newest first, with risky actions
    flagged: resets, checkouts, rebases, amends, forced updates, dropped stashes. Git runs read-only.
    Use it when the failure may come from code or files that changed under a running program.
    Paged: call again with cursor=next_cursor."""
    return await run_tool(git_source.git_activity, repo, start, end, limit, cursor)

# --- danger tools ---


@mcp.tool(annotations=READ_ONLY)
async def flag_dangerous(
    commands: Annotated[Optional[List[str]], Field(description="Shell commands to classify (give these, or a session/time window).")] = None,
    session: Annotated[Optional[str], Field(description="Claude Code session id whose Bash commands to classify.")] = None,
    start: Annotated[Optional[str], Field(description="Window start for the session reference: ISO time, epoch, or '2h ago'.")] = None,
    end: Annotated[Optional[str], Field(description="Window end for the session reference.")] = None,
    targets: Annotated[Optional[List[str]], Field(description="What died or was damaged: process, service, path or port names (e.g. tmux, postgres, /var/lib/app, 5432).")] = None,
    cwd: Annotated[Optional[str], Field(description="Working directory the commands ran in (judges relative paths).")] = None,
    min_risk: Annotated[Optional[Literal["critical", "high", "medium", "low", "none"]], Field(description="List only assessments at or above this risk (default: none for commands, low for a session).")] = None,
    limit: Annotated[int, Field(description="Assessments per page (max 1000).", ge=1, le=1000)] = 100,
    cursor: Annotated[Optional[str], Field(description="next_cursor from the previous page.")] = None,
) -> danger_models.FlagDangerousResult:
    """Find the commands that could have killed a process, destroyed data or erased evidence.

    Use it when something died or vanished and an agent or a person ran shell commands around that
    time: pass the commands, or a Claude Code session id and/or a time window to read its Bash
    commands. Pass `targets` (what died: a process, service, path or port) to see which commands
    touch it. Each assessment gives a risk (critical/high/medium/low/none), categories (process
    termination, filesystem/VCS/database destruction, power, resource exhaustion, permissions,
    package removal, infrastructure deletion, backups, evidence destruction, secret exposure), the
    matched segment with its character span and a one-line reason. Destructive text that is only
    mentioned (echo, grep patterns, commit messages, heredoc data) is listed apart under `mentions`.
    `unparsed` means the parser gave up on part of the command (risk is then at least medium).
    Large results are paged: call again with cursor=next_cursor.
    """
    return await run_tool(danger_models.flag_dangerous, commands=commands, session=session, start=start, end=end,
                          targets=targets, cwd=cwd, min_risk=min_risk, limit=limit, cursor=cursor)


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log.info("forensics %s starting on stdio", __version__)
    mcp.run("stdio")


if __name__ == "__main__":
    main()
