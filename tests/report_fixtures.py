"""Realistic events and investigations for the timeline, root-cause, report and store tests.

Message texts are real: the systemd, kernel OOM-killer, jetsam, AMFI, powerd and tmux lines come
from ../shared/samples (hotsos sosreports, Console.app copies, tmux issue transcripts); the
transcript events have the shape the session-forensics source gives a Claude Code Bash call.
Evidence ids are made the way sources make them (`make_evidence_id` over the record's fields).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

from mcp_server.models import Event, make_evidence_id
from mcp_server.workflow.state import EvidenceRef, Finding, Investigation, LedgerEntry

UTC = timezone.utc
T0 = datetime(2026, 11, 21, 3, 10, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def journald(t: datetime, process: str, pid: Optional[int], message: str, *, host: str = "devbox", unit: Optional[str] = None) -> Event:
    extra = {"_SYSTEMD_UNIT": unit} if unit else {}
    return Event(
        evidence_id=make_evidence_id("journald:entry", t, host, process, pid, message), data_type="journald:entry",
        source="journald", time=t, time_text=str(int(t.timestamp() * 1_000_000)), time_zone="UTC", host=host,
        process=process, pid=pid, message=message, extra=extra, origin="journalctl -o json",
    )


def syslog(t: datetime, process: str, pid: Optional[int], message: str, *, host: str = "devbox", line: int = 1,
           zone: Optional[str] = "+00:00") -> Event:
    """A /var/log/syslog line: whole seconds; `zone=None` when the file gave no zone (BSD format)."""
    whole = t.replace(microsecond=0)
    text = whole.strftime("%b %d %H:%M:%S")
    return Event(
        evidence_id=make_evidence_id("syslog:line", whole, host, process, pid, message, line), data_type="syslog:line",
        source="syslog", time=whole, time_text=text, time_zone=zone, host=host, process=process, pid=pid,
        message=message, origin=f"/var/log/syslog:{line}",
    )


def bash_call(t: datetime, command: str, *, session: str = "2fda9ea8-a7c8-4033-bc69-d0f09039da29",
              description: str = "", outcome: str = "ok") -> Event:
    return Event(
        evidence_id=make_evidence_id("claude:tool_call", t, session, command), data_type="claude:tool_call:bash",
        source="claude_transcripts", time=t, time_text=t.isoformat().replace("+00:00", "Z"), time_zone="UTC",
        process="claude", message=command,
        extra={"command": command, "session": session, "tool": "Bash", "description": description, "outcome": outcome},
        origin=f"~/.claude/projects/-home-dev-app/{session}.jsonl",
    )


def history(t: datetime, command: str, line: int = 1) -> Event:
    return Event(
        evidence_id=make_evidence_id("zsh:history:entry", t, command, line), data_type="zsh:history:entry",
        source="shell_history", time=t, time_text=f": {int(t.timestamp())}:0", time_zone="UTC", message=command,
        extra={"command": command}, origin=f"~/.zsh_history:{line}",
    )


def app_log(t: datetime, message: str, *, process: str = "tmux", line: int = 1, zone: Optional[str] = None) -> Event:
    """An application log line written in local time without a zone (read as UTC by the source)."""
    return Event(
        evidence_id=make_evidence_id("app:log:line", t, process, message, line), data_type="app:log:line",
        source="file", time=t, time_text=t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], time_zone=zone, process=process,
        message=message, origin=f"/tmp/tmux-server-1234.log:{line}",
    )


def untimed(message: str, line: int) -> Event:
    return Event(
        evidence_id=make_evidence_id("bash:history:entry", None, message, line), data_type="bash:history:entry",
        source="shell_history", time=None, message=message, extra={"command": message}, origin=f"~/.bash_history:{line}",
    )


def ref(ev: Event, tool: str = "collect_evidence", seq: int = 1) -> EvidenceRef:
    return EvidenceRef(evidence_id=ev.evidence_id, tool=tool, seq=seq, time=ev.time, source=ev.source, summary=ev.message[:200])


def tmux_incident_events() -> dict[str, Event]:
    """The tmux-killed incident: an agent's cleanup step ran `tmux kill-server`; the dev server died."""
    return {
        "start_server": bash_call(at(-600), "tmux new-session -d -s dev 'npm run dev'", description="Start dev server"),
        "tests": bash_call(at(-30), "npm test -- --runInBand", description="Run the test suite"),
        "kill": bash_call(at(0), "tmux kill-server", description="Clean up stale tmux sessions"),
        "exit": journald(at(0.4), "systemd", 1, "user@1000.service: tmux-spawn-6b2f.scope: Consumed 2min 3.114s CPU time."),
        "lost": app_log(at(0.3), "server exited unexpectedly", process="tmux", zone="UTC"),
        "node": journald(at(0.5), "node", 48121, "npm ERR! code ELIFECYCLE npm ERR! errno 1 npm ERR! Lifecycle script `dev` failed: killed by signal SIGHUP"),
    }


