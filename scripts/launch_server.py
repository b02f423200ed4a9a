#!/usr/bin/env python3
"""Start the `forensics` MCP server from any python3 >= 3.9 (stdlib only).

Claude Code runs this through `.mcp.json`. It makes sure a virtualenv with the server's
dependencies exists under the plugin's data folder, then replaces itself with the server:

1. The runtime dependencies are read from pyproject.toml; the virtualenv lives in
   `<data>/venvs/<hash>` where the hash covers that list and the interpreter, so a changed
   dependency list builds a fresh environment and an unchanged one is reused (a warm start only
   reads two small files and execs).
2. Building happens under an exclusive file lock, into a temporary folder that is renamed into
   place when complete, so two sessions starting at once never race or see half an environment.
3. `uv` is used when it is on PATH (it can also supply Python >= 3.10); otherwise venv + pip with
   an interpreter >= 3.10 found on PATH.
4. Nothing is printed on stdout (it is the MCP channel): every message goes to stderr, and a
   failure ends with one line saying what to install.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

LAUNCHER_VERSION = "1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIN_PY = (3, 10)
CANDIDATE_PYTHONS = ("python3.13", "python3.12", "python3.11", "python3.10", "python3")


def say(msg: str) -> None:
    sys.stderr.write(f"rca-launcher: {msg}\n")
    sys.stderr.flush()


def die(msg: str) -> "None":
    say(msg)
    sys.exit(1)


def data_dir() -> str:
    env = os.environ.get("CLAUDE_PLUGIN_DATA")
    if env:
        return os.path.expanduser(env)
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Application Support", "rca")
    return os.path.join(os.environ.get("XDG_STATE_HOME") or os.path.join(home, ".local", "state"), "rca")


def read_dependencies(pyproject: str) -> list:
    """The [project] dependencies list of pyproject.toml (tomllib when present, else a strict scan)."""
    with open(pyproject, "rb") as f:
        raw = f.read()
    try:
        import tomllib  # Python >= 3.11

        return list(tomllib.loads(raw.decode("utf-8"))["project"]["dependencies"])
    except ImportError:
        pass
    text = raw.decode("utf-8")
    m = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.S | re.M)
    if not m:
        die(f"cannot find the dependency list in {pyproject}")
    return re.findall(r"^\s*\"([^\"]+)\"\s*,?", m.group(1), re.M)


def python_version(exe: str) -> tuple:
    try:
        out = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10,
        )
        major, minor = out.stdout.strip().split(".")
        return (int(major), int(minor))
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return (0, 0)


def find_python() -> "str | None":
    if sys.version_info[:2] >= MIN_PY:
        return sys.executable
    for name in CANDIDATE_PYTHONS:
        exe = shutil.which(name)
        if exe and python_version(exe) >= MIN_PY:
            return exe
    return None


def venv_python(venv: str) -> str:
    return os.path.join(venv, "Scripts" if os.name == "nt" else "bin", "python")


def build(tmp: str, deps: list, python: "str | None", uv: "str | None") -> None:
    """Create a virtualenv in `tmp` and install `deps`; output goes to stderr."""
    out = sys.stderr.fileno()
    if uv:
        cmd = [uv, "venv", "--quiet", tmp] + (["--python", python] if python else ["--python", ">=3.10"])
        subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=out)
        subprocess.run([uv, "pip", "install", "--quiet", "--python", venv_python(tmp)] + deps,
                       check=True, stdin=subprocess.DEVNULL, stdout=out)
        return
    if python is None:
        die(
            f"Python >= 3.10 is needed for the forensics server (this is {sys.version.split()[0]}); "
            "install python3.11 (or uv: https://docs.astral.sh/uv/) and restart Claude Code"
        )
    subprocess.run([python, "-m", "venv", tmp], check=True, stdin=subprocess.DEVNULL, stdout=out)
    subprocess.run(
        [venv_python(tmp), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"] + deps,
        check=True, stdin=subprocess.DEVNULL, stdout=out,
    )


def lock(path: str):
    """An exclusive lock held until the returned file is closed (fcntl; msvcrt on Windows)."""
    fh = open(path, "a+")
    try:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
    return fh


def ensure_venv() -> str:
    deps = read_dependencies(os.path.join(ROOT, "pyproject.toml"))
    uv = shutil.which("uv")
    python = find_python()
    key_src = "\n".join([LAUNCHER_VERSION, python or "uv-managed"] + sorted(deps))
    key = hashlib.sha256(key_src.encode("utf-8")).hexdigest()[:16]
    base = os.path.join(data_dir(), "venvs")
    venv = os.path.join(base, key)
    marker = os.path.join(venv, ".rca-complete")
    if os.path.exists(marker):
        return venv
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
    except OSError as exc:
        die(f"cannot create {base}: {exc.strerror or exc}")
    with lock(os.path.join(base, key + ".lock")):
        if os.path.exists(marker):  # another session built it while we waited
            return venv
        tmp = f"{venv}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        started = time.monotonic()
        say(f"building the server environment in {venv} ({'uv' if uv else 'venv + pip'}) ...")
        try:
            build(tmp, deps, python, uv)
        except subprocess.CalledProcessError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            die(
                f"installing the server's dependencies failed ({' '.join(map(str, exc.cmd[:3]))} … exited {exc.returncode}); "
                "check network access to PyPI, or install uv, then restart Claude Code"
            )
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            die(f"cannot build the server environment: {exc}")
        with open(os.path.join(tmp, ".rca-complete"), "w") as f:
            f.write(key_src + "\n")
        shutil.rmtree(venv, ignore_errors=True)
        os.replace(tmp, venv)
        say(f"environment ready in {time.monotonic() - started:.1f} s")
    return venv


def main() -> None:
    venv = ensure_venv()
    exe = venv_python(venv)
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    args = sys.argv[1:] or ["-m", "mcp_server"]
    say(f"starting {exe} {' '.join(args)}")  # one line in Claude Code's MCP log: which environment runs
    os.execve(exe, [exe] + args, env)


if __name__ == "__main__":
    main()
