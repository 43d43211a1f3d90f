"""``avala configure``: check a key with a real call, then save it as a profile."""

from __future__ import annotations

import sys

import click

from avala.cli import _errors
from avala.cli._profiles import DEFAULT_PROFILE, save_profile


@click.command()
@click.option("--profile", default=DEFAULT_PROFILE, show_default=True, help="Profile to write.")
@click.option("--api-key-stdin", is_flag=True, help="Read the key from stdin, not a prompt.")
@click.option(
    "--base-url",
    envvar="AVALA_BASE_URL",
    help="API base URL to store [default: AVALA_BASE_URL, else the SDK's].",
)
def configure(profile: str, api_key_stdin: bool, base_url: str | None) -> None:
    """Check an API key and save it as a profile.

    The key is checked with a real call, then written with the base URL to the
    user config directory (config.toml, mode 0600)."""
    from avala import AvalaError, Client
    from avala.resources.projects import Projects

    if api_key_stdin:
        key = sys.stdin.readline().strip()
    elif not sys.stdin.isatty():  # a prompt on a pipe would echo, or hang in CI
        raise _errors.CommandFailed("stdin is not a terminal: pass --api-key-stdin", _errors.USAGE)
    else:
        key = click.prompt("API key", hide_input=True, err=True).strip()
    if not key:
        raise _errors.CommandFailed("no API key given", _errors.USAGE)
    secrets = (key,)
    try:
        client = Client(api_key=key, base_url=base_url)
    except (ValueError, TypeError) as exc:
        raise _errors.CommandFailed(str(exc), _errors.USAGE, secrets) from None
    with client:
        try:
            client.run_or_raise(Projects().list(limit=1))  # a cheap call the key must pass
        except AvalaError as exc:
            raise _errors.from_sdk_error(exc, secrets) from None
        except KeyboardInterrupt:
            raise _errors.CommandFailed("interrupted", _errors.INTERRUPTED) from None
        values = {"api_key": key, "base_url": client.base_url}
    path = save_profile(profile, values)
    click.echo(f"key checked; saved profile {profile!r} in {path}", err=True)
