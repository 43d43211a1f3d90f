"""Every route of the fake: the standard ones declared in `STANDARD`, the others by hand in
the resource modules. The server merges them in this order."""

from .._routing import Router
from . import (
    accounts,
    agents,
    annotation_issues,
    annotations,
    auto_label_jobs,
    consensus,
    datasets,
    datasets_more,
    exports,
    fleet,
    fleet_managed,
    inference_providers,
    manual_uploads,
    organizations,
    quality_targets,
    resolver,
    slices,
    storage_configs,
    webhooks,
)
from ._standard import Resource, Table, routes, standard_router

TASKS = Resource("tasks", filters={"project": "project", "status": "status"})

STANDARD: Table = {
    **routes("projects", Resource("projects"), "list", "get"),
    **routes("tasks", TASKS, "list", "get"),
    **routes("exports", Resource("exports"), "list"),
    **routes("webhook_deliveries", Resource("webhook_deliveries"), "list", "get"),
    **agents.STANDARD,
    **auto_label_jobs.STANDARD,
    **consensus.STANDARD,
    **fleet.STANDARD,
    **inference_providers.STANDARD,
    **quality_targets.STANDARD,
    **slices.STANDARD,
    **storage_configs.STANDARD,
    **webhooks.STANDARD,
}
"""Endpoint id -> (kind of standard route, the resource it serves)."""

ALL_ROUTERS: tuple[Router, ...] = (
    standard_router(STANDARD),
    datasets.router,
    datasets_more.router,
    manual_uploads.router,
    accounts.router,
    resolver.router,
    fleet_managed.router,
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
)

__all__ = ["ALL_ROUTERS", "STANDARD"]
