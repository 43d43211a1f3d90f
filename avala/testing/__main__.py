"""``python -m avala.testing serve``: FakeAvala as a standalone server, in the foreground.

The first line of stdout is the base URL; the next lines are the environment that points
the SDK and the ``avala`` command at it (``NAME=value``, ready for ``export``). Shell users,
CI jobs and tests in other languages run against it; SIGINT or SIGTERM stops it cleanly.

``--seed FILE`` loads a JSON object of collections to arrays of records, e.g.
``{"projects": [{"name": "Lanes"}], "datasets": [{"slug": "cam"}]}``. Projects, datasets,
tasks and exports get the fake's defaults for the fields left out; any other collection
is stored as given (a uid and timestamps are added when missing).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from avala.testing._server import FakeAvala

SEEDERS = ("projects", "datasets", "tasks", "exports")


class SeedError(Exception):
    """The seed file cannot be read or is not collections of records."""


def load_seed(fake: FakeAvala, path: Path) -> int:
    """Put the file's records in the fake; the number of records loaded."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeedError(f"cannot read seed file {path}: {exc}") from None
    if not isinstance(data, dict) or not all(
        isinstance(records, list) and all(isinstance(r, dict) for r in records)
        for records in data.values()
    ):
        raise SeedError("a seed file is a JSON object of collection names to arrays of objects")
    count = 0
    for collection, records in data.items():
        for record in records:
            seed_record(fake, collection, record)
            count += 1
    return count


def seed_record(fake: FakeAvala, collection: str, record: dict[str, Any]) -> None:
    if collection in SEEDERS:
        getattr(fake, f"add_{collection[:-1]}")(**record)
    else:
        fake.store.insert(collection, record)


def serve(port: int, seed: Path | None, api_key: str | None) -> int:
    """Run until SIGINT or SIGTERM; the exit status."""
    fake = FakeAvala(api_key, port=port)
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        fake.start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        if seed is not None:
            count = load_seed(fake, seed)
            print(f"seeded {count} records from {seed}", file=sys.stderr)
        print(fake.base_url)
        for name, value in fake.env().items():
            print(f"{name}={value}")
        sys.stdout.flush()
        while not stop.wait(0.5):  # a timed wait, so signals are handled promptly everywhere
            pass
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        fake.stop()
    print("stopped", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m avala.testing", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run FakeAvala in the foreground")
    serve_parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    serve_parser.add_argument("--seed", type=Path, help="JSON file of records to load")
    serve_parser.add_argument("--api-key", help="key the server accepts (default: random)")
    args = parser.parse_args(argv)
    return serve(args.port, args.seed, args.api_key)


if __name__ == "__main__":
    sys.exit(main())
