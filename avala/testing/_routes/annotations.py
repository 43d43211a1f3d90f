"""Fake routes for annotations."""

from __future__ import annotations

from .._routing import Router

router = Router()
