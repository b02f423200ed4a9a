"""A real incident, reproduced: an agent's subagent kills the tmux server a dev server runs in.

Used by the e2e test (tests/e2e/test_session_forensics.py) and to record the bundled example
(`examples/tmux-killed/`): set `RCA_RECORD_EXAMPLE=<folder>` (the bundled copy is mcp_server/examples/tmux-killed) when running that test and the
evidence of the run is written there, paths rewritten to /home/dev.

What happens, all for real:
1. A person's interactive bash (real `bash -i`, HISTTIMEFORMAT set) starts a tmux server on its own
   socket with a session `dev` running `devserver.sh`, a small shell "server" that logs a line every
   0.2 s to `logs/devserver.log` and logs its own SIGHUP/SIGTERM before exiting.
2. A watcher thread in the test polls the tmux server's pid and records the moment it is gone
   (`logs/monitor.log`).
3. The real `claude -p` CLI runs with the scripted model: the main agent lists tmux sessions, then
   delegates "clean up stale tmux sessions" to a general-purpose subagent, whose scripted turn is
   `tmux -L <socket> kill-server`. The dev server dies with its tmux server.
4. The person comes back: `tmux attach` fails (real bash history again).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from . import harness
from .fake_api import FakeAnthropic, Reply, text, tool_use

NEUTRAL_HOME = "/home/dev"
SUBAGENT_MARK = "Clean up stale tmux sessions"

DEVSERVER = r"""#!/bin/sh
# a tiny stand-in for a dev server: logs a health line every 0.2 s, and its own death
log="$1"
n=0
host=$(hostname)
stamp() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
trap 'echo "$(stamp) $host devserver[$$]: caught SIGHUP (terminal or tmux server gone), shutting down" >> "$log"; exit 129' HUP
trap 'echo "$(stamp) $host devserver[$$]: caught SIGTERM, shutting down" >> "$log"; exit 143' TERM
echo "$(stamp) $host devserver[$$]: listening on 127.0.0.1:8000" >> "$log"
while :; do
  n=$((n + 1))
  echo "$(stamp) $host devserver[$$]: GET /health 200 ($n requests served)" >> "$log"
  sleep 0.2
