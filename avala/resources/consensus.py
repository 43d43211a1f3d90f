"""Inter-annotator agreement of a project: summary, per-item scores and settings."""

from __future__ import annotations

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import optional_int, optional_number, page_query
from avala.types import (
    ConsensusComputeResult,
    ConsensusConfig,
    ConsensusScore,
    ConsensusSummary,
    CursorPage,
)


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
        return api(
            "consensus.list_scores",
            page(ConsensusScore),
            path={"project_uid": project_uid},
            query=page_query(limit, cursor),
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
        body = compact(
            iou_threshold=optional_number("iou_threshold", iou_threshold),
            min_agreement_ratio=optional_number("min_agreement_ratio", min_agreement_ratio),
            min_annotations=optional_int("min_annotations", min_annotations),
        )
        return api(
            "consensus.update_config",
            model(ConsensusConfig),
            path={"project_uid": project_uid},
            body=body,
        )
