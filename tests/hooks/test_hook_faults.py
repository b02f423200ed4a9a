"""Fault injection: whatever breaks, a hook ends with the tool allowed and a note on stderr, or a
deliberate deny — never a hang, never an exit status Claude Code reads as a block."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from mcp_server.workflow import api, gatefile
from tests.conftest import ROOT, require

from .conftest import HOOK_PYTHON, SCRIPTS, copy_without_classifier, payload, run_hook
from .test_hooks import failing_pytest_payload

ALL_SCRIPTS = sorted(set(SCRIPTS.values()))


@pytest.mark.parametrize("script", ALL_SCRIPTS)
@pytest.mark.parametrize("stdin", [b"", b"   \n", b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage", b"null",
                                   b'{"tool_name": 42, "tool_input": "str", "cwd": 7}'])
def test_bad_stdin_allows_with_a_note(plugin, script, stdin):
    r = run_hook(script, stdin, plugin.env)
    assert r.returncode == 0 and r.out == {}
    if stdin.strip() in (b"", b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage", b"null"):
        assert r.stderr.startswith("rca hook:")


def test_unknown_fields_and_events_are_ignored(plugin):
    for script in ALL_SCRIPTS:
        r = run_hook(script, {"hook_event_name": "SomethingNew", "session_id": "s"}, plugin.env)
        assert r.out == {} and r.returncode == 0
    api.start("x")
    p = payload("PreToolUse", "Edit")
    p.update(future_field={"nested": [1, 2]}, effort={"level": "max"}, hook_event_name="PreToolUse")
    assert plugin.hook(p).out["hookSpecificOutput"]["permissionDecision"] == "deny"


def state_dir(plugin) -> Path:
    return Path(gatefile.state_dir(str(plugin.project)))


@pytest.mark.parametrize("content", [b"{corrupt", b'"a string"', b'{"open": "yes"}', b"\x00" * 64])
def test_corrupt_gate_allows_with_a_note(plugin, content):
    api.start("x")
    (state_dir(plugin) / "gate.json").write_bytes(content)
    for p in (payload("PreToolUse", "Edit"), payload("SessionStart"), payload("PreToolUse", "Bash")):
        r = plugin.hook(p)
        assert r.out == {} and r.returncode == 0
        assert "gate" in r.stderr


def test_gate_that_cannot_be_read_allows_with_a_note(plugin):
    api.start("x")
    gate = state_dir(plugin) / "gate.json"
    gate.unlink()
    gate.mkdir()  # reading it raises IsADirectoryError
    r = plugin.hook(payload("PreToolUse", "Edit"))
    assert r.out == {} and "cannot read" in r.stderr


def _as_nobody():
    os.setgid(65534)
    os.setuid(65534)


def relocate_for_nobody(plugin, monkeypatch) -> dict:
    """Root only: move the plugin data and project folders under a fresh /tmp folder that
    `nobody` may traverse (pytest's own tmp tree is private to root), so that a hook run as
    nobody meets exactly the state's own modes. Returns the run_hook arguments for that."""
    import tempfile
    from pathlib import Path

    base = Path(tempfile.mkdtemp(prefix="rca-nobody-"))
    os.chmod(base, 0o711)
    data, project = base / "data", base / "proj"
    project.mkdir()
    os.chmod(project, 0o755)
    plugin.data, plugin.project = data, project
    plugin.env.update(CLAUDE_PLUGIN_DATA=str(data), CLAUDE_PROJECT_DIR=str(project))
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(data))
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(project))
    system_python = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    require(system_python is not None, "a python3 outside root's home, runnable by nobody")
    return {"preexec": _as_nobody, "python": system_python}


