"""``import avala`` loads only what a first call needs; every public name still imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import avala
from avala import resources, types

LOADED_LATER = [
    "asyncio",  # AsyncClient
    "concurrent.futures",
    "avala.testing",
    "cattrs",  # the converter, on the first decode
    "avala.resources.fleet",  # a resource module, on first use of its property
    "avala.types.dataset",  # its models
]


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(done.stdout.split())


def test_import_avala_leaves_the_rarely_used_parts_unloaded() -> None:
    loaded = modules_after("import avala")
    assert "requests" in loaded and "avala._client" in loaded
    assert [m for m in LOADED_LATER if m in loaded] == []


def test_first_use_loads_what_it_needs() -> None:
    loaded = modules_after(
        "from avala import AsyncClient, Client\n"
        "c = Client('k', base_url='https://api.example.com/api/v1')\n"
        "c.fleet.devices.list()\n"
        "from avala._decode import model\n"
        "from avala.types import Dataset\n"
        'assert model(Dataset).read(b\'{"uid": "d", "name": "n", "slug": "s"}\').unwrap()'
    )
    assert [m for m in LOADED_LATER if m != "avala.testing" and m not in loaded] == []


@pytest.mark.parametrize("package", [avala, types, resources], ids=lambda p: p.__name__)
def test_every_public_name_imports(package: object) -> None:
    names: list[str] = package.__all__  # type: ignore[attr-defined]
    for name in names:
        value = getattr(package, name)
        assert value is not None
        namespace: dict[str, object] = {}
        exec(f"from {package.__name__} import {name}", namespace)
        assert namespace[name] is value


def test_an_unknown_name_is_an_attribute_error() -> None:
    for package in (avala, types, resources):
        with pytest.raises(AttributeError, match="NoSuchThing"):
            getattr(package, "NoSuchThing")  # noqa: B009
    with pytest.raises(ImportError):
        exec("from avala.types import NoSuchThing", {})
