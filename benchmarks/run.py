"""The avala benchmark suite: ``make bench`` (or ``.venv/bin/python benchmarks/run.py``).

Starts two local Avala-shaped servers in their own processes (one answering at once, one
after 5 ms), measures their ceiling, then runs every contender of every workload in a fresh
Python process (``benchmarks/_measure.py``), interleaved over ``--rounds`` rounds. Prints the
machine, the server ceiling and a table of medians, spreads and ratios against a default
``requests.Session()`` + ``json.loads`` measured in the same run; writes the same to
``benchmarks/last_run.md``; and for every MISS, profiles the avala contender (again in a
fresh process) and prints its top 15 functions by cumulative time. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _download_bench import DownloadSizes, run_downloads
from _fleet_bench import FleetSizes, run_fleet
from _upload_bench import UploadSizes, run_uploads

HERE = Path(__file__).resolve().parent
MEASURE = HERE / "_measure.py"
SERVER = HERE / "_server.py"
LAST_RUN = HERE / "last_run.md"
SLOW_DELAY = 0.005
MIB_LIMIT = 1.0
REFERENCE_VENV = HERE / ".venv-reference"  # the existing SDK (PyPI avala==0.10.0), gitignored
REFERENCE_SPEC = "avala==0.10.0"
IMPORT_PAIRS = 20
IMPORT_LIMIT = 2.0
LABELS = {
    "raw": "floor (raw socket)",
    "requests": "requests+json",
    "httpx": "httpx+json",
    "reference": "existing SDK",
    "avala": "avala",
}


@dataclass(frozen=True)
class Workload:
    name: str  # the _measure.py workload
    label: str  # the table's workload column
    contenders: tuple[str, ...]
    n: int  # timed calls per process (batches for gather)
    target: str  # as printed
    kind: str  # "ratio_max", "mib_max" or "speedup_min"
    limit: float
    floor: str | None = "raw"  # contender in the floor column
    baseline: str = "requests"  # contender the ratio divides by
    subject: str = "avala"  # contender the ratio is about
    profile_n: int = 0
    versus: tuple[tuple[str, float], ...] = ()  # more targets: subject/contender <= limit


WORKLOADS = (
    Workload(
        name="get",
        label="get",
        contenders=("raw", "requests", "httpx", "reference", "avala"),
        n=400,
        target="≤ 1.00× httpx+json",
        kind="ratio_max",
        limit=1.0,
        baseline="httpx",
        versus=(("reference", 0.70),),
        profile_n=200,
    ),
    Workload(
        name="list_projects",
        label="list(100 projects)",
        contenders=("raw", "requests", "httpx", "reference", "avala"),
        n=200,
        target="≤ 1.00× httpx+json",
        kind="ratio_max",
        limit=1.0,
        baseline="httpx",
        versus=(("reference", 0.70),),
        profile_n=100,
    ),
    Workload(
        name="list_datasets",
        label="list(100 datasets)",
        contenders=("raw", "requests", "httpx", "reference", "avala"),
        n=40,
        target="≤ 1.00× httpx+json",
        kind="ratio_max",
        limit=1.0,
        baseline="httpx",
        versus=(("reference", 0.70),),
        profile_n=20,
    ),
    Workload(
        name="decode",
        label="parse+structure 10,000 projects",
        contenders=("json", "avala_structure", "reference", "avala"),
        n=15,
        target="≤ 0.60× existing SDK",
        kind="ratio_max",
        limit=0.6,
        floor=None,
        baseline="reference",
        profile_n=5,
    ),
    Workload(
        name="iterate",
        label="iterate 200 pages (peak RSS growth)",
        contenders=("raw", "requests", "avala", "avala_keep"),
        n=1,
        target=f"< {MIB_LIMIT:g} MiB",
        kind="mib_max",
        limit=MIB_LIMIT,
        profile_n=1,
    ),
    Workload(
        name="gather",
        label="AsyncClient gather, 100 gets @ 5 ms",
        contenders=("requests", "avala_seq", "avala"),
        n=3,
        target="≥ 3× sequential",
        kind="speedup_min",
        limit=3.0,
        floor=None,
        baseline="avala_seq",
        profile_n=2,
    ),
)


@dataclass
class Row:
    workload: Workload
    cells: dict[str, str] = field(default_factory=dict)
    ratio: str = ""
    verdict: str = ""
    note: str = ""
    extra: list[list[str]] = field(default_factory=list)  # [ratio label, ratio, target, verdict]


# -- machine and processes -----------------------------------------------------------------


def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    import requests

    lines = [
        f"platform: {platform.platform()}",
        f"python:   {platform.python_implementation()} {platform.python_version()}"
        f" ({sys.executable})",
        f"cpu:      {cpu}; {cores} cores ({usable} usable); load average at start {load}",
        f"versions: requests {requests.__version__}, avala {_avala_version()}"
        f" (source sha256 {sdk_fingerprint()})",
    ]
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.5:
        lines.append(
            "warning:  other processes are using the CPU (load above 0.5); client and server "
            "share these cores, so expect a wider spread"
        )
    return lines


def _avala_version() -> str:
    try:
        from avala import __version__

        return __version__
    except Exception as exc:  # the SDK is being edited: report, do not die
        return f"(import failed: {exc})"


@contextmanager
def server(delay: float) -> Iterator[str]:
    """A _server.py process; yields its base URL; stops it when its stdin closes."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "--delay", str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark server did not start")
        yield json.loads(line)["base_url"]
    finally:
        try:
            proc.communicate("", timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def child_env(base_url: str, slow_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("AVALA_LOG", None)  # DEBUG logging would time the logger
    env["AVALA_ALLOW_INSECURE_BASE_URL"] = "1"
    env["BENCH_BASE_URL"] = base_url
    env["BENCH_SLOW_BASE_URL"] = slow_url
    no_proxy = [x for x in env.get("NO_PROXY", env.get("no_proxy", "")).split(",") if x]
    env["NO_PROXY"] = env["no_proxy"] = ",".join([*no_proxy, "127.0.0.1", "localhost"])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def reference_python() -> tuple[Path | None, str]:
    """The existing SDK's interpreter, building its venv on first use; (None, why) when
    it cannot be built (PyPI unreachable, say): the bench then runs without it."""
    python = REFERENCE_VENV / "bin" / "python"
    check = [str(python), "-c", "import avala.types.project, httpx, pydantic"]
    try:
        if not python.exists():
            print(f"building {REFERENCE_VENV.name} with {REFERENCE_SPEC} ...", flush=True)
            subprocess.run(["python3.11", "-m", "venv", str(REFERENCE_VENV)], check=True)
            pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
            subprocess.run([*pip, REFERENCE_SPEC], check=True, capture_output=True, timeout=600)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # ours is avala too
        subprocess.run(check, check=True, capture_output=True, cwd=HERE, timeout=60, env=env)
    except (OSError, subprocess.SubprocessError) as exc:
        return (
            None,
            f"existing SDK unavailable ({type(exc).__name__}: cannot install {REFERENCE_SPEC})",
        )
    return python, ""


def interpreter(contender: str) -> str:
    return str(REFERENCE) if contender == "reference" and REFERENCE else sys.executable


REFERENCE: Path | None = None


def measure(env: dict[str, str], contender: str, workload: str, n: int, *extra: str) -> Any:
    """Run one _measure.py process. The SDK may be mid-edit (others work on it while
    benchmarks run), so a failed process is retried twice, a few seconds apart."""
    args = [interpreter(contender), str(MEASURE), contender, workload, str(n), *extra]
    if contender == "reference":  # both packages are named avala: keep ours off the path
        env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    for attempt in range(3):
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, cwd=HERE)
        if done.returncode == 0:
            return json.loads(done.stdout.strip().splitlines()[-1])
        last = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
        if attempt < 2:
            print(f"  {contender} {workload} failed ({last[0]}); retrying", flush=True)
            time.sleep(3)
    raise RuntimeError(f"{' '.join(args[1:])} failed 3 times:\n{done.stderr.strip()}")


def import_seconds(python: str, module: str, env: dict[str, str]) -> float:
    """How long ``import module`` takes in a fresh interpreter, timed inside it."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    done = subprocess.run(
        [python, "-c", code], env=env, cwd=HERE, capture_output=True, text=True, timeout=60
    )
    if done.returncode:
        raise RuntimeError(f"import {module} failed: {done.stderr.strip()[-300:]}")
    return float(done.stdout.strip())


def measure_imports(env: dict[str, str], pairs: int) -> dict[str, list[float]]:
    """``import requests``, ``import avala`` (and the existing SDK's), interleaved, each in a
    fresh process, after one untimed import that writes the bytecode caches."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    ours = {**env, "PYTHONPATH": str(HERE.parent)}
    who = [("requests", sys.executable, "requests", ours), ("avala", sys.executable, "avala", ours)]
    if REFERENCE:
        who.append(("reference", str(REFERENCE), "avala", env))
    for _, python, module, e in who:
        import_seconds(python, module, e)
    out: dict[str, list[float]] = {name: [] for name, *_ in who}
    for _ in range(pairs):
        for name, python, module, e in who:
            out[name].append(import_seconds(python, module, e))
    return out


def import_row(times: dict[str, list[float]]) -> Row:
    w = Workload(
        name="import",
        label=f"import (fresh process, median of {IMPORT_PAIRS})",
        contenders=tuple(times),
        n=IMPORT_PAIRS,
        target=f"≤ {IMPORT_LIMIT:g}× import requests",
        kind="ratio_max",
        limit=IMPORT_LIMIT,
        floor=None,
    )
    row = Row(w)
    for c, values in times.items():
        row.cells[c] = cell_time(values)
    pairs = [a / r for a, r in zip(times["avala"], times["requests"], strict=True)]
    mid = statistics.median(times["avala"]) / statistics.median(times["requests"])
    row.ratio = f"{mid:.2f}× (pairs {min(pairs):.2f}–{max(pairs):.2f})"
    row.verdict = "PASS" if mid <= IMPORT_LIMIT else "MISS"
    return row


def startup_section() -> list[str]:
    """The command line's startup against ``python -c "import requests"`` (_startup.py)."""
    from _startup import measure_startup, startup_lines

    lines = startup_lines(measure_startup(IMPORT_PAIRS))
    print("\n" + "\n".join(lines), flush=True)
    return ["## Command-line startup", "", *lines, ""]


def check_sdk_imports() -> str | None:
    """None when ``import avala`` works in a fresh process, else the error's last line."""
    done = subprocess.run(
        [sys.executable, "-c", "import avala, avala._decode, avala.types"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode == 0:
        return None
    return (done.stderr.strip().splitlines() or ["(no output)"])[-1]


def sdk_fingerprint() -> str:
    """A hash of every file under avala/, to notice the SDK changing during the run."""
    digest = hashlib.sha256()
    for path in sorted((HERE.parent / "avala").rglob("*.py")):
        digest.update(str(path).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"(unreadable)")
    return digest.hexdigest()[:12]


# -- formatting ----------------------------------------------------------------------------


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def spread(values: list[float]) -> float:
    """Largest distance of a round's value from the median, relative to the median."""
    mid = statistics.median(values)
    return max(abs(v - mid) for v in values) / mid if mid else 0.0


def cell_time(values: list[float]) -> str:
    return f"{fmt_time(statistics.median(values))} ±{spread(values) * 100:.0f}%"


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [
        line(r) for r in rows
    ]


# -- judging -------------------------------------------------------------------------------


def judge(w: Workload, results: dict[str, list[dict[str, Any]]]) -> Row:
    row = Row(w)
    if w.kind == "mib_max":
        growth = {c: [r["rss_growth_mib"] for r in rs] for c, rs in results.items()}
        for c, values in growth.items():
            row.cells[c] = f"{statistics.median(values):.2f} MiB (max {max(values):.2f})"
        worst = max(growth[w.subject])
        base = statistics.median(growth[w.baseline])
        mid = statistics.median(growth[w.subject])
        row.ratio = f"{mid / base:.2f}×" if base >= 0.25 else "— (baseline ≈ 0)"
        row.verdict = "PASS" if worst < w.limit else "MISS"
        method = results[w.subject][0].get("rss_method", "?")
        row.note = f"RSS measured as {method}"
        keep = growth.get("avala_keep")
        if keep:
            row.note += (
                f"; control: client.iterate kept in a list (all 10,000 Project models) grows "
                f"{statistics.median(keep):.2f} MiB in the same run"
            )
            if max(keep) < w.limit:
                row.note += (
                    f", also under {w.limit:g} MiB: at this size the target alone cannot tell "
                    "lazy from eager; compare with the control"
                )
        secs = {c: statistics.median([r["seconds"] for r in rs]) for c, rs in results.items()}
        row.note += "; walk time " + ", ".join(f"{c} {fmt_time(s)}" for c, s in secs.items())
        return row

    per_round = {
        c: [statistics.median(r["per_call"]) for r in rs] for c, rs in results.items() if rs
    }  # one median per fresh process, in round order
    for versus, limit in w.versus:
        if versus not in per_round:
            row.extra.append([f"avala/{LABELS[versus]}", "not measured", f"≤ {limit:.2f}×", "—"])
            continue
        vs = [s / b for s, b in zip(per_round[w.subject], per_round[versus], strict=True)]
        mid = statistics.median(vs)
        verdict = "PASS" if mid <= limit else "MISS"
        row.extra.append(
            [
                f"avala/{LABELS[versus]}",
                f"{mid:.2f}× ({min(vs):.2f}–{max(vs):.2f})",
                f"≤ {limit:.2f}× {LABELS[versus]}",
                verdict,
            ]
        )
    if w.baseline not in per_round:
        for c, values in per_round.items():
            row.cells[c] = cell_time(values)
        row.ratio, row.verdict = "not measured", "—"
        return row
    ratios = [s / b for s, b in zip(per_round[w.subject], per_round[w.baseline], strict=True)]
    if w.kind == "speedup_min":
        calls = results[w.subject][0]["calls_per_batch"]
        for c, values in per_round.items():
            rate = [calls / v for v in values]
            row.cells[c] = f"{statistics.median(rate):.0f} calls/s ±{spread(rate) * 100:.0f}%"
        speedups = [1 / r for r in ratios]
        mid = statistics.median(speedups)
        row.ratio = f"{mid:.2f}× ({min(speedups):.2f}–{max(speedups):.2f})"
        row.verdict = "PASS" if mid >= w.limit else "MISS"
        if min(speedups) < w.limit <= max(speedups):
            row.note = "the range of rounds straddles the target: the verdict is not robust"
        return row
    for c, values in per_round.items():
        row.cells[c] = cell_time(values)
    mid = statistics.median(ratios)
    row.ratio = f"{mid:.2f}× ({min(ratios):.2f}–{max(ratios):.2f})"
    row.verdict = "PASS" if mid <= w.limit else "MISS"
    if min(ratios) <= w.limit < max(ratios):
        row.note = "the range of rounds straddles the target: the verdict is not robust"
    return row


def table_rows(rows: list[Row]) -> tuple[list[str], list[list[str]], list[str]]:
    header = ["workload", *LABELS.values(), "ratio", "target", "PASS/MISS"]
    body, notes = [], []
    for i, row in enumerate(rows, 1):
        w = row.workload
        cells = {c: row.cells.get(c, "—") for c in LABELS}
        cells["raw"] = row.cells.get(w.floor, "—") if w.floor else "—"
        if w.name == "decode":
            cells["requests"] = row.cells.get("json", "—") + " (json.loads alone)"
            cells["avala"] += f" (structure alone {row.cells.get('avala_structure', '—')})"
        if w.kind == "speedup_min":
            cells["requests"] += " (sequential)"
            cells["avala"] = (
                f"{cells['avala']} gathered; Client sequential {row.cells.get('avala_seq', '—')}"
            )
        mark = f" [{i}]" if row.note else ""
        ratio = f"avala/{LABELS.get(w.baseline, w.baseline)} {row.ratio}"
        body.append([w.label + mark, *cells.values(), ratio, w.target, row.verdict])
        for label, value, target, verdict in row.extra:
            body.append(["", *([""] * len(LABELS)), f"{label} {value}", target, verdict])
        if row.note:
            notes.append(f"[{i}] {row.note}")
    return header, body, notes


def ratio_table(workloads: list[Workload], results: dict[str, Any]) -> list[str]:
    """Every contender of the per-call workloads against the same round's requests+json."""
    calls = [w for w in workloads if w.name in ("get", "list_projects", "list_datasets")]
    if not calls:
        return []
    body = []
    for c, label in LABELS.items():
        cells = [f"{label}{' (floor)' if c == 'raw' else ''}"]
        for w in calls:
            rounds = results[w.name]
            if not rounds.get(c) or not rounds.get("requests"):
                cells.append("not measured")
                continue
            ratios = [
                statistics.median(a["per_call"]) / statistics.median(b["per_call"])
                for a, b in zip(rounds[c], rounds["requests"], strict=True)
            ]
            mid = statistics.median(ratios)
            cells.append(f"{mid:.2f}× ({min(ratios):.2f}–{max(ratios):.2f})")
        body.append(cells)
    return markdown_table(["contender / requests+json", *(w.label for w in calls)], body)


LEGEND = [
    "Times: median per call over the rounds (each round is one fresh process; its value is",
    "the median of its timed calls), ± the largest distance of a round from that median.",
    "Ratios: computed per round (both contenders measured in the same round), then the median",
    "and, in brackets, the lowest and highest round. PASS/MISS compares the median ratio.",
    "parse+structure: bytes of 10,000 projects to models; ratio over the existing SDK's",
    "json.loads + Project.model_validate per item (json.loads alone and structure alone: scale).",
    "iterate: peak RSS during the walk minus RSS before it, per fresh process; PASS needs",
    "every round under the limit.",
    "gather: the ratio is gathered throughput over sequential-Client throughput;",
    "requests+json is a sequential default Session on the same 5 ms server, for context.",
]


def print_profile(label: str, profile: dict[str, Any], unit: str) -> list[str]:
    out = [
        f"### {label}: cProfile of the avala contender ({unit})",
        "",
        "Top 15 functions by cumulative time:",
        "",
        "```",
        f"{'cum/call':>10} {'own/call':>10} {'calls/call':>10}  function",
    ]
    for p in profile["top"]:
        out.append(
            f"{fmt_time(p['cum_per_call_s']):>10} {fmt_time(p['tot_per_call_s']):>10} "
            f"{p['calls_per_call']:>10.1f}  {p['function']}"
        )
    owners = profile["own_by_package"]
    total = sum(t for _, t in owners) or 1.0
    out += ["```", "", "Own time by package (all functions, under the profiler):", "", "```"]
    for owner, t in owners[:8]:
        out.append(f"{fmt_time(t):>10} {t / total * 100:>5.1f}%  {owner}")
    rest = sum(t for _, t in owners[8:])
    if rest:
        out.append(f"{fmt_time(rest):>10} {rest / total * 100:>5.1f}%  (everything else)")
    out += ["```", ""]
    return out


# -- main ----------------------------------------------------------------------------------


def call_benchmarks(workloads: list[Workload], rounds: int, with_imports: bool) -> list[str]:
    """The per-call rows (issue 15): servers, ceiling, rounds, table, profiles of misses."""
    out: list[str] = []
    with ExitStack() as stack:
        base_url = stack.enter_context(server(0.0))
        slow_url = stack.enter_context(server(SLOW_DELAY))
        env = child_env(base_url, slow_url)

        ceiling = measure(env, "raw", "ceiling", 3)["ceiling"] if workloads else {}
        lines = ["server ceiling (raw keep-alive socket, the fastest client; req/s):"]
        for route, c in ceiling.items():
            lines.append(
                f"  {route:<14} one at a time {c['serial_rps']:>8,.0f}   pipelined x16 "
                f"{c['pipelined_rps']:>8,.0f}   server CPU "
                f"{c['server_cpu_s_per_request'] * 1e6:,.0f} µs/request"
            )
        if ceiling:
            print("\n".join(lines), flush=True)
            out += ["```", *lines, "```", ""]

        results: dict[str, dict[str, list[dict[str, Any]]]] = {
            w.name: {c: [] for c in w.contenders} for w in workloads
        }
        for r in range(rounds if workloads else 0):
            round_started = time.perf_counter()
            for w in workloads:
                k = r % len(w.contenders)  # rotate who goes first each round
                for contender in w.contenders[k:] + w.contenders[:k]:
                    results[w.name][contender].append(measure(env, contender, w.name, w.n))
            took = time.perf_counter() - round_started
            print(f"round {r + 1}/{rounds} done in {took:.1f} s", flush=True)

        rows = [judge(w, results[w.name]) for w in workloads]
        if with_imports:
            rows.append(import_row(measure_imports(env, IMPORT_PAIRS)))
        head, body, notes = table_rows(rows)
        table = markdown_table(head, body)
        ratios = ratio_table(workloads, results)
        print()
        print("\n".join(table))
        print()
        print("\n".join([*notes, "", *LEGEND]))
        out += [*table, "", *notes, "", *LEGEND, ""]
        if ratios:
            print("\n" + "\n".join(ratios))
            out += ["Every contender against the same round's requests+json:", "", *ratios, ""]

        misses = [
            row
            for row in rows
            if row.workload.name != "import"
            and (row.verdict == "MISS" or any(e[3] == "MISS" for e in row.extra))
        ]
        if "list_datasets" in {w.name for w in workloads}:  # the issue asks for this profile
            misses += [r for r in rows if r.workload.name == "list_datasets" and r not in misses]
        if misses:
            out += ["## Where the time goes (every MISS)", ""]
            print("\nWhere the time goes, for every MISS (fresh process, warm-up excluded):\n")
        for row in misses:
            w = row.workload
            prof = measure(env, w.subject, w.name, w.profile_n, "--profile")
            if w.name == "iterate":
                unit = "whole 200-page walk"
            elif w.name == "gather":
                unit = "per batch of 100; main thread only, the sends run in worker threads"
            else:
                unit = "per call"
            block = print_profile(w.label, prof["profile"], unit)
            print("\n".join(block))
            out += block

    return out


def upload_rows(
    sizes: UploadSizes, fleet: FleetSizes | None, why_not_reference: str, *, datasets: bool = True
) -> list[str]:
    """The upload rows (issues 12 and 13): this SDK, the existing SDK and plain PUTs, same
    store; the dataset workloads, then the fleet recording (unless ``fleet`` is None)."""
    pythons = {"avala": sys.executable, "ceiling": sys.executable}
    pythons["reference"] = str(REFERENCE) if REFERENCE else None
    why_not = {"reference": why_not_reference} if REFERENCE is None else {}
    head, body, notes = ["upload measure"], [], []
    if datasets:
        head, body, notes = run_uploads(sizes, pythons, why_not)
    if fleet is not None:
        fleet_body, fleet_notes = run_fleet(fleet, pythons, why_not)
        head = ["upload measure", "avala", "existing SDK", "ceiling (requests PUTs)"]
        head += ["ratio", "target", "PASS/MISS"]
        body, notes = body + fleet_body, notes + fleet_notes
    table = markdown_table(head, body)
    print()
    print("\n".join([*table, "", *notes]))
    out = ["## Uploads", "", *table, "", *notes, ""]
    misses = [row for row in body if row[-1].startswith("MISS")]
    if misses:
        out += ["Every upload MISS is explained in benchmarks/README.md (Uploads).", ""]
    return out


def download_rows(sizes: DownloadSizes) -> list[str]:
    """The download rows (issue 13): avala.download against a requests stream, resume."""
    head, body, notes = run_downloads(sizes, sys.executable)
    table = markdown_table(head, body)
    print()
    print("\n".join([*table, "", *notes]))
    return ["## Downloads", "", *table, "", *notes, ""]


def with_section_alone(report: str, title: str) -> str:
    """last_run.md with its ``title`` section (Uploads, Downloads) replaced by ``report``
    (an ``--only upload`` or ``--only download`` run: its own header, then the section),
    so a quick run of one section keeps the other rows of the last full run."""
    body = report.split("\n", 2)[2].replace(f"\n## {title}\n\n", "\n", 1)
    section = f"## {title} (run alone)\n\n" + body
    try:
        previous = LAST_RUN.read_text(encoding="utf-8")
    except OSError:
        return report
    start = previous.find(f"\n## {title}")
    if start < 0:
        return previous.rstrip("\n") + "\n\n" + section
    end = previous.find("\n## ", start + 1)
    rest = "" if end < 0 else previous[end:]
    # a run alone ends with its wall time: keep it inside the section
    return previous[: start + 1] + section.rstrip("\n") + "\n" + rest


def main() -> int:
    parser = argparse.ArgumentParser(description="avala benchmarks")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--only", default="", help="comma-separated workload names to run")
    parser.add_argument("--no-write", action="store_true", help="do not write last_run.md")
    parser.add_argument("--label", default="", help="a line for the header: what tree this is")
    sizes = UploadSizes()
    upload = parser.add_argument_group("uploads (--only upload)")
    upload.add_argument("--upload-rounds", type=int, default=sizes.rounds)
    upload.add_argument("--upload-files", type=int, default=sizes.files, help="small files")
    upload.add_argument("--upload-file-mib", type=float, default=sizes.file_mib)
    upload.add_argument("--upload-big-mib", type=float, default=sizes.big_mib, help="large file")
    upload.add_argument("--upload-part-mib", type=float, help="the fake's part size (64)")
    upload.add_argument("--resume-part-mib", type=float, default=sizes.resume_part_mib)
    upload.add_argument("--no-resume", action="store_true", help="skip the kill -9 check")
    fsizes = FleetSizes()
    fleet = parser.add_argument_group("fleet upload (--only upload, or --only fleet alone)")
    fleet.add_argument("--fleet-small", type=int, default=fsizes.small, help="small files")
    fleet.add_argument("--fleet-small-kib", type=float, default=fsizes.small_kib)
    fleet.add_argument("--fleet-large", type=int, default=fsizes.large, help="large files")
    fleet.add_argument("--fleet-large-mib", type=float, default=fsizes.large_mib)
    fleet.add_argument("--no-fleet", action="store_true", help="skip the fleet upload rows")
    dsizes = DownloadSizes()
    down = parser.add_argument_group("downloads (--only download)")
    down.add_argument("--download-mib", type=float, default=dsizes.mib, help="object size")
    down.add_argument("--download-rounds", type=int, default=dsizes.rounds)
    down.add_argument("--no-download-resume", action="store_true", help="skip the 50%% cut")
    args = parser.parse_args()
    started = time.perf_counter()
    only = set(args.only.split(",")) if args.only else set()
    workloads = [w for w in WORKLOADS if not only or w.name in only]
    sizes = UploadSizes(
        files=args.upload_files,
        file_mib=args.upload_file_mib,
        big_mib=args.upload_big_mib,
        part_mib=args.upload_part_mib,
        resume_part_mib=args.resume_part_mib,
        rounds=args.upload_rounds,
        resume=not args.no_resume,
    )
    fsizes = FleetSizes(
        small=args.fleet_small,
        small_kib=args.fleet_small_kib,
        large=args.fleet_large,
        large_mib=args.fleet_large_mib,
        rounds=args.upload_rounds,
    )
    dsizes = DownloadSizes(
        mib=args.download_mib, rounds=args.download_rounds, resume=not args.no_download_resume
    )

    out: list[str] = ["# avala benchmarks", ""]
    broken = check_sdk_imports()
    if broken:
        print(f"cannot benchmark: `import avala` fails in this tree: {broken}", file=sys.stderr)
        return 2
    fingerprint = sdk_fingerprint()
    header = machine()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rounds = f"{args.rounds} rounds ({sizes.rounds} for uploads, {dsizes.rounds} for downloads)"
    if only == {"download"}:
        rounds = f"{dsizes.rounds} rounds of downloads"
    header.insert(0, f"run:      {stamp}, {rounds}")
    if args.label:
        header.insert(1, f"tree:     {args.label}")
    for line in header:
        print(line, flush=True)
    out += ["```", *header, "```", ""]

    global REFERENCE
    REFERENCE, why_not = None, ""
    if only != {"download"}:  # the download rows have no existing-SDK contender
        REFERENCE, why_not = reference_python()
    if REFERENCE is None and why_not:
        print(why_not, flush=True)
        out += [f"**{why_not}**: its cells read 'not measured'.", ""]
        workloads = [
            replace(w, contenders=tuple(c for c in w.contenders if c != "reference"))
            for w in workloads
        ]
    wants_imports = not only or "import" in only
    if workloads or wants_imports:
        out += call_benchmarks(workloads, args.rounds, wants_imports)
    if not only or "upload" in only:
        out += upload_rows(sizes, None if args.no_fleet else fsizes, why_not)
    elif "fleet" in only:
        out += upload_rows(sizes, fsizes, why_not, datasets=False)
    if not only or "download" in only:
        out += download_rows(dsizes)
    if not only or "startup" in only:
        out += startup_section()

    total = time.perf_counter() - started
    if sdk_fingerprint() != fingerprint:
        warning = (
            "WARNING: files under avala/ changed during this run, so its rounds may have "
            "measured different versions of the SDK. Run again on a quiet tree to quote it."
        )
        print(warning)
        out += [warning, ""]
    print(f"total wall time {total:.1f} s")
    out += [f"Total wall time of the run: {total:.1f} s.", ""]
    if only == {"fleet"} and not args.no_write:
        print("--only fleet is a quick look: last_run.md is not written (use --only upload)")
    elif not args.no_write:
        text = "\n".join(out)
        if only == {"upload"}:  # keep the other rows of the last full run
            text = with_section_alone(text, "Uploads")
        elif only == {"download"}:
            text = with_section_alone(text, "Downloads")
        LAST_RUN.write_text(text, encoding="utf-8")
        print(f"wrote {LAST_RUN.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
