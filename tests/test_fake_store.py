"""The fake's Store copies records on the way in and out (its own JSON copier, not
copy.deepcopy): whatever a caller does to what it gave or got never reaches stored state."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from avala.testing._store import Store, _copy_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=30,
)


def containers(value: Any) -> list[Any]:
    """Every dict and list inside `value`, itself included."""
    if isinstance(value, dict):
        return [value, *(c for item in value.values() for c in containers(item))]
    if isinstance(value, list):
        return [value, *(c for item in value for c in containers(item))]
    return []


@given(json_values)
def test_a_copy_is_equal_and_shares_no_container(value: Any) -> None:
    copied = _copy_json(value)
    assert copied == value
    originals = {id(c) for c in containers(value)}
    assert all(id(c) not in originals for c in containers(copied))


def test_values_that_are_not_json_are_still_copied_deeply() -> None:
    inner = [1, 2]
    value = {"pair": (inner, 3), "tags": {"a"}}
    copied = _copy_json(value)
    assert copied == value
    assert copied["pair"][0] is not inner and copied["tags"] is not value["tags"]


def test_what_a_caller_gave_or_got_never_changes_the_store() -> None:
    store = Store()
    given_record = {"uid": "s-1", "files": [{"path": "a", "etag": None}]}
    inserted = store.insert("fleet_upload_sessions", given_record)
    given_record["files"][0]["etag"] = "changed by the caller after insert"
    inserted["files"][0]["etag"] = "changed in the returned copy"
    changes = {"files": [{"path": "a", "etag": "e1"}]}
    updated = store.update("fleet_upload_sessions", "s-1", changes)
    assert updated is not None
    changes["files"][0]["etag"] = "changed by the caller after update"
    updated["files"].append({"path": "b", "etag": None})
    got = store.get("fleet_upload_sessions", "s-1")
    assert got is not None
    got["files"].clear()

    again = store.get("fleet_upload_sessions", "s-1")
    assert again is not None and again["files"] == [{"path": "a", "etag": "e1"}]
