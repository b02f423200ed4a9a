"""End to end: a first start on a fresh plugin data folder -- the launcher builds the server's
virtualenv while Claude Code waits -- connects and serves the call.

Claude Code's own connect timeout is 30 s (MCP_TIMEOUT). A quiet machine of the target kind
connects in about 12 s; the test raises the timeout so that a loaded CI machine tests the cold
path rather than its own speed (no wall-clock assertions), and reports the connect time it saw.
"""

from __future__ import annotations

import pytest

from .harness import FORENSICS, Scenario, run_scenario, text, tool_use

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]


def test_first_start_builds_the_venv_and_connects(claude_bin, tmp_path, record_property):
    result = run_scenario(
        Scenario(prompt="what evidence is there?", turns=[tool_use(FORENSICS + "evidence_sources", {}), text("ok")],
                 env={"MCP_TIMEOUT": "180000"}, max_waits=40, timeout=400),
        tmp_path, shared_venvs=None, claude=claude_bin,
    )
    record_property("mcp_connect_ms", result.mcp_connect_ms())
    print(f"cold start: Claude Code connected to the server after {result.mcp_connect_ms()} ms")
    assert result.returncode == 0, result.explain()
    call = result.tool_call(FORENSICS + "evidence_sources")
    assert not call.is_error, result.explain()
    assert "journald" in {s["name"] for s in call.json()["sources"]}

    stderr = result.server_stderr()
    venvs = result.plugin_data_dir / "venvs"
    assert f"rca-launcher: building the server environment in {venvs}" in stderr, stderr
    assert "rca-launcher: environment ready in" in stderr, stderr
    assert f"rca-launcher: starting {venvs}" in stderr, stderr
    # the fresh venv is complete and nothing half-built is left beside it
    built = [p for p in venvs.iterdir() if p.is_dir()]
    assert len(built) == 1 and (built[0] / ".rca-complete").is_file(), list(venvs.iterdir())
    # the model had to wait for the server at least once: it was still building at the first request
    assert any(r.kind == "wait" for r in result.requests)
