"""Every resource router of the fake; the server merges them in this order."""

from __future__ import annotations

from .._routing import Router
from . import datasets, exports, projects, tasks

ALL_ROUTERS: tuple[Router, ...] = (
    projects.router,
    datasets.router,
    tasks.router,
    exports.router,
)

__all__ = ["ALL_ROUTERS"]
