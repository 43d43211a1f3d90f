"""Saved subsets of datasets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import (
    json_objects,
    optional_int,
    optional_str,
    page_query,
    required_str,
)
from avala.types import CursorPage, Slice, SliceItem


class Slices:
    """Builds requests for slices; ``client.slices``."""

    def list(
        self, owner: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Slice]]:
        """One page of the slices one user or organization owns."""
        query = page_query(limit, cursor)
        return api("slices.list", page(Slice), path={"owner": owner}, query=query)

    def get(self, owner: str, slug: str) -> Call[Slice]:
        """One slice by owner and slug."""
        return api("slices.get", model(Slice), path={"owner": owner, "slug": slug})

    def create(
        self,
        *,
        name: str,
        visibility: str,
        sub_slices: Sequence[Mapping[str, Any]],
        organization: str | None = None,
        random_selection_count: int | None = None,
    ) -> Call[Slice]:
        """Make a slice out of sub-slice definitions, optionally a random sample of them."""
        body = {
            "name": required_str("name", name),
            "visibility": required_str("visibility", visibility),
            "sub_slices": json_objects("sub_slices", sub_slices),
            **compact(
                organization=optional_str("organization", organization),
                random_selection_count=optional_int(
                    "random_selection_count", random_selection_count, minimum=1
                ),
            ),
        }
        return api("slices.create", model(Slice), body=body)

    def list_items(
        self, owner: str, slug: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[SliceItem]]:
        """One page of a slice's items."""
        query = page_query(limit, cursor)
        path = {"owner": owner, "slug": slug}
        return api("slices.list_items", page(SliceItem), path=path, query=query)

    def get_item(self, owner: str, slug: str, item_uid: str) -> Call[SliceItem]:
        """One item of a slice."""
        path = {"owner": owner, "slug": slug, "item_uid": item_uid}
        return api("slices.get_item", model(SliceItem), path=path)
