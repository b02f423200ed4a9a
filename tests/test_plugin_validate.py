"""`claude plugin validate` (the real, pinned Claude Code CLI) finds the plugin clean.

Validating the repository root checks only the marketplace manifest (the root holds
.claude-plugin/marketplace.json); validating .claude-plugin/plugin.json checks the plugin itself:
its manifest, every skill's frontmatter and hooks/hooks.json. Both must pass with --strict
(warnings are errors). A broken copy proves the output is read, not just the exit code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, require_program
from tests.e2e.harness import copy_plugin

ISSUE = re.compile(r"^\s*❯\s*(.+)$", re.M)


def claude() -> str:
    local = ROOT / "node_modules" / ".bin" / "claude"
    return str(local) if local.exists() else require_program("claude")


def validate(target: Path, tmp_path: Path) -> tuple[int, str, list[str]]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "CLAUDE_CONFIG_DIR": str(home / ".claude"),
           "DISABLE_TELEMETRY": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1",
           "DISABLE_ERROR_REPORTING": "1", "NO_COLOR": "1"}
    proc = subprocess.run([claude(), "plugin", "validate", "--strict", str(target)], env=env, cwd=tmp_path,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    return proc.returncode, out, ISSUE.findall(out)


@pytest.mark.parametrize("target, what", [
    (".", "marketplace manifest"),
    (".claude-plugin/plugin.json", "plugin manifest"),
])
def test_plugin_validates_clean(target, what, tmp_path):
    code, out, issues = validate(ROOT / target, tmp_path)
    assert f"Validating {what}" in out, out
    assert issues == [], out
    assert code == 0 and "Validation passed" in out and "✘" not in out and "⚠" not in out, out


def test_plugin_validation_covers_hooks_and_skills(tmp_path):
    """What validating .claude-plugin/plugin.json looks at: every skill and hooks.json.

    Claude Code 2.1.197 names a skill or hooks file only when it has something to say about it,
    so a clean plugin prints neither; a copy with every skill and hooks.json broken proves each is
    read."""
    code, out, _ = validate(ROOT / ".claude-plugin" / "plugin.json", tmp_path)
    assert code == 0, out
    plugin = copy_plugin(tmp_path / "plugin")
    skills = sorted(plugin.glob("skills/*/SKILL.md"))
    assert skills, "the plugin has skills"
    for skill in skills:
        skill.write_text("---\nname: [unclosed\n---\nbody\n")
    (plugin / "hooks" / "hooks.json").write_text(json.dumps({"hooks": {"PreToolUse": [{"matcher": 3, "hooks": "x"}]}}))
    code, out, _ = validate(plugin / ".claude-plugin" / "plugin.json", tmp_path)
    assert code == 1, out
    for skill in skills:
        assert f"Validating skill: {skill}" in out, out
    assert f"Validating hooks: {plugin / 'hooks' / 'hooks.json'}" in out, out


def test_a_broken_plugin_fails_validation_with_its_errors_listed(tmp_path):
    plugin = copy_plugin(tmp_path / "plugin")
    manifest = json.loads((plugin / ".claude-plugin" / "plugin.json").read_text())
    manifest["name"] = "rca forensics"  # spaces are not allowed
    (plugin / ".claude-plugin" / "plugin.json").write_text(json.dumps(manifest))
    (plugin / "hooks" / "hooks.json").write_text(json.dumps({"hooks": {"PreToolUse": [{"matcher": 3, "hooks": "x"}]}}))
    shutil.rmtree(plugin / "skills", ignore_errors=True)
    code, out, issues = validate(plugin / ".claude-plugin" / "plugin.json", tmp_path)
    assert code == 1, out
    assert any(i.startswith("name:") for i in issues), out
    assert any(i.startswith("hooks.PreToolUse.0.matcher") for i in issues), out
