"""The baseline for bench_server: a bare MCPServer with one trivial tool, nothing else."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("hello")


@mcp.tool()
async def hello(name: str = "world") -> str:
    """Say hello."""
    return f"hello {name}"


if __name__ == "__main__":
    mcp.run("stdio")
