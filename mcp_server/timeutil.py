"""Time input for every tool: absolute, naive-local and relative forms, and time windows.

Accepted: ISO 8601 with or without an offset (`2026-11-21T03:10:00Z`, `…+01:00`, `…-0500`),
dates and times with spaces (`2026-11-21 03:10`), naive local times interpreted in an explicit
zone or the machine's zone, epoch seconds, and relative forms (`30m ago`, `2h`, `1d`, `now`).
Parsing of absolute forms is python-dateutil's; only the relative forms are ours.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InputError

_RELATIVE = re.compile(
    r"^\s*(?:-\s*)?(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)\s*(?:ago)?\s*$",
    re.I,
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
#: Windows longer than this are refused as absurd (a typo, not an investigation).
MAX_WINDOW = timedelta(days=3660)
#: Earliest and latest plausible evidence times.
_EARLIEST = datetime(1980, 1, 1, tzinfo=timezone.utc)


def local_zone(name: Optional[str] = None) -> tzinfo:
    """The zone naive times are read in: `name` if given, else the machine's zone."""
    if name:
        if name.upper() in ("UTC", "Z"):
            return timezone.utc
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InputError(f"unknown time zone {name!r}; use an IANA name such as 'Europe/Paris' or 'UTC'") from exc
    zone = datetime.now().astimezone().tzinfo
    return zone or timezone.utc


def parse_time(
    value: Union[str, datetime, int, float, None],
    *,
    zone: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Optional[datetime]:
    """Parse one point in time to an aware UTC datetime; None stays None.

    Raises `InputError` with a message that shows the accepted forms.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    now = now or datetime.now(timezone.utc)
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            dt = datetime.fromtimestamp(float(value), timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise InputError(f"the epoch time {value!r} is out of range") from exc
    else:
        text = str(value).strip()
        if text.lower() == "now":
            return now.astimezone(timezone.utc)
        m = _RELATIVE.match(text)
        if m:
            amount = float(m.group(1))
            unit = m.group(2)[0].lower()
            try:
                return (now - timedelta(seconds=amount * _UNIT_SECONDS[unit])).astimezone(timezone.utc)
            except (OverflowError, ValueError) as exc:
                raise InputError(f"the relative time {text!r} reaches before the year 1") from exc
        if re.fullmatch(r"\d{9,11}(?:\.\d+)?", text):
            dt = datetime.fromtimestamp(float(text), timezone.utc)
        else:
            from dateutil import parser as date_parser  # here: importing it costs ~3 ms, and most calls pass no time

            try:
                dt = date_parser.isoparse(text)
            except (ValueError, OverflowError, ArithmeticError):
                try:
                    dt = date_parser.parse(text)
                except (ValueError, OverflowError, ArithmeticError) as exc:  # dateutil raises decimal errors too
                    raise InputError(
                        f"cannot read the time {text!r}: use ISO 8601 (2026-11-21T03:10:00Z, "
                        "2026-11-21 03:10 -0500), a local time with a zone, epoch seconds, or a relative "
                        "form such as '30m ago' or '2h'"
                    ) from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=local_zone(zone))
    try:
        return dt.astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:  # e.g. an offset of +77 hours, or a year past 9999 in UTC
        raise InputError(f"the time {value!r} has an impossible offset or is out of range") from exc


def parse_window(
    start: Union[str, datetime, None],
    end: Union[str, datetime, None],
    *,
    zone: Optional[str] = None,
    default: timedelta = timedelta(hours=1),
    now: Optional[datetime] = None,
) -> tuple[datetime, datetime]:
    """A (start, end) window in UTC. Missing end is now; missing start is `default` before end.

    A reversed window, one in the far future, or one longer than ten years is an `InputError`.
    """
    now = now or datetime.now(timezone.utc)
    end_dt = parse_time(end, zone=zone, now=now) or now
    start_dt = parse_time(start, zone=zone, now=now) or (end_dt - default)
    if start_dt > end_dt:
        raise InputError(
            f"the time window is reversed: start {start_dt.isoformat()} is after end {end_dt.isoformat()}"
        )
    if start_dt < _EARLIEST or start_dt > now + timedelta(days=366):
        raise InputError(f"the start time {start_dt.isoformat()} is not a plausible time for evidence")
    if end_dt - start_dt > MAX_WINDOW:
        raise InputError(f"the time window is absurdly long ({(end_dt - start_dt).days} days); narrow it")
    return start_dt, end_dt


def to_utc_iso(dt: Optional[datetime]) -> Optional[str]:
    """ISO 8601 in UTC with a Z suffix, or None."""
    if dt is None:
        return None
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
