"""`rca status`: the CLI face of rca_status."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mcp_server.cli import main
from mcp_server.workflow import api


def test_status_without_investigation_is_a_usage_error(env):
    r = CliRunner().invoke(main, ["status"])
    assert r.exit_code == 2 and "rca_start" in r.output


def test_status_shows_the_gates(env):
    api.start("tmux server died", targets=["tmux"], start="2h ago")
    r = CliRunner().invoke(main, ["status"])
    assert r.exit_code == 0, r.output
    assert "RCA-001" in r.output and "blocked until the diagnosis" in r.output and "list_sessions" in r.output
    j = CliRunner().invoke(main, ["status", "--json", "--project", str(env)])
    data = json.loads(j.output)
    assert data["id"] == "RCA-001" and data["phase"] == "scope" and data["edits_allowed"] is False
