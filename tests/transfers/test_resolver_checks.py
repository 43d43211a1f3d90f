"""Pure checks of the resolver: reference parsing (a property over generated names) and
the access-grant clock rules, with the clock as an argument."""

from __future__ import annotations

import uuid
from dataclasses import replace
from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.errors import GrantRefusedError
from avala.transfers._resolver import check_grant, parse_reference
from avala.types import AccessGrant, ManifestObject, ResolvedRevision
from avala.types.resolver import ResolverManifest, ResolverRights

NOW = 1_900_000_000.0
UID, OBJ = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))
REV, MAN, SHA = "a" * 64, "b" * 64, "c" * 64

owners = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)
datasets = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)
aliases = st.from_regex(r"[a-z][a-z0-9._-]{0,20}", fullmatch=True)
digests = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)


@given(owners, datasets, st.one_of(aliases, digests))
def test_friendly_references_parse_back_to_their_parts(owner: str, dataset: str, sel: str) -> None:
    ref = parse_reference(f"{owner}/{dataset}@{sel}")
    assert (ref.owner, ref.dataset, ref.selector) == (owner, dataset, sel)
    assert ref.pinned is (len(sel) == 64 and all(c in "0123456789abcdef" for c in sel))
    assert not ref.is_canonical and ref.text == f"{owner}/{dataset}@{sel}"


@given(st.uuids(), digests)
def test_canonical_references_are_pinned(uid: uuid.UUID, digest: str) -> None:
    ref = parse_reference(f"avala://datasets/{uid}@{digest}")
    assert ref.is_canonical and ref.pinned
    assert (ref.dataset_uid, ref.revision_sha256) == (str(uid), digest)
    with pytest.raises(ValueError):
        parse_reference(f"avala://datasets/{str(uid).upper()}@{digest}")


def test_no_selector_means_main() -> None:
    assert parse_reference("acme/x").selector == "main"


REVISION = ResolvedRevision(
    schema_version=1,
    requested_reference="acme/x@main",
    display_reference=f"acme/x@{REV}",
    canonical_reference=f"avala://datasets/{UID}@{REV}",
    dataset_uid=UID,
    revision_uid=str(uuid.UUID(int=3)),
    revision_sha256=REV,
    state="published",
    manifest=ResolverManifest(
        schema_version=1,
        sha256=MAN,
        object_count=1,
        total_size_bytes=10,
        origins=(),
        objects_path=f"/resolve/uid/{UID}/{REV}/objects/",
    ),
    rights=ResolverRights(
        status="declared",
        access="open_download",
        name="",
        url="",
        document_sha256="",
        attestation_sha256="",
    ),
)
OBJECT = ManifestObject(
    object_uid=OBJ,
    logical_path="a.bin",
    role="frame",
    ordinal=0,
    episode_ordinal=None,
    content_type="x",
    origin="upstream",
    size_bytes=10,
    sha256=SHA,
    access_path=f"/resolve/uid/{UID}/{REV}/objects/{OBJ}/access/",
)
GRANT = AccessGrant(
    schema_version=1,
    canonical_reference=f"avala://datasets/{UID}@{REV}",
    dataset_uid=UID,
    revision_sha256=REV,
    manifest_sha256=MAN,
    object_uid=OBJ,
    method="GET",
    provider="aws_s3",
    url="https://b.s3.amazonaws.com/k",
    expires_at="2030-03-17T17:48:20Z",
    size_bytes=10,
    sha256=SHA,
    range_supported=True,
)
EXPIRES = 1900000100.0  # 2030-03-17T17:48:20Z


def checked(date: str | None, now: float = NOW, grant: AccessGrant = GRANT) -> object:
    return check_grant(grant, date, now, REVISION, OBJECT)


def test_usable_time_counts_from_the_servers_date() -> None:
    assert checked(formatdate(NOW, usegmt=True)) == pytest.approx(EXPIRES - NOW)
    # the local clock 20 s past the Date: 20 s of the lifetime are gone
    assert checked(formatdate(NOW, usegmt=True), now=NOW + 20) == pytest.approx(EXPIRES - NOW - 20)
    # a Date a little ahead of the local clock does not add time
    assert checked(formatdate(NOW + 10, usegmt=True)) == pytest.approx(EXPIRES - NOW - 10)


@pytest.mark.parametrize(
    ("date", "now", "reason"),
    [
        (None, NOW, "date"),
        ("yesterday", NOW, "date"),
        (formatdate(NOW + 31, usegmt=True), NOW, "date"),
        (formatdate(EXPIRES, usegmt=True), EXPIRES, "lifetime"),
        (formatdate(EXPIRES - 301, usegmt=True), EXPIRES - 301, "lifetime"),
    ],
)
def test_clock_rules(date: str | None, now: float, reason: str) -> None:
    refused = checked(date, now)
    assert isinstance(refused, GrantRefusedError) and refused.reason == reason


def test_edge_grants_must_name_the_object_in_their_path_and_query() -> None:
    date = formatdate(NOW, usegmt=True)
    good = f"https://data.avala.ai/v1/datasets/{UID}/{REV}/{MAN}/objects/{OBJ}/{SHA}?grant=t.k-1"
    edge = replace(GRANT, provider="avala_edge", url=good)
    assert isinstance(checked(date, grant=edge), float)
    for bad in (
        good.replace(OBJ, str(uuid.UUID(int=9))),
        good + "&x=1",
        good.replace("t.k-1", "a b"),
    ):
        refused = checked(date, grant=replace(edge, url=bad))
        assert isinstance(refused, GrantRefusedError) and refused.reason == "edge_url"
