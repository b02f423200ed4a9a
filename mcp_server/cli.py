"""The `rca` command line: the same library as the MCP server, for use without Claude Code.

Thin: each command parses its options (click), calls one library function, and prints a table
(rich) or, with --json, the same pydantic result the MCP tool returns. Output is redacted.
Exit codes: 0 success, 1 the command ran but found a problem it reports, 2 a usage error.
"""

from __future__ import annotations

import sys
from typing import Any

import click
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from .errors import InputError
from .redact import redact_model
from .sources import inventory

console = Console()
err_console = Console(stderr=True)


def emit_json(model: BaseModel) -> None:
    click.echo(redact_model(model).model_dump_json(indent=2))


def fail_usage(exc: Exception) -> None:
    err_console.print(f"[red]rca:[/red] {exc}")
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rca")
def main() -> None:
    """Root-cause analysis of crashes, server deaths and unexplained failures."""


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def doctor(as_json: bool) -> None:
    """Show which evidence sources this machine has, and why any is unavailable."""
    result = redact_model(inventory.probe_sources())
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"Evidence sources on this machine ({result.platform})")
    table.add_column("source")
    table.add_column("kind")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for s in result.sources:
        status = "[green]available[/green]" if s.available else "[yellow]unavailable[/yellow]"
        detail = escape(s.detail) + (f" [dim]({escape(s.program)})[/dim]" if s.program else "")
        table.add_row(s.name, s.kind, status, detail)
    console.print(table)
    console.print(f"{result.available} available, {result.unavailable} unavailable.")


def run_or_usage(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a library function; an `InputError` becomes a usage error with exit status 2."""
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        fail_usage(exc)


# --- log commands ---


@main.group()
def logs() -> None:
    """System-log evidence: read events (show) or sweep every evidence category (sweep)."""


@logs.command("show")
@click.option("--start", help="Window start (ISO 8601, local time, epoch, '30m ago'). Default: 1 hour before end.")
@click.option("--end", help="Window end. Default: now.")
@click.option("--process", "-P", multiple=True, help="Process name or pid (repeatable).")
@click.option("--contains", "-g", help="Only messages containing this text (case-insensitive).")
@click.option("--unit", "-u", multiple=True, help="systemd unit (journald).")
@click.option("--priority", "-p", help="Most verbose level kept: 0-7 or err, warning, …")
@click.option("--kernel", "-k", "kernel_only", is_flag=True, help="Only kernel messages.")
@click.option("--source", type=click.Choice(["auto", "macos", "journald", "file"]), default="auto", show_default=True)
@click.option("--predicate", help="macOS: a raw NSPredicate, ANDed with the other filters.")
@click.option("--zone", help="IANA zone for times written without an offset.")
@click.option("--limit", "-n", default=200, show_default=True, help="Events per page.")
@click.option("--cursor", help="next_cursor of the previous page.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.argument("paths", nargs=-1, type=click.Path())
def logs_show(paths: tuple[str, ...], as_json: bool, **opts: Any) -> None:
    """Events from this machine's log, or from log files, journals and .logarchives (PATHS)."""
    from .analysis.evidence import log_show

    opts["process"] = list(opts["process"]) or None
    opts["unit"] = list(opts["unit"]) or None
    result = redact_model(run_or_usage(log_show, opts.pop("start"), opts.pop("end"), paths=list(paths) or None, **opts))
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"{result.start} … {result.end}")
    for col in ("time (UTC)", "host", "process", "level", "message", "evidence id"):
        table.add_column(col, overflow="fold")
    for e in result.events:
        t = e.time.strftime("%Y-%m-%d %H:%M:%S.%f") if e.time else (e.time_text or "")
        who = f"{e.process or ''}[{e.pid}]" if e.pid is not None else (e.process or "")
        table.add_row(escape(t), escape(e.host or ""), escape(who), escape(e.level or ""), escape(e.message[:300]),
                      e.evidence_id)
    console.print(table)
    _print_consulted(result.consulted, result.warnings_total)
    if result.hint:
        console.print(f"[dim]{result.hint}[/dim]")


