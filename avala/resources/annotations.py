"""Bulk edits of 3D annotation objects."""

from __future__ import annotations


class Annotations:
    """Builds requests for annotations; ``client.annotations``."""
