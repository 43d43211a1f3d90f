"""One measurement in a fresh process; prints one JSON object on stdout.

    .venv/bin/python benchmarks/_measure.py <contender> <workload> <n> [--warmup W] [--profile]

The server's base URL comes from ``BENCH_BASE_URL`` (and ``BENCH_SLOW_BASE_URL``, the server
that answers after 5 ms, for ``gather``). ``benchmarks/run.py`` starts the servers and runs
this script once per contender, workload and round.

Contenders and workloads:

* ``get``, ``list_projects``, ``list_datasets``: ``raw`` (a keep-alive socket writing a
  prepared request, then ``json.loads``), ``requests`` (a default ``requests.Session()``,
  ``session.get(url).json()``), ``httpx`` (a default ``httpx.Client``, ``json.loads`` of
  the body), ``reference`` (the existing SDK, PyPI ``avala==0.10.0``: run this script
  with its venv's interpreter), ``avala`` (``client.run(...).unwrap()``; afterwards it
  checks that the server saw only origin-form request targets). ``n`` timed calls after
  ``W`` warm-up calls; prints ``per_call`` seconds.
* ``decode``: the bytes of 10,000 projects become models: ``json`` (``json.loads`` only,
  for scale), ``avala`` (``array(Project).read``: parse and structure), ``avala_structure``
  (structure only, of already-parsed dicts), ``reference`` (the existing SDK:
  ``json.loads``, then ``Project.model_validate`` per item, as its list calls do).
* ``iterate``: walk all 200 pages (10,000 projects) once, after one warm-up page: ``raw``,
  ``requests`` (following ``next``), ``avala`` (``client.iterate``), and ``avala_keep``
  (a control that keeps every item, to show the memory measure sees retention). Prints
  ``rss_growth_mib``: peak RSS during the walk minus RSS before it (see ``PeakRss``).
* ``ceiling``: ``raw`` only; hammers the server for ``n`` seconds in all (one at a time, then
  pipelined) and prints requests/s per route and the server's CPU time per request.
* ``gather``: ``n`` batches of 100 gets against the 5 ms server, after one warm-up batch:
  ``requests`` and ``avala_seq`` one by one, ``avala`` as one ``gather`` on ``AsyncClient``.
  Prints ``per_call`` seconds per batch.

``--profile`` runs the timed part under cProfile and prints its top functions instead.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import re
import resource
import socket
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from _server import ITER_PAGE_SIZE, project

API_KEY = "bench-key"
GET_UID = "p1"
LIST_LIMIT = 100
DECODE_COUNT = 10_000
GATHER_CALLS = 100

os.environ["AVALA_ALLOW_INSECURE_BASE_URL"] = "1"


# -- the wire floor: a raw keep-alive socket ----------------------------------------------


class RawHttp:
    """Just enough HTTP/1.1 for a keep-alive GET: write the request, read by Content-Length."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.sock = socket.create_connection((self.host, self.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()
        self.head_tail = (
            f" HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"X-Avala-Api-Key: {API_KEY}\r\nAccept: application/json\r\n\r\n"
        ).encode()

    def prepare(self, target: str) -> bytes:
        """The bytes of a GET for ``target`` (path and query), ready to write."""
        return b"GET " + target.encode() + self.head_tail

    def send(self, prepared: bytes) -> bytes:
        self.sock.sendall(prepared)
        return self.read()

    def read(self) -> bytes:
        buffer, recv = self.buffer, self.sock.recv
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            chunk = recv(262144)
            if not chunk:
                raise ConnectionError("server closed the connection")
            buffer += chunk
        head = bytes(buffer[:end]).lower()
        if not head.startswith(b"http/1.1 200"):
            raise RuntimeError(f"unexpected response: {head[:60]!r}")
        start = head.index(b"content-length:") + 15
        stop = head.find(b"\r\n", start)
        need = end + 4 + int(head[start : stop if stop >= 0 else None])
        while len(buffer) < need:
            chunk = recv(262144)
            if not chunk:
                raise ConnectionError("server closed the connection")
            buffer += chunk
        body = bytes(buffer[end + 4 : need])
        del buffer[:need]
        return body

    def close(self) -> None:
        self.sock.close()


