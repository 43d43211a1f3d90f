"""Profiles: named API keys and base URLs in a TOML file only its owner can read.

The file is ``$AVALA_CONFIG_DIR/config.toml``, else ``$XDG_CONFIG_HOME/avala/config.toml``,
else ``~/.config/avala/config.toml``. Each profile is a table of strings. Reading uses
``tomllib``; writing needs only flat string tables, so a few lines do it (no dependency).
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

DEFAULT_PROFILE = "default"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ProfileError(Exception):
    """The config file cannot be read, or names no such profile."""


def config_path() -> Path:
    """Where profiles live, honouring ``AVALA_CONFIG_DIR`` and ``XDG_CONFIG_HOME``."""
    explicit = os.environ.get("AVALA_CONFIG_DIR")
    if explicit:
        return Path(explicit) / "config.toml"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "avala" / "config.toml"


def read_profiles(path: Path) -> dict[str, dict[str, str]]:
    """Every profile in the file (none when it does not exist)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # The message names the file and the problem, never the file's contents.
        raise ProfileError(f"cannot read {path}: {type(exc).__name__}") from None
    return {
        name: {k: v for k, v in table.items() if isinstance(v, str)}
        for name, table in data.items()
        if isinstance(table, dict)
    }


def load_profile(name: str, *, required: bool) -> dict[str, str]:
    """The profile called ``name``; an empty one when it is missing and not ``required``."""
    path = config_path()
    profiles = read_profiles(path)
    if name not in profiles and required:
        raise ProfileError(f"no profile {name!r} in {path}: run `avala configure --profile {name}`")
    return profiles.get(name, {})


def save_profile(name: str, values: Mapping[str, str]) -> Path:
    """Write ``values`` as profile ``name``, keeping the others. The directory is created
    0700 and the file replaced by one created 0600, so the key is never readable by others,
    not even for a moment."""
    path = config_path()
    profiles = read_profiles(path)
    profiles[name] = dict(values)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(dump_toml(profiles))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def dump_toml(tables: Mapping[str, Mapping[str, str]]) -> str:
    """Tables of string values as TOML text that ``tomllib`` reads back unchanged."""
    chunks = []
    for name, table in tables.items():
        lines = [f"[{_key(name)}]"]
        lines += [f"{_key(k)} = {_string(v)}" for k, v in table.items()]
        chunks.append("\n".join(lines) + "\n")
    return "\n".join(chunks)


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
