"""Managed fleet multipart (UPLOADS.md §3.7-3.8) against a real S3 implementation: moto's
standalone server on 127.0.0.1, with UploadPart URLs presigned the way an R2 grant is.

Each grant is built as the API sends it and passes ``check_part_grant`` before a byte
moves. Every rule of §3.7 is met by a real moto URL except one: the host rule (https on an
R2 account host ``<32 hex>[.eu].r2.cloudflarestorage.com``, no port). moto listens on
plain-http ``127.0.0.1:<port>``, which that rule accepts only with
``AVALA_ALLOW_INSECURE_BASE_URL=1`` (set for these tests; the production rule is unchanged
and ``test_without_the_switch_a_loopback_grant_is_refused`` shows it still refuses one).
Path shape, bucket, the eight query keys, ``content-length;host``, the ``auto`` credential
scope, lifetime, ``expires_at`` and the pin are all checked as in production.
"""

from __future__ import annotations

import hashlib
import http.client
import http.server
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, quote, urlsplit

import boto3
import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from moto.server import ThreadedMotoServer
from returns.result import Failure, Success

from avala import Request, fail, gather, pure
from avala.errors import PartGrantRefusedError
from avala.events import BytesSent
from avala.transfers._managed_grants import MANAGED_PART_SIZE, check_part_grant
from avala.transfers._parts import PartRange, part_ranges
from avala.transfers._stamp import Stamp
from avala.transfers._values import Presigned, Stored, put_object
from tests.transfers.test_object_put import KINDS, make_file, run

BUCKET = "managed-uploads"
OWNER = "5f1c2b3a-0000-4000-8000-000000000001"
LIFETIME = 300  # the most §3.7 accepts
AMZ_DATE = "%Y%m%dT%H%M%SZ"
EXPIRED_REPLY = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"


@dataclass(frozen=True)
class Moto:
    s3: Any
    endpoint: str  # http://127.0.0.1:<port>


@pytest.fixture(scope="module")
def moto() -> Iterator[Moto]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    s3.create_bucket(Bucket=BUCKET)
    try:
        yield Moto(s3, endpoint)
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")


@dataclass(frozen=True)
class Upload:
    """One file's multipart upload in moto: the session, the file's path in it, its key."""

    session_uid: str
    path: str
    upload_id: str

    @property
    def key(self) -> str:
        return f"__o__=/{OWNER}/__cloud__/{self.session_uid}/{self.path}"


def open_upload(s3: Any, path: str, session_uid: str | None = None) -> Upload:
    session = session_uid or str(uuid.uuid4())
    key = Upload(session, path, "").key
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    return Upload(session, path, upload_id)


def sign_part(endpoint: str, upload: Upload, part: PartRange, at: datetime | None = None) -> str:
    """An UploadPart URL presigned as R2 presigns a grant: SigV4 in the query, region
    ``auto``, 300 s, and ``Content-Length`` signed with the host.

    ``generate_presigned_url`` signs only ``host``, so the signer is driven directly:
    ``S3SigV4QueryAuth`` signs every header the ``AWSRequest`` carries (bar a short
    blacklist), so a request carrying ``Content-Length`` yields ``X-Amz-SignedHeaders=
    content-length;host``. ``at`` backdates the signature (botocore reads its clock through
    ``botocore.auth.get_current_datetime``). moto checks neither signature nor expiry."""
    key = quote(upload.key, safe="/-_.~")
    upload_id = quote(upload.upload_id, safe="-_.~")
    url = f"{endpoint}/{BUCKET}/{key}?partNumber={part.number}&uploadId={upload_id}"
    request = AWSRequest(method="PUT", url=url, headers={"Content-Length": str(part.length)})
    signer = S3SigV4QueryAuth(Credentials("testing", "testing"), "s3", "auto", expires=LIFETIME)
    if at is None:
        signer.add_auth(request)
    else:
        clock = at.astimezone(UTC).replace(tzinfo=None)
        with mock.patch("botocore.auth.get_current_datetime", return_value=clock):
            signer.add_auth(request)
    return str(request.url)


def grant_for(
    endpoint: str, upload: Upload, part: PartRange, at: datetime | None = None
) -> dict[str, Any]:
    """The grant as ``multipart/parts`` sends it: its ``expires_at`` is the URL's
    ``X-Amz-Date`` plus ``X-Amz-Expires``."""
    url = sign_part(endpoint, upload, part, at)
    query = parse_qs(urlsplit(url).query)
    signed = datetime.strptime(query["X-Amz-Date"][0], AMZ_DATE).replace(tzinfo=UTC)
    expires = signed + timedelta(seconds=int(query["X-Amz-Expires"][0]))
    return {
        "grant_uid": str(uuid.uuid4()),
        "part_number": part.number,
        "offset": part.offset,
        "size_bytes": part.length,
        "url": url,
        "headers": {"Content-Length": str(part.length)},
        "expires_at": expires.isoformat(),
    }


