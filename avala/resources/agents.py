"""AI agents that react to platform events, and the history of their runs."""

from __future__ import annotations

from collections.abc import Iterable

from avala._decode import model, nothing, page, raw
from avala._request import Call
from avala.resources._base import api, check_limit, check_optional_str, compact
from avala.types import Agent, AgentExecution, CursorPage, JsonObject


def _optional_bool(name: str, value: bool | None) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def _string_list(name: str, values: Iterable[str] | None) -> list[str] | None:
    """Any iterable of strings as a JSON array; a bare string is refused, not split."""
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of str, not {type(values).__name__}")
    items = list(values)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold only str, not {type(item).__name__}")
    return items


class Agents:
    """Builds requests for agents; ``client.agents``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Agent]]:
        """One page of agents."""
        query = {"limit": check_limit(limit), "cursor": check_optional_str("cursor", cursor)}
        return api("agents.list", page(Agent), query=query)

    def get(self, uid: str) -> Call[Agent]:
        """One agent by uid."""
        return api("agents.get", model(Agent), path={"uid": uid})

    def create(
        self,
        *,
        name: str,
        events: Iterable[str] | None = None,
        description: str | None = None,
        callback_url: str | None = None,
        is_active: bool | None = None,
        project: str | None = None,
        task_types: Iterable[str] | None = None,
    ) -> Call[Agent]:
        """Register an agent called on ``events`` (optionally limited to a project/task types)."""
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        body = {
            "name": name,
            **compact(
                events=_string_list("events", events),
                description=check_optional_str("description", description),
                callback_url=check_optional_str("callback_url", callback_url),
                is_active=_optional_bool("is_active", is_active),
                project=check_optional_str("project", project),
                task_types=_string_list("task_types", task_types),
            ),
        }
        return api("agents.create", model(Agent), body=body)

    def update(
        self,
        uid: str,
        *,
        name: str | None = None,
        events: Iterable[str] | None = None,
        description: str | None = None,
        callback_url: str | None = None,
        is_active: bool | None = None,
        project: str | None = None,
        task_types: Iterable[str] | None = None,
    ) -> Call[Agent]:
        """Change some fields of an agent (PATCH: arguments left as None are not sent)."""
        body = compact(
            name=check_optional_str("name", name),
            events=_string_list("events", events),
            description=check_optional_str("description", description),
            callback_url=check_optional_str("callback_url", callback_url),
            is_active=_optional_bool("is_active", is_active),
            project=check_optional_str("project", project),
            task_types=_string_list("task_types", task_types),
        )
        return api("agents.update", model(Agent), path={"uid": uid}, body=body)

    def delete(self, uid: str) -> Call[None]:
        """Remove an agent."""
        return api("agents.delete", nothing(), path={"uid": uid})

    def list_executions(
        self, uid: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[AgentExecution]]:
        """One page of an agent's run history."""
        query = {"limit": check_limit(limit), "cursor": check_optional_str("cursor", cursor)}
        return api("agents.list_executions", page(AgentExecution), path={"uid": uid}, query=query)

    def test(self, uid: str) -> Call[JsonObject]:
        """Ask the server to exercise the agent now; its verdict comes back as untyped JSON."""
        return api("agents.test", raw(), path={"uid": uid})
