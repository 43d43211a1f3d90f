"""Fake routes for inference providers."""

from __future__ import annotations

from .._routing import Router

router = Router()
