"""Client configuration: the API key, the base URL and their rules, resolved once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from avala._options import check_deadline, check_max_retries, check_timeout
from avala._version import __version__

DEFAULT_BASE_URL = "https://api.avala.ai/api/v1"
_TRUTHY = frozenset({"1", "true", "yes", "on"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# What a header value may hold as given: visible ASCII and visible latin-1 (http.client
# encodes header values as latin-1). No spaces, controls, DEL, C1 controls or NBSP.
_HEADER_UNSAFE = re.compile(r"[^\x21-\x7e\xa1-\xff]")


def insecure_allowed() -> bool:
    """Whether plain-http loopback URLs are allowed (``AVALA_ALLOW_INSECURE_BASE_URL``), for
    the base URL and for presigned storage URLs alike; read when asked."""
    return os.environ.get("AVALA_ALLOW_INSECURE_BASE_URL", "").strip().lower() in _TRUTHY


def check_header_text(what: str, value: object) -> str:
    """``value`` if it can be sent as a header value exactly as given, so a bad key fails
    here and not as a connection error on every call. Names the bad character, never the
    value (it may be a secret)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{what} must not be empty")
    bad = _HEADER_UNSAFE.search(value)
    if bad:
        raise ValueError(
            f"{what} must be visible latin-1 characters (no spaces, control characters or "
            f"characters past U+00FF); found U+{ord(bad.group()):04X} at position {bad.start()}"
        )
    return value


def resolve_api_key(api_key: str | None) -> str:
    if api_key is not None and not isinstance(api_key, str):
        raise TypeError(f"api_key must be a str, not {type(api_key).__name__}")
    key = (api_key or os.environ.get("AVALA_API_KEY", "")).strip()
    if not key:
        raise ValueError(
            "No API key: pass Client(api_key=...) or set the AVALA_API_KEY environment variable"
        )
    return check_header_text("api_key", key)


def resolve_base_url(base_url: str | None) -> str:
    """Apply the base URL rules: https only, plain http only to loopback when allowed."""
    if base_url is not None and not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    url = (base_url or os.environ.get("AVALA_BASE_URL", "") or DEFAULT_BASE_URL).strip()
    url = url.rstrip("/")
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"base_url must be an absolute URL like {DEFAULT_BASE_URL!r}")
    if "@" in parts.netloc:  # "https://:@host" has empty credentials: still credentials
        raise ValueError("base_url must not carry credentials")
    if parts.query or parts.fragment:
        raise ValueError("base_url must not have a query or fragment")
    if not parts.path:  # every route is relative to the API path; the bare host has none
        where = "base_url" if base_url else "AVALA_BASE_URL"
        raise ValueError(f"{where} {url!r} has no API path: did you mean {url}/api/v1?")
    if parts.scheme == "https":
        return url
    if not insecure_allowed():
        raise ValueError(
            "base_url must use https; plain http is allowed only for localhost "
            "when AVALA_ALLOW_INSECURE_BASE_URL=1"
        )
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("an insecure base_url must be http:// on localhost, 127.0.0.1 or ::1")
    return url


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Everything a client needs to render a wire request; the key is kept out of repr."""

    api_key: str = field(repr=False)
    base_url: str
    timeout: float
    max_retries: int
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    deadline: float | None = None  # the time budget of each run; None: no budget

    @classmethod
    def resolve(
        cls,
        api_key: str | None,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        deadline: float | None = None,
        anonymous: bool = False,
    ) -> ClientConfig:
        """The checked configuration; ``anonymous`` is a client with no key at all (its
        ``api_key`` is ""), for the calls that need none."""
        if anonymous and api_key is not None:
            raise ValueError("an anonymous client takes no api_key")
        key = "" if anonymous else resolve_api_key(api_key)
        key_header = () if anonymous else (("X-Avala-Api-Key", key),)
        headers = (
            *key_header,
            ("Accept", "application/json"),
            ("Accept-Encoding", "gzip, deflate"),
            ("User-Agent", f"avala-python/{__version__}"),
        )
        return cls(
            api_key=key,
            base_url=resolve_base_url(base_url),
            timeout=check_timeout(timeout),
            max_retries=check_max_retries(max_retries),
            headers=headers,
            deadline=None if deadline is None else check_deadline(deadline),
        )
