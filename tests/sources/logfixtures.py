"""Realistic system-log fixtures for the log tests: real journal files built by systemd-journal-remote
from journal export input, and unified-log / syslog text in the real formats.

The messages are the texts the kernel, systemd, logind and systemd-sleep really print (OOM killer,
`code=killed, status=9/KILL`, segfault, suspend), for two hosts, in a window on 2026-11-21.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from tests.conftest import require

BASE = datetime(2026, 11, 21, 3, 0, 0, tzinfo=timezone.utc)
JOURNAL_REMOTE = ("/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote")

HOSTS = {
    "web-1": {"machine": "4b1e2c8f0a9d4e3b8c7f6a5d4e3b2c1a", "boot": "9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
    "db-1": {"machine": "c3d2e1f0a9b8471c8d6e5f4a3b2c1d0e", "boot": "0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5"},
}

KERNEL = {"_TRANSPORT": "kernel", "SYSLOG_IDENTIFIER": "kernel", "SYSLOG_FACILITY": "0"}
SYSTEMD = {"_TRANSPORT": "journal", "_COMM": "systemd", "_EXE": "/usr/lib/systemd/systemd", "_PID": "1", "_UID": "0", "SYSLOG_IDENTIFIER": "systemd", "SYSLOG_FACILITY": "3"}


def _entries() -> list[tuple[str, int, dict]]:
    """(host, seconds after BASE, fields) for every fixture entry."""
    app = {"_TRANSPORT": "stdout", "_COMM": "java", "_EXE": "/usr/lib/jvm/java-17/bin/java", "_PID": "4121", "_UID": "1000",
           "SYSLOG_IDENTIFIER": "billing-api", "_SYSTEMD_UNIT": "billing-api.service", "SYSLOG_FACILITY": "3"}
    return [
        ("web-1", 10, {**app, "PRIORITY": "6", "MESSAGE": "Started billing worker pool (threads=32)"}),
        ("web-1", 95, {**app, "PRIORITY": "3", "MESSAGE": "java.lang.OutOfMemoryError: GC overhead limit exceeded"}),
        ("web-1", 100, {**KERNEL, "PRIORITY": "4", "MESSAGE": "java invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0"}),
        ("web-1", 100, {**KERNEL, "PRIORITY": "6", "MESSAGE": "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/billing-api.service,task=java,pid=4121,uid=1000"}),
        ("web-1", 101, {**KERNEL, "PRIORITY": "3", "MESSAGE": "Out of memory: Killed process 4121 (java) total-vm:8123456kB, anon-rss:6012340kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12345kB oom_score_adj:0"}),
        ("web-1", 101, {**KERNEL, "PRIORITY": "6", "MESSAGE": "oom_reaper: reaped process 4121 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"}),
        ("web-1", 102, {**SYSTEMD, "PRIORITY": "5", "UNIT": "billing-api.service", "MESSAGE": "billing-api.service: A process of this unit has been killed by the OOM killer."}),
        ("web-1", 102, {**SYSTEMD, "PRIORITY": "5", "UNIT": "billing-api.service", "MESSAGE_ID": "98e322203f7a4ed290d09fe03c09fe15", "EXIT_CODE": "killed", "EXIT_STATUS": "9",
                        "MESSAGE": "billing-api.service: Main process exited, code=killed, status=9/KILL"}),
        ("web-1", 102, {**SYSTEMD, "PRIORITY": "4", "UNIT": "billing-api.service", "MESSAGE": "billing-api.service: Failed with result 'oom-kill'."}),
        ("web-1", 130, {**KERNEL, "PRIORITY": "6", "MESSAGE": "python3[20412]: segfault at 0 ip 00007f3a1c2b4e10 sp 00007ffd5d3a1a48 error 4 in libc-2.31.so[7f3a1c14b000+178000]"}),
        ("web-1", 131, {**KERNEL, "PRIORITY": "6", "MESSAGE": "Code: 48 8b 07 48 89 c2 48 c1 ea 20 83 e2 07 <48> 8b 04 10 c3 0f 1f 80 00 00 00 00"}),
        ("web-1", 140, {"_TRANSPORT": "stdout", "_COMM": "sensor-agent", "_PID": "777", "SYSLOG_IDENTIFIER": "sensor-agent", "PRIORITY": "4",
                        "MESSAGE": b"frame \x01\x02 checksum mismatch \xff\xfe", "TAG": ["rx", "crc"]}),
        ("web-1", 150, {"_TRANSPORT": "stdout", "_COMM": "reportgen", "_PID": "901", "SYSLOG_IDENTIFIER": "reportgen", "PRIORITY": "6",
                        "MESSAGE": "report row dump: " + "x" * 70000}),
        ("db-1", 200, {"_TRANSPORT": "journal", "_COMM": "systemd-logind", "_PID": "612", "SYSLOG_IDENTIFIER": "systemd-logind", "PRIORITY": "6", "MESSAGE": "Lid closed."}),
        ("db-1", 201, {"_TRANSPORT": "journal", "_COMM": "systemd-logind", "_PID": "612", "SYSLOG_IDENTIFIER": "systemd-logind", "PRIORITY": "6", "MESSAGE": "Suspending..."}),
        ("db-1", 202, {"_TRANSPORT": "journal", "_COMM": "systemd-sleep", "_PID": "31337", "SYSLOG_IDENTIFIER": "systemd-sleep", "PRIORITY": "6", "MESSAGE": "Entering sleep state 'suspend'..."}),
        ("db-1", 202, {**KERNEL, "PRIORITY": "6", "MESSAGE": "PM: suspend entry (deep)"}),
        ("db-1", 900, {**KERNEL, "PRIORITY": "6", "MESSAGE": "PM: suspend exit"}),
        ("db-1", 901, {"_TRANSPORT": "journal", "_COMM": "systemd-sleep", "_PID": "31337", "SYSLOG_IDENTIFIER": "systemd-sleep", "PRIORITY": "6", "MESSAGE": "System returned from sleep state."}),
        ("db-1", 960, {"_TRANSPORT": "stdout", "_COMM": "postgres", "_PID": "1502", "SYSLOG_IDENTIFIER": "postgres", "_SYSTEMD_UNIT": "postgresql@15-main.service", "PRIORITY": "3",
                       "MESSAGE": "FATAL:  terminating connection due to administrator command"}),
    ]


def _field(key: str, value: object) -> bytes:
    if isinstance(value, bytes) or (isinstance(value, str) and ("\n" in value)):
        data = value if isinstance(value, bytes) else value.encode()
        return key.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
    return f"{key}={value}\n".encode()


def export_stream(host: str) -> bytes:
    """The journal export format input for one host."""
    out = bytearray()
    ident = HOSTS[host]
    for h, secs, fields in _entries():
        if h != host:
            continue
        t = BASE + timedelta(seconds=secs)
        micros = int(t.timestamp()) * 1_000_000 + secs * 37  # distinct microseconds
        out += _field("__REALTIME_TIMESTAMP", micros)
        out += _field("__MONOTONIC_TIMESTAMP", 3_600_000_000 + secs * 1_000_000)
        out += _field("_BOOT_ID", ident["boot"])
        out += _field("_MACHINE_ID", ident["machine"])
        out += _field("_HOSTNAME", host)
        for k, v in fields.items():
            for one in v if isinstance(v, list) else [v]:
                out += _field(k, one)
        out += b"\n"
    return bytes(out)


def journal_remote() -> Optional[str]:
    for p in JOURNAL_REMOTE:
        if Path(p).exists():
            return p
    return shutil.which("systemd-journal-remote")


def build_journals(folder: Path) -> Path:
    """Real journal files (`remote-<host>.journal`) for both hosts in `folder`; returns the folder."""
    prog = journal_remote()
    require(prog is not None, "systemd-journal-remote is not installed (Debian package systemd-journal-remote)")
    require(shutil.which("journalctl") is not None, "journalctl is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    for host in HOSTS:
        out = folder / f"remote-{host}.journal"
        subprocess.run([prog, f"--output={out}", "-"], input=export_stream(host), check=True, capture_output=True, timeout=60)
    return folder


WINDOW = (BASE.isoformat(), (BASE + timedelta(hours=1)).isoformat())
