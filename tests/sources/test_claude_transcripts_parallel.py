"""The two-process scan against the one-process scan.

Large sets are read by this process and a forked copy of it (`_scan_parallel`): the copy records
every call it finds and the parent replays them after its own files. Whatever the split, the
answer must be the one a single pass gives: the same page of calls, counts, duplicates dropped
across the two halves (a resumed session repeats its history in a new file), nested calls, notes,
warnings (capped), stats, per-file runs; and when the copy dies, the parent reads its files itself.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench.bench_sessions import generate
from mcp_server.sources import claude_transcripts as ct
from tests.conftest import sample
from tests.sources.test_claude_transcripts_scan import TRAPS

TS = "2026-11-21T10:00:00.000Z"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Generated sessions (with subagents, notes, long outputs), the real samples, files of traps
    (bad lines, notes, nested calls, a cut last line) first, in the middle and last, and a copy of
    the first session under another name at the end, so that every one of its ids is a duplicate
    across halves."""
    root = tmp_path_factory.mktemp("par") / "projects"
    generate(root, 3 << 20, seed=11)
    for name in ("generated_offline_2.1.330", "generated_offline_2.1.197"):
        try:
            shutil.copytree(sample("claude_sessions", name), root / name)
        except pytest.skip.Exception:
            pass  # ../shared is absent (CI): the generated sessions still cover every case
    (root / "-home-dev-proj1").mkdir(exist_ok=True)
    (root / "-home-dev-proj3").mkdir(exist_ok=True)
    for project, name in (("0", "00000000"), ("1", "00000000"), ("3", "fffffff0")):
        (root / f"-home-dev-proj{project}" / f"{name}-trap-trap-trap-000000000000.jsonl").write_bytes(TRAPS)
    first = sorted((root / "-home-dev-proj0").glob("*.jsonl"))[1]
    shutil.copy(first, root / "-home-dev-proj3" / "ffffffff-resumed-copy-0000-000000000000.jsonl")
    return root


def files_of(folder: Path) -> list[ct.TranscriptFile]:
    files, _ = ct.locate(paths=[str(folder)])
    assert len(files) > 8
    return files


def state(scan: ct.Scan) -> dict:
    c = scan.collector
    return {
        "entries": c.entries(),
        "counts": (c.total, c.remaining, c.seen_count),
        "notes": scan.notes,
        "notes_total": scan.notes_total,
        "warnings": [w.model_dump() for w in scan.warnings],
        "warnings_total": scan.warnings_total,
        "stats": scan.stats.model_dump(),
        "line_types_order": list(scan.stats.line_types),
        "runs": [r.model_dump() for r in scan.runs],
        "huge": sorted(scan.huge),
    }


