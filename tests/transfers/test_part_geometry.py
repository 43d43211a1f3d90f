from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.transfers._parts import (
    MAX_PART_SIZE,
    MAX_PARTS,
    MAX_UPLOAD_SIZE,
    MIN_PART_SIZE,
    GeometryError,
    PartRange,
    check_geometry,
    part_ranges,
)

MiB = 1024 * 1024
part_sizes = st.integers(MIN_PART_SIZE, MAX_PART_SIZE)


@given(part_sizes, st.data())
def test_parts_tile_the_file_exactly(part_size: int, data: st.DataObject) -> None:
    size = data.draw(st.integers(1, part_size * MAX_PARTS))
    ranges = part_ranges(size, part_size)
    assert [r.number for r in ranges] == list(range(1, len(ranges) + 1))
    assert ranges[0].offset == 0
    for before, after in itertools.pairwise(ranges):
        assert before.end == after.offset  # no gap, no overlap
    assert ranges[-1].end == size
    assert sum(r.length for r in ranges) == size
    assert all(r.length == part_size for r in ranges[:-1])
    assert 0 < ranges[-1].length <= part_size
    assert (len(ranges) - 1) * part_size < size <= len(ranges) * part_size


def test_known_geometry() -> None:
    assert part_ranges(12 * MiB, 5 * MiB) == (
        PartRange(1, 0, 5 * MiB),
        PartRange(2, 5 * MiB, 5 * MiB),
        PartRange(3, 10 * MiB, 2 * MiB),
    )
    assert part_ranges(10 * MiB, 5 * MiB)[-1] == PartRange(2, 5 * MiB, 5 * MiB)
    assert part_ranges(1, 5 * MiB) == (PartRange(1, 0, 1),)
    assert len(part_ranges(MAX_UPLOAD_SIZE, MAX_PART_SIZE)) == MAX_PARTS


@pytest.mark.parametrize(
    ("size", "part_size"),
    [
        (10 * MiB, 5 * MiB - 1),
        (10 * MiB, 128 * MiB + 1),
        (0, 5 * MiB),  # a 0-byte file is never multipart
        (5 * MiB * MAX_PARTS + 1, 5 * MiB),  # 10001 parts
        (MAX_UPLOAD_SIZE + 1, MAX_PART_SIZE),
    ],
)
def test_part_ranges_refuses(size: int, part_size: int) -> None:
    with pytest.raises(GeometryError):
        part_ranges(size, part_size)


def test_check_geometry_takes_a_descriptor() -> None:
    assert check_geometry(12 * MiB, 5 * MiB, 3) == part_ranges(12 * MiB, 5 * MiB)
    for bad_size, bad_count in [
        (5 * MiB, 2),  # count does not fit
        (5 * MiB, 4),
        (5 * MiB, 0),
        (5 * MiB, MAX_PARTS + 1),
        (True, 3),  # a JSON bool is not an integer
        (5 * MiB, 3.0),
        (float(5 * MiB), 3),
        ("5242880", 3),
    ]:
        with pytest.raises(GeometryError):
            check_geometry(12 * MiB, bad_size, bad_count)
