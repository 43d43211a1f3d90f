"""FakeAvala's object store over real HTTP: presigned URLs, PUT/GET/Range/HEAD, 412, 403
on expired or tampered URLs, keep-alive counters and injected storage faults."""

from __future__ import annotations

import hashlib
import socket
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import requests

from avala.testing import FakeAvala, StorageFault

KEY = "__o__=/org-1/roads/a b.bin"
DATA = bytes(range(256)) * 40  # 10 KiB


def put(fake: FakeAvala, data: bytes = DATA, key: str = KEY, **headers: str) -> requests.Response:
    url = fake.objects.presign("PUT", key, expires_in=60)
    return requests.put(url, data=data, headers=headers, timeout=5)


def test_put_then_get_round_trips_with_an_md5_etag(fake: FakeAvala) -> None:
    stored = put(fake)
    assert stored.status_code == 200
    assert stored.headers["ETag"] == f'"{hashlib.md5(DATA).hexdigest()}"'
    assert fake.objects.get(KEY) == DATA

    got = requests.get(fake.objects.presign("GET", KEY), timeout=5)
    assert (got.status_code, got.content) == (200, DATA)
    assert got.headers["Content-Length"] == str(len(DATA))
    assert fake.objects.bytes_received[KEY] == len(DATA)


def test_a_chunked_put_is_stored_whole(fake: FakeAvala) -> None:
    stored = requests.put(
        fake.objects.presign("PUT", KEY), data=iter([DATA[:100], DATA[100:]]), timeout=5
    )
    assert stored.status_code == 200
    assert "chunked" in fake.objects.requests[-1].headers["transfer-encoding"]
    assert fake.objects.get(KEY) == DATA


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=10-19", 10, 19),
        ("bytes=10000-", 10000, 10239),
        ("bytes=-5", 10235, 10239),
        ("bytes=10230-99999", 10230, 10239),
    ],
)
def test_ranges(fake: FakeAvala, header: str, first: int, last: int) -> None:
    fake.objects.put(KEY, DATA)
    got = requests.get(fake.objects.presign("GET", KEY), headers={"Range": header}, timeout=5)
    assert (got.status_code, got.content) == (206, DATA[first : last + 1])
    assert got.headers["Content-Range"] == f"bytes {first}-{last}/{len(DATA)}"


def test_an_unsatisfiable_range_is_416(fake: FakeAvala) -> None:
    fake.objects.put(KEY, DATA)
    got = requests.get(
        fake.objects.presign("GET", KEY), headers={"Range": f"bytes={len(DATA)}-"}, timeout=5
    )
    assert got.status_code == 416
    assert got.headers["Content-Range"] == f"bytes */{len(DATA)}"


def test_head_gives_the_length_without_a_body(fake: FakeAvala) -> None:
    fake.objects.put(KEY, DATA)
    got = requests.head(fake.objects.presign("GET", KEY), timeout=5)
    assert (got.status_code, got.content) == (200, b"")
    assert got.headers["Content-Length"] == str(len(DATA))


def test_if_none_match_star_refuses_an_existing_object(fake: FakeAvala) -> None:
    assert put(fake, **{"If-None-Match": "*"}).status_code == 200
    again = put(fake, b"other", **{"If-None-Match": "*"})
    assert again.status_code == 412
    assert b"<Code>PreconditionFailed</Code>" in again.content
    assert fake.objects.get(KEY) == DATA


def test_an_expired_url_is_403_request_has_expired(fake: FakeAvala) -> None:
    past = datetime.now(UTC) - timedelta(seconds=120)
    url = fake.objects.presign("PUT", KEY, expires_in=60, issued_at=past)
    got = requests.put(url, data=DATA, timeout=5)
    assert got.status_code == 403
    assert b"<Code>AccessDenied</Code><Message>Request has expired</Message>" in got.content
    assert fake.objects.get(KEY) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: url.replace("a%20b", "a%20c"),  # another key
        lambda url: url.replace("X-Amz-Expires=60", "X-Amz-Expires=6000"),  # longer life
        lambda url: url[:-1] + ("0" if url[-1] != "0" else "1"),  # signature
    ],
)
def test_a_tampered_url_is_403(fake: FakeAvala, tamper: object) -> None:
    url = tamper(fake.objects.presign("PUT", KEY, expires_in=60))  # type: ignore[operator]
    got = requests.put(url, data=DATA, timeout=5)
    assert got.status_code == 403
    assert b"SignatureDoesNotMatch" in got.content


def test_a_get_url_does_not_allow_a_put(fake: FakeAvala) -> None:
    got = requests.put(fake.objects.presign("GET", KEY), data=DATA, timeout=5)
    assert got.status_code == 403
    assert fake.objects.get(KEY) is None


