"""Run the real hook scripts as Claude Code does: a fresh `python3 -I -S script.py`, the JSON
payload on stdin, the plugin environment variables set."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from tests.conftest import ROOT, sample

HOOKS = ROOT / "hooks"
#: The interpreter hooks.json runs: `${RCA_HOOK_PYTHON:-python3}`.
HOOK_PYTHON = os.environ.get("RCA_HOOK_PYTHON") or shutil.which("python3") or sys.executable
SCRIPTS = {
    "PreToolUse": "pre_tool_use.py",
    "PostToolUse": "post_tool_use.py",
    "PostToolUseFailure": "post_tool_use.py",
    "UserPromptSubmit": "user_prompt_submit.py",
    "SessionStart": "session_start.py",
}


@dataclass
class HookRun:
    returncode: int
    out: dict
    stdout: str
    stderr: str


def run_hook(script: str, stdin: bytes | str | dict, env: dict, root: Path = ROOT, timeout: float = 30,
             preexec=None, python: str = HOOK_PYTHON) -> HookRun:
    data = stdin if isinstance(stdin, bytes) else (json.dumps(stdin) if isinstance(stdin, dict) else stdin).encode()
    p = subprocess.run([python, "-I", "-S", str(root / "hooks" / script)], input=data, capture_output=True,
                       env=env, timeout=timeout, preexec_fn=preexec)
    stdout = p.stdout.decode()
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, f"a hook must print exactly one JSON object, got {stdout!r} (stderr {p.stderr!r})"
    out = json.loads(lines[0])
    assert isinstance(out, dict)
    return HookRun(p.returncode, out, stdout, p.stderr.decode())


def load_payloads(version: str) -> list[tuple[str, str, dict]]:
    """(event, tool, payload) for every block of the captured hook payloads of one CLI version."""
    text = sample("claude_hooks", f"hook_payloads_{version}.txt").read_text()
    out = []
    for block in re.split(r"^===== ", text, flags=re.M)[1:]:
        head, _, rest = block.partition("\n")
        event, _, tool = head.strip().partition(" ")
        body = "\n".join(ln for ln in rest.splitlines() if not ln.startswith(("env: ", "argv: ")))
        out.append((event, tool, json.loads(body)))
    return out


def payload(event: str, tool: str = "", version: str = "2.1.330") -> dict:
    for ev, tl, p in load_payloads(version):
        if ev == event and tl == tool:
            return json.loads(json.dumps(p))
    raise LookupError(f"no captured {event} {tool} payload in {version}")


@dataclass
class Plugin:
    project: Path
    data: Path
    env: dict

    def hook(self, payload: dict, **kw) -> HookRun:
        """Run the script for payload's event, with paths rewritten into the temp project."""
        p = dict(payload)
        p["cwd"] = str(self.project)
        ti = p.get("tool_input")
        if isinstance(ti, dict) and isinstance(ti.get("file_path"), str) and ti["file_path"].startswith("/home/dev/"):
            p["tool_input"] = dict(ti, file_path=str(self.project / Path(ti["file_path"]).name))
        return run_hook(SCRIPTS[p["hook_event_name"]], p, self.env, **kw)

    def gate(self) -> Optional[dict]:
        for g in self.data.glob("projects/*/gate.json"):
            return json.loads(g.read_text())
        return None


@pytest.fixture
def plugin(tmp_path, monkeypatch) -> Plugin:
    data = tmp_path / "plugin-data"
    project = tmp_path / "proj"
    project.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE", "RCA_"))}
    env.update(CLAUDE_PLUGIN_DATA=str(data), CLAUDE_PROJECT_DIR=str(project), CLAUDE_PLUGIN_ROOT=str(ROOT))
    # the same folders for the in-process workflow calls the tests make
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(data))
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(project))
    monkeypatch.delenv("RCA_REPORT_DIR", raising=False)
    return Plugin(project, data, env)


def copy_without_classifier(dest: Path) -> Path:
    """A copy of the plugin's hooks and package with no danger classifier at all (an install
    where it is missing or broken)."""
    import shutil

    shutil.copytree(ROOT / "hooks", dest / "hooks")
    shutil.copytree(ROOT / "mcp_server", dest / "mcp_server", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(dest / "mcp_server" / "analysis" / "danger", ignore_errors=True)
    (dest / "mcp_server" / "analysis" / "danger.py").unlink(missing_ok=True)
    return dest
