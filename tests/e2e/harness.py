"""Drive the real Claude Code CLI (`claude -p`) with this plugin loaded, against the scripted fake API.

A test describes a *scenario* -- the user's prompt and the scripted model's turns -- and gets back
everything that happened: the stream-json messages, the session transcript Claude Code wrote, the
requests the fake API received, stderr, and the temp folders involved::

    scenario = Scenario(
        prompt="what evidence does this machine have?",
        turns=[tool_use(FORENSICS + "evidence_sources", {}), text("done")],
    )
    result = run_scenario(scenario, tmp_path)
    call = result.tool_call(FORENSICS + "evidence_sources")
    assert not call.is_error and "journald" in call.text

What Claude Code 2.1.197 does with a `--plugin-dir` plugin (observed with this harness, Linux):

* MCP tool names are `mcp__plugin_<plugin>_<server>__<tool>`: ours are
  `mcp__plugin_rca_forensics__<tool>` (`FORENSICS` below). The server's display name is
  `plugin:rca:forensics`. `--allowedTools mcp__plugin_rca_forensics` allows all its tools.
* MCP servers connect in the background even in `-p` mode (`MCP_CONNECTION_NONBLOCKING=0` does not
  change that): a tool call made before the server is up fails with "No such tool available ...
  still connecting. Call WaitForMcpServers". `-p` waits 2 s for pending servers before the first
  request; `WaitForMcpServers` waits about 5 s more per call and is "not enabled" once nothing is
  pending. So the fake answers `WaitForMcpServers` itself until our tools are offered
  (`Scenario.wait_for_mcp`, on by default; those turns are not part of the script).
* The MCP server process gets `CLAUDE_PLUGIN_DATA=$CLAUDE_CONFIG_DIR/plugins/data/rca-inline`
  (`rca-<marketplace>` when installed from a marketplace), `CLAUDE_PLUGIN_ROOT` (the plugin folder),
  `CLAUDE_PROJECT_DIR` (the project), `CLAUDE_CONFIG_DIR` when set, and `CLAUDE_CODE_SESSION_ID`;
  its cwd is the project folder. `${CLAUDE_PLUGIN_DATA}` and `${CLAUDE_PROJECT_DIR}` are expanded in
  `.mcp.json` `args`/`env` too.
* Hooks (command hooks) get the same `CLAUDE_PLUGIN_DATA`, `CLAUDE_PLUGIN_ROOT`, `CLAUDE_PROJECT_DIR`,
  `CLAUDE_CONFIG_DIR`, `CLAUDE_CODE_SESSION_ID` (SessionStart also `CLAUDE_ENV_FILE`), cwd = the
  project, and on stdin JSON with `session_id`, `transcript_path`, `cwd`, `hook_event_name`
  (+ `tool_name`, `tool_input`, `tool_use_id`, `permission_mode` for PreToolUse). So hooks and the
  server agree on the state folder through `CLAUDE_PLUGIN_DATA` with no extra configuration.
* Running as root, `--dangerously-skip-permissions` and `--permission-mode bypassPermissions` are
  refused ("cannot be used with root/sudo privileges"), so tools are allowed with `--allowedTools`
  (`Scenario.allowed_tools`). Without it a call of our tool is denied in `-p` mode (listed in the
  result's `permission_denials`): read-only annotations do not auto-allow a tool.
* Claude Code keeps each MCP server's stderr (the launcher's lines, the server's logging) and its
  connection events in `~/.cache/claude-cli-nodejs/<project slug>/mcp-logs-plugin-rca-forensics/`
  (`Result.mcp_log()`, `Result.server_stderr()`). It stops the server with SIGINT, then SIGTERM.
* No side requests (titles, quota probes) were made in `-p` mode; the fake still answers any
  request without tools with a short text that does not consume the script.

The server's virtualenv: a cold first start builds it with venv + pip (about 12 s on the dev
machine, within Claude Code's 30 s connect timeout, but longer than WaitForMcpServers waits). The
harness therefore builds it once per test session *through the launcher* (`prewarm_server_venv`)
in a session folder and links `<plugin data>/venvs` to it; each scenario still starts the server
through the launcher, which finds the venv complete and execs it. pip's cache is the real user's
(`PIP_CACHE_DIR`), not the empty one under the temp HOME.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from .fake_api import FakeAnthropic, Reply, Request, content_text, reply, text, tool_use

__all__ = [
    "FORENSICS", "PLUGIN_ROOT", "Scenario", "Result", "ToolCall", "run_scenario", "prewarm_server_venv", "copy_plugin",
    "text", "tool_use", "reply",
]

PLUGIN_ROOT = Path(__file__).resolve().parents[2]
PLUGIN_NAME = "rca"
FORENSICS = "mcp__plugin_rca_forensics__"  # prefix of our MCP tools' names inside Claude Code
SERVER_DISPLAY_NAME = "plugin:rca:forensics"
PLUGIN_DATA_NAME = "rca-inline"  # `<plugin>-inline` for a --plugin-dir plugin

#: Environment variables of the test process that are passed through to `claude` (nothing else:
#: no credentials, no user configuration).
PASS_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "SSL_CERT_FILE", "PYENV_ROOT", "PYENV_VERSION")
PASS_ENV_PREFIXES = ("PIP_", "UV_")  # package index, certificates and cache settings for the venv build


@dataclass
class Scenario:
    """One `claude -p` run: the prompt, the scripted model's turns, and optional set-up."""

    prompt: str
    turns: Sequence[Reply]
    #: let the fake answer WaitForMcpServers until our server's tools are offered (it connects in
    #: the background); those waits are not part of `turns`
    wait_for_mcp: bool = True
    #: at most this many such waits (each waits up to MCP_CONNECT_TIMEOUT_MS, 5 s by default)
    max_waits: int = 8
    #: `--allowedTools` entries; add e.g. "Bash(kill:*)" or "Edit" when a scenario needs them
    allowed_tools: Sequence[str] = ("mcp__plugin_rca_forensics",)
    #: files to create in the project folder before the run: relative path -> text
    files: dict[str, str] = field(default_factory=dict)
    #: extra environment for `claude` (and so for the server and hooks)
    env: dict[str, str] = field(default_factory=dict)
    #: extra command-line arguments for `claude`
    args: Sequence[str] = ()
    #: seconds before the run is killed and the test fails
    timeout: float = 180.0
    #: the plugin folder given to --plugin-dir (a modified copy from `copy_plugin`, say)
    plugin_dir: Path = PLUGIN_ROOT



