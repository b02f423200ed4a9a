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


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log.info("forensics %s starting on stdio", __version__)
    mcp.run("stdio")


if __name__ == "__main__":
    main()
