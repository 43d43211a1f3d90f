"""exports: what create sends for each target and the targets it refuses at build time; a
failed export's wait is a typed Failure, and every poll is reported as an event, on both
clients, against FakeAvala over real HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avala import AsyncClient, Client, TerminalStatusError, WaitTimeoutError, gather
from avala.events import Event, PollTick
from avala.testing import FakeAvala, StubTransport, json_response
from avala.types import Export
from tests.conftest import FAST_RETRY


def _export_polls(fake: FakeAvala, uid: str) -> int:
    return sum(1 for r in fake.requests if (r.method, r.path) == ("GET", f"/exports/{uid}/"))


def test_wait_on_a_failed_export_is_a_terminal_status_error(
    client: Client, fake: FakeAvala
) -> None:
    project = fake.add_project()
    fake.export_failures = {project["uid"]}
    export = client.run(client.exports.create(project=project["uid"])).unwrap()

    error = client.run(client.exports.wait(export.uid, interval=0.01, timeout=30)).failure()

    assert isinstance(error, TerminalStatusError)
    assert isinstance(error.value, Export)
    assert (error.value.uid, error.value.status) == (export.uid, "failed")
    assert "failed" in str(error)
    assert _export_polls(fake, export.uid) == 2  # processing, then failed: no more polls


def test_wait_on_a_failed_export_on_async_client(fake: FakeAvala) -> None:
    project = fake.add_project()
    fake.export_failures = {project["uid"]}

    async def main() -> Any:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            export = (await client.run(client.exports.create(project=project["uid"]))).unwrap()
            return (await client.run(client.exports.wait(export.uid, interval=0.01))).failure()

    error = asyncio.run(main())
    assert isinstance(error, TerminalStatusError) and error.value.status == "failed"


def test_run_or_raise_raises_the_terminal_status_error(client: Client, fake: FakeAvala) -> None:
    project = fake.add_project()
    fake.export_failures = {project["uid"]}
    export = client.run_or_raise(client.exports.create(project=project["uid"]))
    with pytest.raises(TerminalStatusError) as caught:
        client.run_or_raise(client.exports.wait(export.uid, interval=0.01))
    assert caught.value.value.status == "failed"


def test_every_poll_of_a_wait_is_reported_with_attempt_elapsed_and_value(
    client: Client, fake: FakeAvala
) -> None:
    export = client.run_or_raise(client.exports.create(project=fake.add_project()["uid"]))
    events: list[Event] = []

    done = client.run(client.exports.wait(export.uid, interval=0.01), on_event=events.append)

    assert done.unwrap().status == "exported"
    assert all(isinstance(e, PollTick) and e.endpoint == "exports.get" for e in events)
    assert [e.attempt for e in events] == [1, 2]
    assert [e.value.status for e in events] == ["processing", "exported"]
    assert [e.value for e in events][-1] == done.unwrap()
    elapsed = [e.elapsed for e in events]
    assert 0 <= elapsed[0] <= elapsed[1] < 5
    assert _export_polls(fake, export.uid) == len(events)


def test_a_timed_out_wait_reports_its_one_poll(client: Client, fake: FakeAvala) -> None:
    export = client.run_or_raise(client.exports.create(project=fake.add_project()["uid"]))
    events: list[Event] = []
    result = client.run_raw(client.exports.wait(export.uid, timeout=0), on_event=events.append)
    assert isinstance(result.failure(), WaitTimeoutError)
    assert [(e.attempt, e.value.status) for e in events] == [(1, "processing")]


def test_waits_gathered_on_async_client_report_every_poll(fake: FakeAvala) -> None:
    project = fake.add_project()
    events: list[Event] = []

    async def main() -> tuple[Export, ...]:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            a = await client.run_or_raise(client.exports.create(project=project["uid"]))
            b = await client.run_or_raise(client.exports.create(project=project["uid"]))
            waits = gather(
                client.exports.wait(a.uid, interval=0.01), client.exports.wait(b.uid, interval=0.01)
            )
            return await client.run_or_raise(waits, on_event=events.append)

    done = asyncio.run(main())
    assert [e.status for e in done] == ["exported", "exported"]
    by_export = {e.uid: [t.attempt for t in events if t.value.uid == e.uid] for e in done}
    assert by_export == {done[0].uid: [1, 2], done[1].uid: [1, 2]}


def test_an_exception_in_the_callback_propagates(client: Client, fake: FakeAvala) -> None:
    export = client.run_or_raise(client.exports.create(project=fake.add_project()["uid"]))

    def broken(event: Event) -> None:
        raise RuntimeError("progress bar bug")

    with pytest.raises(RuntimeError, match="progress bar bug"):
        client.run(client.exports.wait(export.uid, interval=0.01), on_event=broken)
    assert _export_polls(fake, export.uid) == 1  # the first poll's event stopped the run


def test_waits_gathered_on_the_sync_client_report_every_poll(
    client: Client, fake: FakeAvala
) -> None:
    project = fake.add_project()["uid"]
    a, b = (client.run_or_raise(client.exports.create(project=project)) for _ in range(2))
    events: list[Event] = []
    waits = gather(
        client.exports.wait(a.uid, interval=0.01), client.exports.wait(b.uid, interval=0.01)
    )
    client.run_or_raise(waits, on_event=events.append)
    assert [(e.value.uid, e.attempt) for e in events] == [
        (a.uid, 1),
        (a.uid, 2),
        (b.uid, 1),
        (b.uid, 2),
    ]


statuses = st.sampled_from(["pending", "processing", "exported", "failed"])


@settings(max_examples=60, deadline=None)
@given(seen=st.lists(statuses, min_size=1, max_size=8))
def test_a_wait_ends_at_the_first_final_status_after_one_event_per_poll(seen: list[str]) -> None:
    answers = [json_response(200, {"uid": "e1", "status": s}) for s in [*seen, "exported"]]
    stub = StubTransport({("GET", "/exports/e1/"): answers})
    events: list[Event] = []
    with Client("k", transport=stub) as client:
        no_pause = dataclasses.replace(client.exports.wait("e1"), interval=0.0)  # type: ignore[type-var]
        result = client.run(no_pause, on_event=events.append)
    final = next(s for s in [*seen, "exported"] if s in ("exported", "failed"))
    polls = [*seen, "exported"].index(final) + 1
    assert len(stub.sent) == polls
    assert [(e.attempt, e.value.status) for e in events] == [
        (n, s) for n, s in enumerate([*seen, "exported"][:polls], 1)
    ]
    if final == "exported":
        assert result.unwrap().status == "exported"
    else:
        error = result.failure()
        assert isinstance(error, TerminalStatusError) and error.value.status == "failed"


@pytest.mark.parametrize(
    "targets", [("project",), ("dataset",), ("project", "dataset")], ids="+".join
)
def test_create_sends_the_targets_given(
    client: Client, fake: FakeAvala, targets: tuple[str, ...]
) -> None:
    seeded = {"project": fake.add_project()["uid"], "dataset": fake.add_dataset()["uid"]}
    chosen = {name: seeded[name] for name in targets}
    export = client.run(client.exports.create(**chosen)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("POST", "/exports/", chosen)
    assert export.status == "pending"


def test_create_without_a_target_is_refused_naming_both_arguments(client: Client) -> None:
    for call in (
        lambda: client.exports.create(),
        lambda: client.exports.create(project=None, dataset=None),
    ):
        with pytest.raises(ValueError, match=r"(?s)project=.*dataset="):
            call()


def test_async_client_refuses_it_too_and_sends_nothing(fake: FakeAvala) -> None:
    async def main() -> Export:
        async with AsyncClient() as client:
            with pytest.raises(ValueError, match=r"(?s)project=.*dataset="):
                client.exports.create()
            return (await client.run(client.exports.create(project=project))).unwrap()

    project = fake.add_project()["uid"]
    assert asyncio.run(main()).status == "pending"
    assert [(r.method, r.body) for r in fake.requests] == [("POST", {"project": project})]


@pytest.mark.parametrize(
    "kwargs",
    [{"project": ""}, {"project": "  "}, {"dataset": "\t"}, {"project": "p", "dataset": " "}],
    ids=repr,
)
def test_a_blank_target_is_refused_naming_it(client: Client, kwargs: dict[str, Any]) -> None:
    blank = next(name for name, value in kwargs.items() if not value.strip())
    with pytest.raises(ValueError, match=f"^{blank}"):
        client.exports.create(**kwargs)


def test_a_target_of_the_wrong_type_is_a_type_error(client: Client) -> None:
    with pytest.raises(TypeError, match=r"^project\b"):
        client.exports.create(project=7)  # type: ignore[arg-type]
