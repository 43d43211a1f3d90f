"""Fake routes for webhook deliveries."""

from __future__ import annotations

from .._routing import Router

router = Router()
