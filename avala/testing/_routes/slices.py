"""Slices: owner-scoped list and lookup, creation from sub-slices, and a slice's items.

Collections: ``slices`` (``owner_name`` + ``slug`` address one) and ``slices_members``
(``uid`` = slice uid, ``items`` = the slice's items, copies of dataset items). A sub-slice
is ``{"dataset": <dataset uid>, "item_uids": [...]?}``: the dataset's items from
``datasets_items``, or only the listed ones. ``random_selection_count`` keeps the first N
(deterministic, so tests can predict it).
"""

from __future__ import annotations

import re
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, cursor_page, not_found
from ._fields import Field, validated
from ._standard import Resource, Table, routes

router = Router()

CALLER = "fake-user"
VISIBILITIES = ("private", "public", "unlisted")
MEMBERS = "slices_members"
SPEC = {
    "name": Field(required=True, blank=False),
    "visibility": Field(required=True, choices=VISIBILITIES),
    "sub_slices": Field("any", required=True),
    "random_selection_count": Field("int", null=True, minimum=1),
    "organization": Field(null=True, refers_to="organizations"),
}


def _find(state: Store, owner: str, slug: str) -> dict[str, Any] | None:
    return state.first("slices", owner_name=owner, slug=slug)


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "slice"


def _members(state: Store, slice_uid: str) -> list[dict[str, Any]]:
    record = state.get(MEMBERS, slice_uid)
    items = record.get("items") if record else None
    return items if isinstance(items, list) else []


def _select(
    state: Store, sub_slices: Any
) -> tuple[list[dict[str, Any]], dict[str, list[str]] | None]:
    """The items the sub-slices pick, or DRF-style errors naming the bad entry."""
    if not isinstance(sub_slices, list) or not sub_slices:
        return [], {"sub_slices": ["Provide at least one sub-slice."]}
    picked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, sub in enumerate(sub_slices):
        where = f"sub_slices[{index}]"
        if not isinstance(sub, dict):
            return [], {"sub_slices": [f"{where}: Expected a dictionary of items."]}
        dataset_uid = sub.get("dataset")
        dataset = state.get("datasets", dataset_uid) if isinstance(dataset_uid, str) else None
        if dataset is None:
            return [], {"sub_slices": [f"{where}.dataset: Object does not exist."]}
        wanted = sub.get("item_uids")
        if wanted is not None and not (
            isinstance(wanted, list) and all(isinstance(u, str) for u in wanted)
        ):
            return [], {"sub_slices": [f"{where}.item_uids: Expected a list of strings."]}
        for item in state.all("datasets_items"):
            if item.get("dataset") != dataset["uid"] or item["uid"] in seen:
                continue
            if wanted is None or item["uid"] in wanted:
                seen.add(item["uid"])
                picked.append(item)
    return picked, None


@router.route("POST", "/slices/")
def create_slice(state: Store, req: FakeRequest) -> FakeResponse:
    body = validated(req, SPEC, state=state)
    if isinstance(body, FakeResponse):
        return body
    count = body.get("random_selection_count")
    org = state.get("organizations", body["organization"]) if body.get("organization") else None
    items, sub_errors = _select(state, body["sub_slices"])
    if sub_errors:
        return bad_request(sub_errors)
    if count is not None:
        items = items[:count]
    owner = str(org.get("slug") or org["uid"]) if org is not None else CALLER
    base = slug = _slugify(body["name"])
    n = 1
    while _find(state, owner, slug) is not None:
        n += 1
        slug = f"{base}-{n}"
    organization = (
        {"uid": org["uid"], "name": org.get("name"), "slug": org.get("slug")} if org else None
    )
    created = state.create(
        "slices",
        {
            "name": body["name"],
            "slug": slug,
            "owner_name": owner,
            "organization": organization,
            "visibility": body["visibility"],
            "status": "ready",
            "item_count": len(items),
            "sub_slices": body["sub_slices"],
            "source_data": {"random_selection_count": count} if count is not None else None,
            "featured_slice_item_urls": [i["url"] for i in items[:4] if i.get("url")],
        },
    )
    state.insert(MEMBERS, {"uid": created["uid"], "items": items})
    return FakeResponse(201, created)


@router.route("GET", "/slices/{owner}/{slug}/items/list/")
def list_slice_items(state: Store, req: FakeRequest, owner: str, slug: str) -> FakeResponse:
    found = _find(state, owner, slug)
    if found is None:
        return not_found()
    return cursor_page(req, _members(state, found["uid"]), state.base_url)


@router.route("GET", "/slices/{owner}/{slug}/items/{item_uid}/")
def get_slice_item(
    state: Store, req: FakeRequest, owner: str, slug: str, item_uid: str
) -> FakeResponse:
    found = _find(state, owner, slug)
    if found is None:
        return not_found()
    for item in _members(state, found["uid"]):
        if item.get("uid") == item_uid:
            return FakeResponse(200, item)
    return not_found()


SLICE = Resource("slices", keys={"owner": "owner_name", "slug": "slug"})
STANDARD: Table = routes("slices", SLICE, "list", "get")
