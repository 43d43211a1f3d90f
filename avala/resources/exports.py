"""Exports of a project's or dataset's annotations, and waiting for them to finish."""

from __future__ import annotations

import os
from dataclasses import dataclass

from avala._decode import model, page
from avala._request import Call, Request, fail
from avala.errors import ExportNotReadyError
from avala.resources._base import StatusIn, api, compact, status_wait
from avala.resources._checks import page_query, required_uid
from avala.transfers._values import Downloaded, check_dest, get_object
from avala.types import CursorPage, Export

EXPORT_DONE = frozenset({"exported"})
"""The status ``exports.wait`` waits for."""
EXPORT_FAILED = frozenset({"failed"})
"""Statuses after which an export will never be exported: ``exports.wait`` stops on them."""


@dataclass(frozen=True, slots=True)
class DownloadExport:
    """``bind`` step of ``exports.download``: the export's archive into ``dest``, or a
    typed Failure when the export has nothing to download yet."""

    dest: str

    def __call__(self, export: Export) -> Request[Downloaded]:
        if export.status != "exported" or not export.download_url:
            why = "has no download URL" if export.status == "exported" else "is not exported"
            return fail(
                ExportNotReadyError(
                    f"export {export.uid} {why} (status {export.status!r}); "
                    "wait for it with exports.wait first",
                    export=export,
                )
            )
        return get_object(export.download_url, self.dest, hosts="export")


class Exports:
    """Builds requests for exports; ``client.exports``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Export]]:
        """One page of exports."""
        return api("exports.list", page(Export), query=page_query(limit, cursor))

    def create(self, *, project: str | None = None, dataset: str | None = None) -> Call[Export]:
        """Start an export of a project or a dataset (by uid), or of both. The API needs a
        target, so leaving both out is a ValueError when the request is built."""
        body = compact(
            project=None if project is None else required_uid("project", project),
            dataset=None if dataset is None else required_uid("dataset", dataset),
        )
        if not body:
            raise ValueError(
                "exports.create needs something to export: pass project=<project uid> "
                "or dataset=<dataset uid> (or both)"
            )
        return api("exports.create", model(Export), body=body)

    def get(self, uid: str) -> Call[Export]:
        """One export by uid."""
        return api("exports.get", model(Export), path={"uid": uid})

    def wait(self, uid: str, *, interval: float = 2.0, timeout: float = 300.0) -> Request[Export]:
        """Poll the export until it is ``exported``. A ``failed`` export ends the wait as a
        ``TerminalStatusError`` Failure holding the export; ``timeout`` seconds without either
        is a ``WaitTimeoutError``. Intervals under 0.5 s are raised to it. Each poll emits an
        ``avala.events.PollTick``: pass ``on_event=`` to ``client.run`` to show progress."""
        return status_wait(
            self.get(uid),
            StatusIn(EXPORT_DONE),
            StatusIn(EXPORT_FAILED),
            interval=interval,
            timeout=timeout,
        )

    def download(self, uid: str, dest: str | os.PathLike[str]) -> Request[Downloaded]:
        """Read the export and download its archive into the file ``dest``: streamed to a
        partial file beside it, resumed after an interruption, checked against the
        announced size, then renamed onto ``dest`` (docs/downloading.md). The URL must be
        https on the API's own host or an allow-listed storage host; the API key is never
        sent with it. An export that is not ``exported`` is an ``ExportNotReadyError``."""
        return self.get(uid).bind(DownloadExport(check_dest(dest)))
