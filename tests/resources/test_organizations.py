"""organizations against FakeAvala over HTTP: what is sent, and what comes back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pyrsistent import freeze
from returns.result import Success

from avala import Client, Request
from avala.errors import (
    DecodeError,
    FieldError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from avala.resources.organizations import MAX_SLUG_PAGES
from avala.testing import FakeAvala, Fault
from avala.types import Invitation, JsonObject, Organization, OrganizationMember, Team, TeamMember

STAMP = "2024-05-01T10:00:00Z"
WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
ME = "00000000-0000-4000-8000-000000000001"  # the fake's caller


def seed_org(fake: FakeAvala, n: int, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": str(uuid.UUID(int=n)),
        "name": f"Org {n}",
        "slug": f"org-{n}",
        "visibility": "private",
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("organizations", record)


def seed_member(fake: FakeAvala, org: dict[str, Any], user: str, role: str = "member") -> None:
    fake.store.insert(
        "organizations_members",
        {
            "organization": org["uid"],
            "user_uid": user,
            "username": user,
            "email": f"{user}@example.com",
            "full_name": user.title(),
            "role": role,
            "created_at": STAMP,
        },
    )


def seed_team(fake: FakeAvala, org: dict[str, Any], slug: str, **fields: Any) -> dict[str, Any]:
    record = {
        "organization": org["uid"],
        "name": slug.title(),
        "slug": slug,
        "description": "",
        "color": "#112233",
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("organizations_teams", record)


def seed_invitation(
    fake: FakeAvala, org: dict[str, Any], uid: str, **fields: Any
) -> dict[str, Any]:
    record = {
        "uid": uid,
        "organization": org["uid"],
        "organization_name": org["name"],
        "organization_slug": org["slug"],
        "invited_email": f"{uid}@example.com",
        "invited_by_username": "fake-user",
        "role": "member",
        "status": "pending",
        "expires_at": "2999-01-01T00:00:00Z",
        "created_at": STAMP,
        **fields,
    }
    return fake.store.insert("organizations_invitations", record)


def owned_org(client: Client, name: str = "Acme Robotics") -> Organization:
    """An organization made through the API, so the caller is its owner."""
    return client.run(client.organizations.create(name=name)).unwrap()


# --- list: page-number pagination ----------------------------------------------------------


def test_list_walks_pages_by_number(client: Client, fake: FakeAvala) -> None:
    for n in range(1, 26):
        seed_org(fake, n)
    orgs = client.organizations

    first = client.run(orgs.list(limit=10)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == ("GET", "/organizations/", {"limit": ["10"]})
    assert [o.slug for o in first] == [f"org-{n}" for n in range(1, 11)]
    assert (first.next_cursor, first.previous_cursor) == ("2", None)

    second = client.run(orgs.list(limit=10, cursor=first.next_cursor)).unwrap()
    assert fake.requests[-1].query == {"limit": ["10"], "page": ["2"]}
    assert [o.slug for o in second] == [f"org-{n}" for n in range(11, 21)]
    assert (second.next_cursor, second.previous_cursor) == ("3", "1")

    third = client.run(orgs.list(limit=10, cursor=second.next_cursor)).unwrap()
    assert fake.requests[-1].query == {"limit": ["10"], "page": ["3"]}
    assert [o.slug for o in third] == [f"org-{n}" for n in range(21, 26)]
    assert (third.next_cursor, third.previous_cursor) == (None, "2")

    # previous_cursor leads back, page 1 included
    back = client.run(orgs.list(limit=10, cursor=second.previous_cursor)).unwrap()
    assert fake.requests[-1].query == {"limit": ["10"], "page": ["1"]}
    assert back.items == first.items


def test_generic_cursor_loop_reaches_every_organization(client: Client, fake: FakeAvala) -> None:
    for n in range(1, 8):
        seed_org(fake, n)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):  # bounded: a re-read of page 1 would never end
        page = client.run(client.organizations.list(limit=3, cursor=cursor)).unwrap()
        seen.extend(o.uid for o in page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [str(uuid.UUID(int=n)) for n in range(1, 8)]
    assert len(set(seen)) == 7


def test_list_page_argument_int_or_str(client: Client, fake: FakeAvala) -> None:
    for n in range(1, 6):
        seed_org(fake, n)
    by_int = client.run(client.organizations.list(limit=2, page=2)).unwrap()
    assert fake.requests[-1].query == {"limit": ["2"], "page": ["2"]}
    by_str = client.run(client.organizations.list(limit=2, page="2")).unwrap()
    assert fake.requests[-1].query == {"limit": ["2"], "page": ["2"]}
    assert [o.slug for o in by_int] == [o.slug for o in by_str] == ["org-3", "org-4"]
    assert client.organizations.list(page=2) == client.organizations.list(cursor="2")


def test_list_decodes_organization(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1, allowed_domains=None, is_verified=True, industry="robotics")
    seed_member(fake, org, "ann", role="admin")
    seed_member(fake, org, ME, role="admin")
    seed_team(fake, org, "perception")
    page = client.run(client.organizations.list()).unwrap()
    assert fake.requests[-1].query == {}
    assert page.items == (
        Organization(
            uid=str(uuid.UUID(int=1)),
            name="Org 1",
            slug="org-1",
            visibility="private",
            industry="robotics",
            is_verified=True,
            member_count=2,
            team_count=1,
            role="admin",
            allowed_domains=None,
            created_at=WHEN,
            updated_at=WHEN,
        ),
    )


def test_list_page_past_the_end_is_not_found(client: Client, fake: FakeAvala) -> None:
    seed_org(fake, 1)
    result = client.run(client.organizations.list(page=5))
    assert isinstance(result.failure(), NotFoundError)
    assert fake.requests[-1].query == {"page": ["5"]}


def test_list_build_time_validation(client: Client) -> None:
    orgs = client.organizations
    with pytest.raises(ValueError, match="not both"):
        orgs.list(cursor="2", page=2)
    for bad in (0, -1, "0", "", "abc", "2.0", " 2"):
        with pytest.raises(ValueError):
            orgs.list(page=bad)
    with pytest.raises(ValueError):
        orgs.list(cursor="opaque-token")
    with pytest.raises(TypeError):
        orgs.list(page=True)
    with pytest.raises(TypeError):
        orgs.list(page=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        orgs.list(limit=0)


# --- slug_for_uid: a walk over pages -------------------------------------------------------


def test_slug_for_uid_finds_an_organization_on_page_3(client: Client, fake: FakeAvala) -> None:
    for n in range(1, 46):  # default page size 20: org 45 is on page 3
        seed_org(fake, n)
    target = str(uuid.UUID(int=45)).upper()  # compared as canonical UUIDs
    fake.clear_requests()
    assert client.run(client.organizations.slug_for_uid(target)) == Success("org-45")
    sent = [(r.method, r.path, r.query) for r in fake.requests]
    assert sent == [
        ("GET", "/organizations/", {}),
        ("GET", "/organizations/", {"page": ["2"]}),
        ("GET", "/organizations/", {"page": ["3"]}),
    ]


def test_slug_for_uid_stops_at_the_first_match(client: Client, fake: FakeAvala) -> None:
    for n in range(1, 30):
        seed_org(fake, n)
    fake.clear_requests()
    target = str(uuid.UUID(int=3)).replace("-", "")  # unhyphenated form is the same UUID
    assert client.run(client.organizations.slug_for_uid(target)) == Success("org-3")
    assert len(fake.requests) == 1


def test_slug_for_uid_absent_is_none(client: Client, fake: FakeAvala) -> None:
    for n in range(1, 46):
        seed_org(fake, n)
    fake.clear_requests()
    result = client.run(client.organizations.slug_for_uid(str(uuid.UUID(int=99))))
    assert result == Success(None)
    assert [r.query for r in fake.requests] == [{}, {"page": ["2"]}, {"page": ["3"]}]


def test_slug_for_uid_with_no_organizations(client: Client, fake: FakeAvala) -> None:
    assert client.run(client.organizations.slug_for_uid(str(uuid.uuid4()))) == Success(None)


def test_slug_for_uid_request_error_is_a_failure(client: Client, fake: FakeAvala) -> None:
    for n in range(1, 46):
        seed_org(fake, n)
    fake.inject(Fault.status(403), path="/organizations/")
    fake.clear_requests()
    # the first page is refused: the walk stops there with the typed error
    result = client.run(client.organizations.slug_for_uid(str(uuid.UUID(int=45))))
    assert isinstance(result.failure(), ForbiddenError)
    assert len(fake.requests) == 1


def test_slug_for_uid_reads_at_most_50_pages(client: Client, fake: FakeAvala) -> None:
    def endless(n: int) -> Fault:
        body = {
            "count": 10_000,
            "next": f"{fake.base_url}/organizations/?page={n + 1}",
            "previous": None,
            "results": [{"uid": str(uuid.UUID(int=n)), "name": f"Org {n}", "slug": f"o{n}"}],
        }
        return Fault.status(200, body)

    fake.inject(*[endless(n) for n in range(1, 60)], path="/organizations/")
    result = client.run(client.organizations.slug_for_uid(str(uuid.UUID(int=55))))
    assert result == Success(None)
    assert len(fake.requests) == MAX_SLUG_PAGES == 50
    assert fake.requests[-1].query == {"page": ["50"]}


def test_slug_for_uid_fails_when_pages_do_not_advance(client: Client, fake: FakeAvala) -> None:
    stuck = {
        "count": 3,
        "next": f"{fake.base_url}/organizations/?page=2",
        "previous": None,
        "results": [],
    }
    fake.inject(Fault.status(200, stuck), Fault.status(200, stuck), path="/organizations/")
    result = client.run(client.organizations.slug_for_uid(str(uuid.uuid4())))
    assert isinstance(result.failure(), DecodeError)
    assert [r.query for r in fake.requests] == [{}, {"page": ["2"]}]


def test_slug_for_uid_build_time_validation(client: Client) -> None:
    with pytest.raises(ValueError, match="UUID"):
        client.organizations.slug_for_uid("acme")
    with pytest.raises(TypeError):
        client.organizations.slug_for_uid(42)  # type: ignore[arg-type]
    uid = str(uuid.uuid4())
    assert client.organizations.slug_for_uid(uid) == client.organizations.slug_for_uid(uid)


# --- one organization ----------------------------------------------------------------------


def test_get(client: Client, fake: FakeAvala) -> None:
    seed_org(fake, 7, description="We label", website="https://acme.example")
    result = client.run(client.organizations.get("org-7"))
    assert (fake.requests[-1].method, fake.requests[-1].path) == ("GET", "/organizations/org-7/")
    assert result == Success(
        Organization(
            uid=str(uuid.UUID(int=7)),
            name="Org 7",
            slug="org-7",
            description="We label",
            website="https://acme.example",
            visibility="private",
            member_count=0,
            team_count=0,
            created_at=WHEN,
            updated_at=WHEN,
        )
    )


def test_get_unknown_is_not_found_and_slug_is_one_segment(client: Client, fake: FakeAvala) -> None:
    assert isinstance(client.run(client.organizations.get("ghost")).failure(), NotFoundError)
    result = client.run(client.organizations.get("a/b?c"))
    assert isinstance(result.failure(), NotFoundError)
    assert fake.requests[-1].path == "/organizations/a%2Fb%3Fc/"


def test_create_sends_all_fields_and_makes_caller_owner(client: Client, fake: FakeAvala) -> None:
    call = client.organizations.create(
        name="Acme Robotics",
        description="Robots",
        logo="https://cdn.example/logo.png",
        website="https://acme.example",
        industry="robotics",
        email="hi@acme.example",
        phone="+1 555 0100",
        visibility="public",
    )
    created = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/organizations/")
    assert sent.body == {
        "name": "Acme Robotics",
        "description": "Robots",
        "logo": "https://cdn.example/logo.png",
        "website": "https://acme.example",
        "industry": "robotics",
        "email": "hi@acme.example",
        "phone": "+1 555 0100",
        "visibility": "public",
    }
    assert (created.name, created.slug, created.visibility) == (
        "Acme Robotics",
        "acme-robotics",
        "public",
    )
    assert (created.role, created.member_count, created.industry) == ("owner", 1, "robotics")
    assert client.run(client.organizations.get("acme-robotics")).unwrap() == created


def test_create_minimal_body(client: Client, fake: FakeAvala) -> None:
    created = owned_org(client, "Solo")
    assert fake.requests[-1].body == {"name": "Solo"}
    assert created.slug == "solo" and created.visibility == "private"


def test_create_invalid_is_validation_error(client: Client, fake: FakeAvala) -> None:
    call = client.organizations.create(name=" ", visibility="secret")
    error = client.run(call).failure()
    assert isinstance(error, ValidationError)
    assert set(error.details) == {
        FieldError("name", "This field may not be blank."),
        FieldError("visibility", '"secret" is not a valid choice.'),
    }
    assert fake.store.count("organizations") == 0


def test_update_sends_only_given_fields(client: Client, fake: FakeAvala) -> None:
    seed_org(fake, 1)
    call = client.organizations.update("org-1", description="New", handle="acme", phone="123")
    updated = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", "/organizations/org-1/")
    assert sent.body == {"description": "New", "handle": "acme", "phone": "123"}
    assert (updated.description, updated.handle, updated.phone, updated.name) == (
        "New",
        "acme",
        "123",
        "Org 1",
    )


def test_update_invalid_and_unknown(client: Client, fake: FakeAvala) -> None:
    seed_org(fake, 1)
    error = client.run(client.organizations.update("org-1", handle="Not A Handle")).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["handle"]
    assert isinstance(
        client.run(client.organizations.update("ghost", name="x")).failure(), NotFoundError
    )


def test_delete(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_team(fake, org, "core")
    assert client.run(client.organizations.delete("org-1")) == Success(None)
    assert (fake.requests[-1].method, fake.requests[-1].path) == ("DELETE", "/organizations/org-1/")
    assert isinstance(client.run(client.organizations.get("org-1")).failure(), NotFoundError)
    assert fake.store.count("organizations_teams") == 0
    assert isinstance(client.run(client.organizations.delete("org-1")).failure(), NotFoundError)


def test_industry_choices_is_raw_json(client: Client, fake: FakeAvala) -> None:
    choices = client.run(client.organizations.industry_choices()).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == ("GET", "/organizations/industry-choices/", {})
    assert isinstance(choices, JsonObject)
    assert freeze({"value": "robotics", "label": "Robotics"}) in choices["choices"]


# --- members -------------------------------------------------------------------------------


def test_list_members_filters_and_pages(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    other = seed_org(fake, 2)
    seed_member(fake, org, "ann", role="admin")
    seed_member(fake, org, "bob")
    seed_member(fake, org, "annika")
    seed_member(fake, other, "anna")
    call = client.organizations.list_members("org-1", search="ANN", role="member", limit=5)
    page = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/organizations/org-1/members/",
        {"search": ["ANN"], "role": ["member"], "limit": ["5"]},
    )
    assert page.items == (
        OrganizationMember(
            user_uid="annika",
            username="annika",
            email="annika@example.com",
            full_name="Annika",
            role="member",
            created_at=WHEN,
        ),
    )
    first = client.run(client.organizations.list_members("org-1", limit=2)).unwrap()
    rest = client.run(client.organizations.list_members("org-1", cursor=first.next_cursor))
    assert fake.requests[-1].query == {"cursor": [first.next_cursor]}
    assert [m.user_uid for m in first] + [m.user_uid for m in rest.unwrap()] == [
        "ann",
        "bob",
        "annika",
    ]


def test_list_members_of_unknown_org_is_not_found(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.organizations.list_members("ghost"))
    assert isinstance(result.failure(), NotFoundError)


def test_remove_member(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_member(fake, org, "bob")
    assert client.run(client.organizations.remove_member("org-1", "bob")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("DELETE", "/organizations/org-1/members/bob/")
    assert client.run(client.organizations.list_members("org-1")).unwrap().items == ()
    again = client.run(client.organizations.remove_member("org-1", "bob"))
    assert isinstance(again.failure(), NotFoundError)


def test_update_member_role_ignores_a_json_answer(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_member(fake, org, "bob")
    result = client.run(client.organizations.update_member_role("org-1", "bob", role="admin"))
    assert result == Success(None)  # the fake answers 200 {"detail": "Role updated."}
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "PATCH",
        "/organizations/org-1/members/bob/role/",
        {"role": "admin"},
    )
    members = client.run(client.organizations.list_members("org-1", role="admin")).unwrap()
    assert [m.user_uid for m in members] == ["bob"]


def test_update_member_role_invalid_and_unknown(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_member(fake, org, "bob")
    error = client.run(client.organizations.update_member_role("org-1", "bob", role="boss"))
    invalid = error.failure()
    assert isinstance(invalid, ValidationError)
    assert invalid.details == (FieldError("role", '"boss" is not a valid choice.'),)
    missing = client.run(client.organizations.update_member_role("org-1", "zed", role="admin"))
    assert isinstance(missing.failure(), NotFoundError)


def test_leave(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_org(fake, 2)
    seed_member(fake, org, ME)
    assert client.run(client.organizations.leave("org-1")) == Success(None)  # 204
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.raw_body) == ("POST", "/organizations/org-1/leave/", b"")
    assert isinstance(client.run(client.organizations.get("org-1")).failure(), NotFoundError)
    listed = client.run(client.organizations.list()).unwrap()
    assert [o.slug for o in listed] == ["org-2"]


def test_owner_cannot_leave(client: Client, fake: FakeAvala) -> None:
    org = owned_org(client)
    error = client.run(client.organizations.leave(org.slug)).failure()
    assert isinstance(error, ValidationError)
    assert "transfer ownership" in error.message
    assert isinstance(client.run(client.organizations.leave("ghost")).failure(), NotFoundError)


def test_transfer_ownership_with_an_empty_200(client: Client, fake: FakeAvala) -> None:
    org = owned_org(client)
    seed_member(fake, fake.store.all("organizations")[0], "bob")
    call = client.organizations.transfer_ownership(org.slug, new_owner_uid="bob")
    assert client.run(call) == Success(None)  # the fake answers 200 with no body at all
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        "/organizations/acme-robotics/transfer-ownership/",
        {"new_owner_uid": "bob"},
    )
    roles = {
        m.user_uid: m.role for m in client.run(client.organizations.list_members(org.slug)).unwrap()
    }
    assert roles == {ME: "admin", "bob": "owner"}
    assert client.run(client.organizations.get(org.slug)).unwrap().role == "admin"


def test_transfer_ownership_to_a_stranger_is_invalid(client: Client, fake: FakeAvala) -> None:
    org = owned_org(client)
    call = client.organizations.transfer_ownership(org.slug, new_owner_uid="stranger")
    error = client.run(call).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["new_owner_uid"]


def test_nothing_calls_accept_any_2xx_answer(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_member(fake, org, ME)
    for status in (200, 202, 204):
        fake.inject(Fault.status(status, body={}), path="/organizations/org-1/leave/")
    for _ in range(3):
        assert client.run(client.organizations.leave("org-1")) == Success(None)


# --- invitations ---------------------------------------------------------------------------


def test_create_invitation(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    call = client.organizations.create_invitation("org-1", email="new@example.com", role="admin")
    invitation = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        "/organizations/org-1/invitations/",
        {"email": "new@example.com", "role": "admin"},
    )
    assert (invitation.invited_email, invitation.role, invitation.status) == (
        "new@example.com",
        "admin",
        "pending",
    )
    assert (invitation.organization_slug, invitation.organization_name) == ("org-1", org["name"])
    assert invitation.is_expired is False and invitation.expires_at is not None

    plain = client.organizations.create_invitation("org-1", email="other@example.com")
    assert client.run(plain).unwrap().role == "member"
    assert fake.requests[-1].body == {"email": "other@example.com"}


def test_create_invitation_invalid(client: Client, fake: FakeAvala) -> None:
    seed_org(fake, 1)
    error = client.run(client.organizations.create_invitation("org-1", email="nobody")).failure()
    assert isinstance(error, ValidationError)
    assert error.details == (FieldError("email", "Enter a valid email address."),)
    missing = client.run(client.organizations.create_invitation("ghost", email="a@b.example"))
    assert isinstance(missing.failure(), NotFoundError)


def test_list_invitations_shows_pending_of_this_org(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    other = seed_org(fake, 2)
    seed_invitation(fake, org, "i1")
    seed_invitation(fake, org, "i2", status="cancelled")
    seed_invitation(fake, org, "i3")
    seed_invitation(fake, other, "i4")
    page = client.run(client.organizations.list_invitations("org-1", limit=1)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/organizations/org-1/invitations/",
        {"limit": ["1"]},
    )
    assert page.items == (
        Invitation(
            uid="i1",
            organization_name="Org 1",
            organization_slug="org-1",
            invited_email="i1@example.com",
            invited_by_username="fake-user",
            role="member",
            status="pending",
            expires_at=datetime(2999, 1, 1, tzinfo=UTC),
            is_expired=False,
            created_at=WHEN,
        ),
    )
    call = client.organizations.list_invitations("org-1", limit=1, cursor=page.next_cursor)
    assert [i.uid for i in client.run(call).unwrap()] == ["i3"]


def test_resend_invitation_with_an_empty_200(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_invitation(fake, org, "i1", expires_at="2000-01-01T00:00:00Z")
    assert client.run(client.organizations.resend_invitation("org-1", "i1")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.raw_body) == (
        "POST",
        "/organizations/org-1/invitations/i1/resend/",
        b"",
    )
    [again] = client.run(client.organizations.list_invitations("org-1")).unwrap()
    assert again.is_expired is False  # resending renewed it


def test_cancel_invitation(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_org(fake, 2)
    seed_invitation(fake, org, "i1")
    elsewhere = client.run(client.organizations.cancel_invitation("org-2", "i1"))
    assert isinstance(elsewhere.failure(), NotFoundError)
    assert client.run(client.organizations.cancel_invitation("org-1", "i1")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.raw_body) == (
        "POST",
        "/organizations/org-1/invitations/i1/cancel/",
        b"",
    )
    assert client.run(client.organizations.list_invitations("org-1")).unwrap().items == ()
    twice = client.run(client.organizations.cancel_invitation("org-1", "i1")).failure()
    assert isinstance(twice, ValidationError)
    resend = client.run(client.organizations.resend_invitation("org-1", "i1")).failure()
    assert isinstance(resend, ValidationError)


# --- teams ---------------------------------------------------------------------------------


def test_create_and_get_team(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    call = client.organizations.create_team(
        "org-1", name="Perception QA", description="Checks boxes", color="#1f77b4"
    )
    team = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        "/organizations/org-1/teams/",
        {"name": "Perception QA", "description": "Checks boxes", "color": "#1f77b4"},
    )
    assert (team.name, team.slug, team.color, team.member_count) == (
        "Perception QA",
        "perception-qa",
        "#1f77b4",
        0,
    )
    assert (team.organization_uid, team.organization_slug) == (org["uid"], "org-1")
    got = client.run(client.organizations.get_team("org-1", "perception-qa"))
    assert (fake.requests[-1].method, fake.requests[-1].path) == (
        "GET",
        "/organizations/org-1/teams/perception-qa/",
    )
    assert got == Success(team)
    minimal = client.run(client.organizations.create_team("org-1", name="Ops"))
    assert fake.requests[-1].body == {"name": "Ops"}
    assert minimal.unwrap().slug == "ops"


def test_create_team_invalid(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_team(fake, org, "ops")
    error = client.run(client.organizations.create_team("org-1", name="Ops")).failure()
    assert isinstance(error, ValidationError)
    assert error.details == (FieldError("name", "A team with this name already exists."),)
    colour = client.run(client.organizations.create_team("org-1", name="X", color="red"))
    invalid = colour.failure()
    assert isinstance(invalid, ValidationError)
    assert [d.field for d in invalid.details] == ["color"]


def test_list_teams(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    other = seed_org(fake, 2)
    seed_team(fake, org, "a", uid="t-a")
    seed_team(fake, org, "b", uid="t-b")
    seed_team(fake, other, "c", uid="t-c")
    page = client.run(client.organizations.list_teams("org-1", limit=1)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/organizations/org-1/teams/",
        {"limit": ["1"]},
    )
    assert page.items == (
        Team(
            uid="t-a",
            name="A",
            slug="a",
            description="",
            color="#112233",
            organization_uid=org["uid"],
            organization_name="Org 1",
            organization_slug="org-1",
            member_count=0,
            created_at=WHEN,
            updated_at=WHEN,
        ),
    )
    rest = client.run(client.organizations.list_teams("org-1", cursor=page.next_cursor))
    assert fake.requests[-1].query == {"cursor": [page.next_cursor]}
    assert [t.uid for t in rest.unwrap()] == ["t-b"]


def test_team_of_another_org_is_not_found(client: Client, fake: FakeAvala) -> None:
    seed_org(fake, 1)
    other = seed_org(fake, 2)
    seed_team(fake, other, "core")
    orgs = client.organizations
    requests: tuple[Request[Any], ...] = (
        orgs.get_team("org-1", "core"),
        orgs.update_team("org-1", "core", name="x"),
        orgs.delete_team("org-1", "core"),
        orgs.list_team_members("org-1", "core"),
    )
    for request in requests:
        assert isinstance(client.run(request).failure(), NotFoundError)
    assert client.run(orgs.get_team("org-2", "core")).unwrap().slug == "core"


def test_update_team(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_team(fake, org, "core")
    call = client.organizations.update_team("org-1", "core", description="Core team")
    team = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "PATCH",
        "/organizations/org-1/teams/core/",
        {"description": "Core team"},
    )
    assert (team.name, team.description, team.slug) == ("Core", "Core team", "core")


def test_delete_team(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_team(fake, org, "core")
    assert client.run(client.organizations.delete_team("org-1", "core")) == Success(None)
    assert (fake.requests[-1].method, fake.requests[-1].path) == (
        "DELETE",
        "/organizations/org-1/teams/core/",
    )
    missing = client.run(client.organizations.get_team("org-1", "core"))
    assert isinstance(missing.failure(), NotFoundError)


def test_team_members_round_trip(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_member(fake, org, "bob")
    seed_member(fake, org, "cy")
    seed_team(fake, org, "core")
    orgs = client.organizations

    added = client.run(orgs.add_team_member("org-1", "core", user_uid="bob", role="lead"))
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        "/organizations/org-1/teams/core/members/",
        {"user_uid": "bob", "role": "lead"},
    )
    assert added.unwrap() == TeamMember(
        user_uid="bob",
        username="bob",
        email="bob@example.com",
        full_name="Bob",
        role="lead",
        created_at=added.unwrap().created_at,
    )
    client.run(orgs.add_team_member("org-1", "core", user_uid="cy")).unwrap()
    assert fake.requests[-1].body == {"user_uid": "cy"}

    page = client.run(orgs.list_team_members("org-1", "core", limit=1)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/organizations/org-1/teams/core/members/",
        {"limit": ["1"]},
    )
    assert [(m.user_uid, m.role) for m in page] == [("bob", "lead")]
    rest = client.run(orgs.list_team_members("org-1", "core", cursor=page.next_cursor)).unwrap()
    assert [(m.user_uid, m.role) for m in rest] == [("cy", "member")]
    assert client.run(orgs.get_team("org-1", "core")).unwrap().member_count == 2

    # update_team_member_role: the fake answers 200 with an empty body
    assert client.run(orgs.update_team_member_role("org-1", "core", "cy", role="lead")) == Success(
        None
    )
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "PATCH",
        "/organizations/org-1/teams/core/members/cy/role/",
        {"role": "lead"},
    )
    roles = [m.role for m in client.run(orgs.list_team_members("org-1", "core")).unwrap()]
    assert roles == ["lead", "lead"]

    assert client.run(orgs.remove_team_member("org-1", "core", "bob")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("DELETE", "/organizations/org-1/teams/core/members/bob/")
    left = client.run(orgs.list_team_members("org-1", "core")).unwrap()
    assert [m.user_uid for m in left] == ["cy"]
    # bob is still in the organization
    members = client.run(orgs.list_members("org-1")).unwrap()
    assert {m.user_uid for m in members} == {"bob", "cy"}


def test_team_member_errors(client: Client, fake: FakeAvala) -> None:
    org = seed_org(fake, 1)
    seed_member(fake, org, "bob")
    seed_team(fake, org, "core")
    orgs = client.organizations
    stranger = client.run(orgs.add_team_member("org-1", "core", user_uid="zed")).failure()
    assert isinstance(stranger, ValidationError)
    assert stranger.details == (
        FieldError("user_uid", "User is not a member of this organization."),
    )
    bad_role = client.run(orgs.add_team_member("org-1", "core", user_uid="bob", role="chief"))
    invalid = bad_role.failure()
    assert isinstance(invalid, ValidationError)
    assert [d.field for d in invalid.details] == ["role"]
    requests: tuple[Request[Any], ...] = (
        orgs.remove_team_member("org-1", "core", "bob"),
        orgs.update_team_member_role("org-1", "core", "bob", role="lead"),
        orgs.add_team_member("org-1", "ghost", user_uid="bob"),
    )
    for request in requests:
        assert isinstance(client.run(request).failure(), NotFoundError)


def test_path_arguments_are_checked_at_build_time(client: Client) -> None:
    orgs = client.organizations
    with pytest.raises(ValueError):
        orgs.get("")
    with pytest.raises(ValueError):
        orgs.remove_team_member("org-1", "..", "bob")
    with pytest.raises(TypeError):
        orgs.update_member_role("org-1", None, role="admin")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        orgs.create_team("org-1", name=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        orgs.list_members("org-1", limit=0)
