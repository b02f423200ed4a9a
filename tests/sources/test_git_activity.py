"""Git activity on a real repository built here with real resets, amends, checkouts, a dropped stash
and a forced push; git runs read-only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mcp_server.errors import InputError
from mcp_server.sources import git_activity as ga
from mcp_server.sources._proc import ProcRun
from tests.conftest import require_program


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    require_program("git")
    r = tmp_path / "app"
    subprocess.run(["git", "init", "-q", "-b", "main", str(r)], check=True)
    for i in (1, 2, 3):
        (r / "server.py").write_text(f"VERSION = {i}\n")
        git(r, "add", "server.py")
        git(r, "commit", "-q", "-m", f"release {i}")
    git(r, "reset", "-q", "--hard", "HEAD~2")  # lose two commits
    git(r, "checkout", "-q", "-b", "hotfix")
    (r / "server.py").write_text("VERSION = 'wip'\n")
    git(r, "stash", "push", "-q", "-m", "half-done hotfix")
    git(r, "stash", "drop", "-q")  # lose the work in progress
    git(r, "checkout", "-q", "main")
    git(r, "commit", "-q", "--amend", "-m", "release 1 (amended)")
    remote = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(r, "remote", "add", "origin", str(remote))
    git(r, "push", "-q", "origin", "main")
    (r / "extra.txt").write_text("x\n")
    git(r, "add", "extra.txt")
    git(r, "commit", "-q", "-m", "add extra")
    git(r, "push", "-q", "origin", "main")
    git(r, "reset", "-q", "--hard", "HEAD~1")
    git(r, "push", "-q", "--force", "origin", "main")  # rewrite the remote
    return r


def test_resets_stash_drops_and_forced_updates_are_flagged(repo):
    r = ga.git_activity(str(repo))
    assert r.status == "ok", r.reason
    actions = [(e.kind, e.action, e.ref) for e in r.entries if e.flagged]
    msgs = [e.message for e in r.entries]
    assert "reset: moving to HEAD~2" in msgs and "reset: moving to HEAD~1" in msgs
    assert any(a == "amend" for _, a, _ in actions)
    assert any(a == "checkout" for _, a, _ in actions)
    forced = [e for e in r.entries if e.action == "forced_update"]
    assert forced and forced[0].ref.startswith("refs/remotes/origin/main")
    drops = [e for e in r.entries if e.kind == "dangling_stash"]
    assert len(drops) == 1 and "half-done hotfix" in drops[0].message and drops[0].flagged
    resets = [e for e in r.entries if e.action == "reset" and e.ref.startswith("HEAD")]
    assert all(e.old_commit and e.old_commit != e.commit for e in resets if "HEAD~" in e.message)
    commits = [e for e in r.entries if e.kind == "commit"]
    assert {c.message for c in commits} >= {"release 1 (amended)"}
    assert r.flagged == sum(1 for e in r.entries if e.flagged)
    ev = forced[0].to_event(str(repo))
    assert ev.data_type == "git:reflog" and ev.level == "warning"


def test_window_and_paging(repo):
    everything = ga.git_activity(str(repo), limit=5)
    assert len(everything.entries) == 5 and everything.next_cursor and everything.total > 5
    nxt = ga.git_activity(str(repo), limit=5, cursor=everything.next_cursor)
    assert nxt.entries and nxt.entries[0].evidence_id not in {e.evidence_id for e in everything.entries}
    none = ga.git_activity(str(repo), start="2001-01-01T00:00:00Z", end="2001-01-02T00:00:00Z")
    assert none.total == 0 and none.status == "ok"


def test_git_never_writes(repo):
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in (repo / ".git").rglob("*") if p.is_file()}
    ga.git_activity(str(repo))
    after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in (repo / ".git").rglob("*") if p.is_file()}
    assert before == after


def test_every_git_run_uses_the_safe_options(repo, monkeypatch):
    seen: list[list[str]] = []
    real_lines = ProcRun.lines

    def spy(self, *a, **k):
        seen.append(list(self.argv))
        assert self.env and self.env.get("GIT_OPTIONAL_LOCKS") == "0"
        return real_lines(self, *a, **k)

    monkeypatch.setattr(ProcRun, "lines", spy)
    ga.git_activity(str(repo))
    assert seen and all(argv[: 1 + len(ga.SAFE_OPTIONS)] == ["git", *ga.SAFE_OPTIONS] for argv in seen)
    assert all("core.fsmonitor=false" in argv for argv in seen)


def test_not_a_repo_missing_folder_and_option_like_path(tmp_path):
    require_program("git")
    plain = tmp_path / "plain"
    plain.mkdir()
    r = ga.git_activity(str(plain))
    assert r.status == "unavailable" and "not a git repository" in r.reason
    r = ga.git_activity(str(tmp_path / "absent"))
    assert r.status == "unavailable" and "no such folder" in r.reason
    with pytest.raises(InputError):
        ga.git_activity("--upload-pack=touch /tmp/pwned")


def test_git_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(ga, "which", lambda name: None)
    r = ga.git_activity(str(tmp_path))
    assert r.status == "unavailable" and "not installed" in r.reason


@pytest.mark.parametrize("subject,action", [
    ("reset: moving to HEAD~3", "reset"), ("checkout: moving from main to fix", "checkout"),
    ("rebase (finish): returning to refs/heads/main", "rebase"), ("commit (amend): fix", "amend"),
    ("commit (merge): Merge branch 'x'", "merge"), ("cherry-pick: fix", "cherry-pick"),
    ("pull: Fast-forward", "pull"), ("fetch: forced-update", "forced_update"),
    ("branch: Reset to main", "forced_update"), ("commit (initial): first", "commit"),
])
def test_reflog_subjects_are_classified(subject, action):
    assert ga.classify(subject) == action


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(subject=st.text(max_size=200), ref=st.text(max_size=40))
def test_classify_accepts_any_reflog_subject(subject, ref):
    assert ga.classify(subject, ref) in ga.ActionKind.__args__
