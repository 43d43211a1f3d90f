"""Model-assisted labelling jobs: launched on a project, then read or cancelled by uid."""

from __future__ import annotations

import math
from collections.abc import Iterable

from avala._decode import model, nothing, page
from avala._request import Call
from avala.resources._base import api, check_limit, check_optional_str, compact
from avala.types import AutoLabelJob, CursorPage


def _optional_number(name: str, value: float | None) -> float | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if value is not None and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def _string_list(name: str, values: Iterable[str] | None) -> list[str] | None:
    """Any iterable of strings as a JSON array; a bare string is refused, not split."""
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of str, not {type(values).__name__}")
    items = list(values)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold only str, not {type(item).__name__}")
    return items


class AutoLabelJobs:
    """Builds requests for auto label jobs; ``client.auto_label_jobs``."""

    def list(
        self,
        *,
        project: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[AutoLabelJob]]:
        """One page of auto-label jobs, optionally of one project."""
        query = {
            "project": check_optional_str("project", project),
            "limit": check_limit(limit),
            "cursor": check_optional_str("cursor", cursor),
        }
        return api("auto_label_jobs.list", page(AutoLabelJob), query=query)

    def get(self, uid: str) -> Call[AutoLabelJob]:
        """One auto-label job by uid (its status and progress counters)."""
        return api("auto_label_jobs.get", model(AutoLabelJob), path={"uid": uid})

    def create(
        self,
        project_uid: str,
        *,
        model_type: str | None = None,
        confidence_threshold: float | None = None,
        labels: Iterable[str] | None = None,
        dry_run: bool | None = None,
    ) -> Call[AutoLabelJob]:
        """Launch an auto-label job on a project; arguments left as None use server defaults."""
        if dry_run is not None and not isinstance(dry_run, bool):
            raise TypeError(f"dry_run must be a bool, not {type(dry_run).__name__}")
        body = compact(
            model_type=check_optional_str("model_type", model_type),
            confidence_threshold=_optional_number("confidence_threshold", confidence_threshold),
            labels=_string_list("labels", labels),
            dry_run=dry_run,
        )
        return api(
            "auto_label_jobs.create",
            model(AutoLabelJob),
            path={"project_uid": project_uid},
            body=body,
        )

    def cancel(self, uid: str) -> Call[None]:
        """Cancel a job (a DELETE on the job)."""
        return api("auto_label_jobs.cancel", nothing(), path={"uid": uid})
