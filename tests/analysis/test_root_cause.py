"""Root-cause classes and the heuristics that suggest them from real log lines."""

from __future__ import annotations

from mcp_server.analysis.root_cause import CLASSES, suggest_class
from mcp_server.models import Event, make_evidence_id
from tests.report_fixtures import at, bash_call, finding, history, journald, syslog, tmux_incident_events

# Real lines (../shared/samples: hotsos sosreport, Console.app copies, zearp/Nucintosh issue 9).
OOM_INVOKED = "kworker/0:0 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0"
OOM_KILLED = "Out of memory: Killed process 955 (gnome-shell) total-vm:3289540kB, anon-rss:77868kB, file-rss:107372kB, shmem-rss:12kB, UID:121 pgtables:788kB oom_score_adj:0"
SIGKILL = "nova-compute.service: Main process exited, code=killed, status=9/KILL"
JETSAM = "memorystatus: killing_specific_process pid 994 [KeyboardSpike] (per-process-limit 100 12s rf:- type:app) 78850KB - memorystatus_available_pages: 114015"
AMFI_KILL = "CODESIGNING, Code 0x1 Taskgated Invalid Signature"
DARKWAKE = "[powerd:sleepWake] DarkWake from Normal Sleep [CDN] : due to XDCI/"
SEGV = "python3[40213]: segfault at 0 ip 00007f3a2c1e5b43 sp 00007ffd0c9b2e80 error 4 in libc.so.6[7f3a2c16d000+195000]"


def names(suggestions):
    return [s.root_cause_class for s in suggestions]


def test_every_class_has_remediation_and_systemic_guidance():
    assert set(CLASSES) == {
        "config_error", "data_corruption", "drift", "external_failure", "logic_error", "resource_exhaustion",
        "process_killed", "code_signing", "power_event",
    }
    for c in CLASSES.values():
        assert c.remediation and all(len(r) > 20 for r in c.remediation) and len(c.systemic) > 40


def test_oom_killer_suggests_resource_exhaustion_above_the_sigkill_it_caused():
    evs = [
        journald(at(0), "kernel", None, OOM_INVOKED),
        journald(at(0.1), "kernel", None, OOM_KILLED),
        journald(at(0.2), "systemd", 1, SIGKILL),
    ]
    s = suggest_class(evs)
    assert names(s)[:2] == ["resource_exhaustion", "process_killed"]
    assert set(s[0].evidence_ids) == {evs[0].evidence_id, evs[1].evidence_id}
    assert s[1].evidence_ids == [evs[2].evidence_id]
    assert s[0].remediation == CLASSES["resource_exhaustion"].remediation


def test_jetsam_is_resource_exhaustion():
    ev = syslog(at(0), "kernel", None, JETSAM, zone=None)
    s = suggest_class([ev])
    assert names(s) == ["resource_exhaustion"] and s[0].evidence_ids == [ev.evidence_id]


def test_tmux_kill_server_by_an_agent_is_process_killed_with_the_command_as_evidence():
    ev = tmux_incident_events()
    s = suggest_class(list(ev.values()))
    top = s[0]
    assert top.root_cause_class == "process_killed" and top.confidence >= 0.85
    assert ev["kill"].evidence_id in top.evidence_ids
    assert ev["lost"].evidence_id in top.evidence_ids  # "server exited unexpectedly"
    assert ev["start_server"].evidence_id not in top.evidence_ids  # tmux new-session kills nothing
    assert any("command that kills" in r for r in top.reasons)


def test_kill_text_only_counts_when_it_is_a_command():
    # A log line *mentioning* pkill is not someone running pkill.
    log = journald(at(0), "sudo", 300, "dev : TTY=pts/0 ; PWD=/home/dev ; USER=root ; COMMAND=/usr/bin/grep pkill notes.txt")
    assert "process_killed" not in names(suggest_class([log]))
    assert names(suggest_class([history(at(0), "pkill -f 'node server.js'")])) == ["process_killed"]
    assert names(suggest_class([bash_call(at(0), "sudo systemctl restart postgresql")])) == ["process_killed"]


def test_codesigning_termination_is_code_signing():
    ev = Event(
        evidence_id=make_evidence_id("macos:crash:ips", at(0), "MyTool"), data_type="macos:crash:ips", source="crash_reports",
        time=at(0), time_zone="UTC", process="MyTool", message="Termination Reason: CODESIGNING 1 Taskgated Invalid Signature",
        extra={"termination": AMFI_KILL},
    )
    s = suggest_class([ev])
    assert names(s)[0] == "code_signing" and s[0].confidence >= 0.9


def test_sleep_before_death_is_a_power_event_and_sleep_alone_is_weaker():
    wake = syslog(at(0), "powerd", 67, DARKWAKE, zone="+01:00")
    death = journald(at(600), "systemd", 1, "ssh-tunnel.service: Main process exited, code=exited, status=255/EXCEPTION")
    with_death = suggest_class([wake, death])
    alone = suggest_class([wake])
    p1 = next(s for s in with_death if s.root_cause_class == "power_event")
    p2 = next(s for s in alone if s.root_cause_class == "power_event")
    assert p1.confidence > p2.confidence
    assert any("precede" in r for r in p1.reasons)
    # death before the sleep does not count
    late = suggest_class([journald(at(-600), "systemd", 1, SIGKILL), wake])
    assert not any("precede" in r for s in late for r in s.reasons)


def test_segfault_is_logic_error_and_findings_contribute():
    ev = journald(at(0), "kernel", None, SEGV)
    f = finding("F-2", "hypothesis", "The config file has an invalid option `workers = -1`", [ev.evidence_id])
    s = suggest_class([ev], [f])
    assert names(s)[0] == "logic_error"
    cfg = next(x for x in s if x.root_cause_class == "config_error")
    assert cfg.finding_ids == ["F-2"] and cfg.evidence_ids == [ev.evidence_id]


def test_ordinary_events_suggest_nothing():
    evs = [
        journald(at(0), "systemd", 1, "Started Session 5 of User dev."),
        bash_call(at(1), "git status"),
        history(at(2), "ls -la"),
    ]
    assert suggest_class(evs) == []
