"""The authenticated user; ``client.users``."""

from __future__ import annotations

from avala._decode import model
from avala._request import Call
from avala.resources._base import api
from avala.types import UserMe


class Users:
    """Builds requests about the user holding the API key; ``client.users``."""

    def me(self) -> Call[UserMe]:
        """Who holds the key; its ``uid`` names the personal upload storage root."""
        return api("users.me", model(UserMe))
