"""Projects visible to the key's owner (user-scoped routes under /users/me/)."""

from __future__ import annotations

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api
from avala.resources._checks import page_query
from avala.types import CursorPage, Project


class Projects:
    """Builds requests for projects; ``client.projects``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Project]]:
        """One page of projects."""
        return api("projects.list", page(Project), query=page_query(limit, cursor))

    def get(self, uid: str) -> Call[Project]:
        """One project by uid."""
        return api("projects.get", model(Project), path={"uid": uid})
