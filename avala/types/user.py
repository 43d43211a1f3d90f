"""The authenticated user, as ``users.me`` reads it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UserMe"]


@dataclass(frozen=True, slots=True, kw_only=True)
class UserMe:
    """Who holds the API key; uploads use ``uid`` as the personal storage root."""

    uid: str
    username: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
