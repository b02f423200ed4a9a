"""Test runs seen by the Bash hooks: is this a test command, did it fail, with what signature, and
how many times in a row has the same failure come back after edits.

Stdlib only (the PostToolUse hooks import it). A fix that does not converge looks like this: the
same test fails with the same error, the agent edits, runs again, same failure. At 2 such runs the
hook warns; at 3 it opens a tactical investigation (edits blocked until a prescription is
recorded); at 5 it tells the user that the fixes are not converging.

The streak (per project, shared by sessions) is `streak.json` in the project's state folder.
"""

from __future__ import annotations

from . import gatefile


class _lazy:
    """A regex compiled on first use: the PostToolUse hook imports this module for every Bash
    call, and most calls are not test runs, so they should pay neither for compiling these nor
    for importing `re` (~5 ms with the enum and functools it imports). `flags` are names of `re`
    flags ("M", "X", "I")."""

    __slots__ = ("pattern", "flags", "rx")

    def __init__(self, pattern: str, flags: str = ""):
        self.pattern = pattern
        self.flags = flags
        self.rx = None

    def __getattr__(self, name: str):
        if self.rx is None:
            import re

            self.rx = re.compile(self.pattern, sum(getattr(re, f) for f in self.flags))
        return getattr(self.rx, name)

WARN_AT = 2
OPEN_AT = 3
TELL_USER_AT = 5
MAX_OUTPUT = 4000  # characters of a failing run's output kept as evidence

#: Cheap substring filter before any regex: a command without one of these is not a test run.
_HINTS = ("test", "jest", "vitest", "mocha", "tox", "nox", "spec", "check", "phpunit", "ctest", "mvn", "gradle")

_SEGMENT_SPLIT = _lazy(r"&&|\|\||[;|\n&]")
_PREFIX = _lazy(
    r"^\s*(?:(?:[A-Za-z_][A-Za-z0-9_]*=\S*|sudo|env|time|nice|timeout\s+\S+|xvfb-run|command|exec|"
    r"(?:uv|poetry|pipenv|pdm|hatch|rye)\s+run|bundle\s+exec|npx|pnpx|bunx|(?:pnpm|yarn)\s+exec|"
    r"(?:\S*/)?(?:python[0-9.]*|py)\s+-m)\s+)*"
)
_TEST_COMMANDS = _lazy(
    r"""^(?:\S*/)?(?:
        py\.?test|pytest-3|tox|nox|unittest|green|ward|
        jest|vitest|mocha|ava|karma|playwright\s+test|cypress\s+run|
        (?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:test|t)(?::\S+)?|(?:npm|pnpm|yarn)\s+(?:run\s+)?\S*test\S*|bun\s+test|deno\s+test|
        go\s+test|gotestsum|cargo\s+(?:test|nextest)|
        mvn|mvnw|gradle|gradlew|
        make\s+(?:\S+\s+)*(?:test|tests|check)|ctest|meson\s+test|ninja\s+test|
        rspec|rake\s+(?:test|spec)|rails\s+test|phpunit|pest|dotnet\s+test|mix\s+test|swift\s+test|
        stack\s+test|cabal\s+test|dune\s+test|zig\s+build\s+test|bazel\s+test|
        python[0-9.]*\s+\S*test\S*\.py|\./\S*test\S*
    )(?:\s|$)""",
    "X",
)
_JAVA_TEST_GOAL = _lazy(r"(?:^|\s)(?:test|verify|check|integrationTest|\S+:test)(?:\s|$)")


def is_test_command(command: object) -> bool:
    """True when one segment of the shell command runs a test suite."""
    if not isinstance(command, str) or not command:
        return False
    low = command.lower()
    if not any(h in low for h in _HINTS):
        return False
    for seg in _SEGMENT_SPLIT.split(command):
        rest = seg[_PREFIX.match(seg).end():].strip()
        m = _TEST_COMMANDS.match(rest)
        if not m:
            continue
        head = rest.split()[0].rsplit("/", 1)[-1]
        if head in ("mvn", "mvnw", "gradle", "gradlew") and not _JAVA_TEST_GOAL.search(rest):
            continue
        return True
    return False


# --- outcome ------------------------------------------------------------------------------------

_EXIT = _lazy(r"^Exit code (\d+)")


def outcome(payload: dict) -> tuple[bool, int | None, str]:
    """(failed, exit code, output) of a Bash PostToolUse / PostToolUseFailure payload.

    PostToolUseFailure carries `"error": "Exit code 1\\n<output>"`; PostToolUse carries
    `tool_response.stdout/stderr` and exit status 0 — but `pytest | tail` hides a failure behind
    exit 0, so a PostToolUse run whose output shows a test summary with failures also counts.
    """
    if payload.get("hook_event_name") == "PostToolUseFailure" or "error" in payload:
        err = payload.get("error")
        text = err if isinstance(err, str) else ""
        m = _EXIT.match(text)
        code = int(m.group(1)) if m else None
        output = text.split("\n", 1)[1] if "\n" in text else ("" if m else text)
        return True, code, output
    resp = payload.get("tool_response")
    if isinstance(resp, dict):
        output = "\n".join(str(resp.get(k) or "") for k in ("stdout", "stderr")).strip("\n")
    else:
        output = str(resp or "")
    return bool(_SUMMARY_FAILED.search(output)), 0, output


