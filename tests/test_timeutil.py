from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mcp_server.errors import InputError
from mcp_server.timeutil import parse_time, parse_window, to_utc_iso

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-11-21T03:10:00Z", datetime(2026, 11, 21, 3, 10, tzinfo=timezone.utc)),
        ("2026-11-21T03:10:00+01:00", datetime(2026, 11, 21, 2, 10, tzinfo=timezone.utc)),
        ("2026-11-21 03:10:00 -0500", datetime(2026, 11, 21, 8, 10, tzinfo=timezone.utc)),
        ("2026-11-21T03:10:00.250-0500", datetime(2026, 11, 21, 8, 10, 0, 250000, tzinfo=timezone.utc)),
        ("1763694600", datetime(2025, 11, 21, 3, 10, tzinfo=timezone.utc)),
        ("30m ago", NOW - timedelta(minutes=30)),
        ("2h", NOW - timedelta(hours=2)),
        ("1 day ago", NOW - timedelta(days=1)),
        ("now", NOW),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_time(text, now=NOW) == expected


def test_naive_times_use_the_given_zone():
    assert parse_time("2026-07-01 10:00", zone="Europe/Paris") == datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)
    assert parse_time("2026-07-01 10:00", zone="UTC") == datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)


def test_default_window_is_the_last_hour():
    start, end = parse_window(None, None, now=NOW)
    assert (start, end) == (NOW - timedelta(hours=1), NOW)


@pytest.mark.parametrize(
    "start,end,needle",
    [
        ("2026-11-21T10:00Z", "2026-11-21T09:00Z", "reversed"),
        ("1900-01-01T00:00Z", None, "plausible"),
        ("2000-01-01T00:00Z", "2026-01-01T00:00Z", "absurdly long"),
        ("yesterday-ish", None, "cannot read the time"),
    ],
)
def test_bad_windows_are_clear_errors(start, end, needle):
    with pytest.raises(InputError, match=needle):
        parse_window(start, end, now=NOW)


def test_unknown_zone_is_an_input_error():
    with pytest.raises(InputError, match="unknown time zone"):
        parse_time("2026-07-01 10:00", zone="Mars/Olympus")


def test_iso_output_uses_z():
    assert to_utc_iso(NOW) == "2026-11-21T12:00:00Z"


def test_huge_relative_time_is_an_input_error():
    """Found by the fuzzer: '7777777777777777w' overflowed timedelta."""
    with pytest.raises(InputError, match="before the year 1"):
        parse_time("7777777777777777w", now=NOW)


@pytest.mark.parametrize("value", [10**30, float("inf"), float("nan")])
def test_out_of_range_epoch_is_an_input_error(value):
    with pytest.raises(InputError, match="out of range"):
        parse_time(value)


def test_dateutil_decimal_errors_are_input_errors():
    """Found by the 100k-input fuzz run: dateutil raises decimal.InvalidOperation on this."""
    with pytest.raises(InputError, match="cannot read the time"):
        parse_time("5" + "8" * 105 + "554M5505")


def test_impossible_offset_is_an_input_error():
    """Found by a 1 000 000-input fuzz run of the time target: dateutil accepted a +77 h offset."""
    with pytest.raises(InputError, match="impossible offset"):
        parse_time("7777'7h+77", zone="UTC")
