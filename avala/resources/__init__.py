"""Request builders, one module per resource. Builders only build: they never send."""

from typing import TYPE_CHECKING

from avala._lazy import lazy_attributes

if TYPE_CHECKING:
    from avala.resources.agents import Agents
    from avala.resources.annotation_issues import AnnotationIssues
    from avala.resources.annotations import Annotations
    from avala.resources.auto_label_jobs import AutoLabelJobs
    from avala.resources.consensus import Consensus
    from avala.resources.datasets import Datasets
    from avala.resources.exports import Exports
    from avala.resources.fleet import Fleet
    from avala.resources.inference_providers import InferenceProviders
    from avala.resources.organizations import Organizations
    from avala.resources.projects import Projects
    from avala.resources.quality_targets import QualityTargets
    from avala.resources.resolver import Resolver
    from avala.resources.slices import Slices
    from avala.resources.storage_configs import StorageConfigs
    from avala.resources.tasks import Tasks
    from avala.resources.users import Users
    from avala.resources.webhook_deliveries import WebhookDeliveries
    from avala.resources.webhooks import Webhooks

# Each name is imported from its module on first use (avala._lazy).
_WHERE = {
    "Agents": ".agents",
    "AnnotationIssues": ".annotation_issues",
    "Annotations": ".annotations",
    "AutoLabelJobs": ".auto_label_jobs",
    "Consensus": ".consensus",
    "Datasets": ".datasets",
    "Exports": ".exports",
    "Fleet": ".fleet",
    "InferenceProviders": ".inference_providers",
    "Organizations": ".organizations",
    "Projects": ".projects",
    "QualityTargets": ".quality_targets",
    "Resolver": ".resolver",
    "Slices": ".slices",
    "StorageConfigs": ".storage_configs",
    "Tasks": ".tasks",
    "Users": ".users",
    "WebhookDeliveries": ".webhook_deliveries",
    "Webhooks": ".webhooks",
}
__getattr__ = lazy_attributes(globals(), _WHERE)

__all__ = [
    "Agents",
    "AnnotationIssues",
    "Annotations",
    "AutoLabelJobs",
    "Consensus",
    "Datasets",
    "Exports",
    "Fleet",
    "InferenceProviders",
    "Organizations",
    "Projects",
    "QualityTargets",
    "Resolver",
    "Slices",
    "StorageConfigs",
    "Tasks",
    "Users",
    "WebhookDeliveries",
    "Webhooks",
]
