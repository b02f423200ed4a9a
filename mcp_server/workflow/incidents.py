"""The incident store: closed investigations in an embedded SQLite database, and recurring root causes.

One file, `incidents.sqlite3` in the plugin's data folder (`paths.plugin_data_dir()`, private
modes), through the stdlib `sqlite3` module: nothing to install or run. Each closed
investigation is one row: project, id, incident, root-cause class, targets, root-cause text,
recommendations, verdict, and two fingerprints:

- `fingerprint`: a hash of class + sorted targets + the normalised root-cause text (lowercase,
  numbers, hex ids, paths, times and pids replaced by placeholders, stop words dropped), so the
  same cause described with different pids or times gets the same fingerprint;
- `tokens`: the normalised words, for a similarity measure (Jaccard) between root causes.

`patterns()` groups incidents whose class matches and whose targets overlap or whose root-cause
texts are similar (Jaccard ≥ 0.5) and returns groups seen at least twice, most frequent first,
with the systemic recommendation of the class. `related(inv)` lists earlier incidents like this
one, for `rca_start` to mention.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Union

from pydantic import BaseModel, Field

from .. import paths
from ..analysis.root_cause import CLASSES
from .state import Investigation

if TYPE_CHECKING:
    import sqlite3

DB_NAME = "incidents.sqlite3"
ENV_DB = "RCA_INCIDENTS_DB"
SCHEMA_VERSION = 1
SIMILAR = 0.5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    project_dir      TEXT NOT NULL,
    id               TEXT NOT NULL,
    incident         TEXT NOT NULL,
    root_cause_class TEXT,
    targets          TEXT NOT NULL,   -- JSON list, lowercased
    root_cause       TEXT NOT NULL,
    recommendations  TEXT NOT NULL,   -- JSON list
    verdict          TEXT,
    fingerprint      TEXT NOT NULL,
    tokens           TEXT NOT NULL,   -- JSON list of normalised words
    closed           TEXT NOT NULL,   -- ISO 8601 UTC
    report_path      TEXT,
    PRIMARY KEY (project_dir, id)
);
CREATE INDEX IF NOT EXISTS incidents_class ON incidents (root_cause_class);
CREATE INDEX IF NOT EXISTS incidents_fingerprint ON incidents (fingerprint);
"""

