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
        detail = s.detail + (f" [dim]({s.program})[/dim]" if s.program else "")
        table.add_row(s.name, s.kind, status, detail)
    console.print(table)
    console.print(f"{result.available} available, {result.unavailable} unavailable.")


def run_or_usage(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a library function; an `InputError` becomes a usage error with exit status 2."""
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        fail_usage(exc)


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


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["main"]
