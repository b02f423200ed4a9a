"""The MCP Inspector CLI (an independent MCP client, pinned @modelcontextprotocol/inspector 0.15.0)
lists our tools and calls one, with the server started the way Claude Code starts it: `python3
scripts/launch_server.py` with a plugin data folder (the session's prebuilt venv linked in).

Inspector 0.15 exits 0 even when a call returns isError, so every check reads its JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, require_program


@pytest.fixture
def inspect(server_venvs: Path, tmp_path: Path):
    local = ROOT / "node_modules" / ".bin" / "mcp-inspector"
    inspector = str(local) if local.exists() else require_program("mcp-inspector")
    python3 = require_program("python3")
    data = tmp_path / "plugin-data"
    data.mkdir()
    (data / "venvs").symlink_to(server_venvs, target_is_directory=True)

    def go(*method: str) -> dict:
        argv = [inspector, "--cli", "-e", f"CLAUDE_PLUGIN_DATA={data}", python3, str(ROOT / "scripts" / "launch_server.py"),
                "--method", *method]
        env = {**os.environ, "HOME": str(tmp_path)}
        proc = subprocess.run(argv, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        try:
            return json.loads(proc.stdout)
        except ValueError:
            pytest.fail(f"the Inspector printed no JSON:\n{proc.stdout}\n{proc.stderr}")

    return go


def test_inspector_lists_our_tools_with_schemas_and_annotations(inspect):
    tools = {t["name"]: t for t in inspect("tools/list")["tools"]}
    assert "evidence_sources" in tools
    es = tools["evidence_sources"]
    assert es["annotations"]["readOnlyHint"] is True
    assert es["outputSchema"]["type"] == "object" and "sources" in es["outputSchema"]["properties"]
    assert es["inputSchema"]["type"] == "object"
    for name, tool in tools.items():
        assert tool.get("description"), name


def test_inspector_calls_evidence_sources(inspect):
    result = inspect("tools/call", "--tool-name", "evidence_sources")
    assert not result.get("isError"), result
    data = result["structuredContent"]
    assert "journald" in {s["name"] for s in data["sources"]}
    assert json.loads(result["content"][0]["text"]) == data  # text and structured output agree


def test_inspector_reports_an_unknown_tool_as_an_error_result(inspect):
    result = inspect("tools/call", "--tool-name", "no_such_tool")
    assert result["isError"] is True
    assert "no_such_tool" in result["content"][0]["text"]