# -- per-call workloads -------------------------------------------------------------------


def _targets(workload: str) -> tuple[str, str]:
    """(path and query below the base URL, the same as the SDK call would send)."""
    return {
        "get": (f"/users/me/projects/{GET_UID}/", ""),
        "list_projects": ("/users/me/projects/", f"?limit={LIST_LIMIT}"),
        "list_datasets": ("/datasets/", f"?limit={LIST_LIMIT}"),
    }[workload]


def call_factory(contender: str, workload: str, base_url: str) -> tuple[Callable[[], Any], Any]:
    """(one call, a thing to close) for a per-call workload."""
    path, query = _targets(workload)
    if contender == "raw":
        raw = RawHttp(base_url)
        prepared = raw.prepare(urlsplit(base_url).path + path + query)
        return (lambda: json.loads(raw.send(prepared))), raw
    if contender == "requests":
        import requests

        session = requests.Session()
        session.headers["X-Avala-Api-Key"] = API_KEY
        if workload == "get":
            uid = GET_UID
            return (lambda: session.get(f"{base_url}/users/me/projects/{uid}/").json()), session
        params = {"limit": LIST_LIMIT}
        url = base_url + path
        return (lambda: session.get(url, params=params).json()["results"]), session
    if contender == "httpx":
        import httpx

        session = httpx.Client(headers={"X-Avala-Api-Key": API_KEY})
        if workload == "get":
            one = f"{base_url}/users/me/projects/{GET_UID}/"
            return (lambda: json.loads(session.get(one).content)), session
        params = {"limit": LIST_LIMIT}
        url = base_url + path
        return (lambda: json.loads(session.get(url, params=params).content)["results"]), session
    if contender == "reference":
        import avala  # the existing SDK: this process runs in its venv

        ref = avala.Client(api_key=API_KEY, base_url=base_url)
        if workload == "get":
            return (lambda: ref.projects.get(GET_UID)), ref
        if workload == "list_projects":
            return (lambda: ref.projects.list(limit=LIST_LIMIT).items), ref
        return (lambda: ref.datasets.list(limit=LIST_LIMIT).items), ref
    if contender == "avala":
        from avala import Client

        client = Client(API_KEY, base_url=base_url)
        if workload == "get":
            return (lambda: client.run(client.projects.get(GET_UID)).unwrap()), client
        if workload == "list_projects":
            return (lambda: client.run(client.projects.list(limit=LIST_LIMIT)).unwrap()), client
        return (lambda: client.run(client.datasets.list(limit=LIST_LIMIT)).unwrap()), client
    raise SystemExit(f"unknown contender {contender!r} for {workload}")


def decode_factory(contender: str) -> Callable[[], Any]:
    data = json.dumps([project(i) for i in range(DECODE_COUNT)]).encode()
    if contender == "json":
        return lambda: json.loads(data)
    if contender == "avala":
        from avala._decode import array
        from avala.types import Project

        reader = array(Project)
        return lambda: reader.read(data).unwrap()
    if contender == "reference":
        from avala.types.project import Project  # the existing SDK's pydantic model

        validate = Project.model_validate
        return lambda: [validate(item) for item in json.loads(data)]
    if contender == "avala_structure":
        from avala._decode import structure
        from avala.types import Project

        parsed = json.loads(data)
        target = tuple[Project, ...]

        def run() -> Any:
            models = structure(parsed, target).unwrap()
            assert len(models) == DECODE_COUNT
            return models

        return run
    raise SystemExit(f"unknown contender {contender!r} for decode")


