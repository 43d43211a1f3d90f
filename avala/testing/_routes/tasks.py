"""Tasks: cursor list filtered by project/status, and lookup by uid."""

from __future__ import annotations

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, cursor_page
from ._common import ok_or_404

router = Router()


@router.route("GET", "/tasks/")
def list_tasks(state: Store, req: FakeRequest) -> FakeResponse:
    items = state.all("tasks")
    for key in ("project", "status"):
        wanted = req.q(key)
        if wanted:
            items = [t for t in items if t.get(key) == wanted]
    return cursor_page(req, items, state.base_url)


@router.route("GET", "/tasks/{uid}/")
def get_task(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    return ok_or_404(state.get("tasks", uid))
