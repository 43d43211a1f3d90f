"""Bulk edits of 3D annotation objects: `POST /datasets/{owner}/{slug}/bulk-edition/`.

The body is a JSON array of edits `{action, object_uuid, object_type, dataset_item_uid |
sequence_uid, object_data}` with `action` one of create/update/delete (`object_data`, an
object, is required for create and update). A chunk is checked whole before any edit is
applied, so a 400 (DRF list errors: one object per edit, `{}` for good ones) changes nothing.

Collection `annotations_objects`: one record per object, `uid` = its `object_uuid`, plus
`dataset` (uid), `object_type`, `dataset_item_uid`, `sequence_uid`, `object_data`.
Datasets are found by `owner_name` + `slug` (`datasets.find_dataset`).
"""

from __future__ import annotations

from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, not_found
from ._fields import Field, field_errors
from .datasets import find_dataset

router = Router()

OBJECTS = "annotations_objects"
ACTIONS = ("create", "update", "delete")
EDIT_SPEC = {
    "action": Field(required=True, choices=ACTIONS),
    "object_uuid": Field(required=True),
    "object_type": Field(required=True),
}


def _check_edit(edit: Any, taken: bool, mine: bool) -> dict[str, list[str]]:
    """Field errors of one edit; `taken`: its uuid is in use anywhere at this point of the
    chunk, `mine`: by an object of this dataset (only those can be updated or deleted)."""
    if not isinstance(edit, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    errors = field_errors(EDIT_SPEC, edit)
    action = edit.get("action")
    targets = [k for k in ("dataset_item_uid", "sequence_uid") if edit.get(k) is not None]
    if len(targets) != 1:
        message = "Exactly one of dataset_item_uid and sequence_uid is required."
        errors["non_field_errors"] = [message]
    if action in ("create", "update") and not isinstance(edit.get("object_data"), dict):
        errors["object_data"] = ["This field is required and must be an object."]
    if "object_uuid" not in errors and not errors.get("action"):
        if action == "create" and taken:
            errors["object_uuid"] = ["An object with this uuid already exists."]
        elif action in ("update", "delete") and not mine:
            errors["object_uuid"] = ["Object does not exist."]
    return errors


@router.route("POST", "/datasets/{owner}/{slug}/bulk-edition/")
def bulk_edit(state: Store, req: FakeRequest, owner: str, slug: str) -> FakeResponse:
    dataset = find_dataset(state, owner, slug)
    if dataset is None:
        return not_found()
    edits = req.body
    if not isinstance(edits, list):
        got = "null" if edits is None else type(edits).__name__
        return bad_request({"non_field_errors": [f'Expected a list of items but got "{got}".']})
    if not edits:
        return bad_request({"non_field_errors": ["This list may not be empty."]})
    objects = state.all(OBJECTS)
    taken = {o["uid"] for o in objects}
    mine = {o["uid"] for o in objects if o.get("dataset") == dataset["uid"]}
    errors: list[dict[str, list[str]]] = []
    for edit in edits:
        uuid = edit.get("object_uuid") if isinstance(edit, dict) else None
        found = _check_edit(edit, uuid in taken, uuid in mine)
        errors.append(found)
        if not found and edit["action"] == "delete":
            taken.discard(uuid)
            mine.discard(uuid)
        elif not found:
            taken.add(uuid)
            mine.add(uuid)
    if any(errors):
        return FakeResponse(400, errors)
    counts = {"created": 0, "updated": 0, "deleted": 0}
    for edit in edits:
        uid = edit["object_uuid"]
        if edit["action"] == "delete":
            state.delete(OBJECTS, uid)
            counts["deleted"] += 1
            continue
        fields = {
            "dataset": dataset["uid"],
            "object_type": edit["object_type"],
            "dataset_item_uid": edit.get("dataset_item_uid"),
            "sequence_uid": edit.get("sequence_uid"),
            "object_data": edit["object_data"],
        }
        if edit["action"] == "create":
            state.create(OBJECTS, {"uid": uid, **fields})
            counts["created"] += 1
        else:
            state.update(OBJECTS, uid, fields)
            counts["updated"] += 1
    return FakeResponse(200, {"processed": len(edits), **counts})
