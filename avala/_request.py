"""``Request[T]``: an immutable description of an API call, or of calls composed.

Nothing here does I/O. A client interprets the value; the same value runs on
``Client``, ``AsyncClient`` or a stub transport, and equal arguments build equal
(hashable) requests, so tests can assert on requests without a network.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, overload

from pyrsistent import freeze, pmap, thaw
from pyrsistent.typing import PMap
from returns.result import Result

from avala import _misuse
from avala._config import check_header_text
from avala._decode import Reader
from avala._options import NO_OPTIONS, Options, check_deadline, check_max_retries, check_timeout
from avala._redact import redact_json
from avala._url import check_utf8, fill_template, render_path
from avala.errors import AvalaError
from avala.types._common import to_plain

T = TypeVar("T")
U = TypeVar("U")
T1 = TypeVar("T1")
T2 = TypeVar("T2")
T3 = TypeVar("T3")
T4 = TypeVar("T4")

__all__ = ["Call", "Request", "fail", "gather", "poll", "pure", "sequence"]


class Request(Generic[T]):
    """Base of every request value; subclasses are frozen dataclasses with ``options``."""

    __slots__ = ()
    options: Options

    def map(self, fn: Callable[[T], U]) -> Request[U]:
        """A request whose value is ``fn`` applied to this one's."""
        return Mapped(self, fn)

    def bind(self, fn: Callable[[T], Request[U]]) -> Request[U]:
        """Run this, then the request ``fn`` builds from its value; a Failure stops here."""
        return Bound(self, fn)

    def bind_result(self, fn: Callable[[T], Result[U, AvalaError]]) -> Request[U]:
        """Like ``map`` for a step that can fail: ``fn`` returns a Result."""
        return Mapped(self, fn, returns_result=True)

    def recover(self, fn: Callable[[AvalaError], Request[T]]) -> Request[T]:
        """Run this; only if it fails, run the request ``fn`` builds from the error instead.

        ``fn`` returns ``avala.pure(value)`` to recover with a value, ``avala.fail(error)``
        to fail again, or any other request (get it, or create it on a 404).
        """
        return Recovered(self, fn)

    def with_timeout(self, seconds: float) -> Request[T]:
        """A copy whose every try (connect to last byte of the response) is ``seconds`` at most."""
        return self._with(replace(self.options, timeout=check_timeout(seconds)))

    def with_max_retries(self, count: int) -> Request[T]:
        """A copy that may be retried up to ``count`` times (0 turns retries off)."""
        return self._with(replace(self.options, max_retries=check_max_retries(count)))

    def with_deadline(self, seconds: float) -> Request[T]:
        """A copy that must finish within ``seconds``: every try, backoff and Retry-After
        wait of everything it sends, from the moment it starts (see docs/reliability.md)."""
        return self._with(replace(self.options, deadline=check_deadline(seconds)))

    def with_idempotency_key(self, key: str | None = None) -> Request[T]:
        """A copy sent with ``Idempotency-Key``, so a POST or PATCH may be retried safely.

        Without ``key`` a random one is drawn now; it is part of the value, so every
        try of this request carries the same key.
        """
        key = str(uuid.uuid4()) if key is None else check_header_text("idempotency key", key)
        return self._with_key(key)

    def first_call(self) -> Call[Any] | None:
        """The call this request sends first (None if it sends nothing): what a test can
        inspect without running anything."""
        if isinstance(self, Call):
            return self
        if isinstance(self, Mapped | Bound | Recovered):
            return self.source.first_call()
        if isinstance(self, Polled):
            return self.request.first_call()
        if isinstance(self, Gathered):
            return next((c for r in self.requests if (c := r.first_call())), None)
        return None

    def _with(self, options: Options) -> Request[T]:
        return replace(self, options=options)  # type: ignore[type-var]

    if not TYPE_CHECKING:  # runtime help only: type checkers still report these misuses

        def _describe(self) -> tuple[str, str | None, bool]:
            """Class name, first endpoint, and whether it is a list call (for messages)."""
            try:
                first = self.first_call()
                pageable = isinstance(self, Call) and self.reader.kind == "page"
            except AttributeError:  # half-built (while unpickling): no detail
                return type(self).__name__, None, False
            return type(self).__name__, first.endpoint if first else None, pageable

        def __iter__(self) -> NoReturn:
            raise TypeError(_misuse.not_iterable(*self._describe()))

        def __aiter__(self) -> NoReturn:
            raise TypeError(_misuse.not_async_iterable(*self._describe()[:2]))

        def __getitem__(self, key: object) -> NoReturn:
            raise TypeError(_misuse.not_a_container(*self._describe(), "indexing"))

        def __len__(self) -> NoReturn:
            raise TypeError(_misuse.not_a_container(*self._describe(), "len()"))

        def __contains__(self, item: object) -> NoReturn:
            raise TypeError(_misuse.not_a_container(*self._describe(), "'in'"))

        def __bool__(self) -> bool:
            return True  # a request is a value; without this, bool() would call __len__

        def __await__(self) -> NoReturn:
            raise TypeError(_misuse.not_awaitable(*self._describe()[:2]))

        def __getattr__(self, name: str) -> NoReturn:
            # Only for names normal lookup did not find. Private names and fields (unset
            # while copy or pickle rebuild the value) get the plain error, so probes stay cheap.
            kind = type(self).__name__
            fields = getattr(type(self), "__dataclass_fields__", ())
            if name.startswith("_") or name in fields:
                message = f"{kind!r} object has no attribute {name!r}"
            else:
                message = _misuse.no_attribute(*self._describe(), name)
            raise AttributeError(message, name=name, obj=self)

    def _with_key(self, key: str) -> Request[T]:
        raise TypeError(
            f"an idempotency key names one call; set it on the call before composing "
            f"({type(self).__name__} may send several)"
        )


