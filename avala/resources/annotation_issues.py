"""Quality-control issues raised on annotations."""

from __future__ import annotations


class AnnotationIssues:
    """Builds requests for annotation issues; ``client.annotation_issues``."""
