"""The transfer workflows as commands: ``datasets upload-files``, ``datasets
create-from-local``, ``fleet uploads upload-recording``, ``fleet uploads
upload-managed-recording``, ``exports download`` and ``download``.

They are hand-written (the workflows are not rows of the endpoint table) but each is a
thin call of its builder: the value the builder returns is run with a progress bar fed
by the run's events, and printed like any command's. Ctrl-C closes the client, which
ends the run's transfers, and exits with 130; the upload journal makes a rerun of the
same command send only what is missing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

import click

from avala.cli import _errors
from avala.cli._catalog import WORKFLOWS

RESUME_HINT = "interrupted; run the same command again to resume"


def _common(*, anonymous: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options every transfer command shares: output, profile, key and --quiet."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        from avala.cli._output import FORMATS

        function = click.option("--quiet", "cli_quiet", is_flag=True, help="No progress display.")(
            function
        )
        if not anonymous:
            function = click.option(
                "--api-key-stdin",
                "cli_api_key_stdin",
                is_flag=True,
                help="Read the API key from the first line of stdin.",
            )(function)
        function = click.option(
            "--profile", "cli_profile", help="Profile to use [default: default]."
        )(function)
        return click.option(
            "-o",
            "--output",
            "cli_output",
            type=click.Choice(FORMATS),
            help="Output format [default: table on a terminal, else json].",
        )(function)

    return decorate


def _build(factory: Callable[[], Any]) -> Any:
    """The request value, or a usage error with what the builder refused."""
    try:
        return factory()
    except (ValueError, TypeError) as exc:
        raise click.UsageError(_errors.one_line(str(exc))) from None


def run_transfer(
    request: Any,
    given: Mapping[str, Any],
    what: str,
    *,
    planned: Mapping[str, int] | None = None,
    anonymous: bool = False,
) -> None:
    """Run a transfer with its progress bar (on a terminal, unless ``--quiet``) and print
    its value. Ctrl-C is one line and exit code 130; the client is closed either way."""
    from avala.cli._output import write_one
    from avala.cli._progress import show_progress, transfer_display
    from avala.cli._runtime import open_client, output_format, resolve_credentials

    fmt = output_format(given["cli_output"])
    credentials = resolve_credentials(
        given["cli_profile"], bool(given.get("cli_api_key_stdin")), anonymous=anonymous
    )
    show = show_progress(bool(given["cli_quiet"]))
    with open_client(credentials) as client:
        try:
            with transfer_display(show, what, planned) as on_event:
                value = client.run_or_raise(request, on_event=on_event)
        except KeyboardInterrupt:
            raise _errors.CommandFailed(RESUME_HINT, _errors.INTERRUPTED) from None
        write_one(value, fmt, sys.stdout)


def _sizes(paths: tuple[str, ...]) -> dict[str, int]:
    """The planned byte total of each file that can be read now (a missing one is the
    SDK's ``LocalFileError`` when the run starts), keyed as the upload's events are."""
    sizes: dict[str, int] = {}
    for path in paths:
        try:
            sizes[os.path.abspath(path)] = os.stat(path).st_size
        except OSError:
            continue
    return sizes


@click.command("upload-files")
@click.argument("dataset_name")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--workers", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--organization-uid", help="Upload into this organization's storage.")
@click.option("--no-resume", is_flag=True, help="Start a fresh batch, ignoring the journal.")
@_common()
def upload_files(
    dataset_name: str,
    paths: tuple[str, ...],
    workers: int,
    organization_uid: str | None,
    no_resume: bool,
    **given: Any,
) -> None:
    """Upload local files into a dataset's storage, resumably.

    Each PATH is stored under its file name in the dataset (two files of one name are
    refused). A directory is refused: upload a tree with `datasets create-from-local`.
    Rerunning the same command after an interruption sends only what is missing.
    """
    for path in paths:
        if os.path.isdir(path):
            raise click.UsageError(
                f"{path} is a directory: upload a tree with `avala datasets create-from-local`"
            )
    from avala.resources.datasets import Datasets

    request = _build(
        lambda: Datasets().upload_files(
            dataset_name=dataset_name,
            files=[(path, os.path.basename(path)) for path in paths],
            workers=workers,
            organization_uid=organization_uid,
            resume=not no_resume,
        )
    )
    run_transfer(request, given, f"uploading to {dataset_name}", planned=_sizes(paths))


@click.command("create-from-local")
@click.argument("source", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--name", required=True, help="The dataset's name (also its storage folder).")
@click.option("--slug", required=True, help="The dataset's slug.")
@click.option("--data-type", required=True, help="image, video, lidar, mcap, ...")
@click.option("--visibility", default="private", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--wait", is_flag=True, help="Then wait until the dataset is ready.")
@click.option("--no-resume", is_flag=True, help="Start a fresh batch, ignoring the journal.")
@click.option("--no-check-quota", is_flag=True, help="Skip the storage quota check.")
@click.option("--organization-uid", help="Create it in this organization.")
@_common()
def create_from_local(
    source: str,
    name: str,
    slug: str,
    data_type: str,
    visibility: str,
    workers: int,
    wait: bool,
    no_resume: bool,
    no_check_quota: bool,
    organization_uid: str | None,
    **given: Any,
) -> None:
    """Upload a file or directory tree and create a dataset from it.

    Paths in the dataset are relative to SOURCE. The dataset is created once every byte
    is stored; rerunning the same command after an interruption sends only what is
    missing, and after success prints the same dataset.
    """
    from avala.resources.datasets import Datasets

    request = _build(
        lambda: Datasets().create_from_local(
            source=source,
            name=name,
            slug=slug,
            data_type=data_type,
            visibility=visibility,
            workers=workers,
            wait=wait,
            resume=not no_resume,
            check_quota=not no_check_quota,
            organization_uid=organization_uid,
        )
    )
    run_transfer(request, given, f"uploading {name}")


@click.command("upload-recording")
@click.argument("recording_uid")
@click.argument("source_dir")
@click.option("--storage-config-uid", help="Store the files with this storage configuration.")
@click.option("--workers", type=click.IntRange(min=1), default=4, show_default=True)
@_common()
def upload_recording(
    recording_uid: str,
    source_dir: str,
    storage_config_uid: str | None,
    workers: int,
    **given: Any,
) -> None:
    """Upload a directory as a fleet recording's files, resumably, and finalize it.

    Paths in the recording are relative to SOURCE_DIR. Rerunning the same command after
    an interruption sends only the files not yet confirmed; the printed status
    `completing` means processing is queued, not that the recording is ready.
    """
    from avala.resources.fleet import Uploads

    request = _build(
        lambda: Uploads().upload_recording(
            recording_uid,
            source_dir,
            storage_config_uid=storage_config_uid,
            max_workers=workers,
        )
    )
    run_transfer(request, given, f"uploading recording {recording_uid}")


@click.command("upload-managed-recording")
@click.argument("recording_uid")
@click.argument("source_dir")
@click.option("--workers", type=click.IntRange(1, 4), default=2, show_default=True)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(0, 3600),
    default=0,
    show_default=True,
    help="Seconds to wait for the finalization to end (0: do not wait).",
)
@_common()
def upload_managed_recording(
    recording_uid: str, source_dir: str, workers: int, wait_timeout: float, **given: Any
) -> None:
    """Upload a directory of MCAP files as a recording's managed upload, resumably.

    RECORDING_UID is the recording's UUID. Every part goes to a checked, short-lived
    grant; rerunning the same command after an interruption sends only the parts the
    server does not hold. The printed report's `status.finalization` says whether the
    recording was published (still pending if --wait-timeout ran out).
    """
    from avala.resources.fleet import Uploads

    request = _build(
        lambda: Uploads().upload_managed_recording(
            recording_uid, source_dir, max_workers=workers, wait_timeout=wait_timeout
        )
    )
    run_transfer(request, given, f"uploading recording {recording_uid}")


@click.command("download")
@click.argument("uid")
@click.argument("dest")
@_common()
def export_download(uid: str, dest: str, **given: Any) -> None:
    """Download an export's archive into the file DEST, resumably.

    The export must be exported (`avala exports wait UID` first). An interrupted download
    resumes from its partial file beside DEST when run again.
    """
    from avala.resources.exports import Exports

    request = _build(lambda: Exports().download(uid, dest))
    run_transfer(request, given, f"export {uid}")


@click.command("download")
@click.argument("url")
@click.argument("dest")
@click.option("--size", type=click.IntRange(min=0), help="Expected size in bytes (checked).")
@click.option("--sha256", help="Expected SHA-256 hex digest (checked).")
@_common(anonymous=True)
def download(url: str, dest: str, size: int | None, sha256: str | None, **given: Any) -> None:
    """Download a presigned object URL into the file DEST, resumably.

    The API key is never sent with the URL (none is needed). The bytes are checked
    against --size and --sha256 when given before DEST is written.
    """
    from avala.transfers._values import download as download_request

    request = _build(lambda: download_request(url, dest, size=size, sha256=sha256))
    planned = {dest: size} if size is not None else None
    run_transfer(request, given, "downloading", planned=planned, anonymous=True)


_COMMANDS: dict[str, click.Command] = {
    "datasets.upload_files": upload_files,
    "datasets.create_from_local": create_from_local,
    "fleet.uploads.upload_recording": upload_recording,
    "fleet.uploads.upload_managed_recording": upload_managed_recording,
    "exports.download": export_download,
    "avala.download": download,
}


def workflow_command(workflow_id: str) -> click.Command:
    """The command of a workflow the catalogue lists."""
    assert set(_COMMANDS) == set(WORKFLOWS)
    return _COMMANDS[workflow_id]