@logs.command("sweep")
@click.option("--start", help="Window start. Default: 1 hour before end.")
@click.option("--end", help="Window end. Default: now.")
@click.option("--target", "-t", "targets", multiple=True, help="The failing process, unit or pid (repeatable).")
@click.option("--app-log", "app_log_paths", multiple=True, type=click.Path(), help="Application log file or folder (repeatable).")
@click.option("--source", type=click.Choice(["auto", "macos", "journald", "file"]), default="auto", show_default=True)
@click.option("--zone", help="IANA zone for times written without an offset.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.argument("paths", nargs=-1, type=click.Path())
def logs_sweep(paths: tuple[str, ...], targets: tuple[str, ...], app_log_paths: tuple[str, ...], as_json: bool, **opts: Any) -> None:
    """Every evidence category for one window: found, not found, or unavailable and why."""
    from .analysis.evidence import collect_evidence

    result = redact_model(run_or_usage(collect_evidence, opts.pop("start"), opts.pop("end"), list(targets) or None,
                                       paths=list(paths) or None, app_log_paths=list(app_log_paths) or None, **opts))
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"Evidence {result.start} … {result.end} ({result.platform})")
    for col in ("category", "status", "count", "top evidence / reason"):
        table.add_column(col, overflow="fold")
    colour = {"found": "green", "not_found": "white", "unavailable": "yellow"}
    for c in result.categories:
        detail = escape("\n".join(f"{e.evidence_id} {e.message[:120]}" for e in c.top) or (c.reason or ""))
        table.add_row(c.category, f"[{colour[c.status]}]{c.status}[/{colour[c.status]}]", str(c.count), detail)
    console.print(table)
    _print_consulted(result.consulted, result.warnings_total)
    if any(c.status == "unavailable" for c in result.categories):
        sys.exit(1)


def _print_consulted(runs: Any, warnings_total: int) -> None:
    for r in runs:
        what = " ".join(r.argv) if r.argv else (r.path or r.source)
        note = f" — {r.reason}" if r.reason else ""
        console.print(f"[dim]{r.source}: {r.status}, {r.events} events: {what}{note}[/dim]")
    if warnings_total:
        console.print(f"[dim]{warnings_total} warning(s); use --json to see them[/dim]")

# --- end log commands ---
# --- crash commands ---


@main.command()
@click.option("--process", help="Only reports whose process name contains this.")
@click.option("--pid", type=int, help="Only reports of this process id.")
@click.option("--start", help="Earliest crash time (ISO 8601, epoch, '2h', '30m ago').")
@click.option("--end", help="Latest crash time.")
@click.option("--path", "paths", multiple=True, help="Extra file or folder to read (repeatable).")
@click.option("--body", "include_body", is_flag=True, help="Include each report's raw text (bounded).")
@click.option("--limit", type=int, default=50, show_default=True, help="Reports per page.")
@click.option("--cursor", help="next_cursor of a previous call.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def crashes(process, pid, start, end, paths, include_body, limit, cursor, as_json) -> None:  # type: ignore[no-untyped-def]
    """Find crash reports (macOS DiagnosticReports, apport, systemd-coredump, core files), newest first."""
    from .sources import crash_reports

    result = run_or_usage(crash_reports.find_crash_reports, process=process, pid=pid, start=start, end=end,
                          paths=list(paths) or None, include_body=include_body, limit=limit, cursor=cursor)
    result = redact_model(result)
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"Crash reports ({len(result.reports)} of {result.total})")
    for col in ("time (UTC)", "kind", "process", "signal / exception", "top frame", "evidence id"):
        table.add_column(col, overflow="fold")
    for r in result.reports:
        why = r.exception_type or r.signal or ""
        if r.termination_namespace:
            why += f" [{r.termination_namespace}{': ' + r.termination_reason if r.termination_reason else ''}]"
        top = r.frames[0].text() if r.frames else (r.stacktrace_top[0] if r.stacktrace_top else (r.panic_string or ""))
        who = f"{r.process or '?'}" + (f" [{r.pid}]" if r.pid is not None else "")
        table.add_row(r.time.strftime("%Y-%m-%d %H:%M:%S") if r.time else "?", r.kind, escape(who), escape(why),
                      escape(top), r.evidence_id)
    console.print(table)
    for run in result.consulted:
        if run.status != "ok":
            err_console.print(f"[yellow]{run.source}[/yellow] {run.path or ' '.join(run.argv or [])}: {run.status} ({run.reason})")
    for w in result.warnings:
        err_console.print(f"[yellow]warning[/yellow] {w.path or ''}: {w.message}")
    if result.hint:
        console.print(result.hint.replace("find_crash_reports", "rca crashes").replace("cursor=", "--cursor "))



