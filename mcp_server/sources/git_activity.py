"""Git activity in a repository: commits and reflog entries in a time window.

Resets, checkouts, rebases, amends, stash drops and forced updates are classic root causes ("it
worked an hour ago"): the reflog records each with its time and the command that made it
(`reset: moving to HEAD~3`, `checkout: moving from main to fix`, `rebase (finish): …`). A stash
drop deletes its reflog line instead of adding one, so dropped stashes are found as unreachable
commits with the stash shape (two or more parents, `WIP on …:`/`On …:`), via
`git fsck --unreachable --no-reflogs` (their time is when the stash was made, not dropped).

Git is run read-only: an argv list (no shell), `--no-pager`, `-c core.fsmonitor=false` (no
fsmonitor hook runs), `-c core.hooksPath=/dev/null`, `GIT_OPTIONAL_LOCKS=0` (no index refresh
writes), no external diff or textconv. A folder that is not a repository, or a missing `git`,
gives status "unavailable" with the reason.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, Field

from ..errors import InputError, SourceUnavailable
from ..models import Event, ParseWarning, SourceRun, make_evidence_id
from ..paging import next_page_hint, page
from ..timeutil import parse_time, to_utc_iso
from ._proc import ProcRun, which

SOURCE = "git"
SAFE_OPTIONS = [
    "--no-pager",
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "diff.external=",
    "-c", "core.pager=cat",
    "-c", "log.showSignature=false",
]
GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}
_SEP = "\x1f"
_TIMEOUT = 30.0

ActionKind = Literal[
    "commit", "amend", "merge", "reset", "checkout", "rebase", "cherry-pick", "revert", "pull", "clone",
    "branch", "stash", "stash_drop", "forced_update", "other",
]
#: Actions that can lose work or change what runs: flagged for the investigator.
RISKY = {"reset", "rebase", "stash_drop", "forced_update", "amend", "checkout"}


class GitEntry(BaseModel):
    evidence_id: str
    kind: Literal["commit", "reflog", "dangling_stash"]
    action: ActionKind
    flagged: bool = Field(description="True for actions that rewrite history, move HEAD or discard work.")
    time: Optional[datetime] = None
    ref: Optional[str] = Field(None, description="reflog: the ref whose log it is (HEAD, refs/heads/main, …) and selector.")
    commit: str
    old_commit: Optional[str] = Field(None, description="reflog: the value before the update.")
    author: Optional[str] = None
    message: str

    def to_event(self, repo: str) -> Event:
        return Event(
            evidence_id=self.evidence_id, data_type=f"git:{self.kind}", source=SOURCE, time=self.time,
            time_zone="UTC", time_meaning="committed" if self.kind == "commit" else "updated", process="git",
            category=self.action, level="warning" if self.flagged else "info",
            message=self.message,
            extra={k: v for k, v in {"ref": self.ref, "commit": self.commit, "old_commit": self.old_commit,
                                       "author": self.author, "flagged": self.flagged, "repo": repo}.items() if v is not None},
            origin=repo,
        )


class GitActivity(BaseModel):
    repo: str
    status: Literal["ok", "partial", "unavailable"]
    reason: Optional[str] = None
    window: list[Optional[str]]
    entries: list[GitEntry]
    total: int
    flagged: int = Field(0, description="Entries in the window flagged as risky.")
    next_cursor: Optional[str] = None
    hint: Optional[str] = None
    warnings: list[ParseWarning] = Field(default_factory=list)
    sources: list[SourceRun] = Field(default_factory=list)


def _git(repo: Path, *args: str) -> ProcRun:
    return ProcRun(["git", *SAFE_OPTIONS, "-C", str(repo), *args], timeout=_TIMEOUT, env=GIT_ENV)


def _run(repo: Path, *args: str, max_lines: int = 200_000) -> tuple[list[str], ProcRun]:
    run = _git(repo, *args)
    out: list[str] = []
    for raw in run.lines():
        out.append(raw.decode("utf-8", "replace"))
        if len(out) >= max_lines:
            break
    return out, run


def classify(subject: str, ref: str = "") -> ActionKind:
    """The action a reflog message records (`git reflog` subjects are `<command>: <detail>`)."""
    s = subject.lower()
    if s.startswith("reset:"):
        return "reset"
    if s.startswith("checkout:") or s.startswith("switch:"):
        return "checkout"
    if s.startswith("rebase") or s.startswith("pull --rebase"):
        return "rebase"
    if s.startswith("commit (amend)"):
        return "amend"
    if s.startswith("commit (merge)") or s.startswith("merge"):
        return "merge"
    if s.startswith("commit"):
        return "commit"
    if s.startswith("cherry-pick"):
        return "cherry-pick"
    if s.startswith("revert"):
        return "revert"
    if s.startswith("pull") or s.startswith("fetch"):
        return "forced_update" if "forced-update" in s or "forced update" in s else "pull"
    if s.startswith("clone"):
        return "clone"
    if s.startswith("branch:"):
        return "forced_update" if "reset to" in s else "branch"
    if s.startswith("push") and ("forced" in s or "force" in s):
        return "forced_update"
    if ref.startswith("refs/stash") or s.startswith("wip on") or s.startswith("on "):
        return "stash"
    if s.startswith("update by push") or s.startswith("update"):
        return "other"
    return "other"


def _is_ancestor(repo: Path, old: str, new: str) -> Optional[bool]:
    if set(old) == {"0"} or set(new) == {"0"}:
        return True
    run = _git(repo, "merge-base", "--is-ancestor", old, new)
    for _ in run.lines():
        pass
    if run.timed_out:
        return None
    return run.returncode == 0


def git_activity(
    repo: str,
    start: Union[str, datetime, None] = None,
    end: Union[str, datetime, None] = None,
    limit: int = 200,
    cursor: Optional[str] = None,
) -> GitActivity:
    """Commits (by committer time) and reflog entries of every ref in the window, newest first.

    Reflog entries that move a branch to a commit that does not contain its old value (a reset
    backwards, a forced fetch/push update, an amend or rebase) are flagged, as are checkouts;
    unreachable stash commits (dropped stashes) are listed as `dangling_stash`.
    """
    start_dt = parse_time(start)
    end_dt = parse_time(end)
    if start_dt and end_dt and start_dt > end_dt:
        raise InputError(f"the time window is reversed: start {to_utc_iso(start_dt)} is after end {to_utc_iso(end_dt)}")
    window = [to_utc_iso(start_dt), to_utc_iso(end_dt)]
    path = Path(repo).expanduser()
    if str(repo).startswith("-"):
        raise InputError(f"repo {repo!r} starts with '-', which git would read as an option; refused")

    def unavailable(reason: str) -> GitActivity:
        return GitActivity(repo=str(path), status="unavailable", reason=reason, window=window, entries=[], total=0,
                           sources=[SourceRun(source=SOURCE, path=str(path), status="unavailable", reason=reason)])

    if which("git") is None:
        return unavailable("`git` is not installed or not on PATH")
    if not path.is_dir():
        return unavailable(f"{path}: no such folder")
    try:
        top, run = _run(path, "rev-parse", "--absolute-git-dir")
    except SourceUnavailable as exc:
        return unavailable(str(exc))
    if run.returncode != 0 or not top:
        return unavailable(f"{path} is not a git repository ({run.failure() or 'rev-parse failed'})")
    warnings: list[ParseWarning] = []
    runs: list[SourceRun] = []
    entries: list[GitEntry] = []
    since = ["--since", start_dt.isoformat()] if start_dt else []
    until = ["--until", end_dt.isoformat()] if end_dt else []

    # commits reachable from any ref, in the window (committer time)
    fmt = _SEP.join(["%H", "%ct", "%an <%ae>", "%s", "%P"])
    args = ["log", "--all", "--no-color", "--no-show-signature", "--date-order", f"--format={fmt}", *since, *until, "--"]
    lines, run = _run(path, *args)
    runs.append(SourceRun(source=SOURCE, argv=run.argv, path=str(path), status="ok" if not run.failure() else "partial",
                          events=len(lines), reason=run.failure()))
    for line in lines:
        parts = line.split(_SEP)
        if len(parts) < 5:
            continue
        h, ct, author, subject, parents = parts[:5]
        when = datetime.fromtimestamp(int(ct), timezone.utc) if ct.isdigit() else None
        action: ActionKind = "merge" if len(parents.split()) > 1 else "commit"
        entries.append(GitEntry(evidence_id=make_evidence_id("git:commit", str(path), h), kind="commit", action=action,
                                flagged=False, time=when, commit=h, author=author, message=subject))

    # reflogs of every ref (HEAD, branches, remotes, stash)
    rfmt = _SEP.join(["%H", "%gd", "%gs", "%ct", "%gD"])
    reflog_args = ["log", "--walk-reflogs", "--no-color", "--date=unix", f"--format={rfmt}"]
    refs, rrun = _run(path, "for-each-ref", "--format=%(refname)")
    targets = ["HEAD"] + [r for r in refs if r and not r.startswith("refs/tags/")]
    for ref in targets:
        lines, run = _run(path, *reflog_args, ref, "--")
        if run.returncode not in (0, None) and not lines:
            continue  # a ref without a reflog
        prev_new: Optional[str] = None
        parsed = []
        for line in lines:
            parts = line.split(_SEP)
            if len(parts) < 5:
                continue
            h, selector, subject, _ct, selector_ts = parts[:5]
            m = re.search(r"@\{(\d+)\}$", selector_ts)
            when = datetime.fromtimestamp(int(m.group(1)), timezone.utc) if m else None
            parsed.append((h, selector, subject, when))
        # reflog is newest first; the old value of entry i is the new value of entry i+1
        for i, (h, selector, subject, when) in enumerate(parsed):
            old = parsed[i + 1][0] if i + 1 < len(parsed) else None
            if start_dt and when and when < start_dt or end_dt and when and when > end_dt:
                continue
            selector = f"{ref}@{{{i}}}"
            action = classify(subject, ref)
            flagged = action in RISKY
            if old and action in ("reset", "pull", "branch", "other") and ref != "HEAD":
                anc = _is_ancestor(path, old, h)
                if anc is False:
                    action = "forced_update" if action != "reset" else "reset"
                    flagged = True
            if action == "reset" and old:
                flagged = True
            entries.append(GitEntry(
                evidence_id=make_evidence_id("git:reflog", str(path), selector, h, when), kind="reflog",
                action=action, flagged=flagged, time=when, ref=selector, commit=h, old_commit=old, message=subject,
            ))
        runs.append(SourceRun(source=SOURCE, argv=run.argv, path=str(path), events=len(parsed)))

    # dropped stashes: unreachable commits that look like stashes (two or three parents, "WIP on"/"On x:")
    lines, run = _run(path, "fsck", "--unreachable", "--no-reflogs", "--no-progress", max_lines=20_000)
    if run.failure():
        warnings.append(ParseWarning(source=SOURCE, path=str(path), message=f"dropped-stash search failed: {run.failure()}"))
    dangling = [ln.split()[2] for ln in lines if ln.startswith("unreachable commit ") and len(ln.split()) >= 3]
    runs.append(SourceRun(source=SOURCE, argv=run.argv, path=str(path), events=len(dangling), reason=run.failure()))
    if dangling:
        show_fmt = _SEP.join(["%H", "%ct", "%s", "%P"])
        lines, run = _run(path, "show", "-s", "--no-color", f"--format={show_fmt}", *dangling[:2000], "--")
        for line in lines:
            parts = line.split(_SEP)
            if len(parts) < 4:
                continue
            h, ct, subject, parents = parts[:4]
            if len(parents.split()) < 2 or not re.match(r"^(WIP on |On )[^:]+:", subject):
                continue
            when = datetime.fromtimestamp(int(ct), timezone.utc) if ct.isdigit() else None
            if start_dt and when and when < start_dt or end_dt and when and when > end_dt:
                continue
            entries.append(GitEntry(
                evidence_id=make_evidence_id("git:dangling_stash", str(path), h), kind="dangling_stash",
                action="stash_drop", flagged=True, time=when, commit=h,
                message=f"unreachable stash (dropped or cleared; time is when it was made): {subject}",
            ))

    # newest first; a stable sort keeps each reflog's own order for entries made in the same second
    entries.sort(key=lambda e: e.time or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
    chunk, next_cursor, total = page(entries, limit, cursor, {"repo": str(path), "start": window[0], "end": window[1]})
    return GitActivity(
        repo=str(path), status="partial" if warnings else "ok", window=window, entries=chunk, total=total,
        flagged=sum(1 for e in entries if e.flagged), next_cursor=next_cursor,
        hint=next_page_hint("git_activity", next_cursor, len(chunk), total), warnings=warnings, sources=runs,
    )
