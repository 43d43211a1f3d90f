"""`fake.seed`: typed seeding, one method per collection of the fake.

Each method stores a record with defaults for every field the model needs, overridden by
keyword, and returns it decoded by the SDK's own converter: the model a client reading it
would get. Override names are checked against the model, so a typo fails at the seed call
instead of being stored and ignored. The defaults are data (`Kind` values below); the
routes never import this module, so the fake stays an independent oracle of the wire format.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from returns.pipeline import is_successful

from avala import types as t
from avala._decode import structure
from avala.types._common import to_plain

from ._routes import organizations as orgs
from ._routes.manual_uploads import object_key
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


def _uid(ref: Ref | None) -> str | None:
    return ref if ref is None or isinstance(ref, str) else ref.uid


def _plain(value: Any) -> Any:
    """A keyword value as JSON: datetimes as ISO-8601, models' tuples and maps as lists/dicts."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return to_plain(value)


def _as_stored(store: Store, record: Record) -> Record:
    return record


class Kind(Generic[M]):
    """How to seed one collection: its model, the defaults of a record (`{n}` in a string is
    the record's number, a callable is called), the stored keys that are no field of the
    model (a parent's uid, say) but may be overridden, and the view turning a stored record
    into the body the API answers with."""

    def __init__(
        self,
        collection: str,
        model: type[M],
        *stored_only: str,
        view: Callable[[Store, Record], Record] = _as_stored,
        **defaults: Any,
    ) -> None:
        self.collection, self.model, self.view = collection, model, view
        self.stored_only, self._defaults = stored_only, defaults

    def defaults(self, n: int) -> Record:
        """The defaults of the `n`-th record of the collection."""
        return {k: _default(v, n) for k, v in self._defaults.items()}


def _default(value: Any, n: int) -> Any:
    if callable(value):
        return value()
    return value.format(n=n) if isinstance(value, str) else copy.deepcopy(value)


def _team_view(store: Store, team: Record) -> Record:
    org = store.get("organizations", team["organization"]) or {"uid": team["organization"]}
    return orgs.team_view(store, org, team)


def _team_member_view(store: Store, member: Record) -> Record:
    team = store.get("organizations_teams", member["team"]) or {}
    return orgs.team_member_view(store, str(team.get("organization")), member)


