"""The models responses decode into: frozen, slotted dataclasses holding tuples."""

from typing import TYPE_CHECKING

from avala._lazy import lazy_attributes

if TYPE_CHECKING:
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
    from avala.types.webhook import (
        Webhook,
        WebhookDelivery,
    )

# Each name is imported from its module on first use (avala._lazy).
_WHERE = {
    "Agent": ".agent",
    "AgentExecution": ".agent",
    "Alert": ".fleet",
    "AlertChannel": ".fleet",
    "AllowedMimes": ".manual_upload",
    "AnnotationIssue": ".annotation_issue",
    "AnnotationIssueMetrics": ".annotation_issue",
    "AnnotationIssueProblem": ".annotation_issue",
    "AnnotationIssueProject": ".annotation_issue",
    "AnnotationIssueReporter": ".annotation_issue",
    "AnnotationIssueTool": ".annotation_issue",
    "AnnotationIssueToolDetail": ".annotation_issue",
    "AnnotationIssueToolProblem": ".annotation_issue",
    "AutoLabelJob": ".auto_label_job",
    "CameraCalibration": ".dataset",
    "ConsensusComputeResult": ".consensus",
    "ConsensusConfig": ".consensus",
    "ConsensusScore": ".consensus",
    "ConsensusSummary": ".consensus",
    "CursorPage": "._common",
    "Dataset": ".dataset",
    "DatasetCalibration": ".dataset",
    "DatasetFrame": ".dataset",
    "DatasetHealth": ".dataset",
    "DatasetItem": ".dataset",
    "DatasetSequence": ".dataset",
    "Device": ".fleet",
    "Export": ".export",
    "FleetEvent": ".fleet",
    "FrameImage": ".dataset",
    "InferenceProvider": ".inference_provider",
    "Invitation": ".organization",
    "JsonObject": "._common",
    "Organization": ".organization",
    "OrganizationMember": ".organization",
    "Project": ".project",
    "QualityTarget": ".quality_target",
    "QualityTargetEvaluation": ".quality_target",
    "Quat": ".dataset",
    "Recording": ".fleet",
    "Rule": ".fleet",
    "SequenceHealth": ".dataset",
    "Slice": ".slice",
    "SliceItem": ".slice",
    "StorageConfig": ".storage_config",
    "StorageConfigSetupInfo": ".storage_config",
    "Task": ".task",
    "Team": ".organization",
    "TeamMember": ".organization",
    "UploadConfirmResponse": ".fleet_upload",
    "UploadQuota": ".manual_upload",
    "UploadSession": ".fleet_upload",
    "UploadStatusResponse": ".fleet_upload",
    "UploadUrlEntry": ".fleet_upload",
    "UploadUrlsResponse": ".fleet_upload",
    "Vec3": ".dataset",
    "Webhook": ".webhook",
    "WebhookDelivery": ".webhook",
}
__getattr__ = lazy_attributes(globals(), _WHERE)

__all__ = [
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
    "Organization",
    "OrganizationMember",
    "Project",
    "QualityTarget",
    "QualityTargetEvaluation",
    "Quat",
    "Recording",
    "Rule",
    "SequenceHealth",
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
    "Vec3",
    "Webhook",
    "WebhookDelivery",
]
