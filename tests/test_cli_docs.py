"""The `avala` commands shown in ```sh blocks of the docs run, against a seeded FakeAvala.

Every line of a ```sh block that starts with `avala ` is run in-process and must exit 0;
examples that need a shell (pipes, files, prompts) are in ```text blocks and not run.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from avala.cli import cli
from avala.testing import FakeAvala

ROOT = Path(__file__).resolve().parent.parent
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
PAGES = [ROOT / "README.md", ROOT / "docs" / "cli.md"]
COMMANDS = [
    (page.name, line)
    for page in PAGES
    for block in SH_BLOCK.findall(page.read_text())
    for line in block.splitlines()
    if line.startswith("avala ")
]


def test_the_cli_page_shows_commands_that_run() -> None:
    assert len([c for c in COMMANDS if c[0] == "cli.md"]) >= 6


@pytest.mark.parametrize(("page", "line"), COMMANDS)
def test_documented_command_runs(fake: FakeAvala, tmp_path: Path, page: str, line: str) -> None:
    fake.add_project(uid="prj-lanes", name="Highway lanes")
    fake.add_project(uid="prj-signs", name="Road signs")
    fake.add_dataset(uid="ds-lidar-top", name="Top lidar", status="created")
    fake.add_dataset(uid="ds-front-camera", name="Front camera", slug="front-camera")
    words = shlex.split(line)[1:]
    env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, words, env=env)
    assert result.exit_code == 0, (line, result.output)
