"""Saved subsets of datasets."""

from __future__ import annotations


class Slices:
    """Builds requests for slices; ``client.slices``."""
