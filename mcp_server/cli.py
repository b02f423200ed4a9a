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
