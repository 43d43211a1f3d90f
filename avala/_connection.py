"""Connections that read each response by the try's deadline, strict about its framing.

urllib3 and http.client time out each socket read on its own, so a server that sends a
byte a second holds a call for ever; and http.client takes a header block cut short by
EOF for a complete one. These connection classes fix both and are otherwise urllib3's.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from typing import Any

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.connectionpool

__all__ = ["DeadlineAdapter", "DeadlinePoolManager"]


class _DeadlineReader(io.RawIOBase):
    """A socket's read side where every read waits only until the try's deadline.

    A per-read timeout alone lets a server that sends a byte a second hold a call for
    ever, since http.client reads the header block line by line. Also notes whether the
    peer closed, so a header block cut short is not taken for a complete one.
    """

    def __init__(self, sock: socket.socket, budget: float | None) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # holds the socket open while in use
        self._deadline = None if budget is None else time.monotonic() + budget
        self.hit_end = False

    def makefile(self, mode: str) -> io.BufferedReader:
        """What http.client asks of the socket it reads a response from."""
        return io.BufferedReader(self)

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, buffer: Any) -> int | None:
        if self._deadline is not None:
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out")
            self._sock.settimeout(left)
        count = self._raw.readinto(buffer)
        if count == 0:
            self.hit_end = True
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Response(http.client.HTTPResponse):
    """http.client's response, read through a `_DeadlineReader`."""

    def __init__(self, sock: socket.socket, budget: float | None, *args: Any, **kw: Any) -> None:
        self._reader = _DeadlineReader(sock, budget)
        super().__init__(self._reader, *args, **kw)  # type: ignore[arg-type]  # a file maker

    def begin(self) -> None:
        super().begin()
        if self._reader.hit_end:  # http.client ends the header block at EOF without a word
            raise http.client.HTTPException("connection closed inside the response header block")


class _ReadsToDeadline:
    """Connection mixin: read each response through a deadline.

    Given ``urllib3.Timeout(total=seconds)``, urllib3 sets ``timeout`` to what is left of
    the try's total just before it reads the response: the deadline is where the try ends.
    """

    timeout: float | None

    def response_class(self, sock: socket.socket, *args: Any, **kw: Any) -> _Response:
        return _Response(sock, self.timeout, *args, **kw)


class _HTTPConnection(_ReadsToDeadline, urllib3.connection.HTTPConnection):  # type: ignore[misc]
    pass


class _HTTPSConnection(_ReadsToDeadline, urllib3.connection.HTTPSConnection):  # type: ignore[misc]
    pass


_DEADLINE_CONNECTIONS: dict[type[Any], type[Any]] = {
    urllib3.connection.HTTPConnection: _HTTPConnection,
    urllib3.connection.HTTPSConnection: _HTTPSConnection,
}


class _SendsToDeadline(_ReadsToDeadline):
    """Connection mixin: the request body, too, is sent by the try's deadline.

    urllib3 times each socket write on its own, so a store that reads a byte a second
    would hold a large upload for ever; here each write waits only until the deadline,
    counted from the moment the request starts with the try's whole budget.
    """

    sock: socket.socket | None
    _send_deadline: float | None = None

    def request(self, *args: Any, **kw: Any) -> None:
        budget = self.timeout
        self._send_deadline = None if budget is None else time.monotonic() + budget
        super().request(*args, **kw)  # type: ignore[misc]  # urllib3's, after this mixin

    def send(self, data: Any) -> None:
        if self._send_deadline is not None and self.sock is not None:
            left = self._send_deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out sending the request body")
            self.sock.settimeout(left)
        super().send(data)  # type: ignore[misc]


class _SendingHTTPConnection(_SendsToDeadline, urllib3.connection.HTTPConnection):  # type: ignore[misc]
    pass


class _SendingHTTPSConnection(_SendsToDeadline, urllib3.connection.HTTPSConnection):  # type: ignore[misc]
    pass


class _DeadlinePools:
    """Pools whose connections send and read each try by its deadline."""

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> urllib3.HTTPConnectionPool:
        pool: urllib3.HTTPConnectionPool = super()._new_pool(  # type: ignore[misc]
            scheme, host, port, request_context
        )
        pool.ConnectionCls = (
            _SendingHTTPSConnection if scheme == "https" else _SendingHTTPConnection
        )
        return pool


class DeadlinePoolManager(_DeadlinePools, urllib3.PoolManager):
    """A keep-alive pool per host whose connections send and read each try by its
    deadline (``urllib3.Timeout(total=...)``): the object-storage transport's."""


class DeadlineProxyManager(_DeadlinePools, urllib3.ProxyManager):
    """The same, through an HTTP proxy (a CONNECT tunnel for https storage hosts)."""


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """An adapter whose pools (direct or through a proxy) open deadline-reading connections."""

    def get_connection_with_tls_context(
        self, request: requests.PreparedRequest, verify: bool | str | None, *args: Any, **kw: Any
    ) -> urllib3.connectionpool.ConnectionPool:
        pool = super().get_connection_with_tls_context(request, verify, *args, **kw)
        if isinstance(pool, urllib3.HTTPConnectionPool):
            ours = _DEADLINE_CONNECTIONS.get(pool.ConnectionCls)  # SOCKS pools keep their own
            if ours is not None:
                pool.ConnectionCls = ours
        return pool
