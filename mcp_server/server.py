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
from .redact import redact_model
from .sources import inventory

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


async def run_tool(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Run one library call for a tool: off the event loop, errors made clear, output redacted."""
    try:
        result = await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))
    except InputError as exc:
        raise ToolError(str(exc)) from exc
    return redact_model(result)


@mcp.tool(annotations=READ_ONLY)
async def evidence_sources() -> inventory.EvidenceSources:
    """List the evidence sources this machine has for a root-cause analysis, and why any is unavailable.

    Covers the macOS unified log, journald (and whether journal files exist), coredumpctl, syslog
    files, crash-report folders, Claude Code session transcripts, shell histories and git. Call it
    first in an investigation: an unavailable source is itself a fact to report.
    """
    return await run_tool(inventory.probe_sources)


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
