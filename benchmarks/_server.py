"""A local Avala-shaped HTTP/1.1 server for the benchmarks, run as its own process.

    .venv/bin/python benchmarks/_server.py [--delay SECONDS]

Binds 127.0.0.1 port 0, prints one JSON line ``{"port": N, "base_url": "..."}`` and serves
until its stdin closes. Every response body is serialized before the first request (or, for
an unknown uid, once on first use and then cached), so a request costs the server one dict
lookup and one socket write. It checks nothing: any API key, any header is accepted.

Routes (all ``GET``, under ``/api/v1``):

* ``/users/me/projects/<uid>/``: one project.
* ``/users/me/projects/?limit=50[&cursor=<n>]``: the 200-page collection (10,000 projects,
  50 a page); ``next`` / ``previous`` are absolute URLs carrying ``cursor=``.
* ``/users/me/projects/?limit=<L>`` for any other L: one page of L projects, ``next`` null.
* ``/datasets/?limit=<L>``: one page of L datasets, each with 5 predefined labels whose
  attributes nest, ``next`` null.
* ``/datasets/<uid>/``: one dataset.
* ``/__stats__``: ``{"requests": n, "cpu_seconds": s, "not_origin_form": k}`` of this server
  process (k counts request targets not in origin-form, which the avala contender checks), so the
  harness can show what a request costs the server.

Responses carry ``Content-Length`` and keep the connection open (HTTP/1.1 keep-alive) unless
the client sends ``Connection: close``. Pipelined requests are answered in order. With
``--delay`` every answer is written that many seconds after its request arrived, without
blocking other connections (the server is a single asyncio event loop).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

ITER_PAGE_SIZE = 50
ITER_PAGES = 200
API = "/api/v1"
PROJECTS = f"{API}/users/me/projects/"
DATASETS = f"{API}/datasets/"


def _stamp(i: int, micro: int) -> str:
    return f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00.{micro:06d}Z"


def project(i: int, uid: str | None = None) -> dict[str, Any]:
    return {
        "uid": uid or f"p{i}",
        "name": f"Project {i} - road scenes",
        "status": ("active", "archived", "draft")[i % 3],
        "created_at": _stamp(i, 123456),
        "updated_at": _stamp(i + 7, 654321),
    }


def _label(i: int, j: int) -> dict[str, Any]:
    return {
        "name": ("car", "pedestrian", "cyclist", "truck", "traffic_light")[j],
        "color": f"#{(i * 37 + j * 91) % 0xFFFFFF:06x}",
        "type": ("box", "polygon", "cuboid", "polyline", "point")[j],
        "attributes": [
            {
                "name": "occluded",
                "type": "checkbox",
                "required": False,
                "default": False,
            },
            {
                "name": "state",
                "type": "select",
                "required": j % 2 == 0,
                "options": [{"value": v, "label": v.title()} for v in ("moving", "parked")],
            },
        ],
    }


def dataset(i: int, uid: str | None = None) -> dict[str, Any]:
    return {
        "uid": uid or f"d{i}",
        "name": f"Dataset {i}",
        "slug": f"dataset-{i}",
        "item_count": 1000 + i,
        "owner_name": "bench-org",
        "status": "created",
        "data_type": ("image", "video", "lidar", "mcap")[i % 4],
        "is_sequence": i % 2 == 1,
        "predefined_labels": [_label(i, j) for j in range(5)],
        "created_at": _stamp(i, 111111),
        "updated_at": _stamp(i + 3, 222222),
    }


def _response(body: bytes, status: str = "200 OK") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


NOT_FOUND = _response(b'{"detail":"Not found."}', "404 Not Found")


class Routes:
    """Maps a request target (path and query, as sent) to the full response bytes."""

    def __init__(self, origin: str) -> None:
        self.origin = origin  # "http://127.0.0.1:PORT"
        self.cache: dict[bytes, bytes] = {}
        self.requests = 0
        self.not_origin_form = 0
        for page in range(ITER_PAGES):
            self.cache[f"{PROJECTS}?cursor={page}&limit={ITER_PAGE_SIZE}".encode()] = (
                self._iter_page(page)
            )
        self.cache[f"{PROJECTS}?limit={ITER_PAGE_SIZE}".encode()] = self._iter_page(0)
        for limit in (100,):
            self.cache[f"{PROJECTS}?limit={limit}".encode()] = self._plain_page(project, limit)
            self.cache[f"{DATASETS}?limit={limit}".encode()] = self._plain_page(dataset, limit)
        for i in range(200):
            self.cache[f"{PROJECTS}p{i}/".encode()] = _response(_dumps(project(i)))
            self.cache[f"{DATASETS}d{i}/".encode()] = _response(_dumps(dataset(i)))
        self.started_cpu = time.process_time()  # serializing the bodies is not counted

    def _link(self, page: int) -> str | None:
        if not 0 <= page < ITER_PAGES:
            return None
        return f"{self.origin}{PROJECTS}?cursor={page}&limit={ITER_PAGE_SIZE}"

    def _iter_page(self, page: int) -> bytes:
        first = page * ITER_PAGE_SIZE
        body = {
            "results": [project(first + k) for k in range(ITER_PAGE_SIZE)],
            "next": self._link(page + 1),
            "previous": self._link(page - 1),
        }
        return _response(_dumps(body))

    @staticmethod
    def _plain_page(make: Any, limit: int) -> bytes:
        body = {"results": [make(k) for k in range(limit)], "next": None, "previous": None}
        return _response(_dumps(body))

    def answer(self, target: bytes) -> bytes:
        self.requests += 1
        if target[:1] != b"/":  # absolute-form: a client that regressed from origin-form
            self.not_origin_form += 1
        hit = self.cache.get(target)
        if hit is not None:
            return hit
        if target == b"/__stats__":
            cpu = time.process_time() - self.started_cpu
            stats = {"requests": self.requests - 1, "cpu_seconds": cpu}
            return _response(_dumps({**stats, "not_origin_form": self.not_origin_form}))
        built = self._build(target.decode("latin-1"))
        if built is None:
            return NOT_FOUND
        if len(self.cache) < 100_000:
            self.cache[target] = built
        return built

    def _build(self, target: str) -> bytes | None:
        """Anything not prepared up front: other limits, cursors in another order, other uids."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            limit = int(query.get("limit", "100"))
        except ValueError:
            return None
        for prefix, make in ((PROJECTS, project), (DATASETS, dataset)):
            if parts.path == prefix:
                if make is project and limit == ITER_PAGE_SIZE:
                    cursor = query.get("cursor", "0")
                    if not cursor.isdigit() or int(cursor) >= ITER_PAGES:
                        return None
                    return self._iter_page(int(cursor))
                return self._plain_page(make, max(0, min(limit, 1000)))
            if parts.path.startswith(prefix):
                uid = parts.path[len(prefix) :].strip("/")
                if uid and "/" not in uid:
                    return _response(_dumps(make(0, uid)))
        return None


