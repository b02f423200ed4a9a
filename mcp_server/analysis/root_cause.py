"""Root-cause classes, their remediation guidance, and heuristics that suggest a class from evidence.

The classes are data (`CLASSES`): the six software classes (config_error, data_corruption, drift,
external_failure, logic_error, resource_exhaustion) and the three system classes that dominate
"why did my process die" (process_killed, code_signing, power_event). Each carries what to fix
now, and the systemic recommendation used when the incident store sees the class recur.

`suggest_class(events, findings)` applies pattern rules (`RULES`) to event messages and to the
text of findings, and returns `Suggestion`s ranked by confidence, each naming the evidence ids
and rules that triggered it. A suggestion is a lead for the investigator, never a verdict: the
investigation sets `root_cause_class` itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional, Sequence

from pydantic import BaseModel, Field

from ..models import Event


class RootCauseClass(BaseModel):
    name: str
    title: str
    description: str
    remediation: list[str] = Field(description="What to do about an incident of this class.")
    systemic: str = Field(description="What to change when incidents of this class recur.")


CLASSES: dict[str, RootCauseClass] = {
    c.name: c
    for c in [
        RootCauseClass(
            name="config_error",
            title="Configuration error",
            description="A setting, flag, path, port, permission or environment value was wrong or missing.",
            remediation=[
                "Correct the setting and record the right value next to the code that reads it.",
                "Validate configuration at start-up and fail with a message naming the bad key.",
                "Add the misconfiguration as a test case (a config fixture that must be refused).",
            ],
            systemic="Validate configuration against a schema in CI and at start-up; keep per-environment values in one reviewed place.",
        ),
        RootCauseClass(
            name="data_corruption",
            title="Data corruption",
            description="Stored data was damaged or inconsistent (torn write, bad checksum, malformed database, disk error).",
            remediation=[
                "Restore the damaged data from a known-good copy and verify it (checksums, integrity check).",
                "Find the writer that left it inconsistent: make writes atomic (write temp, fsync, rename) or transactional.",
                "Check the disk and file system (SMART, dmesg I/O errors) before trusting the volume again.",
            ],
            systemic="Make every write atomic or transactional, add integrity checks on read, and test restores from backup regularly.",
        ),
        RootCauseClass(
            name="drift",
            title="Drift",
            description="The environment changed under the program: an upgrade, a different dependency or library version, changed defaults, a moved branch.",
            remediation=[
                "Identify what changed between the last good run and the failure (package logs, lock files, git activity).",
                "Pin the dependency or adapt the code to the new version, and record the version requirement.",
            ],
            systemic="Pin versions with lock files, rebuild environments from them, and alert on unreviewed upgrades of hosts and toolchains.",
        ),
        RootCauseClass(
            name="external_failure",
            title="External failure",
            description="A dependency outside the program failed: network, DNS, an API (rate limits, overload), a remote service.",
            remediation=[
                "Confirm the dependency's failure from its side (status page, its logs) and the times it overlapped.",
                "Add timeouts, bounded retries with back-off, and a clear error when the dependency stays down.",
            ],
            systemic="Treat every remote call as fallible: timeouts, retries with jitter, circuit breakers, and monitoring of the dependency.",
        ),
        RootCauseClass(
            name="logic_error",
            title="Logic error",
            description="A defect in the program's own code: a crash (segfault, abort, panic, uncaught exception) or wrong behaviour.",
            remediation=[
                "Reproduce with the crash's inputs, fix the code at the faulting frame, and add a regression test.",
                "Keep the crash report or core dump with the fix for reference.",
            ],
            systemic="Add regression tests for each crash, run sanitizers or fuzzing on the affected component, and review the error-handling pattern that failed.",
        ),
        RootCauseClass(
            name="resource_exhaustion",
            title="Resource exhaustion",
            description="Memory, disk, file descriptors, processes or another bounded resource ran out (OOM killer, jetsam, ENOSPC, EMFILE).",
            remediation=[
                "Find what consumed the resource (the OOM report's largest process, disk usage, open files) and bound it.",
                "Set explicit limits (memory limits, ulimits, quotas) so one process cannot starve the rest, and alert before the limit.",
            ],
            systemic="Monitor the resource with alerts well below its limit, set per-service limits, and load-test memory and disk growth.",
        ),
        RootCauseClass(
            name="process_killed",
            title="Process killed",
            description="The process was terminated on purpose by a signal or a command (kill, pkill, tmux kill-server, systemctl stop), by a person, an agent or a supervisor.",
            remediation=[
                "Identify who sent the signal (the command and session that ran it) and why it matched this process.",
                "Make the killing command precise (exact pid or unit, no broad name patterns) or remove it.",
                "Guard destructive commands in agents (deny kill-server / pkill of shared processes) and run long-lived work under a supervisor that restarts it.",
            ],
            systemic="Keep agents and scripts from killing processes they did not start: a pre-execution guard on kill/pkill/tmux kill-server, separate tmux sockets or servers per agent, and supervision for long-lived processes.",
        ),
        RootCauseClass(
            name="code_signing",
            title="Code signing / security policy",
            description="The OS refused to run or killed the process for its signature or a security policy (AMFI, CODESIGNING termination, invalid CMS blob, AppArmor/SELinux denial, seccomp).",
            remediation=[
                "Re-sign the binary (codesign --force --sign …) or restore the signed build; check entitlements and notarisation.",
                "For AppArmor/SELinux/seccomp: read the denial, then adjust the profile or the program's access deliberately.",
            ],
            systemic="Sign and verify binaries in the build pipeline (codesign --verify, spctl), never patch binaries after signing, and test under the production security profile.",
        ),
        RootCauseClass(
            name="power_event",
            title="Power event",
            description="Sleep, wake, DarkWake, suspend, shutdown or power loss interrupted the process or its connections.",
            remediation=[
                "Correlate the death with the sleep/wake times; keep the machine awake for the job (caffeinate -dimsu, systemd-inhibit) or make the process survive sleep.",
                "Reconnect or resume after wake instead of dying on a broken connection.",
            ],
            systemic="Run long jobs where sleep does not apply (a server, or under caffeinate/systemd-inhibit) and make clients reconnect after wake.",
        ),
    ]
}


class Suggestion(BaseModel):
    root_cause_class: str
    title: str
    confidence: float = Field(ge=0, le=1)
    reasons: list[str] = Field(description="The rules that matched, with how often.")
    evidence_ids: list[str] = Field(description="The events that triggered the suggestion (cite them).")
    finding_ids: list[str] = Field(default_factory=list, description="Findings whose text supported it.")
    remediation: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    cls: str
    weight: float
    reason: str
    pattern: re.Pattern[str]
    #: None: any event; else only events whose data_type contains one of these (commands, crash reports)
    kinds: Optional[tuple[str, ...]] = None


def _r(cls: str, weight: float, reason: str, pattern: str, kinds: Optional[tuple[str, ...]] = None) -> Rule:
    return Rule(cls, weight, reason, re.compile(pattern, re.I), kinds)


#: Data types of events that are commands someone ran (transcript tool calls, shell history).
COMMAND_KINDS = ("tool", "command", "history", "bash")

RULES: tuple[Rule, ...] = (
    # resource exhaustion
    _r("resource_exhaustion", 0.9, "kernel OOM killer killed a process", r"Out of memory: Kill(ed)? process|invoked oom-killer|oom-kill:|oom_reaper"),
    _r("resource_exhaustion", 0.85, "systemd-oomd killed a unit", r"systemd-oomd|killed by (the )?systemd-oomd|oom-kill.*cgroup"),
    _r("resource_exhaustion", 0.9, "jetsam / memorystatus killed a process", r"memorystatus: killing|killed by jetsam|JetsamEvent|per-process-limit|vm-pageshortage|\bjetsam\b"),
    _r("resource_exhaustion", 0.7, "a resource ran out (ENOSPC, EMFILE, ENOMEM, fork failure)", r"No space left on device|ENOSPC|Too many open files|EMFILE|Cannot allocate memory|ENOMEM|fork: Resource temporarily unavailable|Disk quota exceeded"),
    # process killed by a signal or a command
    _r("process_killed", 0.85, "a command that kills processes was run", r"(^|[\s;&|(`])(sudo\s+)?(kill(all)?|pkill)\s|tmux\s+(-[A-Za-z]+\s+\S+\s+)*kill-(server|session)|systemctl\s+(stop|kill|restart)\s|launchctl\s+(bootout|kill|unload)\s|docker\s+(kill|stop|rm\s+-f)\s|pm2\s+(stop|delete|kill)", COMMAND_KINDS),
    _r("process_killed", 0.55, "the process was killed by a signal (systemd code=killed, SIGKILL/SIGTERM)", r"code=killed, status=(9/KILL|15/TERM|1/HUP|2/INT)|killed by signal|\bSIGKILL\b|terminated by signal (9|15)|Terminated: 15|Killed: 9"),
    _r("process_killed", 0.5, "a tmux server or session ended while clients were attached", r"server exited unexpectedly|\[server exited\]|lost server|no server running on|tmux server (pid \d+ )?(is )?gone"),
    # code signing / security policy
    _r("code_signing", 0.9, "the OS terminated the process for its code signature", r"CODESIGNING|Code Signature Invalid|code signature invalid|Invalid Page|CMS blob|cs_invalid|killed.*(signature|codesign)"),
    _r("code_signing", 0.45, "AMFI or taskgated acted on the process", r"\bAMFI\b|amfid|taskgated"),
    _r("code_signing", 0.6, "a security policy denied the process (AppArmor, SELinux, seccomp)", r'apparmor="DENIED"|avc:\s+denied|type=1326|seccomp'),
    # power
    _r("power_event", 0.35, "the machine slept, woke or suspended", r"PM: suspend (entry|exit)|Suspending system|System returned from sleep|DarkWake|Wake reason|Entering Sleep|sleep reason|Sleep Service|systemd-sleep|Lid (closed|opened)|Power key pressed|powerd.*(sleep|wake)"),
    _r("power_event", 0.5, "the machine shut down or rebooted", r"System is (powering down|rebooting)|Shutting down|reboot: (Restarting|Power down)|kernel: Linux version"),
    # data corruption
    _r("data_corruption", 0.7, "stored data was found corrupt", r"database disk image is malformed|checksum (mismatch|error|failed)|\bcorrupt(ed|ion)?\b|invalid page header|bad magic|EXT4-fs error|XFS.*corruption|Buffer I/O error|I/O error, dev"),
    # external failure
    _r("external_failure", 0.5, "a remote dependency failed or timed out", r"Connection refused|ECONNREFUSED|ECONNRESET|Connection reset by peer|Temporary failure in name resolution|Network is unreachable|ETIMEDOUT|timed out|503 Service Unavailable|502 Bad Gateway|rate[_ ]limit|overloaded_error|\b429\b"),
    # logic error
    _r("logic_error", 0.6, "the program crashed on its own fault", r"segfault at|Segmentation fault|SIGSEGV|SIGABRT|EXC_BAD_ACCESS|EXC_CRASH|core dumped|Traceback \(most recent call last\)|panic:|assertion failed|Assertion .* failed|uncaught exception|NullPointerException|fatal error:"),
    # config
    _r("config_error", 0.5, "a configuration value was invalid or missing", r"invalid (configuration|config|option|argument|value)|unknown (option|directive|key|setting)|missing required|Address already in use|EADDRINUSE|bad unit file setting|failed to (parse|load) (config|configuration)"),
    # drift
    _r("drift", 0.55, "a library or version did not match what the program expects", r"version mismatch|incompatible version|GLIBC_[0-9.]+' not found|symbol lookup error|was compiled against|ImportError: cannot import name|ModuleNotFoundError|requires a different version"),
    _r("drift", 0.35, "packages or code changed shortly before", r"\b(apt(-get)?|brew|pip|npm|yarn|pnpm)\s+(upgrade|install|update)\b|Unpacking .* over|\bgit\s+(pull|checkout|switch|rebase|merge)\b", COMMAND_KINDS + ("git", "dpkg", "apt")),
)

#: Messages that say a process ended (used to place power events "before death").
_DEATH = re.compile(
    r"exited|killed|terminated|crash|segfault|core dumped|Failed with result|Main process exited|server exited|lost server|Stopped",
    re.I,
)
_POWER = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in RULES if r.cls == "power_event"), re.I)
MAX_IDS_PER_CLASS = 20


def _matches(rule: Rule, data_type: str, text: str) -> bool:
    if rule.kinds is not None and not any(k in data_type for k in rule.kinds):
        return False
    return bool(rule.pattern.search(text))


def _event_text(ev: Event) -> str:
    parts = [ev.message]
    for key in ("command", "input", "termination", "exception", "signal", "reason"):
        v = ev.extra.get(key)
        if isinstance(v, str):
            parts.append(v)
    return "\n".join(parts)


def suggest_class(events: Iterable[Event], findings: Sequence[object] = ()) -> list[Suggestion]:
    """Suggest root-cause classes from events and findings, strongest first.

    `findings` are workflow `Finding`s (anything with `id`, `text`, `evidence_ids`); their text is
    matched by the same rules and their evidence ids count as triggering evidence. Confidence of a
    class combines its distinct matched rules as independent signals: 1 − Π(1 − weight).
    """
    hits: dict[str, dict[int, int]] = {}
    ids: dict[str, list[str]] = {}
    fids: dict[str, list[str]] = {}
    deaths: list[datetime] = []
    power: list[tuple[datetime, str]] = []

    def note(rule_i: int, ev_ids: Sequence[str]) -> None:
        rule = RULES[rule_i]
        hits.setdefault(rule.cls, {}).setdefault(rule_i, 0)
        hits[rule.cls][rule_i] += 1
        bucket = ids.setdefault(rule.cls, [])
        for x in ev_ids:
            if x not in bucket and len(bucket) < MAX_IDS_PER_CLASS:
                bucket.append(x)

    for ev in events:
        text = _event_text(ev)
        for i, rule in enumerate(RULES):
            if _matches(rule, ev.data_type, text):
                note(i, [ev.evidence_id])
        if ev.time is not None:
            if _DEATH.search(ev.message):
                deaths.append(ev.time)
            if _POWER.search(ev.message):
                power.append((ev.time, ev.evidence_id))

    for f in findings:
        text = str(getattr(f, "text", ""))
        f_ids = list(getattr(f, "evidence_ids", []) or [])
        for i, rule in enumerate(RULES):
            if rule.kinds is None and rule.pattern.search(text):
                note(i, f_ids)
                fids.setdefault(rule.cls, []).append(str(getattr(f, "id", "")))

    bonus: dict[str, tuple[float, str]] = {}
    if power and deaths:
        before = [(t, eid) for t, eid in power if any(0 <= (d - t).total_seconds() <= 6 * 3600 for d in deaths)]
        if before:
            bonus["power_event"] = (0.4, f"{len(before)} sleep/wake event(s) precede a process death within 6 h")
            for _, eid in before:
                if eid not in ids.setdefault("power_event", []):
                    ids["power_event"].append(eid)

    out: list[Suggestion] = []
    for cls, rules in hits.items():
        miss = 1.0
        reasons = []
        for rule_i, n in rules.items():
            miss *= 1 - RULES[rule_i].weight
            reasons.append(f"{RULES[rule_i].reason} ({n}×)")
        if cls in bonus:
            miss *= 1 - bonus[cls][0]
            reasons.append(bonus[cls][1])
        c = CLASSES[cls]
        out.append(
            Suggestion(
                root_cause_class=cls, title=c.title, confidence=round(1 - miss, 3), reasons=reasons,
                evidence_ids=ids.get(cls, []), finding_ids=sorted(set(fids.get(cls, []))), remediation=c.remediation,
            )
        )
    # A kill explained by memory pressure is resource exhaustion first: rank it above the signal.
    out.sort(key=lambda s: (-s.confidence, s.root_cause_class))
    return out


def remediation(cls: Optional[str]) -> list[str]:
    c = CLASSES.get(cls or "")
    return list(c.remediation) if c else []


__all__ = ["CLASSES", "RULES", "RootCauseClass", "Rule", "Suggestion", "remediation", "suggest_class"]
