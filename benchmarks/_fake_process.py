"""Run FakeAvala in its own process, so the server does not share the client's GIL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_SERVER = """
import json, sys
from avala.testing import FakeAvala
latency, datasets = float(sys.argv[1]), int(sys.argv[2])
with FakeAvala(latency=latency) as fake:
    uids = [fake.add_dataset(name=f"D{i}")["uid"] for i in range(datasets)]
    print(json.dumps({"env": fake.env(), "uids": uids}), flush=True)
    sys.stdin.read()
"""


@contextmanager
def fake_in_process(latency: float = 0.0, datasets: int = 0) -> Iterator[dict[str, object]]:
    """Yields ``{"env": {...AVALA_* variables}, "uids": [dataset uids]}``."""
    import json

    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(latency), str(datasets)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.communicate("")
