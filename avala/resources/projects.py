"""Projects visible to the key's owner (user-scoped routes under /users/me/)."""

from __future__ import annotations

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api, check_limit, check_optional_str
from avala.types import CursorPage, Project


class Projects:
    """Builds requests for projects; ``client.projects``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Project]]:
        """One page of projects."""
        query = {"limit": check_limit(limit), "cursor": check_optional_str("cursor", cursor)}
        return api("projects.list", page(Project), query=query)

    def get(self, uid: str) -> Call[Project]:
        """One project by uid."""
        return api("projects.get", model(Project), path={"uid": uid})