def investigation(
    events: dict[str, Event],
    *,
    findings: list[Finding],
    categories: Optional[dict[str, str]] = None,
    inv_id: str = "RCA-003",
    project_dir: str = "/home/dev/app",
    status: str = "open",
    root_cause_class: Optional[str] = "process_killed",
    targets: tuple[str, ...] = ("tmux",),
    incident: str = "tmux server died with the dev server in it",
    closed: Optional[datetime] = None,
) -> Investigation:
    evs = list(events.values())
    ledger = [
        LedgerEntry(seq=1, time=at(900), tool="collect_evidence", arguments={"start": "2026-11-21T03:00:00Z"},
                    counts={"events": len(evs)}, evidence_ids=[e.evidence_id for e in evs if e.source != "claude_transcripts"],
                    categories=categories or {}),
        LedgerEntry(seq=2, time=at(960), tool="extract_session_commands", counts={"events": 3},
                    evidence_ids=[e.evidence_id for e in evs if e.source == "claude_transcripts"]),
    ]
    evidence = {}
    for e in evs:
        evidence[e.evidence_id] = ref(e, "extract_session_commands" if e.source == "claude_transcripts" else "collect_evidence",
                                      2 if e.source == "claude_transcripts" else 1)
    return Investigation(
        id=inv_id, mode="strategic", status=status, incident=incident, project_dir=project_dir,  # type: ignore[arg-type]
        window_start=at(-3600), window_end=at(600), targets=list(targets), phase="report", ledger=ledger,
        evidence=evidence, findings=findings, root_cause_class=root_cause_class, created=at(800), updated=at(1200),
        closed=closed,
    )


def finding(fid: str, kind: str, text: str, ids: list[str] = (), **kw) -> Finding:  # type: ignore[assignment]
    return Finding(id=fid, kind=kind, text=text, evidence_ids=list(ids), time=at(1000), **kw)  # type: ignore[arg-type]


def tmux_findings(ev: dict[str, Event]) -> list[Finding]:
    return [
        finding("F-1", "scope", "tmux server (pid 4242) and the dev server inside it died at 03:10:00Z", [ev["lost"].evidence_id]),
        finding("F-2", "last_command", "Last Bash command before the death: `tmux kill-server`", [ev["kill"].evidence_id]),
        finding("F-3", "chain_link", "Agent started the dev server in tmux session `dev`", [ev["start_server"].evidence_id], order=1),
        finding("F-4", "chain_link", "Agent ran `tmux kill-server` to clean up stale sessions", [ev["kill"].evidence_id], order=2),
        finding("F-5", "chain_link", "tmux server exited; every session in it was killed", [ev["lost"].evidence_id, ev["exit"].evidence_id], order=3),
        finding("F-6", "root_cause", "The agent's cleanup step ran `tmux kill-server`, which kills the whole server including the user's dev session", [ev["kill"].evidence_id]),
        finding("F-7", "contributing_factor", "The dev server ran in the default tmux socket shared with the agent", [ev["start_server"].evidence_id]),
        finding("F-8", "symptom", "npm dev script failed: killed by signal SIGHUP", [ev["node"].evidence_id]),
        finding("F-9", "ruled_out", "OOM killer: no 'Out of memory' or oom-kill entry in the window (memory_pressure not found)"),
        finding("F-10", "unknown", "Why the agent judged the sessions stale is not in the transcript"),
        finding("F-11", "code_path", "cleanup step of the agent's task script", file_line="scripts/cleanup.sh:12"),
        finding("F-12", "action_item", "Replace `tmux kill-server` with `tmux kill-session -t <own session>`", owner="dev", due="2026-11-28"),
        finding("F-13", "verdict", "CONFIRMED: transcript shows the command, tmux log shows the exit 0.3 s later", [ev["kill"].evidence_id], verdict="CONFIRMED"),
    ]
