"""Progress displays on stderr, fed by a run's events: a spinner for waits (``PollTick``)
and a bar for uploads and downloads (bytes, rate, ETA, files done and skipped)."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator, Mapping

from avala.events import (
    BytesReceived,
    BytesSent,
    Event,
    EventHandler,
    FileDownloaded,
    FileSkipped,
    FileStarted,
    FileStored,
    PollTick,
    RetryScheduled,
)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def show_progress(quiet: bool) -> bool:
    """Progress is drawn for a person watching: off with ``--quiet`` or when stderr is
    not a terminal (a pipe, a file, a CI log)."""
    return not quiet and stderr_is_terminal()


@contextlib.contextmanager
def wait_display(enabled: bool, what: str) -> Iterator[EventHandler | None]:
    """A spinner with the last status seen, the poll count and the time elapsed; the event
    handler to pass to ``client.run`` (None when the display is off)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    with progress:
        task = progress.add_task(f"waiting for {what}", total=None)

        def on_event(event: object) -> None:
            status = getattr(getattr(event, "value", None), "status", None)
            attempt = getattr(event, "attempt", 0)
            progress.update(task, description=f"{what}: status {status} (poll {attempt})")

        yield on_event


class TransferTally:
    """Counts of a transfer run, fed by its events from any thread (a limited gather calls
    ``on_event`` from worker threads), kept under a lock: bytes moved, the byte total
    known so far, files done and skipped. Pure, so it is tested without a terminal."""

    def __init__(self, planned: Mapping[str, int] | None = None) -> None:
        self._lock = threading.Lock()
        self._planned = dict(planned or {})
        self._moved: dict[str, int] = {}
        self.total: int | None = sum(self._planned.values()) if planned else None
        self.completed = 0
        self.done = 0
        self.skipped = 0
        self.files: int | None = len(self._planned) if planned else None
        self.last_retry: str | None = None

    def feed(self, event: Event) -> None:
        with self._lock:
            self._feed(event)

    def _feed(self, event: Event) -> None:
        if isinstance(event, FileStarted) and event.path not in self._planned:
            self._planned[event.path] = event.size
            self.total = (self.total or 0) + event.size
        elif isinstance(event, BytesSent | BytesReceived):
            self._moved[event.path] = self._moved.get(event.path, 0) + event.count
            self.completed += event.count
        elif isinstance(event, FileStored | FileDownloaded):
            self.done += 1
            self._finish(event.path, event.size)
        elif isinstance(event, FileSkipped):
            self.skipped += 1
            self._finish(event.path, self._planned.get(event.path, 0))
        elif isinstance(event, RetryScheduled):
            self.last_retry = (
                f"retrying {event.what} in {event.delay:.1f}s "
                f"(try {event.attempt + 1}): {event.reason}"
            )

    def _finish(self, path: str, size: int) -> None:
        """A file is done: its bytes count as moved, those an earlier run sent included
        (a resumed file's events cover only this run), so the bar ends full."""
        if path not in self._planned:  # a download: no FileStarted, the size comes now
            self._planned[path] = size
            self.total = (self.total or 0) + size
        self.completed += size - self._moved.get(path, 0)
        self._moved[path] = size

    def snapshot(self) -> tuple[int, int | None, str]:
        """Bytes completed, the byte total (None while unknown) and the files line."""
        with self._lock:
            of = f"/{self.files}" if self.files is not None else ""
            files = f"{self.done + self.skipped}{of} files"
            if self.skipped:
                files += f" ({self.skipped} skipped)"
            return self.completed, self.total, files


@contextlib.contextmanager
def transfer_display(
    enabled: bool, what: str, planned: Mapping[str, int] | None = None
) -> Iterator[EventHandler | None]:
    """A bar of bytes moved with rate and ETA, files done and skipped, and each retry
    printed as a status line above it; the event handler to pass to ``client.run`` (None
    when the display is off)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    tally = TransferTally(planned)
    progress = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[files]}", markup=False),
        console=Console(stderr=True),
    )
    with progress:
        task = progress.add_task(what, total=tally.total, files="")

        def on_event(event: Event) -> None:
            tally.feed(event)
            completed, total, files = tally.snapshot()
            progress.update(task, completed=completed, total=total, files=files)
            if isinstance(event, RetryScheduled) and tally.last_retry:
                progress.console.print(tally.last_retry, markup=False, highlight=False)
            elif isinstance(event, PollTick):  # create-from-local --wait, once stored
                status = getattr(event.value, "status", None)
                progress.update(task, description=f"{what}: status {status}")

        yield on_event
