"""100 gets: one by one on Client, against gathered on AsyncClient, on one FakeAvala
answering each request after 5 ms (in its own process). Prints both times and the ratio.

    .venv/bin/python benchmarks/gather_vs_sequential.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

from _fake_process import fake_in_process

from avala import AsyncClient, Client, gather

CALLS = 100
DELAY = 0.005
ROUNDS = 5


def main() -> None:
    with fake_in_process(latency=DELAY, datasets=CALLS) as fake:
        os.environ.update(fake["env"])  # type: ignore[arg-type]
        uids: list[str] = fake["uids"]  # type: ignore[assignment]

        def sequential() -> float:
            with Client() as client:
                client.run(client.datasets.get(uids[0]))  # connect outside the timing
                started = time.perf_counter()
                for uid in uids:
                    client.run(client.datasets.get(uid)).unwrap()
                return time.perf_counter() - started

        async def gathered() -> float:
            async with AsyncClient(max_concurrency=10) as client:
                await client.run(client.datasets.get(uids[0]))
                started = time.perf_counter()
                request = gather(*(client.datasets.get(uid) for uid in uids))
                (await client.run(request)).unwrap()
                return time.perf_counter() - started

        seq, gat = [], []
        for _ in range(ROUNDS):  # interleaved, so drift hits both alike
            seq.append(sequential())
            gat.append(asyncio.run(gathered()))
    s, g = statistics.median(seq), statistics.median(gat)
    print(f"{CALLS} gets, server delay {DELAY * 1000:.0f} ms, median of {ROUNDS} interleaved runs")
    print(f"  Client, sequential        {s * 1000:8.1f} ms  ({CALLS / s:6.0f} calls/s)")
    print(f"  AsyncClient, gathered(10) {g * 1000:8.1f} ms  ({CALLS / g:6.0f} calls/s)")
    print(f"  speed-up                  {s / g:8.2f}x")


if __name__ == "__main__":
    main()