def test_a_keep_alive_client_opens_one_connection(fake: FakeAvala) -> None:
    with requests.Session() as session:
        for i in range(5):
            url = fake.objects.presign("PUT", f"k{i}")
            assert session.put(url, data=DATA, timeout=5).status_code == 200
        assert fake.objects.connections_opened == 1
        assert fake.objects.open_connections == 1
    assert [r.method for r in fake.objects.requests] == ["PUT"] * 5


def test_no_api_key_reaches_storage_through_presigned_urls(fake: FakeAvala) -> None:
    put(fake)
    assert all("x-avala-api-key" not in r.headers for r in fake.objects.requests)


def test_multipart_parts_are_assembled_in_order(fake: FakeAvala) -> None:
    store = fake.objects
    upload_id = store.create_multipart(KEY)
    part = 5 * 1024**2
    blobs = {1: b"a" * part, 2: b"b" * part, 3: b"c" * 7}
    for n in (3, 1, 2):
        url = store.presign("PUT", KEY, upload_id=upload_id, part_number=n)
        assert requests.put(url, data=blobs[n], timeout=5).status_code == 200
    assert sorted(store.parts(upload_id)) == [1, 2, 3]
    joined = store.complete_multipart(upload_id, 3)
    assert joined.etag.endswith('-3"')
    assert store.get(KEY) == blobs[1] + blobs[2] + blobs[3]


def test_a_part_for_an_unknown_upload_is_404(fake: FakeAvala) -> None:
    url = fake.objects.presign("PUT", KEY, upload_id="nope", part_number=1)
    got = requests.put(url, data=b"x", timeout=5)
    assert (got.status_code, b"NoSuchUpload" in got.content) == (404, True)


# --- faults ----------------------------------------------------------------------------------


def test_drop_before_stores_nothing_and_answers_nothing(fake: FakeAvala) -> None:
    fake.objects.inject(StorageFault.drop_before(), method="PUT")
    with pytest.raises(requests.ConnectionError):
        put(fake)
    assert fake.objects.get(KEY) is None
    assert put(fake).status_code == 200  # consumed: the next PUT is served


def test_drop_after_stores_then_hangs_up(fake: FakeAvala) -> None:
    fake.objects.inject(StorageFault.drop_after(), method="PUT")
    with pytest.raises(requests.ConnectionError):
        put(fake, **{"If-None-Match": "*"})
    assert fake.objects.get(KEY) == DATA
    assert put(fake, **{"If-None-Match": "*"}).status_code == 412  # the retry learns it


def test_the_nth_put_is_dropped(fake: FakeAvala) -> None:
    fake.objects.inject(StorageFault.drop_before(), method="PUT", skip=2)
    results = []
    for i in range(4):
        try:
            results.append(put(fake, key=f"k{i}").status_code)
        except requests.ConnectionError:
            results.append(0)
    assert results == [200, 200, 0, 200]


def test_expired_once(fake: FakeAvala) -> None:
    fake.objects.inject(StorageFault.expired(), key="__o__=*")
    first, second = put(fake), put(fake)
    assert (first.status_code, second.status_code) == (403, 200)
    assert b"Request has expired" in first.content


def test_slow_put(fake: FakeAvala) -> None:
    fake.objects.inject(StorageFault.delay(1.0), method="PUT")
    with pytest.raises(requests.Timeout):
        requests.put(fake.objects.presign("PUT", KEY), data=DATA, timeout=0.3)


@pytest.mark.parametrize("retry_after", [3, datetime(2030, 1, 1, tzinfo=UTC)])
def test_5xx_with_retry_after(fake: FakeAvala, retry_after: int | datetime) -> None:
    fake.objects.inject(StorageFault.status(503, retry_after=retry_after))
    got = put(fake)
    assert got.status_code == 503
    if isinstance(retry_after, datetime):
        assert parsedate_to_datetime(got.headers["Retry-After"]) == retry_after
    else:
        assert got.headers["Retry-After"] == "3"
    assert fake.objects.get(KEY) is None


def test_a_get_cut_mid_body_then_resumed_with_range(fake: FakeAvala) -> None:
    fake.objects.put(KEY, DATA)
    fake.objects.inject(StorageFault.cut(1000), method="GET")
    url = fake.objects.presign("GET", KEY)
    host, port = "127.0.0.1", fake.objects.port
    target = url.split(str(port), 1)[1]
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert f"Content-Length: {len(DATA)}".encode() in head
    assert body == DATA[:1000]
    rest = requests.get(url, headers={"Range": "bytes=1000-"}, timeout=5)
    assert body + rest.content == DATA


def test_absolute_form_is_refused(fake: FakeAvala) -> None:
    url = fake.objects.presign("GET", KEY)
    with socket.create_connection(("127.0.0.1", fake.objects.port), timeout=5) as sock:
        sock.sendall(f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 400")
