"""Projects: the user-scoped `/users/me/projects/` list and detail."""

from __future__ import annotations

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, cursor_page
from ._common import ok_or_404

router = Router()


@router.route("GET", "/users/me/projects/")
def list_projects(state: Store, req: FakeRequest) -> FakeResponse:
    return cursor_page(req, state.all("projects"), state.base_url)


@router.route("GET", "/users/me/projects/{uid}/")
def get_project(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    return ok_or_404(state.get("projects", uid))
