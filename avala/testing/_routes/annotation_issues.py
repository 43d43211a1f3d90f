"""Fake routes for annotation issues."""

from __future__ import annotations

from .._routing import Router

router = Router()
