"""Object-storage transfers as request values: what to send where, never how.

Building one does no I/O and checks only what is knowable without it (offsets, header
text). The interpreter checks the URL against the host rules before each try, and the
object transport alone opens the file. A value's repr never shows a URL's signature.
"""

from __future__ import annotations

import os
import re
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

__all__ = [
    "Downloaded",
    "GetObject",
    "Presigned",
    "PutObject",
    "Stored",
    "check_dest",
    "download",
    "get_object",
    "put_object",
]

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
    all; None when it sent none), ``bytes_sent`` by the try that stored it, ``already``
    when the store answered 412 (the object was stored before; nothing was sent), and
    ``sha256``, the hex digest of the bytes that try sent, when the PUT asked for it
    (``PutObject.digest``; None otherwise, and after a 412)."""

    etag: str | None
    bytes_sent: int
    already: bool = False
    sha256: str | None = None


@dataclass(frozen=True, slots=True, repr=False)
class PutObject(Request[Stored]):
    """PUT ``length`` bytes of ``path`` from ``offset`` to a presigned URL.

    ``stamp`` is the file as planned: the transport refuses to send if it differs, and
    stops the body (so nothing is stored) if it changes while sending. ``refresh``, if
    set, is a request for a fresh ``Presigned`` target, run when the store answers 403
    (an expired URL). ``digest`` asks for the SHA-256 of the bytes sent, computed in the
    same read that sends them (``Stored.sha256``). Build it with ``put_object``.
    """

    target: Presigned
    path: str
    offset: int
    length: int
    stamp: Stamp
    refresh: Request[Presigned] | None = None
    options: Options = NO_OPTIONS
    digest: bool = False

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
        if self.digest:
            shown["digest"] = True
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
    digest: bool = False,
) -> PutObject:
    """A PUT of ``path``'s bytes ``[offset, offset + length)`` (``length`` defaults to the
    rest of the file as ``stamp`` gives it) to the presigned ``url``, with ``headers``;
    ``digest`` asks for the SHA-256 of what was sent (``Stored.sha256``)."""
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
    if type(digest) is not bool:
        raise TypeError(f"digest must be a bool, not {type(digest).__name__}")
    target = presigned(url, headers)
    return PutObject(target, os.fspath(path), offset, length, stamp, refresh, digest=digest)


_SHA256 = re.compile(r"[0-9a-f]{64}")

HOST_RULES = frozenset(
    {
        "storage",
        "export",
        "aws_s3",
        "gcs",
        "azure_blob",
        "cloudflare_r2",
        "avala_edge",
        "avala_proxy",
    }
)
"""Which hosts a ``GetObject`` may fetch from (``transfers/_hosts.py``): ``storage`` is any
cloud store of the download allow-list, ``export`` that or the API's own host, and a
provider name that provider's hosts alone."""


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A finished download: the verified object is at ``path``, ``size`` bytes long;
    ``sha256`` is the digest it was checked against (None when none was known);
    ``bytes_fetched`` came over the wire in this run (less than ``size`` after a resume)."""

    path: str
    size: int
    sha256: str | None
    bytes_fetched: int


@dataclass(frozen=True, slots=True, repr=False)
class GetObject(Request[Downloaded]):
    """GET the object at a presigned URL into ``dest``: streamed to a partial file beside
    it, resumed with ``Range`` after an interruption, checked against ``size`` and
    ``sha256`` when known, then renamed onto ``dest``. ``hosts`` names the host rule the
    URL must pass; ``refresh``, if set, gives a fresh ``Presigned`` target after a 403
    (an expired URL), and the download resumes where it was. Build with ``download``."""

    target: Presigned
    dest: str
    size: int | None = None
    sha256: str | None = None
    hosts: str = "storage"
    refresh: Request[Presigned] | None = None
    options: Options = NO_OPTIONS

    @property
    def what(self) -> str:
        """How messages and events name this transfer."""
        return f"GET {self.dest}"

    def __repr__(self) -> str:
        shown: dict[str, Any] = {
            "target": self.target,
            "dest": self.dest,
            "size": self.size,
            "sha256": self.sha256,
            "hosts": self.hosts,
        }
        if self.refresh is not None:
            shown["refresh"] = self.refresh
        if self.options != NO_OPTIONS:
            shown["options"] = self.options
        return f"GetObject({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def get_object(
    url: str,
    dest: str | os.PathLike[str],
    *,
    size: int | None = None,
    sha256: str | None = None,
    headers: Mapping[str, str] | None = None,
    hosts: str = "storage",
    refresh: Request[Presigned] | None = None,
) -> GetObject:
    """A download of the object at the presigned ``url`` into the file ``dest``.

    ``size`` and ``sha256`` (64 hex digits), when given, are checked before the file
    appears at ``dest``; a mismatch is an ``IntegrityError`` Failure. The URL must be
    https on an allow-listed storage host (loopback only with
    ``AVALA_ALLOW_INSECURE_BASE_URL=1``); the API key is never sent with it.
    """
    if isinstance(size, bool) or (size is not None and (type(size) is not int or size < 0)):
        raise ValueError(f"size must be an int >= 0, not {size!r}")
    if sha256 is not None:
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256.lower()):
            raise ValueError(f"sha256 must be 64 hex digits, not {sha256!r:.80}")
        sha256 = sha256.lower()
    if hosts not in HOST_RULES:
        raise ValueError(f"hosts must be one of {sorted(HOST_RULES)}, not {hosts!r}")
    if refresh is not None and not isinstance(refresh, Request):
        raise TypeError(f"refresh must be a request, not {type(refresh).__name__}")
    return GetObject(presigned(url, headers), check_dest(dest), size, sha256, hosts, refresh)


def check_dest(dest: str | os.PathLike[str]) -> str:
    """``dest`` as a path string, refused unless it names a file (checked at build time)."""
    target = os.fspath(dest)
    if not isinstance(target, str) or not target or target.endswith(("/", os.sep)):
        raise ValueError(f"dest must name a file, not {dest!r}")
    return target


def download(
    url: str,
    dest: str | os.PathLike[str],
    *,
    size: int | None = None,
    sha256: str | None = None,
) -> GetObject:
    """``avala.download``: a request downloading any presigned object URL into ``dest``
    (see docs/downloading.md). Run it with ``client.run``; its value is ``Downloaded``."""
    return get_object(url, dest, size=size, sha256=sha256)
