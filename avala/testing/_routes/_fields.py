"""Checking request bodies against a declared spec, with the 400s Django REST Framework gives.

A spec maps each field a route reads to a `Field`: its JSON kind and what else it must be
(required, nullable, non-blank, one of some choices, in a range, the uid of a record...).
`field_errors` gives DRF's shape, `{"field": ["message"]}`, for the fields that are wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .._routing import FakeRequest, FakeResponse
from .._store import Record, Store, bad_request, not_found

__all__ = ["Errors", "Field", "Spec", "field_errors", "object_body", "ok_or_404", "validated"]

Errors = dict[str, list[str]]
JsonKind = Literal["str", "int", "number", "bool", "object", "list", "datetime", "any"]

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."
NOT_DATETIME = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "number": (int, float),
    "bool": (bool,),
    "object": (dict,),
    "list": (list,),
    "datetime": (str,),
}


def _wrong_kind(kind: JsonKind, value: Any) -> str | None:
    """DRF's complaint about `value` given for a field of `kind`, or None when it fits."""
    fits = kind == "any" or (
        isinstance(value, _TYPES[kind]) and (kind == "bool" or not isinstance(value, bool))
    )
    if fits and kind == "datetime":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            fits = False
    if fits:
        return None
    got = type(value).__name__
    return {
        "str": "Not a valid string.",
        "int": "A valid integer is required.",
        "number": "A valid number is required.",
        "bool": "Must be a valid boolean.",
        "object": f'Expected a dictionary of items but got type "{got}".',
        "list": f'Expected a list of items but got type "{got}".',
        "datetime": NOT_DATETIME,
    }[kind]


def no_such_pk(value: Any) -> str:
    """DRF's complaint about a reference to a record that does not exist."""
    return f'Invalid pk "{value}" - object does not exist.'


@dataclass(frozen=True)
class Field:
    """What one body field must be. `items` is the kind of a list's items; `rule` checks what
    the rest cannot say (an email, a URL) and returns its complaint or None."""

    kind: JsonKind = "str"
    required: bool = False
    null: bool = False
    blank: bool = True
    choices: Collection[Any] | None = None
    items: JsonKind | None = None
    empty: bool = True
    minimum: float | None = None
    maximum: float | None = None
    refers_to: str | None = None
    rule: Callable[[Any], str | None] | None = None

    def problem(self, value: Any, state: Store | None) -> str | None:
        """Why `value` does not fit this field, in DRF's words, or None when it does."""
        if value is None:
            return None if self.null else NOT_NULL
        if self.choices is not None:
            return None if value in self.choices else f'"{value}" is not a valid choice.'
        wrong = _wrong_kind(self.kind, value)
        if wrong is None and self.items is not None:
            wrong = next(filter(None, (_wrong_kind(self.items, v) for v in value)), None)
        if wrong is not None:
            return wrong
        if self.kind == "str" and not self.blank and not value.strip():
            return NOT_BLANK
        if self.kind == "list" and not self.empty and not value:
            return "This list may not be empty."
        if self.minimum is not None and value < self.minimum:
            return f"Ensure this value is greater than or equal to {self.minimum:g}."
        if self.maximum is not None and value > self.maximum:
            return f"Ensure this value is less than or equal to {self.maximum:g}."
        if self.refers_to and state is not None and state.get(self.refers_to, value) is None:
            return no_such_pk(value)
        return self.rule(value) if self.rule is not None else None


Spec = Mapping[str, Field]

RATIO = Field("number", minimum=0, maximum=1)
STRINGS = Field("list", items="str")
OPTIONAL_TEXT = Field(null=True)


def email(value: str) -> str | None:
    return None if "@" in value else "Enter a valid email address."


def url(value: str) -> str | None:
    return None if value.startswith(("http://", "https://")) else "Enter a valid URL."


def field_errors(
    spec: Spec, body: Record, *, partial: bool = False, state: Store | None = None
) -> Errors:
    """The errors of the fields of `body` that `spec` refuses; a required field that is
    absent is one unless `partial` (a PATCH). References are checked when `state` is given."""
    errors: Errors = {}
    for name, field in spec.items():
        if name not in body:
            if field.required and not partial:
                errors[name] = [REQUIRED]
            continue
        problem = field.problem(body[name], state)
        if problem is not None:
            errors[name] = [problem]
    return errors


def object_body(req: FakeRequest, *, optional: bool = False) -> Record | FakeResponse:
    """The request's JSON object body (`{}` when `optional` and there is none), or the 400
    DRF gives for anything else."""
    body = {} if optional and req.body is None else req.body
    if isinstance(body, dict):
        return body
    return bad_request({"non_field_errors": ["Invalid data. Expected a dictionary."]})


def validated(
    req: FakeRequest,
    spec: Spec,
    *,
    partial: bool = False,
    optional: bool = False,
    state: Store | None = None,
) -> Record | FakeResponse:
    """`object_body`, or a 400 with the `field_errors` of `spec` in it."""
    body = object_body(req, optional=optional)
    if isinstance(body, FakeResponse):
        return body
    errors = field_errors(spec, body, partial=partial, state=state)
    return bad_request(errors) if errors else body


def ok_or_404(value: Any) -> FakeResponse:
    """200 with `value`, or a 404 when it is None (a record that was not found)."""
    return FakeResponse(200, value) if value is not None else not_found()
