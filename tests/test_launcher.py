"""The stdlib launcher (scripts/launch_server.py) as Claude Code runs it: a real `python3` process,
real virtualenvs built with venv + pip, the real MCP server over stdio."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import anyio
import pytest
from mcp import Client, StdioServerParameters

from tests.conftest import ROOT, require, require_program

LAUNCHER = ROOT / "scripts" / "launch_server.py"
SERVER_CHECK = "import mcp_server.server, sys; print(sys.prefix)"


def load_launcher(path: Path = LAUNCHER) -> ModuleType:
    spec = importlib.util.spec_from_file_location("launch_server_under_test", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def launcher_env(data: Path, **extra: str) -> dict[str, str]:
    """The test process's environment (PATH, pip's index settings) with a given plugin data folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CLAUDE_PLUGIN_DATA")}
    env["CLAUDE_PLUGIN_DATA"] = str(data)
    env.update(extra)
    return env


def start(data: Path, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([require_program("python3"), str(LAUNCHER), *args], env=launcher_env(data, **extra),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def plan_for(data: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(data))
    return load_launcher().Plan()


def link_prebuilt(data: Path, server_venvs: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    (data / "venvs").symlink_to(server_venvs, target_is_directory=True)


# --- a fresh data folder: build, serve -----------------------------------------------------------

@pytest.mark.slow
def test_fresh_data_dir_builds_the_venv_and_serves_tools_over_stdio(tmp_path):
    data = tmp_path / "plugin-data"
    params = StdioServerParameters(command=require_program("python3"), args=[str(LAUNCHER)],
                                   env=launcher_env(data), cwd=str(tmp_path))

    async def session():
        async with Client(params) as client:  # initialize happens here, after the build
            tools = (await client.list_tools()).tools
            result = await client.call_tool("evidence_sources", {})
            return client.server_info, tools, result

    info, tools, result = anyio.run(session)
    assert info is not None and info.name == "forensics"
    assert "evidence_sources" in {t.name for t in tools}
    assert not result.is_error
    assert "journald" in {s["name"] for s in result.structured_content["sources"]}
    venvs = [p for p in (data / "venvs").iterdir() if p.is_dir()]
    assert len(venvs) == 1 and (venvs[0] / ".rca-complete").is_file()
    assert "environment ready in" in (data / "venvs" / f"{venvs[0].name}.log").read_text()


@pytest.fixture(scope="module")
def concurrent_build(tmp_path_factory):
    """Two launchers started at once on a fresh data folder holding a half-built leftover."""
    data = tmp_path_factory.mktemp("launcher-concurrent")
    with pytest.MonkeyPatch.context() as mp:
        plan = plan_for(data, mp)
    stale = Path(f"{plan.venv}.tmp-4194000")  # what a build killed half-way leaves behind
    (stale / "lib").mkdir(parents=True)
    procs = [start(data, "-c", SERVER_CHECK) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    return data, plan, procs, outs


@pytest.mark.slow
def test_two_launchers_at_once_both_succeed_and_build_once(concurrent_build):
    data, plan, procs, outs = concurrent_build
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
        # stdout is the MCP channel: the launcher wrote nothing there, only the server did
        assert out == f"{plan.venv}\n", out
    log = Path(plan.log).read_text()
    assert log.count("rca-launcher: building the server environment") == 1, log
    assert log.count("rca-launcher: environment ready in") == 1, log
    assert sorted(p.name for p in Path(plan.base).iterdir()) == sorted(
        [plan.key, f"{plan.key}.lock", f"{plan.key}.log", "current.json"])  # the stale half-build is gone too
    # the pointer the Bash hook reads to import the danger classifier's bashlex from this venv
    pointer = json.loads((Path(plan.base) / "current.json").read_text())
    assert pointer["venv"] == plan.venv and pointer["site_packages"]
    assert all(Path(sp).is_dir() and sp.startswith(plan.venv) for sp in pointer["site_packages"])


@pytest.mark.slow
def test_second_start_reuses_the_venv(concurrent_build):
    data, plan, _, _ = concurrent_build
    marker = Path(plan.venv, ".rca-complete")
    before = (marker.stat().st_mtime_ns, Path(plan.venv).stat().st_ino, Path(plan.log).stat().st_size)
    proc = start(data, "-c", SERVER_CHECK)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out == f"{plan.venv}\n"
    # no build, no builder: the only thing said is which environment starts
    assert err.splitlines() == [f"rca-launcher: starting {plan.venv}/bin/python -c {SERVER_CHECK}"]
    assert (marker.stat().st_mtime_ns, Path(plan.venv).stat().st_ino, Path(plan.log).stat().st_size) == before


def test_a_venv_whose_interpreter_vanished_is_rebuilt(tmp_path, monkeypatch):
    """A complete marker is not enough: when the Python the venv was made from is gone (upgraded,
    uninstalled), its bin/python link dangles and the environment must be built again."""
    plan = plan_for(tmp_path / "data", monkeypatch)
    bindir = Path(plan.venv) / "bin"
    bindir.mkdir(parents=True)
    (Path(plan.venv) / ".rca-complete").write_text("x")
    (bindir / "python").symlink_to(tmp_path / "gone" / "python3.11")
    assert not plan.ready()
    (tmp_path / "gone").mkdir()
    (tmp_path / "gone" / "python3.11").write_text("")  # it is back
    assert plan.ready()


def test_the_environment_key_follows_the_dependency_list(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(tmp_path / "data"))
    copy = tmp_path / "plugin"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(LAUNCHER, copy / "scripts")
    pyproject = (ROOT / "pyproject.toml").read_text()
    (copy / "pyproject.toml").write_text(pyproject)
    same = load_launcher(copy / "scripts" / "launch_server.py").Plan()
    assert same.key == load_launcher().Plan().key
    assert same.deps and all(isinstance(d, str) and d for d in same.deps)
    (copy / "pyproject.toml").write_text(pyproject.replace('"orjson>=3.9,<4",', '"orjson>=3.10,<4",'))
    changed = load_launcher(copy / "scripts" / "launch_server.py").Plan()
    assert "orjson>=3.10,<4" in changed.deps and changed.key != same.key


def test_the_pre_3_11_dependency_scan_matches_tomllib():
    """Python 3.9/3.10 have no tomllib: the launcher's own scan must read the same list."""
    import tomllib

    mod = load_launcher()
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    real_import = __import__

    def no_tomllib(name, *args, **kwargs):
        if name == "tomllib":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("builtins.__import__", no_tomllib)
        assert mod.read_dependencies(str(ROOT / "pyproject.toml")) == expected


# --- failures: one clear line, nothing half-built ------------------------------------------------

OLD_PYTHON = """\
import runpy, sys
sys.version_info = (3, 9, 6, "final", 0)   # what macOS's /usr/bin/python3 is
sys.version = "3.9.6 (simulated)"
sys.argv = [{launcher!r}] + sys.argv[1:]
runpy.run_path({launcher!r}, run_name="__main__")
"""


def fake_pythons(folder: Path, versions: dict[str, str]) -> Path:
    """Executables that answer the launcher's version probe like an installed python3.x would."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, version in versions.items():
        exe = folder / name
        exe.write_text(f"#!/bin/sh\necho '{version}'\n")
        exe.chmod(0o755)
    return folder


def run_as_old_python(tmp_path: Path, path: str, *args: str) -> subprocess.CompletedProcess:
    code = OLD_PYTHON.format(launcher=str(LAUNCHER))
    env = {"PATH": path, "HOME": str(tmp_path), "CLAUDE_PLUGIN_DATA": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-c", code, *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


def test_no_usable_python_exits_1_with_one_clear_line(tmp_path):
    # the launcher itself runs on 3.9 and PATH has only old pythons and no uv
    bindir = fake_pythons(tmp_path / "bin", {"python3": "3.9", "python3.9": "3.9", "python3.8": "3.8"})
    proc = run_as_old_python(tmp_path, str(bindir))
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("rca-launcher: Python >= 3.10 is needed for the forensics server")
    assert "3.9.6" in lines[0] and "install python3.11" in lines[0] and "uv" in lines[0]
    assert not (tmp_path / "data").exists()  # nothing written


def test_an_old_launcher_python_picks_a_newer_python_from_path(tmp_path):
    bindir = fake_pythons(tmp_path / "bin", {"python3": "3.9", "python3.12": "3.12", "python3.11": "3.11"})
    code = OLD_PYTHON.format(launcher=str(LAUNCHER)).replace(
        'runpy.run_path({launcher!r}, run_name="__main__")'.format(launcher=str(LAUNCHER)),
        'print(runpy.run_path({launcher!r})["find_python"]())'.format(launcher=str(LAUNCHER)))
    proc = subprocess.run([sys.executable, "-c", code], env={"PATH": str(bindir)}, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(bindir / "python3.12")


def test_failed_install_exits_1_says_what_to_do_and_leaves_nothing_half_built(tmp_path):
    require_program("python3")
    data = tmp_path / "data"
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    # no index and no wheels: what pip sees on a machine without network access
    offline = {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(empty),
               "PIP_CONSTRAINT": "", "PIP_EXTRA_INDEX_URL": ""}
    proc = start(data, **offline)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    assert out == ""
    last = err.splitlines()[-1]
    assert last.startswith("rca-launcher: installing the server's dependencies failed"), err
    assert "check network access to PyPI" in last
    venvs = data / "venvs"
    assert [p.name for p in venvs.iterdir() if p.is_dir()] == []  # no venv, no temporary folder


def test_unwritable_data_folder_exits_1_with_one_clear_line(tmp_path):
    require_program("python3")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = start(blocker / "data")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"rca-launcher: cannot write to the plugin data folder {blocker / 'data' / 'venvs'}")


# --- the prebuilt session venv: warm starts --------------------------------------------------------

def test_warm_start_through_a_prebuilt_venv_serves_tools(tmp_path, server_venvs):
    data = tmp_path / "data"
    link_prebuilt(data, server_venvs)
    params = StdioServerParameters(command=require_program("python3"), args=[str(LAUNCHER)],
                                   env=launcher_env(data), cwd=str(tmp_path))

    async def names():
        async with Client(params) as client:
            return {t.name for t in (await client.list_tools()).tools}

    assert "evidence_sources" in anyio.run(names)


# --- the two pip paths of a build ------------------------------------------------------------------

def test_pip_can_target_needs_pip_22_3(tmp_path):
    mod = load_launcher()
    assert mod.pip_can_target(require_program("python3")) in (True, False)  # a real probe does not raise
    old = fake_pythons(tmp_path / "old", {"python3": "pip 21.3.1 from /usr/lib/python3/dist-packages/pip (python 3.10)"})
    new = fake_pythons(tmp_path / "new", {"python3": "pip 23.0.1 from /usr/lib/python3/dist-packages/pip (python 3.11)"})
    assert mod.pip_can_target(str(old / "python3")) is False
    assert mod.pip_can_target(str(new / "python3")) is True
    assert mod.pip_can_target(str(tmp_path / "missing")) is False


@pytest.mark.parametrize("own_pip", [True, False], ids=["interpreter-pip", "ensurepip"])
def test_build_installs_into_a_working_venv_either_way(tmp_path, monkeypatch, own_pip):
    """Both ways of building (the interpreter's pip targeting a pip-less venv; a venv with its own
    pip, for interpreters without pip) give a venv that imports what was installed. One small
    dependency keeps it quick."""
    mod = load_launcher()
    python = mod.find_python()
    if own_pip:
        require(mod.pip_can_target(python), f"{python} has no pip >= 22.3")
    monkeypatch.setattr(mod, "pip_can_target", lambda _python: own_pip)
    venv = tmp_path / "venv"
    mod.build(str(venv), ["python-dateutil>=2.8,<3"], python, None)
    proc = subprocess.run([mod.venv_python(str(venv)), "-c", "import dateutil, sys; print(sys.prefix)"],
                          capture_output=True, text=True, env=launcher_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(venv)
    assert (venv / "bin" / "pip").exists() is (not own_pip)