# --- report commands --- (status, report, patterns, scan, timeline, demo: mcp_server/cli_report.py)
from . import cli_report  # noqa: E402 - registered after the group exists

cli_report.register(main)


# --- session commands ---
from .sources import claude_transcripts  # noqa: E402
from .timeutil import to_utc_iso  # noqa: E402


@main.command()
@click.option("--project", "project_dir", help="Project working directory (default: the current one).")
@click.option("--all", "all_projects", is_flag=True, help="Every project under the Claude projects folder.")
@click.option("--start", help="Window start (ISO 8601, epoch, '2h ago').")
@click.option("--end", help="Window end.")
@click.option("--path", "paths", multiple=True, help="Transcript file or folder to read instead (repeatable).")
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def sessions(project_dir: str | None, all_projects: bool, start: str | None, end: str | None, paths: tuple[str, ...],
             limit: int, as_json: bool) -> None:
    """List Claude Code sessions active in a window (newest first)."""
    result = run_or_usage(claude_transcripts.list_sessions, project_dir, all_projects, start, end, limit, None, list(paths) or None)
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"Claude Code sessions ({result.total})")
    for col in ("session", "first", "last", "version", "branch", "cwd", "tools", "subagents"):
        table.add_column(col, overflow="fold")
    for s in result.sessions:
        table.add_row(s.session, str(s.first_time or "")[:19], str(s.last_time or "")[:19], s.version or "", s.git_branch or "",
                      s.cwd or "", str(s.tool_calls + s.subagent_tool_calls),
                      ", ".join(f"{a.agent_id} ({a.agent_type})" for a in s.subagents))
    console.print(table)
    for w in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {w.message}")


@main.command()
@click.argument("session", required=False)
@click.option("--project", "project_dir", help="Project working directory (default: the current one).")
@click.option("--all", "all_projects", is_flag=True, help="Every project under the Claude projects folder.")
@click.option("--start", help="Window start (ISO 8601, epoch, '2h ago').")
@click.option("--end", help="Window end.")
@click.option("--before", help="Show the last --n calls issued at or before this time, across all sessions.")
@click.option("-n", "n", default=10, show_default=True, help="With --before: how many calls.")
@click.option("--tool", "tools", multiple=True, help="Tool to keep (repeatable; default Bash and Agent); 'all' for every tool.")
@click.option("--path", "paths", multiple=True, help="Transcript file or folder to read instead (repeatable).")
@click.option("--limit", default=200, show_default=True)
@click.option("--cursor", help="next_cursor of the previous page.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def commands(session: str | None, project_dir: str | None, all_projects: bool, start: str | None, end: str | None,
             before: str | None, n: int, tools: tuple[str, ...], paths: tuple[str, ...], limit: int, cursor: str | None,
             as_json: bool) -> None:
    """Tool calls agents made in Claude Code sessions, with their outcomes."""
    tool_arg: Any = list(tools) if tools else (("all" if before else claude_transcripts.DEFAULT_TOOLS))
    if before:
        result: Any = run_or_usage(claude_transcripts.last_commands_before, before, n, project_dir,
                                   project_dir is None, tool_arg, session, list(paths) or None)
        calls = result.commands
        title = f"Last {len(calls)} tool calls at or before {result.before}"
    else:
        result = run_or_usage(claude_transcripts.extract_session_commands, session, project_dir, all_projects, start, end,
                              tool_arg, True, limit, cursor, list(paths) or None)
        calls = result.commands
        title = f"Tool calls ({len(calls)} of {result.total})"
    if as_json:
        emit_json(result)
        return
    table = Table(title=title)
    for col in ("time", "agent", "tool", "command", "outcome", "exit", "where"):
        table.add_column(col, overflow="fold")
    for c in redact_model(result).commands:
        agent = c.agent if c.agent == "main" else f"{c.agent} ({c.agent_type or '?'})"
        style = "" if c.outcome == "ok" else "[red]"
        table.add_row((to_utc_iso(c.time) or "")[:23], agent, c.tool, (c.command or "")[:200], f"{style}{c.outcome}",
                      "" if c.exit_code is None else str(c.exit_code), f"{c.path.rsplit('/', 1)[-1][:12]}…:{c.line}")
    console.print(table)
    if before and result.still_running:
        console.print(f"[yellow]{len(result.still_running)} call(s) still running at that time:[/yellow] "
                      + "; ".join(f"{c.tool}: {(c.command or '')[:80]}" for c in result.still_running))
    for note in result.notes:
        console.print(f"[yellow]{note.kind}[/yellow] {str(note.time or '')[:19]} {note.message[:200]}")
    if getattr(result, "hint", None):
        console.print(result.hint)
    for w in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {w.message}")


