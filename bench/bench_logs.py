"""System-log parsing speed: journald `-o json` and macOS `log show --style ndjson`, vs jq.

Generates (seeded, deterministic) a journald JSON file and a unified-log ndjson file with the
fields and message mix of real output, then runs each subject in its own child process (peak RSS
is the child's): rca reading every event into `Event`s, rca with a filter (the `log_show` path:
byte prefilter, then decode and check), and `jq -c` doing the same selection over the same file.
Goal (issue 3): ≥ 300k events/s for journald JSON and macOS ndjson; memory flat in input size.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from pathlib import Path

import orjson

from bench._common import emit, python_child, row, run_child, size_arg

ROOT = Path(__file__).resolve().parent.parent
GOAL = "≥ 300k events/s (journald JSON, macOS ndjson)"
SIZES = {"quick": 30_000, "full": 400_000}

_MESSAGES = [
    "Started Session {n} of user dev.",
    "billing-api.service: Main process exited, code=killed, status=9/KILL",
    "Out of memory: Killed process {n} (java) total-vm:8123456kB, anon-rss:6012340kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12345kB oom_score_adj:0",
    "GET /api/v1/invoices/{n} 200 12ms",
    "pam_unix(sshd:session): session opened for user dev(uid=1000) by (uid=0)",
    "eth0: Link is Up - 1Gbps/Full - flow control rx/tx",
    "worker {n} heartbeat ok (queue=17, inflight=3)",
]
_COMMS = ["systemd", "sshd", "java", "nginx", "kernel", "cron", "postgres", "dockerd"]


def make_journal(path: Path, n: int, rnd: random.Random) -> None:
    t = 1795230000000000
    boot = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    with path.open("wb") as f:
        for i in range(n):
            t += rnd.randrange(50, 20000)
            comm = rnd.choice(_COMMS)
            msg = rnd.choice(_MESSAGES).format(n=rnd.randrange(100, 99999))
            entry = {
                "__CURSOR": f"s=78822e5d1c8d4288b5042c9b2def94a9;i={i:x};b={boot};m={i * 997:x};t={t:x};x={rnd.getrandbits(64):016x}",
                "__REALTIME_TIMESTAMP": str(t), "__MONOTONIC_TIMESTAMP": str(i * 997), "_BOOT_ID": boot,
                "_MACHINE_ID": "4b1e2c8f0a9d4e3b8c7f6a5d4e3b2c1a", "_HOSTNAME": "web-1", "PRIORITY": str(rnd.choice((3, 4, 5, 6, 6, 6))),
                "SYSLOG_FACILITY": "3", "_UID": "0", "_GID": "0", "_CAP_EFFECTIVE": "1ffffffffff", "_TRANSPORT": "kernel" if comm == "kernel" else "journal",
                "SYSLOG_IDENTIFIER": comm, "_PID": str(rnd.randrange(1, 60000)), "_COMM": comm, "_EXE": f"/usr/bin/{comm}",
                "_CMDLINE": f"/usr/bin/{comm} --config /etc/{comm}.conf", "_SYSTEMD_CGROUP": f"/system.slice/{comm}.service",
                "_SYSTEMD_UNIT": f"{comm}.service", "_SYSTEMD_SLICE": "system.slice", "_SYSTEMD_INVOCATION_ID": f"{rnd.getrandbits(128):032x}",
                "MESSAGE": msg, "_SOURCE_REALTIME_TIMESTAMP": str(t - 7),
            }
            f.write(orjson.dumps(entry) + b"\n")


def make_ndjson(path: Path, n: int, rnd: random.Random) -> None:
    procs = ["/usr/libexec/powerd", "/System/Library/CoreServices/launchservicesd", "/kernel", "/usr/sbin/mDNSResponder",
             "/Applications/Safari.app/Contents/MacOS/Safari", "/usr/libexec/runningboardd"]
    with path.open("wb") as f:
        for i in range(n):
            proc = rnd.choice(procs)
            msg = rnd.choice(_MESSAGES + ["memorystatus: killing_specific_process pid {n} [Safari] (per-process-limit 3) 2331079KB"]).format(n=rnd.randrange(100, 99999))
            sec = 600 + i // 50
            rec = {
                "timezoneName": "", "messageType": rnd.choice(("Default", "Info", "Error")), "eventType": "logEvent", "source": None,
                "formatString": "%{public}s", "userID": 0, "activityIdentifier": 0, "subsystem": "com.apple.runningboard",
                "category": "process", "threadID": rnd.randrange(1000, 9999999),
                "senderImageUUID": "36FAA0CA-848B-3287-B23D-323F2A4C63EE", "backtrace": {"frames": [{"imageOffset": 74096, "imageUUID": "36FAA0CA-848B-3287-B23D-323F2A4C63EE"}]},
                "bootUUID": "ED40187B-8B76-4555-B78A-E4E689E1EF47", "processImagePath": proc, "senderImagePath": proc,
                "timestamp": f"2026-11-21 03:{sec // 60 % 60:02d}:{sec % 60:02d}.{rnd.randrange(1000000):06d}+0100",
                "machTimestamp": 5377653386596 + i * 1000, "eventMessage": msg, "processImageUUID": "36FAA0CA-848B-3287-B23D-323F2A4C63EE",
                "traceID": rnd.getrandbits(52), "processID": rnd.randrange(1, 99999), "senderProgramCounter": 74096, "parentActivityIdentifier": 0,
            }
            f.write(orjson.dumps(rec).replace(b"/", b"\\/") + b"\n")  # `log` escapes slashes
        f.write(orjson.dumps({"count": n, "finished": 1}) + b"\n")


RCA = """
import sys, time
from mcp_server.sources import journald, macos_log
from mcp_server.sources._logevent import LogFilter
kind, path, mode = sys.argv[1:4]
flt = None
if mode == "process":
    flt = LogFilter(processes=("java",))
