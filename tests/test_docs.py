"""Every Python code block in README.md and docs/ runs against FakeAvala."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from avala.testing import FakeAvala

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
PAGES = [
    page
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    if BLOCK.search(page.read_text())
]


def seed_docs_world(fake: FakeAvala) -> None:
    """The objects the documentation refers to by uid."""
    fake.add_project(uid="prj-lanes", name="Highway lanes")
    fake.add_dataset(uid="ds-front-camera", name="Front camera", item_count=1200)
    fake.add_dataset(uid="ds-lidar-top", name="Top lidar", item_count=300)
    for i in range(5):
        fake.add_task(
            project="prj-lanes", name=f"lane-{i}", status="completed" if i % 2 else "pending"
        )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page: Path, fake: FakeAvala, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = BLOCK.findall(page.read_text())
    seed_docs_world(fake)
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)  # running our own documentation is the point
    assert os.environ["AVALA_BASE_URL"] == fake.base_url


TABLE_ROW = re.compile(r"^\| `client\.([\w.]+)` \| (\w+) \| `([^`]+)` \|", re.M)


def test_reference_tables_match_the_endpoint_table() -> None:
    from avala.resources._endpoints import ENDPOINTS

    rows = {}
    for page in sorted((ROOT / "docs" / "reference" / "resources").glob("*.md")):
        for endpoint_id, method, path in TABLE_ROW.findall(page.read_text()):
            rows[endpoint_id] = (method, path)
    assert rows == {k: (v.method, v.path) for k, v in ENDPOINTS.items()}
