"""Datasets: filtered cursor list and lookup by uid, plus helpers the other dataset routes share.

A dataset created through the API starts ``creating``; each GET of ``/datasets/{uid}/``
moves it one step along the statuses queued for it in ``datasets_lifecycle`` (seeded
datasets have none queued and never change), so polling clients finish after a known
number of requests without a real clock.
"""

from __future__ import annotations

from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, cursor_page
from ._fields import ok_or_404

router = Router()

EXACT_FILTERS = ("data_type", "status", "visibility")
LIFECYCLE = "datasets_lifecycle"
"""Collection of ``{"uid": <dataset uid>, "next": [status, ...]}``: statuses still to come."""


def find_dataset(state: Store, owner: str, slug: str) -> dict[str, Any] | None:
    """The dataset `owner` (user name or organization slug) holds under `slug`, if any."""
    return state.first("datasets", owner_name=owner, slug=slug)


def queue_statuses(state: Store, uid: str, statuses: list[str]) -> None:
    """Make the next GETs of dataset `uid` move it through `statuses`, one per GET."""
    state.insert(LIFECYCLE, {"uid": uid, "next": list(statuses)})


def advance_status(state: Store, uid: str) -> None:
    """Apply the next queued status of dataset `uid` (nothing when none is queued)."""
    queued = state.get(LIFECYCLE, uid)
    if not queued or not queued.get("next"):
        return
    status, *rest = queued["next"]
    state.update(LIFECYCLE, uid, {"next": rest})
    state.update("datasets", uid, {"status": status})


@router.route("GET", "/datasets/")
def list_datasets(state: Store, req: FakeRequest) -> FakeResponse:
    items = state.all("datasets")
    for key in EXACT_FILTERS:
        wanted = req.q(key)
        if wanted:  # like django-filter, an empty value means "no filter"
            items = [d for d in items if d.get(key) == wanted]
    name = req.q("name")
    if name:
        items = [d for d in items if name.casefold() in str(d.get("name") or "").casefold()]
    return cursor_page(req, items, state.base_url)


@router.route("GET", "/datasets/{uid}/")
def get_dataset(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    advance_status(state, uid)
    return ok_or_404(state.get("datasets", uid))
