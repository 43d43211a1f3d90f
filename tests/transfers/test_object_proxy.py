"""Object transfers honour the proxy environment as API calls do (HTTP_PROXY, HTTPS_PROXY,
ALL_PROXY, NO_PROXY): a forward proxy on 127.0.0.1 records what it was asked."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest
from returns.result import Success

from avala.transfers._values import Stored, get_object, put_object
from tests.hostile import HostileServer, Reply, response
from tests.transfers.test_object_put import API_KEY, KINDS, SIG, make_file, run

PROXY_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def stored_reply() -> Reply:
    return Reply([response("200 OK", headers=[("ETag", '"e"')])])


@pytest.mark.parametrize("kind", KINDS)
def test_a_put_goes_through_the_environment_proxy(
    kind: str, hostile: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, stamp = make_file(tmp_path, 5000)
    proxy: HostileServer = hostile([stored_reply()])
    monkeypatch.setenv("HTTP_PROXY", f"http://user:p%40ss@127.0.0.1:{proxy.port}")
    url = f"http://127.0.0.1:9/b/k?X-Amz-Signature={SIG}"  # never reached: the proxy answers

    result, _ = run(kind, put_object(url, path, stamp=stamp))

    assert result == Success(Stored('"e"', 5000))
    assert proxy.request_lines == [f"PUT {url} HTTP/1.1"]  # absolute-form, to a proxy
    (raw,) = proxy.requests
    head, _, body = raw.partition(b"\r\n\r\n")
    assert body == path.read_bytes()
    headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:])
    headers = {name.lower(): value for name, value in headers.items()}
    assert headers["proxy-authorization"] == "Basic " + base64.b64encode(b"user:p@ss").decode()
    assert API_KEY.encode() not in raw


@pytest.mark.parametrize("kind", KINDS)
def test_no_proxy_sends_straight_to_the_storage_host(
    kind: str, hostile: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, stamp = make_file(tmp_path, 100)
    proxy: HostileServer = hostile([stored_reply()])
    storage: HostileServer = hostile([stored_reply()])
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    url = f"http://127.0.0.1:{storage.port}/b/k"
    result, _ = run(kind, put_object(url, path, stamp=stamp))

    assert isinstance(result, Success)
    assert proxy.request_lines == []
    assert storage.request_lines == ["PUT /b/k HTTP/1.1"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_download_goes_through_the_environment_proxy(
    kind: str, hostile: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"object bytes " * 100
    proxy: HostileServer = hostile([Reply([response("200 OK", data)])])
    monkeypatch.setenv("http_proxy", f"127.0.0.1:{proxy.port}")  # no scheme: http, as curl
    url = "http://127.0.0.1:9/b/object.bin"
    dest = tmp_path / "object.bin"

    result, _ = run(kind, get_object(url, dest, sha256=hashlib.sha256(data).hexdigest()))

    assert isinstance(result, Success) and dest.read_bytes() == data
    assert proxy.request_lines == [f"GET {url} HTTP/1.1"]
