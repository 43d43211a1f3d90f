"""The upload rows of ``make bench`` (``run.py --only upload``): see benchmarks/README.md.

Two workloads (many small files, one large multipart file) are generated once into a
temporary directory. Each measurement gets a fresh FakeAvala (with its object store) in a
process of its own and runs one contender in another fresh process (``_upload.py``):
this SDK, the existing SDK from its bench venv, and the ceiling (plain ``requests`` PUTs
of the same bytes to URLs the same store minted), all with the same number of workers.
Then a crash check: ``kill -9`` of this SDK's upload of the large file once the store has
received half of it, and a rerun that must send at most the other half plus one part per
worker.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _fake_process import FakeProcess, fake_process

HERE = Path(__file__).resolve().parent
UPLOAD = HERE / "_upload.py"
MIB = 1024 * 1024
QUOTA_BYTES = 1 << 50  # the fake's default 10 GiB would run out over the rounds
CONTENDERS = ("avala", "reference", "ceiling")
LABELS = {"avala": "avala", "reference": "existing SDK", "ceiling": "ceiling (requests PUTs)"}
RSS_LIMIT_MIB = 64.0
CEILING_SHARE = 0.85
READS_TOLERANCE = 0.01  # reads per byte within 1% of 1 (imports, state files, /proc)


@dataclass(frozen=True)
class UploadSizes:
    """What the upload rows move; ``run.py``'s flags shrink it for a quick look."""

    files: int = 200
    file_mib: float = 5
    big_mib: float = 768
    part_mib: float | None = None  # None: the fake's default part size (64 MiB)
    resume_part_mib: float = 16
    workers: int = 8
    rounds: int = 2
    resume: bool = True


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    files: tuple[tuple[str, str], ...]  # (local path, path in dataset)
    sizes: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.sizes)


