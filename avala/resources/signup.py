"""``avala.signup``: create an account. Anonymous (no API key is sent), so the request
runs on any client; the password is kept out of every repr and error message."""

from __future__ import annotations

from avala._decode import model
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import optional_str, required_str
from avala.types import SignupResponse


def signup(
    *, email: str, password: str, first_name: str | None = None, last_name: str | None = None
) -> Call[SignupResponse]:
    """A request creating an account; its value holds the new user and their API key."""
    body = {
        "email": required_str("email", email),
        "password": required_str("password", password),
        **compact(
            first_name=optional_str("first_name", first_name),
            last_name=optional_str("last_name", last_name),
        ),
    }
    return api("avala.signup", model(SignupResponse), body=body)