@dataclass(frozen=True, slots=True)
class Call(Request[T]):
    """One HTTP call: route, query, JSON body, options, and how to read the answer."""

    endpoint: str
    method: str
    path: tuple[str, ...]
    query: PMap[str, str] = field(default_factory=pmap)
    body: Any = None
    reader: Reader[T] = field(default_factory=lambda: Reader("none"))
    options: Options = NO_OPTIONS
    anonymous: bool = False
    """Sent without the API key (an endpoint whose auth is ``none``: resolver, signup)."""

    @property
    def url_path(self) -> str:
        """The percent-encoded path, relative to the base URL."""
        return render_path(self.path)

    def __repr__(self) -> str:
        """The generated repr, but with body and query redacted (``secret=``,
        ``s3_secret_access_key=`` ... show as [REDACTED]); equality, hashing and the wire
        still use the real values."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["query"] = redact_json(dict(self.query))
        shown["body"] = redact_json(thaw(self.body))
        return f"Call({', '.join(f'{name}={value!r}' for name, value in shown.items())})"

    def with_query(self, **params: object) -> Call[T]:
        """A copy with these query keys set (None removes a key)."""
        query = self.query
        for key, value in params.items():
            query = query.discard(key) if value is None else query.set(key, query_value(value))
        return replace(self, query=query)

    def _with_key(self, key: str) -> Request[T]:
        return replace(self, options=replace(self.options, idempotency_key=key))


@dataclass(frozen=True, slots=True)
class Pure(Request[T]):
    """A request that sends nothing and succeeds with ``value``."""

    value: T
    options: Options = NO_OPTIONS

    def _with_key(self, key: str) -> Request[T]:
        return self


@dataclass(frozen=True, slots=True)
class Mapped(Request[U]):
    """``source``'s value passed through ``fn`` (which returns a Result if ``returns_result``)."""

    source: Request[Any]
    fn: Callable[[Any], Any]
    returns_result: bool = False
    options: Options = NO_OPTIONS

    def _with_key(self, key: str) -> Request[U]:
        return replace(self, source=self.source.with_idempotency_key(key))


@dataclass(frozen=True, slots=True)
class Bound(Request[U]):
    """``source``, then the request ``fn`` builds from its value."""

    source: Request[Any]
    fn: Callable[[Any], Request[U]]
    options: Options = NO_OPTIONS


@dataclass(frozen=True, slots=True)
class Recovered(Request[T]):
    """``source``, or, when it fails, the request ``fn`` builds from its error."""

    source: Request[T]
    fn: Callable[[AvalaError], Request[T]]
    options: Options = NO_OPTIONS


@dataclass(frozen=True, slots=True)
class Failed(Request[T]):
    """A request that sends nothing and fails with ``error``."""

    error: AvalaError
    options: Options = NO_OPTIONS

    def _with_key(self, key: str) -> Request[T]:
        return self


@dataclass(frozen=True, slots=True)
class Gathered(Request[tuple[Any, ...]]):
    """Requests run as one, collecting a tuple. ``in_order``: one after another, each only
    after the previous succeeded; otherwise an async client runs them concurrently, and
    with a ``limit`` both clients run at most that many at a time."""

    requests: tuple[Request[Any], ...]
    in_order: bool = False
    options: Options = NO_OPTIONS
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class Polled(Request[T]):
    """``request`` repeated every ``interval`` seconds until ``until(value)`` holds, or
    ``fails_when(value)`` does (a terminal failure)."""

    request: Request[T]
    until: Callable[[T], bool]
    interval: float
    timeout: float
    fails_when: Callable[[T], bool] | None = None
    options: Options = NO_OPTIONS


def pure(value: T) -> Request[T]:
    """A request that succeeds with ``value`` without sending anything."""
    return Pure(value)


