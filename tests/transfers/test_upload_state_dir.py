from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.transfers._state import (
    canonical_base_url,
    destination_key,
    journal_path,
    state_dir,
)

HOME = PurePosixPath("/home/ada")
ORG = "9d7e0a52-1c2b-4f0e-8a3d-2b6c4e8f1a90"


def test_explicit_state_dir_wins_on_every_platform() -> None:
    env = {"XDG_STATE_HOME": "/x", "LOCALAPPDATA": "C:\\L"}
    for platform in ("linux", "darwin"):
        got = state_dir({**env, "AVALA_STATE_DIR": "/srv/state"}, platform, HOME)
        assert got == Path("/srv/state")
    got = state_dir({**env, "AVALA_STATE_DIR": "D:\\state"}, "win32", HOME)
    assert str(got) == "D:\\state"


def test_relative_explicit_state_dir_is_refused() -> None:
    with pytest.raises(ValueError, match="absolute"):
        state_dir({"AVALA_STATE_DIR": "state"}, "linux", HOME)


def test_linux_uses_xdg_state_home_then_local_state() -> None:
    assert state_dir({"XDG_STATE_HOME": "/xdg"}, "linux", HOME) == Path("/xdg/avala")
    assert state_dir({}, "linux", HOME) == Path("/home/ada/.local/state/avala")
    # A relative XDG value is invalid per the spec and ignored.
    assert state_dir({"XDG_STATE_HOME": "rel"}, "linux", HOME) == Path(
        "/home/ada/.local/state/avala"
    )
    assert state_dir({}, "freebsd14", HOME) == Path("/home/ada/.local/state/avala")


def test_macos_and_windows_locations() -> None:
    assert state_dir({}, "darwin", HOME) == Path("/home/ada/Library/Application Support/avala")
    win = state_dir({"LOCALAPPDATA": "C:\\Users\\ada\\AppData\\Local"}, "win32", HOME)
    assert str(win).replace("/", "\\").endswith("AppData\\Local\\avala")
    assert state_dir({}, "win32", HOME) == Path("/home/ada/AppData/Local/avala")


def test_default_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_STATE_DIR", "/tmp/avala-state-test")
    assert state_dir() == Path("/tmp/avala-state-test")


def test_canonical_base_url_spellings() -> None:
    same = [
        "https://api.avala.ai/api/v1",
        "https://API.Avala.ai/api/v1/",
        "HTTPS://api.avala.ai:443/api/v1",
        "https://server.avala.ai/api/v1",
    ]
    assert {canonical_base_url(u) for u in same} == {"https://api.avala.ai/api/v1"}
    assert canonical_base_url("http://127.0.0.1:8080/api/v1/") == "http://127.0.0.1:8080/api/v1"
    assert canonical_base_url("http://[::1]:80/x") == "http://[::1]/x"


def test_destination_key_is_the_same_for_equivalent_spellings() -> None:
    a = destination_key("https://api.avala.ai/api/v1", dataset_name="d", organization_uid=ORG)
    b = destination_key(
        "https://server.avala.ai/api/v1/", dataset_name="d", organization_uid=ORG.upper()
    )
    assert a == b
    assert len(a) == 64 and int(a, 16) >= 0


def test_destination_key_separates_owners_names_and_servers() -> None:
    base = "https://api.avala.ai/api/v1"
    keys = {
        destination_key(base, dataset_name="d", organization_uid=ORG),
        destination_key(base, dataset_name="d", user_uid=ORG),  # same uid, other kind
        destination_key(base, dataset_name="e", organization_uid=ORG),
        destination_key("https://api.dev.avala.ai/api/v1", dataset_name="d", organization_uid=ORG),
    }
    assert len(keys) == 4


@given(st.text(min_size=1), st.text(min_size=1))
def test_no_separator_ambiguity_between_owner_and_name(a: str, b: str) -> None:
    base = "https://api.avala.ai/api/v1"
    k1 = destination_key(base, dataset_name=a + "|" + b, user_uid="u")
    k2 = destination_key(base, dataset_name=b, user_uid="u|" + a)
    assert k1 != k2


def test_exactly_one_owner_is_required() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        destination_key("https://api.avala.ai/api/v1", dataset_name="d")
    with pytest.raises(ValueError, match="exactly one"):
        destination_key(
            "https://api.avala.ai/api/v1", dataset_name="d", organization_uid=ORG, user_uid="u"
        )


def test_destination_key_has_no_api_key_parameter() -> None:
    # Rotating the key keeps progress only if the key cannot enter the name at all.
    import inspect

    params = set(inspect.signature(destination_key).parameters)
    assert params == {"base_url", "dataset_name", "organization_uid", "user_uid"}


def test_journal_path_is_under_the_state_dir() -> None:
    key = destination_key("https://api.avala.ai/api/v1", dataset_name="d", user_uid="u")
    path = journal_path(Path("/s"), key)
    assert path == Path(f"/s/uploads/datasets/{key}.journal")
    with pytest.raises(ValueError):
        journal_path(Path("/s"), "../../etc/passwd")
