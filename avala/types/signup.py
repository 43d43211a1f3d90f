"""What ``avala.signup`` answers: the new user and their API key (hidden from repr)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SignupResponse", "SignupUser"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SignupUser:
    """The account just created."""

    uid: str
    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    in_waitlist: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SignupResponse:
    """The new user and the API key to build a ``Client`` with; the key is not in repr."""

    user: SignupUser
    api_key: str = field(repr=False)
