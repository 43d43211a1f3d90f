"""Fleet managed MCAP uploads (protocol ``fleet-managed-mcap-v1``, UPLOADS.md §3): the
plain routes, with the state they need. Parts are multipart uploads of the fake object
store, so progress lists what was really PUT. A finalize really finishes the work, one
step per status read (pending, running, then ended): each file's multipart upload is
completed and its size and sha256 checked against the admitted ones (a mismatch fails
it with the terminal ``content_mismatch``; missing parts with ``source_unavailable``,
which a new finalize retries), then the session is published.

Collection ``fleet_managed_sessions``: one per client-minted ``session_uid`` (its uid)."""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .._objects import StorageError
from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, not_found
from ._fields import Field, Spec, validated

router = Router()

PROTOCOL = "fleet-managed-mcap-v1"
PART_SIZE = 64 * 1024**2
GRANT_TTL = 300
PAGE = 100
SESSIONS = "fleet_managed_sessions"
TERMINAL_CODES = ("content_mismatch", "invalid_mcap")
BASE = "/fleet/recordings/{recording_uid}/managed-upload"

ENVELOPE: Spec = {
    "protocol": Field(required=True, choices=(PROTOCOL,)),
    "session_uid": Field(required=True, blank=False),
}
FILE: Spec = {**ENVELOPE, "file_uid": Field(required=True, blank=False)}
GENERATION: Spec = {**FILE, "generation_uid": Field(required=True, blank=False)}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _envelope(session: dict[str, Any]) -> dict[str, Any]:
    return {"protocol": PROTOCOL, "session_uid": session["uid"]}


def _status(session: dict[str, Any]) -> dict[str, Any]:
    files = [
        {k: v for k, v in f.items() if k not in ("upload_id", "key")} for f in session["files"]
    ]
    done = [f for f in files if f["verified"]]
    return {
        **_envelope(session),
        "recording_uid": session["recording_uid"],
        "status": session["status"],
        "total_files": len(files),
        "total_bytes": sum(f["size_bytes"] for f in files),
        "confirmed_files": len(done),
        "confirmed_bytes": sum(f["size_bytes"] for f in done),
        "files": files,
        "finalization": session.get("finalization"),
    }


def _session(state: Store, recording_uid: str, session_uid: Any) -> dict[str, Any] | None:
    return state.get_where(SESSIONS, str(session_uid), recording_uid=recording_uid)


def _file(session: dict[str, Any], file_uid: str) -> dict[str, Any] | None:
    return next((f for f in session["files"] if f["file_uid"] == file_uid), None)