elif mode == "contains":
    flt = LogFilter(contains="memorystatus")
fmt = journald.JournaldJsonFormat() if kind == "journald" else macos_log.MacosNdjsonFormat()
w = []
n = 0
t = time.perf_counter()
for ev in fmt.parse(path, w, filter=flt):
    n += 1
print(n, time.perf_counter() - t)
"""

JQ = {
    ("journald", "all"): "select(.__REALTIME_TIMESTAMP != null)",
    ("journald", "process"): 'select(._COMM == "java" or .SYSLOG_IDENTIFIER == "java")',
    ("ndjson", "all"): "select(.timestamp != null)",
    ("ndjson", "contains"): 'select(.eventMessage != null and (.eventMessage | ascii_downcase | contains("memorystatus")))',
}


def main() -> None:
    args = size_arg(__doc__)
    n = SIZES[args.size]
    rnd = random.Random(20261121)
    tmp = Path(tempfile.mkdtemp(prefix="rca-bench-logs-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    jq = shutil.which("jq")
    try:
        files = {"journald": tmp / "journal.json", "ndjson": tmp / "log.ndjson"}
        make_journal(files["journald"], n, rnd)
        make_ndjson(files["ndjson"], n, rnd)
        cases = [("journald", "all"), ("journald", "process"), ("ndjson", "all"), ("ndjson", "contains")]
        for kind, mode in cases:
            path = str(files[kind])
            label = {"journald": "journald -o json", "ndjson": "macOS log ndjson"}[kind]
            what = {"all": "every event", "process": "process filter", "contains": "message filter"}[mode]
            base = None
            if jq:
                b = run_child([jq, "-c", JQ[(kind, mode)], path], keep_stdout=False)
                base = b.seconds
                emit(row("logs", f"jq -c select: {label}, {what}", b.seconds, n, b.peak_rss_mb, goal=GOAL))
            r = run_child(python_child(RCA, "journald" if kind == "journald" else "ndjson", path, mode), env=env, cwd=str(ROOT))
            out = r.stdout.decode().split() if r.returncode == 0 else ["-1", str(r.seconds)]
            matched, parse_s = int(out[0]), float(out[1])
            # seconds = parsing only (the child's interpreter and import start-up, ~0.3-0.5 s, is in wall_seconds)
            emit(row("logs", f"rca: {label}, {what}", parse_s, n, r.peak_rss_mb, baseline="jq -c select" if jq else None,
                     baseline_seconds=base, goal=GOAL, matched=matched, wall_seconds=round(r.seconds, 3),
                     file_mb=round(os.path.getsize(path) / 1e6, 1)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
