"""Request values: equal arguments give equal, hashable values; options are copies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala import Client, Request, gather, poll
from avala._options import Options
from avala._request import Call, Mapped
from avala.resources import Datasets, Exports, Projects, Tasks
from avala.testing import FakeAvala, Fault

projects, datasets, tasks, exports = Projects(), Datasets(), Tasks(), Exports()
optional_uids = st.none() | st.text(max_size=20).filter(lambda s: not s.isspace())
optional_text = st.none() | st.text(min_size=1, max_size=20)
limits = st.none() | st.integers(min_value=1, max_value=1000)


@given(limit=limits, cursor=optional_text)
def test_equal_arguments_build_equal_hashable_requests(
    limit: int | None, cursor: str | None
) -> None:
    a = projects.list(limit=limit, cursor=cursor)
    b = projects.list(limit=limit, cursor=cursor)
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1


@given(project=optional_uids, status=optional_text, limit=limits, cursor=optional_text)
def test_none_never_reaches_the_query(
    project: str | None, status: str | None, limit: int | None, cursor: str | None
) -> None:
    req = tasks.list(project=project, status=status, limit=limit, cursor=cursor)
    given_args = {"project": project, "status": status, "limit": limit, "cursor": cursor}
    expected = {k: str(v) for k, v in given_args.items() if v is not None}
    assert dict(req.query) == expected


@given(st.text(min_size=1))
def test_get_keeps_its_argument_as_one_segment(uid: str) -> None:
    try:
        req = datasets.get(uid)
    except ValueError:
        return
    assert req.path == ("datasets", uid)
    assert req.url_path.count("/") == 3


def test_different_arguments_differ() -> None:
    assert projects.get("a") != projects.get("b")
    assert projects.list(limit=1) != projects.list(limit=2)


def test_body_is_frozen_and_hashable() -> None:
    req = exports.create(project="p1")
    assert req.body == {"project": "p1"}
    with pytest.raises((TypeError, AttributeError)):
        req.body["project"] = "other"  # type: ignore[index]
    hash(req)


def test_nothing_is_sent_when_building(fake: object) -> None:
    # Building against a live fake sends nothing; only run() does.
    with Client() as client:
        client.projects.list(limit=3)
        client.exports.create(project="x")
    assert fake.requests == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("limit", [0, -1])
def test_limit_below_one_is_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="limit must be >= 1"):
        projects.list(limit=limit)


def test_limit_of_wrong_type_is_refused() -> None:
    with pytest.raises(TypeError, match="limit must be an int"):
        projects.list(limit="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        projects.list(limit=True)


def test_with_options_return_copies() -> None:
    base = projects.get("p1")
    slow = base.with_timeout(90)
    assert base.options == Options()
    assert slow.options == Options(timeout=90.0)
    assert slow.with_max_retries(0).options == Options(timeout=90.0, max_retries=0)
    assert base != slow


@pytest.mark.parametrize("bad", [0, -1.5, float("inf"), float("nan")])
def test_timeout_must_be_positive_and_finite(bad: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        projects.get("p").with_timeout(bad)


def test_max_retries_must_be_a_non_negative_int() -> None:
    with pytest.raises(ValueError):
        projects.get("p").with_max_retries(-1)
    with pytest.raises(TypeError):
        projects.get("p").with_max_retries(1.5)  # type: ignore[arg-type]


def key_of(request: Request[Any]) -> str | None:
    call = request.first_call()
    assert call is not None
    return call.options.idempotency_key


def test_a_drawn_idempotency_key_is_fresh_per_value_and_kept_by_copies() -> None:
    first = exports.create(project="p").with_idempotency_key()
    second = exports.create(project="p").with_idempotency_key()
    assert key_of(first) and key_of(second) and len(key_of(first) or "") >= 32
    assert key_of(first) != key_of(second)  # two values built apart are two operations
    assert first != second
    copies = [
        first.with_timeout(3),
        first.with_max_retries(0),
        first.with_timeout(3).with_max_retries(1),
        first.map(str),
    ]
    assert [key_of(copy) for copy in copies] == [key_of(first)] * len(copies)
    explicit = exports.create(project="p").with_idempotency_key("order-42")
    assert key_of(explicit) == key_of(explicit.with_timeout(1)) == "order-42"


def test_every_try_and_every_run_of_a_keyed_value_sends_its_key(
    fake: FakeAvala, client: Client
) -> None:
    """The key is drawn when the value is built, not when it is sent: a retry and a
    second run of the same value carry it, so the server creates once."""
    project = fake.add_project()
    req = exports.create(project=project["uid"]).with_timeout(5).with_idempotency_key()
    fake.inject(Fault.drop_after(), path="/exports/")
    first = client.run(req).unwrap()  # dropped after the server acted, then resent
    second = client.run(req.with_max_retries(0)).unwrap()
    posts = [r.headers.get("idempotency-key") for r in fake.requests if r.method == "POST"]
    assert posts == [key_of(req)] * 3
    assert first.uid == second.uid
    assert fake.store.create_count["exports"] == 1
    other = client.run(exports.create(project=project["uid"]).with_idempotency_key()).unwrap()
    assert other.uid != first.uid and fake.store.create_count["exports"] == 2


def test_idempotency_key_goes_through_map_to_its_call() -> None:
    req = exports.create(project="p").map(str).with_idempotency_key("k1")
    assert isinstance(req, Mapped)
    assert isinstance(req.source, Call) and req.source.options.idempotency_key == "k1"


def test_idempotency_key_on_several_calls_is_refused() -> None:
    both = gather(exports.create(project="a"), exports.create(project="b"))
    with pytest.raises(TypeError, match="idempotency key names one call"):
        both.with_idempotency_key("k")


@pytest.mark.parametrize(
    "key", ["", "has space", "line\nbreak", "ключ", "order-€", "del\x7fete", "nbsp\xa0", "c1\x85"]
)
def test_bad_idempotency_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        exports.create(project="p").with_idempotency_key(key)


@pytest.mark.parametrize("key", ["order-42", "a" * 200, "clé", "~!#$%&'*+.^_`|"])
def test_header_safe_idempotency_keys_are_kept(key: str) -> None:
    assert exports.create(project="p").with_idempotency_key(key).options.idempotency_key == key


def test_an_idempotency_key_that_is_not_text_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="idempotency key"):
        exports.create(project="p").with_idempotency_key(42)  # type: ignore[arg-type]


def test_wait_builds_equal_values() -> None:
    a: Request[object] = exports.wait("e1", interval=1, timeout=10)
    assert a == exports.wait("e1", interval=1, timeout=10)
    assert a != exports.wait("e1", interval=1, timeout=11)
    d: Request[object] = datasets.wait("d1", status="ready")
    assert d == datasets.wait("d1", status="ready") and hash(d) == hash(
        datasets.wait("d1", status="ready")
    )
    assert d != datasets.wait("d1", status="created")


@pytest.mark.parametrize(("interval", "timeout"), [(-1, 10), (1, -1)])
def test_wait_refuses_negative_times(interval: float, timeout: float) -> None:
    with pytest.raises(ValueError):
        exports.wait("e1", interval=interval, timeout=timeout)


def test_query_values_render_as_the_api_reads_them() -> None:
    req = projects.list(limit=5).with_query(flag=True, off=False, cursor=None)
    assert dict(req.query) == {"limit": "5", "flag": "true", "off": "false"}


def test_unsendable_text_is_refused_at_build_time() -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        tasks.list(project="a\ud800")
    with pytest.raises(ValueError, match="cannot be sent as JSON"):
        exports.create(project="a\ud800")


def test_bodies_must_be_json() -> None:
    from avala._decode import nothing
    from avala.resources._base import api

    with pytest.raises(ValueError, match="cannot be sent as JSON"):
        api("exports.create", nothing(), body={"x": float("nan")})
    with pytest.raises(TypeError, match="cannot be sent as JSON"):
        api("exports.create", nothing(), body={"x": {1, 2}})


@pytest.mark.parametrize(
    ("interval", "timeout"), [(float("nan"), 10), (1, float("nan")), (float("inf"), 10)]
)
def test_wait_refuses_nan_and_infinite_intervals(interval: float, timeout: float) -> None:
    with pytest.raises(ValueError):
        exports.wait("e1", interval=interval, timeout=timeout)
    with pytest.raises(ValueError):
        poll(exports.get("e1"), bool, interval=interval, timeout=timeout)


def test_wait_may_wait_for_ever() -> None:
    assert exports.wait("e1", timeout=float("inf")) == exports.wait("e1", timeout=float("inf"))


@pytest.mark.parametrize(
    "build",
    [
        lambda c: c.organizations.create(name=None),
        lambda c: c.organizations.update_member_role("org", "u1", role=None),
        lambda c: c.organizations.transfer_ownership("org", new_owner_uid=None),
        lambda c: c.organizations.create_invitation("org", email=None),
        lambda c: c.webhooks.create(target_url=None, events=["x"]),
        lambda c: c.webhooks.create(target_url="https://h/x", events=None),
        lambda c: c.inference_providers.create(name="n", provider_type=None, config={}),
        lambda c: c.quality_targets.create("p1", name="n", metric="m", threshold=None),
    ],
)
def test_required_arguments_refuse_none(build: Any) -> None:
    with Client("k") as client, pytest.raises(TypeError):
        build(client)