def check(grant: dict[str, Any], upload: Upload, part: PartRange, **kw: Any) -> Any:
    now = kw.pop("now", None) or datetime.now(UTC)
    return check_part_grant(
        grant, path=upload.path, part=part, session_uid=upload.session_uid, now=now, **kw
    )


def part_put(
    grant: dict[str, Any],
    upload: Upload,
    part: PartRange,
    file: Path,
    stamp: Stamp,
    *,
    pin: str | None,
    now: datetime | None = None,
    refresh: Request[Presigned] | None = None,
) -> Request[Stored]:
    """The part's PUT if its grant passes the checks, else the refusal (nothing sent)."""
    checked = check(grant, upload, part, pin=pin, now=now)
    if isinstance(checked, Failure):
        return fail(checked.failure())
    return put_object(
        checked.unwrap().target.url,
        file,
        stamp=stamp,
        offset=part.offset,
        length=part.length,
        headers=grant["headers"],
        refresh=refresh,
    )


def parts_in(s3: Any, upload: Upload) -> list[tuple[int, int]]:
    listed = s3.list_parts(Bucket=BUCKET, Key=upload.key, UploadId=upload.upload_id)
    return [(p["PartNumber"], p["Size"]) for p in listed.get("Parts", [])]


def complete(s3: Any, upload: Upload, stored: tuple[Stored, ...]) -> bytes:
    s3.complete_multipart_upload(
        Bucket=BUCKET,
        Key=upload.key,
        UploadId=upload.upload_id,
        MultipartUpload={
            "Parts": [{"ETag": s.etag, "PartNumber": n} for n, s in enumerate(stored, 1)]
        },
    )
    data = bytes(s3.get_object(Bucket=BUCKET, Key=upload.key)["Body"].read())
    s3.delete_object(Bucket=BUCKET, Key=upload.key)  # moto keeps objects in memory
    return data


# --- the grants ----------------------------------------------------------------------------


def test_a_moto_grant_passes_the_checks_and_pins_its_upload(moto: Moto) -> None:
    upload = open_upload(moto.s3, "runs/front cam.mcap")
    size = MANAGED_PART_SIZE + 10
    first, second = part_ranges(size, MANAGED_PART_SIZE)

    one = check(grant_for(moto.endpoint, upload, first), upload, first).unwrap()
    two = check(grant_for(moto.endpoint, upload, second), upload, second, pin=one.pin)

    assert isinstance(two, Success) and two.unwrap().pin == one.pin
    query = parse_qs(urlsplit(one.target.url).query)
    assert query["X-Amz-SignedHeaders"] == ["content-length;host"]
    assert query["X-Amz-Credential"][0].split("/")[2:] == ["auto", "s3", "aws4_request"]
    assert query["X-Amz-Expires"] == [str(LIFETIME)]
    moto.s3.abort_multipart_upload(Bucket=BUCKET, Key=upload.key, UploadId=upload.upload_id)


