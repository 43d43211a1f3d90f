"""The download rows of ``make bench`` (``run.py --only download``): see benchmarks/README.md.

One object of random bytes (1 GiB by default) is stored once in FakeAvala's object store,
which runs in a process of its own for the whole section. Each round downloads it with
``avala.download`` and with a plain ``requests`` streaming download of the same presigned
URL, each in a fresh process (``_download.py``), the order rotating. Then a resume check:
a GET cut at 50% ends a first ``avala.download`` (no retries, sha256 given, so its partial
file is kept), the same download is run again to the same dest, and the store counts the
bytes it served to both.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _fake_process import FakeProcess, fake_process
from _upload_bench import Outcome, cell_rate, ratio_cell, write_random

HERE = Path(__file__).resolve().parent
DOWNLOAD = HERE / "_download.py"
MIB = 1024 * 1024
KEY = "bench/object.bin"
CONTENDERS = ("avala", "requests", "requests_fsync")
LABELS = {
    "avala": "avala (size)",
    "requests": "requests iter_content(1 MiB)",
    "requests_fsync": "requests + fsync (context)",
}
RATIO_TARGET = 0.9
RSS_LIMIT_MIB = 32.0
CHUNK = MIB  # avala's download chunk: the resume bound allows one


@dataclass(frozen=True)
class DownloadSizes:
    """What the download rows move; ``run.py``'s flags shrink it for a quick look."""

    mib: float = 1024
    rounds: int = 3
    resume: bool = True


@contextmanager
def stored_object(sizes: DownloadSizes) -> Iterator[tuple[FakeProcess, int, str, Path]]:
    """A fake (own process) holding ``KEY``: (fake, size, sha256, scratch directory)."""
    scratch = Path(tempfile.mkdtemp(prefix="avala-bench-download-"))
    try:
        size = int(sizes.mib * MIB)
        source = scratch / "source.bin"
        write_random(source, size)
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            while block := handle.read(8 * MIB):
                digest.update(block)
        with fake_process() as fake:
            stored = fake.call("store_file", key=KEY, path=str(source))["size"]
            source.unlink()  # the store keeps its own copy
            if stored != size:
                raise RuntimeError(f"the store holds {stored} bytes, not {size}")
            yield fake, size, digest.hexdigest(), scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def child_env(fake: FakeProcess) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AVALA_LOG", "PYTHONPATH")}
    env.update(fake.env)
    no_proxy = [x for x in env.get("NO_PROXY", env.get("no_proxy", "")).split(",") if x]
    env["NO_PROXY"] = env["no_proxy"] = ",".join([*no_proxy, "127.0.0.1", "localhost"])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = str(HERE.parent)
    return env


