"""The one place that touches the network: ``send(WireRequest) -> WireResponse``.

A transport knows nothing of resources, retries or decoding. It raises
``TransportError`` when no complete response was read, saying whether the
request may have reached the server. The framing rules it keeps are in
docs/reliability.md ("Timeouts per try" and "Framing").
"""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import os
import urllib.request
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlsplit

import requests
import requests.adapters
import requests.utils
import urllib3
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from avala._connection import DeadlineAdapter
from avala._wire import TransportError, TransportFailure, WireRequest, WireResponse

DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024
# RFC 9112 §6.3: a response framed both ways may be an attempt at response splitting.
_CONFLICTING_FRAMING = "response has both Content-Length and Transfer-Encoding"


class Transport(Protocol):
    """The seam between clients and the wire; tests swap in a stub."""

    def send(self, request: WireRequest) -> WireResponse: ...

    def close(self) -> None: ...


class RequestsTransport:
    """Sends through one ``requests.Session``'s keep-alive pool; never follows redirects.

    Proxy and CA-bundle settings are read from the environment once, here, rather than
    on every call as a default Session does. Without a proxy, calls under ``base_url``
    go straight to the Session's connection pool for the API host, skipping the per-call
    work of ``Session.request`` (settings merge, cookies, hooks), which is most of its cost.
    """

    def __init__(
        self,
        *,
        base_url: str,
        verify: bool | str = True,
        pool_size: int = 10,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if verify is True:
            verify = (
                os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            )
        session = requests.Session()
        session.trust_env = False
        session.proxies = dict(requests.utils.get_environ_proxies(base_url))
        session.verify = verify
        session.cookies.set_policy(_NoCookies())
        adapter = DeadlineAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._session = session
        self._adapter = adapter
        self._max_bytes = max_response_bytes
        self._closed = False
        # Calls under base_url send the rest of the URL after the origin (RFC 9112 origin-form).
        self._base_url = base_url
        self._origin_length = len(base_url) - len(urlsplit(base_url).path)
        self._pool: urllib3.HTTPConnectionPool | None = None
        if not session.proxies.get(urlsplit(base_url).scheme):
            probe = requests.Request("GET", base_url).prepare()
            pool = adapter.get_connection_with_tls_context(probe, verify)
            assert isinstance(pool, urllib3.HTTPConnectionPool)
            self._pool = pool

    def send(self, request: WireRequest) -> WireResponse:
        if self._closed:
            raise TransportError(TransportFailure("connect", False, "the client is closed"))
        url = request.url
        if self._pool is None or not url.startswith(self._base_url):
            return self._send_via_session(request)
        try:
            response = self._pool.urlopen(
                request.method,
                url[self._origin_length :],
                body=request.body,
                headers=request.headers,
                redirect=False,
                assert_same_host=False,
                retries=False,
                timeout=_timeout(request.timeout),
                preload_content=False,
                decode_content=True,
            )
        except Exception as exc:
            raise TransportError(_classify(exc)) from None
        return self._read(response, request.method)

    def _send_via_session(self, request: WireRequest) -> WireResponse:
        """Through a proxy; requests picks the request target (absolute-form to a proxy)."""
        try:
            response = self._session.request(
                request.method,
                request.url,
                data=request.body,
                headers=dict(request.headers),
                timeout=_timeout(request.timeout),  # type: ignore[arg-type]  # passed through
                allow_redirects=False,
                stream=True,
            )
        except Exception as exc:
            raise TransportError(_classify(exc)) from None
        return self._read(response.raw, request.method)

    def _read(self, response: urllib3.BaseHTTPResponse, method: str) -> WireResponse:
        """The whole response, or a failure; see "Framing" in docs/reliability.md."""
        status = response.status
        bodiless = status < 200 or status == 204 or status == 304 or method == "HEAD"
        body = b""
        reuse = False  # decided before the body ends: urllib3 pools the connection right then
        try:
            if not bodiless:  # bytes after a response with no body are not ours: drop them
                body = self._read_body(response)
                reuse = True
        except TransportError:
            raise
        except Exception as exc:
            raise TransportError(_classify(exc, reading=True)) from None
        finally:
            if not reuse:
                response.close()  # never drain or reuse a connection in doubt
            response.release_conn()
        headers = {k.lower(): v for k, v in response.headers.items()}
        return WireResponse(status, headers, body)

    def _read_body(self, response: urllib3.BaseHTTPResponse) -> bytes:
        length = response.length_remaining  # from Content-Length; None if chunked or absent
        if response.chunked and "content-length" in response.headers:
            raise TransportError(TransportFailure("broken", True, _CONFLICTING_FRAMING))
        if length is not None and length > self._max_bytes:
            raise TransportError(TransportFailure("too_large", True, _too_large(self._max_bytes)))
        if length is not None and "content-encoding" not in response.headers:
            return response.read(decode_content=True)  # size known and within the limit
        return self._read_chunks(response.stream(_CHUNK, decode_content=True))

    def _read_chunks(self, chunks: Iterable[bytes]) -> bytes:
        parts: list[bytes] = []
        total = 0
        for chunk in chunks:
            total += len(chunk)
            if total > self._max_bytes:
                raise TransportError(
                    TransportFailure("too_large", True, _too_large(self._max_bytes))
                )
            parts.append(chunk)
        return b"".join(parts)

    def close(self) -> None:
        """Close every pooled connection now; one in use closes when its call ends."""
        self._closed = True
        managers = [self._adapter.poolmanager, *self._adapter.proxy_manager.values()]
        for manager in managers:
            for key in manager.pools.keys():  # noqa: SIM118  # the container can't iterate
                pool = manager.pools.get(key)
                if pool is not None:
                    pool.close()
        if self._pool is not None:
            self._pool.close()
        self._session.close()


def _classify(exc: BaseException, *, reading: bool = False) -> TransportFailure:
    """What kind of failure ``exc`` is, and whether the request may have reached the server."""
    cause = _root(exc)
    text = f"{type(cause).__name__}: {cause}"
    if isinstance(cause, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
        return TransportFailure("connect", False, text)
    if isinstance(cause, urllib3.exceptions.ConnectTimeoutError):
        return TransportFailure("timeout", False, text)
    if isinstance(cause, urllib3.exceptions.SSLError | requests.exceptions.SSLError):
        return TransportFailure("connect", False, f"TLS: {text}")
    if isinstance(cause, urllib3.exceptions.ClosedPoolError):
        return TransportFailure("connect", False, "the client is closed")
    if isinstance(cause, TimeoutError | urllib3.exceptions.TimeoutError):
        return TransportFailure("timeout", True, text)
    detail = f"body cut short: {text}" if reading else text
    return TransportFailure("broken", True, detail)


def _root(exc: BaseException) -> BaseException:
    """The urllib3 or socket error behind the wrappers requests and urllib3 add."""
    current = exc
    for _ in range(8):
        if isinstance(current, urllib3.exceptions.MaxRetryError) and current.reason is not None:
            current = current.reason
        elif (
            isinstance(current, requests.exceptions.RequestException)
            and current.args
            and (isinstance(current.args[0], BaseException))
        ):
            current = current.args[0]
        else:
            break
    return current


@functools.lru_cache(maxsize=32)
def _timeout(seconds: float) -> urllib3.Timeout:
    """A budget for a whole try (urllib3 copies it per call, then counts it down)."""
    return urllib3.Timeout(total=seconds)


def _too_large(limit: int) -> str:
    return f"response body exceeds max_response_bytes ({limit} bytes)"


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """The API is stateless; keeping no cookies keeps calls from leaking into each other."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False
