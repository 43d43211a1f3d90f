"""One download in a fresh process; prints one JSON object on stdout.

    python benchmarks/_download.py <contender> <manifest.json>

``benchmarks/run.py`` (see ``_download_bench.py``) writes the manifest (``url``, ``dest``,
``size``, optional ``sha256`` and ``max_retries``), keeps FakeAvala and its object store
in a process of its own, and runs this script once per contender and round. Contenders:

* ``avala``: ``client.run(avala.download(url, dest, size=size))``: streamed to a partial
  file beside ``dest``, size checked, renamed.
* ``avala_sha256``: the same with ``sha256=`` too (the digest is computed while writing).
* ``requests``: a default ``requests.Session``, ``get(url, stream=True)`` and
  ``iter_content(1 MiB)`` written to ``dest``: what a user writes without the SDK.
* ``requests_fsync``: the same, with ``fsync`` before the file is closed, as avala does
  before its rename (context: the cost of having the bytes on disk).

Measured inside this process around the download only: wall time and peak RSS growth
(VmHWM after ``clear_refs``, as in ``_measure.PeakRss``). A failed avala download prints
``failed`` with the error; the resume check uses that (its first run is meant to fail).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _measure import PeakRss

CHUNK = 1024 * 1024


def with_avala(manifest: dict[str, Any], sha256: bool) -> Callable[[], int]:
    import avala

    client = avala.Client(max_retries=manifest.get("max_retries", 2))
    request = avala.download(
        manifest["url"],
        manifest["dest"],
        size=manifest["size"],
        sha256=manifest.get("sha256") if sha256 else None,
    )

    def run() -> int:
        result = client.run(request)
        got = result.value_or(None)
        if got is None:
            error = result.failure()
            raise RuntimeError(f"{type(error).__name__}: {error}")
        fetched: int = got.bytes_fetched
        return fetched

    return run


def with_requests(manifest: dict[str, Any], fsync: bool) -> Callable[[], int]:
    import requests

    session = requests.Session()

    def run() -> int:
        written = 0
        with session.get(manifest["url"], stream=True) as response:
            response.raise_for_status()
            with open(manifest["dest"], "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    out.write(chunk)
                    written += len(chunk)
                if fsync:  # what avala does before its rename: the bytes are on disk
                    out.flush()
                    os.fsync(out.fileno())
        return written

    return run


CONTENDERS: dict[str, Callable[[dict[str, Any]], Callable[[], int]]] = {
    "avala": lambda m: with_avala(m, sha256=False),
    "avala_sha256": lambda m: with_avala(m, sha256=True),
    "requests": lambda m: with_requests(m, fsync=False),
    "requests_fsync": lambda m: with_requests(m, fsync=True),
}


def main() -> None:
    contender, manifest_path = sys.argv[1], sys.argv[2]
    manifest = json.loads(Path(manifest_path).read_text())
    run = CONTENDERS[contender](manifest)
    peak = PeakRss()
    started = time.perf_counter()
    try:
        fetched = run()
    except Exception as exc:
        print(json.dumps({"failed": f"{type(exc).__name__}: {exc}"[:500]}))
        return
    seconds = time.perf_counter() - started
    out = {
        "seconds": seconds,
        "bytes": manifest["size"],
        "fetched": fetched,
        "rss_growth_mib": peak.growth_kib() / 1024,
        "rss_method": peak.method,
    }
    print(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
