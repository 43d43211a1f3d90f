"""Request builders, one module per resource. Builders only build: they never send."""

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