@router.route("POST", f"{BASE}/admit/")
def admit(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    body = validated(req, {**ENVELOPE, "files": Field("list", required=True, empty=False)})
    if isinstance(body, FakeResponse):
        return body
    if state.get("fleet_recordings", recording_uid) is None:
        return not_found()
    found = _session(state, recording_uid, body["session_uid"])
    if found is not None:  # the session uid is client-minted: a repeated admit is the same
        return FakeResponse(200, _status(found))
    owner = state.user_uid
    files = []
    for entry in sorted(body["files"], key=lambda f: str(f.get("path"))):
        if not isinstance(entry, dict) or not {"path", "size_bytes", "content_sha256"} <= set(
            entry
        ):
            return bad_request({"files": ["Each file needs path, size_bytes and content_sha256."]})
        size = entry["size_bytes"]
        files.append(
            {
                "file_uid": str(uuid.uuid4()),
                "path": entry["path"],
                "size_bytes": size,
                "content_sha256": entry["content_sha256"],
                "content_type": "application/octet-stream",
                "content_encoding": "",
                "part_size": PART_SIZE,
                "part_count": math.ceil(size / PART_SIZE),
                "verified": False,
                "generation": None,
                "key": f"__o__=/{owner}/__cloud__/{body['session_uid']}/{entry['path']}",
            }
        )
    session = state.insert(
        SESSIONS,
        {
            "uid": body["session_uid"],
            "recording_uid": recording_uid,
            "status": "initiated",
            "files": files,
            "finalization": None,
        },
    )
    return FakeResponse(200, _status(session))


@router.route("GET", f"{BASE}/status/")
def status(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    if req.q("protocol") != PROTOCOL:
        return bad_request({"protocol": [f"Must be {PROTOCOL}."]})
    session = _session(state, recording_uid, req.q("session_uid"))
    if session is None:
        return not_found()
    return FakeResponse(200, _status(_advance(state, session)))


@router.route("POST", f"{BASE}/multipart/init/")
def multipart_init(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    body = validated(req, FILE)
    if isinstance(body, FakeResponse):
        return body
    session = _session(state, recording_uid, body["session_uid"])
    found = None if session is None else _file(session, body["file_uid"])
    if session is None or found is None:
        return not_found()
    if found["generation"] is not None:
        return FakeResponse(409, {"detail": "A generation is already open for this file."})
    generation = {"generation_uid": str(uuid.uuid4()), "number": 1, "state": "active"}
    found["generation"] = generation
    found["upload_id"] = state.objects.create_multipart(found["key"])
    state.update(SESSIONS, session["uid"], {"files": session["files"], "status": "uploading"})
    deadline = _iso(datetime.now(UTC) + timedelta(hours=24))
    return FakeResponse(
        200,
        {
            **_envelope(session),
            "file_uid": found["file_uid"],
            **generation,
            "part_size": found["part_size"],
            "part_count": found["part_count"],
            "initialization_deadline": deadline,
        },
    )


def _generation(
    state: Store, recording_uid: str, session_uid: Any, file_uid: Any, generation_uid: Any
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    session = _session(state, recording_uid, session_uid)
    found = None if session is None else _file(session, str(file_uid))
    if session is None or found is None or found["generation"] is None:
        return None
    if found["generation"]["generation_uid"] != generation_uid:
        return None
    return session, found


@router.route("GET", f"{BASE}/multipart/progress/")
def multipart_progress(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    after = req.q("after") or "0"
    if req.q("protocol") != PROTOCOL or not after.isdigit():
        return bad_request({"after": ["A valid integer is required."]})
    found = _generation(
        state, recording_uid, req.q("session_uid"), req.q("file_uid"), req.q("generation_uid")
    )
    if found is None:
        return not_found()
    session, file = found
    held = state.objects.parts(file["upload_id"])
    numbers = [n for n in sorted(held) if n > int(after)]
    page = numbers[:PAGE]
    more = len(numbers) > PAGE
    return FakeResponse(
        200,
        {
            **_envelope(session),
            "file_uid": file["file_uid"],
            "generation_uid": file["generation"]["generation_uid"],
            "parts": [{"part_number": n, "size": held[n].size} for n in page],
            "next_cursor": page[-1] if more else None,
        },
    )


@router.route("POST", f"{BASE}/multipart/parts/")
def multipart_parts(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    body = validated(req, {**GENERATION, "numbers": Field("list", required=True, items="int")})
    if isinstance(body, FakeResponse):
        return body
    found = _generation(
        state, recording_uid, body["session_uid"], body["file_uid"], body["generation_uid"]
    )
    if found is None:
        return not_found()
    session, file = found
    numbers = body["numbers"]
    if not numbers or any(not 1 <= n <= file["part_count"] for n in numbers):
        return bad_request({"numbers": ["Part numbers must be 1 to part_count."]})
    issued = datetime.now(UTC).replace(microsecond=0)
    grants = []
    for n in numbers:
        offset = (n - 1) * PART_SIZE
        size = min(PART_SIZE, file["size_bytes"] - offset)
        url = state.objects.presign(
            "PUT",
            file["key"],
            expires_in=GRANT_TTL,
            upload_id=file["upload_id"],
            part_number=n,
            issued_at=issued,
            signed_headers="content-length;host",  # as R2 grants are (UPLOADS.md §3.7)
        )
        grants.append(
            {
                "grant_uid": str(uuid.uuid4()),
                "part_number": n,
                "offset": offset,
                "size_bytes": size,
                "url": url,
                "headers": {"Content-Length": str(size)},
                "expires_at": _iso(issued + timedelta(seconds=GRANT_TTL)),
            }
        )
    return FakeResponse(
        200,
        {
            **_envelope(session),
            "file_uid": file["file_uid"],
            "generation_uid": file["generation"]["generation_uid"],
            "parts": grants,
        },
    )


@router.route("POST", f"{BASE}/finalize/")
def finalize(state: Store, req: FakeRequest, recording_uid: str) -> FakeResponse:
    body = validated(req, {**ENVELOPE, "files": Field("list", required=True, empty=False)})
    if isinstance(body, FakeResponse):
        return body
    session = _session(state, recording_uid, body["session_uid"])
    if session is None:
        return not_found()
    wanted = sorted(
        (
            {
                "file_uid": f["file_uid"],
                "generation_uid": (f["generation"] or {}).get("generation_uid"),
            }
            for f in session["files"]
        ),
        key=lambda entry: entry["file_uid"],
    )
    if body["files"] != wanted:
        return bad_request({"files": ["Every file with its generation, sorted by file_uid."]})
    finalization = session.get("finalization")
    if finalization is None or _retried(finalization):
        finalization = {
            "uid": finalization["uid"] if finalization else str(uuid.uuid4()),
            "state": "pending",
            "stage": "complete",
            "attempts": finalization["attempts"] if finalization else 0,
            "failures": finalization["failures"] if finalization else 0,
            "code": "pending",
            "available_at": _iso(datetime.now(UTC)),
            "publication_uid": None,
            "dataset_uid": None,
        }
    state.update(SESSIONS, session["uid"], {"finalization": finalization, "status": "completing"})
    return FakeResponse(200, {**_envelope(session), "finalization": finalization})


# --- finalization: pending -> running -> succeeded or failed, one step per status read ---


def _retried(finalization: dict[str, Any]) -> bool:
    """A failed finalization a new finalize starts again (its code is not terminal)."""
    return finalization["state"] == "failed" and finalization["code"] not in TERMINAL_CODES


def _advance(state: Store, session: dict[str, Any]) -> dict[str, Any]:
    """The session after one more step of its finalization, so a client polling the
    status sees it pending, then running, then ended."""
    finalization = session.get("finalization")
    if finalization is None or finalization["state"] not in ("pending", "running"):
        return session
    if finalization["state"] == "pending":
        changes: dict[str, Any] = {
            "finalization": {**finalization, "state": "running", "code": "running"}
        }
    else:
        changes = _finish(state, session, finalization)
    return state.update(SESSIONS, session["uid"], changes) or session


def _finish(state: Store, session: dict[str, Any], finalization: dict[str, Any]) -> dict[str, Any]:
    """Complete every file's multipart upload, verify its size and sha256 against the
    admitted ones, and publish; or fail at the first file that does not pass."""
    attempt = {**finalization, "attempts": finalization["attempts"] + 1}
    files = [dict(f) for f in session["files"]]
    for file in files:
        failed = _complete_file(state, file)
        if failed is not None:
            stage, code = failed
            ended = {
                **attempt,
                "state": "failed",
                "stage": stage,
                "code": code,
                "failures": min(5, attempt["failures"] + 1),
            }
            return {"files": files, "finalization": ended}
    published = {
        **attempt,
        "state": "succeeded",
        "stage": "publish",
        "code": "published",
        "publication_uid": str(uuid.uuid4()),
        "dataset_uid": str(uuid.uuid4()),
    }
    return {"files": files, "finalization": published, "status": "completed"}


def _complete_file(state: Store, file: dict[str, Any]) -> tuple[str, str] | None:
    """(stage, code) of the failure, or None once ``file`` is completed and verified."""
    if file["verified"]:
        return None
    generation = file["generation"]
    if generation is None:
        return "complete", "source_unavailable"
    if generation["state"] != "completed":
        try:
            state.objects.complete_multipart(file["upload_id"], file["part_count"])
        except StorageError:
            return "complete", "source_unavailable"  # parts missing: send them, finalize again
        file["generation"] = {**generation, "state": "completed"}
    stored = state.objects.info(file["key"])
    if (
        stored is None
        or stored.size != file["size_bytes"]
        or _sha256(stored.file) != file["content_sha256"]
    ):
        return "verify", "content_mismatch"
    file["verified"] = True
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()
