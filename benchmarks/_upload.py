"""One upload in a fresh process; prints one JSON object on stdout.

    python benchmarks/_upload.py <contender> <manifest.json>

``benchmarks/run.py`` (see ``_upload_bench.py``) writes the manifest, starts a FakeAvala
with its object store in a process of its own, points ``AVALA_BASE_URL`` at it, and runs
this script once per contender, workload and round. Contenders:

* ``avala``: ``client.run(client.datasets.upload_files(dataset_name=..., files=...,
  workers=W))`` with this repository's SDK.
* ``reference``: the existing SDK (PyPI ``avala==0.10.0``; run this script with the
  interpreter of ``benchmarks/.venv-reference``): ``prepare_manual_upload_batch`` then
  ``upload_files(..., workers=W, dataset_upload_uid=batch)``, as its own
  ``create_from_local`` does, so it speaks manual-upload v2 (PUT / MULTIPART) to the same
  store. Its presigned-URL allow-list refuses ``http://127.0.0.1:<port>``, so for this
  bench only ``validate_presigned_url`` is wrapped to let loopback through.
* ``ceiling``: plain ``requests`` PUTs of the same bytes to URLs the fake's store minted
  (``targets`` in the manifest), W threads, one ``Session`` per thread, each body streamed
  from the file.

A manifest with ``recording_uid`` is a fleet recording upload (``_fleet_bench.py``):
``avala`` runs ``client.fleet.uploads.upload_recording(uid, source, max_workers=W)``,
``reference`` the existing SDK's method of the same name (its legacy ``upload/``
protocol), with the same loopback allow-list wrapper in its two fleet modules; the
ceiling is unchanged.

Measured inside this process around the upload only: wall time, peak RSS growth (VmHWM
after ``clear_refs``, as in ``_measure.PeakRss``) and ``rchar`` from ``/proc/self/io``:
every byte this process got from ``read``-family system calls. Sockets are read with
``recv``, which ``rchar`` does not count, so the delta is what was read from files.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _measure import PeakRss

CHUNK = 1024 * 1024


def rchar() -> int | None:
    """Bytes this process has read through read()/pread()/readv() so far (Linux only)."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# -- contenders --------------------------------------------------------------------------


def upload_avala(manifest: dict[str, Any]) -> Any:
    import avala

    client = avala.Client()
    if "recording_uid" in manifest:
        return upload_recording_avala(client, manifest)
    if not hasattr(client.datasets, "upload_files"):
        raise Unavailable("client.datasets.upload_files is not in this tree yet")
    request = client.datasets.upload_files(
        dataset_name=manifest["dataset_name"],
        files=[tuple(pair) for pair in manifest["files"]],
        workers=manifest["workers"],
    )

    def run() -> Any:
        from returns.result import Success

        result = client.run(request)
        if not isinstance(result, Success):
            raise RuntimeError(f"upload failed: {result.failure()!r}")
        return result.unwrap()

    return run


def upload_recording_avala(client: Any, manifest: dict[str, Any]) -> Any:
    request = client.fleet.uploads.upload_recording(
        manifest["recording_uid"], manifest["source"], max_workers=manifest["workers"]
    )

    def run() -> Any:
        from returns.result import Success

        result = client.run(request)
        if not isinstance(result, Success):
            raise RuntimeError(f"upload failed: {result.failure()!r}")
        report = result.unwrap()
        if (
            report.status not in ("completing", "completed")
            or report.bytes_sent != manifest["bytes"]
        ):
            raise RuntimeError(f"unexpected report: {report.status} {report.bytes_sent} bytes")
        return report

    return run


