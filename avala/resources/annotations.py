"""Bulk edits of 3D annotation objects, sent in ordered chunks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from avala._decode import raw
from avala._request import Request, pure
from avala.resources._base import api
from avala.resources._checks import json_objects, required_int

ChunkResults = tuple[tuple[int, Any], ...]
"""``(chunk_index, frozen response)`` for each chunk sent, in order."""

DEFAULT_CHUNK_SIZE = 500


@dataclass(frozen=True, slots=True)
class _Tag:
    """Pairs one chunk's response with the chunk's index."""

    index: int

    def __call__(self, response: Any) -> ChunkResults:
        return ((self.index, response),)


@dataclass(frozen=True, slots=True)
class _Prepend:
    """Puts the results of the chunks already sent before those of the later ones."""

    done: ChunkResults

    def __call__(self, later: ChunkResults) -> ChunkResults:
        return self.done + later


@dataclass(frozen=True, slots=True)
class _ThenSend:
    """Once the earlier chunks succeeded, send ``rest`` and keep both results in order."""

    rest: Request[ChunkResults]

    def __call__(self, done: ChunkResults) -> Request[ChunkResults]:
        return self.rest.map(_Prepend(done))


def _in_order(parts: Sequence[Request[ChunkResults]]) -> Request[ChunkResults]:
    """Run ``parts`` one after another, stopping at the first Failure.

    Split in halves rather than chained one by one, so running N chunks nests only
    log2(N) deep, while each chunk still starts only after every earlier one succeeded.
    """
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return _in_order(parts[:middle]).bind(_ThenSend(_in_order(parts[middle:])))


def _read_edits(edits: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Read ``edits`` once, now (any iterable, a generator too); each must be a JSON object."""
    if isinstance(edits, str | bytes | Mapping) or not isinstance(edits, Iterable):
        raise TypeError(f"edits must be an iterable of edit objects, not {type(edits).__name__}")
    return json_objects("edits", list(edits))


class Annotations:
    """Builds requests for annotations; ``client.annotations``."""

    def bulk_edit(
        self,
        owner: str,
        slug: str,
        edits: Iterable[Mapping[str, Any]],
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> Request[ChunkResults]:
        """POST ``edits`` to a dataset in chunks of ``chunk_size``, one chunk after another.

        The value is each chunk's ``(index, response)``; the first failing chunk's error is
        the Failure and later chunks are not sent. No edits: nothing is sent.
        """
        size = required_int("chunk_size", chunk_size, minimum=1)
        collected = _read_edits(edits)
        path = {"owner": owner, "slug": slug}
        chunks = [
            api("annotations.bulk_edit", raw(), path=path, body=collected[at : at + size]).map(
                _Tag(number)
            )
            for number, at in enumerate(range(0, len(collected), size))
        ]
        if not chunks:
            api("annotations.bulk_edit", raw(), path=path)  # still refuse a bad owner or slug
            return pure(())
        return _in_order(chunks)
