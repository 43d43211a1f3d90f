"""Object-storage transfers as request values: what to send where, never how.

Building one does no I/O and checks only what is knowable without it (offsets, header
text). The interpreter checks the URL against the host rules before each try, and the
object transport alone opens the file. A value's repr never shows a URL's signature.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyrsistent import pmap
from pyrsistent.typing import PMap

from avala._config import check_header_text
from avala._options import NO_OPTIONS, Options
from avala._redact import redact_url
from avala._request import Request
from avala.transfers._stamp import Stamp

__all__ = ["Presigned", "PutObject", "Stored", "put_object"]

# Headers the transport frames the request with; a descriptor's copy is not sent.
FRAMING_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


@dataclass(frozen=True, slots=True)
class Presigned:
    """A presigned target: the URL and the headers its signature expects."""

    url: str
    headers: PMap[str, str] = field(default_factory=pmap)

    def __repr__(self) -> str:
        return f"Presigned(url={redact_url(self.url)!r}, headers={dict(self.headers)!r})"


@dataclass(frozen=True, slots=True)
class Stored:
    """What a finished PUT did: the object's ``etag`` (as the store sent it, quotes and
    all; None when it sent none), ``bytes_sent`` by the try that stored it, and ``already``
    when the store answered 412 (the object was stored before; nothing was sent)."""

    etag: str | None
    bytes_sent: int
    already: bool = False


@dataclass(frozen=True, slots=True, repr=False)
class PutObject(Request[Stored]):
    """PUT ``length`` bytes of ``path`` from ``offset`` to a presigned URL.

    ``stamp`` is the file as planned: the transport refuses to send if it differs, and
    stops the body (so nothing is stored) if it changes while sending. ``refresh``, if
    set, is a request for a fresh ``Presigned`` target, run when the store answers 403
    (an expired URL). Build it with ``put_object``.
    """

    target: Presigned
    path: str
    offset: int
    length: int
    stamp: Stamp
    refresh: Request[Presigned] | None = None
    options: Options = NO_OPTIONS

    @property
    def what(self) -> str:
        """How messages and events name this transfer: the file and its byte range."""
        if self.offset == 0 and self.length == self.stamp.size:
            return f"PUT {self.path}"
        return f"PUT {self.path} bytes {self.offset}-{self.offset + self.length - 1}"

    def __repr__(self) -> str:
        shown: dict[str, Any] = {
            "target": self.target,
            "path": self.path,
            "offset": self.offset,
            "length": self.length,
            "stamp": self.stamp,
            "refresh": self.refresh,
        }
        if self.options != NO_OPTIONS:
            shown["options"] = self.options
        return f"PutObject({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def presigned(url: str, headers: Mapping[str, str] | None = None) -> Presigned:
    """A ``Presigned`` target with its headers checked as header text (names and values);
    framing headers (Host, Content-Length ...) are the transport's and are dropped."""
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, not {type(url).__name__}")
    kept = {}
    for name, value in (headers or {}).items():
        check_header_text("header name", name)
        if not isinstance(value, str):
            raise TypeError(f"header {name!r} must be a str, not {type(value).__name__}")
        if name.lower() not in FRAMING_HEADERS:
            kept[name] = value
    return Presigned(url, pmap(kept))


def put_object(
    url: str,
    path: str | os.PathLike[str],
    *,
    stamp: Stamp,
    offset: int = 0,
    length: int | None = None,
    headers: Mapping[str, str] | None = None,
    refresh: Request[Presigned] | None = None,
) -> PutObject:
    """A PUT of ``path``'s bytes ``[offset, offset + length)`` (``length`` defaults to the
    rest of the file as ``stamp`` gives it) to the presigned ``url``, with ``headers``."""
    if not isinstance(stamp, Stamp):
        raise TypeError(f"stamp must be a Stamp, not {type(stamp).__name__}")
    for name, value in (("offset", offset), ("length", length)):
        if value is not None and (type(value) is not int or value < 0):
            raise ValueError(f"{name} must be an int >= 0, not {value!r}")
    if length is None:
        length = stamp.size - offset
    if offset + length > stamp.size or length < 0:
        raise ValueError(
            f"bytes {offset}..{offset + length} are past the end of a {stamp.size}-byte file"
        )
    if refresh is not None and not isinstance(refresh, Request):
        raise TypeError(f"refresh must be a request, not {type(refresh).__name__}")
    return PutObject(presigned(url, headers), os.fspath(path), offset, length, stamp, refresh)
