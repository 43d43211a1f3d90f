"""Injectable misbehaviours of the fake object store (``fake.objects.inject(...)``), in the
style of ``Fault``: build one with a classmethod; each is consumed by one matching request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Literal

__all__ = ["StorageFault", "StorageFaultKind"]

StorageFaultKind = Literal[
    "drop_before", "drop_after", "expired", "delay", "status", "cut", "stall", "ignore_range"
]


@dataclass(frozen=True)
class StorageFault:
    """One misbehaviour of the object store, e.g. ``StorageFault.drop_after()``."""

    kind: StorageFaultKind
    status_code: int = 0
    retry_after: str | None = None
    seconds: float = 0.0
    after_bytes: int = 0

    @classmethod
    def drop_before(cls) -> StorageFault:
        """Read the request body, store nothing, close the connection without answering."""
        return cls("drop_before")

    @classmethod
    def drop_after(cls) -> StorageFault:
        """Store the object (or part), then close the connection without answering."""
        return cls("drop_after")

    @classmethod
    def expired(cls) -> StorageFault:
        """Answer 403 ``AccessDenied``/``Request has expired`` as if the URL had expired."""
        return cls("expired", status_code=403)

    @classmethod
    def delay(cls, seconds: float) -> StorageFault:
        """Wait ``seconds`` after reading the request, then answer normally (a slow PUT)."""
        return cls("delay", seconds=seconds)

    @classmethod
    def status(cls, code: int = 503, retry_after: float | datetime | None = None) -> StorageFault:
        """Answer ``code`` with an S3-like XML error, storing nothing; ``retry_after`` sets
        ``Retry-After`` as seconds, or as an HTTP-date when given a datetime."""
        if retry_after is None:
            text = None
        elif isinstance(retry_after, datetime):
            text = format_datetime(retry_after, usegmt=True)
        else:
            text = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        return cls("status", status_code=code, retry_after=text)

    @classmethod
    def cut(cls, after_bytes: int) -> StorageFault:
        """On a GET: announce the full length, send ``after_bytes`` of the body, then close
        the connection (an interrupted download, for resume tests)."""
        return cls("cut", after_bytes=after_bytes)

    @classmethod
    def stall(cls, after_bytes: int, seconds: float) -> StorageFault:
        """On a GET: send ``after_bytes`` of the body, then wait ``seconds`` before the
        rest (a download caught half way, e.g. for a crash test)."""
        return cls("stall", seconds=seconds, after_bytes=after_bytes)

    @classmethod
    def ignore_range(cls) -> StorageFault:
        """On a GET: ignore any ``Range`` header and answer 200 with the whole object (a
        store or proxy without range support)."""
        return cls("ignore_range")
