"""Fake routes for datasets more."""

from __future__ import annotations

from .._routing import Router

router = Router()
