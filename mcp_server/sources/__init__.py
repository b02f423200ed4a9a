"""Evidence sources: one module per evidence format, each yielding `Event`s and `ParseWarning`s.

A text-file format registers a `TextFormat` subclass here (plaso-style: a `NAME`, a cheap
`matches()` check on the first lines, a per-record parse, and `SAMPLES` of real lines for the
auto-detection test). The registry refuses duplicate names; `detect()` returns the formats whose
check accepts a file's head, most specific first (as lnav does, specific formats beat generic ones).
"""

from __future__ import annotations

import abc
from typing import ClassVar, Iterator, Optional

from ..errors import RcaError
from ..models import Event, ParseWarning


class TextFormat(abc.ABC):
    """Base class of a line-oriented evidence format read from files."""

    #: unique short name, also the `Event.source` of what it yields
    NAME: ClassVar[str] = ""
    #: one line for humans: what the format is, with a link to its definition where one exists
    DESCRIPTION: ClassVar[str] = ""
    #: higher wins when several formats accept the same head (specific > generic)
    PRIORITY: ClassVar[int] = 0
    #: real sample lines of this format; each must be detected as this format and no other
    SAMPLES: ClassVar[tuple[str, ...]] = ()
    #: records in each sample (more than one for formats whose records share lines)
    SAMPLE_RECORDS: ClassVar[int] = 1

    @abc.abstractmethod
    def matches(self, head: str) -> bool:
        """Cheap check on the first lines of a file: is this my format?"""

    @abc.abstractmethod
    def parse(self, path: str, warnings: list[ParseWarning], **options: object) -> Iterator[Event]:
        """Stream the events of one file; append a warning for every record that cannot be read."""


_REGISTRY: dict[str, type[TextFormat]] = {}


class DuplicateFormat(RcaError):
    pass


def register(cls: type[TextFormat]) -> type[TextFormat]:
    """Class decorator adding a format to the registry; a second format with the same name is refused."""
    if not cls.NAME:
        raise DuplicateFormat(f"{cls.__name__} has no NAME")
    if cls.NAME in _REGISTRY and _REGISTRY[cls.NAME] is not cls:
        raise DuplicateFormat(f"two text formats are named {cls.NAME!r}")
    _REGISTRY[cls.NAME] = cls
    return cls


def formats() -> dict[str, type[TextFormat]]:
    """All registered text formats by name."""
    return dict(_REGISTRY)


def detect(head: str) -> list[type[TextFormat]]:
    """The formats that accept this head, most specific first."""
    found = [cls for cls in _REGISTRY.values() if cls().matches(head)]
    return sorted(found, key=lambda c: (-c.PRIORITY, c.NAME))


def detect_one(head: str) -> Optional[type[TextFormat]]:
    found = detect(head)
    return found[0] if found else None
