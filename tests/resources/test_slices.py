"""slices: every endpoint against FakeAvala over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import freeze

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.resources import Slices
from avala.testing import FakeAvala
from avala.types import Slice, SliceItem


def _field_names(error: object) -> set[str]:
    assert isinstance(error, ValidationError), error
    return {d.field for d in error.details}


@pytest.fixture
def cars(fake: FakeAvala) -> dict[str, Any]:
    dataset = fake.add_dataset(slug="cars", owner_name="fake-user")
    for n in range(3):
        fake.store.insert(
            "datasets_items",
            {
                "uid": f"item-{n}",
                "key": f"{n}.jpg",
                "dataset": dataset["uid"],
                "url": f"https://img.example/{n}.jpg",
            },
        )
    return dataset


def _seed_slice(fake: FakeAvala, owner: str, slug: str, **fields: Any) -> dict[str, Any]:
    return fake.store.insert(
        "slices", {"name": slug.title(), "slug": slug, "owner_name": owner, **fields}
    )


def test_list_is_owner_scoped_and_paginated(client: Client, fake: FakeAvala) -> None:
    for n in range(3):
        _seed_slice(fake, "acme", f"s{n}", item_count=n, visibility="private")
    _seed_slice(fake, "bob", "theirs")

    first = client.run(client.slices.list("acme", limit=2)).unwrap()
    second = client.run(client.slices.list("acme", limit=2, cursor=first.next_cursor)).unwrap()

    assert [(r.method, r.path) for r in fake.requests] == [("GET", "/slices/acme/list/")] * 2
    assert fake.requests[0].query == {"limit": ["2"]}
    assert fake.requests[1].query == {"limit": ["2"], "cursor": [first.next_cursor]}
    assert [(s.slug, s.item_count) for s in first] == [("s0", 0), ("s1", 1)]
    assert [s.slug for s in second] == ["s2"]
    assert second.next_cursor is None


def test_list_without_paging_arguments_sends_no_query(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.slices.list("nobody"))

    assert fake.requests[-1].query == {}
    assert result.unwrap().items == ()


def test_get(client: Client, fake: FakeAvala) -> None:
    seeded = _seed_slice(
        fake,
        "acme",
        "night",
        visibility="public",
        status="ready",
        organization={"uid": "org-1", "slug": "acme"},
        sub_slices=[{"dataset": "d1"}],
        source_data=[1, {"a": 2}],
        featured_slice_item_urls=None,
    )

    result = client.run(client.slices.get("acme", "night"))

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query, sent.body) == (
        "GET",
        "/slices/acme/night/",
        {},
        None,
    )
    assert result.unwrap() == Slice(
        uid=seeded["uid"],
        name="Night",
        slug="night",
        owner_name="acme",
        organization=freeze({"uid": "org-1", "slug": "acme"}),
        visibility="public",
        status="ready",
        sub_slices=(freeze({"dataset": "d1"}),),
        source_data=(1, {"a": 2}),
        featured_slice_item_urls=None,
    )


def test_get_under_other_owner_is_404(client: Client, fake: FakeAvala) -> None:
    _seed_slice(fake, "acme", "night")

    result = client.run(client.slices.get("bob", "night"))

    assert isinstance(result.failure(), NotFoundError)


def test_create_then_read_back(client: Client, fake: FakeAvala, cars: dict[str, Any]) -> None:
    sub_slices = ({"dataset": cars["uid"], "item_uids": ["item-0", "item-2"]},)

    result = client.run(
        client.slices.create(name="Night Drives", visibility="private", sub_slices=sub_slices)
    )

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == ("POST", "/slices/", {})
    assert sent.body == {
        "name": "Night Drives",
        "visibility": "private",
        "sub_slices": [{"dataset": cars["uid"], "item_uids": ["item-0", "item-2"]}],
    }
    created = result.unwrap()
    assert (created.name, created.slug, created.owner_name) == (
        "Night Drives",
        "night-drives",
        "fake-user",
    )
    assert created.item_count == 2
    assert created.sub_slices == (freeze(sub_slices[0]),)
    assert fake.store.create_count["slices"] == 1
    assert client.run(client.slices.get("fake-user", "night-drives")).unwrap() == created
    items = client.run(client.slices.list_items("fake-user", "night-drives")).unwrap()
    assert [i.uid for i in items] == ["item-0", "item-2"]


def test_create_for_organization_with_random_selection(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    fake.store.insert("organizations", {"uid": "org-1", "name": "Acme", "slug": "acme"})

    result = client.run(
        client.slices.create(
            name="Sample",
            visibility="public",
            sub_slices=[{"dataset": cars["uid"]}],
            organization="org-1",
            random_selection_count=1,
        )
    )

    assert fake.requests[-1].body == {
        "name": "Sample",
        "visibility": "public",
        "sub_slices": [{"dataset": cars["uid"]}],
        "organization": "org-1",
        "random_selection_count": 1,
    }
    created = result.unwrap()
    assert (created.owner_name, created.item_count) == ("acme", 1)
    assert created.organization is not None and created.organization["uid"] == "org-1"
    assert len(client.run(client.slices.list("acme")).unwrap()) == 1


def test_create_unknown_dataset_is_400(client: Client, fake: FakeAvala) -> None:
    result = client.run(
        client.slices.create(name="X", visibility="private", sub_slices=[{"dataset": "ghost"}])
    )

    error = result.failure()
    assert _field_names(error) == {"sub_slices"}
    assert fake.store.create_count["slices"] == 0


def test_create_bad_visibility_is_400(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    result = client.run(
        client.slices.create(name="X", visibility="secret", sub_slices=[{"dataset": cars["uid"]}])
    )

    assert _field_names(result.failure()) == {"visibility"}


def test_create_checks_arguments() -> None:
    slices = Slices()
    with pytest.raises(TypeError, match="sub_slices"):
        slices.create(name="x", visibility="private", sub_slices={"dataset": "d"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"sub_slices\[1\]"):
        slices.create(name="x", visibility="private", sub_slices=[{}, "d"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="random_selection_count"):
        slices.create(name="x", visibility="private", sub_slices=[], random_selection_count=0)
    with pytest.raises(ValueError, match="limit"):
        slices.list("acme", limit=0)


def test_list_items_and_get_item(client: Client, fake: FakeAvala, cars: dict[str, Any]) -> None:
    created = client.run(
        client.slices.create(
            name="All", visibility="private", sub_slices=[{"dataset": cars["uid"]}]
        )
    ).unwrap()
    fake.clear_requests()

    first = client.run(client.slices.list_items("fake-user", "all", limit=2)).unwrap()
    second = client.run(
        client.slices.list_items("fake-user", "all", limit=2, cursor=first.next_cursor)
    ).unwrap()
    one = client.run(client.slices.get_item("fake-user", "all", "item-1")).unwrap()

    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/slices/fake-user/all/items/list/"),
        ("GET", "/slices/fake-user/all/items/list/"),
        ("GET", "/slices/fake-user/all/items/item-1/"),
    ]
    assert fake.requests[1].query == {"limit": ["2"], "cursor": [first.next_cursor]}
    assert created.item_count == 3
    assert [i.uid for i in (*first, *second)] == ["item-0", "item-1", "item-2"]
    assert isinstance(one, SliceItem)
    assert (one.uid, one.key, one.dataset, one.url) == (
        "item-1",
        "1.jpg",
        cars["uid"],
        "https://img.example/1.jpg",
    )


def test_get_item_not_in_slice_is_404(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    client.run(
        client.slices.create(
            name="Few",
            visibility="private",
            sub_slices=[{"dataset": cars["uid"], "item_uids": ["item-0"]}],
        )
    ).unwrap()

    missing = client.run(client.slices.get_item("fake-user", "few", "item-2"))
    no_slice = client.run(client.slices.list_items("fake-user", "nope"))

    assert isinstance(missing.failure(), NotFoundError)
    assert isinstance(no_slice.failure(), NotFoundError)
