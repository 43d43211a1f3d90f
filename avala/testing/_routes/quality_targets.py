"""Fake routes for quality targets."""

from __future__ import annotations

from .._routing import Router

router = Router()
