"""pytest fixtures for code that uses avala: ``-p avala.testing.pytest_plugin``.

``avala_fake`` starts a FakeAvala and points ``AVALA_*`` environment variables at it,
so ``Client()`` with no arguments talks to the fake.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from avala.testing._server import FakeAvala


@pytest.fixture
def avala_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAvala]:
    with FakeAvala() as fake:
        for name, value in fake.env().items():
            monkeypatch.setenv(name, value)
        yield fake
