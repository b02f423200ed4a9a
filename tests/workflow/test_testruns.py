"""Recognising test runs, their failures and a stable failure signature."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mcp_server.workflow import testruns


@pytest.mark.parametrize("command", [
    "pytest", "pytest -x tests/test_api.py", "python -m pytest -q", "python3.11 -m pytest tests",
    "uv run pytest -k parse", "poetry run pytest", "cd backend && pytest -q 2>&1 | tail -20",
    "PYTHONPATH=. pytest", "/work/.venv/bin/python -m pytest -q", ".venv/bin/pytest", "timeout 300 pytest", "tox -e py311", "python -m unittest discover",
    "go test ./...", "go test -run TestParse ./pkg/...", "cargo test", "cargo nextest run",
    "npm test", "npm run test", "npm run test:unit", "pnpm test", "yarn test --watch=false", "npx jest src",
    "jest", "npx vitest run", "vitest", "bun test", "mvn test", "./mvnw -q verify", "gradle test",
    "./gradlew :core:test", "make test", "make -C build check", "ctest --output-on-failure",
    "bundle exec rspec spec/models", "dotnet test", "mix test", "deno test", "./run_tests.sh",
])
def test_test_commands_are_recognised(command):
    assert testruns.is_test_command(command)


@pytest.mark.parametrize("command", [
    "git status", "ls -la tests", "cat tests/test_api.py", "grep -rn pytest .", "pip install pytest",
    "echo test", "mvn package", "npm install", "make", "make build", "vim test.py", "rm -rf .pytest_cache",
    "go build ./...", "cargo build", "python app.py", "", None,
])
def test_other_commands_are_not(command):
    assert not testruns.is_test_command(command)


FAILING = """
def add(a, b):
    return a - b

def test_add():
    assert add(2, 2) == 4

def test_ok():
    assert True
"""


def real_pytest(tmp_path, body: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_calc.py").write_text(body)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_calc.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_signature_of_a_real_pytest_failure_is_stable(tmp_path):
    a = real_pytest(tmp_path, FAILING)
    assert a.returncode == 1
    sig = testruns.signature(a.stdout)
    assert sig == "test_calc.py::test_add | AssertionError"
    # the same failure after an edit elsewhere (different line numbers, durations) keeps its signature
    b = real_pytest(tmp_path, "import os\n\n" + FAILING)
    assert testruns.signature(b.stdout) == sig
    # a different error is a different signature
    c = real_pytest(tmp_path, FAILING.replace("return a - b", "return a + undefined_name"))
    assert testruns.signature(c.stdout) == "test_calc.py::test_add | NameError"


def test_outcome_of_the_real_failure_payload_shape(tmp_path):
    run = real_pytest(tmp_path, FAILING)
    payload = {"hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
               "tool_input": {"command": "python -m pytest"}, "error": f"Exit code 1\n{run.stdout}",
               "is_interrupt": False}
    failed, code, output = testruns.outcome(payload)
    assert failed and code == 1 and "1 failed, 1 passed" in output


def test_a_failure_hidden_by_a_pipe_still_counts(tmp_path):
    run = real_pytest(tmp_path, FAILING)
    tail = "\n".join(run.stdout.splitlines()[-5:])
    payload = {"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_input": {"command": "pytest | tail -5"},
               "tool_response": {"stdout": tail, "stderr": "", "interrupted": False}}
    failed, code, _ = testruns.outcome(payload)
    assert failed and code == 0
    ok = dict(payload, tool_response={"stdout": "===== 2 passed in 0.01s =====", "stderr": ""})
    assert testruns.outcome(ok)[0] is False


GO = """=== RUN   TestParseTime
    parse_test.go:18: got 0001-01-01 00:00:00 +0000 UTC, want 2026-11-20 03:10:00 +0000 UTC
--- FAIL: TestParseTime (0.00s)
FAIL
FAIL\texample.com/logs/parse\t0.004s
FAIL
"""
CARGO = """running 2 tests
test parse::tests::ok ... ok
test parse::tests::parses_time ... FAILED

failures:

---- parse::tests::parses_time stdout ----
thread 'parse::tests::parses_time' panicked at src/parse.rs:41:9:
assertion `left == right` failed
test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
"""
JEST = """FAIL src/parse.test.js
  ● parseTime › keeps the zone

    expect(received).toBe(expected) // Object.is equality

Tests:       1 failed, 3 passed, 4 total
"""
MAVEN = """[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.041 s <<< FAILURE! -- in com.example.ParseTest
[ERROR] com.example.ParseTest.parsesTime -- Time elapsed: 0.012 s <<< FAILURE!
org.opentest4j.AssertionFailedError: expected: <3> but was: <0>
"""


@pytest.mark.parametrize("output,expected", [
    (GO, "TestParseTime | failure"),
    (CARGO, "parse::tests::parses_time | failure"),
    (JEST, "src/parse.test.js | failure"),
    (MAVEN, "com.example.ParseTest.parsesTime | AssertionFailedError"),
])
def test_signatures_of_other_runners(output, expected):
    assert testruns.signature(output) == expected
    assert testruns._SUMMARY_FAILED.search(output)


def test_streak_counts_only_failures_after_edits(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(tmp_path / "data"))
    proj = str(tmp_path)
    run = {"evidence_id": "ev-1", "time": "t"}
    s = testruns.update_streak(proj, True, "a | E", run)
    assert s["count"] == 1
    assert testruns.update_streak(proj, True, "a | E", run)["count"] == 1  # re-run without an edit
    assert testruns.note_edit(proj)
    assert testruns.update_streak(proj, True, "a | E", run)["count"] == 2
    testruns.note_edit(proj)
    assert testruns.update_streak(proj, True, "b | E", run)["count"] == 1  # another failure starts over
    assert testruns.update_streak(proj, False, None, run)["count"] == 0
    assert not testruns.note_edit(proj)  # no streak: nothing written
