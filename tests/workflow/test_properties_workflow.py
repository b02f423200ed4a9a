"""Property tests for the text the workflow parses: commands, test output, hook prompts, tool results.

Whatever the bytes, nothing raises, time stays bounded, and the results keep their shape."""

from __future__ import annotations

import importlib.util

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_server.workflow import ledger, testruns
from tests.conftest import ROOT

SETTINGS = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

words = st.sampled_from(["pytest", "FAILED", "ERROR", "--- FAIL:", "test ", " ... FAILED", "● ", "E   ", "Error",
                         "AssertionError", "panicked at ", "Exit code 1\n", "\n", " - ", "::", "&&", "|", ";", "=",
                         "\x00", "\udcff", "é", "mvn test", "go test", "npm test", "FAIL ", "[ERROR] ", "> "])
texts = st.one_of(st.text(), st.lists(st.one_of(words, st.text(max_size=20)), max_size=60).map("".join))


@SETTINGS
@given(texts)
def test_is_test_command_never_raises(command):
    assert testruns.is_test_command(command) in (True, False)


@SETTINGS
@given(texts)
def test_signature_is_bounded_and_stable(output):
    sig = testruns.signature(output)
    assert isinstance(sig, str) and 0 < len(sig) <= 300 and " | " in sig
    assert testruns.signature(output) == sig


@SETTINGS
@given(st.dictionaries(st.sampled_from(["hook_event_name", "error", "tool_response", "tool_input", "x"]),
                       st.one_of(texts, st.none(), st.integers(), st.dictionaries(st.sampled_from(["stdout", "stderr"]),
                                                                                  texts))))
def test_outcome_accepts_any_payload_shape(payload):
    failed, code, output = testruns.outcome(payload)
    assert failed in (True, False) and (code is None or isinstance(code, int)) and isinstance(output, str)


@settings(max_examples=20, deadline=5000)
@given(st.sampled_from(["a" * 200_000, "FAIL " + " " * 100_000 + "x", "E   " + "A" * 100_000,
                        ("panicked at " + "x" * 50_000 + "\n") * 4, "Z" * 150_000 + "Error"]))
def test_signature_of_enormous_lines(output):
    assert len(testruns.signature(output)) <= 300


def _prompt_parser():
    spec = importlib.util.spec_from_file_location("_user_prompt_submit", ROOT / "hooks" / "_user_prompt_submit.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.parse_override


parse_override = _prompt_parser()


@SETTINGS
@given(st.one_of(texts, st.none(), st.integers()))
def test_override_parser_never_raises(prompt):
    r = parse_override(prompt)
    assert r is None or isinstance(r, str)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30), st.just("ev-0123")),
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(st.sampled_from(["evidence_id", "time", "message", "categories",
                                                                "source", "status", "name", "events"]), children,
                                               max_size=6)),
    max_leaves=60,
)


@SETTINGS
@given(json_values)
def test_ledger_summary_of_any_result(result):
    counts, refs, cats = ledger.summarize(result)
    for eid, ref in refs.items():  # every ref fits the schema (a bad one would lose the whole ledger entry)
        ledger.EvidenceRef(evidence_id=eid, tool="t", seq=1, **ref)
    assert all(isinstance(v, int) for v in counts.values())
    assert all(k.startswith("ev-") for k in refs)
    assert set(cats.values()) <= {"found", "not_found", "unavailable"}
