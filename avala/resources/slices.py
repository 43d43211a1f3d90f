"""Saved subsets of datasets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api, check_limit, check_optional_str, compact
from avala.types import CursorPage, Slice, SliceItem


def _check_sub_slices(sub_slices: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(sub_slices, str | bytes | Mapping) or not isinstance(sub_slices, Sequence):
        raise TypeError(
            f"sub_slices must be a sequence of mappings, not {type(sub_slices).__name__}"
        )
    out = []
    for index, sub in enumerate(sub_slices):
        if not isinstance(sub, Mapping):
            raise TypeError(f"sub_slices[{index}] must be a mapping, not {type(sub).__name__}")
        out.append(dict(sub))
    return out


class Slices:
    """Builds requests for slices; ``client.slices``."""

    def list(
        self, owner: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Slice]]:
        """One page of the slices one user or organization owns."""
        query = {"limit": check_limit(limit), "cursor": check_optional_str("cursor", cursor)}
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
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        if not isinstance(visibility, str):
            raise TypeError(f"visibility must be a str, not {type(visibility).__name__}")
        count = random_selection_count
        if count is not None:
            if isinstance(count, bool) or not isinstance(count, int):
                raise TypeError(
                    f"random_selection_count must be an int, not {type(count).__name__}"
                )
            if count < 1:
                raise ValueError(f"random_selection_count must be >= 1, got {count}")
        body = {
            "name": name,
            "visibility": visibility,
            "sub_slices": _check_sub_slices(sub_slices),
            **compact(
                organization=check_optional_str("organization", organization),
                random_selection_count=count,
            ),
        }
        return api("slices.create", model(Slice), body=body)

    def list_items(
        self, owner: str, slug: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[SliceItem]]:
        """One page of a slice's items."""
        query = {"limit": check_limit(limit), "cursor": check_optional_str("cursor", cursor)}
        path = {"owner": owner, "slug": slug}
        return api("slices.list_items", page(SliceItem), path=path, query=query)

    def get_item(self, owner: str, slug: str, item_uid: str) -> Call[SliceItem]:
        """One item of a slice."""
        path = {"owner": owner, "slug": slug, "item_uid": item_uid}
        return api("slices.get_item", model(SliceItem), path=path)
