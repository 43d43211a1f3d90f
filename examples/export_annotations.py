"""Export a project's (or a dataset's) annotations and print the download URL.

    python examples/export_annotations.py --project PROJECT_UID
    python examples/export_annotations.py --dataset DATASET_UID --timeout 1800

Reads AVALA_API_KEY (and AVALA_BASE_URL, if set) from the environment. Only the URL is
printed on stdout, so ``url=$(python examples/export_annotations.py --project ...)`` works;
progress and problems go to stderr.

Exit status: 0 when the export is ready, 1 when it failed or could not be started, 2 when
it was still running at ``--timeout`` (its uid is printed, to check on it later).
"""

from __future__ import annotations

import argparse
import sys

from avala import (
    Client,
    Failure,
    NotFoundError,
    Request,
    Success,
    TerminalStatusError,
    ValidationError,
    WaitTimeoutError,
)
from avala.types import Export


def _announce(export: Export) -> Export:
    print(f"export {export.uid} started ({export.status})", file=sys.stderr)
    return export


def export_and_wait(
    client: Client,
    *,
    project: str | None = None,
    dataset: str | None = None,
    interval: float = 5.0,
    timeout: float = 900.0,
) -> Request[Export]:
    """One request: start the export, then poll it until it is exported (a failed export
    is a ``TerminalStatusError`` Failure).

    The create call carries an idempotency key, so if the connection drops after the
    server created the export, the client may send it again without making a second one.
    """
    create = client.exports.create(project=project, dataset=dataset).with_idempotency_key()
    return create.map(_announce).bind(
        lambda export: client.exports.wait(export.uid, interval=interval, timeout=timeout)
    )


def main(
    client: Client,
    *,
    project: str | None = None,
    dataset: str | None = None,
    interval: float = 5.0,
    timeout: float = 900.0,
) -> int:
    if (project is None) == (dataset is None):
        raise ValueError("give exactly one of project or dataset")
    what = f"project {project}" if project is not None else f"dataset {dataset}"
    request = export_and_wait(
        client, project=project, dataset=dataset, interval=interval, timeout=timeout
    )
    match client.run(request):
        case Success(export) if export.status == "exported" and export.download_url:
            print(export.download_url)
            return 0
        case Success(export) | Failure(TerminalStatusError(value=export)):
            print(f"export {export.uid} of {what} ended as {export.status!r}", file=sys.stderr)
            return 1
        case Failure(WaitTimeoutError(last=last)):
            print(
                f"export {last.uid} of {what} is still {last.status!r} after {timeout:g} s; "
                "check on it later with client.exports.get",
                file=sys.stderr,
            )
            return 2
        case Failure(NotFoundError() | ValidationError() as error):
            print(f"cannot export {what}: {error}", file=sys.stderr)
            return 1
        case Failure(error):
            print(f"export of {what} failed: {error}", file=sys.stderr)
            return 1
    return 1  # not reached: run returns Success or Failure


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--project", help="uid of the project to export")
    target.add_argument("--dataset", help="uid of the dataset to export")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait at most")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    with Client() as api:
        sys.exit(
            main(
                api,
                project=args.project,
                dataset=args.dataset,
                interval=args.interval,
                timeout=args.timeout,
            )
        )
