"""kill -9 while a process appends to the journal: the journal still reads, and folds to
exactly the records whose lines were complete, which include every acknowledged one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from avala.transfers._journal import FileIntent, FileStored, PartStored, Record, fold
from avala.transfers._local import read_journal, recover_journal
from avala.transfers._parts import MIN_PART_SIZE, PartRange
from avala.transfers._stamp import Stamp

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[2]
BIG = Stamp(10_000 * MIN_PART_SIZE, 1)
LONG = "d" * 3000  # a line longer than a page


def record(index: int) -> Record:
    """The index-th record the writer appends (the same function on both sides)."""
    if index == 0:
        return FileIntent("big", BIG)
    if index % 2:
        n = (index + 1) // 2
        return PartStored("big", PartRange(n, (n - 1) * MIN_PART_SIZE, MIN_PART_SIZE))
    return FileStored(f"{LONG}/{index}", Stamp(index, index))


WRITER = """
import sys
from tests.transfers.test_journal_kill9 import record
from avala.transfers._local import append_journal
path, start = sys.argv[1], int(sys.argv[2])
for index in range(start, start + 19_000):
    append_journal(path, [record(index)])
    print(index, flush=True)  # acknowledged: append_journal returned after fsync
"""


def run_and_kill(path: Path, start: int, at_least: int) -> int:
    """Start a writer at record ``start``, SIGKILL it once ``at_least`` appends are
    acknowledged; return the highest acknowledged index."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(start)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    acked = [start - 1]
    enough = threading.Event()

    def reader() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            acked.append(int(line))
            if acked[-1] - start + 1 >= at_least:
                enough.set()
        enough.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        assert enough.wait(60), "the writer made no progress"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    thread.join(10)
    return acked[-1]


def test_kill9_mid_append_leaves_a_journal_that_folds_to_its_complete_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state" / "k.journal"
    next_index = 0
    for _round in range(3):  # a rerun recovers the journal and appends after the cut
        last_acked = run_and_kill(path, next_index, at_least=40)
        records = read_journal(path)  # no exception, whatever the kill left
        count = len(records)
        # Every acknowledged append is there; at most the one in flight is beyond it.
        assert last_acked + 1 <= count <= last_acked + 2
        expected = [record(i) for i in range(count)]
        assert list(records) == expected
        state = fold(records)
        assert state == fold(expected)
        parts = state.stored_parts("big", BIG)
        assert {p.number for p in parts} == set(range(1, (count - 1 + 1) // 2 + 1))
        assert recover_journal(path) == records
        assert path.read_bytes().endswith(b"\n")
        next_index = count
    assert next_index >= 120
