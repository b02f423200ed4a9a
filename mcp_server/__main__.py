"""`python -m mcp_server` runs the `forensics` MCP server on stdio."""

from .server import main

if __name__ == "__main__":
    main()
