"""Model-assisted labelling jobs."""

from __future__ import annotations


class AutoLabelJobs:
    """Builds requests for auto label jobs; ``client.auto_label_jobs``."""
