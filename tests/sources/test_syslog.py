"""Syslog, kern.log, dmesg, journalctl short renderings, app logs and pmset: real samples and
realistic fixtures; year inference and New Year rollover; multi-line records; rotated files."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone

import pytest

from mcp_server.sources import detect
from mcp_server.sources.applog import AppLogFormat, PmsetLogFormat
from mcp_server.sources.dmesg import DmesgFormat, DmesgHumanFormat
from mcp_server.sources.syslog import BsdSyslogFormat, Rfc3339SyslogFormat, Rfc5424SyslogFormat
from tests.conftest import sample

UTC = timezone.utc
DERIVED = ("linux_logs", "derived_journalctl_renderings")


def parse(path, **options):
    fmt = detect(path.read_bytes()[:65536].decode("utf-8", "replace"))[0] if path.suffix != ".gz" else None
    if fmt is None:
        from mcp_server.sources._io import read_head

        fmt = detect(read_head(path).decode("utf-8", "replace"))[0]
    w: list = []
    return fmt.NAME, list(fmt().parse(str(path), w, **options)), w


def test_bsd_syslog_plaso_edge_cases():
    name, events, w = parse(sample("linux_logs", "plaso_syslog"), reference=datetime(2012, 6, 1, tzinfo=UTC), zone="UTC")
    assert name == "syslog"
    first = events[0]
    assert (first.host, first.process, first.pid) == ("myhostname.myhost.com", "client", 30840)
    assert first.time == datetime(2012, 1, 22, 7, 52, 33, tzinfo=UTC)
    assert "2012" in first.extra["year_inferred"] and "assumed" in first.time_zone
    leap = next(e for e in events if "leap year" in e.message)
    assert leap.time.date().isoformat() == "2012-02-29"
    frac = next(e for e in events if "fractional" in e.message)
    assert frac.time.microsecond == 123000
    multi = next(e for e in events if e.process == "aprocess")
    assert multi.message == "This is a multi-line message that screws up\n\tmany syslog parsers."
    kern = next(e for e in events if "want=66" in e.message)
    assert kern.category == "kernel" and kern.extra["monotonic"] == 998.390602 and kern.message.startswith("sda2:")
    assert w == []


def test_new_year_rollover(tmp_path):
    p = tmp_path / "syslog.1"
    p.write_text(
        "Dec 31 23:59:58 web-1 kernel: [8812.100000] Out of memory: Killed process 4121 (java) total-vm:8123456kB\n"
        "Jan  1 00:00:02 web-1 systemd[1]: billing-api.service: Main process exited, code=killed, status=9/KILL\n"
    )
    _, events, _ = parse(p, reference=datetime(2027, 1, 1, 0, 30, tzinfo=UTC), zone="UTC")
    assert [e.time.year for e in events] == [2026, 2027]
    assert events[1].time - events[0].time == timedelta(seconds=4)


def test_year_from_file_mtime_when_no_window(tmp_path):
    import os

    p = tmp_path / "messages"
    p.write_text("Mar 11 22:55:30 ubuntu2015 sshd[3]: Accepted password for plaso\n")
    when = datetime(2019, 5, 1, tzinfo=UTC).timestamp()
    os.utime(p, (when, when))
    _, events, _ = parse(p, zone="UTC")
    assert events[0].time.year == 2019 and "modification time" in events[0].extra["year_inferred"]


def test_macos_system_log_and_ios_multiline():
    _, events, _ = parse(sample("macos_log", "lnav_logfile_syslog.3"), reference=datetime(2015, 9, 1, tzinfo=UTC))
    notice = next(e for e in events if e.message.startswith("Configuration Notice:"))
    assert "\tASL Module" in notice.message and notice.process == "syslogd" and notice.pid == 314
    _, events, _ = parse(sample("macos_log", "snippets", "ios_legacy_syslog_amfid_multiline__coolstar-electra-issue60.txt"))
    assert len(events) == 6
    assert events[0].process == "amfid" and events[0].extra["library"] == "amfid_payload.dylib" and events[0].level == "notice"
    assert events[0].message.endswith("} (info: (null))")
    assert events[3].level == "error"


def test_journalctl_catalog_output_keeps_catalog_text_with_its_record():
    name, events, w = parse(sample("linux_logs", "hotsos_sos_journalctl_--catalog_--boot_-1.lines7300-7650_sigkill.txt"),
                            reference=datetime(2022, 2, 10, tzinfo=UTC))
    assert name == "syslog"
    kills = [e for e in events if "code=killed, status=9/KILL" in e.message]
    assert len(kills) >= 2 and kills[0].process == "systemd" and kills[0].host == "compute4"
    assert "-- Subject:" in kills[0].message
    assert len(w) == 1 and "before the first record" in w[0].message  # the catalog text of a record cut off above


@pytest.mark.parametrize("name,zone", [
    ("journalctl_-o_short.TZ-UTC.txt", "UTC"), ("journalctl_-o_short.TZ-Asia_Kolkata.txt", "Asia/Kolkata"),
    ("journalctl_-o_short-precise.TZ-UTC.txt", "UTC"), ("journalctl_-o_short-iso.TZ-UTC.txt", None),
    ("journalctl_-o_short-iso.TZ-America_Los_Angeles.txt", None), ("journalctl_-o_short-iso-precise.TZ-UTC.txt", None),
    ("journalctl_-o_short-full.TZ-UTC.txt", None), ("journalctl_-o_short-unix.TZ-UTC.txt", None),
])
def test_journalctl_short_renderings_agree(name, zone):
    fmt, events, w = parse(sample(*DERIVED, name), zone=zone, reference=datetime(2024, 7, 2, tzinfo=UTC))
    assert w == [] and len(events) == 4, fmt
    e = events[0]
    assert (e.host, e.process, e.pid) == ("millennium-falcon", "systemd-coredump", 3740)
    assert e.time.replace(microsecond=0) == datetime(2024, 7, 1, 11, 44, 6, tzinfo=UTC)
    assert "Stack trace of thread 3717:" in e.message  # the indented continuation lines belong to it


def test_short_monotonic_without_boot_time():
    name, events, _ = parse(sample(*DERIVED, "journalctl_-o_short-monotonic.TZ-UTC.txt"))
    assert name == "dmesg"
    assert events[0].time is None and "no boot time" in events[0].time_meaning
    assert events[0].process == "systemd-coredump" and events[0].extra["monotonic"] == 69.204993


def test_rfc3339_and_rfc5424():
    name, events, _ = parse(sample("linux_logs", "plaso_syslog_rsyslog"))
    assert name == "syslog_rfc3339"
    assert events[2].process == "systemd" and events[2].pid == 1 and events[2].time_zone == "+00:00"
    name, events, _ = parse(sample("linux_logs", "plaso_syslog_rsyslog_SyslogProtocol23Format"))
    assert name == "syslog_rfc5424"
    assert events[0].level == "debug" and events[0].pid is None and events[0].extra["msgid"] == "123" and events[0].process == "log_tag"
    assert events[1].message.endswith("with another line")


def test_kernlog_hung_task_and_segfault():
    _, events, _ = parse(sample("linux_logs", "hotsos_scenarios", "kernel__kernlog_calltrace_hungtasks__var_log_kern.log.txt"),
                         reference=datetime(2023, 3, 1, tzinfo=UTC))
    hung = [e for e in events if "blocked for more than 120 seconds" in e.message]
    assert hung and all(e.category == "kernel" for e in hung)
    _, events, _ = parse(sample("linux_logs", "hotsos_scenarios", "lxd__bugs__lp1807628_segfault__var_log_kern.log.txt"),
                         reference=datetime(2019, 7, 1, tzinfo=UTC))
    assert events[0].message.startswith("lxcfs[1925937]: segfault at 0") and events[0].extra["monotonic"] == 47841183.622537


def test_dmesg_oom_dump_continuations_and_boot_time():
    path = sample("linux_logs", "hotsos_scenarios", "kernel__kernlog_calltrace_oom_killer__var_log_kern.log.txt")
    name, events, _ = parse(path)
    assert name == "dmesg"
    mem = next(e for e in events if e.message.startswith("active_anon:416825"))
    assert "free:227215" in mem.message  # the indented lines of the Mem-Info dump
    boot = datetime(2022, 3, 1, 8, 0, tzinfo=UTC)
    _, timed, _ = parse(path, boot_time=boot)
    assert timed[0].time == boot + timedelta(seconds=27742.909073) and timed[0].time_zone == "UTC"


def test_dmesg_T(tmp_path):
    p = tmp_path / "dmesg.txt"
    p.write_text("\n".join(DmesgHumanFormat.SAMPLES) + "\n")
    name, events, _ = parse(p, zone="Europe/Berlin")
    assert name == "dmesg_T"
    assert events[0].time == datetime(2026, 11, 21, 2, 10, 2, tzinfo=UTC) and "assumed" in events[0].time_zone


def test_app_log_stack_traces_and_epoch(tmp_path):
    p = tmp_path / "worker.log"
    p.write_text(
        "2026-11-21 03:09:58,412 INFO [worker-3] app.jobs: job 8812 started\n"
        "2026-11-21 03:09:59,001 ERROR [worker-3] app.jobs: job 8812 failed\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/jobs.py", line 88, in run\n'
        "    rows = load_all()\n"
        "MemoryError\n"
        "2026-11-21T03:10:00.120Z WARN server: heap usage 97%\n"
    )
    name, events, w = parse(p, zone="UTC")
    assert name == "applog" and len(events) == 3 and w == []
    assert events[1].level == "error" and events[1].message.endswith("MemoryError") and "Traceback" in events[1].message
    assert events[2].time_zone == "UTC" and events[0].time_zone.startswith("UTC (assumed")
    t = tmp_path / "tmux-server-4242.log"
    t.write_text("1732158600.123456 server started, pid 4242\n1732158601.000001 new client 0x55d4 (9)\n")
    name, events, _ = parse(t)
    assert name == "applog" and events[0].time == datetime(2024, 11, 21, 3, 10, 0, 123456, tzinfo=UTC)


def test_macos_logd_log_offset_changes_inside():
    _, events, _ = parse(sample("macos_log", "plaso_logd.0.log"))
    zones = {e.time_zone for e in events}
    assert len(zones) >= 2  # the UTC offset changes inside this file
    assert events[0].process == "logd_helper" and events[0].pid == 85 and not events[0].message.startswith("logd_helper")


def test_pmset_log_domains():
    name, events, _ = parse(sample("macos_log", "snippets", "pmset_g_log_darkwake_b.txt"))
    assert name == "pmset_log" and [e.category for e in events] == ["Sleep", "PM Client Acks", "DarkWake", "Kernel Client Acks"]
    assert events[2].time == datetime(2021, 4, 18, 1, 59, 34, tzinfo=UTC)
    name, events, _ = parse(sample("macos_log", "snippets", "pmset_g_log__acidanthera-bugtracker-issue2467.txt"))
    assert name == "pmset_log" and events[0].category == "Sleep"


def test_rotated_gz_and_dot_1_read_alike(tmp_path):
    text = sample("linux_logs", "plaso_syslog_ssh.log").read_bytes()
    (tmp_path / "auth.log.1").write_bytes(text)
    with gzip.open(tmp_path / "auth.log.2.gz", "wb") as f:
        f.write(text)
    ref = {"reference": datetime(2016, 12, 1, tzinfo=UTC), "zone": "UTC"}
    _, a, _ = parse(tmp_path / "auth.log.1", **ref)
    _, b, _ = parse(tmp_path / "auth.log.2.gz", **ref)
    assert [e.message for e in a] == [e.message for e in b] and len(a) == 9


def test_unreadable_timestamp_is_a_warning_not_a_crash(tmp_path):
    p = tmp_path / "syslog"
    p.write_text("Feb 29 01:15:43 host app[1]: leap day in a common year\nMar  1 00:00:00 host app[1]: fine\n")
    _, events, w = parse(p, reference=datetime(2023, 6, 1, tzinfo=UTC))
    assert [e.message for e in events] == ["fine"] and "unreadable timestamp" in w[0].message


@pytest.mark.parametrize(
    "name, first_time",
    [
        ("plaso_syslog_rsyslog_ForwardFormat", datetime(2021, 3, 6, 4, 7, 33, 194677, tzinfo=UTC)),
        ("plaso_syslog_rsyslog_TraditionalForwardFormat", datetime(2021, 3, 6, 4, 7, 23, tzinfo=UTC)),
    ],
)
def test_rsyslog_forward_formats_records_without_newlines(name, first_time):
    """rsyslog's forwarding templates written to a file put `<PRI>` records one after another
    with no newline; a newline inside a message stays in it, and `<>?` in a message is not a
    record start."""
    fmt, events, w = parse(sample("linux_logs", name), reference=datetime(2021, 6, 1, tzinfo=UTC), zone="UTC")
    assert fmt == "syslog_forward" and not w
    assert [e.level for e in events] == ["debug", "info", "info", "crit", "info", "info", "info", "info", "info"]
    assert events[0].time == first_time and events[0].host == "hostname"
    assert events[1].message == "log_tag this is info\nwith another line"
    assert events[2].message.endswith("\",./<>?")
    cron = events[-1]
    assert (cron.process, cron.message) == ("cron", "(CRON) INFO (Skipping @reboot jobs -- not system startup)")
    assert [e.origin.rsplit(":", 1)[1] for e in events] == ["1", "1"] + ["2"] * 7
    assert len({e.evidence_id for e in events}) == 9  # records sharing a line still get their own ids


def test_one_pri_record_per_line_is_ordinary_syslog(tmp_path):
    p = tmp_path / "messages"
    p.write_text(
        "<30>Mar  6 04:07:23 web-1 systemd[1]: Stopping nginx.service...\n"
        "<30>Mar  6 04:07:24 web-1 systemd[1]: nginx.service: Main process exited, code=killed, status=9/KILL <11>oops\n"
    )
    fmt, events, _ = parse(p, reference=datetime(2026, 6, 1, tzinfo=UTC), zone="UTC")
    assert fmt == "syslog" and len(events) == 2
    assert events[1].message.endswith("status=9/KILL <11>oops")
