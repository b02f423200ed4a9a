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


# --- crash tools ---
# (imports kept inside this block so that each area's block merges on its own)
from typing import Annotated, Optional  # noqa: E402

from pydantic import Field  # noqa: E402

from .sources import crash_reports  # noqa: E402


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


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log.info("forensics %s starting on stdio", __version__)
    mcp.run("stdio")


if __name__ == "__main__":
    main()
