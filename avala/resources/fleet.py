"""Robot fleets: devices, recordings, events, rules, alerts, alert channels, uploads."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from avala._decode import field, model, nothing, page, raw
from avala._request import Call, Request
from avala.resources._base import StatusIn, api, compact, status_wait
from avala.resources._checks import (
    check_timestamp,
    json_object,
    json_objects,
    non_empty,
    optional_bool,
    optional_int,
    optional_json_object,
    optional_str,
    optional_string_list,
    optional_uid,
    page_query,
    required_int,
    required_str,
    required_uid,
    sequence,
    string_list,
)
from avala.transfers._managed_checks import PROTOCOL as MANAGED_PROTOCOL
from avala.transfers._scan import check_source, check_workers
from avala.types import (
    Alert,
    AlertChannel,
    CursorPage,
    Device,
    FleetEvent,
    JsonObject,
    ManagedFinalizeResponse,
    ManagedMultipartInit,
    ManagedPartGrants,
    ManagedPartInventory,
    ManagedUploadStatus,
    Recording,
    Rule,
    UploadSession,
    UploadStatusResponse,
    UploadUrlsResponse,
)
from avala.types.fleet import BatchEventParams

if TYPE_CHECKING:
    from avala.transfers._fleet_upload import RecordingUploadReport
    from avala.transfers._managed_upload import ManagedRecordingUploadReport

# --- argument checks (module level: the classes' ``list`` methods shadow the builtin) ---

_EVENT_REQUIRED = ("recording", "device", "label", "type", "timestamp")
_EVENT_REFERENCES = ("recording", "device")
_EVENT_OPTIONAL_STR = ("severity", "description")


def _with_timestamp_text(where: str, event: object) -> object:
    """The event with its ``timestamp`` checked and rendered, so a datetime passes as JSON."""
    if not isinstance(event, Mapping) or "timestamp" not in event:
        return event
    return {**event, "timestamp": check_timestamp(f"{where}.timestamp", event["timestamp"])}


def _batch_event(index: int, event: object) -> dict[str, Any]:
    """One ``BatchEventParams`` checked and copied into a plain JSON object."""
    where = f"events[{index}]"
    item = json_object(where, _with_timestamp_text(where, event))
    missing = [key for key in _EVENT_REQUIRED if key not in item]
    if missing:
        raise ValueError(f"{where} is missing required keys: {', '.join(missing)}")
    out: dict[str, Any] = dict(item)
    for key in _EVENT_REQUIRED:
        check = required_uid if key in _EVENT_REFERENCES else required_str
        out[key] = check(f"{where}.{key}", item[key])
    for key in _EVENT_OPTIONAL_STR:
        if key in item:
            out[key] = required_str(f"{where}.{key}", item[key])
    if "duration_ms" in item:
        out["duration_ms"] = optional_int(f"{where}.duration_ms", item["duration_ms"], minimum=0)
    if "tags" in item:
        out["tags"] = string_list(f"{where}.tags", item["tags"])
    if "metadata" in item:
        out["metadata"] = json_object(f"{where}.metadata", item["metadata"])
    return out


def _upload_file(name: str, entry: object) -> dict[str, Any]:
    """A file entry of a manifest or confirmation: an object naming its ``path``."""
    item = json_object(name, entry)
    if "path" not in item:
        raise ValueError(f"{name} has no 'path'")
    path = required_str(f"{name}.path", item["path"])
    if not path:
        raise ValueError(f"{name}.path must not be empty")
    if "size_bytes" in item:
        optional_int(f"{name}.size_bytes", item["size_bytes"], minimum=0)
    return item


def _upload_files(name: str, value: object) -> list[dict[str, Any]]:
    entries = sequence(name, value)
    return non_empty(name, [_upload_file(f"{name}[{i}]", e) for i, e in enumerate(entries)])


RECORDING_READY = frozenset({"ready"})
RECORDING_FAILED = frozenset({"error"})

# --- builders -----------------------------------------------------------------------------


class Devices:
    """Builds requests for fleet devices; ``client.fleet.devices``."""

    def list(
        self,
        *,
        status: str | None = None,
        type: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[Device]]:
        """One page of devices, optionally in one status or of one type."""
        query = {
            "status": optional_str("status", status),
            "type": optional_str("type", type),
            **page_query(limit, cursor),
        }
        return api("fleet.devices.list", page(Device), query=query)

    def register(
        self,
        *,
        name: str,
        type: str,
        firmware_version: str | None = None,
        tags: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Call[Device]:
        """Register a new device; the answer carries its ``device_token``."""
        body = compact(
            name=required_str("name", name),
            type=required_str("type", type),
            firmware_version=optional_str("firmware_version", firmware_version),
            tags=optional_string_list("tags", tags),
            metadata=optional_json_object("metadata", metadata),
        )
        return api("fleet.devices.register", model(Device), body=body)

    def get(self, device_id: str) -> Call[Device]:
        """One device by uid."""
        return api("fleet.devices.get", model(Device), path={"device_id": device_id})

    def update(
        self,
        device_id: str,
        *,
        name: str | None = None,
        status: str | None = None,
        firmware_version: str | None = None,
        tags: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Call[Device]:
        """Change some of a device's fields (PATCH: only the arguments given are sent)."""
        body = compact(
            name=optional_str("name", name),
            status=optional_str("status", status),
            firmware_version=optional_str("firmware_version", firmware_version),
            tags=optional_string_list("tags", tags),
            metadata=optional_json_object("metadata", metadata),
        )
        return api("fleet.devices.update", model(Device), path={"device_id": device_id}, body=body)

    def delete(self, device_id: str) -> Call[None]:
        """Remove a device from the fleet."""
        return api("fleet.devices.delete", nothing(), path={"device_id": device_id})


