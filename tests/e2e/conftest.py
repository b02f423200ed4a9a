"""Fixtures for the end-to-end tests that drive the real Claude Code CLI (see harness.py).

`claude_bin` finds the pinned CLI (scripts/test puts node_modules/.bin on PATH); `server_venvs`
(tests/conftest.py) is the MCP server's virtualenv, built once per session through the launcher;
`run` runs a scenario with both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

from tests.conftest import require_program

from .harness import PLUGIN_ROOT, Result, Scenario, run_scenario


@pytest.fixture(scope="session")
def claude_bin() -> str:
    local = PLUGIN_ROOT / "node_modules" / ".bin"
    if (local / "claude").exists() and str(local) not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{local}{os.pathsep}{os.environ.get('PATH', '')}"
    return require_program("claude")


@pytest.fixture
def run(claude_bin: str, server_venvs: Path, tmp_path: Path) -> Callable[[Scenario], Result]:
    """`run(Scenario(...))` → Result: one `claude -p` run in fresh folders under tmp_path."""

    def go(scenario: Scenario) -> Result:
        return run_scenario(scenario, tmp_path, shared_venvs=server_venvs, claude=claude_bin)

    return go