def _expiry() -> str:
    return (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# fmt: off
PROJECT = Kind("projects", t.Project, name="Project {n}", status="active")
DATASET = Kind("datasets", t.Dataset, name="Dataset {n}", slug="dataset-{n}", item_count=0,
               owner_name=CALLER, status="created", data_type="image", is_sequence=False,
               predefined_labels=None, visibility="private")
TASK = Kind("tasks", t.Task, type="annotation", name="Task {n}", status="pending", project=None)
EXPORT = Kind("exports", t.Export, "project", "dataset", status="pending", download_url=None,
              project=None, dataset=None)
DATASET_ITEM = Kind("datasets_items", t.DatasetItem, key="item-{n}.jpg")
SEQUENCE = Kind("datasets_sequences", t.DatasetSequence, "dataset_uid", key="sequence-{n}",
                status="ready")
QUOTA = Kind("datasets_quotas", t.UploadQuota, "uid")
AGENT = Kind("agents", t.Agent, name="Agent {n}", events=[], is_active=True, task_types=[],
             secret=lambda: f"agsec_{uuid.uuid4().hex}",
             execution_stats={"total": 0, "succeeded": 0, "failed": 0})
EXECUTION = Kind("agents_executions", t.AgentExecution, event_type="task.completed",
                 status="completed")
ISSUE = Kind("annotation_issues", t.AnnotationIssue, status="open", priority="medium",
             severity="minor", closed_at=None,
             reporter={"username": CALLER, "type": "customer", "is_staff": False})
QC_TOOL = Kind("annotation_issues_tools", t.AnnotationIssueToolDetail, name="Tool {n}",
               dataset_type="image", default=False, problems=[])
AUTO_LABEL_JOB = Kind("auto_label_jobs", t.AutoLabelJob, "project", status="pending",
                      model_type="default")
CONSENSUS_CONFIG = Kind("consensus_configs", t.ConsensusConfig, "project", iou_threshold=0.5,
                        min_agreement_ratio=0.5, min_annotations=2)
CONSENSUS_SCORE = Kind("consensus_scores", t.ConsensusScore, "project",
                       dataset_item_uid="item-{n}", task_name="annotation", score_type="iou",
                       score=1.0, annotator_count=2)
DEVICE = Kind("fleet_devices", t.Device, name="Device {n}", type="vehicle", status="offline",
              tags=[], metadata={})
RECORDING = Kind("fleet_recordings", t.Recording, status="uploaded", tags=[])
EVENT = Kind("fleet_events", t.FleetEvent, label="event-{n}", type="marker", timestamp=now_iso,
             severity="info", tags=[], metadata={})
RULE = Kind("fleet_rules", t.Rule, name="Rule {n}", description="", enabled=True, condition={},
            actions=[], hit_count=0)
ALERT = Kind("fleet_alerts", t.Alert, status="open", severity="warning", message="Alert {n}",
             triggered_at=now_iso)
CHANNEL = Kind("fleet_alert_channels", t.AlertChannel, name="Channel {n}", type="email",
               config={})
UPLOAD_SESSION = Kind("fleet_upload_sessions", t.UploadSession, "recording_uid", "status",
                      "storage_config_uid", "files", status="initiated", confirmed_files=0,
                      confirmed_bytes=0)
PROVIDER = Kind("inference_providers", t.InferenceProvider, name="Provider {n}", description="",
                provider_type="openai", config={"url": "https://inference.example.com"},
                is_active=True)
ORGANIZATION = Kind("organizations", t.Organization, view=orgs.org_view,
                    name="Organization {n}", slug="organization-{n}", visibility="private")
MEMBER = Kind("organizations_members", t.OrganizationMember, "organization",
              user_uid=lambda: str(uuid.uuid4()), username="user-{n}",
              email="user-{n}@example.com", full_name="User {n}", picture=None, role="member")
INVITATION = Kind("organizations_invitations", t.Invitation, "organization",
                  view=lambda store, invitation: orgs.invitation_view(invitation),
                  invited_email="invitee-{n}@example.com", role="member", status="pending",
                  expires_at=_expiry)
TEAM = Kind("organizations_teams", t.Team, "organization", view=_team_view, name="Team {n}",
            slug="team-{n}", description="", color=None)
TEAM_MEMBER = Kind("organizations_team_members", t.TeamMember, "team", view=_team_member_view,
                   role="member")
QUALITY_TARGET = Kind("quality_targets", t.QualityTarget, "project", name="Target {n}",
                      metric="accuracy", operator="gte", threshold=0.9, severity="warning",
                      notify_emails=[])
SLICE = Kind("slices", t.Slice, name="Slice {n}", slug="slice-{n}", owner_name=CALLER,
             visibility="private", status="ready")
STORAGE_CONFIG = Kind("storage_configs", t.StorageConfig, "organization", name="Storage {n}",
                      provider="aws_s3", s3_bucket_name="bucket-{n}", s3_is_accelerated=False,
                      is_verified=False, organization=None)
WEBHOOK = Kind("webhooks", t.Webhook, target_url="https://hooks.example.com/{n}",
               events=["export.completed"], is_active=True,
               secret=lambda: f"whsec_{uuid.uuid4().hex}")
DELIVERY = Kind("webhook_deliveries", t.WebhookDelivery, event_type="export.completed",
                payload={}, response_status=200, attempts=1, status="delivered")
# fmt: on
RAW: dict[str, Kind[Any]] = {k.collection: k for k in (PROJECT, DATASET, TASK, EXPORT)}
"""The kinds `FakeAvala.add_*` and `fake.seed(projects=, ...)` store as raw records."""


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

    def record(self, collection: str, **fields: Any) -> Record:
        """The raw form of `project`, `dataset`, `task` and `export`: the stored dict (what the
        `add_*` helpers of FakeAvala return)."""
        defaults = RAW[collection].defaults(self._store.count(collection) + 1)
        return self._store.insert(collection, {**defaults, **fields})

    def _add(self, kind: Kind[M], fields: Mapping[str, Any], **parents: Any) -> M:
        """Store the defaults of `kind`, then `parents` (keys the caller does not name), then
        `fields`, and return the record decoded as the model; a bad override stores nothing."""
        model = kind.model
        known = {f.name for f in dataclasses.fields(model)} | set(kind.stored_only)  # type: ignore[arg-type]
        unknown = sorted(set(fields) - known)
        if unknown:
            raise TypeError(
                f"{model.__name__} has no field {', '.join(map(repr, unknown))}; "
                f"the fields it can be seeded with are: {', '.join(sorted(known))}"
            )
        with self._store.lock:
            n = self._store.count(kind.collection) + 1
            record = {**kind.defaults(n), **parents, **_plain(dict(fields))}
            stored = self._store.insert(kind.collection, record)
            decoded = structure(kind.view(self._store, stored), model)
            if not is_successful(decoded):
                self._store.delete(kind.collection, stored["uid"])
                raise ValueError(
                    f"seeded record is not a valid {model.__name__}: {decoded.failure()}"
                )
        return decoded.unwrap()  # type: ignore[no-any-return]

    # --- projects, datasets, tasks, exports --------------------------------------------------

    def project(self, **fields: Any) -> t.Project:
        return self._add(PROJECT, fields)

    def dataset(self, **fields: Any) -> t.Dataset:
        return self._add(DATASET, fields)

    def dataset_statuses(self, dataset: Ref, *statuses: str) -> None:
        """Make the next GETs of `dataset` move it through `statuses`, one per GET."""
        self._store.insert("datasets_lifecycle", {"uid": _uid(dataset), "next": list(statuses)})

    def dataset_item(self, dataset: Ref, **fields: Any) -> t.DatasetItem:
        owner = self._store.get("datasets", str(_uid(dataset))) or {}
        return self._add(
            DATASET_ITEM,
            fields,
            dataset=_uid(dataset),
            dataset_owner_name=owner.get("owner_name"),
            dataset_slug=owner.get("slug"),
        )

    def dataset_sequence(self, dataset: Ref, **fields: Any) -> t.DatasetSequence:
        return self._add(SEQUENCE, fields, dataset_uid=_uid(dataset))

    def upload_quota(
        self,
        *,
        organization_uid: str | None = None,
        used: int = 0,
        limit: int = DEFAULT_QUOTA_BYTES,
    ) -> t.UploadQuota:
        """The manual-upload quota of an organization, or of the caller when None."""
        return self._add(QUOTA, {}, uid=organization_uid or "me", used=used, limit=limit)

    def manual_upload(
        self,
        dataset_name: str,
        path: str,
        content_length: int,
        *,
        organization_uid: str | None = None,
        dataset_upload_uid: str | None = None,
    ) -> None:
        """A file uploaded through a v1 presigned form POST, waiting to become part of a
        dataset (v2 uploads put real bytes in ``fake.objects``: see docs/testing.md)."""
        scope = organization_uid or "me"
        record: Record = {"scope": scope, "dataset_name": dataset_name, "method": "POST"}
        record |= {"path": path, "content_length": content_length}
        record["dataset_upload_uid"] = dataset_upload_uid
        record["key"] = object_key(self._store, scope, dataset_name, path)
        self._store.insert("datasets_uploads", record)

    def task(self, *, project: Ref | None = None, **fields: Any) -> t.Task:
        return self._add(TASK, fields, project=_uid(project))

    def export(
        self, *, project: Ref | None = None, dataset: Ref | None = None, **fields: Any
    ) -> t.Export:
        return self._add(EXPORT, fields, project=_uid(project), dataset=_uid(dataset))

    # --- agents, annotation issues, auto-label, consensus ------------------------------------

    def agent(self, **fields: Any) -> t.Agent:
        return self._add(AGENT, fields)

    def agent_execution(self, agent: Ref, **fields: Any) -> t.AgentExecution:
        return self._add(EXECUTION, fields, registration=_uid(agent))

    def annotation_issue(self, sequence: Ref, **fields: Any) -> t.AnnotationIssue:
        return self._add(ISSUE, fields, sequence_uid=_uid(sequence))

    def qc_tool(self, **fields: Any) -> t.AnnotationIssueToolDetail:
        """A tool of the QC catalogue; once one is seeded, the built-in catalogue is not served."""
        return self._add(QC_TOOL, fields)

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
        record: Record = {"uid": object_uuid, "dataset": _uid(dataset), "object_type": object_type}
        record |= {"dataset_item_uid": dataset_item_uid, "sequence_uid": sequence_uid}
        self._store.insert(
            "annotations_objects", {**record, "object_data": _plain(object_data or {})}
        )

    def auto_label_job(self, project: Ref, **fields: Any) -> t.AutoLabelJob:
        return self._add(AUTO_LABEL_JOB, fields, project=_uid(project))

    def consensus_config(self, project: Ref, **fields: Any) -> t.ConsensusConfig:
        return self._add(CONSENSUS_CONFIG, fields, project=_uid(project))

    def consensus_score(self, project: Ref, **fields: Any) -> t.ConsensusScore:
        return self._add(CONSENSUS_SCORE, fields, project=_uid(project))

    # --- fleet -------------------------------------------------------------------------------

    def fleet_device(self, **fields: Any) -> t.Device:
        return self._add(DEVICE, fields)

    def fleet_recording(self, *, device: Ref | None = None, **fields: Any) -> t.Recording:
        return self._add(RECORDING, fields, device=_uid(device))

    def fleet_event(
        self, recording: Ref, *, device: Ref | None = None, **fields: Any
    ) -> t.FleetEvent:
        """An event of `recording`, on the recording's device unless `device` is given."""
        owner = (self._store.get("fleet_recordings", str(_uid(recording))) or {}).get("device")
        return self._add(EVENT, fields, recording=_uid(recording), device=_uid(device) or owner)

    def fleet_rule(self, **fields: Any) -> t.Rule:
        return self._add(RULE, fields)

    def fleet_alert(self, **fields: Any) -> t.Alert:
        return self._add(ALERT, fields)

    def fleet_alert_channel(self, **fields: Any) -> t.AlertChannel:
        return self._add(CHANNEL, fields)

    def fleet_upload_session(
        self, recording: Ref, files: Mapping[str, int], **fields: Any
    ) -> t.UploadSession:
        """An open upload session of `recording` for `files` (path -> size), none confirmed."""
        uid, rec = str(fields.pop("uid", uuid.uuid4())), _uid(recording)
        table = [{"path": p, "size_bytes": size, "etag": None} for p, size in files.items()]
        return self._add(
            UPLOAD_SESSION,
            fields,
            uid=uid,
            recording_uid=rec,
            total_files=len(table),
            total_bytes=sum(files.values()),
            s3_prefix=f"fleet/sessions/{uid}/{rec}/",
            storage_config_uid=None,
            files=table,
        )

    def inference_provider(self, **fields: Any) -> t.InferenceProvider:
        return self._add(PROVIDER, fields)

    # --- organizations -------------------------------------------------------------------------

    def organization(self, **fields: Any) -> t.Organization:
        return self._add(ORGANIZATION, fields)

    def organization_member(self, organization: Ref, **fields: Any) -> t.OrganizationMember:
        return self._add(MEMBER, fields, organization=_uid(organization))

    def invitation(self, organization: Ref, **fields: Any) -> t.Invitation:
        return self._add(INVITATION, fields, organization=_uid(organization))

    def team(self, organization: Ref, **fields: Any) -> t.Team:
        return self._add(TEAM, fields, organization=_uid(organization))

    def team_member(self, team: Ref, user_uid: str, **fields: Any) -> t.TeamMember:
        """`user_uid` joins `team`; their name and email come from their organization membership."""
        return self._add(TEAM_MEMBER, fields, team=_uid(team), user_uid=user_uid)

    # --- quality, slices, storage, webhooks ----------------------------------------------------

    def quality_target(self, project: Ref, **fields: Any) -> t.QualityTarget:
        return self._add(QUALITY_TARGET, fields, project=_uid(project))

    def quality_metrics(self, project: Ref, **metrics: float) -> None:
        """The current metric values `quality_targets.evaluate` reads (a missing one is 0.0)."""
        self._store.insert("quality_targets_metrics", {"uid": _uid(project), "metrics": metrics})

    def slice(self, *, items: Iterable[Ref] = (), **fields: Any) -> t.Slice:
        """A slice holding `items` (dataset items, seeded first, given by uid or model)."""
        members = [self._store.get("datasets_items", str(_uid(i))) for i in items]
        found = [m for m in members if m is not None]
        made = self._add(SLICE, fields, item_count=len(found))
        self._store.insert("slices_members", {"uid": made.uid, "items": found})
        return made

    def storage_config(self, **fields: Any) -> t.StorageConfig:
        return self._add(STORAGE_CONFIG, fields)

    def webhook(self, **fields: Any) -> t.Webhook:
        return self._add(WEBHOOK, fields)

    def webhook_delivery(self, webhook: Ref, **fields: Any) -> t.WebhookDelivery:
        return self._add(DELIVERY, fields, subscription=_uid(webhook))
