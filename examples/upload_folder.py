"""Upload a folder and create a dataset from it, with a progress line; resumable.

    python examples/upload_folder.py ./captures/run-7 --name run-7 --data-type image
    python examples/upload_folder.py ./captures/run-7 --name run-7 --data-type image --wait

Every file below the folder becomes an item under its path relative to the folder. The
upload is journaled under AVALA_STATE_DIR (or the platform's state directory): run the
same command again after a crash or Ctrl-C and it sends only what is missing.

Reads AVALA_API_KEY (and AVALA_BASE_URL, if set) from the environment. Exit status: 0 when
the dataset was created, 1 when the upload or the creation failed, 2 when the folder
cannot be uploaded (missing, empty, a symlink leaving it, an unreadable file).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from avala import Client, Failure, LocalFileError, Success
from avala.events import BytesSent, Event, FileSkipped, FileStarted, FileStored, RetryScheduled


class Progress:
    """Counts events into one status line (thread-safe: events come from worker threads)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self.files = self.skipped = self.sent = self.retries = 0
        self.total = 0

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, FileStarted):
                self.total += event.size
            elif isinstance(event, BytesSent):
                self.sent += event.count
            elif isinstance(event, FileStored):
                self.files += 1
            elif isinstance(event, FileSkipped):
                self.skipped += 1
            elif isinstance(event, RetryScheduled):
                self.retries += 1
            else:
                return
            self._show()

    def _show(self) -> None:
        line = (
            f"{self.files} stored, {self.skipped} skipped, "
            f"{self.sent / 2**20:.1f}/{self.total / 2**20:.1f} MiB sent"
        )
        if self.retries:
            line += f", {self.retries} retries"
        end = "\r" if self._out.isatty() else "\n"
        print(line, end=end, file=self._out, flush=True)


def main(
    client: Client,
    source: str,
    *,
    name: str,
    slug: str | None = None,
    data_type: str = "image",
    workers: int = 8,
    wait: bool = False,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    progress = Progress(sys.stderr)
    request = client.datasets.create_from_local(
        source=source,
        name=name,
        slug=slug or name,
        data_type=data_type,
        workers=workers,
        wait=wait,
    )
    match client.run(request, on_event=progress):
        case Success(dataset):
            print(f"dataset {dataset.owner_name}/{dataset.slug} ({dataset.uid}): "
                  f"{dataset.item_count} items, status {dataset.status}", file=out)  # fmt: skip
            return 0
        case Failure(LocalFileError() as error):
            print(f"cannot upload {source}: {error}", file=sys.stderr)
            return 2
        case Failure(error):
            print(f"upload failed (run again to resume): {error}", file=sys.stderr)
            return 1
    return 1  # pragma: no cover


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", help="the folder (or one file) to upload")
    parser.add_argument("--name", required=True, help="dataset name (also the upload prefix)")
    parser.add_argument("--slug", help="dataset slug (default: the name)")
    parser.add_argument("--data-type", default="image")
    parser.add_argument("--workers", type=int, default=8, help="transfers at a time")
    parser.add_argument("--wait", action="store_true", help="wait until the dataset is ready")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse(sys.argv[1:])
    with Client() as avala_client:
        sys.exit(
            main(
                avala_client,
                args.source,
                name=args.name,
                slug=args.slug,
                data_type=args.data_type,
                workers=args.workers,
                wait=args.wait,
            )
        )
