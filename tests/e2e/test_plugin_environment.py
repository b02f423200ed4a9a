"""End to end: what Claude Code 2.1.197 hands a --plugin-dir plugin's MCP server and hooks.

The workflow's hooks and the MCP server must agree on where the investigation state lives; both
use CLAUDE_PLUGIN_DATA. This test pins down that contract with the real CLI: a copy of the plugin
whose `.mcp.json` and hooks record their environment, cwd and stdin before doing their real work
(the server still starts through the launcher and answers the call).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from .harness import FORENSICS, Scenario, copy_plugin, text, tool_use

pytestmark = pytest.mark.e2e

RECORDER = textwrap.dedent('''\
    """Test helper: record environment, cwd and stdin, then become the real command."""
    import json, os, sys
    tag = sys.argv[1]
    stdin = "" if tag == "mcp" else sys.stdin.read()
    out = os.path.join(os.environ["RCA_E2E_RECORD"], f"{tag}-{os.getpid()}.json")
    with open(out, "w") as f:
        json.dump({"tag": tag, "cwd": os.getcwd(), "env": dict(os.environ), "stdin": stdin}, f)
    if tag == "mcp":  # the MCP server: continue into the launcher, exactly as .mcp.json would
        os.execv(sys.executable, [sys.executable] + sys.argv[2:])
    print("{}")
''')


def recording_plugin(dest: Path) -> Path:
    plugin = copy_plugin(dest)
    (plugin / "scripts" / "record_env.py").write_text(RECORDER)
    mcp = json.loads((plugin / ".mcp.json").read_text())
    server = mcp["mcpServers"]["forensics"]
    server["args"] = ["${CLAUDE_PLUGIN_ROOT}/scripts/record_env.py", "mcp"] + server["args"]
    server["env"] = {"RCA_EXPANDED_DATA": "${CLAUDE_PLUGIN_DATA}", "RCA_EXPANDED_PROJECT": "${CLAUDE_PROJECT_DIR}"}
    (plugin / ".mcp.json").write_text(json.dumps(mcp, indent=2))
    hook = [{"type": "command", "command": "python3 ${CLAUDE_PLUGIN_ROOT}/scripts/record_env.py %s"}]
    hooks = {"hooks": {
        "SessionStart": [{"hooks": [{**hook[0], "command": hook[0]["command"] % "SessionStart"}]}],
        "PreToolUse": [{"matcher": "mcp__.*", "hooks": [{**hook[0], "command": hook[0]["command"] % "PreToolUse"}]}],
    }}
    (plugin / "hooks" / "hooks.json").write_text(json.dumps(hooks, indent=2))
    return plugin


def test_server_and_hooks_agree_on_plugin_data_project_and_session(run, tmp_path):
    record = tmp_path / "record"
    record.mkdir()
    plugin = recording_plugin(tmp_path / "plugin")
    result = run(Scenario(
        prompt="what evidence is there?",
        turns=[tool_use(FORENSICS + "evidence_sources", {}), text("ok")],
        plugin_dir=plugin,
        env={"RCA_E2E_RECORD": str(record)},
    ))
    assert result.returncode == 0, result.explain()
    assert not result.tool_call(FORENSICS + "evidence_sources").is_error, result.explain()

    seen: dict[str, list[dict]] = {}
    for f in record.glob("*.json"):
        rec = json.loads(f.read_text())
        seen.setdefault(rec["tag"], []).append(rec)
    assert set(seen) == {"mcp", "SessionStart", "PreToolUse"}, seen.keys()

    data_dir = str(result.config_dir / "plugins" / "data" / "rca-inline")
    project = str(result.project_dir)
    server = seen["mcp"][0]
    assert server["env"]["CLAUDE_PLUGIN_DATA"] == data_dir
    assert server["env"]["RCA_EXPANDED_DATA"] == data_dir  # ${CLAUDE_PLUGIN_DATA} expands in .mcp.json
    assert server["env"]["CLAUDE_PLUGIN_ROOT"] == str(plugin)
    assert server["env"]["CLAUDE_PROJECT_DIR"] == project == server["env"]["RCA_EXPANDED_PROJECT"]
    assert server["env"]["CLAUDE_CONFIG_DIR"] == str(result.config_dir)
    assert server["env"]["CLAUDE_CODE_SESSION_ID"] == result.session_id
    assert server["cwd"] == project

    for event in ("SessionStart", "PreToolUse"):
        (rec,) = seen[event]
        assert rec["env"]["CLAUDE_PLUGIN_DATA"] == data_dir, event
        assert rec["env"]["CLAUDE_PLUGIN_ROOT"] == str(plugin), event
        assert rec["env"]["CLAUDE_PROJECT_DIR"] == project, event
        assert rec["env"]["CLAUDE_CODE_SESSION_ID"] == result.session_id, event
        assert rec["cwd"] == project, event
        payload = json.loads(rec["stdin"])
        assert payload["hook_event_name"] == event
        assert payload["session_id"] == result.session_id
        assert payload["transcript_path"] == str(result.transcript_path)
        assert payload["cwd"] == project
    pre = json.loads(seen["PreToolUse"][0]["stdin"])
    assert pre["tool_name"] == FORENSICS + "evidence_sources" and pre["tool_input"] == {}
    assert pre["tool_use_id"] == result.tool_call(FORENSICS + "evidence_sources").id
    # Claude Code recorded both hook runs in the transcript
    assert {a["hookEvent"] for a in result.hook_attachments()} >= {"SessionStart", "PreToolUse"}
