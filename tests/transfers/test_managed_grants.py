"""Part grant checks of managed fleet uploads (UPLOADS.md §3.7): a good grant passes, and
each way a grant can be bad is a PartGrantRefusedError naming the file, part and reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from returns.result import Failure, Success

from avala import Client
from avala.errors import PartGrantRefusedError
from avala.testing import FakeAvala
from avala.transfers._managed_grants import MANAGED_PART_SIZE, check_part_grant, pin_of
from avala.transfers._parts import PartRange

NOW = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)
SESSION = "0f6c3e0a-9a1b-4b7e-8c2d-4e5f6a7b8c9d"
OWNER = "5f1c2b3a-0000-4000-8000-000000000001"
HOST = "0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com"
PATH = "runs/front cam.mcap"
SIZE = 2 * MANAGED_PART_SIZE + 10
PART2 = PartRange(2, MANAGED_PART_SIZE, MANAGED_PART_SIZE)
OBJECT = f"/bucket-1/__o__%3D/{OWNER}/__cloud__/{SESSION}/runs/front%20cam.mcap"


def query(**change: str) -> dict[str, str]:
    base = {
        "uploadId": "up-1",
        "partNumber": "2",
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": "KEYID%2F20261128%2Fauto%2Fs3%2Faws4_request",
        "X-Amz-Date": "20261128T085930Z",
        "X-Amz-Expires": "300",
        "X-Amz-SignedHeaders": "content-length%3Bhost",
        "X-Amz-Signature": "a" * 64,
    }
    return {**base, **change}


def url(q: dict[str, str] | None = None, *, host: str = HOST, path: str = OBJECT) -> str:
    return f"https://{host}{path}?" + "&".join(f"{k}={v}" for k, v in (q or query()).items())


def grant(**change: Any) -> dict[str, Any]:
    base = {
        "grant_uid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "part_number": 2,
        "offset": MANAGED_PART_SIZE,
        "size_bytes": MANAGED_PART_SIZE,
        "url": url(),
        "headers": {"Content-Length": str(MANAGED_PART_SIZE)},
        "expires_at": "2026-11-28T09:04:30+00:00",
    }
    return {**base, **change}


def check(g: dict[str, Any], pin: str | None = None, now: datetime = NOW) -> Any:
    return check_part_grant(g, path=PATH, part=PART2, session_uid=SESSION, now=now, pin=pin)


def test_a_good_grant_passes_and_gives_its_pin() -> None:
    result = check(grant())
    assert isinstance(result, Success)
    checked = result.unwrap()
    assert checked.target.url == grant()["url"]
    assert checked.pin == pin_of(HOST, OBJECT, "up-1")
    assert isinstance(check(grant(), pin=checked.pin), Success)


BAD: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "extra key": ("grant_keys", lambda: {**grant(), "extra": 1}),
    "grant uid": ("grant_uid", lambda: grant(grant_uid="nope")),
    "other part": ("part_geometry", lambda: grant(part_number=3)),
    "offset": ("part_geometry", lambda: grant(offset=0)),
    "size": ("part_geometry", lambda: grant(size_bytes=10)),
    "bool number": ("part_geometry", lambda: grant(part_number=True)),
    "two headers": (
        "headers",
        lambda: grant(headers={"Content-Length": str(MANAGED_PART_SIZE), "X-Amz-Acl": "x"}),
    ),
    "header value": ("headers", lambda: grant(headers={"Content-Length": "1"})),
    "http": ("url_scheme", lambda: grant(url=url().replace("https://", "http://"))),
    "s3 host": ("url_host", lambda: grant(url=url(host="b.s3.amazonaws.com"))),
    "port": ("url_host", lambda: grant(url=url(host=HOST + ":443"))),
    "fragment": ("url_form", lambda: grant(url=url() + "#x")),
    "userinfo": ("url_form", lambda: grant(url=url(host="u:p@" + HOST))),
    "space": ("url_form", lambda: grant(url=url().replace("%20", " "))),
    "other session": ("url_path", lambda: grant(url=url(path=OBJECT.replace(SESSION, OWNER)))),
    "other file": ("url_path", lambda: grant(url=url(path=OBJECT.replace("front", "rear")))),
    "bad bucket": ("url_path", lambda: grant(url=url(path=OBJECT.replace("bucket-1", "B")))),
    "missing query key": (
        "url_query",
        lambda: grant(url=url({k: v for k, v in query().items() if k != "uploadId"})),
    ),
    "repeated query key": ("url_query", lambda: grant(url=url() + "&partNumber=2")),
    "non canonical": (
        "url_query",
        lambda: grant(
            url=url(query(**{"X-Amz-Credential": "KEYID/20261128/auto/s3/aws4_request"}))
        ),
    ),
    "part number in url": ("url_query", lambda: grant(url=url(query(partNumber="3")))),
    "algorithm": ("signature", lambda: grant(url=url(query(**{"X-Amz-Algorithm": "HMAC"})))),
    "signed headers": (
        "signature",
        lambda: grant(url=url(query(**{"X-Amz-SignedHeaders": "host"}))),
    ),
    "signature": ("signature", lambda: grant(url=url(query(**{"X-Amz-Signature": "A" * 64})))),
    "long lifetime": (
        "expiry",
        lambda: grant(
            url=url(query(**{"X-Amz-Expires": "3600"})), expires_at="2026-11-28T09:59:30+00:00"
        ),
    ),
    "expires_at mismatch": ("expiry", lambda: grant(expires_at="2026-11-28T10:04:30+00:00")),
    "naive expires_at": ("expiry", lambda: grant(expires_at="2026-11-28T09:04:30")),
    "dated ahead": (
        "expiry",
        lambda: grant(
            url=url(query(**{"X-Amz-Date": "20261128T090100Z"})),
            expires_at="2026-11-28T09:06:00+00:00",
        ),
    ),
    "credential date": (
        "expiry",
        lambda: grant(
            url=url(query(**{"X-Amz-Credential": "KEYID%2F20261127%2Fauto%2Fs3%2Faws4_request"}))
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_grant_is_refused_with_its_reason(case: str) -> None:
    reason, make = BAD[case]
    result = check(make())
    assert isinstance(result, Failure), case
    error = result.failure()
    assert isinstance(error, PartGrantRefusedError)
    assert (error.reason, error.path, error.part_number) == (reason, PATH, 2)
    assert error.message.startswith(f"{PATH} part 2: ")


def test_an_expired_grant_is_refused() -> None:
    error = check(grant(), now=NOW + timedelta(minutes=10)).failure()
    assert isinstance(error, PartGrantRefusedError) and error.reason == "expiry"


def test_a_grant_for_another_upload_than_the_first_is_refused() -> None:
    other = grant(url=url(query(uploadId="up-2")))
    error = check(other, pin=pin_of(HOST, OBJECT, "up-1")).failure()
    assert isinstance(error, PartGrantRefusedError) and error.reason == "pin"


def test_loopback_needs_the_insecure_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    local = grant(url=url(host="127.0.0.1:9000").replace("https://", "http://"))
    monkeypatch.delenv("AVALA_ALLOW_INSECURE_BASE_URL", raising=False)
    assert check(local).failure().reason == "url_scheme"
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    assert isinstance(check(local), Success)


def test_the_fakes_grants_pass_the_checks(
    fake: FakeAvala, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FakeAvala's managed grants are what §3.7 accepts (on loopback, with the switch), so
    a managed workflow can be tested end to end against it."""
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    rec, session = "4d6f0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f", SESSION
    fake.store.insert("fleet_recordings", {"uid": rec, "device": "dev-1"})
    uploads = client.fleet.uploads
    manifest = [{"path": "run1.mcap", "size_bytes": 100, "content_sha256": "5e" * 32}]
    status = client.run(uploads.managed_admit(rec, session, manifest)).unwrap()
    file_uid = status.files[0].file_uid
    opened = client.run(uploads.managed_multipart_init(rec, session, file_uid)).unwrap()
    call = uploads.managed_multipart_parts(rec, session, file_uid, opened.generation_uid, [1])
    (given,) = client.run(call).unwrap().parts
    raw = {name: getattr(given, name) for name in GRANT_FIELDS}
    raw["headers"] = dict(given.headers)

    result = check_part_grant(
        raw, path="run1.mcap", part=PartRange(1, 0, 100), session_uid=session, now=datetime.now(UTC)
    )

    assert isinstance(result, Success), result
    # and the same grant for another session's path is refused
    other = check_part_grant(
        raw, path="run2.mcap", part=PartRange(1, 0, 100), session_uid=session, now=datetime.now(UTC)
    )
    assert isinstance(other, Failure)


GRANT_FIELDS = ("grant_uid", "part_number", "offset", "size_bytes", "url", "expires_at")
