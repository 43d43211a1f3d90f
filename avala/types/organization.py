"""Models of organizations, their members, invitations and teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "Invitation",
    "Organization",
    "OrganizationMember",
    "Team",
    "TeamMember",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    """An organization (workspace) the caller belongs to; ``role`` is the caller's role in it."""

    uid: str
    name: str
    slug: str
    handle: str | None = None
    description: str | None = None
    readme: str | None = None
    logo: str | None = None
    website: str | None = None
    industry: str | None = None
    organization_type: str | None = None
    x_url: str | None = None
    hugging_face_url: str | None = None
    github_url: str | None = None
    linkedin_url: str | None = None
    email: str | None = None
    phone: str | None = None
    visibility: str | None = None
    plan: str | None = None
    is_verified: bool = False
    is_active: bool = True
    member_count: int | None = None
    team_count: int | None = None
    dataset_count: int | None = None
    project_count: int | None = None
    slice_count: int | None = None
    role: str | None = None
    joined_at: datetime | None = None
    slug_edits_remaining: int | None = None
    allowed_domains: tuple[str, ...] | None = None
    billing_status: str | None = None
    public_slug: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganizationMember:
    """A user's membership of an organization, with their role there."""

    user_uid: str
    username: str | None = None
    email: str | None = None
    full_name: str | None = None
    picture: str | None = None
    role: str | None = None
    created_at: datetime | None = None
    last_active_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Invitation:
    """An invitation of an email address to join an organization."""

    uid: str
    organization_name: str | None = None
    organization_slug: str | None = None
    invited_email: str
    invited_by_username: str | None = None
    role: str | None = None
    status: str | None = None
    expires_at: datetime | None = None
    is_expired: bool | None = None
    accept_url: str | None = None
    copy_link: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    """A named group of members inside an organization, addressed by its slug."""

    uid: str
    name: str
    slug: str | None = None
    description: str | None = None
    color: str | None = None
    organization_uid: str | None = None
    organization_name: str | None = None
    organization_slug: str | None = None
    member_count: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamMember:
    """A user's membership of a team, with their role in the team."""

    user_uid: str
    username: str | None = None
    email: str | None = None
    full_name: str | None = None
    picture: str | None = None
    role: str | None = None
    created_at: datetime | None = None
