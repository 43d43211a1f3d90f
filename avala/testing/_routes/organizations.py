"""Fake routes for organizations."""

from __future__ import annotations

from .._routing import Router

router = Router()