def fail(error: AvalaError) -> Request[Any]:
    """A request that fails with ``error`` without sending anything; for ``recover``
    functions that give up on an error (``else fail(error)``)."""
    if not isinstance(error, AvalaError):
        raise TypeError(f"fail takes an AvalaError, not {type(error).__name__}")
    return Failed(error)


@overload
def gather(r1: Request[T1], /, *, limit: int | None = None) -> Request[tuple[T1]]: ...
@overload
def gather(
    r1: Request[T1], r2: Request[T2], /, *, limit: int | None = None
) -> Request[tuple[T1, T2]]: ...
@overload
def gather(
    r1: Request[T1], r2: Request[T2], r3: Request[T3], /, *, limit: int | None = None
) -> Request[tuple[T1, T2, T3]]: ...
@overload
def gather(
    r1: Request[T1],
    r2: Request[T2],
    r3: Request[T3],
    r4: Request[T4],
    /,
    *,
    limit: int | None = None,
) -> Request[tuple[T1, T2, T3, T4]]: ...
@overload
def gather(*requests: Request[T], limit: int | None = None) -> Request[tuple[T, ...]]: ...
def gather(*requests: Request[Any], limit: int | None = None) -> Request[tuple[Any, ...]]:
    """One request of a tuple of values, in argument order; the first Failure wins.

    With ``limit=n`` at most n of them run at a time on either client (``Client`` on
    worker threads), the next starting as soon as one ends; after the first Failure no
    new one starts, and the ones running stop before their next try.
    """
    for r in requests:
        if not isinstance(r, Request):
            raise TypeError(f"gather takes requests, not {type(r).__name__}")
    if limit is not None and (type(limit) is not int or limit < 1):
        raise ValueError(f"limit must be an int >= 1 or None, not {limit!r}")
    return Gathered(tuple(requests), limit=limit)


def sequence(*requests: Request[T]) -> Request[tuple[T, ...]]:
    """One request of a tuple of values, sent strictly one after another on every client;
    the first Failure stops it, and later requests are not sent."""
    for r in requests:
        if not isinstance(r, Request):
            raise TypeError(f"sequence takes requests, not {type(r).__name__}")
    return Gathered(tuple(requests), in_order=True)


def poll(
    request: Request[T],
    until: Callable[[T], bool],
    *,
    interval: float,
    timeout: float,
    fails_when: Callable[[T], bool] | None = None,
) -> Request[T]:
    """Repeat ``request`` until ``until(value)`` holds; a ``WaitTimeoutError`` Failure after
    ``timeout`` seconds. ``fails_when(value)`` (checked after ``until``) stops at once with a
    ``TerminalStatusError`` holding the value: a state waiting longer cannot change.

    Each answered poll emits an ``avala.events.PollTick`` (see ``client.run(on_event=)``).
    """
    if not isinstance(request, Request):
        raise TypeError(f"poll takes a request, not {type(request).__name__}")
    if not 0 <= interval < math.inf:
        raise ValueError(f"interval must be a finite number >= 0, got {interval}")
    if not timeout >= 0:  # also refuses NaN; an infinite timeout waits for ever
        raise ValueError(f"timeout must be >= 0, got {timeout}")
    return Polled(request, until, float(interval), float(timeout), fails_when)


def query_value(value: object) -> str:
    """Render one query value the way the API reads it (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return check_utf8("query value", value)
    if isinstance(value, int | float):
        return str(value)
    raise TypeError(f"query values must be str, int, float or bool, not {type(value).__name__}")


def encode_json(body: Any) -> bytes:
    """A (frozen) JSON body as compact UTF-8 bytes, exactly as it is sent."""
    return json.dumps(
        thaw(body), separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def check_json_body(body: Any) -> None:
    """Refuse, at build time, a body that could not be sent: not JSON (NaN, sets, objects)
    or not encodable as UTF-8."""
    try:
        encode_json(body)
    except TypeError as exc:
        raise TypeError(f"request body cannot be sent as JSON: {exc}") from None
    except ValueError as exc:  # NaN or infinity; lone surrogates (UnicodeEncodeError)
        raise ValueError(f"request body cannot be sent as JSON: {exc}") from None


def call(
    endpoint: str,
    method: str,
    template: str,
    reader: Reader[T],
    *,
    path: Mapping[str, str] | None = None,
    query: Mapping[str, object] | None = None,
    body: Any = None,
    anonymous: bool = False,
) -> Call[T]:
    """Build a ``Call``: path arguments checked, None dropped from the query, body frozen."""
    segments = fill_template(template, path or {})
    if body is not None:
        check_json_body(body)
    rendered = pmap({k: query_value(v) for k, v in (query or {}).items() if v is not None})
    frozen = freeze(to_plain(body))
    return Call(endpoint, method, segments, rendered, frozen, reader, anonymous=anonymous)
