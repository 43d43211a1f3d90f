"""`fake.seed`: typed seeding, one method per collection of the fake.

Each method stores a record with defaults for every field the model needs, overridden by
keyword, and returns it decoded by the SDK's own converter: the model a client reading it
would get. Override names are checked against the model, so a typo fails at the seed call
instead of being stored and ignored. The routes never import this module, so the fake
stays an independent oracle of the wire format.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from returns.pipeline import is_successful

from avala._decode import structure
from avala.types import (
    Agent,
    AgentExecution,
    Alert,
    AlertChannel,
    AnnotationIssue,
    AnnotationIssueToolDetail,
    AutoLabelJob,
    ConsensusConfig,
    ConsensusScore,
    Dataset,
    DatasetItem,
    DatasetSequence,
    Device,
    Export,
    FleetEvent,
    InferenceProvider,
    Invitation,
    Organization,
    OrganizationMember,
    Project,
    QualityTarget,
    Recording,
    Rule,
    Slice,
    StorageConfig,
    Task,
    Team,
    TeamMember,
    UploadQuota,
    UploadSession,
    Webhook,
    WebhookDelivery,
)
from avala.types._common import to_plain

from ._routes import organizations as orgs
from ._store import Record, Store, now_iso

__all__ = ["Seeder"]

M = TypeVar("M")
CALLER = "fake-user"
DEFAULT_QUOTA_BYTES = 10 * 1024**3


class HasUid(Protocol):
    @property
    def uid(self) -> str: ...


Ref = str | HasUid
"""A parent given by uid or as the model a seed method (or a client) returned."""


def _uid(ref: Ref) -> str:
    return ref if isinstance(ref, str) else ref.uid


def _plain(value: Any) -> Any:
    """A keyword value as JSON: datetimes as ISO-8601, models' tuples and maps as lists/dicts."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return to_plain(value)


