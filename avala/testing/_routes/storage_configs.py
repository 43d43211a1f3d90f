"""Fake routes for storage configs."""

from __future__ import annotations

from .._routing import Router

router = Router()
