"""Checks of a managed fleet upload's part grant (UPLOADS.md §3.7), as one pure function.

A grant is a presigned R2 ``UploadPart`` URL. Before any byte goes to it, the grant must
name the part asked for with its exact geometry, carry only ``Content-Length``, address
the session's object on an R2 account host, carry exactly the SigV4 query of an
``UploadPart`` (signed headers ``content-length;host``), be short-lived (at most 300 s,
not expired, not dated in the future) and reproduce the file's pin: the first grant's
(host, path, uploadId), so every part goes to the same multipart upload.

Plain-http loopback hosts pass the host rule only with ``AVALA_ALLOW_INSECURE_BASE_URL=1``
(tests against the fake's store); every other rule still applies.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote, urlsplit

from returns.result import Failure, Result, Success

from avala._config import LOOPBACK_HOSTS, insecure_allowed
from avala.errors import AvalaError, PartGrantRefusedError
from avala.transfers._hosts import R2_HOST
from avala.transfers._parts import PartRange
from avala.transfers._values import Presigned, presigned

__all__ = ["MANAGED_PART_SIZE", "CheckedGrant", "check_part_grant", "pin_of"]

MANAGED_PART_SIZE = 64 * 1024 * 1024
MAX_URL_LENGTH = 16384
MAX_KEY_BYTES = 1024
MAX_EXPIRES = 300
CLOCK_SKEW = timedelta(seconds=30)
GRANT_KEYS = frozenset(
    {"grant_uid", "part_number", "offset", "size_bytes", "url", "headers", "expires_at"}
)
QUERY_KEYS = frozenset(
    {
        "uploadId",
        "partNumber",
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    }
)
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
SIGNATURE = re.compile(r"^[0-9a-f]{64}$")
EXPIRES = re.compile(r"^[1-9][0-9]{0,2}$")
AMZ_DATE = "%Y%m%dT%H%M%SZ"
UNRESERVED = "-_.~"


@dataclass(frozen=True, slots=True)
class CheckedGrant:
    """A grant that passed: where to PUT, and the file's pin it reproduces."""

    target: Presigned
    pin: str


