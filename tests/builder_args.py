"""Arguments a generic synthesiser cannot guess for some builders: they must pass the
builders' build-time checks. Shared by the endpoint-table and command-line tests."""

from __future__ import annotations

from typing import Any

SPECIAL_ARGS: dict[str, dict[str, Any]] = {
    "datasets.transfer": {"organization_uid": "org-1"},
    "exports.create": {"project": "prj-1"},
    "annotations.bulk_edit": {"edits": [{"action": "delete", "object_uuid": "o1"}]},
    "fleet.events.create_batch": {
        "events": [
            {
                "recording": "r1",
                "device": "d1",
                "label": "l",
                "type": "marker",
                "timestamp": "2024-01-01T00:00:00Z",
            }
        ]
    },
    "fleet.uploads.init_upload": {"files": [{"path": "a.mcap", "size_bytes": 1}]},
    "fleet.uploads.confirm_upload": {"files": [{"path": "a.mcap", "etag": "e", "size_bytes": 1}]},
    "organizations.slug_for_uid": {"organization_uid": "4b2a86e5-3f6b-4b9e-9d43-2a1f0f1e1c5d"},
    "fleet.uploads.managed_admit": {
        "files": [{"path": "a.mcap", "size_bytes": 1, "content_sha256": "0" * 64}]
    },
    "datasets.manual_upload_parts": {"part_numbers": [1, 2]},
    "fleet.uploads.managed_multipart_parts": {"numbers": [1]},
    "fleet.uploads.managed_finalize": {"files": [{"file_uid": "f", "generation_uid": "g"}]},
    "exports.wait": {"timeout": 1.0},
    "datasets.wait": {"timeout": 1.0},
}
