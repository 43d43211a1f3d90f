"""Asking for presigned URLs a window ahead of the transfers that use them, shared by the
dataset part URLs and the fleet file URLs."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class LookAhead(Generic[K]):
    """The keys (part numbers, paths) a run will need URLs for, in order, and how many of
    them were asked for already. The transfer that finds fewer than ``window`` keys asked
    for ahead of its own claims the next ``window`` (from its own key on), so later ones
    find their URL waiting; thread-safe, since transfers run on worker threads."""

    def __init__(self, keys: Sequence[K], window: int) -> None:
        self._keys = tuple(keys)
        self._position = {k: i for i, k in enumerate(self._keys)}
        self._window = max(1, window)
        self._lock = threading.Lock()
        self._asked = 0  # self._keys[: self._asked] were claimed

    def first(self) -> tuple[K, ...]:
        """Claim the first window (before the transfers start)."""
        with self._lock:
            claimed = self._keys[: self._window]
            self._asked = max(self._asked, len(claimed))
        return claimed

    def due(self, key: K) -> tuple[K, ...]:
        """The keys to ask for before ``key``'s transfer: empty while enough are ahead."""
        with self._lock:
            index = self._position[key]
            if self._asked - (index + 1) >= self._window or self._asked >= len(self._keys):
                return ()
            start = max(self._asked, index)
            claimed = self._keys[start : start + self._window]
            self._asked = start + len(claimed)
        return claimed
