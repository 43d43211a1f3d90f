"""Organizations, their members, invitations and teams.

The organization list is paginated by page number, unlike every other list: its
``next_cursor``/``previous_cursor`` are page numbers, and ``list(cursor=...)`` sends them
back as ``page``, so the usual ``list(cursor=page.next_cursor)`` loop works here too.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from returns.result import Failure, Result

from avala._decode import model, nothing, raw
from avala._decode import page as page_of
from avala._request import Call, Request, pure
from avala.errors import AvalaError, DecodeError
from avala.resources._base import api, compact
from avala.resources._checks import (
    check_limit,
    optional_str,
    page_query,
    required_str,
    required_uid,
)
from avala.types import (
    CursorPage,
    Invitation,
    JsonObject,
    Organization,
    OrganizationMember,
    Team,
    TeamMember,
)

MAX_SLUG_PAGES = 50
"""How many pages of organizations ``slug_for_uid`` reads before giving up with None."""

_PAGE_NUMBER = re.compile(r"[0-9]+")


def check_page_number(name: str, value: int | str | None) -> str | None:
    """A page number (1, 2, ... as int or decimal str) in the form sent on the wire."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{name} must be an int or str page number, not {type(value).__name__}")
    if isinstance(value, str):
        if not _PAGE_NUMBER.fullmatch(value):
            raise ValueError(f"{name} must be a page number such as '2', got {value!r}")
        value = int(value)
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return str(value)


def canonical_uuid(value: str) -> str | None:
    """The lower-case hyphenated form of a UUID string, or None if it is not one."""
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        return None


@dataclass(frozen=True, slots=True)
class Fail:
    """A step that fails with ``error`` (a value, unlike a lambda)."""

    error: AvalaError

    def __call__(self, _: object) -> Result[str | None, AvalaError]:
        return Failure(self.error)


@dataclass(frozen=True, slots=True)
class FindSlug:
    """One step of ``slug_for_uid``: look for ``target`` on a page, else read the next one
    (a value, so two walks built alike compare equal)."""

    target: str
    pages_read: int = 1
    current: str = "1"

    def __call__(self, found: CursorPage[Organization]) -> Request[str | None]:
        for org in found.items:
            if canonical_uuid(org.uid) == self.target:
                return pure(org.slug)
        following = found.next_cursor
        if following is None or self.pages_read >= MAX_SLUG_PAGES:
            return pure(None)
        if following == self.current:
            error = DecodeError(f"pagination did not advance: page={following!r} again")
            return pure(None).bind_result(Fail(error))
        # The server's own link, sent as is: a bad one is the server's 404, not an exception.
        reader = page_of(Organization, "page")
        request = api("organizations.list", reader, query={"page": following})
        return request.bind(FindSlug(self.target, self.pages_read + 1, following))


