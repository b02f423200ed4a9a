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
from typing import Annotated, Any, Callable, Optional, TypeVar

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from . import __version__
from .errors import InputError
from .redact import redact_model, redact_obj
from .sources import inventory
from .workflow import api as workflow
from .workflow import ledger

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
    """Close the open investigation with a reason; the edit gate is lifted. Use when the work is
    done or the investigation is abandoned — not to get around a gate."""
    return await run_tool(workflow.close, reason)


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log.info("forensics %s starting on stdio", __version__)
    mcp.run("stdio")


if __name__ == "__main__":
    main()
