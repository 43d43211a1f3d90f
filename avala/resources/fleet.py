"""Robot fleets: devices, recordings, events, rules, alerts, alert channels, uploads."""

from __future__ import annotations


class Devices:
    """Builds requests for fleet devices; ``client.fleet.devices``."""


class Recordings:
    """Builds requests for fleet recordings; ``client.fleet.recordings``."""


class Events:
    """Builds requests for fleet events; ``client.fleet.events``."""


class Rules:
    """Builds requests for fleet alerting rules; ``client.fleet.rules``."""


class Alerts:
    """Builds requests for fleet alerts; ``client.fleet.alerts``."""


class AlertChannels:
    """Builds requests for fleet alert channels; ``client.fleet.alert_channels``."""


class Uploads:
    """Builds the low-level recording upload calls; ``client.fleet.uploads``."""


class Fleet:
    """The fleet resources, grouped; ``client.fleet``."""

    devices = Devices()
    recordings = Recordings()
    events = Events()
    rules = Rules()
    alerts = Alerts()
    alert_channels = AlertChannels()
    uploads = Uploads()