def time_calls(call: Callable[[], Any], n: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    clock = time.perf_counter
    out = []
    for _ in range(n):
        started = clock()
        call()
        out.append(clock() - started)
    return out


# -- iterate: memory of a 200-page walk ---------------------------------------------------


def _status_kib(field: str) -> int | None:
    """A ``Vm...`` line of /proc/self/status, in KiB; None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _ru_maxrss_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


class PeakRss:
    """Peak resident set size of this process during a stretch of code, in KiB.

    On Linux: reset the high-water mark (``echo 5 > /proc/self/clear_refs``, so VmHWM
    becomes the current RSS), then read ``VmHWM`` afterwards. ``ru_maxrss`` is not used
    there because Linux carries the parent's high-water mark into a child across
    fork+exec: a child of a 30 MiB parent starts with ru_maxrss = 30 MiB and "grows" by
    whatever its parent weighs. Elsewhere, ``ru_maxrss`` before and after is the fallback.
    """

    def __init__(self) -> None:
        self.method = "ru_maxrss"
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
            self.method = "VmHWM after clear_refs"
        except OSError:
            if _status_kib("VmHWM") is not None:
                self.method = "VmHWM (no reset: includes earlier peaks)"
        now = _status_kib("VmRSS")
        self.before = now if now is not None else _ru_maxrss_kib()

    def growth_kib(self) -> int:
        peak = _status_kib("VmHWM")
        if peak is None:
            peak = _ru_maxrss_kib()
        return max(0, peak - self.before)


def walker(contender: str, base_url: str) -> tuple[Callable[[int | None], int], Any]:
    """(walk(max_pages) -> items seen, a thing to close)."""
    first = f"{base_url}/users/me/projects/?limit={ITER_PAGE_SIZE}"
    if contender == "raw":
        raw = RawHttp(base_url)

        def walk_raw(max_pages: int | None) -> int:
            seen, url, pages = 0, first, 0
            while url and (max_pages is None or pages < max_pages):
                parts = urlsplit(url)
                page = json.loads(raw.send(raw.prepare(f"{parts.path}?{parts.query}")))
                for item in page["results"]:
                    seen += bool(item["uid"])
                url, pages = page["next"], pages + 1
            return seen

        return walk_raw, raw
    if contender == "requests":
        import requests

        session = requests.Session()
        session.headers["X-Avala-Api-Key"] = API_KEY

        def walk_requests(max_pages: int | None) -> int:
            seen, url, pages = 0, first, 0
            while url and (max_pages is None or pages < max_pages):
                page = session.get(url).json()
                for item in page["results"]:
                    seen += bool(item["uid"])
                url, pages = page["next"], pages + 1
            return seen

        return walk_requests, session
    if contender in ("avala", "avala_keep"):
        from avala import Client

        client = Client(API_KEY, base_url=base_url)
        keep = contender == "avala_keep"

        def walk_avala(max_pages: int | None) -> int:
            max_items = None if max_pages is None else max_pages * ITER_PAGE_SIZE
            results = client.iterate(
                client.projects.list(limit=ITER_PAGE_SIZE), max_items=max_items
            )
            if keep:
                kept = [r.unwrap() for r in results]
                return len(kept)
            seen = 0
            for result in results:
                seen += bool(result.unwrap().uid)
            return seen

        return walk_avala, client
    raise SystemExit(f"unknown contender {contender!r} for iterate")


def measure_iterate(contender: str, base_url: str, profile: bool) -> dict[str, Any]:
    walk, closer = walker(contender, base_url)
    walk(1)  # warm-up: connect, import lazily loaded modules, build decode hooks
    gc.collect()
    rss = PeakRss()
    prof = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if prof:
        prof.enable()
    items = walk(None)
    if prof:
        prof.disable()
    seconds = time.perf_counter() - started
    growth = rss.growth_kib()
    closer.close()
    if items != 200 * ITER_PAGE_SIZE:
        raise RuntimeError(f"walked {items} items, expected {200 * ITER_PAGE_SIZE}")
    out: dict[str, Any] = {
        "rss_growth_mib": growth / 1024,
        "rss_before_mib": rss.before / 1024,
        "rss_method": rss.method,
        "seconds": seconds,
        "items": items,
    }
    if prof:
        out["profile"] = summarize(prof, 1)
    return out


# -- gather: 100 gets against a 5 ms server -----------------------------------------------


def measure_gather(
    contender: str, base_url: str, batches: int, profile: bool
) -> tuple[list[float], cProfile.Profile | None]:
    uids = [f"p{i}" for i in range(GATHER_CALLS)]
    prof = cProfile.Profile() if profile else None
    out: list[float] = []
    if contender == "avala":
        from avala import AsyncClient, gather

        async def batches_async() -> None:
            async with AsyncClient(API_KEY, base_url=base_url) as client:

                async def batch() -> float:
                    started = time.perf_counter()
                    request = gather(*(client.projects.get(uid) for uid in uids))
                    values = (await client.run(request)).unwrap()
                    assert len(values) == GATHER_CALLS
                    return time.perf_counter() - started

                await batch()  # warm-up: opens the pooled connections and worker threads
                if prof:
                    prof.enable()
                for _ in range(batches):
                    out.append(await batch())
                if prof:
                    prof.disable()

        asyncio.run(batches_async())
        return out, prof
    if contender == "avala_seq":
        from avala import Client

        client = Client(API_KEY, base_url=base_url)

        def one(uid: str) -> Any:
            return client.run(client.projects.get(uid)).unwrap()

        closer: Any = client
    elif contender == "requests":
        import requests

        session = requests.Session()
        session.headers["X-Avala-Api-Key"] = API_KEY

        def one(uid: str) -> Any:
            return session.get(f"{base_url}/users/me/projects/{uid}/").json()

        closer = session
    else:
        raise SystemExit(f"unknown contender {contender!r} for gather")
    for uid in uids[:10]:  # warm-up
        one(uid)
    if prof:
        prof.enable()
    for _ in range(batches):
        started = time.perf_counter()
        for uid in uids:
            one(uid)
        out.append(time.perf_counter() - started)
    if prof:
        prof.disable()
    closer.close()
    return out, prof


# -- ceiling: how fast the server answers the fastest client ------------------------------


def _server_stats(raw: RawHttp) -> dict[str, float]:
    stats: dict[str, float] = json.loads(raw.send(raw.prepare("/__stats__")))
    return stats


def measure_ceiling(base_url: str, seconds: float) -> dict[str, Any]:
    """Requests per second from one raw keep-alive socket: one at a time, and pipelined 16
    deep (the server then never waits for the client), plus server CPU per request."""
    raw = RawHttp(base_url)
    api_path = urlsplit(base_url).path
    out: dict[str, Any] = {}
    for name, path in (
        ("get", f"/users/me/projects/{GET_UID}/"),
        ("list_projects", f"/users/me/projects/?limit={LIST_LIMIT}"),
        ("list_datasets", f"/datasets/?limit={LIST_LIMIT}"),
    ):
        prepared = raw.prepare(api_path + path)
        for _ in range(20):
            raw.send(prepared)
        before = _server_stats(raw)
        done, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds / 6:
            for _ in range(20):
                raw.send(prepared)
            done += 20
        serial = done / elapsed
        depth, done, started = 16, 0, time.perf_counter()
        burst = prepared * depth
        while (elapsed := time.perf_counter() - started) < seconds / 6:
            raw.sock.sendall(burst)
            for _ in range(depth):
                raw.read()
            done += depth
        pipelined = done / elapsed
        after = _server_stats(raw)
        served = after["requests"] - before["requests"] - 1  # the stats call itself
        cpu = after["cpu_seconds"] - before["cpu_seconds"]
        out[name] = {
            "serial_rps": serial,
            "pipelined_rps": pipelined,
            "server_cpu_s_per_request": cpu / max(1, served),
        }
    raw.close()
    return out


# -- profile summary ----------------------------------------------------------------------


_STDLIB = re.compile(r"/lib/python3\.\d+/")


def _short(filename: str) -> tuple[str, str]:
    """(where the file lives: "site", "stdlib", "repo" or "", path to show)."""
    if "/site-packages/" in filename:
        return "site", filename.split("/site-packages/", 1)[1]
    found = _STDLIB.search(filename)
    if found:
        return "stdlib", filename[found.end() :]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if filename.startswith(root + os.sep):
        return "repo", os.path.relpath(filename, root)
    return "", filename


# "<built-in method _json.scanstring>", "<method 'recv_into' of '_socket.socket' objects>"
_C_OWNER = re.compile(r"(?:built-in method |of ')([A-Za-z_][A-Za-z0-9_]*)\.")
_C_NAMES = {"pvectorc": "pyrsistent (C)", "_json": "json (C)", "builtins": "Python builtins (C)"}


def _where(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name  # a builtin, already like "<method 'recv_into' of ...>"
    return f"{_short(filename)[1]}:{line}({name})"


def _package(filename: str, name: str) -> str:
    """Who owns a function, for the own-time breakdown."""
    if filename == "~":
        found = _C_OWNER.search(name)
        module = found.group(1) if found else "builtins"
        if module in ("_socket", "select", "_ssl") or module.startswith("select."):
            return "socket I/O in C (includes waiting for the server)"
        if module == "_thread":
            return "lock waits in C"
        return _C_NAMES.get(module, f"{module} (C)")
    if filename.startswith("<cattrs generated"):
        return "cattrs (generated hooks)"
    if filename.startswith("<"):
        return "generated code (dataclass __init__ ...)"
    kind, path = _short(filename)
    top = path.split("/", 1)[0].removesuffix(".py")
    if kind == "stdlib":
        return f"stdlib {top}"
    return top if kind else filename


def summarize(prof: cProfile.Profile, calls: int, top: int = 15) -> dict[str, Any]:
    """Top functions by cumulative time and own time by package, per measured call, without
    the harness itself."""
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows = []
    packages: dict[str, float] = {}
    here = os.path.abspath(__file__)
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.items():
        if os.path.abspath(filename) == here or name.startswith("<method 'disable' of '_lsprof"):
            continue
        rows.append((cumtime, tottime, ncalls, _where(filename, line, name)))
        owner = _package(filename, name)
        packages[owner] = packages.get(owner, 0.0) + tottime
    rows.sort(reverse=True)
    return {
        "top": [
            {
                "cum_per_call_s": cum / calls,
                "tot_per_call_s": tot / calls,
                "calls_per_call": ncalls / calls,
                "function": where,
            }
            for cum, tot, ncalls, where in rows[:top]
        ],
        "own_by_package": sorted(
            ((owner, tot / calls) for owner, tot in packages.items()), key=lambda x: -x[1]
        ),
    }


# -- main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="one benchmark measurement, printed as JSON")
    parser.add_argument("contender")
    parser.add_argument("workload")
    parser.add_argument("n", type=int, help="timed calls (batches for gather)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed calls first")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed part")
    args = parser.parse_args()
    base_url = os.environ.get("BENCH_BASE_URL", "")
    if not base_url and args.workload != "decode":
        raise SystemExit("BENCH_BASE_URL is not set: run benchmarks/run.py")
    result: dict[str, Any] = {"contender": args.contender, "workload": args.workload}

    if args.workload == "iterate":
        result.update(measure_iterate(args.contender, base_url, args.profile))
        print(json.dumps(result))
        return
    if args.workload == "ceiling":
        result["ceiling"] = measure_ceiling(base_url, float(args.n))
        print(json.dumps(result))
        return
    if args.workload == "gather":
        slow = os.environ.get("BENCH_SLOW_BASE_URL", "")
        per_batch, prof = measure_gather(args.contender, slow, args.n, args.profile)
        result["per_call"] = per_batch
        result["calls_per_batch"] = GATHER_CALLS
        if prof:
            result["profile"] = summarize(prof, args.n)
        print(json.dumps(result))
        return

    closer: Any = None
    if args.workload == "decode":
        call = decode_factory(args.contender)
        warmup = 2 if args.warmup is None else args.warmup
    else:
        call, closer = call_factory(args.contender, args.workload, base_url)
        warmup = max(10, args.n // 10) if args.warmup is None else args.warmup
    if args.profile:
        for _ in range(warmup):
            call()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.n):
            call()
        prof.disable()
        result["profile"] = summarize(prof, args.n)
    else:
        result["per_call"] = time_calls(call, args.n, warmup)
    if closer is not None:
        closer.close()
    if args.contender == "avala" and args.workload != "decode":
        raw = RawHttp(base_url)
        stats = _server_stats(raw)
        raw.close()
        if stats["not_origin_form"]:
            raise SystemExit(f"{stats['not_origin_form']} requests were not in origin-form")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
