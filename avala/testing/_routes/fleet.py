"""Fleet: devices, recordings, events, rules, alerts, alert channels and recording uploads.

Recordings and alerts have no create route in the API: seed them with
``fake.seed.fleet_recording(...)`` and ``fake.seed.fleet_alert(...)``. Uploads keep one session
per recording at a time: init -> (urls, confirm)* -> finalize, and status reports it.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, cursor_page, not_found, now_iso
from ._fields import STRINGS, Errors, Field, Spec, field_errors, no_such_pk, validated
from ._standard import Resource, Table, routes

router = Router()

DEVICES = "fleet_devices"
RECORDINGS = "fleet_recordings"
EVENTS = "fleet_events"
RULES = "fleet_rules"
ALERTS = "fleet_alerts"
CHANNELS = "fleet_alert_channels"
SESSIONS = "fleet_upload_sessions"

MAX_TTL_SECONDS = 7 * 24 * 3600
NO_SESSION = "No upload session found for this recording."
PENDING_LISTED = 1000

Record = dict[str, Any]
NAME = Field(required=True, blank=False)
TEXT = Field(blank=False)
OBJECT = Field("object")
OBJECTS = Field("list", items="object")
COUNT = Field("int", minimum=0)


def _refuse(message: str) -> FakeResponse:
    """400 for a request the current state does not allow (not a field problem)."""
    return FakeResponse(400, {"detail": message})


# --- devices ------------------------------------------------------------------------------

DEVICE_SPEC: Spec = {
    "name": NAME,
    "type": NAME,
    "status": TEXT,
    "firmware_version": Field(),
    "tags": STRINGS,
    "metadata": OBJECT,
}
REGISTER_SPEC = {k: v for k, v in DEVICE_SPEC.items() if k != "status"}


@router.route("POST", "/fleet/devices/")
def register_device(state: Store, req: FakeRequest) -> FakeResponse:
    body = validated(req, REGISTER_SPEC)
    if isinstance(body, FakeResponse):
        return body
    defaults: Record = {"status": "offline", "tags": [], "firmware_version": None, "metadata": {}}
    device = state.create(DEVICES, {**defaults, "last_seen_at": None, **_pick(body, REGISTER_SPEC)})
    # The token is shown once, at registration; the fake does not keep it.
    return FakeResponse(201, {**device, "device_token": f"dvt_{secrets.token_hex(16)}"})


def _pick(body: Record, spec: Spec) -> Record:
    return {k: body[k] for k in spec if k in body}


# --- recordings ---------------------------------------------------------------------------

RECORDING_SPEC: Spec = {"status": TEXT, "tags": STRINGS}


# --- events -------------------------------------------------------------------------------

EVENT_SPEC: Spec = {
    "recording": NAME,
    "device": NAME,
    "label": NAME,
    "type": NAME,
    "timestamp": Field("datetime", required=True),
    "severity": Field(),
    "description": Field(),
    "duration_ms": COUNT,
    "tags": STRINGS,
    "metadata": OBJECT,
}


def _event_errors(state: Store, body: Any) -> Errors:
    """Field errors of one event object, references to recording and device included."""
    if not isinstance(body, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    errors = field_errors(EVENT_SPEC, body)
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
        **_pick(body, EVENT_SPEC),
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
    body = validated(req, {"events": Field("list", required=True, items="object")})
    if isinstance(body, FakeResponse):
        return body
    events = body["events"]
    item_errors = [_event_errors(state, event) for event in events]
    if any(item_errors):
        return FakeResponse(400, {"events": item_errors})
    for event in events:
        state.create(EVENTS, _new_event(event))
    return FakeResponse(201, {"created": len(events)})


# --- rules --------------------------------------------------------------------------------

RULE_SPEC: Spec = {
    "name": NAME,
    "description": Field(),
    "enabled": Field("bool"),
    "condition": Field("object", required=True),
    "actions": Field("list", required=True, items="object"),
    "scope": OBJECT,
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
    body = validated(req, {"resolution_note": Field()}, optional=True)
    if isinstance(body, FakeResponse):
        return body
    if alert.get("status") == "resolved":
        return _refuse("This alert is already resolved.")
    changes = {
        "status": "resolved",
        "resolved_at": now_iso(),
        "resolution_note": body.get("resolution_note"),
    }
    return FakeResponse(200, state.update(ALERTS, alert_id, changes))


# --- alert channels -----------------------------------------------------------------------

CHANNEL_SPEC: Spec = {"name": NAME, "type": NAME, "config": Field("object", required=True)}


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


def _open_session(state: Store, body: Record, recording_uid: str) -> Record | FakeResponse:
    """The session named by the body's session_uid, if it is this recording's and still open."""
    session_uid = body["session_uid"]
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
    spec = {"files": Field("list", required=True, items="object", empty=False)}
    body = validated(req, {**spec, "storage_config_uid": Field()})
    if isinstance(body, FakeResponse):
        return body
    files = body["files"]
    seen: set[str] = set()
    item_errors: list[Errors] = []
    for entry in files:
        errors = field_errors(
            {"path": NAME, "size_bytes": Field("int", required=True, minimum=0)}, entry
        )
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
            # the shape the real server gives (UPLOADS.md §2.2): fleet/ ... /<recording uid>/
            "s3_prefix": f"fleet/sessions/{session_uid}/{recording_uid}/",
            "storage_config_uid": body.get("storage_config_uid"),
            **_totals(table),
        },
    )
    return FakeResponse(201, _session_view(session))


@router.route("POST", "/fleet/recordings/{recording_uid}/upload/urls/")
def upload_urls(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    if state.get(RECORDINGS, recording_uid) is None:
        return not_found()
    ttl_field = Field("int", required=True, minimum=1, maximum=MAX_TTL_SECONDS)
    spec = {
        "session_uid": NAME,
        "file_paths": Field("list", required=True, items="str"),
        "ttl_seconds": ttl_field,
    }
    body = validated(req, spec)
    if isinstance(body, FakeResponse):
        return body
    ttl = body["ttl_seconds"]
    session = _open_session(state, body, recording_uid)
    if isinstance(session, FakeResponse):
        return session
    paths: list[str] = body["file_paths"]
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
        put_url = state.objects.presign("PUT", key, expires_in=ttl)
        headers = {"Content-Type": "application/octet-stream"}
        urls.append({"path": path, "put_url": put_url, "s3_key": key, "headers": headers})
    state.update(SESSIONS, session["uid"], {"status": "uploading"})
    return FakeResponse(200, {"urls": urls})


@router.route("POST", "/fleet/recordings/{recording_uid}/upload/confirm/")
def confirm_upload(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    """Mark files uploaded (by ETag); confirming a file again does not count it twice."""
    if state.get(RECORDINGS, recording_uid) is None:
        return not_found()
    spec = {"session_uid": NAME, "files": Field("list", required=True, items="object")}
    body = validated(req, spec)
    if isinstance(body, FakeResponse):
        return body
    session = _open_session(state, body, recording_uid)
    if isinstance(session, FakeResponse):
        return session
    if not body["files"]:
        return bad_request({"files": ["This list may not be empty."]})
    table = {f["path"]: f for f in session["files"]}
    item_errors: list[Errors] = []
    for entry in body["files"]:
        errors = field_errors({"path": NAME, "etag": NAME, "size_bytes": COUNT}, entry)
        if "path" not in errors and entry["path"] not in table:
            errors["path"] = ["Not in this upload session."]
        elif "path" not in errors and "size_bytes" not in errors and "size_bytes" in entry:
            expected = table[entry["path"]]["size_bytes"]
            if entry["size_bytes"] != expected:
                errors["size_bytes"] = [f"Does not match the manifest ({expected} bytes)."]
            # An object in the store must match the ETag (a low-level call may confirm
            # without one: the fake has no other way to seed a confirmed file).
            stored = state.objects.info(f"{session['s3_prefix']}{entry['path']}")
            if stored is not None and stored.etag.strip('"') != str(entry.get("etag")).strip('"'):
                errors["etag"] = ["Does not match the stored object."]
        item_errors.append(errors)
    if any(item_errors):
        return FakeResponse(400, {"files": item_errors})
    newly = 0
    for entry in body["files"]:
        row = table[entry["path"]]
        newly += 1 if row["etag"] is None else 0
        row["etag"] = entry["etag"]
    totals = _totals(list(table.values()))
    session = state.update(SESSIONS, session["uid"], {**totals, "status": "uploading"}) or session
    # UploadConfirmResponse's fields, and the counters the legacy workflow checks (§2.4)
    body = {
        "session_uid": session["uid"],
        "confirmed": newly,
        "total_confirmed": session["confirmed_files"],
        "total_files": session["total_files"],
        "total_bytes": session["total_bytes"],
        "confirmed_files": session["confirmed_files"],
        "confirmed_bytes": session["confirmed_bytes"],
    }
    return FakeResponse(200, body)


@router.route("POST", "/fleet/recordings/{recording_uid}/upload/finalize/")
def finalize_upload(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    """Completes the session once every file is confirmed."""
    if state.get(RECORDINGS, recording_uid) is None:
        return not_found()
    body = validated(req, {"session_uid": NAME})
    if isinstance(body, FakeResponse):
        return body
    session = _open_session(state, body, recording_uid)
    if isinstance(session, FakeResponse):
        return session
    pending = session["total_files"] - session["confirmed_files"]
    if pending:
        total = session["total_files"]
        return _refuse(f"{pending} of {total} files are not confirmed yet.")
    state.update(SESSIONS, session["uid"], {"status": "completed"})
    state.update(RECORDINGS, recording_uid, {"status": "processing"})
    body = {
        "detail": "Upload finalized; the recording is queued for processing.",
        "session_uid": session["uid"],
        "status": "completed",
    }
    return FakeResponse(200, body)


@router.route("GET", "/fleet/recordings/{recording_id}/")
def get_recording(state: Store, req: FakeRequest, recording_id: str) -> FakeResponse:
    """Each GET of a recording being processed (after a finalized upload) advances it:
    processing -> ready (or error, for uids in ``fake.recording_failures``)."""
    recording = state.get(RECORDINGS, recording_id)
    if recording is None:
        return not_found()
    if recording.get("status") == "processing":
        done = "error" if recording_id in state.recording_failures else "ready"
        recording = state.update(RECORDINGS, recording_id, {"status": done}) or recording
    return FakeResponse(200, RECORDING.view(recording))


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
        # Like the API: at most PENDING_LISTED paths, so a long list may be cut short.
        "pending_paths": [f["path"] for f in session["files"] if f["etag"] is None][
            :PENDING_LISTED
        ],
    }
    return FakeResponse(200, body)


# --- the standard routes -------------------------------------------------------------------

DEVICE = Resource(
    DEVICES,
    keys={"device_id": "uid"},
    filters={"status": "status", "type": "type"},
    spec=DEVICE_SPEC,
    body_required=True,
)
RECORDING = Resource(
    RECORDINGS,
    keys={"recording_id": "uid"},
    filters={"device": "device", "status": "status"},
    spec=RECORDING_SPEC,
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
    spec=RULE_SPEC,
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
    spec=CHANNEL_SPEC,
)

STANDARD: Table = {
    **routes("fleet.devices", DEVICE, "list", "get", "update", "delete"),
    **routes("fleet.recordings", RECORDING, "list", "update", "delete"),
    **routes("fleet.events", EVENT, "list", "get", "delete"),
    **routes("fleet.rules", RULE, "create", "get", "update", "delete"),
    **routes("fleet.alerts", ALERT, "list", "get"),
    **routes("fleet.alert_channels", CHANNEL, "list", "create", "delete"),
}