class HttpConnection(asyncio.Protocol):
    """One keep-alive connection: parse request heads, write prepared responses."""

    def __init__(self, routes: Routes, delay: float) -> None:
        self.routes = routes
        self.delay = delay
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.close_after = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        out: list[bytes] = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            consumed = end + 4
            line_end = head.find(b"\r\n")
            request_line = head if line_end < 0 else head[:line_end]
            pieces = request_line.split(b" ")
            if len(pieces) != 3:
                out.append(_response(b'{"detail":"bad request"}', "400 Bad Request"))
                self.close_after = True
                buffer = b""
                break
            lowered = head.lower()
            if b"\r\ncontent-length:" in lowered:  # skip a body we do not read
                start = lowered.index(b"\r\ncontent-length:") + 17
                stop = lowered.find(b"\r\n", start)
                length = int(lowered[start : stop if stop >= 0 else None].strip() or b"0")
                if len(buffer) < consumed + length:
                    break
                consumed += length
            if b"\r\nconnection: close" in lowered:
                self.close_after = True
            out.append(self.routes.answer(pieces[1]))
            buffer = buffer[consumed:]
        self.buffer = buffer
        if out:
            payload = out[0] if len(out) == 1 else b"".join(out)
            if self.delay > 0:
                asyncio.get_running_loop().call_later(self.delay, self._send, payload)
            else:
                self._send(payload)

    def _send(self, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(payload)
        if self.close_after:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve(delay: float) -> None:
    loop = asyncio.get_running_loop()
    holder: dict[str, Routes] = {}
    server = await loop.create_server(
        lambda: HttpConnection(holder["routes"], delay), "127.0.0.1", 0, backlog=256
    )
    port = server.sockets[0].getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    holder["routes"] = Routes(origin)
    print(json.dumps({"port": port, "base_url": f"{origin}{API}"}), flush=True)
    stdin_closed = loop.create_future()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stdin_closed.set_result, None)

    loop.run_in_executor(None, watch_stdin)
    async with server:
        await stdin_closed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    asyncio.run(serve(args.delay))


if __name__ == "__main__":
    main()
