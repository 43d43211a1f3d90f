"""What an ``OSError`` of ``avala.transfers._local`` becomes: one typed ``LocalFileError``
naming the path, with a ``reason`` a caller can branch on."""

from __future__ import annotations

import errno

from avala.errors import LocalFileError
from avala.transfers import _local

__all__ = ["local_error"]

# Most specific first: the refusals are OSErrors too.
_REASONS: tuple[tuple[type[OSError], str], ...] = (
    (_local.EmptySourceError, "empty_source"),
    (_local.DuplicatePathError, "duplicate_path"),
    (_local.SymlinkRefusedError, "symlink_refused"),
    (_local.NotRegularFileError, "not_a_regular_file"),
    (_local.FileTooLargeError, "too_large"),
    (_local.InvalidFileNameError, "invalid_name"),
    (_local.StateDirError, "state_dir"),
    (_local.JournalCorruptError, "journal_corrupt"),
    (_local.LimitExceededError, "limit_exceeded"),
    (_local.FileChangedError, "changed"),
    (FileNotFoundError, "not_found"),
    (PermissionError, "permission_denied"),
    (IsADirectoryError, "is_a_directory"),
    (NotADirectoryError, "not_a_directory"),
)


def local_error(error: OSError) -> LocalFileError:
    """``error`` as a ``LocalFileError``: its message names the path (when the OS gave
    one), and ``reason`` says which kind of failure it was."""
    reason = next((name for kind, name in _REASONS if isinstance(error, kind)), "os_error")
    if reason == "os_error" and error.errno == errno.ELOOP:
        reason = "symlink_refused"
    path = error.filename if isinstance(error.filename, str) else ""
    if isinstance(error, _local.LocalRefusal):
        detail = error.message
    else:
        detail = error.strerror or str(error)
    message = f"{detail}: {path}" if path else detail
    return LocalFileError(message, path=path, reason=reason)