@pytest.fixture
def parallel(monkeypatch):
    """Force the two-process scan on small sets, and count the scans that really went parallel."""
    monkeypatch.setattr(ct, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(ct, "_can_fork", lambda: True)
    merged = []
    real = ct._scan_parallel

    def spy(*args):
        ok = real(*args)
        merged.append(ok)
        return ok

    monkeypatch.setattr(ct, "_scan_parallel", spy)
    return merged


def serial_scan(monkeypatch, *args) -> ct.Scan:
    with monkeypatch.context() as m:
        m.setattr(ct, "SCAN_PROCESSES", 1)
        m.setattr(ct, "_can_fork", lambda: False)
        return ct.scan_files(*args)


COLLECTORS = {
    "everything": lambda: ct.Collector("first", 10**9),
    "first page": lambda: ct.Collector("first", 7),
    "after a key": lambda: ct.Collector("first", 5, ("2026-11-21T10:00:00.000Z", 3, 0, "toolu_")),
    "window": lambda: ct.Collector("first", 9, None, "2026-11-21T10:00:00.000Z", "2030-01-01T00:00:00.000Z"),
    "last": lambda: ct.Collector("last", 12, None, "0", "2030-01-01T00:00:00.000Z"),
}


@pytest.mark.parametrize("tools", [None, frozenset({"Bash", "Agent", "Task"})])
@pytest.mark.parametrize("share", [0.05, 0.47, 0.95])
@pytest.mark.parametrize("kind", list(COLLECTORS))
def test_two_processes_equal_one(folder, monkeypatch, parallel, tools, share, kind):
    files = files_of(folder)
    monkeypatch.setattr(ct, "_PARENT_SHARE", share)
    monkeypatch.setattr(ct, "_SPILL_EVERY", 5)  # many spill records
    got = ct.scan_files(files, tools, None, None, COLLECTORS[kind]())
    want = serial_scan(monkeypatch, files, tools, None, None, COLLECTORS[kind]())
    assert parallel == [True]
    assert state(got) == state(want)
    assert want.collector.total > 0 and want.stats.invalid_lines > 0 and want.notes


def test_duplicates_across_the_halves_are_dropped_as_in_one_pass(folder, monkeypatch, parallel):
    """The resumed copy (last file, read by the forked process) repeats every id of the first
    session (read here): none of its calls is counted again."""
    files = files_of(folder)
    got = ct.scan_files(files, None, None, None, ct.Collector("first", 10**9))
    want = serial_scan(monkeypatch, files, None, None, None, ct.Collector("first", 10**9))
    copy = next(i for i, f in enumerate(files) if "resumed-copy" in f.path.name)
    assert got.collector.seen_count > got.collector.total
    assert not [e for e in got.collector.entries() if e[1] == copy]
    assert got.collector.entries() == want.collector.entries()


def test_capped_notes_and_warnings_merge_like_one_pass(folder, monkeypatch, parallel):
    files = files_of(folder)
    monkeypatch.setattr(ct, "MAX_NOTES", 2)
    monkeypatch.setattr(ct, "MAX_WARNINGS", 1)
    for share in (0.05, 0.5):
        monkeypatch.setattr(ct, "_PARENT_SHARE", share)
        got = ct.scan_files(files, None, None, None, ct.Collector("first", 3))
        want = serial_scan(monkeypatch, files, None, None, None, ct.Collector("first", 3))
        assert state(got) == state(want)
        assert want.notes_total > 2 and len(want.notes) == 2 and want.warnings_total > 1 and len(want.warnings) == 1


def test_a_dead_child_means_a_one_process_scan(folder, monkeypatch, parallel):
    """The forked reader fails (here: raises at once): the parent notices, merges nothing of it
    and reads those files itself."""
    files = files_of(folder)

    def boom(*args):
        raise RuntimeError("child failed")

    monkeypatch.setattr(ct, "_child_scan", boom)
    got = ct.scan_files(files, None, None, None, ct.Collector("first", 50))
    want = serial_scan(monkeypatch, files, None, None, None, ct.Collector("first", 50))
    assert parallel == [False]
    assert state(got) == state(want)


def test_a_stuck_child_is_killed_and_its_files_read_here(folder, monkeypatch, parallel):
    """The forked reader never finishes (here: it sleeps, as one blocked on a lock another thread
    held at the fork would): after its bounded wait the parent kills it and reads its files
    itself. A scan can be slow, never hang."""
    files = files_of(folder)
    monkeypatch.setattr(ct, "CHILD_WAIT_MIN_S", 0.5)
    monkeypatch.setattr(ct, "CHILD_WAIT_FACTOR", 0.0)

    def stuck(*args):
        import time

        time.sleep(3600)

    monkeypatch.setattr(ct, "_child_scan", stuck)
    got = ct.scan_files(files, None, None, None, ct.Collector("first", 50))
    want = serial_scan(monkeypatch, files, None, None, None, ct.Collector("first", 50))
    assert parallel == [False]
    assert state(got) == state(want)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the stuck child was killed and reaped


def test_a_failed_fork_means_a_one_process_scan(folder, monkeypatch, parallel):
    files = files_of(folder)

    def no_fork():
        raise OSError("fork: resource temporarily unavailable")

    monkeypatch.setattr(ct.os, "fork", no_fork)
    got = ct.scan_files(files, None, None, None, ct.Collector("first", 50))
    want = serial_scan(monkeypatch, files, None, None, None, ct.Collector("first", 50))
    assert parallel == [False]
    assert state(got) == state(want)


def test_every_page_of_extract_session_commands_is_the_same(folder, monkeypatch, parallel):
    """End to end: every page (cursor after cursor), with results, notes and warnings."""

    def pages() -> list[dict]:
        out, cursor = [], None
        while True:
            r = ct.extract_session_commands(paths=[str(folder)], tools="all", limit=40, cursor=cursor)
            out.append(r.model_dump())
            cursor = r.next_cursor
            if not cursor:
                return out

    got = pages()
    with monkeypatch.context() as m:
        m.setattr(ct, "SCAN_PROCESSES", 1)
        m.setattr(ct, "_can_fork", lambda: False)
        n = len(parallel)
        want = pages()
        assert len(parallel) == n  # the reference really ran in one process
    assert len(got) > 3 and all(parallel)
    assert got == want


def test_small_sets_and_one_cpu_stay_in_one_process(folder, monkeypatch):
    files = files_of(folder)
    todo = list(range(len(files)))
    assert ct._split_point(files, todo) is None  # a few MB: under PARALLEL_MIN_BYTES
    monkeypatch.setattr(ct, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(ct, "SCAN_PROCESSES", 1)
    assert ct._split_point(files, todo) is None
    monkeypatch.setattr(ct, "SCAN_PROCESSES", 2)
    monkeypatch.setattr(ct.os, "sched_getaffinity", lambda pid: {0})
    assert ct._split_point(files, todo) is None
    monkeypatch.setattr(ct.os, "sched_getaffinity", lambda pid: {0, 1})
    split = ct._split_point(files, todo)
    assert split is not None and 0 < split < len(todo)


def test_oversized_lines_on_both_sides(folder, monkeypatch, parallel):
    """Lines over MAX_LINE_BYTES (here 4 KB: long Write calls, outputs, request blobs) are read by
    pattern on either side of the split, and their kept head and tail reach the parent."""
    files = files_of(folder)
    monkeypatch.setattr(ct, "MAX_LINE_BYTES", 4000)
    monkeypatch.setattr(ct, "HUGE_KEEP", 1000)
    got = ct.scan_files(files, None, None, None, ct.Collector("first", 10**9))
    want = serial_scan(monkeypatch, files, None, None, None, ct.Collector("first", 10**9))
    assert state(got) == state(want) and got.huge == want.huge
    split = ct._split_point(files, list(range(len(files))))
    assert {fidx for fidx, _ in want.huge} & set(range(split)) and {fidx for fidx, _ in want.huge} - set(range(split))


def test_without_memfd_the_scan_stays_in_one_process(folder, monkeypatch, parallel):
    """The forked reader's calls go to a memfd (memory): where there is none, nothing is written
    to disk instead; the scan stays in this process."""
    files = files_of(folder)

    def no_memfd(*args):
        raise OSError("memfd_create: function not implemented")

    monkeypatch.setattr(ct.os, "memfd_create", no_memfd)
    got = ct.scan_files(files, None, None, None, ct.Collector("first", 50))
    want = serial_scan(monkeypatch, files, None, None, None, ct.Collector("first", 50))
    assert parallel == [False]
    assert state(got) == state(want)


def test_no_descriptor_or_child_is_left_behind(folder, monkeypatch, parallel):
    files = files_of(folder)
    before = sorted(os.listdir("/proc/self/fd"))
    ct.scan_files(files, None, None, None, ct.Collector("first", 5))
    monkeypatch.setattr(ct, "_child_scan", lambda *a: os._exit(3))  # a child that dies
    ct.scan_files(files, None, None, None, ct.Collector("first", 5))
    assert parallel == [True, False]
    assert sorted(os.listdir("/proc/self/fd")) == before
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped


def test_the_fork_warning_of_threaded_processes_is_not_an_error(folder, monkeypatch, parallel):
    """Python 3.12+ warns (DeprecationWarning) when a process with threads forks, after the fork;
    under `-W error` that would raise in the parent with the child running. The fork is made with
    that warning ignored: the scan still runs in two processes and ends as one."""
    import warnings

    real_fork = os.fork

    def fork_that_warns():
        pid = real_fork()
        if pid:
            warnings.warn("This process is multi-threaded, use of fork() may lead to deadlocks", DeprecationWarning)
        return pid

    monkeypatch.setattr(ct.os, "fork", fork_that_warns)
    files = files_of(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ct.scan_files(files, None, None, None, ct.Collector("first", 50))
    want = serial_scan(monkeypatch, files, None, None, None, ct.Collector("first", 50))
    assert parallel == [True]
    assert state(got) == state(want)