@main.command()
@click.option("--start", help="Window start (ISO 8601, epoch, '2h ago').")
@click.option("--end", help="Window end.")
@click.option("--path", "paths", multiple=True, help="History file or folder (repeatable; default: the usual locations).")
@click.option("--limit", default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def history(start: str | None, end: str | None, paths: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Commands from zsh, bash and fish histories in a window."""
    from .sources import shell_history as history_source

    result = run_or_usage(history_source.shell_history, start, end, list(paths) or None, limit)
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"Shell history ({len(result.commands)} of {result.total})")
    for col in ("time", "shell", "command", "where"):
        table.add_column(col, overflow="fold")
    for c in redact_model(result).commands:
        table.add_row(to_utc_iso(c.time) or "(no time)", c.shell_type, c.command[:200], f"{c.path}:{c.line}")
    console.print(table)
    for f in result.files:
        if f.note or f.reason:
            console.print(f"[yellow]{f.path}[/yellow]: {f.reason or f.note}")


@main.command(name="git")
@click.argument("repo", default=".")
@click.option("--start", help="Window start (ISO 8601, epoch, '2h ago').")
@click.option("--end", help="Window end.")
@click.option("--limit", default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def git_cmd(repo: str, start: str | None, end: str | None, limit: int, as_json: bool) -> None:
    """Commits and reflog entries of a repository in a window; risky ones flagged."""
    from .sources import git_activity as git_source

    result = run_or_usage(git_source.git_activity, repo, start, end, limit)
    if as_json:
        emit_json(result)
        return
    if result.status == "unavailable":
        err_console.print(f"[yellow]git activity unavailable:[/yellow] {result.reason}")
        sys.exit(1)
    table = Table(title=f"Git activity in {result.repo} ({result.flagged} flagged)")
    for col in ("time", "kind", "action", "ref", "commit", "message"):
        table.add_column(col, overflow="fold")
    for e in redact_model(result).entries:
        flag = "[red]" if e.flagged else ""
        table.add_row(to_utc_iso(e.time) or "", e.kind, f"{flag}{e.action}", e.ref or "", e.commit[:10], e.message[:120])
    console.print(table)




__all__ = ["main"]


@main.command()
@click.argument("commands", nargs=-1, required=True)
@click.option("--target", "targets", multiple=True, help="What died or was damaged (process, service, path, port); repeatable.")
@click.option("--cwd", default=None, help="Working directory the commands ran in.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def flag(commands: tuple, targets: tuple, cwd: Any, as_json: bool) -> None:
    """Classify shell commands that can kill processes, destroy data or erase evidence.

    Exit code 1 when any command is high or critical risk.
    """
    from .analysis import danger_models  # noqa: PLC0415 - keep `rca --help` fast

    try:
        result = redact_model(danger_models.flag_dangerous(commands=list(commands), targets=list(targets), cwd=cwd, limit=1000))
    except InputError as exc:
        fail_usage(exc)
        return
    if as_json:
        emit_json(result)
    else:
        table = Table(title="Dangerous-command assessment")
        table.add_column("risk")
        table.add_column("command", overflow="fold")
        table.add_column("categories")
        table.add_column("why", overflow="fold")
        colors = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "none": "green"}
        for a in result.assessments:
            why = "; ".join(f.reason for f in a.findings[:3])
            if a.unparsed:
                why = (why + "; " if why else "") + f"unparsed: {a.unparsed_reason}"
            if a.mentions and not a.findings:
                why = "only mentions: " + "; ".join(m.reason for m in a.mentions[:2])
            table.add_row(f"[{colors[a.risk]}]{a.risk}[/{colors[a.risk]}]", a.command, ", ".join(a.categories), why)
        console.print(table)
    if any(a.risk in ("high", "critical") for a in result.assessments):
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
