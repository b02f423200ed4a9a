#!/usr/bin/env python3
"""Start the `forensics` MCP server from any python3 >= 3.9 (stdlib only).

Claude Code runs this through `.mcp.json`. It makes sure a virtualenv with the server's
dependencies exists under the plugin's data folder, then replaces itself with the server:

1. The runtime dependencies are read from pyproject.toml; the virtualenv lives in
   `<data>/venvs/<hash>` where the hash covers that list, so a changed dependency list builds a
   fresh environment and an unchanged one is reused. A warm start reads pyproject.toml, checks
   that the environment is complete and its interpreter still exists, and execs: no subprocess.
   `<data>/venvs/current.json` tells the hooks where that environment's site-packages are.
2. Building happens in a detached builder process (this script with `--rca-build`), under an
   exclusive file lock, into a temporary folder renamed into place when complete. Two sessions
   starting at once never race or see half an environment, and when Claude Code gives up on a
   slow first start (its MCP connect timeout is 30 s) and kills the launcher, the builder still
   finishes, so the next start is warm. Its output goes to `<data>/venvs/<hash>.log`.
3. `uv` is used when it is on PATH (it can also supply Python >= 3.10); otherwise venv + pip with
   an interpreter >= 3.10 (this one, else the newest python3.x on PATH), using that interpreter's
   own pip when it has one (pip >= 22.3 `--python`) rather than bootstrapping another into the
   venv. pip's and uv's download caches and index settings apply as configured (PIP_*, UV_*).
4. Nothing is printed on stdout (it is the MCP channel): every message goes to stderr, one line
   names the environment that starts, and a failure ends with one line saying what to do.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

LAUNCHER_VERSION = "2"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIN_PY = (3, 10)
CANDIDATE_PYTHONS = ("python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python3")
MARKER = ".rca-complete"
BUILD_FLAG = "--rca-build"


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
    try:
        with open(pyproject, "rb") as f:
            raw = f.read()
    except OSError as exc:
        die(f"cannot read {pyproject}: {exc.strerror or exc}; reinstall the rca plugin")
    try:
        import tomllib  # Python >= 3.11

        return list(tomllib.loads(raw.decode("utf-8"))["project"]["dependencies"])
    except ImportError:
        pass
    text = raw.decode("utf-8")
    m = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.S | re.M)
    if not m:
        die(f"cannot find the dependency list in {pyproject}; reinstall the rca plugin")
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
    """An interpreter >= 3.10: this one, else the first python3.x on PATH that is new enough."""
    if tuple(sys.version_info[:2]) >= MIN_PY:
        return sys.executable
    for name in CANDIDATE_PYTHONS:
        exe = shutil.which(name)
        if exe and python_version(exe) >= MIN_PY:
            return exe
    return None


def venv_python(venv: str) -> str:
    return os.path.join(venv, "Scripts" if os.name == "nt" else "bin", "python")


class Plan:
    """Where the environment for the current dependency list lives."""

    def __init__(self) -> None:
        self.deps = read_dependencies(os.path.join(ROOT, "pyproject.toml"))
        self.key_src = "\n".join([LAUNCHER_VERSION] + sorted(self.deps))
        self.key = hashlib.sha256(self.key_src.encode("utf-8")).hexdigest()[:16]
        self.base = os.path.join(data_dir(), "venvs")
        self.venv = os.path.join(self.base, self.key)
        self.log = self.venv + ".log"

    def ready(self) -> bool:
        """Complete, and its interpreter (a link to the one it was built from) still exists."""
        return os.path.exists(os.path.join(self.venv, MARKER)) and os.path.exists(venv_python(self.venv))


def build(tmp: str, deps: list, python: "str | None", uv: "str | None") -> None:
    """Create a virtualenv in `tmp` and install `deps`; their output goes to our stderr."""
    out = sys.stderr.fileno()
    if uv:
        cmd = [uv, "venv", "--quiet", tmp, "--python", python or ">=3.10"]
        subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=out)
        subprocess.run([uv, "pip", "install", "--quiet", "--python", venv_python(tmp)] + deps,
                       check=True, stdin=subprocess.DEVNULL, stdout=out)
        return
    assert python is not None
    install = ["install", "--quiet", "--disable-pip-version-check", "--no-input"] + deps
    if pip_can_target(python):
        # the interpreter's own pip installs into a pip-less venv: skips bootstrapping a second
        # pip into it (ensurepip), a quarter of a cold start
        subprocess.run([python, "-m", "venv", "--without-pip", tmp], check=True, stdin=subprocess.DEVNULL, stdout=out)
        subprocess.run([python, "-m", "pip", "--python", venv_python(tmp)] + install,
                       check=True, stdin=subprocess.DEVNULL, stdout=out)
        return
    subprocess.run([python, "-m", "venv", tmp], check=True, stdin=subprocess.DEVNULL, stdout=out)
    subprocess.run([venv_python(tmp), "-m", "pip"] + install, check=True, stdin=subprocess.DEVNULL, stdout=out)


def pip_can_target(python: str) -> bool:
    """Whether `python -m pip` exists and is new enough (22.3) for `--python <other interpreter>`."""
    try:
        out = subprocess.run([python, "-m", "pip", "--version"], stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    m = re.match(r"pip (\d+)\.(\d+)", out.stdout)
    return out.returncode == 0 and m is not None and (int(m.group(1)), int(m.group(2))) >= (22, 3)


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


def interpreter_or_die(uv: "str | None") -> "str | None":
    python = find_python()
    if python is None and uv is None:
        die(
            f"Python >= 3.10 is needed for the forensics server (found only {sys.version.split()[0]}); "
            "install python3.11 or newer (or uv: https://docs.astral.sh/uv/) and restart Claude Code"
        )
    return python


def builder(plan: Plan) -> None:
    """The detached builder: build the environment under the lock unless it is already there."""
    uv = shutil.which("uv")
    python = interpreter_or_die(uv)
    with lock(plan.venv + ".lock"):
        if plan.ready():  # another session built it while we waited
            return
        # builds killed half-way (a session that gave up, a crash) leave temporary folders: we
        # hold the lock for this key, so none of them is in use
        for stale in glob.glob(glob.escape(plan.venv) + ".tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = f"{plan.venv}.tmp-{os.getpid()}"
        started = time.monotonic()
        say(f"building the server environment in {plan.venv} ({'uv' if uv else 'venv + pip'}) ...")
        try:
            build(tmp, plan.deps, python, uv)
        except subprocess.CalledProcessError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            die(
                f"installing the server's dependencies failed ({' '.join(map(str, exc.cmd[:3]))} ... exited "
                f"{exc.returncode}); check network access to PyPI (or install uv), then restart Claude Code"
            )
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            die(f"cannot build the server environment in {tmp}: {exc}")
        with open(os.path.join(tmp, MARKER), "w") as f:
            f.write(f"{plan.key_src}\npython {python or 'uv-managed'}\n")
        shutil.rmtree(plan.venv, ignore_errors=True)
        os.replace(tmp, plan.venv)
        say(f"environment ready in {time.monotonic() - started:.1f} s")


def ensure_venv(plan: Plan) -> None:
    """Run the builder in its own session (it outlives us if Claude Code gives up) and wait for it."""
    if plan.ready():
        return
    interpreter_or_die(shutil.which("uv"))
    try:
        os.makedirs(plan.base, mode=0o700, exist_ok=True)
        log = open(plan.log, "ab")
    except OSError as exc:
        die(f"cannot write to the plugin data folder {plan.base}: {exc.strerror or exc}")
    start = log.tell()
    with log:
        proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), BUILD_FLAG],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )
    say(f"preparing the server environment (log: {plan.log}) ...")
    code = proc.wait()
    try:
        with open(plan.log, "rb") as f:
            f.seek(start)
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    for line in lines[:-1]:
        sys.stderr.write(line + "\n")
    last = lines[-1] if lines else ""
    if code != 0 or not plan.ready():
        if last.startswith("rca-launcher: "):
            die(last[len("rca-launcher: "):])
        if last:
            sys.stderr.write(last + "\n")
        die(f"building the server environment failed (exit {code}); see {plan.log}")
    if last:
        sys.stderr.write(last + "\n")
    sys.stderr.flush()


def site_packages(venv: str) -> list:
    """The venv's site-packages folders (lib/pythonX.Y/site-packages, or Lib/site-packages)."""
    found = glob.glob(os.path.join(venv, "lib", "python*", "site-packages")) + glob.glob(
        os.path.join(venv, "Lib", "site-packages"))
    return sorted(p for p in found if os.path.isdir(p))