_SUMMARY_FAILED = _lazy(
    r"=+ .*\b\d+ (?:failed|errors?)\b.* =+$|"  # pytest final line
    r"^FAIL\s|^--- FAIL:|"  # go test
    r"^test result: FAILED|"  # cargo
    r"^Tests?:\s+\d+ failed|"  # jest
    r"Tests?\s+\d+ failed|"  # vitest
    r"^\[ERROR\] Tests run:.*Failures: [1-9]|BUILD FAILED|"  # maven / gradle
    r"^FAILED \(|"  # unittest
    r"\d+ examples?, [1-9]\d* failures?",  # rspec
    "M",
)

# --- signature ----------------------------------------------------------------------------------

_SIG_PATTERNS = (
    # pytest short summary: FAILED tests/test_x.py::test_y - AssertionError: assert 1 == 2
    _lazy(r"^(?:FAILED|ERROR) (?P<test>\S+)(?: - (?:[a-z_]\w*\.)*(?P<err>[A-Z]\w*)\b)?", "M"),
    # go test
    _lazy(r"^\s*--- FAIL: (?P<test>\S+)", "M"),
    # cargo test
    _lazy(r"^test (?P<test>\S+) \.\.\. FAILED", "M"),
    # jest / vitest
    _lazy(r"^\s*(?:●|×|✕|FAIL)\s+(?P<test>[^\n]+?)\s*$", "M"),
    # maven surefire
    _lazy(r"^\[ERROR\]\s+(?P<test>[\w.$]+[.#]\w+)(?::\d+)?\s", "M"),
    # gradle
    _lazy(r"^(?P<test>[\w.$]+ > [^\n]+?) FAILED$", "M"),
    # unittest
    _lazy(r"^(?:FAIL|ERROR): (?P<test>\w+ \([\w.]+\))", "M"),
    # rspec
    _lazy(r"^rspec (?P<test>\./\S+)", "M"),
)
_ERR_TYPE = _lazy(
    r"(?:^E\s+|^\s*|:\d+: |panicked at .*?: )(?:[a-z_]\w*\.)*(?P<err>[A-Z]\w*(?:Error|Exception|Failure|Exit|Interrupt))\b",
    "M",
)
_GENERIC = _lazy(r"^.*\b(?:error|fail(?:ed|ure)?|panic)\b.*$", "IM")
_NOISE = _lazy(r"0x[0-9a-f]+|\d+(?:\.\d+)?(?:s|ms)?\b|/tmp/\S+", "I")


def signature(output: str) -> str:
    """'first failing test | error type' — stable across runs of the same failure (durations,
    addresses and counts are removed)."""
    text = output[-200_000:]
    test = err = None
    for pat in _SIG_PATTERNS:
        m = pat.search(text)
        if m:
            test = m.group("test").strip()
            err = m.groupdict().get("err")
            break
    if not err:
        m = _ERR_TYPE.search(text)
        err = m.group("err") if m else None
    if test is None:
        m = _GENERIC.search(text)
        test = m.group(0).strip()[:160] if m else "(no test name in the output)"
    return _NOISE.sub("#", f"{test} | {err or 'failure'}")[:300]


# --- the streak ---------------------------------------------------------------------------------


def load_streak(project: str) -> dict:
    try:
        s = gatefile.read_json(gatefile.streak_path(project))
    except (OSError, ValueError):
        s = None
    if not s or not isinstance(s.get("count"), int):
        return {"signature": None, "count": 0, "edits": 0, "runs": []}
    return s


def note_edit(project: str) -> bool:
    """Count an edit toward the current failing streak (lock held by the caller). False when no
    streak is running (nothing written)."""
    s = load_streak(project)
    if not s["count"]:
        return False
    s["edits"] = int(s.get("edits") or 0) + 1
    gatefile.write_json(gatefile.streak_path(project), s)
    return True


def update_streak(project: str, failed: bool, sig: str | None, run: dict, open_id: str | None = None) -> dict:
    """Apply one test run to the streak and save it (lock held by the caller); returns the streak.

    A pass resets it. A failure with a new signature starts a new streak at 1. The same failure
    again counts only when something was edited since the previous run: re-running unchanged code
    is not another failed fix. A streak whose tactical investigation has since been closed
    (`open_id` is the investigation open now, if any) starts over: the diagnosis was made.
    """
    s = load_streak(project)
    if s.get("opened") and s.get("opened") != open_id:
        s = {"signature": None, "count": 0, "edits": 0, "runs": []}
    if not failed:
        s = {"signature": None, "count": 0, "edits": 0, "runs": [], "passed": run.get("time")}
    elif s.get("signature") != sig or not s["count"]:
        s = {"signature": sig, "count": 1, "edits": 0, "runs": [run]}
    elif int(s.get("edits") or 0) > 0:
        s["count"] += 1
        s["edits"] = 0
        s["runs"] = (s.get("runs") or [])[-(TELL_USER_AT - 1):] + [run]
    else:
        s["repeats"] = int(s.get("repeats") or 0) + 1
    gatefile.write_json(gatefile.streak_path(project), s)
    return s