def pin_of(host: str, path: str, upload_id: str) -> str:
    """sha256 of the JSON ``[host, path, uploadId]``: one multipart upload of one object."""
    text = json.dumps([host, path, upload_id], ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class _Refused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _int(value: object) -> int | None:
    return value if type(value) is int else None


def _numbers(grant: Mapping[str, object], part: PartRange) -> None:
    if set(grant) != GRANT_KEYS:
        raise _Refused("grant_keys", f"grant keys {sorted(grant)} are not the expected ones")
    try:
        uuid.UUID(str(grant["grant_uid"]))
    except ValueError:
        raise _Refused("grant_uid", "grant_uid is not a UUID") from None
    got = (_int(grant["part_number"]), _int(grant["offset"]), _int(grant["size_bytes"]))
    if got != (part.number, part.offset, part.length):
        raise _Refused("part_geometry", f"grant is for (number, offset, size) {got}")
    headers = grant["headers"]
    if not isinstance(headers, Mapping) or len(headers) != 1:
        raise _Refused("headers", "grant headers must be exactly Content-Length")
    ((name, value),) = headers.items()
    if str(name).lower() != "content-length" or value != str(part.length):
        raise _Refused("headers", f"grant header {name}: {value!r} is not the part's length")


def _host(scheme: str, netloc: str) -> None:
    host = netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc
    if host in LOOPBACK_HOSTS and insecure_allowed() and scheme in ("http", "https"):
        return
    if scheme != "https":
        raise _Refused("url_scheme", "grant URL is not https")
    if R2_HOST.match(netloc) is None:
        raise _Refused("url_host", f"grant host {netloc!r} is not an R2 account host")


def _path(raw_path: str, session_uid: str, file_path: str) -> None:
    _, bucket, *rest = [*raw_path.split("/", 2), ""]
    encoded_key = rest[0] if rest else ""
    key = unquote(encoded_key)
    if BUCKET.match(bucket) is None:
        raise _Refused("url_path", f"grant bucket {bucket!r} is not a bucket name")
    if quote(key, safe="/" + UNRESERVED) != encoded_key:
        raise _Refused("url_path", "grant path is not in canonical percent-encoding")
    owner, _, tail = key.removeprefix("__o__=/").partition("/")
    try:
        canonical_owner = str(uuid.UUID(owner))
    except ValueError:
        canonical_owner = ""
    expected_tail = f"__cloud__/{session_uid}/{file_path}"
    if not key.startswith("__o__=/") or canonical_owner != owner or tail != expected_tail:
        raise _Refused("url_path", f"grant object {key!r} is not this session's {file_path!r}")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise _Refused("url_path", "grant object key is longer than 1024 bytes")


def _query(raw_query: str) -> dict[str, str]:
    pairs = [item.partition("=") for item in raw_query.split("&")] if raw_query else []
    names = [name for name, _, _ in pairs]
    if set(names) != QUERY_KEYS or len(names) != len(QUERY_KEYS):
        raise _Refused("url_query", f"grant query keys {sorted(names)} are not an UploadPart's")
    query = {}
    for name, _, raw in pairs:
        value = unquote(raw)
        if quote(value, safe=UNRESERVED) != raw:
            raise _Refused("url_query", f"grant query {name} is not canonically encoded")
        query[name] = value
    return query


def _signature(query: Mapping[str, str], number: int) -> None:
    if query["partNumber"] != str(number):
        raise _Refused("url_query", f"grant URL is for part {query['partNumber']}")
    if query["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        raise _Refused("signature", "grant is not signed with AWS4-HMAC-SHA256")
    if query["X-Amz-SignedHeaders"] != "content-length;host":
        raise _Refused("signature", "grant does not sign content-length;host")
    if SIGNATURE.match(query["X-Amz-Signature"]) is None:
        raise _Refused("signature", "grant signature is not 64 lowercase hex digits")
    upload_id = query["uploadId"]
    if (
        not 1 <= len(upload_id) <= 1024
        or not _printable(upload_id)
        or upload_id.strip() != upload_id
    ):
        raise _Refused("signature", "grant uploadId is not printable ASCII")


def _expiry(query: Mapping[str, str], expires_at: object, now: datetime) -> None:
    if EXPIRES.match(query["X-Amz-Expires"]) is None or int(query["X-Amz-Expires"]) > MAX_EXPIRES:
        raise _Refused("expiry", f"grant lifetime {query['X-Amz-Expires']!r} is not 1-300 s")
    try:
        signed = datetime.strptime(query["X-Amz-Date"], AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise _Refused("expiry", "grant X-Amz-Date is not YYYYMMDDTHHMMSSZ") from None
    if signed > now + CLOCK_SKEW:
        raise _Refused("expiry", "grant is dated in the future")
    scope = query["X-Amz-Credential"].split("/")
    if len(scope) != 5 or scope[1:] != [f"{signed:%Y%m%d}", "auto", "s3", "aws4_request"]:
        raise _Refused("expiry", "grant credential scope does not match its date")
    end = signed + timedelta(seconds=int(query["X-Amz-Expires"]))
    try:
        stated = datetime.fromisoformat(str(expires_at))
    except ValueError:
        raise _Refused("expiry", "grant expires_at is not ISO-8601") from None
    if stated.tzinfo is None or stated != end:
        raise _Refused("expiry", "grant expires_at does not match its signature")
    if end <= now:
        raise _Refused("expiry", "grant has expired")


def _printable(text: str) -> bool:
    return all(33 <= ord(c) <= 126 for c in text)


def check_part_grant(
    grant: Mapping[str, object],
    *,
    path: str,
    part: PartRange,
    session_uid: str,
    now: datetime,
    pin: str | None = None,
) -> Result[CheckedGrant, AvalaError]:
    """``grant`` checked for ``part`` of file ``path`` of session ``session_uid`` at time
    ``now``; ``pin`` is the file's pin from its first grant (None: this is the first).
    A refusal is a ``PartGrantRefusedError`` naming the file, the part and the reason."""
    try:
        _numbers(grant, part)
        url = grant["url"]
        if not isinstance(url, str) or len(url) > MAX_URL_LENGTH or not _printable(url):
            raise _Refused("url_form", "grant URL is not printable ASCII of at most 16384 chars")
        parts = urlsplit(url)
        if "#" in url or parts.username is not None or parts.password is not None:
            raise _Refused("url_form", "grant URL has a fragment or credentials")
        _host(parts.scheme, parts.netloc)
        _path(parts.path, session_uid, path)
        query = _query(parts.query)
        _signature(query, part.number)
        _expiry(query, grant["expires_at"], now)
        found = pin_of(parts.netloc, parts.path, query["uploadId"])
        if pin is not None and found != pin:
            raise _Refused("pin", "grant addresses another multipart upload than the first")
        target = presigned(url, {"Content-Length": str(part.length)})
    except _Refused as refused:
        return Failure(
            PartGrantRefusedError(
                str(refused), reason=refused.reason, path=path, part_number=part.number
            )
        )
    return Success(CheckedGrant(target, found))