class Recordings:
    """Builds requests for fleet recordings; ``client.fleet.recordings``."""

    def list(
        self,
        *,
        device_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[Recording]]:
        """One page of recordings, optionally of one device or in one status."""
        query = {
            "device": optional_uid("device_id", device_id),
            "status": optional_str("status", status),
            **page_query(limit, cursor),
        }
        return api("fleet.recordings.list", page(Recording), query=query)

    def get(self, recording_id: str) -> Call[Recording]:
        """One recording by uid."""
        return api("fleet.recordings.get", model(Recording), path={"recording_id": recording_id})

    def update(
        self,
        recording_id: str,
        *,
        status: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> Call[Recording]:
        """Change a recording's status or tags (PATCH: only the arguments given are sent)."""
        body = compact(
            status=optional_str("status", status), tags=optional_string_list("tags", tags)
        )
        path = {"recording_id": recording_id}
        return api("fleet.recordings.update", model(Recording), path=path, body=body)

    def wait(
        self, recording_id: str, *, interval: float = 10.0, timeout: float = 3600.0
    ) -> Request[Recording]:
        """Poll the recording until it is ``ready`` (processed after an upload). ``error``
        ends the wait as a ``TerminalStatusError`` holding the recording; ``timeout``
        seconds without either is a ``WaitTimeoutError``. Compose it after an upload:
        ``uploads.upload_recording(uid, src).bind(lambda _: recordings.wait(uid))``."""
        return status_wait(
            self.get(recording_id),
            StatusIn(RECORDING_READY),
            StatusIn(RECORDING_FAILED),
            interval=interval,
            timeout=timeout,
        )

    def delete(self, recording_id: str) -> Call[None]:
        """Remove a recording."""
        return api("fleet.recordings.delete", nothing(), path={"recording_id": recording_id})


class Events:
    """Builds requests for fleet events; ``client.fleet.events``."""

    def list(
        self,
        *,
        recording_id: str | None = None,
        device_id: str | None = None,
        type: str | None = None,
        severity: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[FleetEvent]]:
        """One page of events, optionally of one recording or device, type or severity."""
        query = {
            "recording": optional_uid("recording_id", recording_id),
            "device": optional_uid("device_id", device_id),
            "type": optional_str("type", type),
            "severity": optional_str("severity", severity),
            **page_query(limit, cursor),
        }
        return api("fleet.events.list", page(FleetEvent), query=query)

    def create(
        self,
        *,
        recording: str,
        device: str,
        label: str,
        type: str,
        timestamp: datetime | str,
        severity: str | None = None,
        description: str | None = None,
        duration_ms: int | None = None,
        tags: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Call[FleetEvent]:
        """Mark a moment of a recording; ``timestamp`` is a timezone-aware datetime (sent in
        UTC) or ISO-8601 text (sent as given). A naive datetime is a ValueError."""
        body = compact(
            recording=required_uid("recording", recording),
            device=required_uid("device", device),
            label=required_str("label", label),
            type=required_str("type", type),
            timestamp=check_timestamp("timestamp", timestamp),
            severity=optional_str("severity", severity),
            description=optional_str("description", description),
            duration_ms=optional_int("duration_ms", duration_ms, minimum=0),
            tags=optional_string_list("tags", tags),
            metadata=optional_json_object("metadata", metadata),
        )
        return api("fleet.events.create", model(FleetEvent), body=body)

    def create_batch(self, *, events: Sequence[BatchEventParams]) -> Call[int]:
        """Create many events in one request; the value is how many the server created."""
        items = [_batch_event(i, event) for i, event in enumerate(sequence("events", events))]
        return api("fleet.events.create_batch", field("created", int), body={"events": items})

    def get(self, event_id: str) -> Call[FleetEvent]:
        """One event by uid."""
        return api("fleet.events.get", model(FleetEvent), path={"event_id": event_id})

    def delete(self, event_id: str) -> Call[None]:
        """Remove an event."""
        return api("fleet.events.delete", nothing(), path={"event_id": event_id})


class Rules:
    """Builds requests for fleet alerting rules; ``client.fleet.rules``."""

    def list(
        self,
        *,
        enabled: bool | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[Rule]]:
        """One page of rules, optionally only the enabled (or disabled) ones."""
        query = {
            "enabled": optional_bool("enabled", enabled),
            **page_query(limit, cursor),
        }
        return api("fleet.rules.list", page(Rule), query=query)

    def create(
        self,
        *,
        name: str,
        condition: Mapping[str, Any],
        actions: Sequence[Mapping[str, Any]],
        description: str | None = None,
        enabled: bool | None = None,
        scope: Mapping[str, Any] | None = None,
    ) -> Call[Rule]:
        """Create a rule: when ``condition`` matches, run ``actions`` (within ``scope``)."""
        body = compact(
            name=required_str("name", name),
            condition=json_object("condition", condition),
            actions=json_objects("actions", actions),
            description=optional_str("description", description),
            enabled=optional_bool("enabled", enabled),
            scope=optional_json_object("scope", scope),
        )
        return api("fleet.rules.create", model(Rule), body=body)

    def get(self, rule_id: str) -> Call[Rule]:
        """One rule by uid."""
        return api("fleet.rules.get", model(Rule), path={"rule_id": rule_id})

    def update(
        self,
        rule_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        enabled: bool | None = None,
        condition: Mapping[str, Any] | None = None,
        actions: Sequence[Mapping[str, Any]] | None = None,
        scope: Mapping[str, Any] | None = None,
    ) -> Call[Rule]:
        """Change some of a rule's fields (PATCH: only the arguments given are sent)."""
        body = compact(
            name=optional_str("name", name),
            description=optional_str("description", description),
            enabled=optional_bool("enabled", enabled),
            condition=optional_json_object("condition", condition),
            actions=None if actions is None else json_objects("actions", actions),
            scope=optional_json_object("scope", scope),
        )
        return api("fleet.rules.update", model(Rule), path={"rule_id": rule_id}, body=body)

    def delete(self, rule_id: str) -> Call[None]:
        """Remove a rule."""
        return api("fleet.rules.delete", nothing(), path={"rule_id": rule_id})


class Alerts:
    """Builds requests for fleet alerts; ``client.fleet.alerts``."""

    def list(
        self,
        *,
        status: str | None = None,
        severity: str | None = None,
        device_id: str | None = None,
        rule_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[Alert]]:
        """One page of alerts, optionally filtered by status, severity, device or rule."""
        query = {
            "status": optional_str("status", status),
            "severity": optional_str("severity", severity),
            "device": optional_uid("device_id", device_id),
            "rule": optional_uid("rule_id", rule_id),
            **page_query(limit, cursor),
        }
        return api("fleet.alerts.list", page(Alert), query=query)

    def get(self, alert_id: str) -> Call[Alert]:
        """One alert by uid."""
        return api("fleet.alerts.get", model(Alert), path={"alert_id": alert_id})

    def acknowledge(self, alert_id: str) -> Call[Alert]:
        """Mark an alert acknowledged (POST without a body)."""
        return api("fleet.alerts.acknowledge", model(Alert), path={"alert_id": alert_id})

    def resolve(self, alert_id: str, *, resolution_note: str | None = None) -> Call[Alert]:
        """Mark an alert resolved; without a note (None) no body is sent, and any str,
        "" included, is sent as given."""
        note = optional_str("resolution_note", resolution_note)
        body = None if note is None else {"resolution_note": note}
        return api("fleet.alerts.resolve", model(Alert), path={"alert_id": alert_id}, body=body)


class AlertChannels:
    """Builds requests for fleet alert channels; ``client.fleet.alert_channels``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[AlertChannel]]:
        """One page of alert channels."""
        return api("fleet.alert_channels.list", page(AlertChannel), query=page_query(limit, cursor))

    def create(self, *, name: str, type: str, config: Mapping[str, Any]) -> Call[AlertChannel]:
        """Create a channel alerts are delivered through; ``config`` depends on ``type``."""
        body = {
            "name": required_str("name", name),
            "type": required_str("type", type),
            "config": json_object("config", config),
        }
        return api("fleet.alert_channels.create", model(AlertChannel), body=body)

    def delete(self, channel_id: str) -> Call[None]:
        """Remove an alert channel."""
        return api("fleet.alert_channels.delete", nothing(), path={"channel_id": channel_id})

    def test(self, channel_id: str) -> Call[JsonObject]:
        """Ask the server to send a test notification; its untyped verdict, frozen."""
        return api("fleet.alert_channels.test", raw(), path={"channel_id": channel_id})


def _managed_files(name: str, value: object, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Non-empty list of objects, each with (at least) ``keys``."""
    entries = json_objects(name, value)
    for i, entry in enumerate(entries):
        missing = [k for k in keys if k not in entry]
        if missing:
            raise ValueError(f"{name}[{i}] needs {', '.join(missing)}")
    return non_empty(name, entries)


class ManagedUploads:
    """The managed MCAP upload calls (protocol ``fleet-managed-mcap-v1``); every call carries
    the client-minted ``session_uid``, in the body of a POST and the query of a GET."""

    def managed_status(self, recording_uid: str, session_uid: str) -> Call[ManagedUploadStatus]:
        """The session's snapshot: files, generations and finalization."""
        query = _envelope(session_uid)
        path = {"recording_uid": recording_uid}
        return api(
            "fleet.uploads.managed_status", model(ManagedUploadStatus), path=path, query=query
        )

    def managed_admit(
        self, recording_uid: str, session_uid: str, files: Sequence[Mapping[str, Any]]
    ) -> Call[ManagedUploadStatus]:
        """Admit the manifest (``{path, size_bytes, content_sha256}`` per file)."""
        body = {
            **_envelope(session_uid),
            "files": _managed_files("files", files, ("path", "size_bytes", "content_sha256")),
        }
        path = {"recording_uid": recording_uid}
        return api("fleet.uploads.managed_admit", model(ManagedUploadStatus), path=path, body=body)

    def managed_multipart_init(
        self, recording_uid: str, session_uid: str, file_uid: str
    ) -> Call[ManagedMultipartInit]:
        """Open generation 1 of one admitted file's multipart upload."""
        body = {**_envelope(session_uid), "file_uid": required_uid("file_uid", file_uid)}
        path = {"recording_uid": recording_uid}
        return api(
            "fleet.uploads.managed_multipart_init",
            model(ManagedMultipartInit),
            path=path,
            body=body,
        )

    def managed_multipart_progress(
        self,
        recording_uid: str,
        session_uid: str,
        file_uid: str,
        generation_uid: str,
        after: int = 0,
    ) -> Call[ManagedPartInventory]:
        """Parts already stored for a generation, numbered above ``after``."""
        query = {
            **_envelope(session_uid),
            "file_uid": required_uid("file_uid", file_uid),
            "generation_uid": required_uid("generation_uid", generation_uid),
            "after": required_int("after", after, minimum=0),
        }
        path = {"recording_uid": recording_uid}
        return api(
            "fleet.uploads.managed_multipart_progress",
            model(ManagedPartInventory),
            path=path,
            query=query,
        )

    def managed_multipart_parts(
        self,
        recording_uid: str,
        session_uid: str,
        file_uid: str,
        generation_uid: str,
        numbers: Sequence[int],
    ) -> Call[ManagedPartGrants]:
        """Short-lived signed PUT grants for parts (numbered from 1) of a generation."""
        parts = sequence("numbers", numbers)
        body = {
            **_envelope(session_uid),
            "file_uid": required_uid("file_uid", file_uid),
            "generation_uid": required_uid("generation_uid", generation_uid),
            "numbers": non_empty(
                "numbers",
                [required_int(f"numbers[{i}]", n, minimum=1) for i, n in enumerate(parts)],
            ),
        }
        path = {"recording_uid": recording_uid}
        return api(
            "fleet.uploads.managed_multipart_parts",
            model(ManagedPartGrants),
            path=path,
            body=body,
        )

    def managed_finalize(
        self, recording_uid: str, session_uid: str, files: Sequence[Mapping[str, Any]]
    ) -> Call[ManagedFinalizeResponse]:
        """Ask for verification and publication (``{file_uid, generation_uid}`` per file)."""
        body = {
            **_envelope(session_uid),
            "files": _managed_files("files", files, ("file_uid", "generation_uid")),
        }
        path = {"recording_uid": recording_uid}
        return api(
            "fleet.uploads.managed_finalize",
            model(ManagedFinalizeResponse),
            path=path,
            body=body,
        )


def _envelope(session_uid: str) -> dict[str, Any]:
    return {"protocol": MANAGED_PROTOCOL, "session_uid": required_uid("session_uid", session_uid)}


class Uploads(ManagedUploads):
    """Builds the low-level recording upload calls, legacy and managed;
    ``client.fleet.uploads``."""

    def init_upload(
        self,
        recording_uid: str,
        files: Sequence[Mapping[str, Any]],
        *,
        storage_config_uid: str | None = None,
    ) -> Call[UploadSession]:
        """Open an upload session for a recording from its manifest (``{path, size_bytes}``
        entries); ``storage_config_uid`` is left out only when None."""
        body = compact(
            files=_upload_files("files", files),
            storage_config_uid=optional_uid("storage_config_uid", storage_config_uid),
        )
        path = {"recording_uid": recording_uid}
        return api("fleet.uploads.init_upload", model(UploadSession), path=path, body=body)

    def get_upload_urls(
        self,
        recording_uid: str,
        session_uid: str,
        file_paths: Sequence[str],
        *,
        ttl_seconds: int = 3600,
    ) -> Call[UploadUrlsResponse]:
        """Presigned PUT targets for some files of the session, valid ``ttl_seconds``."""
        body = {
            "session_uid": required_uid("session_uid", session_uid),
            "file_paths": non_empty("file_paths", string_list("file_paths", file_paths)),
            "ttl_seconds": required_int("ttl_seconds", ttl_seconds, minimum=1),
        }
        path = {"recording_uid": recording_uid}
        return api("fleet.uploads.get_upload_urls", model(UploadUrlsResponse), path=path, body=body)

    def confirm_upload(
        self, recording_uid: str, session_uid: str, files: Sequence[Mapping[str, Any]]
    ) -> Call[JsonObject]:
        """Report uploaded files (``{path, etag, size_bytes}`` entries); raw JSON counters."""
        body = {
            "session_uid": required_uid("session_uid", session_uid),
            "files": _upload_files("files", files),
        }
        path = {"recording_uid": recording_uid}
        return api("fleet.uploads.confirm_upload", raw(), path=path, body=body)

    def finalize_upload(self, recording_uid: str, session_uid: str) -> Call[JsonObject]:
        """Close the session so the server processes the recording; raw JSON answer."""
        body = {"session_uid": required_uid("session_uid", session_uid)}
        path = {"recording_uid": recording_uid}
        return api("fleet.uploads.finalize_upload", raw(), path=path, body=body)

    def upload_recording(
        self,
        recording_uid: str,
        source_dir: str | os.PathLike[str],
        *,
        storage_config_uid: str | None = None,
        max_workers: int = 4,
    ) -> Request[RecordingUploadReport]:
        """Upload a directory as the recording's files (the legacy protocol: status, init,
        URLs just in time, PUTs, confirm, finalize), resumable from the journal after a
        crash. Builds a request; nothing is read or sent until it runs."""
        from avala.transfers._fleet_upload import check_protocol_uid, upload_recording

        config_uid = storage_config_uid
        return upload_recording(
            self,
            recording_uid=check_protocol_uid("recording_uid", recording_uid),
            source=check_source(source_dir),
            storage_config_uid=None
            if config_uid is None
            else check_protocol_uid("storage_config_uid", config_uid),
            workers=check_workers(max_workers),
        )

    def upload_managed_recording(
        self,
        recording_uid: str,
        source_dir: str | os.PathLike[str],
        *,
        max_workers: int = 2,
        wait_timeout: float = 0,
    ) -> Request[ManagedRecordingUploadReport]:
        """Upload a directory of MCAP files as the recording's managed upload (protocol
        ``fleet-managed-mcap-v1``: admit, multipart parts with checked grants, finalize),
        resumable from the journal and the server's part listing. ``wait_timeout > 0``
        waits up to that many seconds for the finalization to end; when it runs out the
        report holds the last (pending) snapshot. Builds a request; nothing is read or sent
        until it runs."""
        from avala.transfers import _managed_upload as managed

        return managed.upload_managed_recording(
            self,
            recording_uid=managed.check_recording_uid(recording_uid),
            source=check_source(source_dir),
            workers=managed.check_max_workers(max_workers),
            wait_timeout=managed.check_wait_timeout(wait_timeout),
        )

    def get_upload_status(self, recording_uid: str) -> Call[UploadStatusResponse]:
        """Progress of the recording's current upload session (404 when it has none)."""
        path = {"recording_uid": recording_uid}
        return api("fleet.uploads.get_upload_status", model(UploadStatusResponse), path=path)


class Fleet:
    """The fleet resources, grouped; ``client.fleet``."""

    devices = Devices()
    recordings = Recordings()
    events = Events()
    rules = Rules()
    alerts = Alerts()
    alert_channels = AlertChannels()
    uploads = Uploads()
