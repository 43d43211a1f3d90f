"""Quality thresholds of a project."""

from __future__ import annotations


class QualityTargets:
    """Builds requests for quality targets; ``client.quality_targets``."""