def run_record(payload: dict, failed: bool, code: int | None, output: str, sig: str | None) -> dict:
    """One test run as the hooks keep it, with a stable evidence id."""
    import hashlib

    t = gatefile.now_iso()
    command = str((payload.get("tool_input") or {}).get("command") or "")
    h = hashlib.blake2b(digest_size=8)
    for part in ("test_run", payload.get("session_id"), payload.get("tool_use_id"), command, t):
        h.update(str(part or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return {
        "evidence_id": "ev-" + h.hexdigest(), "time": t, "command": command[:2000], "exit_code": code,
        "failed": failed, "signature": sig, "output": output[-MAX_OUTPUT:], "session_id": payload.get("session_id"),
        "tool_use_id": payload.get("tool_use_id"),
    }


# --- the investigation record, as raw JSON (workflow/state.py is the schema) --------------------

#: What the tactical gate needs once scope is done; tests check it equals gates.missing().
TACTICAL_INVESTIGATE_MISSING = [
    "investigate: at least one hypothesis citing ledger evidence (the recorded test runs, forensic tool results) "
    "with a confidence: rca_record kind=hypothesis evidence_ids=[…] confidence=0.0-1.0",
    "then: prescription",
]


def ledger_append(inv: dict, run: dict) -> None:
    """Add a test run to an investigation's ledger and evidence (raw JSON, lock held)."""
    ledger = inv.setdefault("ledger", [])
    seq = max((int(e.get("seq") or 0) for e in ledger), default=0) + 1
    ledger.append({
        "seq": seq, "time": run["time"], "tool": "test_run",
        "arguments": {"command": run["command"], "session_id": run.get("session_id")},
        "counts": {"exit_code": run["exit_code"]} if isinstance(run.get("exit_code"), int) else {},
        "evidence_ids": [run["evidence_id"]], "categories": {},
        "error": None,
    })
    summary = f"{'FAILED' if run['failed'] else 'passed'} (exit {run.get('exit_code')}): {run['command'][:80]}"
    if run.get("signature"):
        summary += f" — {run['signature']}"
    inv.setdefault("evidence", {})[run["evidence_id"]] = {
        "evidence_id": run["evidence_id"], "tool": "test_run", "seq": seq, "time": run["time"],
        "source": "claude_code:bash", "summary": summary[:200],
    }


def open_tactical(project: str, streak: dict) -> dict:
    """Create the tactical investigation for a non-converging fix (lock held). Scope is already
    answered by the failing command and its error, so it starts in `investigate`."""
    t = gatefile.now_iso()
    runs = streak.get("runs") or []
    last = runs[-1] if runs else {}
    inv_id = gatefile.next_id(project)
    inv = {
        "id": inv_id, "mode": "tactical", "status": "open",
        "incident": f"The same test failure came back {streak['count']} times after edits: {streak['signature']}",
        "project_dir": project, "window_start": runs[0]["time"] if runs else t, "window_end": None, "targets": [],
        "phase": "investigate",
        "phases": [{"phase": "scope", "started": t, "completed": t}, {"phase": "investigate", "started": t}],
        "ledger": [], "evidence": {},
        "findings": [{
            "id": "F-1", "kind": "scope", "evidence_ids": [r["evidence_id"] for r in runs], "time": t,
            "text": f"Failing command: {last.get('command', '')[:300]} — exit {last.get('exit_code')}; "
                    f"failure: {streak['signature']}",
        }],
        "overrides": [], "created": t, "updated": t,
        "trigger": {"command": last.get("command"), "signature": streak["signature"], "count": streak["count"],
                    "exit_code": last.get("exit_code"), "session_id": last.get("session_id")},
    }
    for r in runs:
        ledger_append(inv, r)
    gatefile.write_investigation(project, inv)
    streak["opened"] = inv_id
    gatefile.write_json(gatefile.streak_path(project), streak)
    gatefile.write_gate(project, gatefile.make_gate(
        project, inv_id, "tactical", "investigate", False, TACTICAL_INVESTIGATE_MISSING, False))
    return inv


def record_in_open(project: str, gate: dict, run: dict) -> None:
    """Append a test run to the open investigation's ledger (lock held)."""
    inv = gatefile.read_investigation(project, str(gate["id"]))
    if inv is None or inv.get("status") != "open":
        return
    ledger_append(inv, run)
    inv["updated"] = gatefile.now_iso()
    gatefile.write_investigation(project, inv)


def tail(text: str, n: int = 1200) -> str:
    return text if len(text) <= n else "…" + text[-n:]

