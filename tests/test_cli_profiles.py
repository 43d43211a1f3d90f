"""The profile file: the tiny TOML writer reads back through tomllib, and saving keeps
other profiles and never leaves the key readable by others."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.cli._profiles import config_path, dump_toml, read_profiles, save_profile

tables = st.dictionaries(
    st.text(min_size=1, max_size=12),
    st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=40), max_size=4),
    max_size=4,
)


@given(tables)
def test_written_toml_reads_back_unchanged(profiles: dict[str, dict[str, str]]) -> None:
    assert tomllib.loads(dump_toml(profiles)) == profiles


def test_the_config_directory_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AVALA_CONFIG_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "avala" / "config.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config_path() == tmp_path / "home" / ".config" / "avala" / "config.toml"
    monkeypatch.setenv("AVALA_CONFIG_DIR", str(tmp_path / "explicit"))
    assert config_path() == tmp_path / "explicit" / "config.toml"


def test_saving_keeps_other_profiles_and_tightens_a_loose_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AVALA_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.toml"
    path.write_text('[old]\napi_key = "k-old"\n')
    path.chmod(0o644)
    save_profile("new", {"api_key": 'k"new\\', "base_url": "https://x.example/api/v1"})
    assert read_profiles(path) == {
        "old": {"api_key": "k-old"},
        "new": {"api_key": 'k"new\\', "base_url": "https://x.example/api/v1"},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary left


def test_an_unreadable_file_is_named_without_its_contents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from avala.cli._profiles import ProfileError

    path = tmp_path / "config.toml"
    path.write_text('[default]\napi_key = "sk-secret-unterminated\n')
    with pytest.raises(ProfileError) as caught:
        read_profiles(path)
    assert str(path) in str(caught.value) and "sk-secret" not in str(caught.value)
