"""Shapes shared by every resource: the page of a list call and frozen JSON."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from pyrsistent.typing import PMap

T = TypeVar("T")

JsonObject = PMap[str, Any]
"""A JSON object the API does not type further, frozen so models stay hashable."""


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