@dataclass
class ToolCall:
    """One tool_use from the transcript and its tool_result (None if it never got one)."""

    id: str
    name: str
    input: dict[str, Any]
    result: dict[str, Any] | None
    #: the transcript entry's `toolUseResult` (Claude Code's own record of the result)
    tool_use_result: Any = None

    @property
    def is_error(self) -> bool:
        return bool(self.result and self.result.get("is_error"))

    @property
    def text(self) -> str:
        return content_text(self.result.get("content")) if self.result else ""

    def json(self) -> Any:
        """The tool result's text parsed as JSON (our tools return structured JSON text)."""
        return json.loads(self.text)


@dataclass
class Result:
    returncode: int | None
    messages: list[dict[str, Any]]  # stream-json lines of stdout
    stdout: str
    stderr: str
    requests: list[Request]  # everything the fake API received
    home: Path
    config_dir: Path
    project_dir: Path
    plugin_data_dir: Path
    session_id: str | None
    transcript_path: Path | None
    transcript: list[dict[str, Any]]
    seconds: float

    # --- reading the transcript ---
    def entries(self, type: str | None = None) -> Iterator[dict[str, Any]]:  # noqa: A002
        for e in self.transcript:
            if type is None or e.get("type") == type:
                yield e

    def tool_calls(self, name: str | None = None) -> list[ToolCall]:
        """Every tool_use in the transcript (optionally of one tool), paired with its result."""
        results: dict[str, tuple[dict[str, Any], Any]] = {}
        for e in self.entries("user"):
            content = (e.get("message") or {}).get("content")
            if isinstance(content, list):
                for b in content:
                    if isinstance(b, dict) and b.get("type") == "tool_result":
                        results[b.get("tool_use_id", "")] = (b, e.get("toolUseResult"))
        calls = []
        for e in self.entries("assistant"):
            for b in (e.get("message") or {}).get("content") or []:
                if isinstance(b, dict) and b.get("type") == "tool_use" and (name is None or b.get("name") == name):
                    res, raw = results.get(b.get("id", ""), (None, None))
                    calls.append(ToolCall(b.get("id", ""), b.get("name", ""), b.get("input") or {}, res, raw))
        return calls

    def tool_call(self, name: str) -> ToolCall:
        """The one call of tool `name` (fails the test if there is not exactly one)."""
        calls = self.tool_calls(name)
        assert len(calls) == 1, f"expected one call of {name}, got {len(calls)}\n{self.explain()}"
        return calls[0]

    def hook_attachments(self, event: str | None = None) -> list[dict[str, Any]]:
        """Hook runs Claude Code recorded in the transcript (`attachment` entries of type hook_*)."""
        out = []
        for e in self.entries("attachment"):
            a = e.get("attachment") or {}
            if str(a.get("type", "")).startswith("hook_") and (event is None or a.get("hookEvent") == event):
                out.append(a)
        return out

    def mcp_log(self, server: str = "plugin-rca-forensics") -> list[dict[str, Any]]:
        """Claude Code's log of one MCP server (`~/.cache/claude-cli-nodejs/<project>/mcp-logs-<server>/`):
        connection events and the server's stderr (`"error": "Server stderr: ..."` entries)."""
        entries: list[dict[str, Any]] = []
        for path in sorted((self.home / ".cache" / "claude-cli-nodejs").glob(f"*/mcp-logs-{server}/*.jsonl")):
            entries.extend(_read_jsonl(path))
        return entries

    def server_stderr(self, server: str = "plugin-rca-forensics") -> str:
        """What the MCP server (and our launcher before it) wrote on stderr, as Claude Code logged it."""
        prefix = "Server stderr: "
        return "".join(e["error"][len(prefix):] for e in self.mcp_log(server)
                       if isinstance(e.get("error"), str) and e["error"].startswith(prefix))

    def mcp_connect_ms(self, server: str = "plugin-rca-forensics") -> int | None:
        """How long Claude Code took to connect to the server (from its MCP log), or None."""
        for e in self.mcp_log(server):
            m = re.match(r"Successfully connected \(transport: \w+\) in (\d+)ms", str(e.get("debug", "")))
            if m:
                return int(m.group(1))
        return None

    @property
    def final(self) -> dict[str, Any] | None:
        """The stream-json `result` message (None if claude died before writing it)."""
        for m in reversed(self.messages):
            if m.get("type") == "result":
                return m
        return None

    @property
    def init(self) -> dict[str, Any] | None:
        for m in self.messages:
            if m.get("type") == "system" and m.get("subtype") == "init":
                return m
        return None

    @property
    def main_requests(self) -> list[Request]:
        return [r for r in self.requests if r.kind == "main"]

    def explain(self) -> str:
        """A short account of the run for assertion messages."""
        lines = [f"claude exited {self.returncode} after {self.seconds:.1f} s; transcript {self.transcript_path}"]
        for c in self.tool_calls():
            lines.append(f"  {c.name}({json.dumps(c.input)[:80]}) -> "
                         f"{'ERROR ' if c.is_error else ''}{c.text[:200]!r}")
        if self.final:
            lines.append(f"  result: {str(self.final.get('result'))[:200]!r}")
        if self.stderr.strip():
            lines.append("  stderr: " + self.stderr.strip()[-1500:])
        return "\n".join(lines)


