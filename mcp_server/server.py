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
from typing import Any, Callable, TypeVar

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel

from . import __version__
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


# --- session tools ---
from typing import Annotated, Literal, Optional  # noqa: E402

from pydantic import Field  # noqa: E402

from .sources import claude_transcripts, git_activity as git_source, shell_history as history_source  # noqa: E402

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


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log.info("forensics %s starting on stdio", __version__)
    mcp.run("stdio")


if __name__ == "__main__":
    main()
