"""Shapes shared by every resource: the page of a list call and read-only JSON."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class JsonObject(Mapping[str, Any]):
    """A JSON object the API does not type further: read-only, hashable, comparable.

    Wrapping is O(1); nested objects and arrays come out read-only too (objects as
    ``JsonObject``, arrays as tuples) when read. ``to_json()`` gives a plain copy.
    """

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = to_plain(dict(data or {}))
        self._hash: int | None = None

    @classmethod
    def adopt(cls, data: dict[str, Any]) -> JsonObject:
        """Wrap a freshly decoded dict nobody else holds, without copying it."""
        obj = cls.__new__(cls)
        obj._data = data
        obj._hash = None
        return obj

    def __getitem__(self, key: str) -> Any:
        return freeze_json(self._data[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JsonObject):
            return self._data == other._data
        if isinstance(other, Mapping):
            return bool(self._data == to_plain(other))
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(json.dumps(self._data, sort_keys=True, default=str))
        return self._hash

    def __repr__(self) -> str:
        return f"JsonObject({self._data!r})"

    def to_json(self) -> dict[str, Any]:
        """A plain, independent ``dict`` copy (nested lists and dicts copied too)."""
        copied: dict[str, Any] = copy.deepcopy(self._data)
        return copied


def freeze_json(value: Any) -> Any:
    """Decoded JSON made read-only: objects wrapped as ``JsonObject``, arrays as tuples."""
    if isinstance(value, dict):
        return JsonObject.adopt(value)
    if isinstance(value, list):
        return tuple(freeze_json(v) for v in value)
    return value


def to_plain(value: Any) -> Any:
    """Any JSON-like value (``JsonObject``, mappings, tuples, pyrsistent maps) as plain
    ``dict``/``list``/scalars, ready for ``json.dumps``."""
    if isinstance(value, JsonObject):
        return value.to_json()
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple) or _is_sequence_like(value):
        return [to_plain(v) for v in value]
    return value


def _is_sequence_like(value: Any) -> bool:
    """pyrsistent vectors and other non-str sequences that JSON writes as arrays."""
    return (
        hasattr(value, "__iter__")
        and hasattr(value, "__len__")
        and (not isinstance(value, str | bytes | bytearray | Mapping | set | frozenset))
    )


@dataclass(frozen=True, slots=True)
class CursorPage(Generic[T]):
    """One page of a list call. Pass ``next_cursor`` back as ``cursor=`` for the next one."""

    items: tuple[T, ...]
    next_cursor: str | None = None
    previous_cursor: str | None = None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self.items[index]