def download(
    python: str, contender: str, manifest: dict[str, Any], env: dict[str, str], scratch: Path
) -> dict[str, Any]:
    """One download in a fresh process; the JSON it printed (or why it printed none)."""
    path = scratch / "manifest.json"
    path.write_text(json.dumps(manifest))
    proc = subprocess.run(
        [python, str(DOWNLOAD), contender, str(path)],
        env=env,
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"failed": f"exit {proc.returncode}: {tail}"[:300]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def measure_one(
    python: str, contender: str, fake: FakeProcess, size: int, sha256: str, scratch: Path
) -> dict[str, Any]:
    """One download into a fresh dest; checks the file is whole, then removes it."""
    dest = scratch / "out" / f"{contender}.bin"
    dest.parent.mkdir(exist_ok=True)
    url = fake.call("presign_get", key=KEY)["url"]
    manifest = {"url": url, "dest": str(dest), "size": size, "sha256": sha256}
    os.sync()  # no writeback left over from the previous download to slow this one
    try:
        result = download(python, contender, manifest, child_env(fake), scratch)
        if "seconds" in result:
            got = dest.stat().st_size if dest.exists() else -1
            if got != size:
                result = {"failed": f"dest holds {got} bytes, not {size}"}
        return result
    finally:
        shutil.rmtree(dest.parent, ignore_errors=True)


def resume_check(
    python: str, fake: FakeProcess, size: int, sha256: str, scratch: Path
) -> dict[str, Any]:
    """Cut the first GET at 50% with no retries (the run fails, its partial file stays),
    run the same download again, and count what the store served to both runs."""
    dest = scratch / "resume" / "object.bin"
    dest.parent.mkdir(exist_ok=True)
    env = child_env(fake)
    try:
        before = fake.call("served", key=KEY)["bytes"]
        fake.call("cut_next_get", key=KEY, after_bytes=size // 2)
        url = fake.call("presign_get", key=KEY)["url"]
        manifest = {"url": url, "dest": str(dest), "size": size, "sha256": sha256}
        first = download(python, "avala_sha256", {**manifest, "max_retries": 0}, env, scratch)
        if "failed" not in first:
            return {"failed": "the first run was not cut (it finished)"}
        at_cut = fake.call("served", key=KEY)["bytes"] - before
        kept = sum(p.stat().st_size for p in dest.parent.iterdir() if p != dest)
        rerun = download(python, "avala_sha256", manifest, env, scratch)
        total = fake.call("served", key=KEY)["bytes"] - before
        whole = dest.exists() and dest.stat().st_size == size
        if "seconds" in rerun and not whole:
            rerun = {"failed": "the rerun succeeded but dest is not the whole object"}
        return {
            **rerun,
            "size": size,
            "at_cut": at_cut,
            "kept": kept,
            "total": total,
            "bound": size + CHUNK,
            "first_error": first["failed"],
        }
    finally:
        shutil.rmtree(dest.parent, ignore_errors=True)


# -- the rounds --------------------------------------------------------------------------------


def run_downloads(
    sizes: DownloadSizes, python: str
) -> tuple[list[str], list[list[str]], list[str]]:
    """All rounds and the resume check: the table's header and rows, and its notes."""
    outcomes = {c: Outcome() for c in CONTENDERS}
    resume: dict[str, Any] = {}
    print(f"downloads: storing {sizes.mib:g} MiB of random bytes in the fake ...", flush=True)
    with stored_object(sizes) as (fake, size, sha256, scratch):
        for r in range(sizes.rounds):
            started = time.perf_counter()
            k = r % len(CONTENDERS)
            order = CONTENDERS[k:] + CONTENDERS[:k]
            for c in order:
                if outcomes[c].why_not:
                    continue
                result = measure_one(python, c, fake, size, sha256, scratch)
                if "seconds" not in result:
                    outcomes[c].why_not = result.get("failed", "?")
                    print(f"  {c}: {outcomes[c].why_not}", flush=True)
                    continue
                outcomes[c].runs.append(result)
                print(f"  {c:<13} {size / MIB / result['seconds']:8.1f} MiB/s", flush=True)
            took = time.perf_counter() - started
            print(f"download round {r + 1}/{sizes.rounds} done in {took:.1f} s", flush=True)
        if sizes.resume:
            resume = resume_check(python, fake, size, sha256, scratch)
            print(f"  resume: {summary_resume(resume)}", flush=True)
    return report(sizes, outcomes, resume)


# -- the table ---------------------------------------------------------------------------------


def summary_resume(res: dict[str, Any]) -> str:
    if "total" not in res:
        return f"not measured: {res.get('failed', '?')}"
    why = res["first_error"].removeprefix("RuntimeError: ").split(":")[0]
    return (
        f"the cut run fetched {res['at_cut'] / MIB:.1f} MiB, kept {res['kept'] / MIB:.1f} MiB "
        f"and failed ({why}); the store served {res['total'] / MIB:.1f} MiB over both runs "
        f"(the object: {res['size'] / MIB:g} MiB)"
        + ("" if "seconds" in res else f"; the rerun failed: {res.get('failed')}")
    )


def row(measure: str, cells: dict[str, str], ratio: str, target: str, verdict: str) -> list[str]:
    """A table row: ``cells`` by contender, blank where a contender has nothing to say."""
    return [measure, *(cells.get(c, "") for c in CONTENDERS), ratio, target, verdict]


def report(
    sizes: DownloadSizes, outcomes: dict[str, Outcome], resume: dict[str, Any]
) -> tuple[list[str], list[list[str]], list[str]]:
    header = ["download measure", *LABELS.values(), "ratio", "target", "PASS/MISS"]
    rates_by = {c: cell_rate(outcomes[c]) for c in CONTENDERS}
    ratio, verdict = ratio_cell(outcomes["avala"], outcomes["requests"], RATIO_TARGET)
    target = f"≥ {RATIO_TARGET}× requests"
    body = [
        row(f"1 object × {sizes.mib:g} MiB", rates_by, f"avala/requests {ratio}", target, verdict)
    ]
    ratio, verdict = ratio_cell(outcomes["avala"], outcomes["requests_fsync"], RATIO_TARGET)
    context = verdict.replace("PASS", "(pass)").replace("MISS", "(miss)")
    body.append(
        row("", {}, f"avala/requests+fsync {ratio}", f"{target} + fsync (context)", context)
    )

    growth = {c: [r["rss_growth_mib"] for r in outcomes[c].runs] for c in CONTENDERS}
    rss = {c: f"{statistics.median(g):.1f} MiB (max {max(g):.1f})" for c, g in growth.items() if g}
    ours = growth["avala"] + [resume[k] for k in ("rss_growth_mib",) if k in resume]
    verdict = ("PASS" if max(ours) <= RSS_LIMIT_MIB else "MISS") if ours else "—"
    if "rss_growth_mib" in resume:
        rss["avala"] = rss.get("avala", "—") + f"; resume rerun {resume['rss_growth_mib']:.1f} MiB"
    limit = f"≤ {RSS_LIMIT_MIB:g} MiB, every avala run"
    body.append(row("peak RSS growth", rss, "", limit, verdict))

    if resume:
        bound, verdict = "", "—"
        if "total" in resume:
            total = resume["total"]
            cell = f"{total / MIB:.1f} MiB in all ({total / resume['size']:.4f}× the object)"
            ok = total <= resume["bound"] and "seconds" in resume
            verdict = "PASS" if ok else "MISS"
            bound = f" = {resume['bound'] / MIB:g} MiB"
        else:
            cell = f"not measured: {resume.get('failed', '?')}"
        measure = "cut at 50%, then rerun: bytes the store served to both runs"
        body.append(row(measure, {"avala": cell}, "", f"≤ size + 1 MiB chunk{bound}", verdict))

    return header, body, notes(sizes, outcomes, resume)


def notes(sizes: DownloadSizes, outcomes: dict[str, Outcome], resume: dict[str, Any]) -> list[str]:
    method = next((r["rss_method"] for o in outcomes.values() for r in o.runs), "?")
    out = [
        f"Downloads: {sizes.rounds} rounds; one object of random bytes stored once in "
        "FakeAvala's object store (its own process for the whole section); each download "
        "in a fresh process to a fresh dest on disk, the order rotating each round.",
        "MiB/s: object size over the wall time of the download (GET, write, checks, rename). "
        "avala gets the size, not the sha256. Ratios per round; median (min–max).",
        "requests + fsync: the same requests download with fsync before close, as avala "
        "fsyncs its partial file before the rename (dest never holds bytes not on disk).",
        f"Peak RSS growth: {method}, around the download only, in the downloading process.",
    ]
    if resume:
        out.append(
            "Resume: the store cuts the first GET after 50% of the object; that run has "
            "max_retries=0 and the sha256, so it fails and keeps its partial file; the same "
            "avala.download to the same dest then runs again (default retries). The store's "
            "bytes_served for the object is counted over both runs; 'resume rerun' under "
            "peak RSS is that rerun (sha256 given: the kept half is hashed, then the rest)."
        )
        out.append(f"Resume: {summary_resume(resume)}.")
    return out
