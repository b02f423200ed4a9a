"""Running evidence programs (`log`, `journalctl`, `coredumpctl`, `git`) safely.

Always an argv list, never a shell string; stdin closed; a hard time limit (the process group is
killed when it runs out); stdout streamed line by line with bounded lines; stderr kept bounded
for the error message. A missing program is `SourceUnavailable`, not an exception escaping.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Iterator, Optional, Sequence

from ..errors import InputError, SourceUnavailable

DEFAULT_TIMEOUT = 60.0
MAX_LINE_BYTES = 1 << 20
_STDERR_KEEP = 4096


def reject_option_like(value: str, what: str) -> str:
    """Refuse a value that a program would read as an option (argument injection)."""
    if value.startswith("-"):
        raise InputError(f"{what} {value!r} starts with '-', which would be read as an option; refused")
    return value


def max_timeout() -> float:
    """Ceiling on any evidence program's run: `$RCA_COMMAND_TIMEOUT` seconds when set (lets a test, or
    a user who wants quick answers, shorten every source's own limit); no ceiling otherwise."""
    raw = os.environ.get("RCA_COMMAND_TIMEOUT")
    try:
        value = float(raw) if raw else float("inf")
    except ValueError:
        return float("inf")
    return value if value > 0 else float("inf")


def which(program: str) -> Optional[str]:
    return shutil.which(program)


@dataclass
class ProcRun:
    """One program run. Iterate `lines()`; afterwards read `returncode`, `stderr`, `timed_out`."""

    argv: list[str]
    timeout: float = DEFAULT_TIMEOUT
    env: Optional[dict[str, str]] = None
    returncode: Optional[int] = None
    stderr: str = ""
    timed_out: bool = False
    stopped_early: bool = False
    _stderr_chunks: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.argv, str) or not all(isinstance(a, str) for a in self.argv):
            raise TypeError("argv must be a list of strings")
        self.argv = list(self.argv)
        self.timeout = min(self.timeout, max_timeout())

    def lines(self, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[bytes]:
        """Yield stdout lines (without the newline); lines longer than the limit are cut."""
        exe = which(self.argv[0]) if os.sep not in self.argv[0] else self.argv[0]
        if exe is None:
            raise SourceUnavailable(f"`{self.argv[0]}` is not installed or not on PATH")
        env = dict(os.environ)
        env.update(self.env or {})
        try:
            proc = subprocess.Popen(  # noqa: S603 - argv list, no shell
                [exe, *self.argv[1:]],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise SourceUnavailable(f"cannot run `{self.argv[0]}`: {exc.strerror or exc}") from exc

        def kill() -> None:
            self.timed_out = True
            _kill_group(proc)

        timer = threading.Timer(self.timeout, kill)
        timer.daemon = True
        timer.start()
        err_thread = threading.Thread(target=self._drain_stderr, args=(proc,), daemon=True)
        err_thread.start()
        assert proc.stdout is not None
        at_eof = False
        try:
            while True:
                chunk = proc.stdout.readline(max_line_bytes)
                if not chunk:
                    at_eof = True
                    break
                if len(chunk) >= max_line_bytes and not chunk.endswith(b"\n"):
                    while True:
                        rest = proc.stdout.readline(max_line_bytes)
                        if not rest or rest.endswith(b"\n"):
                            break
                yield chunk.rstrip(b"\r\n")
        finally:
            if at_eof and not self.timed_out:
                # stdout closed: the program is exiting; let it finish (the timer still bounds this)
                # rather than kill it and lose its exit status and last stderr lines
                try:
                    proc.wait(timeout=max(self.timeout, 1.0))
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None:
                # the consumer stopped early (limit reached) or the run timed out
                if not self.timed_out:
                    self.stopped_early = True
                _kill_group(proc)
            timer.cancel()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            err_thread.join(timeout=2)
            if proc.stdout:
                proc.stdout.close()
            self.returncode = proc.returncode
            self.stderr = b"".join(self._stderr_chunks)[-_STDERR_KEEP:].decode("utf-8", "replace").strip()

    def _drain_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        kept = 0
        for chunk in iter(lambda: proc.stderr.read(4096), b""):  # type: ignore[union-attr]
            if kept < 4 * _STDERR_KEEP:
                self._stderr_chunks.append(chunk)
                kept += len(chunk)
        proc.stderr.close()  # type: ignore[union-attr]

    def failure(self) -> Optional[str]:
        """A one-line reason when the run failed (after `lines()` was consumed), else None."""
        if self.timed_out:
            return f"`{self.argv[0]}` did not finish within {self.timeout:g} s and was stopped"
        if self.stopped_early:
            return None
        if self.returncode not in (0, None):
            detail = self.stderr.splitlines()[-1] if self.stderr else "no message"
            return f"`{self.argv[0]}` exited with status {self.returncode}: {detail}"
        return None


def run_capture(argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT, max_lines: int = 100_000) -> tuple[list[str], ProcRun]:
    """Run a program and collect up to `max_lines` of its stdout as text."""
    run = ProcRun(list(argv), timeout=timeout)
    out: list[str] = []
    for line in run.lines():
        out.append(line.decode("utf-8", "replace"))
        if len(out) >= max_lines:
            break
    return out, run


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        try:
            proc.kill()
        except OSError:
            pass
