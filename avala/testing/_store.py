"""In-memory state of the fake plus the pagination/error helpers every route handler shares."""

from __future__ import annotations

import base64
import binascii
import copy
import difflib
import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from ._objects import ObjectStore
from ._routing import FakeRequest, FakeResponse

__all__ = [
    "COLLECTIONS",
    "Record",
    "Store",
    "UnknownCollectionError",
    "bad_request",
    "cursor_page",
    "not_found",
    "now_iso",
    "page_number_page",
]

Record = dict[str, Any]
_Value = TypeVar("_Value")

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


COLLECTIONS: dict[str, str] = {
    "agents": "agents",
    "agents_executions": "agent executions; `registration` is the agent uid",
    "annotation_issues": "annotation issues; `sequence_uid` is their sequence",
    "annotation_issues_tools": "the QC tool catalogue (a built-in one is served when empty)",
    "annotations_objects": "3D annotation objects of bulk edits; `uid` is the object uuid",
    "auto_label_jobs": "auto-label jobs; `project` is the project uid",
    "consensus_configs": "one consensus config per project (`project`)",
    "consensus_scores": "consensus scores; `project` is the project uid",
    "datasets": "datasets; `owner_name` + `slug` address one",
    "datasets_items": "dataset items; `dataset` is the dataset uid",
    "datasets_lifecycle": "statuses a dataset goes through on its next GETs (`uid` = dataset)",
    "datasets_quotas": "manual-upload quotas; `uid` is an organization uid or `me`",
    "datasets_sequences": "dataset sequences; `dataset_uid` is the dataset uid",
    "datasets_uploads": "manual upload sessions (v1 and v2) not yet turned into a dataset",
    "exports": "exports",
    "fleet_alert_channels": "fleet alert channels",
    "fleet_alerts": "fleet alerts (no create route: seed them)",
    "fleet_devices": "fleet devices",
    "fleet_events": "fleet events",
    "fleet_managed_sessions": "managed MCAP upload sessions; `uid` is the client's session uid",
    "fleet_recordings": "fleet recordings (no create route: seed them)",
    "fleet_rules": "fleet rules",
    "fleet_upload_sessions": "recording upload sessions; `recording_uid` is the recording",
    "inference_providers": "inference providers",
    "organizations": "organizations",
    "organizations_invitations": "invitations; `organization` is the organization uid",
    "organizations_members": "members; `organization` is the organization uid",
    "organizations_team_members": "team members; `team` is the team uid",
    "organizations_teams": "teams; `organization` is the organization uid",
    "projects": "projects",
    "quality_targets": "quality targets; `project` is the project uid",
    "quality_targets_metrics": "current metric values of a project (`uid` = project uid)",
    "resolver_revisions": "published revisions the resolver serves (`publish_revision`)",
    "slices": "slices; `owner_name` + `slug` address one",
    "slices_members": "the items of a slice (`uid` = slice uid, `items`)",
    "storage_configs": "storage configs",
    "tasks": "tasks; `project` is the project uid",
    "users": "accounts created by signup",
    "webhook_deliveries": "webhook deliveries; `subscription` is the webhook uid",
    "webhooks": "webhook subscriptions",
}
"""Every collection the fake keeps, with what it holds: the only names `Store` accepts."""


