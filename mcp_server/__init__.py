"""rca's forensic library and its faces (MCP server `forensics`, CLI `rca`).

Importing this package must stay cheap: hooks import stdlib-only modules from it.
"""

__version__ = "0.1.0"
