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


# --- report commands --- (status, report, patterns, scan, timeline, demo: mcp_server/cli_report.py)
from . import cli_report  # noqa: E402 - registered after the group exists

cli_report.register(main)


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["main"]
