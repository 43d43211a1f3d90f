"""The installed package, seen as a user's editor sees it: from outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

USER_SCRIPT = """\
from avala import Client

with Client(api_key="user-key") as client:
    request = client.projects.get("prj-1")
    reveal_type(request)
    client.projects.get(42)
"""


def run_outside(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the venv's Python in an empty directory, with no path help from the environment,
    so only what is installed can be found (not ./avala by the working directory)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run(
        [sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_installed_package_is_this_checkout(tmp_path: Path) -> None:
    found = run_outside(tmp_path, "-c", "import avala; print(avala.__file__)")
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).resolve().is_relative_to(ROOT), (
        f"the venv imports {found.stdout.strip()}; install this checkout: make, or pip install -e ."
    )


def test_mypy_resolves_the_installed_package_from_outside_the_checkout(tmp_path: Path) -> None:
    (tmp_path / "script.py").write_text(USER_SCRIPT)
    checked = run_outside(
        tmp_path, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "script.py"
    )
    report = checked.stdout + checked.stderr
    assert "import-not-found" not in report and "import-untyped" not in report, report
    # Real types, not Any: the revealed type names the request and its model...
    assert 'Revealed type is "avala._request.Call[avala.types.project.Project]"' in report, report
    # ...and a wrong argument is caught at the line that passes it.
    assert 'script.py:6: error: Argument 1 to "get" of "Projects"' in report, report
    assert checked.returncode == 1 and "Found 1 error in 1 file" in report, report
