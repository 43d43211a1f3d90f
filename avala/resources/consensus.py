"""Inter-annotator agreement of a project."""

from __future__ import annotations


class Consensus:
    """Builds requests for consensus; ``client.consensus``."""
