"""ProcRun keeps a program's exit status when its stdout closes a moment before it exits.

coredumpctl prints nothing on stdout and "No coredumps found." on stderr, then exits 1; reading to
EOF used to race with the exit and kill the program, reporting an early stop instead of the status.
"""

from __future__ import annotations

from mcp_server.sources._proc import ProcRun
from tests.conftest import require_program


def test_status_and_stderr_survive_stdout_closing_first():
    sh = require_program("sh")
    run = ProcRun([sh, "-c", "exec 1>&-; sleep 0.3; echo 'No coredumps found.' >&2; exit 1"], timeout=30)
    assert list(run.lines()) == []
    assert run.returncode == 1 and not run.stopped_early
    assert run.failure() == "`" + sh + "` exited with status 1: No coredumps found."
