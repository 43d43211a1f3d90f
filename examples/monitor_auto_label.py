"""Start an auto-label job on a project (or take an existing job's uid) and follow it to
the end with a progress line.

    python examples/monitor_auto_label.py --project PROJECT_UID --model-type yolo --labels car,truck
    python examples/monitor_auto_label.py --job JOB_UID --interval 10

Reads AVALA_API_KEY (and AVALA_BASE_URL, if set) from the environment.

Exit status: 0 when the job completed, 1 when it failed, was cancelled or could not be
started, 2 when it was still running at ``--timeout``, 130 when interrupted (the job goes
on; the uid to resume with is printed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from avala import Client, Failure, Request, Success, WaitTimeoutError, poll
from avala.types import AutoLabelJob

FINISHED = frozenset({"completed", "failed", "cancelled"})
"""Statuses after which a job changes no more."""


def is_finished(job: AutoLabelJob) -> bool:
    return job.status in FINISHED


def describe(job: AutoLabelJob) -> str:
    """One line of progress: status, items processed, and how they went."""
    total = job.total_items
    if job.progress_pct is not None:
        percent = job.progress_pct
    else:
        percent = 100.0 * job.processed_items / total if total else 0.0
    return (
        f"job {job.uid}  {job.status or '?':<9}  {job.processed_items}/{total} items "
        f"{percent:5.1f}%  ok {job.successful_items}  failed {job.failed_items}  "
        f"skipped {job.skipped_items}"
    )


class ProgressLine:
    """Shows each new state of the job: rewritten in place on a terminal, one line per
    change otherwise (logs, pipes). Returns the job, so it can sit inside a ``map``."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        self.last = ""
        self.in_place = self.out.isatty()

    def __call__(self, job: AutoLabelJob) -> AutoLabelJob:
        line = describe(job)
        if line != self.last:
            if self.in_place:
                self.out.write("\r" + line.ljust(len(self.last)))
            else:
                self.out.write(line + "\n")
            self.out.flush()
            self.last = line
        return job

    def end(self) -> None:
        if self.in_place and self.last:
            self.out.write("\n")
            self.out.flush()


def follow(
    client: Client, job_uid: str, progress: ProgressLine, *, interval: float, timeout: float
) -> Request[AutoLabelJob]:
    """One request: read the job every ``interval`` seconds, showing progress, until it
    is finished; a WaitTimeoutError Failure after ``timeout`` seconds."""
    return poll(
        client.auto_label_jobs.get(job_uid).map(progress),
        is_finished,
        interval=interval,
        timeout=timeout,
    )


def main(
    client: Client,
    *,
    project: str | None = None,
    job: str | None = None,
    model_type: str | None = None,
    confidence_threshold: float | None = None,
    labels: Sequence[str] | None = None,
    dry_run: bool = False,
    interval: float = 5.0,
    timeout: float = 3600.0,
) -> int:
    if (project is None) == (job is None):
        raise ValueError("give exactly one of project (to start a job) or job (to follow one)")
    progress = ProgressLine()

    if project is not None:
        start = client.auto_label_jobs.create(
            project,
            model_type=model_type,
            confidence_threshold=confidence_threshold,
            labels=labels,
            dry_run=dry_run or None,
        )
        match client.run(start):
            case Success(created):
                job = created.uid
                print(f"started auto-label job {job} on project {project}")
            case Failure(error):
                print(f"could not start an auto-label job on {project}: {error}", file=sys.stderr)
                return 1

    assert job is not None  # given, or set by the create above
    try:
        result = client.run(follow(client, job, progress, interval=interval, timeout=timeout))
    except KeyboardInterrupt:
        progress.end()
        print(f"stopped watching; the job goes on. Resume with: --job {job}", file=sys.stderr)
        return 130
    progress.end()

    match result:
        case Success(finished) if finished.status == "completed":
            print(
                f"job {finished.uid} completed: {finished.successful_items} labelled, "
                f"{finished.failed_items} failed, {finished.skipped_items} skipped"
            )
            return 0
        case Success(finished):
            reason = f": {finished.error_message}" if finished.error_message else ""
            print(f"job {finished.uid} {finished.status}{reason}", file=sys.stderr)
            return 1
        case Failure(WaitTimeoutError()):
            print(
                f"job {job} still running after {timeout:g} s; resume with --job {job}",
                file=sys.stderr,
            )
            return 2
        case Failure(error):
            print(f"could not follow job {job}: {error}", file=sys.stderr)
            return 1
    return 1  # not reached: run returns Success or Failure


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Start or follow an auto-label job, with a progress line."
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--project", help="start a new job on this project (uid)")
    target.add_argument("--job", help="follow this existing job (uid)")
    parser.add_argument("--model-type", help="model to label with (server default if left out)")
    parser.add_argument("--confidence-threshold", type=float, help="from 0 to 1")
    parser.add_argument("--labels", help="comma-separated labels to apply, e.g. car,truck")
    parser.add_argument("--dry-run", action="store_true", help="run without writing labels")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait at most")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    with Client() as api:
        sys.exit(
            main(
                api,
                project=args.project,
                job=args.job,
                model_type=args.model_type,
                confidence_threshold=args.confidence_threshold,
                labels=args.labels.split(",") if args.labels else None,
                dry_run=args.dry_run,
                interval=args.interval,
                timeout=args.timeout,
            )
        )
