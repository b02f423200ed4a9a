"""Shared test helpers.

`SHARED` is ../shared beside the project (real samples written by other people); tests that use
it skip cleanly when it is absent. `require(...)` skips a test whose real component (a program, a
package) is missing -- except in CI (`RCA_STRICT=1`), where a missing component is a failure, so a
skip can never be counted as a pass there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "samples"
STRICT = os.environ.get("RCA_STRICT") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a real component the test needs is missing."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"required component missing in CI: {reason}")
    pytest.skip(reason)


def require_program(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"`{name}` is not installed")
    assert path is not None
    return path


def sample(*parts: str) -> Path:
    """Path of a file in ../shared/samples; skips when ../shared is absent (never in CI)."""
    p = SAMPLES.joinpath(*parts)
    require(p.exists(), f"sample {p} is absent (../shared not beside the project)")
    return p


@pytest.fixture
def samples_dir() -> Path:
    require(SAMPLES.is_dir(), "../shared/samples is absent")
    return SAMPLES


@pytest.fixture(scope="session")
def server_venvs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The MCP server's virtualenv(s), built once per test session through the launcher
    (scripts/launch_server.py) in a session plugin-data folder; returns its `venvs` folder, which
    the launcher, Inspector and end-to-end tests reuse (link it as `<plugin data>/venvs`)."""
    from tests.e2e.harness import prewarm_server_venv

    require_program("python3")
    return prewarm_server_venv(tmp_path_factory.mktemp("rca-plugin-data"))
