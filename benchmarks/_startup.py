"""Command-line startup: whole-process wall time of ``avala`` commands against the floor of
``python -c "import requests"``, each in a fresh process, interleaved (issue: fast startup).

The listing runs against ``python -m avala.testing serve`` on 127.0.0.1, seeded with 20
projects, so it includes a real HTTP call and the JSON output.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELP_LIMIT = 2.0
LIST_LIMIT = 2.5


def _wall(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, timeout=60)
    took = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode()[-300:]}")
    return took


def measure_startup(runs: int = 20) -> dict[str, list[float]]:
    """Median-ready wall times of the floor, ``avala --help`` and ``avala projects list -o
    json`` (against a served fake), interleaved over ``runs`` rounds after one warm-up."""
    avala = str(Path(sys.executable).with_name("avala"))
    seed = {"projects": [{"uid": f"prj-{i}", "name": f"Project {i}"} for i in range(20)]}
    with tempfile.TemporaryDirectory() as tmp:
        seed_file = Path(tmp) / "seed.json"
        seed_file.write_text(json.dumps(seed), encoding="utf-8")
        server = subprocess.Popen(
            [sys.executable, "-m", "avala.testing", "serve", "--seed", str(seed_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert server.stdout is not None
            env = dict(os.environ)
            server.stdout.readline()  # the base URL; the next lines say it as variables
            for _ in range(3):
                name, _, value = server.stdout.readline().strip().partition("=")
                env[name] = value
            commands = {
                "python -c 'import requests'": [sys.executable, "-c", "import requests"],
                "avala --help": [avala, "--help"],
                "avala projects list -o json": [avala, "projects", "list", "-o", "json"],
            }
            for argv in commands.values():
                _wall(argv, env)  # bytecode caches written, pages warm
            times: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(runs):
                for name, argv in commands.items():
                    times[name].append(_wall(argv, env))
            return times
        finally:
            server.terminate()
            server.wait(10)


def startup_lines(times: dict[str, list[float]]) -> list[str]:
    """The markdown rows: median ms, ratio to the floor, target and verdict."""
    floor = statistics.median(times["python -c 'import requests'"])
    limits = {"avala --help": HELP_LIMIT, "avala projects list -o json": LIST_LIMIT}
    lines = [
        f"| command (fresh process, median of {len(next(iter(times.values())))}) "
        "| wall time | ratio to the floor | target | PASS/MISS |",
        "|---|---|---|---|---|",
    ]
    for name, values in times.items():
        mid = statistics.median(values)
        limit = limits.get(name)
        if limit is None:
            lines.append(f"| `{name}` (floor) | {mid * 1000:.0f} ms | 1.00× | | |")
            continue
        ratio = mid / floor
        verdict = "PASS" if ratio <= limit else "MISS"
        lines.append(
            f"| `{name}` | {mid * 1000:.0f} ms | {ratio:.2f}× | ≤ {limit:g}× | {verdict} |"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(startup_lines(measure_startup(int(sys.argv[1]) if len(sys.argv) > 1 else 20))))
