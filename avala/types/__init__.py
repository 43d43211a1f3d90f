"""The models responses decode into: frozen, slotted dataclasses holding tuples."""

from avala.types._common import CursorPage, JsonObject
from avala.types.agent import (
    Agent,
    AgentExecution,
)
from avala.types.annotation_issue import (
    AnnotationIssue,
    AnnotationIssueMetrics,
    AnnotationIssueProblem,
    AnnotationIssueProject,
    AnnotationIssueReporter,
    AnnotationIssueTool,
    AnnotationIssueToolDetail,
    AnnotationIssueToolProblem,
)
from avala.types.auto_label_job import (
    AutoLabelJob,
)
from avala.types.consensus import (
    ConsensusComputeResult,
    ConsensusConfig,
    ConsensusScore,
    ConsensusSummary,
)
from avala.types.dataset import (
    CameraCalibration,
    Dataset,
    DatasetCalibration,
    DatasetFrame,
    DatasetHealth,
    DatasetItem,
    DatasetSequence,
    FrameImage,
    Quat,
    SequenceHealth,
    Vec3,
)
from avala.types.export import (
    Export,
)
from avala.types.fleet import (
    Alert,
    AlertChannel,
    Device,
    FleetEvent,
    Recording,
    Rule,
)
from avala.types.fleet_upload import (
    ManagedFinalization,
    ManagedFinalizeResponse,
    ManagedGeneration,
    ManagedMultipartInit,
    ManagedOriginal,
    ManagedPartGrant,
    ManagedPartGrants,
    ManagedPartInventory,
    ManagedStoredPart,
    ManagedUploadStatus,
    UploadConfirmResponse,
    UploadSession,
    UploadStatusResponse,
    UploadUrlEntry,
    UploadUrlsResponse,
)
from avala.types.inference_provider import (
    InferenceProvider,
)
from avala.types.manual_upload import (
    AllowedMimes,
    ManualUploadDescriptor,
    ManualUploadPartGrant,
    ManualUploadPartGrants,
    ManualUploadStoredPart,
    UploadQuota,
)
from avala.types.organization import (
    Invitation,
    Organization,
    OrganizationMember,
    Team,
    TeamMember,
)
from avala.types.project import (
    Project,
)
from avala.types.quality_target import (
    QualityTarget,
    QualityTargetEvaluation,
)
from avala.types.resolver import (
    AccessGrant,
    ManifestObject,
    ResolvedRevision,
    ResolverManifest,
    ResolverOrigin,
    ResolverRights,
)
from avala.types.signup import (
    SignupResponse,
    SignupUser,
)
from avala.types.slice import (
    Slice,
    SliceItem,
)
from avala.types.storage_config import (
    StorageConfig,
    StorageConfigSetupInfo,
)
from avala.types.task import (
    Task,
)
from avala.types.user import (
    UserMe,
)
from avala.types.webhook import (
    Webhook,
    WebhookDelivery,
)

__all__ = [
    "AccessGrant",
    "Agent",
    "AgentExecution",
    "Alert",
    "AlertChannel",
    "AllowedMimes",
    "AnnotationIssue",
    "AnnotationIssueMetrics",
    "AnnotationIssueProblem",
    "AnnotationIssueProject",
    "AnnotationIssueReporter",
    "AnnotationIssueTool",
    "AnnotationIssueToolDetail",
    "AnnotationIssueToolProblem",
    "AutoLabelJob",
    "CameraCalibration",
    "ConsensusComputeResult",
    "ConsensusConfig",
    "ConsensusScore",
    "ConsensusSummary",
    "CursorPage",
    "Dataset",
    "DatasetCalibration",
    "DatasetFrame",
    "DatasetHealth",
    "DatasetItem",
    "DatasetSequence",
    "Device",
    "Export",
    "FleetEvent",
    "FrameImage",
    "InferenceProvider",
    "Invitation",
    "JsonObject",
    "ManagedFinalization",
    "ManagedFinalizeResponse",
    "ManagedGeneration",
    "ManagedMultipartInit",
    "ManagedOriginal",
    "ManagedPartGrant",
    "ManagedPartGrants",
    "ManagedPartInventory",
    "ManagedStoredPart",
    "ManagedUploadStatus",
    "ManifestObject",
    "ManualUploadDescriptor",
    "ManualUploadPartGrant",
    "ManualUploadPartGrants",
    "ManualUploadStoredPart",
    "Organization",
    "OrganizationMember",
    "Project",
    "QualityTarget",
    "QualityTargetEvaluation",
    "Quat",
    "Recording",
    "ResolvedRevision",
    "ResolverManifest",
    "ResolverOrigin",
    "ResolverRights",
    "Rule",
    "SequenceHealth",
    "SignupResponse",
    "SignupUser",
    "Slice",
    "SliceItem",
    "StorageConfig",
    "StorageConfigSetupInfo",
    "Task",
    "Team",
    "TeamMember",
    "UploadConfirmResponse",
    "UploadQuota",
    "UploadSession",
    "UploadStatusResponse",
    "UploadUrlEntry",
    "UploadUrlsResponse",
    "UserMe",
    "Vec3",
    "Webhook",
    "WebhookDelivery",
]
