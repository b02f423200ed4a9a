"""The eight evidence categories as data: complete per-platform definitions, patterns that catch
the real messages of each kind (and not the others), and the skill's reference table."""

from __future__ import annotations

import pytest

from mcp_server.analysis.categories import BY_NAME, CATEGORIES, reference_table
from mcp_server.analysis.evidence import _category_strength
from mcp_server.sources._logevent import fast_event
from tests.conftest import ROOT

EIGHT = ["target_process", "code_signing", "signals", "memory_pressure", "power", "kernel", "crash_reports", "app_logs"]


def test_the_eight_categories_in_order_with_both_platforms_defined():
    assert [c.name for c in CATEGORIES] == EIGHT
    for c in CATEGORIES:
        assert c.title and c.meaning and c.macos_predicate and c.linux_matches, c.name
        c.regex("macos"), c.regex("linux")  # patterns compile


def ev(message: str, source: str, process: str = "x", kernel: bool = False):
    extra = {"_TRANSPORT": "kernel"} if kernel else {}
    return fast_event(data_type="t", source=source, time=None, message=message, process="kernel" if kernel else process, extra=extra)


# (message, source, process, kernel?, the categories it must belong to) -- real message texts
REAL = [
    ("Out of memory: Killed process 4121 (java) total-vm:8123456kB, anon-rss:6012340kB", "journald", "kernel", True, {"memory_pressure"}),
    ("billing-api.service: Main process exited, code=killed, status=9/KILL", "journald", "systemd", False, {"signals"}),
    ("python3[20412]: segfault at 0 ip 00007f3a1c2b4e10 sp 00007ffd5d3a1a48 error 4 in libc-2.31.so", "journald", "kernel", True, {"kernel"}),
    ("INFO: task df:1177107 blocked for more than 120 seconds.", "syslog", "kernel", True, {"kernel"}),
    ("PM: suspend entry (deep)", "journald", "kernel", True, {"power"}),
    ("System returned from sleep state.", "journald", "systemd-sleep", False, {"power"}),
    ('audit: type=1400 audit(1644450589.972:424): apparmor="DENIED" operation="file_lock"', "dmesg", "kernel", True, {"code_signing"}),
    ("audit: type=1326 audit(1700000000.123:77): auid=1000 uid=1000 pid=5550 comm=\"chrome\" sig=31 syscall=56 compat=0", "journald", "kernel", True, {"code_signing"}),
    ("AMFI: code signature validation failed.", "macos_log", "kernel", True, {"code_signing"}),
    ("memorystatus: killing_specific_process pid 449 [amfidebilitate] (per-process-limit 3) 2331079KB", "macos_log", "kernel", True, {"memory_pressure"}),
    ("DarkWake from Normal Sleep [CDN] : due to XDCI/", "macos_log", "powerd", False, {"power"}),
    ("Service exited due to SIGKILL | sent by launchd[1]", "macos_log", "launchd", False, {"signals"}),
    ("Started Rotate log files.", "journald", "systemd", False, set()),
    ("Battery capacity change posted(0x80063). Capacity:99 Source:Batt", "macos_log", "coreaudiod", False, set()),
]


@pytest.mark.parametrize("message,source,process,kernel,expected", REAL)
def test_real_messages_land_in_their_categories(message, source, process, kernel, expected):
    e = ev(message, source, process, kernel)
    got = {c.name for c in CATEGORIES if c.origin == "system_log" and c.name != "target_process" and _category_strength(c, e)}
    assert got == expected


def test_kernel_category_needs_a_kernel_sender():
    assert _category_strength(BY_NAME["kernel"], ev("segfault at 0 ip 0", "journald", "myapp")) == 0


def test_reference_table_lists_every_category():
    table = reference_table()
    for c in CATEGORIES:
        assert f"| `{c.name}` |" in table
    assert table.count("\n") == len(CATEGORIES) + 1


def test_skill_reference_is_generated_from_the_data():
    """skills/rca/evidence-categories.md is exactly what the data renders (regenerate it when this fails)."""
    from mcp_server.analysis.categories import reference_markdown

    assert (ROOT / "skills" / "rca" / "evidence-categories.md").read_text() == reference_markdown()


def test_sweep_predicate_is_one_valid_looking_predicate():
    from mcp_server.analysis.categories import sweep_predicate
    from mcp_server.sources import macos_log
    from datetime import datetime, timezone

    pred = sweep_predicate(["Google \"Chrome\"", "412"])
    assert '(process == "Google \\"Chrome\\"" OR eventMessage CONTAINS[c] "Google \\"Chrome\\"")' in pred
    assert "(processID == 412)" in pred and pred.count("(") == pred.count(")")
    argv = macos_log.build_argv(macos_log.MacosQuery(start=datetime(2026, 1, 1, tzinfo=timezone.utc),
                                                     end=datetime(2026, 1, 1, 1, tzinfo=timezone.utc), raw_predicate=pred))
    assert argv[-2:] == ["--predicate", pred]