_STOP = frozenset(
    "a an the of to in on at by for from with and or but was were is are be been it its this that as into "
    "after before when while during because due than then so which who what not no".split()
)
_PLACEHOLDERS = (
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?\b", re.I), " <time> "),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), " <time> "),
    (re.compile(r"\bev-[0-9a-f]{16}\b"), " "),
    (re.compile(r"(?<![\w/])(/[\w.@+-]+)+/?"), " <path> "),
    (re.compile(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{8,}\b", re.I), " <hex> "),
    (re.compile(r"\b\d+\b"), " <n> "),
)


class IncidentRecord(BaseModel):
    project_dir: str
    id: str
    incident: str
    root_cause_class: Optional[str] = None
    targets: list[str] = Field(default_factory=list)
    root_cause: str = ""
    recommendations: list[str] = Field(default_factory=list)
    verdict: Optional[str] = None
    fingerprint: str
    closed: datetime
    report_path: Optional[str] = None


class RelatedIncident(BaseModel):
    incident: IncidentRecord
    score: float = Field(description="0..1: same fingerprint 1; else class, shared targets and text similarity.")
    why: str


class Pattern(BaseModel):
    root_cause_class: Optional[str]
    title: str
    targets: list[str]
    count: int
    first: datetime
    last: datetime
    incidents: list[str] = Field(description="project:id of each incident in the pattern, oldest first.")
    root_causes: list[str] = Field(description="Distinct root-cause texts, as recorded.")
    systemic_recommendation: str


class Patterns(BaseModel):
    database: str
    incidents: int
    patterns: list[Pattern]


def normalise(text: str) -> list[str]:
    """The words of a root-cause text with volatile details (times, pids, paths, hex ids) replaced."""
    s = text.lower()
    for pattern, repl in _PLACEHOLDERS:
        s = pattern.sub(repl, s)
    words = re.findall(r"<\w+>|[a-z][a-z0-9_+-]*", s)
    return [w for w in words if w not in _STOP and len(w) > 1]


def fingerprint(cls: Optional[str], targets: Iterable[str], root_cause: str) -> str:
    body = json.dumps([cls or "", sorted({t.lower() for t in targets}), sorted(set(normalise(root_cause)))])
    return hashlib.blake2b(body.encode("utf-8"), digest_size=10).hexdigest()


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def default_db_path() -> Path:
    env = os.environ.get(ENV_DB)
    return Path(env).expanduser() if env else paths.plugin_data_dir() / DB_NAME


class IncidentStore:
    """The SQLite store; `IncidentStore()` opens the default database, creating it on first write."""

    def __init__(self, path: Union[str, os.PathLike, None] = None):
        self.path = Path(path) if path else default_db_path()

    def _connect(self, create: bool) -> Optional[sqlite3.Connection]:
        if not self.path.exists():
            if not create:
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        import sqlite3  # imported on first use: it is ~15 ms of the MCP server's cold start

        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        if create:
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return conn

    # ----------------------------------------------------------------------------- writing

    def record_closed(self, inv: Investigation) -> IncidentRecord:
        """Store (or refresh) a closed investigation. Open investigations are refused."""
        if inv.status != "closed":
            raise ValueError(f"{inv.id} is still open; only closed investigations go into the incident store")
        roots = [f.text.strip() for f in inv.findings if f.kind == "root_cause"]
        recs = [f.text.strip() for f in inv.findings if f.kind in ("action_item", "prescription")]
        recs += [f"{f.text.strip()} ({f.file_line})" for f in inv.findings if f.kind == "code_path" and f.file_line]
        verdicts = [f.verdict or f.text for f in inv.findings if f.kind == "verdict"]
        root = " ".join(roots)
        targets = sorted({t.strip().lower() for t in inv.targets if t.strip()})
        rec = IncidentRecord(
            project_dir=inv.project_dir, id=inv.id, incident=inv.incident, root_cause_class=inv.root_cause_class,
            targets=targets, root_cause=root, recommendations=recs, verdict=verdicts[-1] if verdicts else None,
            fingerprint=fingerprint(inv.root_cause_class, targets, root),
            closed=(inv.closed or inv.updated).astimezone(timezone.utc), report_path=inv.report_path,
        )
        conn = self._connect(create=True)
        assert conn is not None
        with closing(conn), conn:
            conn.execute(
                "INSERT OR REPLACE INTO incidents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    rec.project_dir, rec.id, rec.incident, rec.root_cause_class, json.dumps(rec.targets), rec.root_cause,
                    json.dumps(rec.recommendations), rec.verdict, rec.fingerprint, json.dumps(normalise(root)),
                    rec.closed.isoformat(), rec.report_path,
                ),
            )
        return rec

    # ----------------------------------------------------------------------------- reading

    def _rows(self) -> list[tuple[IncidentRecord, list[str]]]:
        import sqlite3

        conn = self._connect(create=False)
        if conn is None:
            return []
        with closing(conn):
            try:
                rows = conn.execute("SELECT * FROM incidents ORDER BY closed, project_dir, id").fetchall()
            except sqlite3.OperationalError:
                return []
        out = []
        for r in rows:
            out.append(
                (
                    IncidentRecord(
                        project_dir=r["project_dir"], id=r["id"], incident=r["incident"],
                        root_cause_class=r["root_cause_class"], targets=json.loads(r["targets"]),
                        root_cause=r["root_cause"], recommendations=json.loads(r["recommendations"]),
                        verdict=r["verdict"], fingerprint=r["fingerprint"], closed=datetime.fromisoformat(r["closed"]),
                        report_path=r["report_path"],
                    ),
                    json.loads(r["tokens"]),
                )
            )
        return out

    def incidents(self) -> list[IncidentRecord]:
        return [r for r, _ in self._rows()]

    def related(self, inv: Investigation, limit: int = 5) -> list[RelatedIncident]:
        """Earlier incidents like `inv` (same fingerprint, same class and targets, or similar text)."""
        targets = {t.strip().lower() for t in inv.targets if t.strip()}
        text = " ".join([inv.incident] + [f.text for f in inv.findings if f.kind in ("root_cause", "hypothesis")])
        tokens = normalise(text)
        fp = fingerprint(inv.root_cause_class, targets, " ".join(f.text for f in inv.findings if f.kind == "root_cause"))
        scored = []
        for rec, rec_tokens in self._rows():
            if rec.project_dir == inv.project_dir and rec.id == inv.id:
                continue
            if rec.fingerprint == fp and inv.root_cause_class:
                scored.append(RelatedIncident(incident=rec, score=1.0, why="same root-cause fingerprint"))
                continue
            why = []
            score = 0.0
            shared = targets & set(rec.targets)
            if shared:
                score += 0.4
                why.append(f"same target(s): {', '.join(sorted(shared))}")
            if inv.root_cause_class and rec.root_cause_class == inv.root_cause_class:
                score += 0.3
                why.append(f"same class {rec.root_cause_class}")
            sim = max(_jaccard(tokens, rec_tokens), _jaccard(tokens, normalise(rec.incident)))
            if sim >= 0.2:
                score += 0.3 * min(1.0, sim / SIMILAR)
                why.append(f"similar description ({sim:.0%} shared words)")
            if score >= 0.3:
                scored.append(RelatedIncident(incident=rec, score=round(min(score, 0.99), 2), why="; ".join(why)))
        scored.sort(key=lambda r: (-r.score, -r.incident.closed.timestamp()))
        return scored[:limit]

    def patterns(self, min_count: int = 2) -> Patterns:
        """Recurring root causes: groups of at least `min_count` similar incidents, most frequent first."""
        rows = self._rows()
        groups: list[list[tuple[IncidentRecord, list[str]]]] = []
        for rec, toks in rows:
            for g in groups:
                head, head_toks = g[0]
                if head.root_cause_class != rec.root_cause_class:
                    continue
                if head.fingerprint == rec.fingerprint or set(head.targets) & set(rec.targets) or _jaccard(head_toks, toks) >= SIMILAR:
                    g.append((rec, toks))
                    break
            else:
                groups.append([(rec, toks)])
        out = []
        for g in groups:
            if len(g) < min_count:
                continue
            recs = [r for r, _ in g]
            cls = recs[0].root_cause_class
            c = CLASSES.get(cls or "")
            targets = sorted({t for r in recs for t in r.targets})
            causes: list[str] = []
            for r in recs:
                if r.root_cause and r.root_cause not in causes:
                    causes.append(r.root_cause)
            where = f" affecting {', '.join(targets)}" if targets else ""
            systemic = (
                f"{len(recs)} incidents of {c.title.lower() if c else 'unclassified cause'}{where}: "
                + (c.systemic if c else "classify these incidents (root_cause_class) to get a systemic recommendation.")
            )
            out.append(
                Pattern(
                    root_cause_class=cls, title=c.title if c else "unclassified", targets=targets, count=len(recs),
                    first=recs[0].closed, last=recs[-1].closed,
                    incidents=[f"{r.project_dir}:{r.id}" for r in recs], root_causes=causes[:10],
                    systemic_recommendation=systemic,
                )
            )
        out.sort(key=lambda p: (-p.count, -p.last.timestamp()))
        return Patterns(database=str(self.path), incidents=len(rows), patterns=out)


def record_closed(inv: Investigation, db: Union[str, os.PathLike, None] = None) -> IncidentRecord:
    return IncidentStore(db).record_closed(inv)


def patterns(db: Union[str, os.PathLike, None] = None, min_count: int = 2) -> Patterns:
    return IncidentStore(db).patterns(min_count=min_count)


def related(inv: Investigation, db: Union[str, os.PathLike, None] = None, limit: int = 5) -> list[RelatedIncident]:
    return IncidentStore(db).related(inv, limit=limit)


__all__ = [
    "IncidentRecord",
    "IncidentStore",
    "Pattern",
    "Patterns",
    "RelatedIncident",
    "fingerprint",
    "normalise",
    "patterns",
    "record_closed",
    "related",
]
