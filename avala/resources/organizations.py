"""Organizations, their members, invitations and teams."""

from __future__ import annotations


class Organizations:
    """Builds requests for organizations; ``client.organizations``."""
