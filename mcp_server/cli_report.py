"""The report-side commands of the `rca` CLI: status, report, patterns, scan, timeline, demo.

Registered on the `rca` group by `cli.py` (`register(main)`). Thin like the rest of the CLI:
each command parses options, calls one library function, and prints tables (rich) or, with
`--json`, the library's pydantic result, redacted. Progress of long scans goes to stderr, so
`--json` output on stdout stays clean.

Exit codes: 0 success; 1 the command ran but has a problem to report (no open investigation,
a report refused for uncited claims, no evidence source could be consulted, a part of rca this
build lacks); 2 a usage error (bad time, bad folder, unknown source).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import click
from pydantic import BaseModel, Field
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import InputError
from .redact import redact_model
from .timeutil import to_utc_iso

console = Console()
err_console = Console(stderr=True)
STATUS_COLOUR = {"ok": "green", "found": "green", "partial": "yellow", "not_found": "cyan",
                 "unavailable": "yellow", "not_probed": "dim", "error": "red"}


def _json(model: BaseModel) -> None:
    click.echo(redact_model(model).model_dump_json(indent=2))


def _usage(exc: Exception) -> None:
    err_console.print(f"[red]rca:[/red] {escape(str(exc))}", soft_wrap=True)
    sys.exit(2)


def _problem(message: str) -> None:
    err_console.print(f"[yellow]rca:[/yellow] {escape(message)}", soft_wrap=True)
    sys.exit(1)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A spinner on stderr naming the source being read; a no-op callback when disabled."""
    if not enabled:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console,
                  transient=True) as progress:
        task = progress.add_task("collecting evidence", total=None)

        def tell(lane: str, what: str) -> None:
            progress.update(task, description=f"reading {lane}: {what}")

        yield tell


def _c(status: str) -> str:
    return f"[{STATUS_COLOUR.get(status, 'white')}]{status.replace('_', ' ')}[/]"


def _sources_table(runs: list[Any], title: str = "Sources consulted") -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("source")
    t.add_column("status")
    t.add_column("events", justify="right")
    t.add_column("detail", overflow="fold")
    for r in runs:
        detail = r.reason or (" ".join(r.argv) if r.argv else (r.path or ""))
        t.add_row(escape(r.source), _c(r.status), str(r.events), escape(detail))
    return t


def _timeline_table(entries: list[Any], chain: set[str] = frozenset(), title: str = "Timeline (UTC)") -> Table:  # type: ignore[assignment]
    t = Table(title=title, title_justify="left")
    t.add_column("time (UTC)", no_wrap=True)
    t.add_column("lane", overflow="fold")
    t.add_column("evidence id", no_wrap=True)
    t.add_column("event", overflow="fold", ratio=1)
    for e in entries:
        mark = "[bold red]" if e.evidence_id in chain else ""
        end = "[/]" if mark else ""
        dup = f" [dim](also {', '.join(s.lane for s in e.also_seen)})[/dim]" if e.also_seen else ""
        t.add_row(_when(e.time), escape(e.lane), e.evidence_id, f"{mark}{escape(e.message[:300])}{end}{dup}")
    return t


def _when(t: Any) -> str:
    return t.strftime("%m-%d %H:%M:%S.%f")[:-3] if t is not None else "—"


def _skew(skews: list[Any]) -> None:
    for s in skews:
        console.print(f"[yellow]clock skew suspected[/yellow] in [b]{escape(s.lane)}[/b] ({s.offset} against "
                      f"{escape(s.reference_lane)}): {escape(s.note)}")


# ----------------------------------------------------------------------------------- status


class StatusResult(BaseModel):
    project_dir: str
    investigation: Optional[dict] = None
    report_blockers: list[Any] = Field(default_factory=list, description="What keeps the report from being written.")
    related: list[Any] = Field(default_factory=list, description="Earlier incidents like this one.")


def _storage() -> Any:
    try:
        from .workflow import storage
    except ImportError as exc:
        _problem(f"the investigation store (mcp_server.workflow.storage) is not part of this build: {exc}")
    return storage


