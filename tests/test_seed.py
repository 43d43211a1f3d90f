"""Seeding the fake: unknown collections are refused, and `fake.seed.<resource>()` returns
exactly the model a client reading the record gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from avala import Client
from avala.testing import COLLECTIONS, FakeAvala, Store, UnknownCollectionError
from avala.types import Recording

# (seed, read back through the SDK): the seed's return value must equal what the client gets.
Seed = Callable[[FakeAvala], Any]
Read = Callable[[Client, Any], Any]


def _org(fake: FakeAvala) -> Any:
    return fake.seed.organization(slug="acme")


def _team(fake: FakeAvala) -> Any:
    return fake.seed.team(_org(fake), name="Perception", slug="perception")


def _ds(fake: FakeAvala) -> Any:
    return fake.seed.dataset(owner_name="acme", slug="cars")


def _recording(fake: FakeAvala) -> Any:
    return fake.seed.fleet_recording(device=fake.seed.fleet_device())


CASES: dict[str, tuple[Seed, Read]] = {
    "project": (lambda f: f.seed.project(name="P"), lambda c, m: c.projects.get(m.uid)),
    "dataset": (lambda f: f.seed.dataset(), lambda c, m: c.datasets.get(m.uid)),
    "dataset_item": (
        lambda f: f.seed.dataset_item(_ds(f), key="a.jpg"),
        lambda c, m: c.datasets.get_item("acme", "cars", m.uid),
    ),
    "dataset_sequence": (
        lambda f: f.seed.dataset_sequence(_ds(f)),
        lambda c, m: c.datasets.get_sequence("acme", "cars", m.uid),
    ),
    "upload_quota": (
        lambda f: f.seed.upload_quota(organization_uid="org-1", used=5, limit=9),
        lambda c, m: c.datasets.manual_upload_quota(organization_uid="org-1"),
    ),
    "task": (lambda f: f.seed.task(project=f.seed.project()), lambda c, m: c.tasks.get(m.uid)),
    "export": (
        lambda f: f.seed.export(status="exported", download_url="https://x.example/e.zip"),
        lambda c, m: c.exports.get(m.uid),
    ),
    "agent": (
        lambda f: f.seed.agent(callback_url="https://a.example"),
        lambda c, m: c.agents.get(m.uid),
    ),
    "agent_execution": (
        lambda f: f.seed.agent_execution(f.seed.agent(uid="ag-1")),
        lambda c, m: c.agents.list_executions("ag-1").map(lambda page: page.items[0]),
    ),
    "annotation_issue": (
        lambda f: f.seed.annotation_issue(f.seed.dataset_sequence(_ds(f), uid="seq-1")),
        lambda c, m: c.annotation_issues.list_by_sequence("seq-1").map(lambda items: items[0]),
    ),
    "qc_tool": (
        lambda f: f.seed.qc_tool(dataset_type="video", problems=[{"uid": "p", "title": "T"}]),
        lambda c, m: c.annotation_issues.list_tools(dataset_type="video").map(lambda t: t[0]),
    ),
    "auto_label_job": (
        lambda f: f.seed.auto_label_job(f.seed.project(), status="completed"),
        lambda c, m: c.auto_label_jobs.get(m.uid),
    ),
    "consensus_config": (
        lambda f: f.seed.consensus_config(f.seed.project(uid="p-1"), min_annotations=3),
        lambda c, m: c.consensus.get_config("p-1"),
    ),
    "consensus_score": (
        lambda f: f.seed.consensus_score(f.seed.project(uid="p-1"), score=0.25),
        lambda c, m: c.consensus.list_scores("p-1").map(lambda page: page.items[0]),
    ),
    "fleet_device": (
        lambda f: f.seed.fleet_device(tags=("a",)),
        lambda c, m: c.fleet.devices.get(m.uid),
    ),
    "fleet_recording": (_recording, lambda c, m: c.fleet.recordings.get(m.uid)),
    "fleet_event": (
        lambda f: f.seed.fleet_event(_recording(f)),
        lambda c, m: c.fleet.events.get(m.uid),
    ),
    "fleet_rule": (lambda f: f.seed.fleet_rule(), lambda c, m: c.fleet.rules.get(m.uid)),
    "fleet_alert": (lambda f: f.seed.fleet_alert(), lambda c, m: c.fleet.alerts.get(m.uid)),
    "fleet_alert_channel": (
        lambda f: f.seed.fleet_alert_channel(),
        lambda c, m: c.fleet.alert_channels.list().map(lambda page: page.items[0]),
    ),
    "inference_provider": (
        lambda f: f.seed.inference_provider(),
        lambda c, m: c.inference_providers.get(m.uid),
    ),
    "organization": (_org, lambda c, m: c.organizations.get("acme")),
    "organization_member": (
        lambda f: f.seed.organization_member(_org(f), role="admin"),
        lambda c, m: c.organizations.list_members("acme").map(lambda page: page.items[0]),
    ),
    "invitation": (
        lambda f: f.seed.invitation(_org(f)),
        lambda c, m: c.organizations.list_invitations("acme").map(lambda page: page.items[0]),
    ),
    "team": (_team, lambda c, m: c.organizations.get_team("acme", "perception")),
    "team_member": (
        lambda f: f.seed.team_member(
            _team(f), f.seed.organization_member(f.store.all("organizations")[0]["uid"]).user_uid
        ),
        lambda c, m: c.organizations.list_team_members("acme", "perception").map(
            lambda page: page.items[0]
        ),
    ),
    "quality_target": (
        lambda f: f.seed.quality_target(f.seed.project(uid="p-1"), threshold=0.5),
        lambda c, m: c.quality_targets.get("p-1", m.uid),
    ),
    "slice": (
        lambda f: f.seed.slice(owner_name="acme", slug="s", items=[f.seed.dataset_item(_ds(f))]),
        lambda c, m: c.slices.get("acme", "s"),
    ),
    "storage_config": (
        lambda f: f.seed.storage_config(),
        lambda c, m: c.storage_configs.get(m.uid),
    ),
    "webhook": (lambda f: f.seed.webhook(), lambda c, m: c.webhooks.get(m.uid)),
    "webhook_delivery": (
        lambda f: f.seed.webhook_delivery(f.seed.webhook()),
        lambda c, m: c.webhook_deliveries.get(m.uid),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_seeded_model_is_what_the_client_reads(
    name: str, fake: FakeAvala, client: Client
) -> None:
    seed, read = CASES[name]
    seeded = seed(fake)
    assert type(seeded).__name__ != "dict"
    assert client.run(read(client, seeded)).unwrap() == seeded


def test_every_collection_of_the_store_can_be_seeded(fake: FakeAvala) -> None:
    for seed, _ in CASES.values():
        seed(fake)
    fake.seed.dataset_statuses(fake.seed.dataset(), "creating", "created")
    fake.seed.manual_upload("roads", "a.png", 10)
    fake.seed.annotation_object(fake.seed.dataset(), "obj-1")
    fake.seed.fleet_upload_session(fake.seed.fleet_recording(), {"a.bin": 3})
    fake.seed.quality_metrics(fake.seed.project(), accuracy=0.9)
    fake.publish_revision("acme", "nav", {"a.bin": b"a"})
    fake.store.insert("users", {"email": "new@example.com"})
    fake.store.insert("fleet_managed_sessions", {"recording_uid": "r", "files": []})
    assert [c for c in COLLECTIONS if fake.store.count(c) == 0] == []


def test_seeded_parents_are_found_by_the_routes(fake: FakeAvala, client: Client) -> None:
    """The parent keys the seeder writes are the ones the routes read."""
    recording = _recording(fake)
    event = fake.seed.fleet_event(recording)
    page = client.run(client.fleet.events.list(recording_id=recording.uid)).unwrap()
    assert [e.uid for e in page] == [event.uid] and event.device == recording.device
    project = fake.seed.project()
    target = fake.seed.quality_target(project, metric="iou", threshold=0.8)
    fake.seed.quality_metrics(project, iou=0.5)
    (evaluation,) = client.run(client.quality_targets.evaluate(project.uid)).unwrap()
    assert (evaluation.uid, evaluation.current_value, evaluation.is_breached) == (
        target.uid,
        0.5,
        True,
    )
    dataset = fake.seed.dataset()
    fake.seed.dataset_statuses(dataset, "creating", "created")
    statuses = [client.run(client.datasets.get(dataset.uid)).unwrap().status for _ in range(3)]
    assert statuses == ["creating", "created", "created"]


def test_an_unknown_field_is_refused_naming_it_and_nothing_is_stored(fake: FakeAvala) -> None:
    with pytest.raises(TypeError, match="'recording_id'") as caught:
        fake.seed.fleet_recording(recording_id="r-1")
    assert "device" in str(caught.value)  # it lists the fields that are allowed
    assert fake.store.count("fleet_recordings") == 0


def test_a_value_of_the_wrong_type_is_refused_and_nothing_is_stored(fake: FakeAvala) -> None:
    with pytest.raises(ValueError, match="Project"):
        fake.seed.project(name=42)
    assert fake.store.count("projects") == 0


def test_bulk_seeding_still_spreads_tasks_over_projects(fake: FakeAvala) -> None:
    made = fake.seed(projects=2, tasks=3)
    owners = [t["project"] for t in made["tasks"]]
    uids = [p["uid"] for p in made["projects"]]
    assert owners == [uids[0], uids[1], uids[0]]


def test_a_recording_seeded_through_the_typed_helper_is_served(
    fake: FakeAvala, client: Client
) -> None:
    recording = fake.seed.fleet_recording(uid="rec-1", duration_seconds=12.5)
    assert isinstance(recording, Recording)
    assert client.run(client.fleet.recordings.get("rec-1")).unwrap().duration_seconds == 12.5


@pytest.mark.parametrize(
    "use",
    [
        lambda s: s.insert("recordings", {"uid": "r-1"}),
        lambda s: s.get("recordings", "r-1"),
        lambda s: s.all("recordings"),
        lambda s: s.where("recordings", device="d"),
        lambda s: s.update("recordings", "r-1", {}),
        lambda s: s.delete("recordings", "r-1"),
        lambda s: s.count("recordings"),
    ],
)
def test_an_unknown_collection_is_refused_listing_the_valid_ones(use: Any) -> None:
    store = Store()
    with pytest.raises(UnknownCollectionError) as caught:
        use(store)
    message = str(caught.value)
    assert "'recordings'" in message and "Did you mean 'fleet_recordings'?" in message
    assert all(name in message for name in COLLECTIONS)
    assert isinstance(caught.value, KeyError)


def test_the_fake_serves_a_record_inserted_under_the_name_the_error_suggests(
    fake: FakeAvala, client: Client
) -> None:
    with pytest.raises(UnknownCollectionError):
        fake.store.insert("recordings", {"uid": "rec-1"})
    fake.store.insert("fleet_recordings", {"uid": "rec-1"})
    assert client.run(client.fleet.recordings.get("rec-1")).unwrap().uid == "rec-1"
