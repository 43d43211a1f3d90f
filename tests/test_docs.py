"""Every Python code block in README.md and docs/ runs against FakeAvala.

The one exception: a block fenced as ```` ```python title="avala 0.x" ```` shows code for
the old SDK (on the migration page, beside its replacement) and is not run.
"""

from __future__ import annotations

import inspect
import itertools
import os
import re
from pathlib import Path

import pytest

from avala import AsyncClient, Client
from avala.testing import FakeAvala

ROOT = Path(__file__).resolve().parent.parent
DOC_PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# A fence's info string (after "python"), then the code.
BLOCK = re.compile(r"^```python([^\n]*)\n(.*?)^```", re.S | re.M)
NOT_RUN = 'title="avala 0.x"'
PAGES = [page for page in DOC_PAGES if BLOCK.search(page.read_text())]


def runnable_blocks(text: str) -> list[str]:
    return [code for info, code in BLOCK.findall(text) if NOT_RUN not in info]


def seed_docs_world(fake: FakeAvala) -> None:
    """The objects the documentation refers to by uid."""
    fake.add_project(uid="prj-lanes", name="Highway lanes")
    fake.add_dataset(
        uid="ds-front-camera",
        name="Front camera",
        slug="front-camera",
        owner_name="acme",
        item_count=1200,
    )
    fake.add_dataset(uid="ds-lidar-top", name="Top lidar", item_count=300)
    fake.store.insert("datasets_sequences", {"uid": "seq-0001", "dataset_uid": "ds-front-camera"})
    fake.add_export(uid="exp-lanes", status="processing", project="prj-lanes")
    fake.store.insert("fleet_devices", {"uid": "dev-robot-7", "name": "Robot 7"})
    fake.store.insert(
        "fleet_recordings", {"uid": "rec-0001", "device": "dev-robot-7", "status": "pending"}
    )
    fake.store.insert(
        "fleet_recordings",
        {"uid": "7b0e3a52-58c4-4c1d-9a7e-2f1d6b0c9e11", "device": "dev-robot-7", "status": "ready"},
    )
    fake.publish_revision(
        "acme", "warehouse-nav", {f"frames/{n:03d}.bin": bytes([n]) * 2048 for n in range(3)}
    )
    for i in range(5):
        fake.add_task(
            project="prj-lanes", name=f"lane-{i}", status="completed" if i % 2 else "pending"
        )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(
    page: Path, fake: FakeAvala, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocks = runnable_blocks(page.read_text())
    seed_docs_world(fake)
    monkeypatch.setenv("AVALA_STATE_DIR", str(tmp_path / "state"))  # upload journals
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)  # running our own documentation is the point
    assert os.environ["AVALA_BASE_URL"] == fake.base_url


# `client.<endpoint id>`, or `avala.signup` for the one module-level call.
TABLE_ROW = re.compile(r"^\| `(?:client\.)?([\w.]+)` \| (\w+) \| `([^`]+)` \|", re.M)


def test_reference_tables_match_the_endpoint_table() -> None:
    from avala.resources._endpoints import ENDPOINTS

    rows = {}
    for page in sorted((ROOT / "docs" / "reference" / "resources").glob("*.md")):
        for endpoint_id, method, path in TABLE_ROW.findall(page.read_text()):
            rows[endpoint_id] = (method, path)
    assert rows == {k: (v.method, v.path) for k, v in ENDPOINTS.items()}


def test_only_the_migration_page_shows_code_that_is_not_run() -> None:
    skipping = {p.name for p in DOC_PAGES if NOT_RUN in p.read_text()}
    assert skipping == {"migration.md"}
    # and each old-SDK block there is followed by the code that replaces it, which runs
    infos = [info for info, _ in BLOCK.findall((ROOT / "docs" / "migration.md").read_text())]
    for before, after in itertools.pairwise(infos):
        assert not (NOT_RUN in before and NOT_RUN in after)
    assert NOT_RUN not in infos[-1]


PARAMETER_ROW = re.compile(r"^\| `(\w+)`[^|]*\|", re.M)


def test_the_client_page_lists_every_constructor_argument() -> None:
    text = (ROOT / "docs" / "client.md").read_text()
    section = text.split("## Initialization", 1)[1].split("\n## ", 1)[0]
    listed = set(PARAMETER_ROW.findall(section)) - {"parameter"}
    arguments = {
        name for cls in (Client, AsyncClient) for name in inspect.signature(cls).parameters
    }
    assert listed == arguments


PIP_INSTALL = re.compile(r"pip install ([^`\n#]+)")


def test_every_page_installs_the_sdk_the_same_way() -> None:
    """From a checkout: the name avala on PyPI is the older SDK this one replaces."""
    commands = {
        command.strip() for page in DOC_PAGES for command in PIP_INSTALL.findall(page.read_text())
    }
    assert "." in commands, "no page shows how to install"
    assert commands <= {".", '".[testing]"', '".[cli]"', "-e ."}, commands
