"""AI agents that react to platform events."""

from __future__ import annotations


class Agents:
    """Builds requests for agents; ``client.agents``."""
