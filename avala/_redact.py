"""Redaction of secrets a server may echo back, applied to every error message and body."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[REDACTED]"

# Keys whose values are secrets whatever they look like.
_SECRET_KEYS = frozenset(
    {
        "api_key",
        "apikey",
        "x-avala-api-key",
        "authorization",
        "password",
        "secret",
        "client_secret",
        "secret_key",
        "access_key",
        "private_key",
        "token",
        "access_token",
        "refresh_token",
        "session_token",
    }
)

_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
        r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",  # JWT
        r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",  # AWS access key ids
        r"\bsk[-_][A-Za-z0-9_-]{16,}",  # sk-... / sk_live_... style tokens
        r"\b[0-9a-fA-F]{40}\b",  # 40-hex keys (Avala's format)
        r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]{8,}",
        r"(?i)(?<=x-avala-api-key)[\"']?\s*[:=]\s*[\"']?[^\s\"',;}]+",
        r"(?i)(?<=aws_secret_access_key)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+=]{40}",
    )
)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace known secrets and secret-shaped substrings in ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redact_json(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Redact a decoded JSON value: secret-named keys wholesale, other strings by pattern."""
    secrets = tuple(secrets)
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {
            k: (REDACTED if str(k).lower() in _SECRET_KEYS else redact_json(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v, secrets) for v in value]
    return value
