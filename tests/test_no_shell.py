"""Proof that no input reaches a shell: static scan of the code, and argv fuzzing of the runner."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_server.errors import InputError
from mcp_server.sources._proc import ProcRun, reject_option_like, run_capture
from tests.conftest import ROOT

CODE_DIRS = [ROOT / "mcp_server", ROOT / "hooks", ROOT / "scripts"]


def python_files():
    for d in CODE_DIRS:
        yield from sorted(p for p in d.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_shell_in_any_subprocess_call():
    offenders = []
    for path in python_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            if func in ("os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"):
                offenders.append(f"{path}:{node.lineno}: {func}")
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    offenders.append(f"{path}:{node.lineno}: shell={ast.unparse(kw.value)}")
            if func.startswith("subprocess.") and node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr)):
                offenders.append(f"{path}:{node.lineno}: {func} given a string, not an argv list")
    assert offenders == []


def test_runner_refuses_a_string_command():
    with pytest.raises(TypeError):
        ProcRun("echo hi; rm -rf /")  # type: ignore[arg-type]


METACHARS = st.text(alphabet=st.sampled_from(list(";|&$`()<>*?!{}[]~#'\"\\\n -=") + list("abc/")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(METACHARS, min_size=1, max_size=4))
def test_arguments_reach_the_program_verbatim(tmp_path_factory, args):
    """Every argument arrives as one argv element, byte for byte, and nothing else runs."""
    marker = tmp_path_factory.mktemp("inj") / "ran"
    args = args + [f"; touch {marker}", f"$(touch {marker})", f"`touch {marker}`"]
    code = "import sys, json; print(json.dumps(sys.argv[1:]))"
    out, run = run_capture([sys.executable, "-c", code, *args])
    assert json.loads(out[0]) == args
    assert not marker.exists()


@pytest.mark.parametrize("value", ["-", "--output=/etc/passwd", "-rf", "--exec=sh"])
def test_option_like_values_are_refused(value):
    with pytest.raises(InputError, match="read as an option"):
        reject_option_like(value, "unit")


def test_ordinary_values_pass():
    assert reject_option_like("postgres.service", "unit") == "postgres.service"
