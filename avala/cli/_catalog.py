"""The command groups, as static data, so ``avala --help`` lists them without importing the
SDK's resources. A test checks this table against the endpoint table and ``Client``."""

from __future__ import annotations

from typing import NamedTuple


class Group(NamedTuple):
    """A top-level command group: its help line and the builder class behind it."""

    help: str
    module: str
    cls: str


GROUPS: dict[str, Group] = {
    "agents": Group("Automation agents and their executions.", "agents", "Agents"),
    "annotation_issues": Group(
        "Quality-control issues on sequences and datasets.", "annotation_issues", "AnnotationIssues"
    ),
    "annotations": Group("Bulk edits of a dataset's annotations.", "annotations", "Annotations"),
    "auto_label_jobs": Group("Auto-labelling jobs.", "auto_label_jobs", "AutoLabelJobs"),
    "consensus": Group("Consensus scores and configuration.", "consensus", "Consensus"),
    "datasets": Group("Datasets, their items, sequences and health.", "datasets", "Datasets"),
    "exports": Group("Exports of annotations, and waiting for them.", "exports", "Exports"),
    "fleet": Group("Devices, recordings, events, rules and alerts.", "fleet", "Fleet"),
    "inference_providers": Group(
        "Inference providers for auto-labelling.", "inference_providers", "InferenceProviders"
    ),
    "organizations": Group(
        "Organizations, members, invitations and teams.", "organizations", "Organizations"
    ),
    "projects": Group("Projects visible to the key's owner.", "projects", "Projects"),
    "quality_targets": Group("Quality targets of a project.", "quality_targets", "QualityTargets"),
    "resolver": Group(
        "Published dataset revisions and downloads (anonymous).", "resolver", "Resolver"
    ),
    "slices": Group("Slices of datasets and their items.", "slices", "Slices"),
    "storage_configs": Group("Cloud storage configurations.", "storage_configs", "StorageConfigs"),
    "tasks": Group("Annotation tasks.", "tasks", "Tasks"),
    "users": Group("The user holding the API key.", "users", "Users"),
    "webhooks": Group("Webhook subscriptions.", "webhooks", "Webhooks"),
    "webhook_deliveries": Group(
        "Deliveries of webhook events.", "webhook_deliveries", "WebhookDeliveries"
    ),
}
"""Keyed by the endpoint ids' first part; the command name is its kebab-case spelling."""

MODULE_PREFIX = "avala"
"""The endpoint-id prefix of builders that are functions of the ``avala`` module
(``avala.signup``); each is a top-level command rather than a group."""


class TopCommand(NamedTuple):
    """A top-level command: its help line and the module-level builder function behind it."""

    help: str
    module: str
    function: str


TOP_COMMANDS: dict[str, TopCommand] = {
    "signup": TopCommand(
        "Create an account and print its API key (anonymous).", "signup", "signup"
    ),
}
"""The commands of the ``avala.<name>`` endpoints, keyed by ``name``."""

WORKFLOWS: dict[str, str] = {
    "datasets.upload_files": "Upload local files into a dataset's storage, resumably.",
    "datasets.create_from_local": "Upload a file or directory tree and create a dataset.",
    "fleet.uploads.upload_recording": "Upload a directory as a recording's files, resumably.",
    "fleet.uploads.upload_managed_recording": "Upload MCAP files as a managed recording upload.",
    "exports.download": "Download an export's archive into a file, resumably.",
    "avala.download": "Download a presigned object URL into a file, resumably.",
}
"""Hand-written commands of the transfer workflows (not rows of the endpoint table), by
the id they would have: ``avala.<name>`` is top-level, any other sits in its group."""

SUBGROUPS: dict[str, str] = {
    "fleet.devices": "Registered devices.",
    "fleet.recordings": "Recordings made by devices.",
    "fleet.events": "Events marked on recordings.",
    "fleet.rules": "Alerting rules.",
    "fleet.alerts": "Alerts raised by rules.",
    "fleet.alert_channels": "Where alerts are sent.",
    "fleet.uploads": "Recording uploads: the workflows and the protocol calls.",
}
"""Groups below a top-level group, by endpoint id prefix."""


def kebab(name: str) -> str:
    """A Python name as a command or option name: ``alert_channels`` -> ``alert-channels``."""
    return name.replace("_", "-")


def snake(name: str) -> str:
    """The inverse of ``kebab``."""
    return name.replace("-", "_")
