"""Every resource router of the fake; the server merges them in this order."""

from .._routing import Router
from . import (
    agents,
    annotation_issues,
    annotations,
    auto_label_jobs,
    consensus,
    datasets,
    datasets_more,
    exports,
    fleet,
    inference_providers,
    organizations,
    projects,
    quality_targets,
    slices,
    storage_configs,
    tasks,
    webhook_deliveries,
    webhooks,
)

ALL_ROUTERS: tuple[Router, ...] = (
    projects.router,
    datasets.router,
    datasets_more.router,
    tasks.router,
    exports.router,
    agents.router,
    annotation_issues.router,
    annotations.router,
    auto_label_jobs.router,
    consensus.router,
    fleet.router,
    inference_providers.router,
    organizations.router,
    quality_targets.router,
    slices.router,
    storage_configs.router,
    webhooks.router,
    webhook_deliveries.router,
)

__all__ = ["ALL_ROUTERS"]