class UnknownCollectionError(KeyError):
    """A collection name the fake does not have: a record stored there would never be served."""

    def __init__(self, name: str) -> None:
        close = difflib.get_close_matches(name, COLLECTIONS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        self.message = (
            f"unknown collection {name!r}: the fake has no such collection.{hint} "
            f"Valid collections: {', '.join(sorted(COLLECTIONS))}."
        )
        super().__init__(name)

    def __str__(self) -> str:
        return self.message


def _copy_json(value: _Value) -> _Value:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), over twice as fast as
    `copy.deepcopy`: the store copies whole records on every read and write, and a session
    with a thousand files is copied once per call on it. Other values go to `copy.deepcopy`."""
    data: Any = value
    kind = type(data)
    if kind is dict:
        data = {key: _copy_json(item) for key, item in data.items()}
    elif kind is list:
        data = [_copy_json(item) for item in data]
    elif kind not in _IMMUTABLE:
        data = copy.deepcopy(data)
    return cast(_Value, data)


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def now_iso() -> str:
    """Current UTC time as the API writes it: ISO-8601 with a `Z` suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """Named collections of JSON records; every method holds `lock`, handlers hold it too.

    Records are deep-copied on the way in and out so callers never alias server state.
    A name outside `COLLECTIONS` raises `UnknownCollectionError`, so a typo cannot seed a
    collection no route reads.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._collections: dict[str, dict[str, Record]] = {}
        # Creates done through the API (not seeding), so tests can prove a POST ran once.
        self.create_count: Counter[str] = Counter()
        # Absolute prefix for pagination links, e.g. http://127.0.0.1:8000/api/v1.
        self.base_url = ""
        # Project uids whose exports end in "failed" instead of "exported".
        self.export_failures: set[str] = set()
        # Recording uids whose processing after an upload ends in "error", not "ready".
        self.recording_failures: set[str] = set()
        # (scope, Idempotency-Key) -> uid of the record the first request created.
        self.idempotency: dict[tuple[str, str], str] = {}
        # Where presigned URLs point, and how the upload routes cut files (see
        # FakeAvala.multipart_threshold / part_size / url_ttl).
        self.objects = ObjectStore()
        self.uploads = UploadSettings()
        # Changes to the next resolver access grants, one per grant (FakeAvala.tamper_grants).
        self.grant_overrides: list[dict[str, Any]] = []
        # The user holding the API key: GET /users/me/, and the personal storage root.
        self.user_uid = str(uuid.uuid4())

    def _bucket(self, collection: str) -> dict[str, Record]:
        """The records of `collection` by uid (call with `lock` held)."""
        if collection not in COLLECTIONS:
            raise UnknownCollectionError(collection)
        return self._collections.setdefault(collection, {})

    def insert(self, collection: str, record: Record) -> Record:
        """Store `record`, filling uid/created_at/updated_at when missing; returns a copy."""
        with self.lock:
            rec = _copy_json(record)
            rec.setdefault("uid", str(uuid.uuid4()))
            stamp = now_iso()
            rec.setdefault("created_at", stamp)
            rec.setdefault("updated_at", stamp)
            self._bucket(collection)[str(rec["uid"])] = rec
            return _copy_json(rec)

    def create(self, collection: str, record: Record) -> Record:
        """`insert` on behalf of an API request: also bumps `create_count[collection]`."""
        with self.lock:
            rec = self.insert(collection, record)
            self.create_count[collection] += 1
            return rec

    def get(self, collection: str, uid: str) -> Record | None:
        with self.lock:
            rec = self._bucket(collection).get(uid)
            return _copy_json(rec) if rec is not None else None

    def all(self, collection: str) -> list[Record]:
        """Every record of `collection` in insertion order (shallow copies: a handler may
        change top-level keys of what it gets, and must deep-copy before changing more)."""
        with self.lock:
            return [dict(r) for r in self._bucket(collection).values()]

    def where(self, collection: str, **fields: Any) -> list[Record]:
        """The records of `collection` whose `fields` have the given values (as `all`)."""
        return [r for r in self.all(collection) if _has(r, fields)]

    def first(self, collection: str, **fields: Any) -> Record | None:
        """The first record `where` would give, or None."""
        return next((r for r in self.all(collection) if _has(r, fields)), None)

    def get_where(self, collection: str, uid: str, **fields: Any) -> Record | None:
        """Record `uid` (as `get`) if its `fields` have the given values, e.g. its parent's uid
        (a child reached under another parent is not found), else None."""
        rec = self.get(collection, uid)
        return rec if rec is not None and _has(rec, fields) else None

    def update(self, collection: str, uid: str, changes: Record) -> Record | None:
        """Merge `changes` into the record and bump updated_at; None if it does not exist."""
        with self.lock:
            rec = self._bucket(collection).get(uid)
            if rec is None:
                return None
            rec.update(_copy_json(changes))
            rec["updated_at"] = now_iso()
            return _copy_json(rec)

    def delete(self, collection: str, uid: str) -> bool:
        with self.lock:
            return self._bucket(collection).pop(uid, None) is not None

    def count(self, collection: str) -> int:
        with self.lock:
            return len(self._bucket(collection))


MiB = 1024**2
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 128 * MiB


@dataclass
class UploadSettings:
    """How the fake's v2 manual-upload routes answer. A file larger than
    ``multipart_threshold`` bytes is MULTIPART, cut in parts of ``part_size`` (5-128 MiB,
    the protocol's limits); presigned URLs live ``url_ttl`` seconds."""

    multipart_threshold: int = 64 * MiB
    part_size: int = 64 * MiB
    url_ttl: int = 900

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "part_size" and not MIN_PART_SIZE <= value <= MAX_PART_SIZE:
            raise ValueError(f"part_size must be 5 MiB to 128 MiB (the protocol), got {value}")
        if name in ("multipart_threshold", "url_ttl") and value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
        super().__setattr__(name, value)


def _has(record: Record, fields: dict[str, Any]) -> bool:
    return all(record.get(k) == v for k, v in fields.items())


# --- error helpers (DRF-shaped bodies) ---------------------------------------------------


def not_found() -> FakeResponse:
    return FakeResponse(404, {"detail": "Not found."})


def bad_request(field_errors: dict[str, list[str]]) -> FakeResponse:
    """400 with DRF's per-field error object, e.g. `{"name": ["This field is required."]}`."""
    return FakeResponse(400, field_errors)


# --- pagination ----------------------------------------------------------------------------


def _page_size(req: FakeRequest) -> int | FakeResponse:
    raw = req.q("limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        return bad_request({"limit": ["A valid integer is required."]})
    return min(size, MAX_LIMIT)


def _link(req: FakeRequest, base_url: str, drop: tuple[str, ...], add: dict[str, str]) -> str:
    """Absolute URL of this path with `drop` keys removed and `add` appended, others kept."""
    pairs = [(k, v) for k, vs in req.query.items() if k not in drop for v in vs]
    pairs.extend(add.items())
    query = urlencode(pairs)
    return f"{base_url}{req.path}" + (f"?{query}" if query else "")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> int | None:
    """Offset inside an opaque cursor token, or None when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = text.partition(":")
    if prefix != "o" or not number.isdigit():
        return None
    return int(number)


def cursor_page(req: FakeRequest, items: Sequence[Record], base_url: str) -> FakeResponse:
    """DRF CursorPagination look-alike: `{results, next, previous}` with opaque cursors."""
    size = _page_size(req)
    if isinstance(size, FakeResponse):
        return size
    token = req.q("cursor")
    offset = 0
    if token is not None:
        decoded = decode_cursor(token)
        if decoded is None:
            return FakeResponse(400, {"detail": "Invalid cursor"})
        offset = decoded
    end = offset + size
    keep = ("cursor", "limit")

    def link(at: int) -> str:
        return _link(req, base_url, keep, {"cursor": encode_cursor(at), "limit": str(size)})

    body = {
        "results": _copy_json(list(items[offset:end])),
        "next": link(end) if end < len(items) else None,
        "previous": link(max(0, offset - size)) if offset > 0 else None,
    }
    return FakeResponse(200, body)


def page_number_page(req: FakeRequest, items: Sequence[Record], base_url: str) -> FakeResponse:
    """DRF PageNumberPagination look-alike (organizations): `?page=N`, page 1 link has no page."""
    size = _page_size(req)
    if isinstance(size, FakeResponse):
        return size
    raw = req.q("page")
    try:
        page = 1 if raw is None else int(raw)
    except ValueError:
        page = 0
    pages = max(1, -(-len(items) // size))  # an empty first page is allowed, like DRF
    if page < 1 or page > pages:
        return FakeResponse(404, {"detail": "Invalid page."})

    def link(n: int) -> str:
        return _link(req, base_url, ("page",), {} if n == 1 else {"page": str(n)})

    start = (page - 1) * size
    body = {
        "count": len(items),
        "next": link(page + 1) if page < pages else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": list(items[start : start + size]),
    }
    return FakeResponse(200, body)
