"""The ``avala`` logger: DEBUG per request, INFO per retry; ``AVALA_LOG`` turns it on.

Log lines carry method, path, status, elapsed time and retry count, never headers or
bodies, and pass through the redactor with the client's key, so no secret is written.
"""

from __future__ import annotations

import logging
import os
import threading

logger = logging.getLogger("avala")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_configured = False
_lock = threading.Lock()


def configure_from_env() -> None:
    """Attach a stderr handler once when ``AVALA_LOG`` names a level (debug, info, warning)."""
    global _configured
    if _configured:
        return
    with _lock:
        if _configured:
            return
        _configured = True
        level = _LEVELS.get(os.environ.get("AVALA_LOG", "").strip().lower())
        if level is None:
            return
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(level)
