"""Where state lives, and that it survives several writers, corrupt files and a crash mid-write."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import pytest

from mcp_server import paths
from mcp_server.errors import InputError
from mcp_server.workflow import api, gatefile, storage
from mcp_server.workflow.state import Override

from tests.conftest import ROOT


@pytest.mark.parametrize("env_vars", [
    {"CLAUDE_PLUGIN_DATA": "/srv/claude/plugins/data/rca-rca-forensics"},
    {"XDG_STATE_HOME": "/home/dev/.xdg-state"},
    {"HOME": "/home/dev"},
])
def test_data_dir_agrees_with_paths(monkeypatch, env_vars):
    for k in ("CLAUDE_PLUGIN_DATA", "XDG_STATE_HOME"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env_vars.items():
        monkeypatch.setenv(k, v)
    assert gatefile.data_dir() == str(paths.plugin_data_dir())


def test_project_identity_env_wins_and_symlinks_resolve(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.delenv("CLAUDE_PROJECT_DIR", raising=False)
    monkeypatch.chdir(link)
    assert gatefile.project_dir() == str(real)
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(link))
    assert gatefile.project_dir(cwd="/somewhere/else") == str(real)  # a `cd` in Bash does not move the project
    assert gatefile.project_key(str(link)) == gatefile.project_key(str(real))
    assert gatefile.project_key("/a/b") != gatefile.project_key("/a-b")


def test_state_is_private_and_outside_the_project(env):
    api.start("x")
    sd = gatefile.state_dir(str(env))
    assert not sd.startswith(str(env))
    for d in (sd, gatefile.investigations_dir(str(env))):
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    for f in (gatefile.gate_path(str(env)), gatefile.investigation_path(str(env), "RCA-001")):
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
    assert not [n for n in os.listdir(sd) if ".tmp-" in n]  # no temp files left behind


def test_load_and_list_contracts(env):
    assert storage.load_active(str(env)) is None
    assert storage.list_investigations(str(env)) == []
    with pytest.raises(InputError, match="no investigation RCA-007"):
        storage.load(str(env), "RCA-007")
    with pytest.raises(InputError):
        storage.load(str(env), "../../etc/passwd")
    api.start("x")
    inv = storage.load(str(env), "RCA-001")
    inv.incident = "x, reworded"
    storage.save(inv)
    assert storage.load_active(str(env)).incident == "x, reworded"


def test_corrupt_record_is_a_clear_error_and_a_corrupt_gate_falls_back(env):
    api.start("x")
    with open(gatefile.gate_path(str(env)), "w") as f:
        f.write("{not json")
    assert storage.load_active(str(env)).id == "RCA-001"  # found by scanning the records
    with open(gatefile.investigation_path(str(env), "RCA-001"), "w") as f:
        f.write('{"id": "RCA-001"}')
    with pytest.raises(storage.StateError, match="RCA-001.json is not valid"):
        storage.load(str(env), "RCA-001")
    assert storage.list_investigations(str(env)) == []


def test_save_keeps_an_override_written_meanwhile(env):
    api.start("x")
    mine = storage.load_active(str(env))  # loaded before the hook writes
    raw = gatefile.read_investigation(str(env), "RCA-001")
    raw["overrides"].append({"time": gatefile.now_iso(), "source": "user_prompt", "text": "hotfix now"})
    gatefile.write_investigation(str(env), raw)
    mine.incident = "x (scoped)"
    storage.save(mine)
    back = storage.load_active(str(env))
    assert back.incident == "x (scoped)" and [o.text for o in back.overrides] == ["hotfix now"]
    assert json.load(open(gatefile.gate_path(str(env))))["overridden"] is True


def test_closing_an_old_investigation_keeps_the_open_ones_gate(env):
    api.start("first")
    with storage.transaction(str(env)) as inv:
        inv.overrides.append(Override(time=storage.now(), source="user_prompt", text="stop"))
    api.close("dup")
    api.start("second")
    old = storage.load(str(env), "RCA-001")
    storage.save(old)
    g = json.load(open(gatefile.gate_path(str(env))))
    assert g["open"] and g["id"] == "RCA-002"


WRITER = r"""
import sys
from mcp_server.workflow import ledger
for i in range(int(sys.argv[1])):
    e = ledger.record_call("log_show", {"writer": sys.argv[2], "i": i},
                           {"events": [{"evidence_id": f"ev-{sys.argv[2]}-{i}", "message": "m"}]})
    assert e is not None, "not recorded"
"""


def test_concurrent_writers_lose_nothing(env):
    api.start("x")
    n, writers = 15, 4
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(n), f"w{w}"], cwd=ROOT, env=dict(os.environ))
             for w in range(writers)]
    assert [p.wait(timeout=120) for p in procs] == [0] * writers
    inv = storage.load_active(str(env))
    assert len(inv.ledger) == n * writers
    assert sorted(e.seq for e in inv.ledger) == list(range(1, n * writers + 1))
    assert len(inv.evidence) == n * writers


def test_lock_times_out_instead_of_hanging(env):
    held = threading.Event()
    release = threading.Event()

    def holder():
        with gatefile.ProjectLock(str(env)):
            held.set()
            release.wait(30)

    t = threading.Thread(target=holder)
    t.start()
    try:
        held.wait(10)
        with pytest.raises(gatefile.LockTimeout):
            with gatefile.ProjectLock(str(env), timeout=0.2):
                pass
    finally:
        release.set()
        t.join()


def test_override_model_round_trips_through_raw_json(env):
    """What the stdlib hooks write parses as the pydantic schema."""
    api.start("x")
    raw = gatefile.read_investigation(str(env), "RCA-001")
    raw["overrides"].append({"time": gatefile.now_iso(), "source": "user_prompt", "text": "go"})
    gatefile.write_investigation(str(env), raw)
    assert isinstance(storage.load_active(str(env)).overrides[0], Override)


def test_launcher_points_the_hooks_at_the_venv(tmp_path, monkeypatch):
    import importlib.util

    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(tmp_path))
    spec = importlib.util.spec_from_file_location("launch_server", ROOT / "scripts" / "launch_server.py")
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    venv = tmp_path / "venvs" / "0123abcd"
    sp = venv / "lib" / "python3.11" / "site-packages"
    sp.mkdir(parents=True)
    launcher.write_pointer(str(venv))
    pointer = json.loads((tmp_path / "venvs" / "current.json").read_text())
    assert pointer["site_packages"] == [str(sp)]
    assert gatefile.venv_pointer_path() == str(tmp_path / "venvs" / "current.json")
    assert stat.S_IMODE(os.stat(tmp_path / "venvs" / "current.json").st_mode) == 0o600
