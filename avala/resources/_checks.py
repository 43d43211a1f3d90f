"""Argument checks every request builder uses, so a bad argument fails before a request exists.

Each check returns the value to send (None for an optional argument left out) and raises
TypeError for a value of the wrong type, ValueError for a wrong value; the message names
the argument (``tags[2]``, ``events[1].timestamp`` for a part of one).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from avala.types._common import to_plain

__all__ = [
    "check_interval",
    "check_limit",
    "check_timestamp",
    "json_object",
    "json_objects",
    "json_value",
    "non_empty",
    "optional_bool",
    "optional_int",
    "optional_json_object",
    "optional_number",
    "optional_str",
    "optional_uid",
    "optional_string_list",
    "page_query",
    "required_bool",
    "required_int",
    "required_str",
    "required_uid",
    "sequence",
    "string_list",
]


def _kind(value: object) -> str:
    return type(value).__name__


def required_str(name: str, value: object) -> str:
    """``value`` if it is a str."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {_kind(value)}")
    return value


def optional_str(name: str, value: object) -> str | None:
    """``value`` if it is a str or None."""
    return None if value is None else required_str(name, value)


def required_uid(name: str, value: object) -> str:
    """``value`` if it is a str that names something: not empty, not only whitespace."""
    uid = required_str(name, value)
    if not uid:
        raise ValueError(f"{name} must not be empty")
    if uid.isspace():
        raise ValueError(f"{name} must not be only whitespace, got {uid!r}")
    return uid


def optional_uid(name: str, value: object) -> str | None:
    """None, or a str as ``required_uid`` wants it, except that "" passes: what an empty
    reference means (none, or clear it) is the endpoint's business."""
    if value is None or value == "":
        return value
    return required_uid(name, value)


def required_bool(name: str, value: object) -> bool:
    """``value`` if it is a bool (1 and "yes" are not)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {_kind(value)}")
    return value


def optional_bool(name: str, value: object) -> bool | None:
    """``value`` if it is a bool or None."""
    return None if value is None else required_bool(name, value)


def required_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """``value`` if it is an int (not a bool) and, given a ``minimum``, at least that."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {_kind(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def optional_int(name: str, value: object, *, minimum: int | None = None) -> int | None:
    """``value`` if it is None or an int as ``required_int`` wants it."""
    return None if value is None else required_int(name, value, minimum=minimum)


def optional_number(name: str, value: object) -> float | None:
    """``value`` if it is None or a finite int or float (a bool would be sent as true/false)."""
    return None if value is None else required_number(name, value)


def required_number(name: str, value: object) -> float:
    """``value`` if it is a finite int or float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, not {_kind(value)}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def check_timestamp(name: str, value: object) -> str:
    """An instant as the API reads it (ISO 8601). An aware datetime is sent in UTC with a
    ``Z``, so equal instants build equal requests; ISO text is sent as given."""
    if isinstance(value, datetime):
        return _utc_text(name, value)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a timezone-aware datetime or ISO-8601 str, not {_kind(value)}"
        )
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be an ISO-8601 datetime, got {value!r}") from None
    return value


def _utc_text(name: str, moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError(
            f"{name} is a naive datetime, so the instant it means is unknown: give it a time "
            "zone, e.g. datetime.now(timezone.utc), or .replace(tzinfo=timezone.utc) on a "
            "datetime that holds UTC"
        )
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{name} is out of range once converted to UTC: {moment!r}") from None
    return utc.replace(tzinfo=None).isoformat() + "Z"


def check_limit(limit: object) -> int | None:
    """A page size: None or a positive int."""
    return optional_int("limit", limit, minimum=1)


def page_query(limit: object, cursor: object) -> dict[str, object]:
    """The checked ``limit`` and ``cursor`` query parameters of a cursor-paginated list."""
    return {"limit": check_limit(limit), "cursor": optional_str("cursor", cursor)}


def check_interval(name: str, value: object, floor: float, *, allow_inf: bool = False) -> float:
    """Poll seconds: negative or NaN is an error (infinite only where ``allow_inf``);
    below ``floor`` is raised to it, to spare the API."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds")
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a finite number of seconds, got {value}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return max(float(value), floor)


def sequence(name: str, value: object) -> Sequence[Any]:
    """``value`` if it is a sequence but not a str or bytes (``tags="a"`` is not ``["a"]``)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence (e.g. a list), not {_kind(value)}")
    return value


def non_empty(name: str, items: list[Any]) -> list[Any]:
    """``items`` if it holds at least one item."""
    if not items:
        raise ValueError(f"{name} must not be empty")
    return items


def string_list(name: str, value: object) -> list[str]:
    """A sequence of str (not a bare str) as a JSON array."""
    return [required_str(f"{name}[{i}]", item) for i, item in enumerate(sequence(name, value))]


def optional_string_list(name: str, value: object) -> list[str] | None:
    """None, or a sequence of str as ``string_list`` wants it."""
    return None if value is None else string_list(name, value)


def json_value(name: str, value: Any) -> Any:
    """``value`` if JSON can hold it (None included; read-only values are unwrapped to check)."""
    try:
        json.dumps(to_plain(value), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be JSON-serialisable: {exc}") from None
    return value


def json_object(name: str, value: object) -> dict[str, Any]:
    """A mapping with str keys that JSON can hold, as a plain dict."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping (e.g. a dict), not {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be str, not {_kind(key)}")
    plain: dict[str, Any] = to_plain(dict(value))
    json_value(name, plain)
    return plain


def optional_json_object(name: str, value: object) -> dict[str, Any] | None:
    """None, or a mapping as ``json_object`` wants it."""
    return None if value is None else json_object(name, value)


def json_objects(name: str, value: object) -> list[dict[str, Any]]:
    """A sequence of mappings, each as ``json_object`` wants it, as a JSON array."""
    return [json_object(f"{name}[{i}]", item) for i, item in enumerate(sequence(name, value))]
