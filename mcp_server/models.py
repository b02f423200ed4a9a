"""The one shape everything speaks: events, evidence ids, warnings and what was consulted.

Every source module yields `Event`s (and `ParseWarning`s for records it could not read); analysis,
workflow and the faces only ever see these types. An `Event` is flat: attribute values are
scalars or lists of scalars, never blobs, so events can be merged, cited and serialised alike.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

Scalar = Union[str, int, float, bool, None]
ExtraValue = Union[Scalar, list[Scalar]]

#: Prefix of every evidence id; reports and the ledger cite events by these ids.
EVIDENCE_PREFIX = "ev-"

#: Upper bound on the message text kept in an event; longer messages are cut and marked.
MAX_MESSAGE_CHARS = 8192


def make_evidence_id(*parts: object) -> str:
    """A stable id for one piece of evidence.

    The same parts give the same id in every call and every process (no salt, no clock), so an
    id quoted in a report still resolves when the evidence is read again. Sources pass what
    identifies the record: its data type, time, host, process, pid, message, and where useful a
    discriminator such as a journald cursor or a file path and line.
    """
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        if isinstance(part, datetime):
            part = part.isoformat()
        h.update(str(part if part is not None else "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return EVIDENCE_PREFIX + h.hexdigest()


def clip(text: Optional[str], limit: int = MAX_MESSAGE_CHARS) -> Optional[str]:
    """Cut text to `limit` characters, saying how much was cut."""
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + f"… [{len(text) - limit} more characters cut]"


class Event(BaseModel):
    """One thing that happened, as some piece of evidence recorded it."""

    model_config = ConfigDict(extra="forbid")

    evidence_id: str = Field(description="Stable id of this event; cite it in findings and reports.")
    data_type: str = Field(description="Colon-named kind of record, e.g. 'journald:entry', 'bash:history:entry'.")
    source: str = Field(description="Name of the source module that read it, e.g. 'journald', 'macos_log'.")
    time: Optional[datetime] = Field(None, description="When it happened, in UTC; None when the evidence has no usable time.")
    time_text: Optional[str] = Field(None, description="The timestamp exactly as the evidence wrote it.")
    time_zone: Optional[str] = Field(
        None, description="Zone or offset the evidence used ('+02:00', 'UTC', 'Europe/Paris'); None if it gave none."
    )
    time_meaning: str = Field("logged", description="What the time marks: logged, crashed, started, modified, …")
    host: Optional[str] = None
    process: Optional[str] = None
    pid: Optional[int] = None
    subsystem: Optional[str] = None
    category: Optional[str] = None
    level: Optional[str] = None
    message: str = ""
    extra: dict[str, ExtraValue] = Field(default_factory=dict)
    origin: Optional[str] = Field(None, description="Where it was read: 'path:line', or the command that printed it.")

    @field_validator("time")
    @classmethod
    def _utc(cls, v: Optional[datetime]) -> Optional[datetime]:
        if v is None:
            return v
        if v.tzinfo is None:
            raise ValueError("event times must carry a zone; convert to UTC in the source")
        return v.astimezone(timezone.utc)

    @field_validator("message")
    @classmethod
    def _bounded(cls, v: str) -> str:
        return clip(v) or ""


class ParseWarning(BaseModel):
    """A record that could not be read, or a problem reading a file: reported, never fatal."""

    source: str
    message: str
    path: Optional[str] = None
    line: Optional[int] = Field(None, description="1-based line number, when the problem sits on one line.")
    sample: Optional[str] = Field(None, description="The start of the offending text, bounded.")


SourceStatus = Literal["ok", "partial", "unavailable", "error"]


class SourceRun(BaseModel):
    """What one source consulted, so a human can reproduce it and see what was missing."""

    source: str
    status: SourceStatus = "ok"
    argv: Optional[list[str]] = Field(None, description="The exact command that ran, when a program was run.")
    path: Optional[str] = Field(None, description="The file or folder read, when one was read.")
    events: int = 0
    truncated: bool = Field(False, description="True when a limit stopped reading before the end.")
    reason: Optional[str] = Field(None, description="Why the source was unavailable or failed.")
    warnings: int = 0


CategoryStatus = Literal["found", "not_found", "unavailable"]
