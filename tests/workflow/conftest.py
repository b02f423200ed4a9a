"""Fixtures for the workflow tests: a private plugin data folder and a project folder."""

from __future__ import annotations

import pytest


@pytest.fixture
def env(tmp_path, monkeypatch):
    """CLAUDE_PLUGIN_DATA and CLAUDE_PROJECT_DIR pointing at fresh temp folders; returns the project."""
    data = tmp_path / "data"
    proj = tmp_path / "proj"
    proj.mkdir()
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(data))
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(proj))
    monkeypatch.delenv("RCA_REPORT_DIR", raising=False)
    return proj
