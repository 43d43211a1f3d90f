"""``Stamp``: what identifies one version of a local file's content, cheaply."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Stamp"]


@dataclass(frozen=True, slots=True, order=True)
class Stamp:
    """A file's size and modification time in nanoseconds.

    Deliberately not the inode or ctime: those change when a tree is copied to another
    machine or filesystem (or restored from a backup), so a stamp holding them would make
    resume work only where it started. Size and mtime survive ``cp -p``, ``rsync -t`` and
    archive round-trips; an edit that keeps both is the accepted blind spot of every
    stat-based sync tool. The transport re-checks the stamp while sending, so a change
    mid-transfer never yields a silently corrupt object.
    """

    size: int
    mtime_ns: int

    def __post_init__(self) -> None:
        if type(self.size) is not int or self.size < 0:
            raise ValueError(f"size must be an int >= 0, not {self.size!r}")
        if type(self.mtime_ns) is not int:
            raise ValueError(f"mtime_ns must be an int, not {self.mtime_ns!r}")