def write_pointer(venv: str) -> None:
    """Tell the hooks where the plugin's packages are (`<data>/venvs/current.json`): the Bash hook
    imports the danger classifier and bashlex from there. Rewritten only when it changes; a
    failure is reported and ignored (the hooks then allow and say so)."""
    pointer = os.path.join(data_dir(), "venvs", "current.json")
    want = {"venv": venv, "python": venv_python(venv), "site_packages": site_packages(venv), "root": ROOT}
    try:
        with open(pointer, encoding="utf-8") as f:
            if json.load(f) == want:
                return
    except (OSError, ValueError):
        pass
    tmp = f"{pointer}.tmp-{os.getpid()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(want, f)
        os.replace(tmp, pointer)
    except OSError as exc:
        say(f"cannot write {pointer}: {exc}")


def main() -> None:
    if sys.argv[1:] == [BUILD_FLAG]:
        builder(Plan())
        return
    plan = Plan()
    ensure_venv(plan)
    write_pointer(plan.venv)
    exe = venv_python(plan.venv)
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    args = sys.argv[1:] or ["-m", "mcp_server"]
    say(f"starting {exe} {' '.join(args)}")  # one line in Claude Code's MCP log: which environment runs
    os.execve(exe, [exe] + args, env)


if __name__ == "__main__":
    main()
