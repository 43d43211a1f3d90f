"""Inter-annotator agreement of a project: summary, per-item scores and settings."""

from __future__ import annotations

import math

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api, check_limit, check_optional_str, compact
from avala.types import (
    ConsensusComputeResult,
    ConsensusConfig,
    ConsensusScore,
    ConsensusSummary,
    CursorPage,
)


def _optional_number(name: str, value: float | None) -> float | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if value is not None and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


class Consensus:
    """Builds requests for consensus; ``client.consensus``."""

    def get_summary(self, project_uid: str) -> Call[ConsensusSummary]:
        """Project-wide consensus statistics."""
        return api(
            "consensus.get_summary", model(ConsensusSummary), path={"project_uid": project_uid}
        )

    def list_scores(
        self, project_uid: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[ConsensusScore]]:
        """One page of the project's per-item consensus scores."""
        query = {"limit": check_limit(limit), "cursor": check_optional_str("cursor", cursor)}
        return api(
            "consensus.list_scores",
            page(ConsensusScore),
            path={"project_uid": project_uid},
            query=query,
        )

    def compute(self, project_uid: str) -> Call[ConsensusComputeResult]:
        """Ask the server to (re)compute the project's consensus scores."""
        return api(
            "consensus.compute", model(ConsensusComputeResult), path={"project_uid": project_uid}
        )

    def get_config(self, project_uid: str) -> Call[ConsensusConfig]:
        """The project's consensus settings."""
        return api(
            "consensus.get_config", model(ConsensusConfig), path={"project_uid": project_uid}
        )

    def update_config(
        self,
        project_uid: str,
        *,
        iou_threshold: float | None = None,
        min_agreement_ratio: float | None = None,
        min_annotations: int | None = None,
    ) -> Call[ConsensusConfig]:
        """Change consensus settings; only the arguments given are sent (a partial PUT)."""
        if min_annotations is not None and (
            isinstance(min_annotations, bool) or not isinstance(min_annotations, int)
        ):
            raise TypeError(f"min_annotations must be an int, not {type(min_annotations).__name__}")
        body = compact(
            iou_threshold=_optional_number("iou_threshold", iou_threshold),
            min_agreement_ratio=_optional_number("min_agreement_ratio", min_agreement_ratio),
            min_annotations=min_annotations,
        )
        return api(
            "consensus.update_config",
            model(ConsensusConfig),
            path={"project_uid": project_uid},
            body=body,
        )
