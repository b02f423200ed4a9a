"""End to end: a first start on a fresh plugin data folder -- the launcher builds the server's
virtualenv while Claude Code waits -- still connects (inside Claude Code's 30 s MCP connect
timeout, which Claude Code itself enforces) and serves the call."""

from __future__ import annotations

import pytest

from .harness import FORENSICS, Scenario, run_scenario, text, tool_use

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_first_start_builds_the_venv_and_connects(claude_bin, tmp_path):
    result = run_scenario(
        Scenario(prompt="what evidence is there?", turns=[tool_use(FORENSICS + "evidence_sources", {}), text("ok")]),
        tmp_path, shared_venvs=None, claude=claude_bin,
    )
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
