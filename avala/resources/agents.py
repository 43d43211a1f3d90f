"""AI agents that react to platform events, and the history of their runs."""

from __future__ import annotations

from collections.abc import Sequence

from avala._decode import model, nothing, page, raw
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import (
    optional_bool,
    optional_str,
    optional_string_list,
    optional_uid,
    page_query,
    required_str,
)
from avala.types import Agent, AgentExecution, CursorPage, JsonObject


class Agents:
    """Builds requests for agents; ``client.agents``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Agent]]:
        """One page of agents."""
        return api("agents.list", page(Agent), query=page_query(limit, cursor))

    def get(self, uid: str) -> Call[Agent]:
        """One agent by uid."""
        return api("agents.get", model(Agent), path={"uid": uid})

    def create(
        self,
        *,
        name: str,
        events: Sequence[str] | None = None,
        description: str | None = None,
        callback_url: str | None = None,
        is_active: bool | None = None,
        project: str | None = None,
        task_types: Sequence[str] | None = None,
    ) -> Call[Agent]:
        """Register an agent called on ``events`` (optionally limited to a project/task types)."""
        body = {
            "name": required_str("name", name),
            **compact(
                events=optional_string_list("events", events),
                description=optional_str("description", description),
                callback_url=optional_str("callback_url", callback_url),
                is_active=optional_bool("is_active", is_active),
                project=optional_uid("project", project),
                task_types=optional_string_list("task_types", task_types),
            ),
        }
        return api("agents.create", model(Agent), body=body)

    def update(
        self,
        uid: str,
        *,
        name: str | None = None,
        events: Sequence[str] | None = None,
        description: str | None = None,
        callback_url: str | None = None,
        is_active: bool | None = None,
        project: str | None = None,
        task_types: Sequence[str] | None = None,
    ) -> Call[Agent]:
        """Change some fields of an agent (PATCH: arguments left as None are not sent)."""
        body = compact(
            name=optional_str("name", name),
            events=optional_string_list("events", events),
            description=optional_str("description", description),
            callback_url=optional_str("callback_url", callback_url),
            is_active=optional_bool("is_active", is_active),
            project=optional_uid("project", project),
            task_types=optional_string_list("task_types", task_types),
        )
        return api("agents.update", model(Agent), path={"uid": uid}, body=body)

    def delete(self, uid: str) -> Call[None]:
        """Remove an agent."""
        return api("agents.delete", nothing(), path={"uid": uid})

    def list_executions(
        self, uid: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[AgentExecution]]:
        """One page of an agent's run history."""
        query = page_query(limit, cursor)
        return api("agents.list_executions", page(AgentExecution), path={"uid": uid}, query=query)

    def test(self, uid: str) -> Call[JsonObject]:
        """Ask the server to exercise the agent now; its verdict comes back as untyped JSON."""
        return api("agents.test", raw(), path={"uid": uid})
