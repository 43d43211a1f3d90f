"""The progress display of a wait, on stderr, fed by the ``PollTick`` events of the run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from avala.events import EventHandler


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
