"""Projects: the user-scoped `/users/me/projects/` list and detail."""

from __future__ import annotations

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, cursor_page, not_found

router = Router()


@router.route("GET", "/users/me/projects/")
def list_projects(state: Store, req: FakeRequest) -> FakeResponse:
    return cursor_page(req, state.all("projects"), state.base_url)


@router.route("GET", "/users/me/projects/{uid}/")
def get_project(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    project = state.get("projects", uid)
    return FakeResponse(200, project) if project is not None else not_found()