@dataclass
class Outcome:
    """One contender's rounds of one workload: results, or why there is no number."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    why_not: str = ""

    def take(self, result: dict[str, Any], label: str) -> None:
        """Keep one measurement and print its rate, or keep (and print) why there is none."""
        if "seconds" not in result:
            self.why_not = result.get("unavailable") or result.get("failed", "?")
            print(f"  {label}: {self.why_not}", flush=True)
            return
        self.runs.append(result)
        print(f"  {label} {result['bytes'] / MIB / result['seconds']:8.1f} MiB/s", flush=True)


# -- files -----------------------------------------------------------------------------------


def write_random(path: Path, size: int) -> None:
    """Random bytes (not zeros, which a store or a file system could treat specially)."""
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(8 * MIB, left))
            out.write(block)
            left -= len(block)


@contextmanager
def workload_files(sizes: UploadSizes) -> Iterator[tuple[Workload, Workload]]:
    """The two workloads' files in a temporary directory, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="avala-bench-upload-"))
    try:
        small = int(sizes.file_mib * MIB)
        many = []
        for i in range(sizes.files):
            path = root / "many" / f"f{i:04d}.bin"
            path.parent.mkdir(exist_ok=True)
            write_random(path, small)
            many.append((str(path), f"many/f{i:04d}.bin"))
        big_path = root / "big.bin"
        big_size = int(sizes.big_mib * MIB)
        write_random(big_path, big_size)
        yield (
            Workload(
                "many",
                f"{sizes.files} files × {sizes.file_mib:g} MiB",
                tuple(many),
                (small,) * sizes.files,
            ),
            Workload(
                "big",
                f"1 file × {sizes.big_mib:g} MiB (multipart)",
                ((str(big_path), "big.bin"),),
                (big_size,),
            ),
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- one measurement ---------------------------------------------------------------------------


def child_env(fake: FakeProcess, scratch: Path, contender: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AVALA_LOG", "PYTHONPATH")}
    env.update(fake.env)
    env["AVALA_STATE_DIR"] = str(scratch / "state")  # this SDK's journal
    env["HOME"] = str(scratch / "home")  # the existing SDK keeps its state under ~/.avala
    no_proxy = [x for x in env.get("NO_PROXY", env.get("no_proxy", "")).split(",") if x]
    env["NO_PROXY"] = env["no_proxy"] = ",".join([*no_proxy, "127.0.0.1", "localhost"])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if contender != "reference":  # both packages are named avala: only ours on the path
        env["PYTHONPATH"] = str(HERE.parent)
    return env


def manifest_for(
    fake: FakeProcess, contender: str, workload: Workload, workers: int, dataset: str
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "dataset_name": dataset,
        "files": [list(f) for f in workload.files],
        "workers": workers,
        "bytes": workload.total,
    }
    if contender != "ceiling":
        return manifest
    part = int(fake.info["part_size"])
    targets: list[list[Any]] = []
    if workload.name == "big":  # the same geometry the fake gives the SDKs
        (path, rel), size = workload.files[0], workload.sizes[0]
        count = -(-size // part)
        urls = fake.call("presign_parts", key=f"ceiling/{rel}", count=count)["urls"]
        for n, url in enumerate(urls):
            targets.append([url, path, n * part, min(part, size - n * part)])
    else:
        keys = [f"ceiling/{rel}" for _, rel in workload.files]
        urls = fake.call("presign_puts", keys=keys)["urls"]
        for url, (path, _), size in zip(urls, workload.files, workload.sizes, strict=True):
            targets.append([url, path, 0, size])
    manifest["targets"] = targets
    return manifest


def configure(fake: FakeProcess, sizes: UploadSizes, part_mib: float | None) -> None:
    """Quota for the whole run, the part size, and a threshold that keeps the large file
    multipart (and the small ones single PUTs) when a quick run shrinks it."""
    part = int(part_mib * MIB) if part_mib else None
    threshold = None
    if sizes.big_mib * MIB <= 64 * MIB:
        threshold = max(int(sizes.file_mib * MIB), int(sizes.big_mib * MIB) - 1)
    fake.call("configure", part_size=part, multipart_threshold=threshold, quota_bytes=QUOTA_BYTES)
    fake.info["part_size"] = part or fake.info["part_size"]


def launch(
    python: str, contender: str, manifest: dict[str, Any], env: dict[str, str], scratch: Path
) -> subprocess.Popen[str]:
    path = scratch / "manifest.json"
    path.write_text(json.dumps(manifest))
    return subprocess.Popen(
        [python, str(UPLOAD), contender, str(path)],
        env=env,
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=900)
    lines = out.strip().splitlines()
    if proc.returncode or not lines:
        tail = (err.strip().splitlines() or ["(no output)"])[-1]
        return {"failed": f"exit {proc.returncode}: {tail}"[:300]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def measure_one(
    python: str, contender: str, workload: Workload, sizes: UploadSizes
) -> dict[str, Any]:
    """One upload by one contender into a fresh fake; checks the store got every byte."""
    scratch = Path(tempfile.mkdtemp(prefix="avala-bench-run-"))
    try:
        with fake_process() as fake:
            configure(fake, sizes, sizes.part_mib)
            dataset = f"bench-{contender}-{uuid.uuid4().hex[:8]}"
            manifest = manifest_for(fake, contender, workload, sizes.workers, dataset)
            env = child_env(fake, scratch, contender)
            result = finish(launch(python, contender, manifest, env, scratch))
            counters = fake.call("received")
            received = counters["total"]
            result["assembly_s"] = counters["assembly_s"]
            if "seconds" in result and received < workload.total:
                result = {"failed": f"the store received {received} of {workload.total} bytes"}
            result["received"] = received
            result["part_size"] = fake.info["part_size"]
            return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def resume_check(
    python: str, contender: str, workload: Workload, sizes: UploadSizes
) -> dict[str, Any]:
    """``kill -9`` once the store holds half the file, rerun, count what the rerun sends."""
    size = workload.total
    scratch = Path(tempfile.mkdtemp(prefix="avala-bench-resume-"))
    part = int(sizes.resume_part_mib * MIB)
    try:
        with fake_process() as fake:
            configure(fake, sizes, sizes.resume_part_mib)
            dataset = f"bench-resume-{uuid.uuid4().hex[:8]}"
            manifest = manifest_for(fake, contender, workload, sizes.workers, dataset)
            env = child_env(fake, scratch, contender)
            proc = launch(python, contender, manifest, env, scratch)
            seen = 0
            while proc.poll() is None:
                seen = fake.call("received")["total"]
                if seen >= size // 2:
                    proc.kill()  # SIGKILL: no cleanup, no flush
                    break
                time.sleep(0.01)
            proc.communicate()
            if proc.returncode != -9:
                return {"failed": f"the first run ended (exit {proc.returncode}) before 50%"}
            time.sleep(0.5)  # let the store read what was still in the sockets
            at_kill = fake.call("received")["total"]
            rerun = finish(launch(python, contender, manifest, env, scratch))
            after = fake.call("received")["total"]
            stored = fake.call("stored")["objects"]
            complete = any(k.endswith("/big.bin") and s == size for k, s in stored.items())
            if "seconds" in rerun and not complete:
                rerun = {
                    "failed": "the rerun succeeded but the object is not complete in the store"
                }
            return {
                **rerun,
                "at_kill": at_kill,
                "seen_at_kill": seen,
                "size": size,
                "resent": after - at_kill,
                "part_size": part,
                "bound": size // 2 + sizes.workers * part,
            }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- the rounds --------------------------------------------------------------------------------


def run_uploads(
    sizes: UploadSizes, pythons: dict[str, str | None], why_not: dict[str, str]
) -> tuple[list[str], list[list[str]], list[str]]:
    """All rounds and the crash check: the table's header and rows, and its notes."""
    outcomes: dict[str, dict[str, Outcome]] = {}
    resume: dict[str, dict[str, Any]] = {}
    print(
        f"uploads: generating {sizes.files} × {sizes.file_mib:g} MiB and "
        f"{sizes.big_mib:g} MiB of random bytes ...",
        flush=True,
    )
    with workload_files(sizes) as workloads:
        for w in workloads:
            outcomes[w.name] = {c: Outcome(why_not=why_not.get(c, "")) for c in CONTENDERS}
        for r in range(sizes.rounds):
            started = time.perf_counter()
            for w in workloads:
                order = CONTENDERS[r % 3 :] + CONTENDERS[: r % 3]
                for c in order:
                    outcome = outcomes[w.name][c]
                    python = pythons.get(c)
                    if outcome.why_not or python is None:
                        continue
                    outcome.take(measure_one(python, c, w, sizes), f"{w.name:<5} {c:<9}")
            took = time.perf_counter() - started
            print(f"upload round {r + 1}/{sizes.rounds} done in {took:.1f} s", flush=True)
        if sizes.resume:
            big = workloads[1]
            for c in ("avala", "reference"):
                python = pythons.get(c)
                if python is None or outcomes["big"][c].why_not.startswith("client.datasets"):
                    resume[c] = {"failed": outcomes["big"][c].why_not or why_not.get(c, "?")}
                    continue
                resume[c] = resume_check(python, c, big, sizes)
                print(f"  resume {c}: {summary_resume(resume[c])}", flush=True)
        return report(sizes, workloads, outcomes, resume)


# -- the table ---------------------------------------------------------------------------------


def rates(outcome: Outcome) -> list[float]:
    return [r["bytes"] / MIB / r["seconds"] for r in outcome.runs]


def net_rates(outcome: Outcome) -> list[float]:
    """Throughput without the seconds the fake store spent joining parts on complete: a
    server-side cost (a copy of the whole file here) that the ceiling's PUTs never pay."""
    return [r["bytes"] / MIB / (r["seconds"] - r.get("assembly_s", 0.0)) for r in outcome.runs]


def spread(values: list[float]) -> float:
    mid = statistics.median(values)
    return max(abs(v - mid) for v in values) / mid if mid else 0.0


def cell_rate(outcome: Outcome) -> str:
    if not outcome.runs:
        return f"not measured: {outcome.why_not}" if outcome.why_not else "not measured"
    values = rates(outcome)
    return f"{statistics.median(values):.0f} MiB/s ±{spread(values) * 100:.0f}%"


def ratio_cell(
    a: Outcome, b: Outcome, limit: float, *, per: Callable[[Outcome], list[float]] = rates
) -> tuple[str, str]:
    """Per-round ratio of a to b (same round), median (min–max), and the verdict."""
    if not a.runs or not b.runs:
        return "—", "—"
    pairs = [x / y for x, y in zip(per(a), per(b), strict=False)]
    mid = statistics.median(pairs)
    verdict = "PASS" if mid >= limit else "MISS"
    if min(pairs) < limit <= max(pairs) or min(pairs) >= limit > max(pairs):
        verdict += " (rounds straddle)"
    return f"{mid:.2f}× ({min(pairs):.2f}–{max(pairs):.2f})", verdict


def reads_row(label: str, outcomes: dict[str, Outcome]) -> list[str]:
    """The "file reads per byte sent" row: rchar over bytes per contender, median (max);
    avala's verdict needs every round within ``READS_TOLERANCE`` of one read."""
    cells, ours = [], []
    for c in CONTENDERS:
        per = [r["rchar"] / r["bytes"] for r in outcomes[c].runs if r.get("rchar") is not None]
        cells.append(f"{statistics.median(per):.3f} (max {max(per):.3f})" if per else "—")
        if c == "avala":
            ours = per
    verdict = "—"
    if ours:
        verdict = "PASS" if max(abs(x - 1) for x in ours) <= READS_TOLERANCE else "MISS"
    return [f"file reads per byte sent, {label}", *cells, "", "= 1 (±1%)", verdict]


def summary_resume(result: dict[str, Any]) -> str:
    if "resent" not in result:
        return f"not measured: {result.get('failed', '?')}"
    return (
        f"SIGKILL when the store had {result['seen_at_kill'] / MIB:.0f} MiB; it then held "
        f"{result['at_kill'] / MIB:.0f} MiB ({result['at_kill'] / result['size']:.0%}, what "
        "was still in the sockets included); the rerun sent "
        f"{result['resent'] / MIB:.0f} MiB ({result['part_size'] // MIB} MiB parts)"
        + ("" if "seconds" in result else f", and failed: {result.get('failed')}")
    )


def report(
    sizes: UploadSizes,
    workloads: tuple[Workload, Workload],
    outcomes: dict[str, dict[str, Outcome]],
    resume: dict[str, dict[str, Any]],
) -> tuple[list[str], list[list[str]], list[str]]:
    header = ["upload measure", *LABELS.values(), "ratio", "target", "PASS/MISS"]
    body: list[list[str]] = []
    for w in workloads:
        o = outcomes[w.name]
        cells = [cell_rate(o[c]) for c in CONTENDERS]
        ratio, verdict = ratio_cell(o["avala"], o["reference"], 1.0)
        body.append([w.label, *cells, f"avala/existing {ratio}", "≥ 1.00× existing SDK", verdict])
        ratio, verdict = ratio_cell(o["avala"], o["ceiling"], CEILING_SHARE)
        target = f"≥ {CEILING_SHARE}× ceiling"
        body.append(["", "", "", "", f"avala/ceiling {ratio}", target, verdict])
        assembly = [r.get("assembly_s", 0.0) for r in o["avala"].runs]
        if assembly and statistics.median(assembly) > 0:
            net, net_verdict = ratio_cell(o["avala"], o["ceiling"], CEILING_SHARE, per=net_rates)
            body.append(
                [
                    f"  without the store's part assembly ({statistics.median(assembly):.2f} s)",
                    *[""] * 3,
                    f"avala/ceiling {net}",
                    f"{target} (context)",
                    net_verdict.replace("PASS", "(pass)").replace("MISS", "(miss)"),
                ]
            )

    big = outcomes["big"]
    rss_cells = []
    for c in CONTENDERS:
        growth = [r["rss_growth_mib"] for r in big[c].runs]
        rss_cells.append(
            f"{statistics.median(growth):.1f} MiB (max {max(growth):.1f})" if growth else "—"
        )
    ours = [r["rss_growth_mib"] for r in big["avala"].runs]
    rss_verdict = ("PASS" if max(ours) <= RSS_LIMIT_MIB else "MISS") if ours else "—"
    body.append(
        [
            f"peak RSS growth, {w.label.split(' (')[0]}",
            *rss_cells,
            "",
            f"≤ {RSS_LIMIT_MIB:g} MiB (every round)",
            rss_verdict,
        ]
    )

    for w in workloads:
        body.append(reads_row(w.label, outcomes[w.name]))

    if resume:
        big_size = workloads[1].total
        cells = []
        for c in CONTENDERS:
            res = resume.get(c)
            if res is None:
                cells.append("—")
            elif "resent" in res:
                cells.append(f"{res['resent'] / MIB:.0f} MiB ({res['resent'] / big_size:.0%})")
            else:
                cells.append(f"not measured: {res.get('failed', '?')}")
        ours_res = resume.get("avala", {})
        verdict, bound = "—", ""
        if "resent" in ours_res:
            verdict = (
                "PASS"
                if ours_res["resent"] <= ours_res["bound"] and "seconds" in ours_res
                else "MISS"
            )
            bound = f" = {ours_res['bound'] / MIB:.0f} MiB"
        body.append(
            [
                f"rerun after kill -9 at 50% of {sizes.big_mib:g} MiB "
                f"({sizes.resume_part_mib:g} MiB parts)",
                *cells,
                "",
                f"≤ 50% + {sizes.workers} × part{bound}",
                verdict,
            ]
        )
    return header, body, notes(sizes, outcomes, resume)


def notes(
    sizes: UploadSizes, outcomes: dict[str, dict[str, Outcome]], resume: dict[str, dict[str, Any]]
) -> list[str]:
    part = next((r["part_size"] for o in outcomes["big"].values() for r in o.runs), None)
    out = [
        f"Uploads: {sizes.rounds} rounds, each contender in a fresh process against a fresh "
        f"FakeAvala in its own process, {sizes.workers} workers each; files are random bytes "
        "written once before the rounds (so they are in the page cache for every contender).",
        "MiB/s: bytes of the files over the wall time of the whole upload (presign, PUTs, "
        "completion); the ceiling does PUTs only. Ratios per round, median (min–max).",
        f"Multipart parts: {part / MIB if part else '?':g} MiB"
        f"{'' if sizes.part_mib else ' (the fake default)'}, the same geometry for the ceiling.",
        "Peak RSS growth: VmHWM after clear_refs, around the upload only, in the uploading "
        "process. Reads per byte: /proc/self/io rchar delta of the uploading process over "
        "the bytes uploaded (sockets are read with recv, which rchar does not count).",
    ]
    if resume:
        out.append(
            "Resume: the store's bytes_received for the file is polled; at half the file the "
            "uploading process gets SIGKILL; the rerun (same dataset, same state directory) "
            f"is counted alone. Parts of {sizes.resume_part_mib:g} MiB so that "
            "'50% + one part per worker' is below the whole file."
        )
        for c, res in resume.items():
            out.append(f"Resume, {LABELS[c]}: {summary_resume(res)}.")
    return out
