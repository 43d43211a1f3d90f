"""Fake routes for auto label jobs."""

from __future__ import annotations

from .._routing import Router

router = Router()
