"""Where upload state lives, and which journal belongs to which destination.

Pure path arithmetic: nothing here touches the filesystem (``_local`` does). The journal of
an upload is named by its destination, never by the API key, so rotating the key keeps the
progress, and the same destination reached from another machine has the same key.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path, PurePath
from urllib.parse import urlsplit

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "canonical_base_url",
    "destination_key",
    "journal_path",
    "recording_key",
    "state_dir",
]

DIR_MODE = 0o700
"""State directories: only the owner may list them (file names reveal dataset names)."""
FILE_MODE = 0o600
"""State files: only the owner may read them."""

_KEY_VERSION = 1  # bump if the canonical form changes, so old and new keys never collide
# The API answers on both names; one destination must have one key whichever was used.
_HOST_ALIASES = {"server.avala.ai": "api.avala.ai"}
_DEFAULT_PORTS = {"https": 443, "http": 80}


def state_dir(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    home: PurePath | None = None,
) -> Path:
    """The directory for upload state: ``AVALA_STATE_DIR``, else the platform's user state
    directory (``$XDG_STATE_HOME/avala`` or ``~/.local/state/avala`` on Linux and other
    Unixes, ``~/Library/Application Support/avala`` on macOS, ``%LOCALAPPDATA%\\avala`` on
    Windows). The arguments default to the process's; tests pass their own.

    Raises ValueError for a relative ``AVALA_STATE_DIR``: its meaning would change with
    the working directory, and a resumed run would silently start over.
    """
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    explicit = env.get("AVALA_STATE_DIR", "").strip()
    if explicit:
        if not _is_absolute(explicit, plat):
            raise ValueError(f"AVALA_STATE_DIR must be an absolute path, not {explicit!r}")
        return Path(explicit)
    base = Path(home) if home is not None else Path.home()
    if plat == "win32":
        local = env.get("LOCALAPPDATA", "").strip()
        root = Path(local) if local and _is_absolute(local, plat) else base / "AppData" / "Local"
        return root / "avala"
    if plat == "darwin":
        return base / "Library" / "Application Support" / "avala"
    xdg = env.get("XDG_STATE_HOME", "").strip()
    # The XDG spec says a relative value is invalid and must be ignored.
    if xdg and xdg.startswith("/"):
        return Path(xdg) / "avala"
    return base / ".local" / "state" / "avala"


def _is_absolute(value: str, platform: str) -> bool:
    if platform == "win32":
        from pathlib import PureWindowsPath

        return PureWindowsPath(value).is_absolute()
    return value.startswith("/")


def canonical_base_url(base_url: str) -> str:
    """The base URL as one spelling: lowercase scheme and host, no default port, no
    trailing slash, ``server.avala.ai`` as ``api.avala.ai``."""
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    host = _HOST_ALIASES.get(host, host)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def _canonical_uid(value: str) -> str:
    """A UUID in its lowercase hyphenated form (as the server spells it); other values as
    given, stripped."""
    text = value.strip()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def destination_key(
    base_url: str,
    *,
    dataset_name: str,
    organization_uid: str | None = None,
    user_uid: str | None = None,
) -> str:
    """The hex sha256 naming one upload destination: (canonical base URL, owner, dataset
    name), where the owner is ``"o:<organization uid>"`` or ``"u:<user uid>"`` (the same
    storage roots the server uses, UPLOADS.md §1.10).

    Exactly one of ``organization_uid`` and ``user_uid`` must be given. The API key is
    never part of it, so a rotated key finds the same journal.
    """
    if (organization_uid is None) == (user_uid is None):
        raise ValueError("give exactly one of organization_uid and user_uid")
    if organization_uid is not None:
        owner = "o:" + _canonical_uid(organization_uid)
    else:
        assert user_uid is not None
        owner = "u:" + _canonical_uid(user_uid)
    if not dataset_name:
        raise ValueError("dataset_name must not be empty")
    # JSON of a list: unambiguous whatever characters the parts contain.
    canonical = json.dumps(
        [_KEY_VERSION, canonical_base_url(base_url), owner, dataset_name],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def recording_key(base_url: str, recording_uid: str) -> str:
    """The hex sha256 naming one fleet recording upload: (canonical base URL, recording
    uid). Never the API key, so a rotated key finds the same journal."""
    if not recording_uid:
        raise ValueError("recording_uid must not be empty")
    canonical = json.dumps(
        [
            _KEY_VERSION,
            "fleet-recording",
            canonical_base_url(base_url),
            _canonical_uid(recording_uid),
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def journal_path(directory: PurePath, key: str, kind: str = "datasets") -> Path:
    """The journal file of destination ``key`` (of ``kind``: datasets, recordings) inside
    the state directory."""
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError("key must be a destination_key (64 lowercase hex digits)")
    return Path(directory) / "uploads" / kind / f"{key}.journal"