def test_unreadable_state_allows_with_a_note(plugin, monkeypatch):
    """State owned by another user with private modes (0700/0600), as after a sudo session."""
    kw = relocate_for_nobody(plugin, monkeypatch) if os.geteuid() == 0 else {}
    api.start("x")
    p = payload("PreToolUse", "Edit")
    if kw:
        r = plugin.hook(p, **kw)
    else:
        os.chmod(state_dir(plugin) / "gate.json", 0)
        try:
            r = plugin.hook(p)
        finally:
            os.chmod(state_dir(plugin) / "gate.json", 0o600)
    assert r.out == {} and "Permission" in r.stderr and "gate" in r.stderr


@pytest.fixture
def read_only_state(plugin, monkeypatch):
    """The plugin data folder on a read-only file system, and how to run a hook against it.

    Root: a tmpfs remounted read-only (when this machine lets us mount), else the files handed to
    `nobody` with read-only modes and the hook run as `nobody` (root ignores modes). Others: modes."""
    run_kw: dict = {}
    if os.geteuid() == 0:
        api.start("x")
        mnt = plugin.data.parent / "ro-data"
        mnt.mkdir()
        mounted = shutil.which("mount") and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True).returncode == 0
        if mounted:
            shutil.copytree(plugin.data, mnt, dirs_exist_ok=True)
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            plugin.env["CLAUDE_PLUGIN_DATA"] = str(mnt)
            yield run_kw
            subprocess.run(["umount", str(mnt)], check=True)
            return
        run_kw = relocate_for_nobody(plugin, monkeypatch)
        api.start("x")
        for d, _, files in os.walk(plugin.data):
            os.chown(d, 65534, 65534)
            for f in files:
                os.chown(os.path.join(d, f), 65534, 65534)
    else:
        api.start("x")
    for d, _, files in os.walk(plugin.data):
        os.chmod(d, 0o500)
        for f in files:
            os.chmod(os.path.join(d, f), 0o400)
    yield run_kw
    for d, _, _ in os.walk(plugin.data):
        os.chmod(d, 0o700)


def test_read_only_disk(plugin, read_only_state):
    kw = read_only_state
    # reading still works: the gate is enforced
    assert plugin.hook(payload("PreToolUse", "Edit"), **kw).out["hookSpecificOutput"]["permissionDecision"] == "deny"
    # writes fail: allowed, with a note, nothing half-written
    fail = failing_pytest_payload(plugin)
    r = plugin.hook(fail, **kw)
    assert r.out == {} and r.returncode == 0 and "rca hook" in r.stderr
    p = payload("UserPromptSubmit")
    p["prompt"] = "/rca:override disk is read-only"
    r = plugin.hook(p, **kw)
    assert r.out == {} and "rca hook" in r.stderr


def test_read_only_state_as_another_user(plugin, monkeypatch):
    """The root fallback of the fixture above (no mount allowed), exercised even where mounting works."""
    if os.geteuid() != 0:
        pytest.skip("as a normal user test_read_only_disk already uses read-only modes")  # not a missing component
    kw = relocate_for_nobody(plugin, monkeypatch)
    api.start("x")
    for d, _, files in os.walk(plugin.data):
        os.chown(d, 65534, 65534)
        os.chmod(d, 0o500)
        for f in files:
            os.chown(os.path.join(d, f), 65534, 65534)
            os.chmod(os.path.join(d, f), 0o400)
    assert plugin.hook(payload("PreToolUse", "Edit"), **kw).out["hookSpecificOutput"]["permissionDecision"] == "deny"
    r = plugin.hook(failing_pytest_payload(plugin), **kw)
    assert r.out == {} and "rca hook" in r.stderr and "Permission" in r.stderr


def test_locked_state_does_not_hang_a_writer(plugin):
    fail = failing_pytest_payload(plugin)
    plugin.hook(fail)  # a streak exists: the next runs need the lock
    held, release = threading.Event(), threading.Event()

    def holder():
        with gatefile.ProjectLock(str(plugin.project)):
            held.set()
            release.wait(60)

    t = threading.Thread(target=holder)
    t.start()
    try:
        held.wait(10)
        r = plugin.hook(fail, timeout=20)
        assert r.out == {} and "held by another session" in r.stderr
        e = plugin.hook(payload("PostToolUse", "Edit"), timeout=20)
        assert e.out == {} and "held by another session" in e.stderr
        # readers never need the lock
        assert plugin.hook(payload("PreToolUse", "Edit"), timeout=20).out == {}
    finally:
        release.set()
        t.join()


