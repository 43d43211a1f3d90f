"""Quality thresholds of a project, and evaluating them on demand."""

from __future__ import annotations

from collections.abc import Sequence

from avala._decode import array, model, nothing, page
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import (
    optional_bool,
    optional_number,
    optional_str,
    optional_string_list,
    page_query,
    required_number,
    required_str,
)
from avala.types import CursorPage, QualityTarget, QualityTargetEvaluation


class QualityTargets:
    """Builds requests for quality targets; ``client.quality_targets``."""

    def list(
        self, project_uid: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[QualityTarget]]:
        """One page of the project's quality targets."""
        return api(
            "quality_targets.list",
            page(QualityTarget),
            path={"project_uid": project_uid},
            query=page_query(limit, cursor),
        )

    def get(self, project_uid: str, uid: str) -> Call[QualityTarget]:
        """One quality target of the project by uid."""
        path = {"project_uid": project_uid, "uid": uid}
        return api("quality_targets.get", model(QualityTarget), path=path)

    def create(
        self,
        project_uid: str,
        *,
        name: str,
        metric: str,
        threshold: float,
        operator: str | None = None,
        severity: str | None = None,
        is_active: bool | None = None,
        notify_webhook: bool | None = None,
        notify_emails: Sequence[str] | None = None,
    ) -> Call[QualityTarget]:
        """Add a target ``metric operator threshold`` to the project (the server picks the
        operator when none is given)."""
        body = {
            "name": required_str("name", name),
            "metric": required_str("metric", metric),
            "threshold": required_number("threshold", threshold),
            **compact(
                operator=optional_str("operator", operator),
                severity=optional_str("severity", severity),
                is_active=optional_bool("is_active", is_active),
                notify_webhook=optional_bool("notify_webhook", notify_webhook),
                notify_emails=optional_string_list("notify_emails", notify_emails),
            ),
        }
        return api(
            "quality_targets.create",
            model(QualityTarget),
            path={"project_uid": project_uid},
            body=body,
        )

    def update(
        self,
        project_uid: str,
        uid: str,
        *,
        name: str | None = None,
        metric: str | None = None,
        threshold: float | None = None,
        operator: str | None = None,
        severity: str | None = None,
        is_active: bool | None = None,
        notify_webhook: bool | None = None,
        notify_emails: Sequence[str] | None = None,
    ) -> Call[QualityTarget]:
        """Change a target; only the arguments given are sent (PATCH)."""
        body = compact(
            name=optional_str("name", name),
            metric=optional_str("metric", metric),
            threshold=optional_number("threshold", threshold),
            operator=optional_str("operator", operator),
            severity=optional_str("severity", severity),
            is_active=optional_bool("is_active", is_active),
            notify_webhook=optional_bool("notify_webhook", notify_webhook),
            notify_emails=optional_string_list("notify_emails", notify_emails),
        )
        path = {"project_uid": project_uid, "uid": uid}
        return api("quality_targets.update", model(QualityTarget), path=path, body=body)

    def delete(self, project_uid: str, uid: str) -> Call[None]:
        """Remove a quality target from the project."""
        path = {"project_uid": project_uid, "uid": uid}
        return api("quality_targets.delete", nothing(), path=path)

    def evaluate(self, project_uid: str) -> Call[tuple[QualityTargetEvaluation, ...]]:
        """Evaluate the project's targets now; one result per target, in server order."""
        return api(
            "quality_targets.evaluate",
            array(QualityTargetEvaluation),
            path={"project_uid": project_uid},
        )
