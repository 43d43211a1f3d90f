"""Annotation tasks, filterable by project and status."""

from __future__ import annotations

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api
from avala.resources._checks import optional_str, optional_uid, page_query
from avala.types import CursorPage, Task


class Tasks:
    """Builds requests for tasks; ``client.tasks``."""

    def list(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[Task]]:
        """One page of tasks, optionally of one project or in one status."""
        query = {
            "project": optional_uid("project", project),
            "status": optional_str("status", status),
            **page_query(limit, cursor),
        }
        return api("tasks.list", page(Task), query=query)

    def get(self, uid: str) -> Call[Task]:
        """One task by uid."""
        return api("tasks.get", model(Task), path={"uid": uid})
