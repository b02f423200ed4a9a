"""The eight evidence categories, as data: what each means on macOS and on Linux.

This module is the single definition of the evidence sweep (`collect_evidence`) and of the
per-platform table in the rca skill's reference (`reference_table()` renders it; a test checks the
skill's copy against it). Each category says, per platform, how it is queried (a macOS `log`
predicate; journalctl field matches) and which messages belong to it (regular expressions applied
to every event read in the window, whichever source it came from). Stdlib only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Optional

CategoryName = Literal[
    "target_process", "code_signing", "signals", "memory_pressure", "power", "kernel", "crash_reports", "app_logs"
]
#: where a category's evidence comes from
Origin = Literal["system_log", "crash_reports", "app_logs"]


@dataclass(frozen=True)
class Category:
    name: CategoryName
    title: str
    #: what the category means, for the model and the report
    meaning: str
    origin: Origin = "system_log"
    #: macOS: the `log show --predicate` fragment (empty when not queried through `log`)
    macos_predicate: str = ""
    #: macOS: processes (senders) whose messages belong here whatever they say
    macos_processes: tuple[str, ...] = ()
    #: macOS: message patterns (regular expressions, case-insensitive)
    macos_patterns: tuple[str, ...] = ()
    #: Linux: journalctl field matches / options a human would use to look at this category
    linux_matches: tuple[str, ...] = ()
    #: Linux: processes (`_COMM` / syslog tag) whose messages belong here whatever they say
    linux_processes: tuple[str, ...] = ()
    #: Linux: message patterns (regular expressions, case-insensitive)
    linux_patterns: tuple[str, ...] = ()
    #: only kernel messages can belong (the kernel category)
    kernel_only: bool = False
    _compiled: dict = field(default_factory=dict, compare=False, repr=False)

    def regex(self, platform: str) -> Optional[re.Pattern[str]]:
        """The compiled pattern of one platform ('macos' or 'linux'), or None when it has none."""
        if platform not in self._compiled:
            pats = self.macos_patterns if platform == "macos" else self.linux_patterns
            self._compiled[platform] = re.compile("|".join(f"(?:{p})" for p in pats), re.I) if pats else None
        return self._compiled[platform]

    def processes(self, platform: str) -> frozenset[str]:
        return frozenset(p.lower() for p in (self.macos_processes if platform == "macos" else self.linux_processes))


CATEGORIES: tuple[Category, ...] = (
    Category(
        name="target_process",
        title="Target process",
        meaning="Everything the failing process (and its unit/service) logged in the window, and messages that name it.",
        macos_predicate='process == "<target>" OR eventMessage CONTAINS[c] "<target>"',
        linux_matches=("_COMM=<target>", "SYSLOG_IDENTIFIER=<target>", "_SYSTEMD_UNIT=<target>.service"),
    ),
    Category(
        name="code_signing",
        title="Code signing and security policy",
        meaning="The process was refused or killed by a security policy: invalid signature, sandbox, MAC denial, seccomp.",
        macos_predicate=(
            'process == "amfid" OR process == "taskgated" OR process == "syspolicyd" OR eventMessage CONTAINS "AMFI" '
            'OR eventMessage CONTAINS[c] "code signature" OR eventMessage CONTAINS "CMS blob" OR eventMessage CONTAINS "CODESIGNING"'
        ),
        macos_processes=("amfid", "taskgated", "syspolicyd"),
        macos_patterns=(
            r"\bAMFI\b", r"code ?signature", r"CMS blob", r"taskgated", r"CODESIGNING", r"Code Signature Invalid",
            r"not valid for use in process", r"library load disallowed by system policy", r"Sandbox: .* deny",
        ),
        linux_matches=("_TRANSPORT=audit", "-k (AppArmor/SELinux/seccomp audit lines)"),
        linux_patterns=(
            r'apparmor="DENIED"', r"avc:\s+denied", r"audit: type=1326", r"type=SECCOMP", r"\bseccomp\b.*\bsig=",
            r"SELinux is preventing",
        ),
    ),
    Category(
        name="signals",
        title="Signals and kills",
        meaning="The process was ended by a signal (SIGKILL, SIGTERM, SIGHUP, SIGABRT, SIGSEGV) and who reported it.",
        macos_predicate=(
            'eventMessage CONTAINS "SIGKILL" OR eventMessage CONTAINS "SIGTERM" OR eventMessage CONTAINS "SIGHUP" '
            'OR eventMessage CONTAINS "SIGABRT" OR eventMessage CONTAINS[c] "exited due to signal" '
            'OR eventMessage CONTAINS[c] "killed by signal" OR eventMessage CONTAINS[c] "terminated due to signal"'
        ),
        macos_patterns=(
            r"\bSIG(?:KILL|TERM|HUP|ABRT|SEGV|BUS|ILL|QUIT|INT)\b", r"exited due to signal", r"killed by signal",
            r"terminated due to signal", r"exited due to (?:SIG|signal)",
        ),
        linux_matches=("_COMM=systemd", "MESSAGE_ID=98e322203f7a4ed290d09fe03c09fe15 (unit process exited)"),
        linux_patterns=(
            r"code=killed, status=\d+/[A-Z]+", r"code=dumped, status=\d+/[A-Z]+", r"killed by signal", r"\bSIG(?:KILL|TERM|HUP|ABRT|SEGV|BUS)\b",
            r"exited on signal \d+", r"received signal \d+", r"Killing process \d+ .* with signal", r"terminated by signal",
            r"status=9/KILL", r"status=15/TERM",
        ),
    ),
    Category(
        name="memory_pressure",
        title="Memory pressure",
        meaning="The system ran short of memory and killed or throttled processes (jetsam / OOM killer / systemd-oomd).",
        macos_predicate=(
            'process == "jetsam" OR eventMessage CONTAINS "memorystatus" OR eventMessage CONTAINS[c] "jetsam" '
            'OR eventMessage CONTAINS "per-process-limit" OR eventMessage CONTAINS[c] "memory pressure"'
        ),
        macos_processes=("jetsam",),
        macos_patterns=(
            r"memorystatus", r"jetsam", r"per-process-limit", r"memory pressure", r"vm-compressor-space-shortage",
            r"low swap", r"exceeded mem limit",
        ),
        linux_matches=("-k", "_COMM=systemd-oomd", "_COMM=earlyoom"),
        linux_processes=("systemd-oomd", "earlyoom"),
        linux_patterns=(
            r"Out of memory: Kill(?:ed)? process", r"oom-kill:", r"invoked oom-killer", r"oom_reaper", r"Memory cgroup out of memory",
            r"killed by the OOM killer", r"systemd-oomd", r"page allocation failure", r"Killed process \d+ .*total-vm",
        ),
    ),
    Category(
        name="power",
        title="Power, sleep and shutdown",
        meaning="Sleep, wake, dark wake, assertions, shutdown causes and reboots around the failure.",
        macos_predicate=(
            'process == "powerd" OR eventMessage CONTAINS "Wake reason" OR eventMessage CONTAINS "DarkWake" '
            'OR process == "caffeinate" OR eventMessage CONTAINS "Previous shutdown cause" OR eventMessage CONTAINS "=== system boot"'
        ),
        macos_processes=("powerd", "caffeinate"),
        macos_patterns=(
            r"Wake reason", r"DarkWake", r"caffeinate", r"Entering Sleep", r"sleepWake", r"Previous shutdown cause",
            r"=== system boot", r"System Sleep", r"Wake from",
        ),
        linux_matches=("-k (PM: suspend)", "_COMM=systemd-logind", "_COMM=systemd-sleep", "_COMM=systemd-shutdown"),
        linux_processes=("systemd-sleep", "systemd-shutdown"),
        linux_patterns=(
            r"PM: suspend (?:entry|exit)", r"PM: (?:hibernation|resume)", r"\bSuspending\b", r"System returned from sleep",
            r"Lid (?:closed|opened)", r"Power key pressed", r"reboot: ", r"Reached target (?:Sleep|Suspend|Shutdown|Power-Off)",
            r"System is (?:powering down|rebooting)", r"ACPI: .*(?:sleep|wak)", r"Entering sleep state", r"Waking up",
        ),
    ),
    Category(
        name="kernel",
        title="Kernel faults",
        meaning="Kernel-reported faults: segfaults, hung tasks, call traces, panics, I/O and hardware errors.",
        macos_predicate='processID == 0 AND (eventMessage CONTAINS[c] "panic" OR eventMessage CONTAINS "EXC_" OR eventMessage CONTAINS[c] "watchdog")',
        macos_patterns=(r"panic", r"EXC_[A-Z_]+", r"watchdog", r"Sandbox", r"I/O error", r"disk\d+.*error"),
        linux_matches=("-k", "_TRANSPORT=kernel"),
        linux_patterns=(
            r"segfault at", r"general protection(?: fault)?", r"blocked for more than \d+ seconds", r"Call Trace",
            r"Kernel panic", r"\bBUG: ", r"\bOops\b", r"soft lockup", r"hard LOCKUP", r"watchdog", r"I/O error",
            r"EXT4-fs error", r"Hardware Error", r"\bmce: ", r"traps: ", r"invalid opcode", r"hung_task",
        ),
        kernel_only=True,
    ),
    Category(
        name="crash_reports",
        title="Crash reports and core dumps",
        meaning="Crash reports (.ips/.crash), apport reports and systemd-coredump entries for the window.",
        origin="crash_reports",
        macos_predicate="(not queried through log: ~/Library/Logs/DiagnosticReports, /Library/Logs/DiagnosticReports)",
        linux_matches=("coredumpctl list --since … --until …", "/var/crash/*.crash", "SYSLOG_IDENTIFIER=systemd-coredump"),
    ),
    Category(
        name="app_logs",
        title="Application logs",
        meaning="Logs the application writes itself: paths given to the sweep and known locations (tmux server logs).",
        origin="app_logs",
        macos_predicate="(files: the given paths, tmux-server-*.log)",
        linux_matches=("(files: the given paths, tmux-server-*.log)",),
    ),
)

BY_NAME: dict[str, Category] = {c.name: c for c in CATEGORIES}


def reference_table() -> str:
    """The per-platform Markdown table of the categories (the skill's reference shows this)."""
    rows = ["| category | meaning | macOS (`log show --predicate`) | Linux (journalctl matches; message patterns) |", "| --- | --- | --- | --- |"]
    for c in CATEGORIES:
        mac = c.macos_predicate.replace("|", "\\|")
        lin = ", ".join(f"`{m}`" for m in c.linux_matches)
        if c.linux_patterns:
            lin += "; " + ", ".join(f"`{p}`" for p in c.linux_patterns[:6]).replace("|", "\\|")
        rows.append(f"| `{c.name}` | {c.meaning} | `{mac}` | {lin} |")
    return "\n".join(rows)


REFERENCE_HEADER = """# Evidence categories (per platform)

Generated from `mcp_server/analysis/categories.py` by
`python -m mcp_server.analysis.categories > skills/rca/evidence-categories.md`; a test fails when
this file and the data disagree. `collect_evidence` sweeps every category for one window and
reports each as found / not_found / unavailable (with the reason); an empty category is a result.
`<target>` is the failing process, unit or pid.

"""


def reference_markdown() -> str:
    """The whole skill reference file."""
    return REFERENCE_HEADER + reference_table() + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")


def _macos_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sweep_predicate(targets: list[str]) -> str:
    """One macOS predicate covering every log-based category (one `log show` run for the sweep)."""
    parts = []
    for c in CATEGORIES:
        if c.origin != "system_log" or not c.macos_predicate:
            continue
        if c.name == "target_process":
            for t in targets:
                if t.isdigit():
                    parts.append(f"processID == {int(t)}")
                else:
                    q = _macos_quote(t)
                    parts.append(f"process == {q} OR eventMessage CONTAINS[c] {q}")
            continue
        parts.append(c.macos_predicate)
    return " OR ".join(f"({p})" for p in parts)
