"""Organizations and everything under `/organizations/{slug}/`: members, invitations, teams.

State lives in five collections, children pointing at their parent's uid:
`organizations`; `organizations_members` (`organization`, `user_uid`, `role`, ...);
`organizations_invitations` (`organization`, ...); `organizations_teams` (`organization`,
`slug`, ...); `organizations_team_members` (`team`, `user_uid`, `role`).

The caller is `CALLER` (creating an organization makes them its owner). The list is
page-number paginated like DRF's PageNumberPagination. An organization the caller left is
gone for them (404, no longer listed). `member_count`, `team_count` and the caller's `role`
are computed on every read. Actions that return nothing answer in the ways servers do:
204, 200 with an empty body, or 200 with a JSON message.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, cursor_page, not_found, now_iso, page_number_page
from ._fields import NOT_BLANK, Field, Spec, field_errors, object_body, validated

router = Router()

ORGS = "organizations"
MEMBERS = "organizations_members"
INVITATIONS = "organizations_invitations"
TEAMS = "organizations_teams"
TEAM_MEMBERS = "organizations_team_members"

CALLER: dict[str, Any] = {
    "user_uid": "00000000-0000-4000-8000-000000000001",
    "username": "fake-user",
    "email": "fake-user@example.com",
    "full_name": "Fake User",
    "picture": None,
}
ORG_ROLES = ("admin", "member", "viewer")
TEAM_ROLES = ("lead", "member")
VISIBILITIES = ("public", "private")
INDUSTRIES = ("automotive", "robotics", "agriculture", "healthcare", "retail", "other")
TEAM_MEMBER_FIELDS = ("user_uid", "username", "email", "full_name", "picture", "role")
MEMBER_FIELDS = (*TEAM_MEMBER_FIELDS, "created_at", "last_active_at")
TEAM_FIELDS = ("uid", "name", "slug", "description", "color", "created_at", "updated_at")
HANDLE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
INVITE_DAYS = 7


def _blank_or(check: Callable[[str], bool], message: str) -> Callable[[str], str | None]:
    """A rule refusing, with `message`, a non-empty string that `check` refuses."""
    return lambda value: None if not value or check(value) else message


INVALID_EMAIL = "Enter a valid email address."
ORG_SPEC: Spec = {
    "name": Field(required=True, blank=False),
    **dict.fromkeys(("description", "logo"), Field()),
    "website": Field(
        rule=_blank_or(lambda v: v.startswith(("http://", "https://")), "Enter a valid URL.")
    ),
    "handle": Field(
        rule=lambda v: None if HANDLE.fullmatch(v) else "Use lowercase letters, digits and hyphens."
    ),
    "industry": Field(),
    "email": Field(rule=_blank_or(lambda v: "@" in v, INVALID_EMAIL)),
    "phone": Field(),
    "visibility": Field(choices=VISIBILITIES),
}
TEAM_SPEC: Spec = {
    "name": Field(required=True, rule=lambda v: None if _slugify(v) else NOT_BLANK),
    "description": Field(),
    "color": Field(
        rule=lambda v: None if COLOR.fullmatch(v) else "Enter a hex colour such as #1f77b4."
    ),
}
ORG_ROLE = Field(required=True, choices=ORG_ROLES)
TEAM_ROLE = Field(choices=TEAM_ROLES)

Record = dict[str, Any]


# --- lookups and views ---------------------------------------------------------------------


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _org(state: Store, slug: str) -> Record | None:
    """The organization with this slug, unless the caller has left it."""
    for org in state.all(ORGS):
        if org.get("slug") == slug and not org.get("left"):
            return org
    return None


def _members(state: Store, org_uid: str) -> list[Record]:
    return state.where(MEMBERS, organization=org_uid)


def _member(state: Store, org_uid: str, user_uid: str) -> Record | None:
    return state.first(MEMBERS, organization=org_uid, user_uid=user_uid)


def _teams(state: Store, org_uid: str) -> list[Record]:
    return state.where(TEAMS, organization=org_uid)


def _org_team(state: Store, slug: str, team_slug: str) -> tuple[Record, Record] | None:
    """The organization and its team with this slug, or None if either is missing."""
    org = _org(state, slug)
    team = state.first(TEAMS, organization=org["uid"], slug=team_slug) if org is not None else None
    return (org, team) if org is not None and team is not None else None


def _team_members(state: Store, team_uid: str) -> list[Record]:
    return state.where(TEAM_MEMBERS, team=team_uid)


def _team_member(state: Store, team_uid: str, user_uid: str) -> Record | None:
    return state.first(TEAM_MEMBERS, team=team_uid, user_uid=user_uid)


def _delete_team(state: Store, team: Record) -> None:
    """Delete a team and its memberships."""
    for member in _team_members(state, team["uid"]):
        state.delete(TEAM_MEMBERS, member["uid"])
    state.delete(TEAMS, team["uid"])


def org_view(state: Store, org: Record) -> Record:
    out = {k: v for k, v in org.items() if k != "left"}
    out["member_count"] = len(_members(state, org["uid"]))
    out["team_count"] = len(_teams(state, org["uid"]))
    mine = _member(state, org["uid"], CALLER["user_uid"])
    if mine is not None:
        out["role"] = mine.get("role")
    return out


def _member_view(member: Record) -> Record:
    return {k: member.get(k) for k in MEMBER_FIELDS}


def invitation_view(invitation: Record) -> Record:
    out = {k: v for k, v in invitation.items() if k != "organization"}
    expires = out.get("expires_at")
    out["is_expired"] = isinstance(expires, str) and expires < now_iso()
    return out


def team_view(state: Store, org: Record, team: Record) -> Record:
    out = {k: team.get(k) for k in TEAM_FIELDS}
    out["organization_uid"] = org["uid"]
    out["organization_name"] = org.get("name")
    out["organization_slug"] = org.get("slug")
    out["member_count"] = len(_team_members(state, team["uid"]))
    return out


def team_member_view(state: Store, org_uid: str, member: Record) -> Record:
    person = _member(state, org_uid, member["user_uid"]) or {}
    out = {k: person.get(k) for k in TEAM_MEMBER_FIELDS}
    out["user_uid"] = member["user_uid"]
    out["role"] = member.get("role")
    out["created_at"] = member.get("created_at")
    return out


def _caller_role(state: Store, org: Record) -> Any:
    mine = _member(state, org["uid"], CALLER["user_uid"])
    return mine.get("role") if mine is not None else org.get("role")


def _empty_ok() -> FakeResponse:
    """200 with no body at all: what some endpoints answer for a bodiless success."""
    return FakeResponse(200, raw=b"")


# --- organizations -------------------------------------------------------------------------


def _unique_slug(state: Store, base: str) -> str:
    taken = {o.get("slug") for o in state.all(ORGS)}
    slug, n = base or "org", 1
    while slug in taken:
        n += 1
        slug = f"{base or 'org'}-{n}"
    return slug


@router.route("GET", "/organizations/")
def list_orgs(state: Store, req: FakeRequest) -> FakeResponse:
    visible = [org_view(state, o) for o in state.all(ORGS) if not o.get("left")]
    return page_number_page(req, visible, state.base_url)


@router.route("POST", "/organizations/")
def create_org(state: Store, req: FakeRequest) -> FakeResponse:
    body = validated(req, ORG_SPEC)
    if isinstance(body, FakeResponse):
        return body
    slug = _unique_slug(state, _slugify(body["name"]))
    record = {
        "name": body["name"],
        "slug": slug,
        "handle": slug,
        "description": body.get("description", ""),
        "logo": body.get("logo"),
        "website": body.get("website"),
        "industry": body.get("industry"),
        "email": body.get("email"),
        "phone": body.get("phone"),
        "visibility": body.get("visibility", "private"),
        "organization_type": "team",
        "plan": "free",
        "is_verified": False,
        "is_active": True,
        "slug_edits_remaining": 3,
        "allowed_domains": [],
        "joined_at": now_iso(),
    }
    org = state.create(ORGS, record)
    state.insert(MEMBERS, {**CALLER, "organization": org["uid"], "role": "owner"})
    return FakeResponse(201, org_view(state, org))


@router.route("GET", "/organizations/industry-choices/")
def industry_choices(state: Store, req: FakeRequest) -> FakeResponse:
    choices = [{"value": value, "label": value.title()} for value in INDUSTRIES]
    return FakeResponse(200, {"choices": choices})


@router.route("GET", "/organizations/{slug}/")
def get_org(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    return FakeResponse(200, org_view(state, org)) if org is not None else not_found()


@router.route("PATCH", "/organizations/{slug}/")
def update_org(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    body = validated(req, ORG_SPEC, partial=True, optional=True)
    if isinstance(body, FakeResponse):
        return body
    changes = {k: body[k] for k in ORG_SPEC if k in body}
    updated = state.update(ORGS, org["uid"], changes) or org
    return FakeResponse(200, org_view(state, updated))


@router.route("DELETE", "/organizations/{slug}/")
def delete_org(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    for team in _teams(state, org["uid"]):
        _delete_team(state, team)
    for collection in (MEMBERS, INVITATIONS):
        for child in state.where(collection, organization=org["uid"]):
            state.delete(collection, child["uid"])
    state.delete(ORGS, org["uid"])
    return FakeResponse(204)


@router.route("POST", "/organizations/{slug}/leave/")
def leave_org(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    if _caller_role(state, org) == "owner":
        return FakeResponse(400, {"detail": "The owner cannot leave; transfer ownership first."})
    mine = _member(state, org["uid"], CALLER["user_uid"])
    if mine is not None:
        state.delete(MEMBERS, mine["uid"])
    state.update(ORGS, org["uid"], {"left": True})
    return FakeResponse(204)


@router.route("POST", "/organizations/{slug}/transfer-ownership/")
def transfer_ownership(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    body = validated(req, {"new_owner_uid": Field("any", required=True)})
    if isinstance(body, FakeResponse):
        return body
    if _caller_role(state, org) != "owner":
        return FakeResponse(403, {"detail": "Only the owner can transfer ownership."})
    target = _member(state, org["uid"], str(body["new_owner_uid"]))
    if target is None:
        return bad_request({"new_owner_uid": ["This user is not a member of the organization."]})
    mine = _member(state, org["uid"], CALLER["user_uid"])
    if mine is not None:
        state.update(MEMBERS, mine["uid"], {"role": "admin"})
    state.update(ORGS, org["uid"], {"role": "admin"})
    state.update(MEMBERS, target["uid"], {"role": "owner"})
    return _empty_ok()


# --- members -------------------------------------------------------------------------------


@router.route("GET", "/organizations/{slug}/members/")
def list_members(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    members = _members(state, org["uid"])
    search = (req.q("search") or "").casefold()
    if search:
        fields = ("username", "email", "full_name")
        members = [
            m for m in members if any(search in str(m.get(f) or "").casefold() for f in fields)
        ]
    role = req.q("role")
    if role:
        members = [m for m in members if m.get("role") == role]
    return cursor_page(req, [_member_view(m) for m in members], state.base_url)


@router.route("DELETE", "/organizations/{slug}/members/{user_uid}/")
def remove_member(state: Store, req: FakeRequest, slug: str, user_uid: str) -> FakeResponse:
    org = _org(state, slug)
    member = _member(state, org["uid"], user_uid) if org is not None else None
    if org is None or member is None:
        return not_found()
    if member.get("role") == "owner":
        return FakeResponse(400, {"detail": "The owner cannot be removed."})
    for team in _teams(state, org["uid"]):
        in_team = _team_member(state, team["uid"], user_uid)
        if in_team is not None:
            state.delete(TEAM_MEMBERS, in_team["uid"])
    state.delete(MEMBERS, member["uid"])
    return FakeResponse(204)


@router.route("PATCH", "/organizations/{slug}/members/{user_uid}/role/")
def update_member_role(state: Store, req: FakeRequest, slug: str, user_uid: str) -> FakeResponse:
    org = _org(state, slug)
    member = _member(state, org["uid"], user_uid) if org is not None else None
    if org is None or member is None:
        return not_found()
    body = object_body(req)
    if isinstance(body, FakeResponse):
        return body
    if body.get("role") == "owner":
        return bad_request({"role": ["Use transfer-ownership to change the owner."]})
    errors = field_errors({"role": ORG_ROLE}, body)
    if errors:
        return bad_request(errors)
    if member.get("role") == "owner":
        return FakeResponse(400, {"detail": "The owner's role cannot be changed."})
    state.update(MEMBERS, member["uid"], {"role": body["role"]})
    return FakeResponse(200, {"detail": "Role updated."})


# --- invitations ---------------------------------------------------------------------------


def _pending_invitation(
    state: Store, slug: str, invitation_uid: str, action: str
) -> Record | FakeResponse:
    """The organization's invitation if it is still pending; else a 404, or a 400 saying
    that only pending ones can be `action` (resent, cancelled)."""
    org = _org(state, slug)
    invitation = (
        state.get_where(INVITATIONS, invitation_uid, organization=org["uid"])
        if org is not None
        else None
    )
    if invitation is None:
        return not_found()
    if invitation.get("status") != "pending":
        return FakeResponse(400, {"detail": f"Only pending invitations can be {action}."})
    return invitation


def _expiry() -> str:
    return (datetime.now(UTC) + timedelta(days=INVITE_DAYS)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@router.route("GET", "/organizations/{slug}/invitations/")
def list_invitations(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    pending = state.where(INVITATIONS, organization=org["uid"], status="pending")
    views = [invitation_view(i) for i in pending]
    return cursor_page(req, views, state.base_url)


@router.route("POST", "/organizations/{slug}/invitations/")
def create_invitation(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    invite = {
        "email": Field(required=True, rule=lambda v: None if "@" in v else INVALID_EMAIL),
        "role": Field(choices=ORG_ROLES),
    }
    body = validated(req, invite)
    if isinstance(body, FakeResponse):
        return body
    email = body["email"]
    if state.first(MEMBERS, organization=org["uid"], email=email) is not None:
        return bad_request({"email": ["This user is already a member."]})
    pending = {"organization": org["uid"], "invited_email": email, "status": "pending"}
    if state.first(INVITATIONS, **pending) is not None:
        return bad_request({"email": ["An invitation for this email is already pending."]})
    uid = str(uuid.uuid4())
    link = f"https://app.avala.example/invitations/{uid}/accept/"
    record = {
        "uid": uid,
        "organization": org["uid"],
        "organization_name": org.get("name"),
        "organization_slug": org.get("slug"),
        "invited_email": email,
        "invited_by_username": CALLER["username"],
        "role": body.get("role", "member"),
        "status": "pending",
        "expires_at": _expiry(),
        "accept_url": link,
        "copy_link": link,
    }
    return FakeResponse(201, invitation_view(state.create(INVITATIONS, record)))


@router.route("POST", "/organizations/{slug}/invitations/{invitation_uid}/resend/")
def resend_invitation(
    state: Store, req: FakeRequest, slug: str, invitation_uid: str
) -> FakeResponse:
    invitation = _pending_invitation(state, slug, invitation_uid, "resent")
    if isinstance(invitation, FakeResponse):
        return invitation
    sent = int(invitation.get("resent_count", 0)) + 1
    state.update(INVITATIONS, invitation_uid, {"expires_at": _expiry(), "resent_count": sent})
    return _empty_ok()


@router.route("POST", "/organizations/{slug}/invitations/{invitation_uid}/cancel/")
def cancel_invitation(
    state: Store, req: FakeRequest, slug: str, invitation_uid: str
) -> FakeResponse:
    invitation = _pending_invitation(state, slug, invitation_uid, "cancelled")
    if isinstance(invitation, FakeResponse):
        return invitation
    state.update(INVITATIONS, invitation_uid, {"status": "cancelled"})
    return FakeResponse(204)


# --- teams ---------------------------------------------------------------------------------


@router.route("GET", "/organizations/{slug}/teams/")
def list_teams(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    teams = [team_view(state, org, t) for t in _teams(state, org["uid"])]
    return cursor_page(req, teams, state.base_url)


@router.route("POST", "/organizations/{slug}/teams/")
def create_team(state: Store, req: FakeRequest, slug: str) -> FakeResponse:
    org = _org(state, slug)
    if org is None:
        return not_found()
    body = validated(req, TEAM_SPEC)
    if isinstance(body, FakeResponse):
        return body
    team_slug = _slugify(body["name"])
    if state.first(TEAMS, organization=org["uid"], slug=team_slug) is not None:
        return bad_request({"name": ["A team with this name already exists."]})
    record = {
        "organization": org["uid"],
        "name": body["name"],
        "slug": team_slug,
        "description": body.get("description", ""),
        "color": body.get("color"),
    }
    return FakeResponse(201, team_view(state, org, state.create(TEAMS, record)))


@router.route("GET", "/organizations/{slug}/teams/{team_slug}/")
def get_team(state: Store, req: FakeRequest, slug: str, team_slug: str) -> FakeResponse:
    found = _org_team(state, slug, team_slug)
    if found is None:
        return not_found()
    org, team = found
    return FakeResponse(200, team_view(state, org, team))


@router.route("PATCH", "/organizations/{slug}/teams/{team_slug}/")
def update_team(state: Store, req: FakeRequest, slug: str, team_slug: str) -> FakeResponse:
    found = _org_team(state, slug, team_slug)
    if found is None:
        return not_found()
    org, team = found
    body = validated(req, TEAM_SPEC, partial=True, optional=True)
    if isinstance(body, FakeResponse):
        return body
    changes: Record = {k: body[k] for k in TEAM_SPEC if k in body}
    updated = state.update(TEAMS, team["uid"], changes) or team
    return FakeResponse(200, team_view(state, org, updated))


@router.route("DELETE", "/organizations/{slug}/teams/{team_slug}/")
def delete_team(state: Store, req: FakeRequest, slug: str, team_slug: str) -> FakeResponse:
    found = _org_team(state, slug, team_slug)
    if found is None:
        return not_found()
    _, team = found
    _delete_team(state, team)
    return FakeResponse(204)


@router.route("GET", "/organizations/{slug}/teams/{team_slug}/members/")
def list_team_members(state: Store, req: FakeRequest, slug: str, team_slug: str) -> FakeResponse:
    found = _org_team(state, slug, team_slug)
    if found is None:
        return not_found()
    org, team = found
    members = [team_member_view(state, org["uid"], m) for m in _team_members(state, team["uid"])]
    return cursor_page(req, members, state.base_url)


@router.route("POST", "/organizations/{slug}/teams/{team_slug}/members/")
def add_team_member(state: Store, req: FakeRequest, slug: str, team_slug: str) -> FakeResponse:
    found = _org_team(state, slug, team_slug)
    if found is None:
        return not_found()
    org, team = found
    body = validated(req, {"user_uid": Field("any", required=True), "role": TEAM_ROLE})
    if isinstance(body, FakeResponse):
        return body
    user_uid = body["user_uid"]
    if not isinstance(user_uid, str) or _member(state, org["uid"], user_uid) is None:
        return bad_request({"user_uid": ["User is not a member of this organization."]})
    if _team_member(state, team["uid"], user_uid) is not None:
        return bad_request({"user_uid": ["User is already a member of this team."]})
    record = {"team": team["uid"], "user_uid": user_uid, "role": body.get("role", "member")}
    member = state.create(TEAM_MEMBERS, record)
    return FakeResponse(201, team_member_view(state, org["uid"], member))


def _find_team_member(state: Store, slug: str, team_slug: str, user_uid: str) -> Record | None:
    found = _org_team(state, slug, team_slug)
    return _team_member(state, found[1]["uid"], user_uid) if found is not None else None


@router.route("DELETE", "/organizations/{slug}/teams/{team_slug}/members/{user_uid}/")
def remove_team_member(
    state: Store, req: FakeRequest, slug: str, team_slug: str, user_uid: str
) -> FakeResponse:
    member = _find_team_member(state, slug, team_slug, user_uid)
    if member is None:
        return not_found()
    state.delete(TEAM_MEMBERS, member["uid"])
    return FakeResponse(204)


@router.route("PATCH", "/organizations/{slug}/teams/{team_slug}/members/{user_uid}/role/")
def update_team_member_role(
    state: Store, req: FakeRequest, slug: str, team_slug: str, user_uid: str
) -> FakeResponse:
    member = _find_team_member(state, slug, team_slug, user_uid)
    if member is None:
        return not_found()
    body = validated(req, {"role": Field(required=True, choices=TEAM_ROLES)})
    if isinstance(body, FakeResponse):
        return body
    state.update(TEAM_MEMBERS, member["uid"], {"role": body["role"]})
    return _empty_ok()
