"""Upload a folder of MCAP files as a fleet recording (the managed protocol), wait until
it is published, and print where it went; resumable.

    python examples/upload_recording.py 7b0e3a52-58c4-4c1d-9a7e-2f1d6b0c9e11 ./drive-42
    python examples/upload_recording.py RECORDING_UUID ./drive-42 --workers 4 --wait 600

Every *.mcap file below the folder is uploaded in 64 MiB parts to short-lived, checked
grants. The run is journaled under AVALA_STATE_DIR (or the platform's state directory):
after a crash or Ctrl-C, the same command sends only the parts the server lacks.

Reads AVALA_API_KEY (and AVALA_BASE_URL, if set) from the environment. Exit status: 0 when
the recording was published (or, with --wait 0, finalized), 1 when the upload failed or
the server refused the content, 2 when the folder cannot be uploaded, 3 when --wait ran
out before the publication ended.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from avala import Client, Failure, LocalFileError, PartTransferError, Success


def main(
    client: Client,
    recording_uid: str,
    source: str,
    *,
    workers: int = 2,
    wait: float = 300,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    request = client.fleet.uploads.upload_managed_recording(
        recording_uid, source, max_workers=workers, wait_timeout=wait
    )
    match client.run(request):
        case Success(report):
            finalization = report.status.finalization
            state = finalization.state if finalization is not None else "none"
            sent, held = report.parts_sent, report.parts_skipped
            line = f"{sent} parts sent, {held} already stored, finalization {state}"
            print(f"recording {report.recording_uid}: {line}", file=out)
            if finalization is not None and finalization.state == "succeeded":
                print(f"published as dataset {finalization.dataset_uid}", file=out)
                return 0
            return 0 if wait == 0 else 3
        case Failure(LocalFileError() as error):
            print(f"cannot upload {source}: {error}", file=sys.stderr)
            return 2
        case Failure(PartTransferError() as error):
            where = f"{error.path} part {error.part_number}"
            print(f"{where} failed (run again to resume): {error.cause}", file=sys.stderr)
            return 1
        case Failure(error):
            print(f"upload failed: {error}", file=sys.stderr)
            return 1
    return 1  # pragma: no cover


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recording_uid", help="the recording's UUID (lower case)")
    parser.add_argument("source", help="the folder of *.mcap files")
    parser.add_argument("--workers", type=int, default=2, help="parts in flight (1 to 4)")
    parser.add_argument("--wait", type=float, default=300, help="seconds to wait (0: do not)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse(sys.argv[1:])
    with Client() as avala_client:
        code = main(
            avala_client, args.recording_uid, args.source, workers=args.workers, wait=args.wait
        )
    sys.exit(code)
