"""Fleet: devices, recordings, events, rules, alerts, alert channels and recording uploads.

Recordings and alerts have no create route in the API: seed them with
``fake.seed.fleet_recording(...)`` and ``fake.seed.fleet_alert(...)``. Uploads keep one session
per recording at a time: init -> (urls, confirm)* -> finalize, and status reports it.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, cursor_page, not_found, now_iso, require_object
from ._common import (
    NOT_BLANK,
    NOT_BOOLEAN,
    NOT_INTEGER,
    NOT_NULL,
    NOT_STRING,
    REQUIRED,
    at_least,
    no_such_pk,
    not_a,
)
from ._standard import Check, Kind, Resource

router = Router()

DEVICES = "fleet_devices"
RECORDINGS = "fleet_recordings"
EVENTS = "fleet_events"
RULES = "fleet_rules"
ALERTS = "fleet_alerts"
CHANNELS = "fleet_alert_channels"
SESSIONS = "fleet_upload_sessions"

UPLOAD_HOST = "https://uploads.example.invalid"
MAX_TTL_SECONDS = 7 * 24 * 3600
NO_SESSION = "No upload session found for this recording."

Record = dict[str, Any]
Errors = dict[str, Any]

# String fields DRF would declare without allow_blank: "" is a 400 wherever they appear.
NO_BLANK_FIELDS = frozenset(
    {"name", "type", "status", "label", "recording", "device", "path", "etag", "session_uid"}
)

# --- body validation (DRF-like field errors) -------------------------------------------


def _kind_error(kind: str, value: Any) -> str | None:
    """Why `value` is not of `kind` (DRF's wording), or None when it is."""
    if kind == "str":
        return None if isinstance(value, str) else NOT_STRING
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else NOT_INTEGER
    if kind == "count":
        if not isinstance(value, int) or isinstance(value, bool):
            return NOT_INTEGER
        return None if value >= 0 else at_least(0)
    if kind == "bool":
        return None if isinstance(value, bool) else NOT_BOOLEAN
    if kind == "object":
        return None if isinstance(value, dict) else not_a("dictionary", value)
    if kind in ("str_list", "object_list"):
        if not isinstance(value, list):
            return not_a("list", value)
        item = str if kind == "str_list" else dict
        return None if all(isinstance(v, item) for v in value) else "Invalid list item."
    if kind == "datetime":
        if isinstance(value, str):
            try:
                datetime.fromisoformat(value)
                return None
            except ValueError:
                pass
        return (
            "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
        )
    raise AssertionError(f"unknown kind {kind}")


def _errors(body: Record, kinds: dict[str, str], required: tuple[str, ...] = ()) -> Errors:
    """Field errors of an object body: missing required fields, nulls, wrong JSON types."""
    errors: Errors = {}
    for name in required:
        if name not in body:
            errors[name] = [REQUIRED]
    for name, kind in kinds.items():
        if name in errors or name not in body:
            continue
        value = body[name]
        if value is None:
            errors[name] = [NOT_NULL]
            continue
        problem = _kind_error(kind, value)
        if problem is None and kind == "str" and name in NO_BLANK_FIELDS and not value.strip():
            problem = NOT_BLANK
        if problem is not None:
            errors[name] = [problem]
    return errors


def _check(body: Any, kinds: dict[str, str], required: tuple[str, ...] = ()) -> FakeResponse | None:
    """400 for a non-object body or any field error, else None."""
    invalid = require_object(body)
    if invalid is not None:
        return invalid
    errors = _errors(body, kinds, required)
    return bad_request(errors) if errors else None


def _pick(body: Record, kinds: dict[str, str]) -> Record:
    return {k: body[k] for k in kinds if k in body}


def _kinds(kinds: dict[str, str], required: tuple[str, ...] = ()) -> Check:
    """The standard routes' check of a body whose fields have these kinds."""
    return lambda state, body, partial: _errors(body, kinds, () if partial else required)


def _refuse(message: str) -> FakeResponse:
    """400 for a request the current state does not allow (not a field problem)."""
    return FakeResponse(400, {"detail": message})


# --- devices ------------------------------------------------------------------------------

DEVICE_FIELDS = {
    "name": "str",
    "type": "str",
    "status": "str",
    "firmware_version": "str",
    "tags": "str_list",
    "metadata": "object",
}


@router.route("POST", "/fleet/devices/")
def register_device(state: Store, req: FakeRequest) -> FakeResponse:
    kinds = {k: v for k, v in DEVICE_FIELDS.items() if k != "status"}
    invalid = _check(req.body, kinds, ("name", "type"))
    if invalid is not None:
        return invalid
    record = {
        "status": "offline",
        "tags": [],
        "firmware_version": None,
        "metadata": {},
        "last_seen_at": None,
        **_pick(req.body, kinds),
    }
    device = state.create(DEVICES, record)
    # The token is shown once, at registration; the fake does not keep it.
    return FakeResponse(201, {**device, "device_token": f"dvt_{secrets.token_hex(16)}"})


# --- recordings ---------------------------------------------------------------------------

RECORDING_FIELDS = {"status": "str", "tags": "str_list"}


# --- events -------------------------------------------------------------------------------

EVENT_FIELDS = {
    "recording": "str",
    "device": "str",
    "label": "str",
    "type": "str",
    "timestamp": "datetime",
    "severity": "str",
    "description": "str",
    "duration_ms": "count",
    "tags": "str_list",
    "metadata": "object",
}
EVENT_REQUIRED = ("recording", "device", "label", "type", "timestamp")


def _event_errors(state: Store, body: Any) -> Errors:
    """Field errors of one event object, references to recording and device included."""
    if not isinstance(body, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    errors = _errors(body, EVENT_FIELDS, EVENT_REQUIRED)
    recording = None
    if "recording" not in errors:
        recording = state.get(RECORDINGS, body["recording"])
        if recording is None:
            errors["recording"] = [no_such_pk(body["recording"])]
    if "device" not in errors:
        if state.get(DEVICES, body["device"]) is None:
            errors["device"] = [no_such_pk(body["device"])]
        elif recording is not None and recording.get("device") not in (None, body["device"]):
            errors["device"] = ["Does not match the recording's device."]
    return errors


def _new_event(body: Record) -> Record:
    return {
        "description": None,
        "duration_ms": None,
        "tags": [],
        "metadata": {},
        "severity": "info",
        **_pick(body, EVENT_FIELDS),
    }


@router.route("POST", "/fleet/events/")
def create_event(state: Store, req: FakeRequest) -> FakeResponse:
    errors = _event_errors(state, req.body)
    if errors:
        return bad_request(errors)
    return FakeResponse(201, state.create(EVENTS, _new_event(req.body)))


@router.route("POST", "/fleet/events/batch/")
def create_event_batch(state: Store, req: FakeRequest) -> FakeResponse:
    """All or nothing: one bad event and none is created (per-item errors, DRF-style)."""
    invalid = _check(req.body, {"events": "object_list"}, ("events",))
    if invalid is not None:
        return invalid
    events = req.body["events"]
    item_errors = [_event_errors(state, event) for event in events]
    if any(item_errors):
        return FakeResponse(400, {"events": item_errors})
    for event in events:
        state.create(EVENTS, _new_event(event))
    return FakeResponse(201, {"created": len(events)})


# --- rules --------------------------------------------------------------------------------

RULE_FIELDS = {
    "name": "str",
    "description": "str",
    "enabled": "bool",
    "condition": "object",
    "actions": "object_list",
    "scope": "object",
}
BOOLEANS = {"true": True, "True": True, "1": True, "false": False, "False": False, "0": False}


@router.route("GET", "/fleet/rules/")
def list_rules(state: Store, req: FakeRequest) -> FakeResponse:
    items = state.all(RULES)
    enabled = req.q("enabled")
    if enabled is not None:
        if enabled not in BOOLEANS:
            return bad_request({"enabled": ["Enter a valid boolean."]})
        items = [r for r in items if r.get("enabled") is BOOLEANS[enabled]]
    return cursor_page(req, items, state.base_url)


# --- alerts -------------------------------------------------------------------------------


@router.route("POST", "/fleet/alerts/{alert_id}/acknowledge/")
def acknowledge_alert(state: Store, req: FakeRequest, alert_id: str) -> FakeResponse:
    """Open -> acknowledged; acknowledging again changes nothing; resolved ones refuse."""
    alert = state.get(ALERTS, alert_id)
    if alert is None:
        return not_found()
    if alert.get("status") == "resolved":
        return _refuse("A resolved alert cannot be acknowledged.")
    if alert.get("status") == "acknowledged":
        return FakeResponse(200, alert)
    changes = {"status": "acknowledged", "acknowledged_at": now_iso(), "acknowledged_by": "fake"}
    return FakeResponse(200, state.update(ALERTS, alert_id, changes))


@router.route("POST", "/fleet/alerts/{alert_id}/resolve/")
def resolve_alert(state: Store, req: FakeRequest, alert_id: str) -> FakeResponse:
    """Open or acknowledged -> resolved, with the optional note; the body may be absent."""
    alert = state.get(ALERTS, alert_id)
    if alert is None:
        return not_found()
    body: Any = {} if req.body is None else req.body
    invalid = _check(body, {"resolution_note": "str"})
    if invalid is not None:
        return invalid
    if alert.get("status") == "resolved":
        return _refuse("This alert is already resolved.")
    changes = {
        "status": "resolved",
        "resolved_at": now_iso(),
        "resolution_note": body.get("resolution_note"),
    }
    return FakeResponse(200, state.update(ALERTS, alert_id, changes))


# --- alert channels -----------------------------------------------------------------------

CHANNEL_FIELDS = {"name": "str", "type": "str", "config": "object"}


@router.route("POST", "/fleet/alert-channels/{channel_id}/test/")
def test_channel(state: Store, req: FakeRequest, channel_id: str) -> FakeResponse:
    channel = state.get(CHANNELS, channel_id)
    if channel is None:
        return not_found()
    message = f"Test notification sent through {channel['type']} channel {channel['name']!r}."
    return FakeResponse(200, {"success": True, "channel": channel_id, "message": message})


# --- recording uploads --------------------------------------------------------------------


def _sessions_of(state: Store, recording_uid: str) -> list[Record]:
    return state.where(SESSIONS, recording_uid=recording_uid)


def _session_view(session: Record) -> Record:
    """The UploadSession the API answers with (the file table stays server-side)."""
    keys = ("uid", "total_files", "total_bytes", "confirmed_files", "confirmed_bytes")
    return {k: session[k] for k in (*keys, "s3_prefix", "status")}


def _open_session(state: Store, req: FakeRequest, recording_uid: str) -> Record | FakeResponse:
    """The session named by the body's session_uid, if it is this recording's and still open."""
    session_uid = req.body["session_uid"]
    session = state.get(SESSIONS, session_uid)
    if session is None or session["recording_uid"] != recording_uid:
        return FakeResponse(404, {"detail": "Upload session not found."})
    if session["status"] == "completed":
        return _refuse("This upload session is already finalized.")
    return session


def _totals(files: list[Record]) -> Record:
    confirmed = [f for f in files if f["etag"] is not None]
    return {
        "files": files,
        "confirmed_files": len(confirmed),
        "confirmed_bytes": sum(f["size_bytes"] for f in confirmed),
    }


@router.route("POST", "/fleet/recordings/{recording_uid}/upload/init/")
def init_upload(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    if state.get(RECORDINGS, recording_uid) is None:
        return not_found()
    invalid = _check(req.body, {"files": "object_list", "storage_config_uid": "str"}, ("files",))
    if invalid is not None:
        return invalid
    files = req.body["files"]
    if not files:
        return bad_request({"files": ["This list may not be empty."]})
    seen: set[str] = set()
    item_errors: list[Errors] = []
    for entry in files:
        errors = _errors(entry, {"path": "str", "size_bytes": "count"}, ("path", "size_bytes"))
        if "path" not in errors:
            if entry["path"] in seen:
                errors["path"] = ["Duplicate path in this manifest."]
            seen.add(entry["path"])
        item_errors.append(errors)
    if any(item_errors):
        return FakeResponse(400, {"files": item_errors})
    if any(s["status"] != "completed" for s in _sessions_of(state, recording_uid)):
        return _refuse("An upload session is already open for this recording.")
    session_uid = str(uuid.uuid4())
    table = [{"path": f["path"], "size_bytes": f["size_bytes"], "etag": None} for f in files]
    session = state.create(
        SESSIONS,
        {
            "uid": session_uid,
            "recording_uid": recording_uid,
            "status": "initiated",
            "total_files": len(table),
            "total_bytes": sum(f["size_bytes"] for f in table),
            "s3_prefix": f"fleet/recordings/{recording_uid}/uploads/{session_uid}/",
            "storage_config_uid": req.body.get("storage_config_uid"),
            **_totals(table),
        },
    )
    return FakeResponse(201, _session_view(session))


@router.route("POST", "/fleet/recordings/{recording_uid}/upload/urls/")
def upload_urls(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    if state.get(RECORDINGS, recording_uid) is None:
        return not_found()
    kinds = {"session_uid": "str", "file_paths": "str_list", "ttl_seconds": "int"}
    invalid = _check(req.body, kinds, tuple(kinds))
    if invalid is not None:
        return invalid
    ttl = req.body["ttl_seconds"]
    if not 1 <= ttl <= MAX_TTL_SECONDS:
        problem = f"Ensure this value is between 1 and {MAX_TTL_SECONDS}."
        return bad_request({"ttl_seconds": [problem]})
    session = _open_session(state, req, recording_uid)
    if isinstance(session, FakeResponse):
        return session
    paths: list[str] = req.body["file_paths"]
    known = {f["path"] for f in session["files"]}
    unknown = [p for p in paths if p not in known]
    if not paths or unknown:
        message = "This list may not be empty."
        if unknown:
            message = f"Not in this upload session: {', '.join(unknown)}"
        return bad_request({"file_paths": [message]})
    urls = []
    for path in paths:
        key = f"{session['s3_prefix']}{path}"
        signature = secrets.token_hex(8)
        put_url = f"{UPLOAD_HOST}/{quote(key)}?X-Amz-Expires={ttl}&X-Amz-Signature={signature}"
        headers = {"Content-Type": "application/octet-stream"}
        urls.append({"path": path, "put_url": put_url, "s3_key": key, "headers": headers})
    state.update(SESSIONS, session["uid"], {"status": "uploading"})
    return FakeResponse(200, {"urls": urls})


@router.route("POST", "/fleet/recordings/{recording_uid}/upload/confirm/")
def confirm_upload(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    """Mark files uploaded (by ETag); confirming a file again does not count it twice."""
    if state.get(RECORDINGS, recording_uid) is None:
        return not_found()
    kinds = {"session_uid": "str", "files": "object_list"}
    invalid = _check(req.body, kinds, tuple(kinds))
    if invalid is not None:
        return invalid
    session = _open_session(state, req, recording_uid)
    if isinstance(session, FakeResponse):
        return session
    if not req.body["files"]:
        return bad_request({"files": ["This list may not be empty."]})
    table = {f["path"]: f for f in session["files"]}
    item_errors: list[Errors] = []
    for entry in req.body["files"]:
        kinds = {"path": "str", "etag": "str", "size_bytes": "count"}
        errors = _errors(entry, kinds, ("path", "etag"))
        if "path" not in errors and entry["path"] not in table:
            errors["path"] = ["Not in this upload session."]
        elif "path" not in errors and "size_bytes" not in errors and "size_bytes" in entry:
            expected = table[entry["path"]]["size_bytes"]
            if entry["size_bytes"] != expected:
                errors["size_bytes"] = [f"Does not match the manifest ({expected} bytes)."]
        item_errors.append(errors)
    if any(item_errors):
        return FakeResponse(400, {"files": item_errors})
    newly = 0
    for entry in req.body["files"]:
        row = table[entry["path"]]
        newly += 1 if row["etag"] is None else 0
        row["etag"] = entry["etag"]
    totals = _totals(list(table.values()))
    session = state.update(SESSIONS, session["uid"], {**totals, "status": "uploading"}) or session
    body = {
        "session_uid": session["uid"],
        "confirmed": newly,
        "total_confirmed": session["confirmed_files"],
        "total_files": session["total_files"],
    }
    return FakeResponse(200, body)


@router.route("POST", "/fleet/recordings/{recording_uid}/upload/finalize/")
def finalize_upload(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    """Completes the session once every file is confirmed."""
    if state.get(RECORDINGS, recording_uid) is None:
        return not_found()
    invalid = _check(req.body, {"session_uid": "str"}, ("session_uid",))
    if invalid is not None:
        return invalid
    session = _open_session(state, req, recording_uid)
    if isinstance(session, FakeResponse):
        return session
    pending = session["total_files"] - session["confirmed_files"]
    if pending:
        total = session["total_files"]
        return _refuse(f"{pending} of {total} files are not confirmed yet.")
    state.update(SESSIONS, session["uid"], {"status": "completed"})
    body = {
        "detail": "Upload finalized; the recording is queued for processing.",
        "session_uid": session["uid"],
        "status": "completed",
    }
    return FakeResponse(200, body)


@router.route("GET", "/fleet/recordings/{recording_uid}/upload/status/")
def upload_status(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    if state.get(RECORDINGS, recording_uid) is None:
        return not_found()
    sessions = _sessions_of(state, recording_uid)
    if not sessions:
        return FakeResponse(404, {"detail": NO_SESSION})
    session = sessions[-1]
    body = {
        "session_uid": session["uid"],
        "status": session["status"],
        "total_files": session["total_files"],
        "confirmed_files": session["confirmed_files"],
        "total_bytes": session["total_bytes"],
        "confirmed_bytes": session["confirmed_bytes"],
        "pending_paths": [f["path"] for f in session["files"] if f["etag"] is None],
    }
    return FakeResponse(200, body)


# --- the standard routes -------------------------------------------------------------------

DEVICE = Resource(
    DEVICES,
    keys={"device_id": "uid"},
    filters={"status": "status", "type": "type"},
    check=_kinds(DEVICE_FIELDS),
    fields=tuple(DEVICE_FIELDS),
    body_required=True,
)
RECORDING = Resource(
    RECORDINGS,
    keys={"recording_id": "uid"},
    filters={"device": "device", "status": "status"},
    check=_kinds(RECORDING_FIELDS),
    fields=tuple(RECORDING_FIELDS),
    body_required=True,
)
EVENT = Resource(
    EVENTS,
    keys={"event_id": "uid"},
    filters={"recording": "recording", "device": "device", "type": "type", "severity": "severity"},
)
RULE = Resource(
    RULES,
    keys={"rule_id": "uid"},
    check=_kinds(RULE_FIELDS, ("name", "condition", "actions")),
    fields=tuple(RULE_FIELDS),
    defaults=lambda: {
        "description": "",
        "enabled": True,
        "scope": None,
        "hit_count": 0,
        "last_hit_at": None,
    },
    body_required=True,
)
ALERT = Resource(
    ALERTS,
    keys={"alert_id": "uid"},
    filters={"status": "status", "severity": "severity", "device": "device", "rule": "rule"},
)
CHANNEL = Resource(
    CHANNELS,
    keys={"channel_id": "uid"},
    check=_kinds(CHANNEL_FIELDS, ("name", "type", "config")),
    fields=tuple(CHANNEL_FIELDS),
)

STANDARD: dict[str, tuple[Kind, Resource]] = {
    "fleet.devices.list": ("list", DEVICE),
    "fleet.devices.get": ("get", DEVICE),
    "fleet.devices.update": ("update", DEVICE),
    "fleet.devices.delete": ("delete", DEVICE),
    "fleet.recordings.list": ("list", RECORDING),
    "fleet.recordings.get": ("get", RECORDING),
    "fleet.recordings.update": ("update", RECORDING),
    "fleet.recordings.delete": ("delete", RECORDING),
    "fleet.events.list": ("list", EVENT),
    "fleet.events.get": ("get", EVENT),
    "fleet.events.delete": ("delete", EVENT),
    "fleet.rules.create": ("create", RULE),
    "fleet.rules.get": ("get", RULE),
    "fleet.rules.update": ("update", RULE),
    "fleet.rules.delete": ("delete", RULE),
    "fleet.alerts.list": ("list", ALERT),
    "fleet.alerts.get": ("get", ALERT),
    "fleet.alert_channels.list": ("list", CHANNEL),
    "fleet.alert_channels.create": ("create", CHANNEL),
    "fleet.alert_channels.delete": ("delete", CHANNEL),
}
