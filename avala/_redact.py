"""Redaction of secrets a server may echo back, and of secrets in request values' repr.

Applied to every error message and error body, to the headers ``run_raw`` and
``rate_limit_info`` show, and to the body and query of ``repr(Call)``. The rules are
stated in docs/reliability.md ("What is redacted"); keep the two in step.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

REDACTED = "[REDACTED]"
TOO_DEEP = "[TOO DEEP]"

# Containers nested deeper than this are replaced by TOO_DEEP: a hostile body cannot
# exhaust the stack, and no real error body comes near it.
MAX_DEPTH = 64

# The client's key is replaced wherever it appears when it is at least this long (real
# keys are 40 characters). A shorter key is a test key: it is replaced only where it
# stands alone, so "k" does not garble "Task not found; check the task id.".
MIN_LITERAL_SECRET = 8

# A field, header or query name containing one of these (case-insensitive, "-" read as
# "_") holds a secret. This over-matches on purpose: `token_count` and `max_tokens` are
# redacted too, since telling them from `refresh_token` by name is guesswork.
_SECRET_NAME_PARTS = (
    "secret",
    "password",
    "passwd",
    "token",
    "private_key",
    "privatekey",
    "credential",
    "api_key",
    "apikey",
    "authorization",
)
_SECRET_NAMES = frozenset({"access_key"})

# Names `is_secret_name` may accept, as a cheap first filter for "name: value" in text.
_NAME_GATE = (
    r"secret|passw|token|private[-_]?key|credential|api[-_]?key|authorization|access[-_]key"
)

_PATTERNS = tuple(
    re.compile(pattern, flags)
    for pattern, flags in (
        # PEM private keys, across lines; without an END line, to the end of the text.
        (
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----"
            r"(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|.*)",
            re.DOTALL,
        ),
        # JWTs; anchored at the start of a run so a long run is scanned once.
        (r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", 0),
        (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", 0),  # AWS access key ids
        (r"(?<![A-Za-z0-9_-])sk[-_][A-Za-z0-9_-]{16,}", 0),  # sk-... / sk_live_... tokens
        (r"\b[0-9a-fA-F]{40}\b", 0),  # 40-hex keys (Avala's format)
    )
)
_BEARER = re.compile(r"(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
_NAMED_VALUE = re.compile(
    # A name starts a run of name characters; a run over 128 characters is no field name.
    rf"(?<![\w.-])(?=[\w.-]{{0,128}}?(?:{_NAME_GATE}))(?P<name>[\w.-]{{1,128}}+)"
    r"(?P<sep>[\"']?\s*[:=]\s*)"
    r"(?P<value>\"(?:[^\"\\\n]|\\.){0,512}+\"|'[^'\n]{0,512}+'|[^\s\"',;&}<>]+)",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a field, header or query parameter called ``name`` holds a secret."""
    folded = name.lower().replace("-", "_")
    return folded in _SECRET_NAMES or any(part in folded for part in _SECRET_NAME_PARTS)


@functools.lru_cache(maxsize=64)
def _standalone(secret: str) -> re.Pattern[str]:
    """``secret`` where no letter or digit touches it on either side."""
    return re.compile(rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])")


def _hide_value(match: re.Match[str]) -> str:
    name, sep, value = match.group("name", "sep", "value")
    if not is_secret_name(name):
        return match.group(0)
    quote = value[0] if value[0] in "\"'" and len(value) > 1 and value[-1] == value[0] else ""
    return f"{name}{sep}{quote}{REDACTED}{quote}"


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the given secrets, secret-shaped strings and values of secret-named
    fields (``password=...``, ``"token": "..."``) replaced by ``[REDACTED]``."""
    for secret in secrets:
        if not secret or secret not in text:
            continue
        if len(secret) >= MIN_LITERAL_SECRET:
            text = text.replace(secret, REDACTED)
        else:
            text = _standalone(secret).sub(REDACTED, text)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    text = _BEARER.sub(rf"\g<1>{REDACTED}", text)
    return _NAMED_VALUE.sub(_hide_value, text)


def body_secrets(body: Any, depth: int = 0) -> tuple[str, ...]:
    """The values of secret-named fields of a request body (a signup's ``password``, a
    storage config's keys): the server may echo them anywhere in an error, so an error of
    that call is redacted of them too, whatever field they turn up in."""
    if depth > 20 or isinstance(body, str | bytes):
        return ()
    found: list[str] = []
    if isinstance(body, Mapping):
        for key, value in body.items():
            if isinstance(value, str) and value and isinstance(key, str) and is_secret_name(key):
                found.append(value)
            else:
                found.extend(body_secrets(value, depth + 1))
    elif isinstance(body, Sequence):
        for item in body:
            found.extend(body_secrets(item, depth + 1))
    return tuple(found)


def redact_json(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A decoded JSON value redacted: values under secret-named keys wholesale, keys and
    other strings as text; containers deeper than ``MAX_DEPTH`` become ``[TOO DEEP]``."""
    return _redact_value(value, tuple(secrets), 0)


def _redact_value(value: Any, secrets: tuple[str, ...], depth: int) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if not isinstance(value, dict | list):
        return value
    if depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, list):
        return [_redact_value(item, secrets, depth + 1) for item in value]
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = str(key)
        hidden = is_secret_name(name)
        out[redact_text(name, secrets)] = (
            REDACTED if hidden else _redact_value(item, secrets, depth + 1)
        )
    return out


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str] = ()) -> dict[str, str]:
    """Response headers as a caller may see them: secret-named ones wholesale, the rest
    (names too) redacted as text."""
    secrets = tuple(secrets)
    return {
        redact_text(name, secrets): (
            REDACTED if is_secret_name(name) else redact_text(value, secrets)
        )
        for name, value in headers.items()
    }


# Query parameters of presigned URLs that carry the signature or the signer's identity
# (S3 SigV2/SigV4, GCS, Azure SAS, Avala edge grants), beyond the secret-named ones.
_SIGNED_QUERY_NAMES = frozenset(
    {"signature", "sig", "x-amz-signature", "x-goog-signature", "grant", "googleaccessid"}
)


def _hides_query_value(name: str) -> bool:
    folded = name.lower()
    return (
        folded in _SIGNED_QUERY_NAMES
        or "signature" in folded
        or "credential" in folded
        or is_secret_name(name)
    )


def redact_url(url: str) -> str:
    """``url`` as messages, logs and reprs show it: the values of signing query parameters
    (``X-Amz-Signature``, ``X-Amz-Credential``, ``sig``, ``*token*`` ...) and any userinfo
    replaced by ``[REDACTED]``; everything else kept as written, so a URL stays recognisable."""
    head, mark, rest = url.partition("?")
    if "@" in head:  # userinfo: scheme://user:pass@host
        scheme, sep, after = head.partition("://")
        if sep:
            authority, slash, path = after.partition("/")
            if "@" in authority:
                authority = REDACTED + "@" + authority.rpartition("@")[2]
            head = f"{scheme}://{authority}{slash}{path}"
    if not mark:
        return head
    query, hash_mark, fragment = rest.partition("#")
    shown = []
    for pair in query.split("&"):
        name, eq, _ = pair.partition("=")
        shown.append(f"{name}={REDACTED}" if eq and _hides_query_value(name) else pair)
    return f"{head}?{'&'.join(shown)}{hash_mark}{fragment}"
