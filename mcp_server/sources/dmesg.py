"""Kernel ring buffer: `dmesg` output, plain (`[   12.345678] message`) and `dmesg -T`
(`[Sat Nov 21 03:10:00 2026] message`).

Plain dmesg times are seconds since boot (the monotonic clock), not wall-clock times: without a
boot time (option `boot_time`, e.g. from `uptime -s` or journald's boot entry) an event keeps its
offset in `extra["monotonic"]`, has no `time`, and its `time_meaning` says so. `dmesg -T` times
are local wall-clock times computed by dmesg from the boot time (and can drift after a suspend);
they are read in the caller's zone or the machine's, and `time_zone` says it was assumed.
Indented lines (the `Mem-Info` dump of an OOM kill) continue the previous record.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Optional

from . import register
from .syslog import MONTHS, RecordFormat, split_rest

_HOST_TAG = re.compile(r"^[^\s\[\]:]+ [^\s\[\]:]+\[\d+\]: ")


@register
class DmesgFormat(RecordFormat):
    """`dmesg` with monotonic `[seconds.micro]` stamps (also `journalctl -o short-monotonic`)."""

    NAME = "dmesg"
    DESCRIPTION = "dmesg: [seconds since boot] kernel message"
    PRIORITY = 30
    DATA_TYPE = "linux:kernel:dmesg"
    SAMPLES = (
        "[27742.909073] kworker/0:0 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0",
        "[    0.000000] Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032) (gcc version 9.3.0 (Ubuntu 9.3.0-17ubuntu1~20.04)) #110-Ubuntu SMP",
        '[ 4301.999258] audit: type=1400 audit(1644450589.972:424): apparmor="DENIED" operation="file_lock" profile="/snap/snapd/14549/usr/lib/snapd/snap-confine" name="/dev/null" pid=154415 comm="etcdctl"',
    )
    HEADER = re.compile(r"^\[\s*(?P<mono>\d+\.\d+)\] ?")

    def start(self, path: str, options: dict[str, Any]) -> dict[str, Any]:
        state = super().start(path, options)
        boot = options.get("boot_time")
        state["boot"] = boot if isinstance(boot, datetime) and boot.tzinfo else None
        return state

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        mono = m.group("mono")
        fields: dict[str, Any] = {"process": "kernel", "category": "kernel"}
        if _HOST_TAG.match(body):  # journalctl -o short-monotonic: userspace lines carry host tag[pid]
            fields = split_rest(body)
        else:
            fields["message"] = body
        fields.setdefault("extra", {})["monotonic"] = float(mono)
        boot = state["boot"]
        if boot is not None:
            fields.update(time=boot + timedelta(seconds=float(mono)), time_zone="UTC",
                          time_meaning="logged (boot time + monotonic offset)")
        else:
            fields.update(time=None, time_zone=None,
                          time_meaning=f"{mono} s after boot (no boot time known: not a wall-clock time)")
        fields["time_text"] = mono
        return fields


@register
class DmesgHumanFormat(RecordFormat):
    """`dmesg -T`: human-readable local times computed from the boot time."""

    NAME = "dmesg_T"
    DESCRIPTION = "dmesg -T: [Sat Nov 21 03:10:00 2026] kernel message"
    PRIORITY = 30
    DATA_TYPE = "linux:kernel:dmesg"
    SAMPLES = (
        "[Sat Nov 21 03:10:02 2026] Out of memory: Killed process 4121 (java) total-vm:8123456kB, anon-rss:6012340kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12345kB oom_score_adj:0",
        "[Mon Feb  7 10:02:11 2022] python3[20412]: segfault at 0 ip 00007f3a1c2b4e10 sp 00007ffd5d3a1a48 error 4 in libc-2.31.so[7f3a1c14b000+178000]",
    )
    HEADER = re.compile(
        r"^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(?P<day>\d{1,2}) "
        r"(?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d) (?P<y>\d{4})\] ?"
    )

    def record(self, m: re.Match[str], body: str, state: dict[str, Any]) -> Optional[dict[str, Any]]:
        zone = state["zone"]
        when = datetime(int(m.group("y")), MONTHS[m.group("mon")], int(m.group("day")), int(m.group("h")),
                        int(m.group("mi")), int(m.group("s")), tzinfo=zone)
        return {
            "time": when,
            "time_text": m.group(0).strip()[1:-1],
            "time_zone": f"{zone} (assumed: dmesg -T prints local time without a zone)",
            "process": "kernel",
            "category": "kernel",
            "message": body,
        }