class Organizations:
    """Builds requests for organizations; ``client.organizations``."""

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        page: int | str | None = None,
    ) -> Call[CursorPage[Organization]]:
        """One page of the caller's organizations. ``cursor`` (a ``next_cursor``) and
        ``page`` both name a page number, sent as ``page``; give at most one."""
        if cursor is not None and page is not None:
            raise ValueError("give cursor or page, not both: both name the page to read")
        if cursor is not None:
            number = check_page_number("cursor", cursor)
        else:
            number = check_page_number("page", page)
        query = {"limit": check_limit(limit), "page": number}
        return api("organizations.list", page_of(Organization, "page"), query=query)

    def get(self, slug: str) -> Call[Organization]:
        """One organization by slug."""
        return api("organizations.get", model(Organization), path={"slug": slug})

    def slug_for_uid(self, organization_uid: str) -> Request[str | None]:
        """The current slug of the caller's organization with this uid, or None when none of
        the first 50 pages holds it. A uid that is not a UUID is a ValueError here."""
        target = canonical_uuid(required_uid("organization_uid", organization_uid))
        if target is None:
            raise ValueError(f"organization_uid must be a UUID, got {organization_uid!r}")
        first = api("organizations.list", page_of(Organization, "page"))
        return first.bind(FindSlug(target))

    def create(
        self,
        *,
        name: str,
        description: str | None = None,
        logo: str | None = None,
        website: str | None = None,
        industry: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        visibility: str | None = None,
    ) -> Call[Organization]:
        """Create an organization; the caller becomes its owner."""
        body = {
            "name": required_str("name", name),
            **compact(
                description=optional_str("description", description),
                logo=optional_str("logo", logo),
                website=optional_str("website", website),
                industry=optional_str("industry", industry),
                email=optional_str("email", email),
                phone=optional_str("phone", phone),
                visibility=optional_str("visibility", visibility),
            ),
        }
        return api("organizations.create", model(Organization), body=body)

    def update(
        self,
        slug: str,
        *,
        name: str | None = None,
        description: str | None = None,
        logo: str | None = None,
        website: str | None = None,
        handle: str | None = None,
        industry: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        visibility: str | None = None,
    ) -> Call[Organization]:
        """Change an organization; only the arguments given are sent (PATCH)."""
        body = compact(
            name=optional_str("name", name),
            description=optional_str("description", description),
            logo=optional_str("logo", logo),
            website=optional_str("website", website),
            handle=optional_str("handle", handle),
            industry=optional_str("industry", industry),
            email=optional_str("email", email),
            phone=optional_str("phone", phone),
            visibility=optional_str("visibility", visibility),
        )
        return api("organizations.update", model(Organization), path={"slug": slug}, body=body)

    def delete(self, slug: str) -> Call[None]:
        """Delete an organization."""
        return api("organizations.delete", nothing(), path={"slug": slug})

    def industry_choices(self) -> Call[JsonObject]:
        """The industry values the server accepts, as frozen JSON."""
        return api("organizations.industry_choices", raw())

    # -- members -------------------------------------------------------------------------

    def list_members(
        self,
        slug: str,
        *,
        search: str | None = None,
        role: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[OrganizationMember]]:
        """One page of an organization's members, optionally searched or of one role."""
        query = {
            "search": optional_str("search", search),
            "role": optional_str("role", role),
            **page_query(limit, cursor),
        }
        reader = page_of(OrganizationMember)
        return api("organizations.list_members", reader, path={"slug": slug}, query=query)

    def remove_member(self, slug: str, user_uid: str) -> Call[None]:
        """Remove a user from an organization."""
        path = {"slug": slug, "user_uid": user_uid}
        return api("organizations.remove_member", nothing(), path=path)

    def update_member_role(self, slug: str, user_uid: str, *, role: str) -> Call[None]:
        """Give a member another role in the organization."""
        path = {"slug": slug, "user_uid": user_uid}
        body = {"role": required_str("role", role)}
        return api("organizations.update_member_role", nothing(), path=path, body=body)

    def leave(self, slug: str) -> Call[None]:
        """The caller leaves the organization."""
        return api("organizations.leave", nothing(), path={"slug": slug})

    def transfer_ownership(self, slug: str, *, new_owner_uid: str) -> Call[None]:
        """Make another member the organization's owner."""
        body = {"new_owner_uid": required_uid("new_owner_uid", new_owner_uid)}
        return api("organizations.transfer_ownership", nothing(), path={"slug": slug}, body=body)

    # -- invitations ---------------------------------------------------------------------

    def list_invitations(
        self, slug: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Invitation]]:
        """One page of an organization's pending invitations."""
        query = page_query(limit, cursor)
        reader = page_of(Invitation)
        return api("organizations.list_invitations", reader, path={"slug": slug}, query=query)

    def create_invitation(
        self, slug: str, *, email: str, role: str | None = None
    ) -> Call[Invitation]:
        """Invite an email address to the organization (with a role, if given)."""
        body = {
            "email": required_str("email", email),
            **compact(role=optional_str("role", role)),
        }
        reader = model(Invitation)
        return api("organizations.create_invitation", reader, path={"slug": slug}, body=body)

    def resend_invitation(self, slug: str, invitation_uid: str) -> Call[None]:
        """Send a pending invitation's email again."""
        path = {"slug": slug, "invitation_uid": invitation_uid}
        return api("organizations.resend_invitation", nothing(), path=path)

    def cancel_invitation(self, slug: str, invitation_uid: str) -> Call[None]:
        """Withdraw a pending invitation."""
        path = {"slug": slug, "invitation_uid": invitation_uid}
        return api("organizations.cancel_invitation", nothing(), path=path)

    # -- teams ---------------------------------------------------------------------------

    def list_teams(
        self, slug: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Team]]:
        """One page of an organization's teams."""
        query = page_query(limit, cursor)
        return api("organizations.list_teams", page_of(Team), path={"slug": slug}, query=query)

    def create_team(
        self,
        slug: str,
        *,
        name: str,
        description: str | None = None,
        color: str | None = None,
    ) -> Call[Team]:
        """Create a team in the organization."""
        body = {
            "name": required_str("name", name),
            **compact(
                description=optional_str("description", description),
                color=optional_str("color", color),
            ),
        }
        return api("organizations.create_team", model(Team), path={"slug": slug}, body=body)

    def get_team(self, slug: str, team_slug: str) -> Call[Team]:
        """One team of the organization by its slug."""
        path = {"slug": slug, "team_slug": team_slug}
        return api("organizations.get_team", model(Team), path=path)

    def update_team(
        self,
        slug: str,
        team_slug: str,
        *,
        name: str | None = None,
        description: str | None = None,
        color: str | None = None,
    ) -> Call[Team]:
        """Change a team; only the arguments given are sent (PATCH)."""
        path = {"slug": slug, "team_slug": team_slug}
        body = compact(
            name=optional_str("name", name),
            description=optional_str("description", description),
            color=optional_str("color", color),
        )
        return api("organizations.update_team", model(Team), path=path, body=body)

    def delete_team(self, slug: str, team_slug: str) -> Call[None]:
        """Delete a team (its members stay in the organization)."""
        path = {"slug": slug, "team_slug": team_slug}
        return api("organizations.delete_team", nothing(), path=path)

    def list_team_members(
        self,
        slug: str,
        team_slug: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[TeamMember]]:
        """One page of a team's members."""
        path = {"slug": slug, "team_slug": team_slug}
        query = page_query(limit, cursor)
        reader = page_of(TeamMember)
        return api("organizations.list_team_members", reader, path=path, query=query)

    def add_team_member(
        self, slug: str, team_slug: str, *, user_uid: str, role: str | None = None
    ) -> Call[TeamMember]:
        """Add a member of the organization to one of its teams."""
        path = {"slug": slug, "team_slug": team_slug}
        body = {
            "user_uid": required_uid("user_uid", user_uid),
            **compact(role=optional_str("role", role)),
        }
        reader = model(TeamMember)
        return api("organizations.add_team_member", reader, path=path, body=body)

    def remove_team_member(self, slug: str, team_slug: str, user_uid: str) -> Call[None]:
        """Take a user out of a team (they stay in the organization)."""
        path = {"slug": slug, "team_slug": team_slug, "user_uid": user_uid}
        return api("organizations.remove_team_member", nothing(), path=path)

    def update_team_member_role(
        self, slug: str, team_slug: str, user_uid: str, *, role: str
    ) -> Call[None]:
        """Give a team member another role in the team."""
        path = {"slug": slug, "team_slug": team_slug, "user_uid": user_uid}
        body = {"role": required_str("role", role)}
        return api("organizations.update_team_member_role", nothing(), path=path, body=body)
