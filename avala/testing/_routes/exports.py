"""Exports: create (idempotent with `Idempotency-Key`), list, and a GET-driven lifecycle.

Each GET of one export advances it a step (pending -> processing -> exported|failed), so
polling clients finish after a predictable number of requests without any real clock.
An exported export's archive (a small zip) is put in the fake object store, and its
``download_url`` is a presigned GET of it, valid for ``EXPORT_URL_TTL`` seconds.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, not_found
from ._fields import Field, field_errors, object_body

router = Router()

EXPORT_URL_TTL = 3600


def export_key(uid: str) -> str:
    """Where an export's archive lives in the fake object store."""
    return f"exports/{uid}.zip"


def export_archive(export: dict[str, Any]) -> bytes:
    """The archive of an export: a zip holding one JSON document that names it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        document = {"export": export["uid"], "project": export.get("project"), "annotations": []}
        archive.writestr("annotations.json", json.dumps(document, sort_keys=True))
    return buffer.getvalue()


SPEC = {
    "project": Field(null=True, refers_to="projects"),
    "dataset": Field(null=True, refers_to="datasets"),
}


@router.route("POST", "/exports/")
def create_export(state: Store, req: FakeRequest) -> FakeResponse:
    body = object_body(req, optional=True)
    if isinstance(body, FakeResponse):
        return body
    key = req.headers.get("idempotency-key")
    if key:
        first_uid = state.idempotency.get(("exports", key))
        first = state.get("exports", first_uid) if first_uid else None
        if first is not None:
            return FakeResponse(200, first)
    errors = field_errors(SPEC, body, state=state)
    if errors:
        return bad_request(errors)
    export = state.create(
        "exports",
        {
            "status": "pending",
            "download_url": None,
            "project": body.get("project"),
            "dataset": body.get("dataset"),
        },
    )
    if key:
        state.idempotency[("exports", key)] = export["uid"]
    return FakeResponse(201, export)


def _next_step(state: Store, export: dict[str, Any]) -> dict[str, Any]:
    status = export.get("status")
    if status == "pending":
        return {"status": "processing"}
    if status == "processing":
        if export.get("project") in state.export_failures:
            return {"status": "failed"}
        key = export_key(export["uid"])
        state.objects.put(key, export_archive(export))
        url = state.objects.presign("GET", key, expires_in=EXPORT_URL_TTL)
        return {"status": "exported", "download_url": url}
    return {}


@router.route("GET", "/exports/{uid}/")
def get_export(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    export = state.get("exports", uid)
    if export is None:
        return not_found()
    changes = _next_step(state, export)
    if changes:
        export = state.update("exports", uid, changes) or export
    return FakeResponse(200, export)
