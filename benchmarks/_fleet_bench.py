"""The fleet upload rows of ``make bench`` (issue 13; ``run.py --only upload``): see
benchmarks/README.md, "Fleet upload".

One recording tree (many small files plus a few large ones) is generated once. Each
measurement gets a fresh FakeAvala process with a pending recording, and runs one
contender in a fresh process (``_upload.py``): this SDK's
``fleet.uploads.upload_recording``, the existing SDK's method of the same name (the legacy
``upload/`` protocol), and the ceiling (plain ``requests`` PUTs of the same bytes to URLs
the same store minted), all with the same number of workers.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _fake_process import fake_process
from _upload_bench import (
    CEILING_SHARE,
    CONTENDERS,
    MIB,
    Outcome,
    cell_rate,
    child_env,
    finish,
    launch,
    ratio_cell,
    reads_row,
    write_random,
)

KIB = 1024


@dataclass(frozen=True)
class FleetSizes:
    """What the fleet rows move; ``run.py``'s flags shrink it for a quick look. 500 small
    files weigh the per-file protocol (URL grants, confirm, journal); 4 large ones the
    byte moving; about 380 MiB a run keeps 3 contenders × 2 rounds to a minute or two."""

    small: int = 500
    small_kib: float = 256
    large: int = 4
    large_mib: float = 64
    workers: int = 4  # the existing SDK's default max_workers
    rounds: int = 2


@dataclass(frozen=True)
class Tree:
    source: str
    label: str
    files: tuple[tuple[str, str], ...]  # (local path, path in the recording)
    sizes: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.sizes)


@contextmanager
def recording_tree(sizes: FleetSizes) -> Iterator[Tree]:
    """The recording's files in a temporary directory, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="avala-bench-fleet-"))
    try:
        source = root / "recording"
        files: list[tuple[str, str]] = []
        lengths: list[int] = []
        plan = [(f"frames/{i:04d}.bin", int(sizes.small_kib * KIB)) for i in range(sizes.small)]
        plan += [(f"logs/{i}.mcap", int(sizes.large_mib * MIB)) for i in range(sizes.large)]
        for rel, size in plan:
            path = source / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            write_random(path, size)
            files.append((str(path), rel))
            lengths.append(size)
        label = (
            f"fleet upload: {sizes.small} × {sizes.small_kib:g} KiB + "
            f"{sizes.large} × {sizes.large_mib:g} MiB"
        )
        yield Tree(str(source), label, tuple(files), tuple(lengths))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure_one(python: str, contender: str, tree: Tree, workers: int) -> dict[str, Any]:
    """One upload by one contender into a fresh fake; checks the store got every byte."""
    scratch = Path(tempfile.mkdtemp(prefix="avala-bench-fleet-run-"))
    try:
        with fake_process() as fake:
            uid = f"rec-{contender}-{uuid.uuid4().hex[:8]}"
            fake.call("seed_recording", uid=uid)
            manifest: dict[str, Any] = {
                "recording_uid": uid,
                "source": tree.source,
                "workers": workers,
                "bytes": tree.total,
            }
            if contender == "ceiling":
                keys = [f"fleet/ceiling/{rel}" for _, rel in tree.files]
                urls = fake.call("presign_puts", keys=keys)["urls"]
                manifest["targets"] = [
                    [url, path, 0, size]
                    for url, (path, _), size in zip(urls, tree.files, tree.sizes, strict=True)
                ]
            env = child_env(fake, scratch, contender)
            result = finish(launch(python, contender, manifest, env, scratch))
            received = fake.call("received")["total"]
            if "seconds" in result and received < tree.total:
                result = {"failed": f"the store received {received} of {tree.total} bytes"}
            result["received"] = received
            return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_fleet(
    sizes: FleetSizes, pythons: dict[str, str | None], why_not: dict[str, str]
) -> tuple[list[list[str]], list[str]]:
    """All rounds: the fleet rows of the upload table, and their notes."""
    outcomes = {c: Outcome(why_not=why_not.get(c, "")) for c in CONTENDERS}
    print(
        f"fleet upload: generating {sizes.small} × {sizes.small_kib:g} KiB and "
        f"{sizes.large} × {sizes.large_mib:g} MiB of random bytes ...",
        flush=True,
    )
    with recording_tree(sizes) as tree:
        for r in range(sizes.rounds):
            started = time.perf_counter()
            for c in CONTENDERS[r % 3 :] + CONTENDERS[: r % 3]:
                outcome, python = outcomes[c], pythons.get(c)
                if outcome.why_not or python is None:
                    continue
                outcome.take(measure_one(python, c, tree, sizes.workers), f"fleet {c:<9}")
            took = time.perf_counter() - started
            print(f"fleet round {r + 1}/{sizes.rounds} done in {took:.1f} s", flush=True)
        return rows(tree, outcomes), notes(sizes, tree)


def rows(tree: Tree, outcomes: dict[str, Outcome]) -> list[list[str]]:
    body: list[list[str]] = []
    cells = [cell_rate(outcomes[c]) for c in CONTENDERS]
    ratio, verdict = ratio_cell(outcomes["avala"], outcomes["reference"], 1.0)
    body.append([tree.label, *cells, f"avala/existing {ratio}", "≥ 1.00× existing SDK", verdict])
    ratio, verdict = ratio_cell(outcomes["avala"], outcomes["ceiling"], CEILING_SHARE)
    body.append(["", "", "", "", f"avala/ceiling {ratio}", f"≥ {CEILING_SHARE}× ceiling", verdict])
    body.append(reads_row(tree.label, outcomes))
    return body


def notes(sizes: FleetSizes, tree: Tree) -> list[str]:
    return [
        f"Fleet upload: {sizes.rounds} rounds, {len(tree.files)} files "
        f"({tree.total / MIB:.0f} MiB) of random bytes written once; each contender in a fresh "
        f"process against a fresh FakeAvala process with one pending recording, "
        f"{sizes.workers} workers each (the existing SDK's default). avala: "
        "fleet.uploads.upload_recording (hashes each file while sending it); existing SDK: "
        "its fleet.uploads.upload_recording (legacy upload/ protocol); ceiling: requests PUTs "
        "of the same files to URLs the same store minted. MiB/s over the whole upload (status, "
        "init, URL grants, PUTs, confirms, finalize); the ceiling does PUTs only.",
    ]
