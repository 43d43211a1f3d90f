"""Make the account's webhook subscriptions match a JSON file, idempotently.

    python examples/mirror_webhooks.py webhooks.json
    python examples/mirror_webhooks.py webhooks.json --prune --dry-run

The file lists the wanted subscriptions, one per target URL::

    {
      "webhooks": [
        {"target_url": "https://hooks.example.com/avala",
         "events": ["export.completed", "dataset.created"],
         "is_active": true,
         "secret": "optional; used only when the subscription is created"}
      ]
    }

(a bare JSON list of the same objects works too). A subscription is matched to the file
by its ``target_url``. Missing ones are created, ones whose events or ``is_active``
differ are updated, and with ``--prune`` the ones the file does not list are deleted.
Events are compared as sets, so their order in the file does not matter. Running the
script again right after changes nothing.

Reads AVALA_API_KEY (and AVALA_BASE_URL, if set) from the environment. Exit status: 0 when
everything matches (or would, with ``--dry-run``), 1 when a change failed, 2 when the file
is not valid.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from avala import Client, Failure, Request, Success
from avala.types import Webhook

ALLOWED_KEYS = frozenset({"target_url", "events", "is_active", "secret"})


class ConfigError(ValueError):
    """The webhook file is not what this script expects."""


@dataclass(frozen=True)
class Wanted:
    """One subscription as the file describes it."""

    target_url: str
    events: tuple[str, ...]
    is_active: bool = True
    secret: str | None = None


@dataclass(frozen=True)
class Create:
    wanted: Wanted


@dataclass(frozen=True)
class Update:
    current: Webhook
    wanted: Wanted
    changed: tuple[str, ...]  # names of the fields that differ


@dataclass(frozen=True)
class Delete:
    current: Webhook


Change = Create | Update | Delete


def load_config(path: Path) -> list[Wanted]:
    """Read and check the file; a ConfigError says what is wrong and where."""
    try:
        data: Any = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    entries = data.get("webhooks") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ConfigError(f'{path}: expected a list, or an object with a "webhooks" list')
    wanted: list[Wanted] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{path}: webhooks[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected an object")
        unknown = sorted(set(entry) - ALLOWED_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown keys {unknown}")
        url, events = entry.get("target_url"), entry.get("events")
        if not isinstance(url, str) or not url:
            raise ConfigError(f"{where}: target_url must be a non-empty string")
        if url in seen:
            raise ConfigError(f"{where}: {url} is listed twice")
        if not isinstance(events, list) or not events:
            raise ConfigError(f"{where}: events must be a non-empty list")
        if not all(isinstance(event, str) and event for event in events):
            raise ConfigError(f"{where}: every event must be a non-empty string")
        active = entry.get("is_active", True)
        if not isinstance(active, bool):
            raise ConfigError(f"{where}: is_active must be true or false")
        secret = entry.get("secret")
        if secret is not None and not isinstance(secret, str):
            raise ConfigError(f"{where}: secret must be a string")
        seen.add(url)
        wanted.append(Wanted(url, tuple(dict.fromkeys(events)), active, secret))
    return wanted


def match_up(
    wanted: Sequence[Wanted], current: Sequence[Webhook]
) -> tuple[dict[str, Webhook], list[Webhook]]:
    """Pair each listed target URL with the first subscription found for it; the rest
    (unlisted, or a second subscription for the same URL) are extra."""
    by_url: dict[str, Webhook] = {}
    extra: list[Webhook] = []
    for hook in current:
        if hook.target_url in by_url:
            extra.append(hook)
        else:
            by_url[hook.target_url] = hook
    listed = {w.target_url for w in wanted}
    extra.extend(hook for url, hook in by_url.items() if url not in listed)
    return by_url, extra


def plan(wanted: Sequence[Wanted], current: Sequence[Webhook], *, prune: bool) -> list[Change]:
    """The changes that make ``current`` match ``wanted``; empty when they already match.
    Extra subscriptions are deleted only with ``prune``."""
    by_url, extra = match_up(wanted, current)
    changes: list[Change] = []
    for want in wanted:
        hook = by_url.get(want.target_url)
        if hook is None:
            changes.append(Create(want))
            continue
        changed = []
        if set(hook.events) != set(want.events):
            changed.append("events")
        if hook.is_active != want.is_active:
            changed.append("is_active")
        if changed:
            changes.append(Update(hook, want, tuple(changed)))
    if prune:
        changes.extend(Delete(hook) for hook in extra)
    return changes


def request_for(client: Client, change: Change) -> Request[Any]:
    """The API call that carries out one change."""
    match change:
        case Create(want):
            return client.webhooks.create(
                target_url=want.target_url,
                events=list(want.events),
                is_active=want.is_active,
                secret=want.secret,
            )
        case Update(hook, want, _):
            # A PATCH that sets absolute values is safe to repeat: the key lets the client
            # retry it after a dropped connection.
            return client.webhooks.update(
                hook.uid, events=list(want.events), is_active=want.is_active
            ).with_idempotency_key()
        case Delete(hook):
            return client.webhooks.delete(hook.uid)
    raise TypeError(f"not a change: {change!r}")


def describe(change: Change) -> str:
    match change:
        case Create(want):
            return f"create {want.target_url} events={sorted(want.events)}"
        case Update(hook, want, changed):
            details = []
            if "events" in changed:
                details.append(f"events {sorted(hook.events)} -> {sorted(want.events)}")
            if "is_active" in changed:
                details.append(f"is_active {hook.is_active} -> {want.is_active}")
            return f"update {hook.uid} {hook.target_url}: " + ", ".join(details)
        case Delete(hook):
            return f"delete {hook.uid} {hook.target_url}"
    raise TypeError(f"not a change: {change!r}")


def main(client: Client, config: Path | str, *, prune: bool = False, dry_run: bool = False) -> int:
    try:
        wanted = load_config(Path(config))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2

    current: list[Webhook] = []
    for result in client.iterate(client.webhooks.list(limit=100)):
        match result:
            case Success(hook):
                current.append(hook)
            case Failure(error):
                print(f"cannot list webhooks: {error}", file=sys.stderr)
                return 1

    changes = plan(wanted, current, prune=prune)
    if not prune:
        for hook in match_up(wanted, current)[1]:
            print(f"extra: {hook.uid} {hook.target_url} (kept; --prune would delete it)")
    if not changes:
        print(f"nothing to do: {len(wanted)} webhook(s) match {config}")
        return 0

    failed = 0
    for change in changes:
        if dry_run:
            print(f"would {describe(change)}")
            continue
        match client.run(request_for(client, change)):
            case Success(value):
                done = describe(change)
                if isinstance(value, Webhook) and isinstance(change, Create):
                    done += f" -> {value.uid}"
                print(f"done: {done}")
            case Failure(error):
                failed += 1
                print(f"FAILED: {describe(change)}: {error}", file=sys.stderr)
    kinds = [type(change).__name__.lower() for change in changes]
    summary = ", ".join(f"{kinds.count(k)} to {k}" for k in ("create", "update", "delete"))
    print(f"planned: {summary}" if dry_run else f"applied: {summary}; {failed} failed")
    return 1 if failed else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Make webhook subscriptions match a JSON file, idempotently."
    )
    parser.add_argument("config", type=Path, help="JSON file listing the wanted webhooks")
    parser.add_argument(
        "--prune", action="store_true", help="delete subscriptions the file does not list"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    with Client() as api:
        sys.exit(main(api, args.config, prune=args.prune, dry_run=args.dry_run))
