"""Multipart geometry (UPLOADS.md §1.6): which byte range each part number covers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MAX_PARTS",
    "MAX_PART_SIZE",
    "MAX_UPLOAD_SIZE",
    "MIN_PART_SIZE",
    "GeometryError",
    "PartRange",
    "check_geometry",
    "count_parts",
    "part_ranges",
]

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_SIZE = 128 * 1024 * 1024
MAX_PARTS = 10_000
MAX_UPLOAD_SIZE = MAX_PARTS * MAX_PART_SIZE
"""The largest file the protocol can store: 10000 parts of 128 MiB (1.22 TiB)."""


class GeometryError(ValueError):
    """A part size or count outside the protocol's limits, or one that does not fit the
    file: never retried, since asking again gives the same numbers."""


@dataclass(frozen=True, slots=True, order=True)
class PartRange:
    """Part ``number`` (from 1) covers ``length`` bytes of the file from ``offset``."""

    number: int
    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length


def count_parts(size: int, part_size: int) -> int:
    """``ceil(size / part_size)``: how many parts cutting every ``part_size`` bytes makes."""
    return -(-size // part_size)


def part_ranges(size: int, part_size: int) -> tuple[PartRange, ...]:
    """The parts of a ``size``-byte file cut every ``part_size`` bytes, in order: part n
    covers ``[(n-1)*part_size, min(n*part_size, size))``, so only the last may be short.

    Raises GeometryError when the part size is outside 5 MiB..128 MiB, the file is empty
    (a 0-byte file is never multipart) or it would need more than 10000 parts.
    """
    if type(size) is not int or type(part_size) is not int:
        raise GeometryError("size and part_size must be integers")
    if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
        raise GeometryError(
            f"part_size {part_size} is outside {MIN_PART_SIZE}..{MAX_PART_SIZE} bytes"
        )
    if size <= 0:
        raise GeometryError(f"a {size}-byte file cannot be sent in parts")
    count = count_parts(size, part_size)
    if count > MAX_PARTS:
        raise GeometryError(f"{size} bytes in {part_size}-byte parts needs {count} > {MAX_PARTS}")
    return tuple(
        PartRange(n + 1, n * part_size, min(part_size, size - n * part_size)) for n in range(count)
    )


def check_geometry(size: int, part_size: object, part_count: object) -> tuple[PartRange, ...]:
    """``part_ranges`` for a server's multipart descriptor, which must also agree on the
    count: ``part_count == ceil(size / part_size)``. ``part_size`` and ``part_count`` are
    checked as JSON integers (a bool or float is refused)."""
    if type(part_size) is not int or type(part_count) is not int:
        raise GeometryError("part_size and part_count must be JSON integers")
    if not 1 <= part_count <= MAX_PARTS:
        raise GeometryError(f"part_count {part_count} is outside 1..{MAX_PARTS}")
    ranges = part_ranges(size, part_size)
    if len(ranges) != part_count:
        raise GeometryError(
            f"part_count {part_count} does not fit {size} bytes in {part_size}-byte parts "
            f"(expected {len(ranges)})"
        )
    return ranges
