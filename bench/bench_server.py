"""MCP server: cold start to the first tools/list answer, and per-call latency, vs a bare MCPServer.

Both servers are started the same way (`python -m …` over stdio, driven by the SDK's stdio client)
in the same run; the baseline is bench/hello_server.py (one trivial tool). Goal (issue 9): cold
start ≤ +150 ms and per call ≤ +1 ms over the baseline.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from bench._common import emit, row, size_arg

ROOT = Path(__file__).resolve().parent.parent
GOAL_START = "cold start ≤ +150 ms over a bare MCPServer"
GOAL_CALL = "per call ≤ +1 ms over a bare MCPServer"
TOOL_COUNT = len(__import__("mcp_server.server", fromlist=["mcp"]).mcp._tool_manager.list_tools())


def params(module: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", module], cwd=str(ROOT),
                                 env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


async def cold_start(module: str) -> float:
    started = time.perf_counter()
    async with Client(params(module)) as client:
        await client.list_tools()
        return time.perf_counter() - started


async def per_call(module: str, tool: str, args: dict, n: int) -> list[float]:
    out = []
    async with Client(params(module)) as client:
        async def once() -> None:
            if tool == "__list__":
                await client.list_tools()
            else:
                await client.call_tool(tool, args)

        await once()  # warm
        for _ in range(n):
            t = time.perf_counter()
            await once()
            out.append(time.perf_counter() - t)
    return out


def main() -> None:
    args = size_arg(__doc__)
    runs = 3 if args.size == "quick" else 10
    calls = 30 if args.size == "quick" else 300
    subjects = {"bench.hello_server": ("hello", {}), "mcp_server": ("evidence_sources", {})}
    starts = {m: statistics.median(anyio.run(cold_start, m) for _ in range(runs)) for m in subjects}
    base = starts["bench.hello_server"]
    emit(row("server", "cold start: bare MCPServer (baseline)", base, 1, goal=GOAL_START))
    emit(row("server", "cold start: forensics", starts["mcp_server"], 1, baseline="bare MCPServer",
             baseline_seconds=base, goal=GOAL_START, overhead_ms=round((starts["mcp_server"] - base) * 1000, 1)))
    hello_call = statistics.median(anyio.run(per_call, "bench.hello_server", "hello", {}, calls))
    emit(row("server", "tool call: bare hello (baseline)", hello_call, 1, goal=GOAL_CALL))
    # the cheapest real tool: one command through run_tool (thread hop, ledger check, redaction,
    # structured output) — what every forensic call pays on top of its own work
    flag_call = statistics.median(anyio.run(per_call, "mcp_server", "flag_dangerous", {"commands": ["ls"]}, calls))
    emit(row("server", "tool call: flag_dangerous(['ls'])", flag_call, 1, baseline="bare hello",
             baseline_seconds=hello_call, goal=GOAL_CALL, overhead_ms=round((flag_call - hello_call) * 1000, 3)))
    lists = {m: statistics.median(anyio.run(per_call, m, "__list__", {}, calls)) for m in subjects}
    emit(row("server", "tools/list: bare MCPServer, 1 tool (baseline)", lists["bench.hello_server"], 1,
             goal="informational"))
    emit(row("server", f"tools/list: forensics, {TOOL_COUNT} tools with full output schemas", lists["mcp_server"], 1,
             baseline="bare MCPServer", baseline_seconds=lists["bench.hello_server"], goal="informational",
             overhead_ms=round((lists["mcp_server"] - lists["bench.hello_server"]) * 1000, 3)))

if __name__ == "__main__":
    main()
