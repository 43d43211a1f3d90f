"""Datasets: filtered cursor list and lookup by uid."""

from __future__ import annotations

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, cursor_page, not_found

router = Router()

EXACT_FILTERS = ("data_type", "status", "visibility")


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
    dataset = state.get("datasets", uid)
    return FakeResponse(200, dataset) if dataset is not None else not_found()
