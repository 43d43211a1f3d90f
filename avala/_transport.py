"""The one place that touches the network: ``send(WireRequest) -> WireResponse``.

A transport knows nothing of resources, retries or decoding. It raises
``TransportError`` when no complete response was read, saying whether the
request may have reached the server.
"""

from __future__ import annotations

import http.cookiejar
import os
import urllib.request
from typing import Protocol

import requests
import requests.adapters
import requests.utils
import urllib3.exceptions

from avala._wire import TransportError, TransportFailure, WireRequest, WireResponse

DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class Transport(Protocol):
    """The seam between clients and the wire; tests swap in a stub."""

    def send(self, request: WireRequest) -> WireResponse: ...

    def close(self) -> None: ...


def _nothing_sent(exc: BaseException) -> bool:
    """True when the connection failed before any byte of the request left this machine."""
    cur: BaseException | None = exc
    for _ in range(8):
        if isinstance(cur, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
            return True
        if isinstance(cur, urllib3.exceptions.MaxRetryError):
            cur = cur.reason
        elif cur is not None and cur.args and isinstance(cur.args[0], BaseException):
            cur = cur.args[0]
        else:
            return False
    return False


class RequestsTransport:
    """Sends over one ``requests.Session`` with keep-alive; never follows redirects.

    Proxy and CA-bundle settings are read from the environment once, here, rather
    than on every call as a default Session does.
    """

    def __init__(
        self,
        *,
        base_url: str,
        verify: bool | str = True,
        pool_size: int = 10,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        session = requests.Session()
        session.trust_env = False
        session.proxies = dict(requests.utils.get_environ_proxies(base_url))
        if verify is True:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            verify = bundle or True
        session.verify = verify
        session.cookies.set_policy(_NoCookies())
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=1, pool_maxsize=pool_size, max_retries=0
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._session = session
        self._max_bytes = max_response_bytes

    def send(self, request: WireRequest) -> WireResponse:
        try:
            response = self._session.request(
                request.method,
                request.url,
                data=request.body,
                headers=dict(request.headers),
                timeout=request.timeout,
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise TransportError(TransportFailure("timeout", False, str(exc))) from None
        except requests.exceptions.ReadTimeout as exc:
            raise TransportError(TransportFailure("timeout", True, str(exc))) from None
        except requests.exceptions.SSLError as exc:
            raise TransportError(TransportFailure("connect", False, f"TLS: {exc}")) from None
        except requests.exceptions.ConnectionError as exc:
            if _nothing_sent(exc):
                raise TransportError(TransportFailure("connect", False, str(exc))) from None
            raise TransportError(TransportFailure("broken", True, str(exc))) from None
        except requests.exceptions.RequestException as exc:
            raise TransportError(TransportFailure("broken", True, str(exc))) from None
        with response:
            body = self._read(response)
        headers = {k.lower(): v for k, v in response.headers.items()}
        return WireResponse(response.status_code, headers, body)

    def _read(self, response: requests.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self._max_bytes:
            raise TransportError(TransportFailure("too_large", True, _too_large(self._max_bytes)))
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.iter_content(chunk_size=65536):
                total += len(chunk)
                if total > self._max_bytes:
                    raise TransportError(
                        TransportFailure("too_large", True, _too_large(self._max_bytes))
                    )
                chunks.append(chunk)
        except requests.exceptions.Timeout as exc:
            raise TransportError(TransportFailure("timeout", True, str(exc))) from None
        except requests.exceptions.RequestException as exc:
            raise TransportError(
                TransportFailure("broken", True, f"body cut short: {exc}")
            ) from None
        return b"".join(chunks)

    def close(self) -> None:
        self._session.close()


def _too_large(limit: int) -> str:
    return f"response body exceeds max_response_bytes ({limit} bytes)"


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """The API is stateless; keeping no cookies keeps calls from leaking into each other."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False
