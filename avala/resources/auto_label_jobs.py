"""Model-assisted labelling jobs: launched on a project, then read or cancelled by uid."""

from __future__ import annotations

from collections.abc import Sequence

from avala._decode import model, nothing, page
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import (
    optional_bool,
    optional_number,
    optional_str,
    optional_string_list,
    optional_uid,
    page_query,
)
from avala.types import AutoLabelJob, CursorPage


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
        query = {"project": optional_uid("project", project), **page_query(limit, cursor)}
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
        labels: Sequence[str] | None = None,
        dry_run: bool | None = None,
    ) -> Call[AutoLabelJob]:
        """Launch an auto-label job on a project; arguments left as None use server defaults."""
        body = compact(
            model_type=optional_str("model_type", model_type),
            confidence_threshold=optional_number("confidence_threshold", confidence_threshold),
            labels=optional_string_list("labels", labels),
            dry_run=optional_bool("dry_run", dry_run),
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