def test_time_budget_turns_a_hang_into_an_allow(plugin, tmp_path):
    """A classifier that never returns (e.g. a pathological parse) is cut off by the budget."""
    root = copy_without_classifier(tmp_path / "plugin")
    (root / "mcp_server" / "analysis" / "danger.py").write_text(
        "import time\n"
        "def classify(command, targets, cwd):\n    time.sleep(60)\n"
        "def destroys_process_or_evidence(a):\n    return True\n")
    api.start("x")
    env = dict(plugin.env, RCA_HOOK_BUDGET="0.5")
    p = payload("PreToolUse", "Bash")
    p["cwd"] = str(plugin.project)
    p["tool_input"] = {"command": "kill -9 4242"}  # the light screen leaves it to the classifier
    r = run_hook("pre_tool_use.py", p, env, root=root, timeout=20)
    assert r.out == {} and "time budget" in r.stderr


def test_concurrent_sessions_each_count_and_nothing_is_lost(plugin):
    """Two sessions' hooks write at once; the streak and investigation files stay valid JSON."""
    fail = failing_pytest_payload(plugin)
    plugin.hook(fail)
    procs = []
    for i in range(6):
        p = dict(fail, session_id=f"session-{i % 2}", tool_use_id=f"toolu_{i}")
        procs.append(subprocess.Popen([HOOK_PYTHON, "-I", "-S", str(ROOT / "hooks" / SCRIPTS[p["hook_event_name"]])],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      env=plugin.env))
        e = subprocess.Popen([HOOK_PYTHON, "-I", "-S", str(ROOT / "hooks" / "post_tool_use.py")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=plugin.env)
        procs.append(e)
        procs[-2].stdin.write(json.dumps(dict(p, cwd=str(plugin.project))).encode())
        edit = payload("PostToolUse", "Edit")
        edit["cwd"] = str(plugin.project)
        e.stdin.write(json.dumps(edit).encode())
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        outs.append(json.loads(out))
    streak = json.loads((state_dir(plugin) / "streak.json").read_text())
    assert streak["signature"] == "test_calc.py::test_add | AssertionError" and streak["count"] >= 2
    for f in (state_dir(plugin) / "investigations").glob("*.json") if (state_dir(plugin) / "investigations").exists() else []:
        json.loads(f.read_text())
    assert not [n for n in os.listdir(state_dir(plugin)) if ".tmp-" in n]


def test_missing_plugin_venv_and_corrupt_pointer(plugin, tmp_path):
    """No venv pointer, a corrupt one, one naming folders that do not exist: the Bash gate still
    answers (a deliberate decision, exit 0, one JSON object) — with the classifier's stdlib fast
    path when the classifier is there, else an allow and a note."""
    api.start("x")
    without = copy_without_classifier(tmp_path / "plugin")
    (plugin.data / "venvs").mkdir(parents=True, exist_ok=True)
    for pointer in (None, "{broken", json.dumps({"site_packages": ["/nonexistent/site-packages", 7]})):
        if pointer is not None:
            (plugin.data / "venvs" / "current.json").write_text(pointer)
        for cmd in ("rm -rf /var/log/journal", "git status", "for f in *.log; do gzip \"$f\"; done"):
            p = payload("PreToolUse", "Bash")
            p.update(cwd=str(plugin.project), tool_input={"command": cmd})
            r = plugin.hook(p)
            assert r.returncode == 0 and r.out in ({}, {"hookSpecificOutput": r.out.get("hookSpecificOutput")})
            if r.out:
                assert r.out["hookSpecificOutput"]["permissionDecision"] == "deny" and cmd.startswith("rm"), r.out
            elif cmd.startswith("rm"):
                assert "not importable" in r.stderr, r.stderr
            r = run_hook("pre_tool_use.py", p, plugin.env, root=without)
            assert r.out == {}
            if cmd == "git status":  # cleared by the light screen: the classifier is not needed at all
                assert "not importable" not in r.stderr, r.stderr
            else:
                assert "not importable" in r.stderr


def test_a_missing_script_cannot_block(plugin, tmp_path):
    """hooks.json runs `python3 … || true`: python exits 2 on a missing script, which Claude Code
    would read as a block; through the configured command line it is exit 0."""
    cfg = json.loads((ROOT / "hooks" / "hooks.json").read_text())
    command = cfg["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    env = dict(plugin.env, CLAUDE_PLUGIN_ROOT=str(tmp_path / "gone"))
    r = subprocess.run(["sh", "-c", command], input=b"{}", capture_output=True, env=env, timeout=20)
    assert r.returncode == 0
    direct = subprocess.run([HOOK_PYTHON, "-I", "-S", str(tmp_path / "gone" / "x.py")], capture_output=True)
    assert direct.returncode == 2  # what `|| true` protects against
    # and through the same command line, the real script still speaks JSON
    env = dict(plugin.env)
    r = subprocess.run(["sh", "-c", command], input=json.dumps(payload("PreToolUse", "Bash")).encode(),
                       capture_output=True, env=env, timeout=20)
    assert r.returncode == 0 and json.loads(r.stdout) == {}


PROBE = r"""
import json, runpy, sys
sys.argv = [sys.argv[1]]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    sys.stderr.write("MODULES " + json.dumps(sorted(sys.modules)) + "\n")
"""

OURS = {"_runtime", "_pre_tool_use", "_post_tool_use", "_session_start", "_user_prompt_submit", "mcp_server",
        "mcp_server.workflow", "mcp_server.workflow.gatefile", "mcp_server.workflow.fastjson", "mcp_server.workflow.testruns", "mcp_server.analysis",
        "mcp_server.analysis.danger_screen", "mcp_server.analysis.danger_screen_vocab", "__main__"}


@pytest.mark.parametrize("event,tool,command", [
    ("PreToolUse", "Edit", None), ("PreToolUse", "Bash", "git status"), ("PostToolUse", "Bash", "git status"),
    ("PostToolUse", "Edit", None), ("PostToolUseFailure", "Bash", "ls /nonexistent-dir-xyz"),
    ("UserPromptSubmit", "", None), ("SessionStart", "", None),
])
def test_frequent_path_imports_only_the_stdlib(plugin, event, tool, command):
    p = payload(event, tool, version="2.1.330")
    p["cwd"] = str(plugin.project)
    if command:
        p["tool_input"] = {"command": command}
    r = subprocess.run([HOOK_PYTHON, "-I", "-S", "-c", PROBE, str(ROOT / "hooks" / SCRIPTS[event])],
                       input=json.dumps(p).encode(), capture_output=True, env=plugin.env, timeout=30)
    line = [ln for ln in r.stderr.decode().splitlines() if ln.startswith("MODULES ")][-1]
    modules = json.loads(line[len("MODULES "):])
    probe = subprocess.run([HOOK_PYTHON, "-c", "import sys; print(sys.version_info >= (3, 10))"],
                           capture_output=True, text=True)
    names = subprocess.run([HOOK_PYTHON, "-I", "-S", "-c", "import sys, json; print(json.dumps(sorted("
                            "getattr(sys, 'stdlib_module_names', ()))))"], capture_output=True, text=True)
    stdlib = set(json.loads(names.stdout)) | {"_runtime"}
    foreign = [m for m in modules if m not in OURS and m.split(".")[0] not in stdlib]
    assert probe.stdout.strip() == "True", "this check needs python >= 3.10 for sys.stdlib_module_names"
    assert foreign == [], f"{event} {tool} imported non-stdlib modules: {foreign}"
    assert "pydantic" not in modules


#: Runs a hook script as `python3 -I -S script` would, importing nothing itself (no json, no
#: runpy), so every module it lists was imported by the hook.
BARE_PROBE = r"""
import sys
path = sys.argv[1]
sys.argv = [path]
try:
    with open(path) as f:
        code = compile(f.read(), path, "exec")
    exec(code, {"__name__": "__main__", "__file__": path})
finally:
    sys.stderr.write("MODULES " + " ".join(sorted(sys.modules)) + "\n")
"""


def probe_modules(plugin, event: str, p: dict) -> tuple:
    r = subprocess.run([HOOK_PYTHON, "-I", "-S", "-c", BARE_PROBE, str(ROOT / "hooks" / SCRIPTS[event])],
                       input=json.dumps(p).encode(), capture_output=True, env=plugin.env, timeout=30)
    line = [ln for ln in r.stderr.decode().splitlines() if ln.startswith("MODULES ")][-1]
    return line[len("MODULES "):].split(), r.stdout.decode()


@pytest.mark.parametrize("event,tool", [("PreToolUse", "Edit"), ("PreToolUse", "Bash"), ("PostToolUse", "Edit"),
                                        ("PostToolUse", "Bash"), ("UserPromptSubmit", ""), ("SessionStart", "")])
def test_frequent_paths_skip_the_costly_stdlib_imports(plugin, event, tool):
    """json (with re, enum, functools), signal (enum) and typing are most of a hook's start-up."""
    p = payload(event, tool, version="2.1.330")
    p["cwd"] = str(plugin.project)
    if tool == "Bash":
        p["tool_input"] = {"command": "git status"}
    modules, out = probe_modules(plugin, event, p)
    assert json.loads(out) == {}
    assert [m for m in modules if m in ("json", "re", "enum", "signal", "typing", "dataclasses")] == []


@pytest.mark.parametrize("command", ["git status", "ls -la src && pytest -x", "cd src && make | tail -5",
                                     "git log --oneline -20", "python -m pytest tests -x -q 2>&1 | tail -30",
                                     "echo done", "tail -n 200 /var/log/nginx/error.log", "npm test"])
def test_ordinary_bash_during_an_investigation_is_cleared_without_the_classifier(plugin, command):
    """The light screen clears ordinary commands: neither the classifier nor `json`/`re` load."""
    api.start("tmux server died overnight", targets=["tmux"])
    p = payload("PreToolUse", "Bash")
    p.update(cwd=str(plugin.project), tool_input={"command": command})
    modules, out = probe_modules(plugin, "PreToolUse", p)
    assert json.loads(out) == {}
    assert "mcp_server.analysis.danger_screen" in modules  # the screen did run
    heavy = [m for m in modules if m.startswith("mcp_server.analysis.danger.") or m in ("json", "re", "enum",
                                                                                        "typing", "dataclasses")]
    assert heavy == [], heavy


def test_what_the_screen_cannot_clear_goes_to_the_classifier(plugin):
    api.start("tmux server died overnight", targets=["tmux"])
    p = payload("PreToolUse", "Bash")
    p.update(cwd=str(plugin.project), tool_input={"command": "tmux kill-server"})
    modules, out = probe_modules(plugin, "PreToolUse", p)
    assert "mcp_server.analysis.danger.engine" in modules
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"


HOOK_PATH_MODULES = [*sorted((ROOT / "hooks").glob("*.py")), *[
    ROOT / "mcp_server" / rel for rel in ("__init__.py", "workflow/__init__.py", "workflow/gatefile.py",
                                          "workflow/fastjson.py", "workflow/testruns.py", "workflow/report_config.py",
                                          "analysis/__init__.py", "analysis/danger_screen.py",
                                          "analysis/danger_screen_vocab.py")]]


@pytest.mark.parametrize("path", HOOK_PATH_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_hook_modules_parse_as_python_3_9(path):
    """Hooks run under the user's python3, 3.9 or later: no newer grammar on their import paths."""
    import ast

    ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))
