"""Running a generated command: credentials, the client, output and exit codes.

The client is always closed (a ``with`` block), SDK failures become one redacted line and
their documented exit code, and Ctrl-C ends the command with 130.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from avala.cli import _errors
from avala.cli._output import write_many, write_one
from avala.cli._profiles import DEFAULT_PROFILE, ProfileError, load_profile

if TYPE_CHECKING:
    from avala import Client
    from avala.cli._generate import Spec


@dataclass(frozen=True, slots=True)
class Options:
    """The command-line controls every generated command shares."""

    output: str | None
    profile: str | None
    api_key_stdin: bool
    walk: bool = False
    max_items: int | None = None
    quiet: bool = False
    secrets: tuple[str, ...] = ()
    """Values read for secret parameters (a password): removed from every error message."""


@dataclass(frozen=True, slots=True)
class Credentials:
    api_key: str = ""
    base_url: str | None = None
    anonymous: bool = False

    @property
    def secrets(self) -> tuple[str, ...]:
        """What error messages must not show: the key in use, if it is a real one."""
        return () if self.anonymous else (self.api_key,)


def resolve_credentials(
    profile: str | None, key_from_stdin: bool, *, anonymous: bool = False
) -> Credentials:
    """The key from --api-key-stdin, else AVALA_API_KEY, else the profile; the base URL from
    AVALA_BASE_URL, else the profile, else the SDK's default. An anonymous command reads
    no key at all (none is sent), so a missing one is fine."""
    try:
        stored = load_profile(profile or DEFAULT_PROFILE, required=profile is not None)
    except ProfileError as exc:
        raise _errors.CommandFailed(str(exc), _errors.USAGE) from None
    base_url = os.environ.get("AVALA_BASE_URL", "").strip() or stored.get("base_url") or None
    if anonymous:
        return Credentials("", base_url, anonymous=True)
    if key_from_stdin:
        key = sys.stdin.readline().strip()
    else:
        key = os.environ.get("AVALA_API_KEY", "").strip() or stored.get("api_key", "").strip()
    if not key:
        raise _errors.CommandFailed(
            "no API key: run `avala configure`, set AVALA_API_KEY or pass --api-key-stdin",
            _errors.AUTH,
        )
    return Credentials(key, base_url)


@contextlib.contextmanager
def open_client(credentials: Credentials, secrets: tuple[str, ...] = ()) -> Iterator[Client]:
    """A client for these credentials, closed on the way out; SDK errors and Ctrl-C inside
    become the command's one-line error and exit code, redacted of the key and ``secrets``."""
    from avala import AvalaError, Client

    secrets = (*credentials.secrets, *secrets)
    try:
        if credentials.anonymous:
            client = Client(anonymous=True, base_url=credentials.base_url)
        else:
            client = Client(api_key=credentials.api_key, base_url=credentials.base_url)
    except (ValueError, TypeError) as exc:  # the SDK's messages never quote the key
        raise _errors.CommandFailed(str(exc), _errors.USAGE, secrets) from None
    try:
        with client:
            yield client
    except AvalaError as exc:
        raise _errors.from_sdk_error(exc, secrets) from None
    except KeyboardInterrupt:
        raise _errors.CommandFailed("interrupted", _errors.INTERRUPTED) from None


def output_format(chosen: str | None) -> str:
    """The format asked for, else a table for a person at a terminal and JSON for a pipe."""
    if chosen:
        return chosen
    return "table" if sys.stdout.isatty() else "json"


def execute(spec: Spec, request: Any, options: Options) -> None:
    """Send the request and show what it gave."""
    fmt = output_format(options.output)
    out = sys.stdout
    credentials = resolve_credentials(
        options.profile, options.api_key_stdin, anonymous=spec.anonymous
    )
    with open_client(credentials, options.secrets) as client:
        if spec.pageable and options.walk:
            write_many(client.items(request, max_items=options.max_items), fmt, out)
        elif spec.pageable:
            page = client.run_or_raise(request)
            write_many(iter(page.items), fmt, out)
            if page.next_cursor is not None and sys.stderr.isatty():
                click.echo(f"more: --cursor {page.next_cursor}, or --all for every page", err=True)
        elif spec.is_wait:
            from avala.cli._progress import show_progress, wait_display

            show = show_progress(options.quiet)
            with wait_display(show, spec.endpoint_id.split(".")[0]) as on_event:
                write_one(client.run_or_raise(request, on_event=on_event), fmt, out)
        else:
            value = client.run_or_raise(request)
            if isinstance(value, tuple):
                write_many(iter(value), fmt, out)
            else:
                write_one(value, fmt, out)