class Seeder:
    """`fake.seed.<resource>(**overrides)`; calling `fake.seed(projects=, datasets=, tasks=)`
    adds that many default records of each (raw records, as before)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __call__(
        self, projects: int = 0, datasets: int = 0, tasks: int = 0
    ) -> dict[str, list[Record]]:
        """Add N default records of each kind; tasks are spread round-robin over all projects."""
        made_projects = [self.record("projects") for _ in range(projects)]
        made_datasets = [self.record("datasets") for _ in range(datasets)]
        owners = [p["uid"] for p in self._store.all("projects")]
        made_tasks = [
            self.record("tasks", project=owners[i % len(owners)] if owners else None)
            for i in range(tasks)
        ]
        return {"projects": made_projects, "datasets": made_datasets, "tasks": made_tasks}

    # --- the machinery ---------------------------------------------------------------------

    def _n(self, collection: str) -> int:
        """The number the next default record of `collection` gets in its name."""
        return self._store.count(collection) + 1

    def record(self, collection: str, **fields: Any) -> Record:
        """The raw form of `project`, `dataset`, `task` and `export`: the stored dict (what the
        `add_*` helpers of FakeAvala return)."""
        defaults = RAW_DEFAULTS[collection](self._n(collection))
        return self._store.insert(collection, {**defaults, **fields})

    def _add(
        self,
        collection: str,
        model: type[M],
        fields: Mapping[str, Any],
        defaults: Record,
        *,
        view: Callable[[Record], Record] = dict,
        stored_only: Iterable[str] = (),
    ) -> M:
        """Store `defaults` overridden by `fields` and return it decoded as `model`.

        `stored_only` names keys the fake keeps that the model does not show (a parent's
        uid, say); `view` turns the stored record into the body the API answers with.
        """
        known = {f.name for f in dataclasses.fields(model)}  # type: ignore[arg-type]
        unknown = sorted(set(fields) - known - set(stored_only))
        if unknown:
            allowed = ", ".join(sorted(known | set(stored_only)))
            raise TypeError(
                f"{model.__name__} has no field {', '.join(map(repr, unknown))}; "
                f"the fields it can be seeded with are: {allowed}"
            )
        with self._store.lock:
            stored = self._store.insert(collection, {**defaults, **_plain(dict(fields))})
            decoded = structure(view(stored), model)
            if not is_successful(decoded):
                self._store.delete(collection, stored["uid"])
                raise ValueError(
                    f"seeded record is not a valid {model.__name__}: {decoded.failure()}"
                )
        return decoded.unwrap()  # type: ignore[no-any-return]

    # --- projects, datasets, tasks, exports --------------------------------------------------

    def project(self, **fields: Any) -> Project:
        return self._add("projects", Project, fields, RAW_DEFAULTS["projects"](self._n("projects")))

    def dataset(self, **fields: Any) -> Dataset:
        return self._add("datasets", Dataset, fields, RAW_DEFAULTS["datasets"](self._n("datasets")))

    def dataset_statuses(self, dataset: Ref, *statuses: str) -> None:
        """Make the next GETs of `dataset` move it through `statuses`, one per GET."""
        self._store.insert("datasets_lifecycle", {"uid": _uid(dataset), "next": list(statuses)})

    def dataset_item(self, dataset: Ref, **fields: Any) -> DatasetItem:
        n = self._n("datasets_items")
        owner = self._store.get("datasets", _uid(dataset)) or {}
        defaults: Record = {
            "dataset": _uid(dataset),
            "key": f"item-{n}.jpg",
            "dataset_owner_name": owner.get("owner_name"),
            "dataset_slug": owner.get("slug"),
        }
        return self._add("datasets_items", DatasetItem, fields, defaults)

    def dataset_sequence(self, dataset: Ref, **fields: Any) -> DatasetSequence:
        n = self._n("datasets_sequences")
        defaults: Record = {"dataset_uid": _uid(dataset), "key": f"sequence-{n}", "status": "ready"}
        return self._add(
            "datasets_sequences", DatasetSequence, fields, defaults, stored_only=["dataset_uid"]
        )

    def upload_quota(
        self,
        *,
        organization_uid: str | None = None,
        used: int = 0,
        limit: int = DEFAULT_QUOTA_BYTES,
    ) -> UploadQuota:
        """The manual-upload quota of an organization, or of the caller when None."""
        record = {"uid": organization_uid or "me", "used": used, "limit": limit}
        return self._add("datasets_quotas", UploadQuota, {}, record, stored_only=["uid"])

    def manual_upload(
        self,
        dataset_name: str,
        path: str,
        content_length: int,
        *,
        organization_uid: str | None = None,
        dataset_upload_uid: str | None = None,
    ) -> None:
        """A file uploaded through a presigned URL, waiting to become part of a dataset."""
        record = {
            "scope": organization_uid or "me",
            "dataset_name": dataset_name,
            "path": path,
            "content_length": content_length,
            "dataset_upload_uid": dataset_upload_uid,
        }
        self._store.insert("datasets_uploads", record)

    def task(self, *, project: Ref | None = None, **fields: Any) -> Task:
        defaults = RAW_DEFAULTS["tasks"](self._n("tasks"))
        defaults["project"] = _uid(project) if project is not None else None
        return self._add("tasks", Task, fields, defaults)

    def export(
        self, *, project: Ref | None = None, dataset: Ref | None = None, **fields: Any
    ) -> Export:
        defaults = RAW_DEFAULTS["exports"](self._n("exports"))
        defaults["project"] = _uid(project) if project is not None else None
        defaults["dataset"] = _uid(dataset) if dataset is not None else None
        return self._add("exports", Export, fields, defaults, stored_only=["project", "dataset"])

    # --- agents, annotation issues, auto-label, consensus ------------------------------------

    def agent(self, **fields: Any) -> Agent:
        defaults: Record = {
            "name": f"Agent {self._n('agents')}",
            "events": [],
            "is_active": True,
            "task_types": [],
            "secret": f"agsec_{uuid.uuid4().hex}",
            "execution_stats": {"total": 0, "succeeded": 0, "failed": 0},
        }
        return self._add("agents", Agent, fields, defaults)

    def agent_execution(self, agent: Ref, **fields: Any) -> AgentExecution:
        defaults: Record = {
            "registration": _uid(agent),
            "event_type": "task.completed",
            "status": "completed",
        }
        return self._add("agents_executions", AgentExecution, fields, defaults)

    def annotation_issue(self, sequence: Ref, **fields: Any) -> AnnotationIssue:
        defaults: Record = {
            "sequence_uid": _uid(sequence),
            "status": "open",
            "priority": "medium",
            "severity": "minor",
            "reporter": {"username": CALLER, "type": "customer", "is_staff": False},
            "closed_at": None,
        }
        return self._add("annotation_issues", AnnotationIssue, fields, defaults)

    def qc_tool(self, **fields: Any) -> AnnotationIssueToolDetail:
        """A tool of the QC catalogue; once one is seeded, the built-in catalogue is not served."""
        n = self._n("annotation_issues_tools")
        defaults: Record = {
            "name": f"Tool {n}",
            "dataset_type": "image",
            "default": False,
            "problems": [],
        }
        return self._add("annotation_issues_tools", AnnotationIssueToolDetail, fields, defaults)

    def annotation_object(
        self,
        dataset: Ref,
        object_uuid: str,
        *,
        object_type: str = "cuboid",
        dataset_item_uid: str | None = None,
        sequence_uid: str | None = None,
        object_data: Mapping[str, Any] | None = None,
    ) -> None:
        """A 3D annotation object, as a bulk edit would have created it."""
        record = {
            "uid": object_uuid,
            "dataset": _uid(dataset),
            "object_type": object_type,
            "dataset_item_uid": dataset_item_uid,
            "sequence_uid": sequence_uid,
            "object_data": _plain(object_data or {}),
        }
        self._store.insert("annotations_objects", record)

    def auto_label_job(self, project: Ref, **fields: Any) -> AutoLabelJob:
        defaults: Record = {"project": _uid(project), "status": "pending", "model_type": "default"}
        return self._add("auto_label_jobs", AutoLabelJob, fields, defaults, stored_only=["project"])

    def consensus_config(self, project: Ref, **fields: Any) -> ConsensusConfig:
        defaults: Record = {
            "project": _uid(project),
            "iou_threshold": 0.5,
            "min_agreement_ratio": 0.5,
        }
        defaults["min_annotations"] = 2
        return self._add(
            "consensus_configs", ConsensusConfig, fields, defaults, stored_only=["project"]
        )

    def consensus_score(self, project: Ref, **fields: Any) -> ConsensusScore:
        n = self._n("consensus_scores")
        defaults: Record = {
            "project": _uid(project),
            "dataset_item_uid": f"item-{n}",
            "task_name": "annotation",
            "score_type": "iou",
            "score": 1.0,
            "annotator_count": 2,
        }
        return self._add(
            "consensus_scores", ConsensusScore, fields, defaults, stored_only=["project"]
        )

    # --- fleet -------------------------------------------------------------------------------

    def fleet_device(self, **fields: Any) -> Device:
        defaults: Record = {
            "name": f"Device {self._n('fleet_devices')}",
            "type": "vehicle",
            "status": "offline",
            "tags": [],
            "metadata": {},
        }
        return self._add("fleet_devices", Device, fields, defaults)

    def fleet_recording(self, *, device: Ref | None = None, **fields: Any) -> Recording:
        defaults: Record = {
            "device": _uid(device) if device is not None else None,
            "status": "uploaded",
            "tags": [],
        }
        return self._add("fleet_recordings", Recording, fields, defaults)

    def fleet_event(
        self, recording: Ref, *, device: Ref | None = None, **fields: Any
    ) -> FleetEvent:
        """An event of `recording`, on the recording's device unless `device` is given."""
        owner = (self._store.get("fleet_recordings", _uid(recording)) or {}).get("device")
        defaults: Record = {
            "recording": _uid(recording),
            "device": _uid(device) if device is not None else owner,
            "label": f"event-{self._n('fleet_events')}",
            "type": "marker",
            "timestamp": now_iso(),
            "severity": "info",
            "tags": [],
            "metadata": {},
        }
        return self._add("fleet_events", FleetEvent, fields, defaults)

    def fleet_rule(self, **fields: Any) -> Rule:
        defaults: Record = {
            "name": f"Rule {self._n('fleet_rules')}",
            "description": "",
            "enabled": True,
            "condition": {},
            "actions": [],
            "hit_count": 0,
        }
        return self._add("fleet_rules", Rule, fields, defaults)

    def fleet_alert(self, **fields: Any) -> Alert:
        defaults: Record = {
            "status": "open",
            "severity": "warning",
            "message": f"Alert {self._n('fleet_alerts')}",
            "triggered_at": now_iso(),
        }
        return self._add("fleet_alerts", Alert, fields, defaults)

    def fleet_alert_channel(self, **fields: Any) -> AlertChannel:
        n = self._n("fleet_alert_channels")
        defaults: Record = {"name": f"Channel {n}", "type": "email", "config": {}}
        return self._add("fleet_alert_channels", AlertChannel, fields, defaults)

    def fleet_upload_session(
        self, recording: Ref, files: Mapping[str, int], **fields: Any
    ) -> UploadSession:
        """An open upload session of `recording` for `files` (path -> size), none confirmed."""
        uid = str(fields.pop("uid", uuid.uuid4()))
        table = [{"path": p, "size_bytes": size, "etag": None} for p, size in files.items()]
        defaults: Record = {
            "uid": uid,
            "recording_uid": _uid(recording),
            "status": "initiated",
            "total_files": len(table),
            "total_bytes": sum(files.values()),
            "confirmed_files": 0,
            "confirmed_bytes": 0,
            "s3_prefix": f"fleet/recordings/{_uid(recording)}/uploads/{uid}/",
            "storage_config_uid": None,
            "files": table,
        }
        stored = ["recording_uid", "status", "storage_config_uid", "files"]
        return self._add(
            "fleet_upload_sessions", UploadSession, fields, defaults, stored_only=stored
        )

    def inference_provider(self, **fields: Any) -> InferenceProvider:
        defaults: Record = {
            "name": f"Provider {self._n('inference_providers')}",
            "description": "",
            "provider_type": "openai",
            "config": {"url": "https://inference.example.com"},
            "is_active": True,
        }
        return self._add("inference_providers", InferenceProvider, fields, defaults)

    # --- organizations -------------------------------------------------------------------------

    def organization(self, **fields: Any) -> Organization:
        n = self._n("organizations")
        defaults: Record = {
            "name": f"Organization {n}",
            "slug": f"organization-{n}",
            "visibility": "private",
        }
        view = lambda org: orgs.org_view(self._store, org)  # noqa: E731
        return self._add("organizations", Organization, fields, defaults, view=view)

    def organization_member(self, organization: Ref, **fields: Any) -> OrganizationMember:
        n = self._n("organizations_members")
        defaults: Record = {
            "organization": _uid(organization),
            "user_uid": str(uuid.uuid4()),
            "username": f"user-{n}",
            "email": f"user-{n}@example.com",
            "full_name": f"User {n}",
            "picture": None,
            "role": "member",
        }
        return self._add(
            "organizations_members",
            OrganizationMember,
            fields,
            defaults,
            stored_only=["organization"],
        )

    def invitation(self, organization: Ref, **fields: Any) -> Invitation:
        expires = datetime.now(UTC) + timedelta(days=7)
        defaults: Record = {
            "organization": _uid(organization),
            "invited_email": f"invitee-{self._n('organizations_invitations')}@example.com",
            "role": "member",
            "status": "pending",
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        return self._add(
            "organizations_invitations",
            Invitation,
            fields,
            defaults,
            view=orgs.invitation_view,
            stored_only=["organization"],
        )

    def team(self, organization: Ref, **fields: Any) -> Team:
        n = self._n("organizations_teams")
        org_uid = _uid(organization)
        defaults: Record = {"organization": org_uid, "name": f"Team {n}", "slug": f"team-{n}"}
        defaults |= {"description": "", "color": None}
        org = self._store.get("organizations", org_uid) or {"uid": org_uid}
        view = lambda team: orgs.team_view(self._store, org, team)  # noqa: E731
        return self._add(
            "organizations_teams", Team, fields, defaults, view=view, stored_only=["organization"]
        )

    def team_member(self, team: Ref, user_uid: str, **fields: Any) -> TeamMember:
        """`user_uid` joins `team`; their name and email come from their organization membership."""
        team_record = self._store.get("organizations_teams", _uid(team)) or {}
        org_uid = str(team_record.get("organization"))
        defaults: Record = {"team": _uid(team), "user_uid": user_uid, "role": "member"}
        view = lambda m: orgs.team_member_view(self._store, org_uid, m)  # noqa: E731
        return self._add(
            "organizations_team_members",
            TeamMember,
            fields,
            defaults,
            view=view,
            stored_only=["team"],
        )

    # --- quality, slices, storage, webhooks ----------------------------------------------------

    def quality_target(self, project: Ref, **fields: Any) -> QualityTarget:
        defaults: Record = {
            "project": _uid(project),
            "name": f"Target {self._n('quality_targets')}",
            "metric": "accuracy",
            "operator": "gte",
            "threshold": 0.9,
            "severity": "warning",
            "notify_emails": [],
        }
        return self._add(
            "quality_targets", QualityTarget, fields, defaults, stored_only=["project"]
        )

    def quality_metrics(self, project: Ref, **metrics: float) -> None:
        """The current metric values `quality_targets.evaluate` reads (a missing one is 0.0)."""
        self._store.insert("quality_targets_metrics", {"uid": _uid(project), "metrics": metrics})

    def slice(self, *, items: Iterable[Ref] = (), **fields: Any) -> Slice:
        """A slice holding `items` (dataset items, seeded first, given by uid or model)."""
        n = self._n("slices")
        members = [self._store.get("datasets_items", _uid(i)) for i in items]
        found = [m for m in members if m is not None]
        defaults: Record = {
            "name": f"Slice {n}",
            "slug": f"slice-{n}",
            "owner_name": CALLER,
            "visibility": "private",
            "status": "ready",
            "item_count": len(found),
        }
        made = self._add("slices", Slice, fields, defaults)
        self._store.insert("slices_members", {"uid": made.uid, "items": found})
        return made

    def storage_config(self, **fields: Any) -> StorageConfig:
        n = self._n("storage_configs")
        defaults: Record = {
            "name": f"Storage {n}",
            "provider": "aws_s3",
            "s3_bucket_name": f"bucket-{n}",
            "s3_is_accelerated": False,
            "is_verified": False,
            "organization": None,
        }
        return self._add(
            "storage_configs", StorageConfig, fields, defaults, stored_only=["organization"]
        )

    def webhook(self, **fields: Any) -> Webhook:
        defaults: Record = {
            "target_url": f"https://hooks.example.com/{self._n('webhooks')}",
            "events": ["export.completed"],
            "is_active": True,
            "secret": f"whsec_{uuid.uuid4().hex}",
        }
        return self._add("webhooks", Webhook, fields, defaults)

    def webhook_delivery(self, webhook: Ref, **fields: Any) -> WebhookDelivery:
        defaults: Record = {
            "subscription": _uid(webhook),
            "event_type": "export.completed",
            "payload": {},
            "response_status": 200,
            "attempts": 1,
            "status": "delivered",
        }
        return self._add("webhook_deliveries", WebhookDelivery, fields, defaults)


RAW_DEFAULTS: dict[str, Callable[[int], Record]] = {
    "projects": lambda n: {"name": f"Project {n}", "status": "active"},
    "datasets": lambda n: {
        "name": f"Dataset {n}",
        "slug": f"dataset-{n}",
        "item_count": 0,
        "owner_name": CALLER,
        "status": "created",
        "data_type": "image",
        "is_sequence": False,
        "predefined_labels": None,
        "visibility": "private",
    },
    "tasks": lambda n: (
        {"type": "annotation", "name": f"Task {n}", "status": "pending"} | {"project": None}
    ),
    "exports": lambda n: (
        {"status": "pending", "download_url": None, "project": None} | {"dataset": None}
    ),
}
"""Default records of the resources `FakeAvala.add_*` seed, by their sequence number."""