# --- the server's virtualenv, built once per test session -------------------------------------

def base_env(home: Path) -> dict[str, str]:
    """The environment of every claude run: temp HOME, no telemetry, real pip cache."""
    env = {k: v for k, v in os.environ.items() if k in PASS_ENV or k.startswith(PASS_ENV_PREFIXES)}
    env.update({
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(home / ".claude"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR") or _user_cache("pip"),
        "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR") or _user_cache("uv"),
    })
    return env


def _user_cache(name: str) -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    return os.path.join(base, name)


def prewarm_server_venv(folder: Path) -> Path:
    """Build the server's virtualenv through the launcher in `folder` (the plugin data folder of a
    session); returns the `venvs` folder to share. Also proves the launcher's venv imports the server."""
    folder.mkdir(parents=True, exist_ok=True)
    env = base_env(folder / "home")
    env["CLAUDE_PLUGIN_DATA"] = str(folder)
    proc = subprocess.run(
        ["python3", str(PLUGIN_ROOT / "scripts" / "launch_server.py"), "-c", "import mcp_server.server"],
        env=env, cwd=folder, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the launcher could not build the server venv:\n{proc.stderr[-3000:]}")
    return folder / "venvs"


# --- running a scenario ------------------------------------------------------------------------

def run_scenario(scenario: Scenario, tmp_path: Path, *, shared_venvs: Path | None = None,
                 claude: str = "claude") -> Result:
    """Run `claude -p` for `scenario` in fresh folders under `tmp_path` and collect what happened."""
    home = tmp_path / "home"
    config = home / ".claude"
    project = tmp_path / "project"
    plugin_data = config / "plugins" / "data" / PLUGIN_DATA_NAME
    for d in (config, project):
        d.mkdir(parents=True, exist_ok=True)
    for rel, content in scenario.files.items():
        p = project / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)
    if shared_venvs is not None:
        plugin_data.mkdir(parents=True, exist_ok=True)
        (plugin_data / "venvs").symlink_to(shared_venvs, target_is_directory=True)

    argv = [claude, "-p", scenario.prompt, "--plugin-dir", str(scenario.plugin_dir),
            "--output-format", "stream-json", "--verbose"]
    if scenario.allowed_tools:
        argv += ["--allowedTools", ",".join(scenario.allowed_tools)]
    argv += list(scenario.args)

    started = time.monotonic()
    with FakeAnthropic(scenario.turns, wait_for=FORENSICS if scenario.wait_for_mcp else None,
                       max_waits=scenario.max_waits) as fake:
        env = base_env(home)
        env.update({"ANTHROPIC_BASE_URL": fake.url, "ANTHROPIC_API_KEY": "sk-ant-api03-rca-e2e-fake-key"})
        env.update(scenario.env)
        proc = subprocess.Popen(argv, cwd=project, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=scenario.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            stdout, stderr = proc.communicate()
            stderr += f"\n[harness] claude was killed after {scenario.timeout:.0f} s"
        finally:
            _kill_group(proc.pid)  # the MCP server and hooks, should any outlive claude
        requests = list(fake.requests)
    seconds = time.monotonic() - started

    messages = [json.loads(line) for line in stdout.splitlines() if line.strip().startswith("{")]
    session_id = next((m.get("session_id") for m in messages if m.get("session_id")), None)
    transcript_path = _find_transcript(config, session_id)
    transcript = _read_jsonl(transcript_path) if transcript_path else []
    return Result(proc.returncode, messages, stdout, stderr, requests, home, config, project, plugin_data,
                  session_id, transcript_path, transcript, seconds)


#: what a plugin copy needs: the manifests, the server package, the launcher, hooks and skills
PLUGIN_FILES = (".claude-plugin", ".mcp.json", "hooks", "skills", "commands", "mcp_server", "scripts", "pyproject.toml", "README.md")


def copy_plugin(dest: Path) -> Path:
    """A copy of this plugin in `dest` that a test may modify (e.g. its hooks.json or .mcp.json)."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PLUGIN_FILES:
        src = PLUGIN_ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _find_transcript(config: Path, session_id: str | None) -> Path | None:
    projects = config / "projects"
    if session_id:
        found = sorted(projects.glob(f"*/{session_id}.jsonl"))
        if found:
            return found[0]
    found = sorted(projects.glob("*/*.jsonl"))
    return found[0] if len(found) == 1 else None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    out = []
    with path.open("rb") as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out
