"""Bulk edits: built whole up front, sent chunk after chunk, stopped by the first failure."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pyrsistent import freeze
from returns.result import Success

from avala import AsyncClient, Client, RetryPolicy
from avala._wire import WireRequest, WireResponse
from avala.errors import NotFoundError, ServerError, ValidationError
from avala.resources import Annotations
from avala.testing import FakeAvala, Fault

PATH = "/datasets/acme/drive/bulk-edition/"
FAST_RETRY = RetryPolicy(backoff_initial=0.001, backoff_max=0.01, retry_after_max=0.05)


def edit(n: int, action: str = "create", **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "action": action,
        "object_uuid": f"obj-{n}",
        "object_type": "cuboid",
        "dataset_item_uid": "item-1",
    }
    if action != "delete":
        record["object_data"] = {"label": "car", "n": n}
    return {**record, **fields}


@pytest.fixture
def dataset(fake: FakeAvala) -> dict[str, Any]:
    return fake.add_dataset(owner_name="acme", slug="drive")


def posts(fake: FakeAvala) -> list[Any]:
    return [r for r in fake.requests if r.method == "POST"]


def test_edits_go_in_ordered_chunks_and_each_answer_is_kept(
    client: Client, fake: FakeAvala, dataset: dict[str, Any]
) -> None:
    edits = [edit(n) for n in range(5)]

    result = client.run(client.annotations.bulk_edit("acme", "drive", edits, chunk_size=2))

    sent = posts(fake)
    assert [(r.path, r.body) for r in sent] == [
        (PATH, edits[0:2]),
        (PATH, edits[2:4]),
        (PATH, edits[4:5]),
    ]
    assert result == Success(
        (
            (0, freeze({"processed": 2, "created": 2, "updated": 0, "deleted": 0})),
            (1, freeze({"processed": 2, "created": 2, "updated": 0, "deleted": 0})),
            (2, freeze({"processed": 1, "created": 1, "updated": 0, "deleted": 0})),
        )
    )
    stored = fake.store.get("annotations_objects", "obj-4")
    assert stored is not None and stored["object_data"] == {"label": "car", "n": 4}


def test_default_chunk_size_is_500(
    client: Client, fake: FakeAvala, dataset: dict[str, Any]
) -> None:
    edits = [edit(n) for n in range(501)]
    result = client.run(client.annotations.bulk_edit("acme", "drive", iter(edits)))
    assert [len(r.body) for r in posts(fake)] == [500, 1]
    assert [index for index, _ in result.unwrap()] == [0, 1]


def test_the_first_failing_chunk_is_the_failure_and_later_chunks_are_not_sent(
    client: Client, fake: FakeAvala, dataset: dict[str, Any]
) -> None:
    edits = [
        edit(1),
        edit(1, action="update", object_data={"label": "bus"}),  # chunk 0: create, then update
        edit(3),
        edit(9, action="delete"),  # chunk 1: obj-9 does not exist
        edit(4),
    ]

    result = client.run(client.annotations.bulk_edit("acme", "drive", edits, chunk_size=2))

    error = result.failure()
    assert isinstance(error, ValidationError)
    # The server reports per edit of the failing chunk; index 1 of chunk 1 is edits[3].
    assert [d.field for d in error.details] == ["1.object_uuid"]
    assert [r.body for r in posts(fake)] == [edits[0:2], edits[2:4]]  # chunk 2 never sent
    first = fake.store.get("annotations_objects", "obj-1")
    assert first is not None and first["object_data"] == {"label": "bus"}
    assert fake.store.get("annotations_objects", "obj-3") is None  # chunk 1 applied nothing


def test_an_unknown_dataset_fails_on_the_first_chunk(client: Client, fake: FakeAvala) -> None:
    result = client.run(
        client.annotations.bulk_edit("acme", "nope", [edit(1), edit(2)], chunk_size=1)
    )
    assert isinstance(result.failure(), NotFoundError)
    assert [r.path for r in posts(fake)] == ["/datasets/acme/nope/bulk-edition/"]


def test_a_server_error_mid_way_keeps_its_type(
    client: Client, fake: FakeAvala, dataset: dict[str, Any]
) -> None:
    fake.inject(Fault.status(200), Fault.status(500), method="POST", path=PATH)
    result = client.run(
        client.annotations.bulk_edit("acme", "drive", [edit(n) for n in range(3)], chunk_size=1)
    )
    assert isinstance(result.failure(), ServerError)
    assert len(posts(fake)) == 2  # a POST is not retried on 500, and chunk 2 never goes


def test_no_edits_sends_nothing(client: Client, fake: FakeAvala) -> None:
    assert client.run(client.annotations.bulk_edit("acme", "drive", [])) == Success(())
    assert fake.requests == []


def test_the_request_is_a_value_built_from_the_edits_once() -> None:
    annotations = Annotations()
    made = annotations.bulk_edit("acme", "drive", (edit(n) for n in range(3)), chunk_size=2)
    again = annotations.bulk_edit("acme", "drive", [edit(n) for n in range(3)], chunk_size=2)
    assert made == again and hash(made) == hash(again)
    assert made != annotations.bulk_edit("acme", "drive", [edit(0)], chunk_size=2)


def test_building_refuses_bad_arguments() -> None:
    annotations = Annotations()
    with pytest.raises(ValueError, match="chunk_size"):
        annotations.bulk_edit("acme", "drive", [edit(1)], chunk_size=0)
    with pytest.raises(ValueError, match="chunk_size"):
        annotations.bulk_edit("acme", "drive", [], chunk_size=-1)
    with pytest.raises(TypeError, match="chunk_size"):
        annotations.bulk_edit("acme", "drive", [edit(1)], chunk_size=True)
    with pytest.raises(TypeError, match=r"edits\[1\]"):
        annotations.bulk_edit("acme", "drive", [edit(1), "not an edit"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"edits\[0\]"):
        annotations.bulk_edit("acme", "drive", [{"object_data": object()}])
    with pytest.raises(TypeError, match="edits"):
        annotations.bulk_edit("acme", "drive", edit(1))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        annotations.bulk_edit("acme", "", [])


class RecordingTransport:
    """Answers every POST 200 with the chunk's length, remembering bodies in order."""

    def __init__(self) -> None:
        self.bodies: list[list[dict[str, Any]]] = []

    def send(self, request: WireRequest) -> WireResponse:
        assert request.body is not None
        body = json.loads(request.body)
        self.bodies.append(body)
        answer = json.dumps({"processed": len(body)}).encode()
        return WireResponse(200, {"content-type": "application/json"}, answer)

    def close(self) -> None:
        pass


def test_thousands_of_chunks_run_in_order_without_deep_nesting() -> None:
    transport = RecordingTransport()
    edits = [edit(n) for n in range(3000)]
    with Client(api_key="k", transport=transport) as client:
        result = client.run(client.annotations.bulk_edit("acme", "drive", edits, chunk_size=1))
    assert [index for index, _ in result.unwrap()] == list(range(3000))
    assert [b[0]["object_uuid"] for b in transport.bodies] == [f"obj-{n}" for n in range(3000)]


def test_async_client_keeps_chunk_order_too(fake: FakeAvala, dataset: dict[str, Any]) -> None:
    fake.latency = 0.01
    edits = [edit(n) for n in range(6)]

    async def main() -> Any:
        async with AsyncClient(retry_policy=FAST_RETRY, timeout=5.0) as client:
            return await client.run(
                client.annotations.bulk_edit("acme", "drive", edits, chunk_size=2)
            )

    result = asyncio.run(main())
    assert [index for index, _ in result.unwrap()] == [0, 1, 2]
    assert [r.body for r in posts(fake)] == [edits[0:2], edits[2:4], edits[4:6]]
