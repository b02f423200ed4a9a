"""Investigation records on disk: one JSON file per investigation, per project, outside the project.

Where and how (folders, the lock, atomic writes, the gate file) is `gatefile`, shared with the
hooks. Every save rewrites the gate file too, so the hooks always see the current phase and
whether edits are allowed. Several sessions can share a project: writers take the project lock,
and `save` merges the append-only parts (ledger, evidence, overrides) that another writer added
since this copy was loaded, so a hook's override is never lost to a concurrent save.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timezone
from typing import Iterator, Optional

from pydantic import ValidationError

from ..errors import InputError
from . import gatefile, gates
from .state import Investigation

log = logging.getLogger("rca.workflow")


class StateError(InputError):
    """Investigation state that cannot be read (corrupt or unreadable); the message says where."""


def now() -> datetime:
    return datetime.now(timezone.utc)


def _parse(path: str, raw: dict) -> Investigation:
    try:
        return Investigation.model_validate(raw)
    except ValidationError as exc:
        raise StateError(f"investigation file {path} is not valid: {exc.errors()[0].get('msg')}") from exc


def load(project_dir: str, inv_id: str) -> Investigation:
    """The investigation `inv_id` of this project; InputError when there is none."""
    project = gatefile.resolve(project_dir)
    try:
        path = gatefile.investigation_path(project, inv_id)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    try:
        raw = gatefile.read_json(path)
    except (OSError, ValueError) as exc:
        raise StateError(f"cannot read {path}: {exc}") from exc
    if raw is None:
        known = ", ".join(gatefile.list_ids(project)) or "none"
        raise InputError(f"no investigation {inv_id} in this project (known: {known})")
    return _parse(path, raw)


def list_investigations(project_dir: str) -> list[Investigation]:
    """Every readable investigation of this project, oldest first; unreadable files are logged."""
    project = gatefile.resolve(project_dir)
    out = []
    for inv_id in gatefile.list_ids(project):
        try:
            out.append(load(project, inv_id))
        except InputError as exc:
            log.warning("skipping %s: %s", inv_id, exc)
    return out


def load_active(project_dir: str) -> Optional[Investigation]:
    """The open investigation of this project, or None. The gate file names it; when the gate is
    missing or corrupt, the newest open record is used."""
    project = gatefile.resolve(project_dir)
    try:
        gate = gatefile.read_gate(project)
    except (OSError, ValueError):
        gate = None
    if gate is not None and gate.get("open") and isinstance(gate.get("id"), str):
        try:
            inv = load(project, gate["id"])
            if inv.status == "open":
                return inv
        except InputError:
            pass
    for inv in reversed(list_investigations(project)):
        if inv.status == "open":
            return inv
    return None


def _merge_appends(inv: Investigation, on_disk: dict) -> None:
    """Add to `inv` the ledger entries, evidence refs and overrides another writer saved since
    `inv` was loaded (they are append-only)."""
    try:
        disk = Investigation.model_validate(on_disk)
    except ValidationError:
        return
    seqs = {e.seq for e in inv.ledger}
    extra = [e for e in disk.ledger if e.seq not in seqs]
    if extra:
        top = max(seqs, default=0)
        for e in extra:
            if e.seq <= top:  # both sides appended with the same number: renumber theirs
                top += 1
                e.seq = top
            inv.ledger.append(e)
        inv.ledger.sort(key=lambda e: e.seq)
    for eid, ref in disk.evidence.items():
        inv.evidence.setdefault(eid, ref)
    mine = {(o.time, o.text) for o in inv.overrides}
    inv.overrides.extend(o for o in disk.overrides if (o.time, o.text) not in mine)


def _write(inv: Investigation) -> None:
    """Write `inv` and the gate; the project lock must be held."""
    project = inv.project_dir
    path = gatefile.investigation_path(project, inv.id)
    try:
        on_disk = gatefile.read_json(path)
    except (OSError, ValueError):
        on_disk = None
    if on_disk is not None:
        _merge_appends(inv, on_disk)
    inv.updated = now()
    gatefile.atomic_write(path, inv.model_dump_json(indent=1).encode("utf-8"))
    write_gate(inv)


def write_gate(inv: Investigation) -> None:
    """Rewrite the project's gate from `inv` — unless another investigation is the open one."""
    project = inv.project_dir
    if inv.status != "open":
        try:
            current = gatefile.read_gate(project)
        except (OSError, ValueError):
            current = None
        if current and current.get("open") and current.get("id") not in (None, inv.id):
            return  # closing an old one must not lift the gate of the open one
        gatefile.write_gate(project, gatefile.closed_gate(project))
        return
    fields = gates.gate_fields(inv)
    gatefile.write_gate(project, gatefile.make_gate(project, **fields))


def save(inv: Investigation) -> None:
    """Write the investigation (atomically, under the project lock) and refresh the gate file."""
    inv.project_dir = gatefile.resolve(inv.project_dir)
    with gatefile.ProjectLock(inv.project_dir):
        _write(inv)


@contextlib.contextmanager
def transaction(project_dir: str, inv_id: Optional[str] = None) -> Iterator[Investigation]:
    """Load (the active, or `inv_id`), let the caller change it, save — all under the project lock,
    so read-modify-write cycles of several sessions never interleave."""
    project = gatefile.resolve(project_dir)
    with gatefile.ProjectLock(project):
        inv = load(project, inv_id) if inv_id else load_active(project)
        if inv is None:
            raise InputError("no open investigation in this project: start one with rca_start (or /rca <what happened>)")
        yield inv
        _write(inv)


def create(project_dir: str, **fields: object) -> Investigation:
    """Start a new investigation with the next free id; refuses while another one is open."""
    project = gatefile.resolve(project_dir)
    with gatefile.ProjectLock(project):
        active = load_active(project)
        if active is not None:
            raise InputError(
                f"{active.id} ({active.mode}, phase {active.phase}) is still open in this project: "
                f"continue it (rca_status), or close it with rca_close(reason) first"
            )
        t = now()
        mode = str(fields.get("mode", "strategic"))
        first = gates.phases_for(mode)[0]
        inv = Investigation.model_validate({
            **fields, "id": gatefile.next_id(project), "project_dir": project, "phase": first,
            "phases": [{"phase": first, "started": t}], "created": t, "updated": t,
        })
        _write(inv)
        return inv