def patch_reference_allow_list() -> None:
    """Let the existing SDK PUT to the fake's ``http://127.0.0.1:<port>`` store. Bench
    only: every other URL still goes through its own check."""
    from urllib.parse import urlsplit

    import avala._managed_upload as managed
    import avala._uploads as uploads
    import avala.resources.fleet._upload_guard as fleet_guard
    import avala.resources.fleet.uploads as fleet_uploads

    import avala.resources.datasets as datasets

    original = uploads.validate_presigned_url

    def validate_presigned_url(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname == "127.0.0.1":
            return
        original(url)

    for module in (uploads, managed, datasets, fleet_guard, fleet_uploads):
        if hasattr(module, "validate_presigned_url"):
            module.validate_presigned_url = validate_presigned_url  # type: ignore[attr-defined]


def patch_reference_fleet_path_style() -> None:
    """The fake's store addresses objects path-style (``/<bucket>/<key>``), as S3's
    path-style hosts do; the existing SDK's fleet grant check knows only the amazonaws.com
    names for that. Bench only: 127.0.0.1 is added to that pattern, nothing else changes."""
    import re

    import avala.resources.fleet._upload_guard as fleet_guard

    amazon = fleet_guard._PATH_STYLE_HOST.pattern
    fleet_guard._PATH_STYLE_HOST = re.compile(rf"(?:{amazon})|127\.0\.0\.1\Z")


def upload_reference(manifest: dict[str, Any]) -> Any:
    import avala

    patch_reference_allow_list()
    client = avala.Client()
    if "recording_uid" in manifest:
        patch_reference_fleet_path_style()
        uid, source, workers = manifest["recording_uid"], manifest["source"], manifest["workers"]
        return lambda: client.fleet.uploads.upload_recording(uid, source, max_workers=workers)
    name = manifest["dataset_name"]
    files = [tuple(pair) for pair in manifest["files"]]

    def run() -> Any:
        batch = client.datasets.prepare_manual_upload_batch(name)
        return client.datasets.upload_files(
            dataset_name=name, files=files, workers=manifest["workers"], dataset_upload_uid=batch
        )

    return run


class FileSlice:
    """``length`` bytes of an open file from ``offset``, read on demand (a request body)."""

    def __init__(self, handle: Any, offset: int, length: int) -> None:
        self.handle, self.remaining, self.length = handle, length, length
        handle.seek(offset)

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.handle.read(size) if size else b""
        self.remaining -= len(data)
        return data

    def __iter__(self) -> Any:
        while chunk := self.read(CHUNK):
            yield chunk


def upload_ceiling(manifest: dict[str, Any]) -> Any:
    import requests

    local = threading.local()

    def put(target: list[Any]) -> int:
        url, path, offset, length = target
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        with open(path, "rb") as handle:
            body = FileSlice(handle, offset, length)
            response = session.put(url, data=body, headers={"Content-Length": str(length)})
        response.raise_for_status()
        return int(length)

    def run() -> Any:
        with ThreadPoolExecutor(manifest["workers"]) as pool:
            return sum(pool.map(put, manifest["targets"]))

    return run


class Unavailable(Exception):
    """The contender cannot run in this tree (reported in the table, never a number)."""


CONTENDERS = {"avala": upload_avala, "reference": upload_reference, "ceiling": upload_ceiling}


def main() -> None:
    contender, manifest_path = sys.argv[1], sys.argv[2]
    manifest = json.loads(Path(manifest_path).read_text())
    try:
        run = CONTENDERS[contender](manifest)
    except Unavailable as why:
        print(json.dumps({"unavailable": str(why)}))
        return
    except Exception as exc:  # the reference may not speak to the fake: say why
        print(json.dumps({"failed": f"{type(exc).__name__}: {exc}"}))
        return
    peak = PeakRss()
    read_before = rchar()
    started = time.perf_counter()
    try:
        run()
    except Exception as exc:
        print(json.dumps({"failed": f"{type(exc).__name__}: {exc}"[:500]}))
        return
    seconds = time.perf_counter() - started
    read_after = rchar()
    out = {
        "seconds": seconds,
        "bytes": manifest["bytes"],
        "rss_growth_mib": peak.growth_kib() / 1024,
        "rss_method": peak.method,
        "rchar": None if read_before is None or read_after is None else read_after - read_before,
    }
    print(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)  # do not wait for the SDKs' pools to wind down: the upload is over


if __name__ == "__main__":
    main()
