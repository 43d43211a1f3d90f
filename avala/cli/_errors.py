"""Exit codes, and the one-line, redacted error a failed command prints on stderr."""

from __future__ import annotations

from collections.abc import Iterable

import click

OK = 0
USAGE = 2
AUTH = 3
NOT_FOUND = 4
VALIDATION = 5
SERVER = 6
NETWORK = 7
OTHER = 1
INTERRUPTED = 130

# By class name along the error's MRO, so this module imports nothing of the SDK.
_CODES = {
    "AuthenticationError": AUTH,
    "ForbiddenError": AUTH,
    "NotFoundError": NOT_FOUND,
    "ValidationError": VALIDATION,
    "RateLimitError": SERVER,
    "ServerError": SERVER,
    "ConnectionFailedError": NETWORK,
    "RequestTimeoutError": NETWORK,
}


def exit_code_for(error: BaseException) -> int:
    """The documented exit code of an SDK error; 1 for any other failure (a wait that timed
    out or ended in a failure status, an answer that could not be decoded, a full quota)."""
    for cls in type(error).__mro__:
        if cls.__name__ in _CODES:
            return _CODES[cls.__name__]
    return OTHER


class CommandFailed(click.ClickException):
    """A failure shown as ``error: <what>`` on one line, with its exit code."""

    def __init__(self, message: str, exit_code: int, secrets: Iterable[str] = ()) -> None:
        super().__init__(one_line(message, secrets))
        # click declares exit_code a ClassVar; one class with the code per instance is simpler.
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def from_sdk_error(error: BaseException, secrets: Iterable[str]) -> CommandFailed:
    """``error: NotFoundError: Not found. (HTTP 404)``: the typed error and its message."""
    return CommandFailed(f"{type(error).__name__}: {error}", exit_code_for(error), secrets)


def one_line(message: str, secrets: Iterable[str] = ()) -> str:
    """The message redacted (the SDK's rules plus the key in use) and on a single line."""
    from avala._redact import redact_text

    text = redact_text(message, tuple(s for s in secrets if s))
    for secret in secrets:  # belt and braces: the literal key, however short, never shows
        if secret:
            text = text.replace(secret, "[REDACTED]")
    return " ".join(text.split())
