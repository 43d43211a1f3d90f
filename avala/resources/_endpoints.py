"""The Avala API as data: every endpoint id, its HTTP method, path template and kind.

Resource builders take method and path from here, and a test checks that every row is
reachable from ``Client``; a kind other than ``call`` composes several calls.
"""

from __future__ import annotations

from typing import Literal, NamedTuple


class Endpoint(NamedTuple):
    method: str
    path: str
    kind: Literal["call", "poll", "derived", "walk", "chunked"] = "call"
    auth: Literal["api_key", "none"] = "api_key"
    """``none``: an anonymous call, sent without the API key (resolver, signup)."""


def anonymous(method: str, path: str) -> Endpoint:
    """A call the API serves without credentials: the key must never be sent."""
    return Endpoint(method, path, auth="none")


_MANAGED = "/fleet/recordings/{recording_uid}/managed-upload"
_REVISION = "/resolve/uid/{dataset_uid}/{revision_sha256}"


ENDPOINTS: dict[str, Endpoint] = {
    "agents.list": Endpoint("GET", "/agents/"),
    "agents.get": Endpoint("GET", "/agents/{uid}/"),
    "agents.create": Endpoint("POST", "/agents/"),
    "agents.update": Endpoint("PATCH", "/agents/{uid}/"),
    "agents.delete": Endpoint("DELETE", "/agents/{uid}/"),
    "agents.list_executions": Endpoint("GET", "/agents/{uid}/executions/"),
    "agents.test": Endpoint("POST", "/agents/{uid}/test/"),
    "annotation_issues.list_by_sequence": Endpoint(
        "GET", "/sequences/{sequence_uid}/annotation-issues/"
    ),
    "annotation_issues.create": Endpoint("POST", "/sequences/{sequence_uid}/annotation-issues/"),
    "annotation_issues.update": Endpoint(
        "PATCH", "/sequences/{sequence_uid}/annotation-issues/{issue_uid}/"
    ),
    "annotation_issues.delete": Endpoint(
        "DELETE", "/sequences/{sequence_uid}/annotation-issues/{issue_uid}/"
    ),
    "annotation_issues.list_by_dataset": Endpoint(
        "GET", "/datasets/{owner}/{dataset_slug}/annotation-issues/"
    ),
    "annotation_issues.get_metrics": Endpoint(
        "GET", "/datasets/{owner}/{dataset_slug}/annotation-issues/metrics/"
    ),
    "annotation_issues.list_tools": Endpoint("GET", "/qc-available-tools/"),
    "annotations.bulk_edit": Endpoint("POST", "/datasets/{owner}/{slug}/bulk-edition/", "chunked"),
    "auto_label_jobs.list": Endpoint("GET", "/auto-label-jobs/"),
    "auto_label_jobs.get": Endpoint("GET", "/auto-label-jobs/{uid}/"),
    "auto_label_jobs.create": Endpoint("POST", "/projects/{project_uid}/auto-label/"),
    "auto_label_jobs.cancel": Endpoint("DELETE", "/auto-label-jobs/{uid}/"),
    "consensus.get_summary": Endpoint("GET", "/projects/{project_uid}/consensus/"),
    "consensus.list_scores": Endpoint("GET", "/projects/{project_uid}/consensus/scores/"),
    "consensus.compute": Endpoint("POST", "/projects/{project_uid}/consensus/compute/"),
    "consensus.get_config": Endpoint("GET", "/projects/{project_uid}/consensus/config/"),
    "consensus.update_config": Endpoint("PUT", "/projects/{project_uid}/consensus/config/"),
    "datasets.list": Endpoint("GET", "/datasets/"),
    "datasets.get": Endpoint("GET", "/datasets/{uid}/"),
    "datasets.get_by_slug": Endpoint("GET", "/datasets/{owner}/{slug}/"),
    "datasets.transfer": Endpoint("POST", "/datasets/{owner}/{slug}/transfer/"),
    "datasets.create": Endpoint("POST", "/datasets/"),
    "datasets.create_manual_upload_url": Endpoint(
        "POST", "/datasets/manual-upload/file-upload-url/"
    ),
    "datasets.manual_upload_quota": Endpoint("GET", "/datasets/manual-upload/quota/"),
    "datasets.manual_upload_allowed_mimes": Endpoint(
        "GET", "/datasets/manual-upload/allowed-mimes/"
    ),
    "datasets.create_from_manual_upload": Endpoint("POST", "/datasets/manual-upload/"),
    "datasets.manual_upload_parts": Endpoint(
        "POST", "/datasets/manual-upload/uploads/{upload_uid}/parts/"
    ),
    "datasets.manual_upload_complete": Endpoint(
        "POST", "/datasets/manual-upload/uploads/{upload_uid}/complete/"
    ),
    "datasets.list_items": Endpoint("GET", "/datasets/{owner}/{slug}/items/"),
    "datasets.get_item": Endpoint("GET", "/datasets/{owner}/{slug}/items/{item_uid}/"),
    "datasets.list_sequences": Endpoint("GET", "/datasets/{owner}/{slug}/sequences/"),
    "datasets.get_sequence": Endpoint("GET", "/datasets/{owner}/{slug}/sequences/{sequence_uid}/"),
    "datasets.get_frame": Endpoint(
        "GET", "/datasets/{owner}/{slug}/sequences/{sequence_uid}/", "derived"
    ),
    "datasets.get_calibration": Endpoint(
        "GET", "/datasets/{owner}/{slug}/sequences/{sequence_uid}/", "derived"
    ),
    "datasets.get_health": Endpoint("GET", "/datasets/{owner}/{slug}/health/"),
    "datasets.wait": Endpoint("GET", "/datasets/{uid}/", "poll"),
    "exports.list": Endpoint("GET", "/exports/"),
    "exports.create": Endpoint("POST", "/exports/"),
    "exports.get": Endpoint("GET", "/exports/{uid}/"),
    "exports.wait": Endpoint("GET", "/exports/{uid}/", "poll"),
    "fleet.devices.list": Endpoint("GET", "/fleet/devices/"),
    "fleet.devices.register": Endpoint("POST", "/fleet/devices/"),
    "fleet.devices.get": Endpoint("GET", "/fleet/devices/{device_id}/"),
    "fleet.devices.update": Endpoint("PATCH", "/fleet/devices/{device_id}/"),
    "fleet.devices.delete": Endpoint("DELETE", "/fleet/devices/{device_id}/"),
    "fleet.recordings.list": Endpoint("GET", "/fleet/recordings/"),
    "fleet.recordings.get": Endpoint("GET", "/fleet/recordings/{recording_id}/"),
    "fleet.recordings.update": Endpoint("PATCH", "/fleet/recordings/{recording_id}/"),
    "fleet.recordings.delete": Endpoint("DELETE", "/fleet/recordings/{recording_id}/"),
    "fleet.events.list": Endpoint("GET", "/fleet/events/"),
    "fleet.events.create": Endpoint("POST", "/fleet/events/"),
    "fleet.events.create_batch": Endpoint("POST", "/fleet/events/batch/"),
    "fleet.events.get": Endpoint("GET", "/fleet/events/{event_id}/"),
    "fleet.events.delete": Endpoint("DELETE", "/fleet/events/{event_id}/"),
    "fleet.rules.list": Endpoint("GET", "/fleet/rules/"),
    "fleet.rules.create": Endpoint("POST", "/fleet/rules/"),
    "fleet.rules.get": Endpoint("GET", "/fleet/rules/{rule_id}/"),
    "fleet.rules.update": Endpoint("PATCH", "/fleet/rules/{rule_id}/"),
    "fleet.rules.delete": Endpoint("DELETE", "/fleet/rules/{rule_id}/"),
    "fleet.alerts.list": Endpoint("GET", "/fleet/alerts/"),
    "fleet.alerts.get": Endpoint("GET", "/fleet/alerts/{alert_id}/"),
    "fleet.alerts.acknowledge": Endpoint("POST", "/fleet/alerts/{alert_id}/acknowledge/"),
    "fleet.alerts.resolve": Endpoint("POST", "/fleet/alerts/{alert_id}/resolve/"),
    "fleet.alert_channels.list": Endpoint("GET", "/fleet/alert-channels/"),
    "fleet.alert_channels.create": Endpoint("POST", "/fleet/alert-channels/"),
    "fleet.alert_channels.delete": Endpoint("DELETE", "/fleet/alert-channels/{channel_id}/"),
    "fleet.alert_channels.test": Endpoint("POST", "/fleet/alert-channels/{channel_id}/test/"),
    "fleet.uploads.init_upload": Endpoint("POST", "/fleet/recordings/{recording_uid}/upload/init/"),
    "fleet.uploads.get_upload_urls": Endpoint(
        "POST", "/fleet/recordings/{recording_uid}/upload/urls/"
    ),
    "fleet.uploads.confirm_upload": Endpoint(
        "POST", "/fleet/recordings/{recording_uid}/upload/confirm/"
    ),
    "fleet.uploads.finalize_upload": Endpoint(
        "POST", "/fleet/recordings/{recording_uid}/upload/finalize/"
    ),
    "fleet.uploads.get_upload_status": Endpoint(
        "GET", "/fleet/recordings/{recording_uid}/upload/status/"
    ),
    "fleet.uploads.managed_status": Endpoint("GET", f"{_MANAGED}/status/"),
    "fleet.uploads.managed_admit": Endpoint("POST", f"{_MANAGED}/admit/"),
    "fleet.uploads.managed_multipart_init": Endpoint("POST", f"{_MANAGED}/multipart/init/"),
    "fleet.uploads.managed_multipart_progress": Endpoint("GET", f"{_MANAGED}/multipart/progress/"),
    "fleet.uploads.managed_multipart_parts": Endpoint("POST", f"{_MANAGED}/multipart/parts/"),
    "fleet.uploads.managed_finalize": Endpoint("POST", f"{_MANAGED}/finalize/"),
    "inference_providers.list": Endpoint("GET", "/inference-providers/"),
    "inference_providers.get": Endpoint("GET", "/inference-providers/{uid}/"),
    "inference_providers.create": Endpoint("POST", "/inference-providers/"),
    "inference_providers.update": Endpoint("PATCH", "/inference-providers/{uid}/"),
    "inference_providers.delete": Endpoint("DELETE", "/inference-providers/{uid}/"),
    "inference_providers.test": Endpoint("POST", "/inference-providers/{uid}/test/"),
    "organizations.list": Endpoint("GET", "/organizations/"),
    "organizations.get": Endpoint("GET", "/organizations/{slug}/"),
    "organizations.slug_for_uid": Endpoint("GET", "/organizations/", "walk"),
    "organizations.create": Endpoint("POST", "/organizations/"),
    "organizations.update": Endpoint("PATCH", "/organizations/{slug}/"),
    "organizations.delete": Endpoint("DELETE", "/organizations/{slug}/"),
    "organizations.industry_choices": Endpoint("GET", "/organizations/industry-choices/"),
    "organizations.list_members": Endpoint("GET", "/organizations/{slug}/members/"),
    "organizations.remove_member": Endpoint("DELETE", "/organizations/{slug}/members/{user_uid}/"),
    "organizations.update_member_role": Endpoint(
        "PATCH", "/organizations/{slug}/members/{user_uid}/role/"
    ),
    "organizations.leave": Endpoint("POST", "/organizations/{slug}/leave/"),
    "organizations.transfer_ownership": Endpoint(
        "POST", "/organizations/{slug}/transfer-ownership/"
    ),
    "organizations.list_invitations": Endpoint("GET", "/organizations/{slug}/invitations/"),
    "organizations.create_invitation": Endpoint("POST", "/organizations/{slug}/invitations/"),
    "organizations.resend_invitation": Endpoint(
        "POST", "/organizations/{slug}/invitations/{invitation_uid}/resend/"
    ),
    "organizations.cancel_invitation": Endpoint(
        "POST", "/organizations/{slug}/invitations/{invitation_uid}/cancel/"
    ),
    "organizations.list_teams": Endpoint("GET", "/organizations/{slug}/teams/"),
    "organizations.create_team": Endpoint("POST", "/organizations/{slug}/teams/"),
    "organizations.get_team": Endpoint("GET", "/organizations/{slug}/teams/{team_slug}/"),
    "organizations.update_team": Endpoint("PATCH", "/organizations/{slug}/teams/{team_slug}/"),
    "organizations.delete_team": Endpoint("DELETE", "/organizations/{slug}/teams/{team_slug}/"),
    "organizations.list_team_members": Endpoint(
        "GET", "/organizations/{slug}/teams/{team_slug}/members/"
    ),
    "organizations.add_team_member": Endpoint(
        "POST", "/organizations/{slug}/teams/{team_slug}/members/"
    ),
    "organizations.remove_team_member": Endpoint(
        "DELETE", "/organizations/{slug}/teams/{team_slug}/members/{user_uid}/"
    ),
    "organizations.update_team_member_role": Endpoint(
        "PATCH", "/organizations/{slug}/teams/{team_slug}/members/{user_uid}/role/"
    ),
    "projects.list": Endpoint("GET", "/users/me/projects/"),
    "projects.get": Endpoint("GET", "/users/me/projects/{uid}/"),
    "quality_targets.list": Endpoint("GET", "/projects/{project_uid}/quality-targets/"),
    "quality_targets.get": Endpoint("GET", "/projects/{project_uid}/quality-targets/{uid}/"),
    "quality_targets.create": Endpoint("POST", "/projects/{project_uid}/quality-targets/"),
    "quality_targets.update": Endpoint("PATCH", "/projects/{project_uid}/quality-targets/{uid}/"),
    "quality_targets.delete": Endpoint("DELETE", "/projects/{project_uid}/quality-targets/{uid}/"),
    "quality_targets.evaluate": Endpoint(
        "POST", "/projects/{project_uid}/quality-targets/evaluate/"
    ),
    "resolver.resolve_reference": anonymous("GET", "/resolve/{owner}/{dataset}@{selector}/"),
    "resolver.resolve_uid": anonymous("GET", f"{_REVISION}/"),
    "resolver.list_objects": anonymous("GET", f"{_REVISION}/objects/"),
    "resolver.issue_access_grant": anonymous("POST", f"{_REVISION}/objects/{{object_uid}}/access/"),
    "resolver.issue_access_grant_get": anonymous(
        "GET", f"{_REVISION}/objects/{{object_uid}}/access/"
    ),
    "avala.signup": anonymous("POST", "/signup/"),
    "slices.list": Endpoint("GET", "/slices/{owner}/list/"),
    "slices.get": Endpoint("GET", "/slices/{owner}/{slug}/"),
    "slices.create": Endpoint("POST", "/slices/"),
    "slices.list_items": Endpoint("GET", "/slices/{owner}/{slug}/items/list/"),
    "slices.get_item": Endpoint("GET", "/slices/{owner}/{slug}/items/{item_uid}/"),
    "storage_configs.list": Endpoint("GET", "/storage-configs/"),
    "storage_configs.create": Endpoint("POST", "/storage-configs/"),
    "storage_configs.setup_info": Endpoint("GET", "/storage-configs/setup-info/"),
    "storage_configs.test": Endpoint("POST", "/storage-configs/{uid}/test/"),
    "storage_configs.get": Endpoint("GET", "/storage-configs/{uid}/"),
    "storage_configs.delete": Endpoint("DELETE", "/storage-configs/{uid}/"),
    "tasks.list": Endpoint("GET", "/tasks/"),
    "tasks.get": Endpoint("GET", "/tasks/{uid}/"),
    "users.me": Endpoint("GET", "/users/me/"),
    "webhooks.list": Endpoint("GET", "/webhooks/"),
    "webhooks.get": Endpoint("GET", "/webhooks/{uid}/"),
    "webhooks.create": Endpoint("POST", "/webhooks/"),
    "webhooks.update": Endpoint("PATCH", "/webhooks/{uid}/"),
    "webhooks.delete": Endpoint("DELETE", "/webhooks/{uid}/"),
    "webhooks.test": Endpoint("POST", "/webhooks/{uid}/test/"),
    "webhook_deliveries.list": Endpoint("GET", "/webhook-deliveries/"),
    "webhook_deliveries.get": Endpoint("GET", "/webhook-deliveries/{uid}/"),
}
