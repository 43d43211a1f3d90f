"""Pure parts of a download: where its partial file lives.

The partial file sits beside the destination (same directory, so the final rename is
atomic) under a hidden name. With a known sha256 the name carries the digest's first 16
hex digits, so a later run can resume what an interrupted one left (the final sha256
check guards the result) and a partial file of another object is never resumed. Without
one, every run starts the partial file afresh: its bytes cannot be checked.
"""

from __future__ import annotations

import os

__all__ = ["PARTIAL_SUFFIX", "partial_path"]

PARTIAL_SUFFIX = ".avala-partial"


def partial_path(dest: str, sha256: str | None) -> str:
    """The partial file of a download to ``dest`` (of the object with ``sha256``)."""
    folder, name = os.path.split(dest)
    tag = f".{sha256[:16]}" if sha256 else ""
    return os.path.join(folder, f".{name}{tag}{PARTIAL_SUFFIX}")