def test_without_the_switch_a_loopback_grant_is_refused(
    moto: Moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = open_upload(moto.s3, "run1.mcap")
    part = PartRange(1, 0, 100)
    monkeypatch.delenv("AVALA_ALLOW_INSECURE_BASE_URL")

    error = check(grant_for(moto.endpoint, upload, part), upload, part).failure()

    assert isinstance(error, PartGrantRefusedError) and error.reason == "url_scheme"
    moto.s3.abort_multipart_upload(Bucket=BUCKET, Key=upload.key, UploadId=upload.upload_id)


# --- the parts -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_parts_are_put_two_at_a_time_and_complete_to_the_file(
    kind: str, moto: Moto, tmp_path: Path
) -> None:
    file, stamp = make_file(tmp_path, MANAGED_PART_SIZE + 4097, "front.mcap")
    upload = open_upload(moto.s3, "cam/front.mcap")
    ranges = part_ranges(stamp.size, MANAGED_PART_SIZE)
    grants = [grant_for(moto.endpoint, upload, part) for part in ranges]
    pin = check(grants[0], upload, ranges[0]).unwrap().pin
    puts = [
        part_put(g, upload, p, file, stamp, pin=pin) for g, p in zip(grants, ranges, strict=True)
    ]

    result, events = run(kind, gather(*puts, limit=2))

    stored = result.unwrap()
    assert parts_in(moto.s3, upload) == [(1, MANAGED_PART_SIZE), (2, 4097)]
    assert sum(e.count for e in events if isinstance(e, BytesSent)) == stamp.size
    data = complete(moto.s3, upload, stored)
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(file.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", KINDS)
def test_a_grant_for_another_upload_is_refused_and_nothing_reaches_it(
    kind: str, moto: Moto, tmp_path: Path
) -> None:
    """Two multipart uploads of the same object: part 2's grant names the second one, so
    its pin differs from part 1's and it is refused before any byte is sent."""
    size = MANAGED_PART_SIZE + 100
    file, stamp = make_file(tmp_path, size, "rear.mcap")
    upload = open_upload(moto.s3, "cam/rear.mcap")
    other = open_upload(moto.s3, "cam/rear.mcap", upload.session_uid)
    first, second = part_ranges(size, MANAGED_PART_SIZE)
    pin = check(grant_for(moto.endpoint, upload, first), upload, first).unwrap().pin
    stray = grant_for(moto.endpoint, other, second)

    result, events = run(kind, part_put(stray, upload, second, file, stamp, pin=pin))

    error = result.failure()
    assert isinstance(error, PartGrantRefusedError)
    assert (error.reason, error.path, error.part_number) == ("pin", "cam/rear.mcap", 2)
    assert parts_in(moto.s3, other) == [] and parts_in(moto.s3, upload) == []
    assert events == []
    for u in (upload, other):
        moto.s3.abort_multipart_upload(Bucket=BUCKET, Key=u.key, UploadId=u.upload_id)


# --- an expired part URL -------------------------------------------------------------------


@dataclass
class Gate:
    """A pass-through in front of moto that refuses an expired presigned URL with 403, as
    S3 and R2 do (moto 5 does not check ``X-Amz-Date`` + ``X-Amz-Expires``)."""

    upstream: str
    answered: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expired(self, query: str) -> bool:
        q = parse_qs(query)
        signed = datetime.strptime(q["X-Amz-Date"][0], AMZ_DATE).replace(tzinfo=UTC)
        return datetime.now(UTC) >= signed + timedelta(seconds=int(q["X-Amz-Expires"][0]))

    def forward(self, method: str, target: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(urlsplit(self.upstream).netloc, timeout=30)
        try:
            conn.request(method, target, body=body, headers={"Content-Length": str(len(body))})
            reply = conn.getresponse()
            return reply.status, dict(reply.getheaders()), reply.read()
        finally:
            conn.close()


@contextmanager
def expiry_gate(upstream: str) -> Iterator[tuple[Gate, str]]:
    gate = Gate(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if gate.expired(urlsplit(self.path).query):
                status, headers = 403, {"Content-Type": "application/xml"}
                reply = EXPIRED_REPLY
            else:
                status, headers, reply = gate.forward("PUT", self.path, body)
            with gate.lock:
                gate.answered.append(status)
            self.send_response(status)
            for name in ("ETag", "Content-Type"):
                if name in headers:
                    self.send_header(name, headers[name])
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gate, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("kind", KINDS)
def test_an_expired_part_url_is_refreshed_with_a_fresh_grant_and_lands_once(
    kind: str, moto: Moto, tmp_path: Path
) -> None:
    """The first grant was good when the API gave it (checked then) but has expired by the
    PUT: the store answers 403, the part asks ``refresh`` for a fresh grant, which is
    checked (same pin) and lands. The part is stored once."""
    file, stamp = make_file(tmp_path, 3 * 1024 * 1024 + 5, "side.mcap")
    upload = open_upload(moto.s3, "cam/side.mcap")
    (part,) = part_ranges(stamp.size, MANAGED_PART_SIZE)
    with expiry_gate(moto.endpoint) as (gate, gate_url):
        issued = datetime.now(UTC) - timedelta(seconds=2 * LIFETIME)
        stale = grant_for(gate_url, upload, part, at=issued)
        assert check(stale, upload, part).failure().reason == "expiry"  # expired by now,
        pin = check(stale, upload, part, now=issued + timedelta(seconds=1)).unwrap().pin  # not then
        minted: list[dict[str, Any]] = []

        def fresh_grant(_: object) -> Any:
            minted.append(grant_for(gate_url, upload, part))
            return check(minted[-1], upload, part, pin=pin).map(lambda c: c.target)

        refresh: Request[Presigned] = pure(None).bind_result(fresh_grant)
        put = part_put(
            stale,
            upload,
            part,
            file,
            stamp,
            pin=pin,
            now=issued + timedelta(seconds=1),
            refresh=refresh,
        )

        result, events = run(kind, put)

    assert isinstance(result, Success), result
    assert gate.answered == [403, 200] and len(minted) == 1
    assert parts_in(moto.s3, upload) == [(1, stamp.size)]
    assert sum(e.count for e in events if isinstance(e, BytesSent)) == stamp.size
    assert complete(moto.s3, upload, (result.unwrap(),)) == file.read_bytes()
