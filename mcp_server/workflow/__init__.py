"""workflow layer (see README: sources → analysis → workflow → faces).

Keep this file free of imports: the hooks import `mcp_server.workflow.gatefile` and
`mcp_server.workflow.testruns` (stdlib only) on every tool call, which runs this file first; an
import here (pydantic, the report) would slow every hook and break them under a bare python3.
`tests/hooks/test_hook_faults.py::test_frequent_path_imports_only_the_stdlib` enforces it.
"""
