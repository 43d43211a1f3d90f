"""Datasets: listing, lookup by uid."""

from __future__ import annotations

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api, check_limit, check_optional_str
from avala.types import CursorPage, Dataset


class Datasets:
    """Builds requests for datasets; ``client.datasets``."""

    def list(
        self,
        *,
        data_type: str | None = None,
        name: str | None = None,
        status: str | None = None,
        visibility: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[Dataset]]:
        """One page of datasets, optionally filtered."""
        query = {
            "data_type": check_optional_str("data_type", data_type),
            "name": check_optional_str("name", name),
            "status": check_optional_str("status", status),
            "visibility": check_optional_str("visibility", visibility),
            "limit": check_limit(limit),
            "cursor": check_optional_str("cursor", cursor),
        }
        return api("datasets.list", page(Dataset), query=query)

    def get(self, uid: str) -> Call[Dataset]:
        """One dataset by uid."""
        return api("datasets.get", model(Dataset), path={"uid": uid})
