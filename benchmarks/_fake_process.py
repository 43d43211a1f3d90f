"""Run FakeAvala in its own process, so the server does not share the client's GIL.

The process answers one JSON command per stdin line with one JSON line on stdout, so a
benchmark driver can configure it and read its object store's counters while clients in
other processes upload to it (see ``FakeProcess.call``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_SERVER = """
import json, sys
from avala.testing import FakeAvala

def configure(fake, part_size=None, multipart_threshold=None, quota_bytes=None):
    if part_size is not None:
        fake.part_size = part_size
    if multipart_threshold is not None:
        fake.multipart_threshold = multipart_threshold
    if quota_bytes is not None:  # the bench uploads more than the default 10 GiB in a run
        from avala.testing._routes.datasets_more import ME, quota_of
        with fake.store.lock:
            quota_of(fake.store, ME)
            fake.store.update("datasets_quotas", ME, {"limit": quota_bytes})
    return {}

def received(fake):
    counts = fake.objects.bytes_received
    return {"total": sum(counts.values()), "by_key": dict(counts), "assembly_s": ASSEMBLY[0]}

ASSEMBLY = [0.0]  # seconds the store spent joining multipart parts (server-side work)

def timed_assembly(objects):
    import time
    join = objects.complete_multipart
    def complete_multipart(upload_id, part_count):
        started = time.perf_counter()
        try:
            return join(upload_id, part_count)
        finally:
            ASSEMBLY[0] += time.perf_counter() - started
    objects.complete_multipart = complete_multipart

def stored(fake, prefix=""):
    found = {k: fake.objects.info(k) for k in fake.objects.keys(prefix)}
    return {"objects": {k: o.size for k, o in found.items() if o is not None}}

def presign_puts(fake, keys):
    return {"urls": [fake.objects.presign("PUT", k) for k in keys]}

def presign_parts(fake, key, count):
    upload_id = fake.objects.create_multipart(key)
    urls = [
        fake.objects.presign("PUT", key, upload_id=upload_id, part_number=n)
        for n in range(1, count + 1)
    ]
    return {"urls": urls}

def store_file(fake, key, path):
    # the file into the store in 1 MiB chunks: put() takes the bytes whole (1 GiB in memory)
    objects = fake.objects
    with open(path, "rb") as source:
        written = objects._write(iter(lambda: source.read(1 << 20), b""))
    return {"size": objects._keep(key, written).size}

def seed_recording(fake, uid):
    # a device and a pending recording for the fleet upload rows
    fake.store.insert("fleet_devices", {"uid": "bench-device", "name": "Bench robot"})
    recording = {"uid": uid, "device": "bench-device", "status": "pending"}
    fake.store.insert("fleet_recordings", recording)
    return {}

def presign_get(fake, key, expires_in=3600):
    return {"url": fake.objects.presign("GET", key, expires_in=expires_in)}

def served(fake, key):
    return {"bytes": fake.objects.bytes_served[key]}

def cut_next_get(fake, key, after_bytes):
    from avala.testing import StorageFault
    fake.objects.inject(StorageFault.cut(after_bytes), method="GET", key=key)
    return {}

COMMANDS = {
    f.__name__: f
    for f in (
        configure, received, stored, presign_puts, presign_parts,
        store_file, presign_get, served, cut_next_get, seed_recording,
    )
}

latency, datasets = float(sys.argv[1]), int(sys.argv[2])
with FakeAvala(latency=latency) as fake:
    timed_assembly(fake.objects)
    uids = [fake.add_dataset(name=f"D{i}")["uid"] for i in range(datasets)]
    info = {"env": fake.env(), "uids": uids, "part_size": fake.part_size}
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        try:
            answer = COMMANDS[command.pop("op")](fake, **command)
        except Exception as exc:
            answer = {"error": repr(exc)}
        print(json.dumps(answer), flush=True)
"""


class FakeProcess:
    """A FakeAvala in a child process: ``info`` is its first line (``env``, ``uids``,
    ``part_size``); ``call(op, **args)`` runs one of the commands in ``_SERVER``."""

    def __init__(self, latency: float = 0.0, datasets: int = 0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(latency), str(datasets)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.close()
            raise RuntimeError("FakeAvala did not start in its process")
        self.info: dict[str, Any] = json.loads(line)

    @property
    def env(self) -> dict[str, str]:
        env: dict[str, str] = self.info["env"]
        return env

    def call(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"fake {op} failed: {answer['error']}")
        return answer

    def close(self) -> None:
        """Closing stdin ends the command loop; the fake stops and removes its store."""
        try:
            self.proc.communicate("", timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def fake_process(latency: float = 0.0, datasets: int = 0) -> Iterator[FakeProcess]:
    fake = FakeProcess(latency, datasets)
    try:
        yield fake
    finally:
        fake.close()


@contextmanager
def fake_in_process(latency: float = 0.0, datasets: int = 0) -> Iterator[dict[str, object]]:
    """Yields ``{"env": {...AVALA_* variables}, "uids": [dataset uids]}``."""
    with fake_process(latency, datasets) as fake:
        yield fake.info
