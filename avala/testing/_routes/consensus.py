"""Fake routes for consensus."""

from __future__ import annotations

from .._routing import Router

router = Router()
