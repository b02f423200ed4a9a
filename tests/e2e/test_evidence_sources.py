"""End to end: the real Claude Code CLI loads the plugin, starts `forensics` through the launcher,
and the (scripted) model calls `evidence_sources` and sees our result."""

from __future__ import annotations

import json

import pytest

from .harness import FORENSICS, PLUGIN_ROOT, Scenario, text, tool_use

pytestmark = pytest.mark.e2e


def test_model_calls_evidence_sources_and_sees_our_result(run):
    result = run(Scenario(
        prompt="Something killed my dev server last night. What evidence can this machine show?",
        turns=[tool_use(FORENSICS + "evidence_sources", {}), text("journald is the place to look.")],
    ))
    assert result.returncode == 0, result.explain()
    assert result.init is not None
    assert {"name": "rca", "path": str(PLUGIN_ROOT), "source": "rca@inline"} in result.init["plugins"]

    call = result.tool_call(FORENSICS + "evidence_sources")
    assert not call.is_error, result.explain()
    data = call.json()
    sources = {s["name"]: s for s in data["sources"]}
    assert sources["journald"]["detail"], sources["journald"]
    assert {"macos_log", "coredumpctl", "claude_transcripts", "shell_history"} <= sources.keys()
    assert data["available"] + data["unavailable"] == len(data["sources"])

    # the model saw exactly that result in its next request
    seen = [r for req in result.main_requests for r in req.tool_results() if r["tool_use_id"] == call.id]
    assert seen and json.loads(seen[-1]["text"]) == data

    # the transcripts source looked in the temp CLAUDE_CONFIG_DIR that claude was given
    assert str(result.config_dir / "projects") in json.dumps(sources["claude_transcripts"])

    assert result.final is not None and result.final["result"] == "journald is the place to look."


def test_server_starts_through_the_launcher_in_the_plugin_data_folder(run):
    result = run(Scenario(prompt="check the evidence sources",
                          turns=[tool_use(FORENSICS + "evidence_sources", {}), text("ok")]))
    assert result.returncode == 0, result.explain()
    assert not result.tool_call(FORENSICS + "evidence_sources").is_error, result.explain()
    # Claude Code gave the server CLAUDE_PLUGIN_DATA=<config>/plugins/data/rca-inline, and the
    # launcher ran the server from the virtualenv it keeps there
    venv_python = result.plugin_data_dir / "venvs"
    stderr = result.server_stderr()
    assert f"rca-launcher: starting {venv_python}" in stderr, stderr
    assert "-m mcp_server" in stderr and "forensics" in stderr and "starting on stdio" in stderr, stderr
    assert any("Successfully connected" in str(e.get("debug")) for e in result.mcp_log()), result.mcp_log()
