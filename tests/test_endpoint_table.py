"""The endpoint table is data; every row must be reachable from Client's properties and
build a request for that row's method and path."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import avala
from avala import Client, Request
from avala._request import Call
from avala.resources._endpoints import ENDPOINTS, Endpoint
from avala.testing.strategies import arguments_for, builder_for
from avala.types import JsonObject
from tests.builder_args import SPECIAL_ARGS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "api"
INVENTORY = SHARED / "avala-api.json"
WORKFLOWS = SHARED / "workflows-api.json"
"""The calls the workflows make that avala-api.json does not list (anonymous ones too)."""


def synthesise(name: str, annotation: Any) -> Any:
    text = str(annotation)
    if "timestamp" in name:
        return "2024-01-01T00:00:00Z"
    is_sequence = any(k in text for k in ("Sequence", "list", "Iterable", "tuple"))
    if is_sequence and any(k in text for k in ("Mapping", "dict", "Json")):
        return [{"k": "v"}]
    if "int" in text and "str" not in text:
        return 1
    if "float" in text:
        return 1.0
    if "bool" in text and "str" not in text:
        return True
    if any(k in text for k in ("Sequence", "list", "Iterable", "tuple")):
        return ["x"]
    if any(k in text for k in ("Mapping", "dict", "JsonObject")):
        return {"k": "v"}
    return f"{name}-1"


def builder(client: Client, endpoint_id: str) -> Any:
    if endpoint_id == "avala.signup":
        return avala.signup  # the one module-level builder
    target: Any = client
    for part in endpoint_id.split("."):
        target = getattr(target, part)
    return target


def build(client: Client, endpoint_id: str) -> Request[Any]:
    method = builder(client, endpoint_id)
    special = SPECIAL_ARGS.get(endpoint_id, {})
    args, kwargs = [], {}
    for param in inspect.signature(method).parameters.values():
        if param.name in special:
            value = special[param.name]
        elif param.default is inspect.Parameter.empty:
            value = synthesise(param.name, param.annotation)
        else:
            continue
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)
    return method(*args, **kwargs)  # type: ignore[no-any-return]


def template_matches(template: str, segments: tuple[str, ...]) -> bool:
    parts = template.strip("/").split("/")
    return len(parts) == len(segments) and all(
        p.startswith("{") or p == s for p, s in zip(parts, segments, strict=True)
    )


@pytest.fixture(scope="module")
def client() -> Client:
    return Client("table-test-key")


def test_the_table_lists_every_inventory_entry() -> None:
    assert len(ENDPOINTS) == 137 + 15
    assert sum(row.kind == "call" for row in ENDPOINTS.values()) == 131 + 15


@pytest.mark.parametrize("endpoint_id", sorted(ENDPOINTS))
def test_every_row_is_reachable_and_builds_its_call(client: Client, endpoint_id: str) -> None:
    row: Endpoint = ENDPOINTS[endpoint_id]
    request = build(client, endpoint_id)
    assert isinstance(request, Request)
    first = request.first_call()
    if row.kind == "chunked" and first is None:
        pytest.fail("a chunked call with edits must send something")
    assert isinstance(first, Call)
    assert first.method == row.method
    assert template_matches(row.path, first.path), (row.path, first.path)
    if row.kind == "call":
        assert first.endpoint == endpoint_id
        assert request == build(client, endpoint_id)  # equal arguments, equal values


@pytest.mark.skipif(not WORKFLOWS.exists(), reason="shared/api inventory not beside the repo")
def test_the_table_matches_the_shared_inventories() -> None:
    """Both inventories, nothing more: method, path and auth of every entry."""
    inventory = [
        *json.loads(INVENTORY.read_text())["endpoints"],
        *json.loads(WORKFLOWS.read_text())["endpoints"],
    ]
    assert {e["id"]: (e["http"], e["path"], e.get("auth", "api_key")) for e in inventory} == {
        k: (v.method, v.path, v.auth) for k, v in ENDPOINTS.items()
    }


@pytest.mark.parametrize("endpoint_id", sorted(ENDPOINTS))
def test_only_anonymous_endpoints_build_anonymous_calls(client: Client, endpoint_id: str) -> None:
    first = build(client, endpoint_id).first_call()
    assert first is not None
    assert first.anonymous is (ENDPOINTS[endpoint_id].auth == "none")


# --- explicit values are sent as given ----------------------------------------------------

_EMPTY_BY_TYPE: dict[Any, Any] = {str: "", int: 0, float: 0.0, bool: False}


def explicit_empties(annotation: Any) -> list[Any]:
    """The falsy values an ``X | None`` parameter could be given: "", 0, 0.0, False, [], {}."""
    values: list[Any] = []
    for arm in typing.get_args(annotation) or (annotation,):
        origin = typing.get_origin(arm) or arm
        if arm in _EMPTY_BY_TYPE:
            values.append(_EMPTY_BY_TYPE[arm])
        elif origin in (list, tuple, Sequence, Iterable, Collection):
            values.append([])
        elif origin in (dict, Mapping) or arm is JsonObject:
            values.append({})
    return values


def optional_parameters(endpoint_id: str) -> list[tuple[str, list[Any]]]:
    """Keyword parameters defaulting to None, with their explicit empty values."""
    method = builder_for(endpoint_id)
    hints = typing.get_type_hints(method)
    return [
        (p.name, empties)
        for p in inspect.signature(method).parameters.values()
        if p.default is None and (empties := explicit_empties(hints[p.name]))
    ]


EXPLICIT_CASES = [
    (endpoint_id, name, empties)
    for endpoint_id, row in sorted(ENDPOINTS.items())
    if row.kind == "call"
    for name, empties in optional_parameters(endpoint_id)
]


def sent(request: Request[Any]) -> tuple[Any, Any]:
    call = request.first_call()
    assert call is not None
    return dict(call.query), call.body


def test_the_explicit_value_cases_cover_the_builders() -> None:
    assert len(EXPLICIT_CASES) > 150
    names = {(e, n) for e, n, _ in EXPLICIT_CASES}
    assert {
        ("fleet.alerts.resolve", "resolution_note"),
        ("datasets.manual_upload_quota", "organization_uid"),
        ("storage_configs.get", "organization"),
        ("fleet.uploads.init_upload", "storage_config_uid"),
    } <= names


@pytest.mark.parametrize(
    ("endpoint_id", "name", "empties"),
    EXPLICIT_CASES,
    ids=[f"{e}({n})" for e, n, _ in EXPLICIT_CASES],
)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_only_none_leaves_an_argument_out(
    endpoint_id: str, name: str, empties: list[Any], data: st.DataObject
) -> None:
    """Giving "", 0, False, [] or {} builds another request than leaving the argument out:
    the value is sent, not dropped for being falsy."""
    args, kwargs = data.draw(arguments_for(endpoint_id), label="arguments")
    method = builder_for(endpoint_id)
    omitted = {k: v for k, v in kwargs.items() if k != name}
    try:
        without = method(*args, **omitted)
    except (TypeError, ValueError):  # e.g. the one of two arguments that must be given
        return
    for empty in empties:
        try:
            given_empty = method(*args, **omitted, **{name: empty})
        except (TypeError, ValueError):  # refused at build time: a minimum, a non-empty list
            continue
        assert sent(given_empty) != sent(without), (name, empty)
        assert sent(method(*args, **omitted, **{name: None})) == sent(without)
