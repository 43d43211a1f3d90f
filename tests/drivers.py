"""Run one request on a fresh Client or AsyncClient, so a test covers both drivers.

Tests take ``kind`` from ``@pytest.mark.parametrize("kind", KINDS)`` and call
``run(kind, request, **client_kwargs)``; the client reads the fake's environment.
"""

from __future__ import annotations

import asyncio
from typing import Any

from returns.result import Result

from avala import AsyncClient, AvalaError, Client
from avala._base_client import RawResponse
from avala._request import Call, Request

KINDS = ["sync", "async"]


def run(kind: str, request: Request[Any], **client_kwargs: Any) -> Result[Any, AvalaError]:
    if kind == "sync":
        with Client(**client_kwargs) as client:
            return client.run(request)

    async def main() -> Result[Any, AvalaError]:
        async with AsyncClient(**client_kwargs) as client:
            return await client.run(request)

    return asyncio.run(main())


def run_raw(
    kind: str, request: Request[Any], **client_kwargs: Any
) -> Result[RawResponse[Any], AvalaError]:
    if kind == "sync":
        with Client(**client_kwargs) as client:
            return client.run_raw(request)

    async def main() -> Result[RawResponse[Any], AvalaError]:
        async with AsyncClient(**client_kwargs) as client:
            return await client.run_raw(request)

    return asyncio.run(main())


def iterate(
    kind: str, request: Call[Any], max_items: int | None = None, **client_kwargs: Any
) -> list[Result[Any, AvalaError]]:
    """Every Result the walk yields, collected."""
    if kind == "sync":
        with Client(**client_kwargs) as client:
            return list(client.iterate(request, max_items=max_items))

    async def main() -> list[Result[Any, AvalaError]]:
        async with AsyncClient(**client_kwargs) as client:
            return [r async for r in client.iterate(request, max_items=max_items)]

    return asyncio.run(main())
