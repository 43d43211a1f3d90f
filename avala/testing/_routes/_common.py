"""What the route handlers share: reading and checking a body, answering with a record or
a 404, and field checks worded as Django REST Framework words them.

Each ``check_*`` adds ``{field: [message]}`` to an errors dict for the fields of a JSON
object body that are present and wrong; absent fields are the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from typing import Any

from .._routing import FakeRequest, FakeResponse
from .._store import Record, Store, bad_request, not_found, require_object

Errors = dict[str, list[str]]

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."
NOT_STRING = "Not a valid string."
NOT_BOOLEAN = "Must be a valid boolean."
NOT_INTEGER = "A valid integer is required."
NOT_NUMBER = "A valid number is required."


def not_a(container: str, value: Any) -> str:
    """DRF's complaint about a "list" or "dictionary" field given another JSON type."""
    return f'Expected a {container} of items but got type "{type(value).__name__}".'


def not_a_choice(value: Any) -> str:
    """DRF's complaint about a value outside a field's choices."""
    return f'"{value}" is not a valid choice.'


def no_such_pk(value: Any) -> str:
    """DRF's complaint about a reference to a record that does not exist."""
    return f'Invalid pk "{value}" - object does not exist.'


def at_least(bound: float) -> str:
    """DRF's complaint about a number under its minimum."""
    return f"Ensure this value is greater than or equal to {bound}."


# --- bodies and answers ---------------------------------------------------------------------


def object_body(req: FakeRequest, *, optional: bool = False) -> Record | FakeResponse:
    """The request's JSON object body (`{}` when `optional` and there is none), or the 400
    DRF gives for anything else."""
    body = {} if optional and req.body is None else req.body
    invalid = require_object(body)
    return body if invalid is None else invalid


def checked_body(
    req: FakeRequest, check: Callable[[Record], dict[str, Any]], *, optional: bool = False
) -> Record | FakeResponse:
    """`object_body`, or a 400 with the field errors `check` finds in it."""
    body = object_body(req, optional=optional)
    if isinstance(body, FakeResponse):
        return body
    errors = check(body)
    return bad_request(errors) if errors else body


def ok_or_404(value: Any) -> FakeResponse:
    """200 with `value`, or a 404 when it is None (a record that was not found)."""
    return FakeResponse(200, value) if value is not None else not_found()


def deleted_or_404(existed: bool) -> FakeResponse:
    """204 after a delete of something that existed, else 404."""
    return FakeResponse(204) if existed else not_found()


def update_record(
    state: Store,
    req: FakeRequest,
    collection: str,
    uid: str,
    *,
    check: Callable[[Record], dict[str, Any]],
    fields: Iterable[str],
    optional: bool = True,
) -> FakeResponse:
    """A PATCH of record `uid`: 404 when it does not exist, 400 as `checked_body` says, else
    200 with the record after merging in those of `fields` that the body has."""
    if state.get(collection, uid) is None:
        return not_found()
    body = checked_body(req, check, optional=optional)
    if isinstance(body, FakeResponse):
        return body
    return FakeResponse(
        200, state.update(collection, uid, {k: body[k] for k in fields if k in body})
    )


# --- field checks ----------------------------------------------------------------------------


def absent(body: Record, names: Iterable[str]) -> Errors:
    """The error "This field is required." for each of `names` that `body` lacks (a null is
    present)."""
    return {name: [REQUIRED] for name in names if name not in body}


def _checked(body: Record, keys: Iterable[str], null_ok: bool) -> Iterable[tuple[str, Any]]:
    """The (key, value) pairs of `body` to check: present, and not a null when `null_ok`."""
    return ((k, body[k]) for k in keys if k in body and not (null_ok and body[k] is None))


def check_strings(
    errors: Errors, body: Record, keys: Iterable[str], *, null_ok: bool = True
) -> None:
    """The error "Not a valid string." for each of `keys` holding another type (null too,
    unless `null_ok`)."""
    for key, value in _checked(body, keys, null_ok):
        if not isinstance(value, str):
            errors[key] = [NOT_STRING]


def check_bools(errors: Errors, body: Record, keys: Iterable[str], *, null_ok: bool = True) -> None:
    """The error "Must be a valid boolean." for each of `keys` holding another type (null
    too, unless `null_ok`)."""
    for key, value in _checked(body, keys, null_ok):
        if not isinstance(value, bool):
            errors[key] = [NOT_BOOLEAN]


def check_string_list(errors: Errors, body: Record, key: str, *, null_ok: bool = True) -> None:
    """A list of strings at `key`: another type (null too, unless `null_ok`) or a non-string
    item is an error."""
    for _, value in _checked(body, (key,), null_ok):
        if not isinstance(value, list):
            errors[key] = [not_a("list", value)]
        elif not all(isinstance(item, str) for item in value):
            errors[key] = [NOT_STRING]


def check_choice(
    errors: Errors, body: Record, key: str, choices: Container[Any], *, required: bool = False
) -> None:
    """`body[key]` must be one of `choices` when present; absent or null, it is an error only
    when `required`."""
    if required and body.get(key) is None:
        errors[key] = [REQUIRED]
    elif key in body and body[key] not in choices:
        errors[key] = [not_a_choice(body[key])]


def check_reference(errors: Errors, state: Store, body: Record, key: str, collection: str) -> None:
    """A string at `key` must be the uid of a record of `collection`."""
    value = body.get(key)
    if isinstance(value, str) and state.get(collection, value) is None:
        errors[key] = [no_such_pk(value)]


def check_name(errors: Errors, body: Record) -> None:
    """A required, non-blank string at `name`."""
    name = body.get("name")
    if name is None:
        errors["name"] = [REQUIRED]
    elif not isinstance(name, str) or not name.strip():
        errors["name"] = [NOT_BLANK]


def ratio_error(value: Any) -> list[str] | None:
    """Why `value` is not a number from 0 to 1, or None when it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [NOT_NUMBER]
    if value < 0:
        return [at_least(0)]
    if value > 1:
        return ["Ensure this value is less than or equal to 1."]
    return None
