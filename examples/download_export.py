"""Wait for an export and download its archive, with a progress line and resume.

    python examples/download_export.py EXPORT_UID annotations.zip

Reads AVALA_API_KEY (and AVALA_BASE_URL, if set) from the environment. The archive is
streamed to a hidden partial file beside the destination and renamed onto it only once
complete; an interrupted transfer resumes where it stopped. Prints the path and size on
stdout; progress and problems go to stderr.

Exit status: 0 when the archive is at the destination, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from avala import Client, Failure, Success
from avala.events import BytesReceived, Event, RetryScheduled


class Progress:
    """Prints the bytes received so far, at most once per MiB, and each retry."""

    def __init__(self) -> None:
        self.received = 0
        self.shown = 0

    def __call__(self, event: Event) -> None:
        if isinstance(event, BytesReceived):
            self.received += event.count
            if self.received - self.shown >= 1024 * 1024:
                self.shown = self.received
                print(f"\r{self.received / 1024 / 1024:.1f} MiB", end="", file=sys.stderr)
        elif isinstance(event, RetryScheduled):
            print(f"\n{event.reason}: retrying in {event.delay:.1f}s", file=sys.stderr)


def main(client: Client, export_uid: str, dest: str, *, interval: float = 2.0) -> int:
    ready = client.exports.wait(export_uid, interval=interval)
    request = ready.bind(lambda export: client.exports.download(export.uid, dest))
    match client.run(request, on_event=Progress()):
        case Success(done):
            print(f"{done.path}\t{done.size}")
            return 0
        case Failure(error):
            print(f"download of export {export_uid} failed: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export_uid")
    parser.add_argument("dest")
    args = parser.parse_args()
    with Client() as client:
        sys.exit(main(client, args.export_uid, args.dest))
