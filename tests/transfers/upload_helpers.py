"""Shared pieces of the dataset upload tests: run on either client with events, write
trees of files, and read what the fake received."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from returns.result import Result

from avala import AsyncClient, AvalaError, Client
from avala._request import Request
from avala.events import Event
from avala.testing import FakeAvala
from tests.conftest import FAST_RETRY

KINDS = ["sync", "async"]
MiB = 1024 * 1024


class Events:
    """A thread-safe on_event collector."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seen: list[Event] = []

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.seen.append(event)

    def of(self, kind: type[Any]) -> list[Any]:
        with self._lock:
            return [e for e in self.seen if isinstance(e, kind)]


def run(
    kind: str,
    request: Request[Any],
    on_event: Callable[[Event], None] | None = None,
    **client_kwargs: Any,
) -> Result[Any, AvalaError]:
    kwargs: dict[str, Any] = {"retry_policy": FAST_RETRY, "timeout": 10.0, **client_kwargs}
    if kind == "sync":
        with Client(**kwargs) as client:
            return client.run(request, on_event=on_event)

    async def main() -> Result[Any, AvalaError]:
        async with AsyncClient(**kwargs) as client:
            return await client.run(request, on_event=on_event)

    return asyncio.run(main())


def pattern(size: int, seed: int = 0) -> bytes:
    """``size`` bytes that differ at every offset class, so a misplaced part shows."""
    block = bytes((i * 7 + seed) % 251 for i in range(251))
    return (block * (size // 251 + 1))[:size]


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def stored(fake: FakeAvala, dataset_name: str, path: str, org: str | None = None) -> bytes | None:
    root = f"__o__=/{org}" if org else f"__u__=/{fake.user_uid}"
    return fake.objects.get(f"{root}/{dataset_name}/{path}")


def sent_to(fake: FakeAvala, suffix: str, method: str = "POST") -> list[Any]:
    return [r for r in fake.requests if r.method == method and r.path.endswith(suffix)]


def journal_files(state: Path) -> list[Path]:
    return sorted((state / "uploads" / "datasets").glob("*.journal"))


def touch(path: Path, data: bytes) -> None:
    """Rewrite ``path`` with a modification time surely different from before."""
    before = path.stat().st_mtime_ns
    path.write_bytes(data)
    os.utime(path, ns=(before + 10**9, before + 10**9))