@click.command()
@click.option("--project-dir", type=click.Path(file_okay=False), help="Project folder (default: the current folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def status(project_dir: Optional[str], as_json: bool) -> None:
    """Show the open investigation of this project: phase, findings, evidence, what the report still needs.

    Exit status 0 when an investigation is open, 1 when none is.
    """
    from .workflow import incidents, report

    project = str(Path(project_dir or report.project_dir_default()).resolve())
    inv = _storage().load_active(project)
    blockers = report.validate(inv) if inv else []
    related = incidents.related(inv) if inv else []
    result = StatusResult(project_dir=project, investigation=inv.model_dump(mode="json") if inv else None,
                          report_blockers=[b.model_dump() for b in blockers],
                          related=[r.model_dump(mode="json") for r in related])
    if as_json:
        _json(result)
    elif inv is None:
        console.print(f"No open investigation for {escape(project)}.")
    else:
        console.print(f"[b]{inv.id}[/b] ({inv.mode}) — {escape(inv.incident)}")
        console.print(f"phase [b]{inv.phase}[/b]; window {to_utc_iso(inv.window_start)} → {to_utc_iso(inv.window_end)}; "
                      f"targets {escape(', '.join(inv.targets) or '—')}")
        console.print(f"{len(inv.ledger)} forensic calls in the ledger, {len(inv.evidence)} evidence ids, "
                      f"{len(inv.findings)} findings")
        kinds: dict[str, int] = {}
        for f in inv.findings:
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
        if kinds:
            console.print("findings: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        for b in blockers:
            console.print(f"[yellow]report blocked:[/yellow] {b.finding_id} ({b.kind}) {escape(b.detail)}")
        for r in related:
            console.print(f"[cyan]related:[/cyan] {escape(r.incident.project_dir)}:{r.incident.id} "
                          f"{escape(r.incident.incident)} — {escape(r.why)}")
    if inv is None:
        sys.exit(1)


# ----------------------------------------------------------------------------------- report


@click.command("report")
@click.option("--id", "inv_id", help="Investigation id (RCA-NNN); default: the open one.")
@click.option("--project-dir", type=click.Path(file_okay=False), help="Project folder (default: the current folder).")
@click.option("--report-dir", help="Report folder (default: $RCA_REPORT_DIR, .claude/rca.json report_dir, or docs/rca).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def report_cmd(inv_id: Optional[str], project_dir: Optional[str], report_dir: Optional[str], as_json: bool) -> None:
    """Write the RCA report (Markdown + JSON) of the open investigation into the report folder.

    Refused, with every offending finding listed (exit status 1), when a claim in the timeline or
    the root cause cites no evidence or cites evidence the ledger does not hold.
    """
    from .workflow import report

    _storage()
    try:
        out = report.report_for_project(project_dir, report_dir, inv_id)
    except report.UncitedClaims as exc:
        if as_json:
            click.echo(report.Offenders(offenders=exc.offenders).model_dump_json(indent=2))
        else:
            t = Table(title="Report refused: claims not grounded in the evidence ledger", title_justify="left")
            t.add_column("finding")
            t.add_column("kind")
            t.add_column("problem")
            t.add_column("detail", overflow="fold")
            for o in exc.offenders:
                t.add_row(o.finding_id, o.kind, o.problem, escape(o.detail))
            err_console.print(t)
        sys.exit(1)
    except InputError as exc:
        _problem(str(exc))
        return
    if as_json:
        _json(out)
        return
    console.print(f"[green]{out.id}[/green] {out.verdict}: {escape(out.markdown_path)}")
    console.print(f"JSON twin: {escape(out.json_path)} ({out.cited_evidence} evidence ids cited)")


# --------------------------------------------------------------------------------- patterns


@click.command()
@click.option("--db", type=click.Path(dir_okay=False), help="Incident store (default: the plugin data folder).")
@click.option("--min-count", default=2, show_default=True, type=click.IntRange(1), help="Smallest group shown.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def patterns(db: Optional[str], min_count: int, as_json: bool) -> None:
    """Recurring root causes across closed investigations, with a systemic recommendation each."""
    from .workflow import incidents

    result = incidents.patterns(db, min_count=min_count)
    if as_json:
        _json(result)
        return
    if not result.patterns:
        console.print(f"No recurring root causes among {result.incidents} closed incident(s) in {escape(result.database)}.")
        return
    t = Table(title=f"Recurring root causes ({result.incidents} closed incidents)", title_justify="left")
    t.add_column("count", justify="right")
    t.add_column("class")
    t.add_column("targets")
    t.add_column("first → last")
    t.add_column("systemic recommendation", overflow="fold")
    for p in result.patterns:
        t.add_row(str(p.count), p.title, escape(", ".join(p.targets) or "—"),
                  f"{p.first:%Y-%m-%d} → {p.last:%Y-%m-%d}", escape(p.systemic_recommendation))
    console.print(t)


# ------------------------------------------------------------------------------ timeline/scan

_since = click.option("--since", help="Window start: ISO time, '30m ago', epoch. Default: 1 hour ago; with --path, "
                      "everything in the files (the last ten years).")
_until = click.option("--until", help="Window end. Default: now.")

#: With --path and no window, read everything the files hold (as far back as a window may go).
FILES_SINCE = "3650d ago"


def _window(since: Optional[str], until: Optional[str], paths: tuple[str, ...]) -> tuple[str, str]:
    return since or (FILES_SINCE if paths else "1h ago"), until or "now"
_zone = click.option("--zone", help="Zone for times without an offset (default: this machine's).")
_path = click.option("--path", "paths", multiple=True, type=click.Path(), help="Read these files or folders instead of the machine's sources (repeatable).")


@click.command()
@_since
@_until
@_zone
@click.option("--source", "sources", multiple=True, help="Only these sources: logs, crash_reports, sessions, shell_history, git (repeatable).")
@_path
@click.option("--process", "process", multiple=True, help="Only events of this process (repeatable).")
@click.option("--project-dir", type=click.Path(file_okay=False), help="Project whose sessions and git history to read.")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 1000), help="Events per page.")
@click.option("--cursor", help="Next page (from the previous output).")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="Also write the HTML timeline here.")
@click.option("--export", "export", type=click.Path(dir_okay=False), help="Also write the events as an rca event export (.events.jsonl).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def timeline(since: Optional[str], until: Optional[str], zone: Optional[str], sources: tuple[str, ...],
             paths: tuple[str, ...], process: tuple[str, ...], project_dir: Optional[str], limit: int,
             cursor: Optional[str], html_out: Optional[str], export: Optional[str], as_json: bool) -> None:
    """Merge every evidence source into one timeline: lanes, duplicates folded, clock skew flagged."""
    since, until = _window(since, until, paths)
    from .analysis.collect import collect_lanes, write_event_export
    from .analysis.timeline import build_timeline, merge_timeline, page_timeline
    from .timeutil import parse_window
    from .workflow.timeline_html import render_timeline_html

    try:
        with _progress(not as_json) as tell:
            if not (html_out or export):
                tl = build_timeline(since, until, sources=list(sources) or None, paths=list(paths),
                                    project_dir=project_dir, process=list(process) or None, zone=zone, limit=limit,
                                    cursor=cursor, progress=tell)
            else:  # one collection for the page, the picture and the export
                s, e = parse_window(since, until, zone=zone)
                try:
                    collected = collect_lanes(s, e, sources=list(sources) or None, paths=list(paths),
                                              project_dir=project_dir, process=list(process) or None, progress=tell)
                except ValueError as exc:
                    raise InputError(str(exc)) from exc
                tl = merge_timeline(collected.lanes, s, e)
                tl.sources, tl.warnings = collected.runs, collected.warnings[:100]
                if export:
                    n = write_event_export((ev for evs in collected.lanes.values() for ev in evs), export)
                    err_console.print(f"wrote {n} events to {escape(export)}")
                if html_out:
                    Path(html_out).write_text(
                        render_timeline_html(tl, title=f"Timeline {to_utc_iso(s)} → {to_utc_iso(e)}"), encoding="utf-8"
                    )
                    err_console.print(f"wrote the HTML timeline to {escape(html_out)}")
                query = {"since": since, "until": until, "sources": sorted(sources), "paths": list(paths),
                         "process": list(process), "project_dir": project_dir}
                tl = page_timeline(tl, limit, cursor, query, tool="rca timeline")
    except InputError as exc:
        _usage(exc)
        return
    if as_json:
        _json(tl)
        return
    console.print(_sources_table(tl.sources))
    _skew(tl.clock_skew)
    console.print(_timeline_table(tl.entries, title=f"Timeline (UTC) {to_utc_iso(tl.start)} → {to_utc_iso(tl.end)}"))
    console.print(f"{len(tl.entries)} of {tl.total} events; {tl.duplicates_removed} duplicates folded; "
                  f"{len(tl.untimed)} without a time; {tl.outside_window} outside the window.")
    if tl.next_cursor:
        console.print(f"More: rca timeline … --cursor {tl.next_cursor}")


@click.command()
@_since
@_until
@_zone
@click.option("--process", "process", multiple=True, help="The process that died, or any process of interest (repeatable).")
@_path
@click.option("--project-dir", type=click.Path(file_okay=False), help="Project whose sessions and git history to read.")
@click.option("--limit", default=60, show_default=True, type=click.IntRange(1, 5000), help="Latest timeline events shown.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def scan(since: Optional[str], until: Optional[str], zone: Optional[str], process: tuple[str, ...],
         paths: tuple[str, ...], project_dir: Optional[str], limit: int, as_json: bool) -> None:
    """Sweep this machine's evidence for a window: the eight categories, the timeline, suggested causes.

    Says clearly what could not be consulted. Exit status 1 when no source could be consulted.
    """
    since, until = _window(since, until, paths)
    from .analysis.scan import scan as run_scan

    try:
        with _progress(not as_json) as tell:
            result = run_scan(since, until, process=list(process), paths=list(paths), project_dir=project_dir, zone=zone,
                              limit=limit, progress=tell)
    except InputError as exc:
        _usage(exc)
        return
    consulted = [r for r in result.sources if r.status in ("ok", "partial")]
    if as_json:
        _json(result)
    else:
        console.print(f"Scan {to_utc_iso(result.start)} → {to_utc_iso(result.end)}"
                      + (f", process {escape(', '.join(result.process))}" if result.process else ""))
        if result.categories:
            t = Table(title="Evidence categories", title_justify="left")
            t.add_column("category")
            t.add_column("result")
            t.add_column("events", justify="right")
            t.add_column("detail", overflow="fold")
            for c in result.categories:
                t.add_row(c.category, _c(c.status), str(c.events), escape(c.reason or ", ".join(c.evidence_ids)))
            console.print(t)
        else:
            console.print(f"[yellow]evidence categories unavailable:[/yellow] {escape(result.categories_unavailable or '')}")
        console.print(_sources_table(result.sources))
        _skew(result.timeline.clock_skew)
        if result.timeline.entries:
            console.print(_timeline_table(result.timeline.entries, title=f"Latest {len(result.timeline.entries)} of "
                                          f"{result.timeline.total} events (UTC)"))
        for s in result.suggestions[:3]:
            console.print(f"[b]suggested class[/b] {s.root_cause_class} ({s.confidence:.0%}): "
                          f"{escape('; '.join(s.reasons))} — evidence {', '.join(s.evidence_ids[:5])}")
        if result.unavailable:
            console.print("[yellow]Not consulted:[/yellow]")
            for u in result.unavailable:
                console.print(f"  - {escape(u)}")
    if not consulted:
        sys.exit(1)


# ------------------------------------------------------------------------------------- demo


@click.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Where to write the report and HTML (default: a new temporary folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def demo(folder: Optional[str], out_dir: Optional[str], as_json: bool) -> None:
    """Show the full timeline and report of an incident folder (default: the bundled tmux-killed example)."""
    import tempfile

    from .workflow.demo import run_demo

    out = out_dir or tempfile.mkdtemp(prefix="rca-demo-")
    try:
        with _progress(not as_json) as tell:
            result = run_demo(folder, out, progress=tell)
    except InputError as exc:
        _usage(exc)
        return
    if as_json:
        _json(result)
        return
    console.print(f"[b]{escape(result.incident)}[/b]  ({escape(result.folder)})")
    console.print(_sources_table(result.sources, title="Evidence files read"))
    _skew(result.clock_skew)
    entries = _timeline_entries(result.timeline_path)
    console.print(_timeline_table(entries, {e.evidence_id for e in result.chain},
                                  title=f"Timeline (UTC), {result.events} events; causal chain in red"))
    console.print(f"Verdict [b]{result.verdict}[/b]; class {result.root_cause_class or '—'}")
    if result.root_cause:
        console.print(f"Root cause: {escape(result.root_cause)}")
    for u in result.unavailable:
        console.print(f"[yellow]not read:[/yellow] {escape(u)}")
    console.print(f"Report: {escape(result.markdown_path)}\nHTML timeline: {escape(result.html_path)}")


def _timeline_entries(path: str) -> list[Any]:
    from .analysis.timeline import Timeline

    return Timeline.model_validate_json(Path(path).read_text(encoding="utf-8")).entries


COMMANDS = (status, report_cmd, patterns, scan, timeline, demo)


def register(group: click.Group) -> None:
    for cmd in COMMANDS:
        group.add_command(cmd)


__all__ = ["COMMANDS", "register"]