done
"""


class RoutingFake(FakeAnthropic):
    """The harness's fake API, plus a second script for the subagent: a request whose first user
    message carries SUBAGENT_MARK is answered from `SUB_SCRIPT`, by its own assistant-turn count."""

    SUB_SCRIPT: list[Reply] = []

    def reply_for(self, body: dict[str, Any]) -> tuple[str, Optional[int], Reply]:
        messages = body.get("messages") or []
        first = messages[0] if messages else {}
        content = first.get("content")
        blob = content if isinstance(content, str) else " ".join(
            b.get("text", "") for b in content or [] if isinstance(b, dict))
        if body.get("tools") and SUBAGENT_MARK in blob and "subagent-task" in blob:
            turn = sum(1 for m in messages if m.get("role") == "assistant")
            script = self.SUB_SCRIPT
            return "side", turn, script[turn] if turn < len(script) else text("done")
        return super().reply_for(body)


def interactive_bash(commands: list[str], histfile: Path, cwd: Path, env_extra: dict[str, str]) -> None:
    """Run commands through a real interactive bash so that it writes a real timestamped history."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(histfile.parent), "HISTFILE": str(histfile),
           "HISTTIMEFORMAT": "%F %T ", "PS1": "", "TERM": "dumb", **env_extra}
    script = "".join(c + "\n" for c in commands)
    subprocess.run(["bash", "--norc", "--noprofile", "-i"], input=script, text=True, cwd=cwd, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


@dataclass
class Incident:
    result: Any  # harness.Result
    socket: str
    tmux_pid: int
    died_at: Optional[datetime]
    kill_command: str
    work: Path
    devlog: Path
    monitor_log: Path
    history: Path


def watch_pid(pid: int, log: Path, stop: threading.Event, found: list[datetime]) -> None:
    host = os.uname().nodename
    with log.open("a") as f:
        f.write(f"{_stamp(datetime.now(timezone.utc))} {host} rca-monitor[{os.getpid()}]: watching tmux server pid {pid}\n")
        while not stop.is_set():
            if not _alive(pid):
                now = datetime.now(timezone.utc)
                found.append(now)
                f.write(f"{_stamp(now)} {host} rca-monitor[{os.getpid()}]: tmux server pid {pid} is gone\n")
                return
            time.sleep(0.005)


def _alive(pid: int) -> bool:
    """False once the process has exited: gone, or a zombie nobody has reaped yet (a daemon such as
    the tmux server is reparented, and its zombie can linger for a while)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def run_incident(run: Callable[[harness.Scenario], Any], tmp_path: Path, monkeypatch: Any) -> Incident:
    socket = f"rca-e2e-{uuid.uuid4().hex[:10]}"
    work = tmp_path / "project"
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (work / "devserver.sh").write_text(DEVSERVER)
    (work / "devserver.sh").chmod(0o755)
    devlog = logs / "devserver.log"
    history = tmp_path / "home" / ".bash_history"
    history.parent.mkdir(parents=True, exist_ok=True)
    interactive_bash([
        f"cd {work}",
        f"tmux -L {socket} new-session -d -s dev './devserver.sh {devlog}'",
        "sleep 1",
        f"tmux -L {socket} list-sessions",
    ], history, work, {})
    pid_text = subprocess.run(["tmux", "-L", socket, "display-message", "-p", "-t", "dev", "#{pid}"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    tmux_pid = int(pid_text)
    stop = threading.Event()
    died: list[datetime] = []
    monitor_log = logs / "monitor.log"
    watcher = threading.Thread(target=watch_pid, args=(tmux_pid, monitor_log, stop, died), daemon=True)
    watcher.start()

    kill = f"tmux -L {socket} kill-server"
    RoutingFake.SUB_SCRIPT = [
        tool_use("Bash", {"command": f"tmux -L {socket} list-sessions", "description": "List tmux sessions"}),
        tool_use("Bash", {"command": kill, "description": "Kill the stale tmux server"}),
        text("Killed the stale tmux server; no sessions are left."),
    ]
    monkeypatch.setattr(harness, "FakeAnthropic", RoutingFake)
    scenario = harness.Scenario(
        prompt="My tmux sessions are a mess. Clean up the stale ones.",
        turns=[
            tool_use("Bash", {"command": f"tmux -L {socket} list-sessions -F '#{{session_name}} #{{session_activity}}'",
                              "description": "List tmux sessions with their last activity"}),
            tool_use("Agent", {"description": "Clean up stale tmux sessions", "subagent_type": "general-purpose",
                               "prompt": f"{SUBAGENT_MARK} on socket {socket} (subagent-task)."}),
            text("Done: the subagent removed the stale tmux sessions."),
        ],
        wait_for_mcp=False,
        allowed_tools=("Bash(tmux:*)", "Agent"),
        timeout=240.0,
    )
    try:
        result = run(scenario)
    finally:
        stop_deadline = time.monotonic() + 5
        while watcher.is_alive() and not died and time.monotonic() < stop_deadline:
            time.sleep(0.05)
        stop.set()
        watcher.join(timeout=2)
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)  # never leave it behind
    time.sleep(0.3)  # let devserver.sh write its last line
    interactive_bash([f"tmux -L {socket} attach -t dev", f"tail -n 3 {devlog}"], history.with_name(".bash_history.2"), work, {})
    with history.open("a") as f:
        f.write(history.with_name(".bash_history.2").read_text())
    history.with_name(".bash_history.2").unlink()
    return Incident(result, socket, tmux_pid, died[0] if died else None, kill, work, devlog, monitor_log, history)


def write_bundle(inc: Incident, dest: Path) -> Path:
    """The example's evidence: transcripts (main + subagent), logs, shell history, paths neutral."""
    if dest.exists():
        shutil.rmtree(dest)
    res = inc.result
    real = {
        str(res.config_dir): f"{NEUTRAL_HOME}/.claude",
        str(res.home): NEUTRAL_HOME,
        str(inc.work): f"{NEUTRAL_HOME}/project",
        str(inc.work.parent): NEUTRAL_HOME,
        str(harness.PLUGIN_ROOT): f"{NEUTRAL_HOME}/rca",
        inc.socket: "rca-demo",
    }
    host = re.escape(os.uname().nodename)

    def neutral(data: str) -> str:
        for old in sorted(real, key=len, reverse=True):
            data = data.replace(old, real[old])
        # Claude Code's slug of the project folder, and the temp dirs it names
        data = re.sub(r"-tmp-pytest-of-[A-Za-z0-9_-]+?-project", "-home-dev-project", data)
        data = re.sub(r"/tmp/claude-\d+/", "/tmp/claude-1000/", data)
        data = data.replace("sk-ant-api03-rca-e2e-fake-key", "[REDACTED]")
        return data

    projects = res.config_dir / "projects"
    out_projects = dest / "claude" / "projects"
    for path in sorted(projects.rglob("*")):
        if not path.is_file() or not (path.suffix in (".jsonl", ".json")):
            continue
        rel = path.relative_to(projects)
        parts = list(rel.parts)
        parts[0] = "-home-dev-project"
        target = out_projects.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(neutral(path.read_text(errors="replace")))
    (dest / "logs").mkdir(parents=True, exist_ok=True)
    for name, src in (("devserver.log", inc.devlog), ("monitor.log", inc.monitor_log)):
        # syslog-style lines: "<time> <host> <program>[pid]: ..." -- the host field only
        data = re.sub(rf"^(\S+) {host} ", r"\1 devbox ", neutral(src.read_text()), flags=re.M)
        (dest / "logs" / name).write_text(data)
    (dest / "shell").mkdir(parents=True, exist_ok=True)
    (dest / "shell" / "bash_history").write_text(neutral(inc.history.read_text()))
    (dest / "devserver.sh").write_text(DEVSERVER)
    return dest
