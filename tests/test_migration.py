"""The rename table of docs/migration.md is complete and names calls that exist.

Complete: every avala 0.x call that would not work unchanged here (a method that is gone,
an argument that is gone or no longer positional, a new required argument) has a row,
checked against the inventory of 0.x's signatures in shared/api. Exists: every
``client....(...)`` call in the table's right-hand column resolves on a real ``Client``
and takes the arguments it is shown with.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from avala import Client

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "migration.md"
INVENTORY = Path(
    os.environ.get("AVALA_API_INVENTORY", ROOT.parent / "shared" / "api" / "avala-api.json")
)
CODE = re.compile(r"`([^`]+)`")


def table_rows() -> list[tuple[list[str], list[str]]]:
    """(old code spans, new code spans) of each row of the rename table."""
    section = PAGE.read_text().split("## Renamed methods and arguments", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows.append((CODE.findall(cells[0]), CODE.findall(cells[1])))
    return rows


class ClientCall(NamedTuple):
    """One ``client.a.b(...)`` call written in the table."""

    dotted: str  # "a.b"
    keywords: frozenset[str]
    positional: tuple[str, ...]  # a plain name for each positional argument, else ""


def client_calls(code: str) -> Iterator[ClientCall]:
    for node in ast.walk(ast.parse(code, mode="eval")):
        if not isinstance(node, ast.Call):
            continue
        parts: list[str] = []
        target = node.func
        while isinstance(target, ast.Attribute):
            parts.insert(0, target.attr)
            target = target.value
        if isinstance(target, ast.Name) and target.id == "client" and parts:
            yield ClientCall(
                ".".join(parts),
                frozenset(k.arg for k in node.keywords if k.arg),
                tuple(a.id if isinstance(a, ast.Name) else "" for a in node.args),
            )


def resolve(client: Client, dotted: str) -> Callable[..., Any] | None:
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target  # type: ignore[no-any-return]


def test_the_table_has_rows() -> None:
    rows = table_rows()
    assert len(rows) >= 5
    assert all(old and new for old, new in rows)


def test_every_call_the_table_recommends_exists_with_those_arguments() -> None:
    client = Client("migration-test-key")
    for _, new in table_rows():
        for code in new:
            for call in client_calls(code):
                method = resolve(client, call.dotted)
                assert callable(method), f"client.{call.dotted} does not exist"
                parameters = inspect.signature(method).parameters.values()
                unknown = call.keywords - {p.name for p in parameters}
                assert not unknown, f"client.{call.dotted} takes no {sorted(unknown)}"
                positional = [p for p in parameters if p.kind is not p.KEYWORD_ONLY]
                assert len(call.positional) <= len(positional), call


def breaking_changes(inventory: dict[str, Any], client: Client) -> dict[str, set[str]]:
    """0.x endpoint id -> the 0.x argument names a call can no longer use as it did
    (an empty set: the method itself is gone)."""
    changes: dict[str, set[str]] = {}
    for endpoint in inventory["endpoints"]:
        old = endpoint["signature"]
        method = resolve(client, endpoint["id"])
        if method is None:
            changes[endpoint["id"]] = set()
            continue
        new = inspect.signature(method).parameters
        broken = {
            p["name"] for p in old["positional"] + old["keyword_only"] if p["name"] not in new
        }
        positional = [p for p in new.values() if p.kind is not p.KEYWORD_ONLY]
        for index, p in enumerate(old["positional"]):
            if index >= len(positional) or positional[index].name != p["name"]:
                broken.add(p["name"])
        old_names = {p["name"] for p in old["positional"] + old["keyword_only"]}
        broken |= {
            name
            for name, p in new.items()
            if p.default is p.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            and name not in old_names
        }
        if broken:
            changes[endpoint["id"]] = broken
    return changes


@pytest.mark.skipif(not INVENTORY.exists(), reason="shared/api inventory not beside the repo")
def test_every_breaking_rename_since_0x_has_a_row() -> None:
    inventory = json.loads(INVENTORY.read_text())
    listed: dict[str, set[str]] = {}
    for old, _ in table_rows():
        for code in old:
            for call in client_calls(code):
                listed.setdefault(call.dotted, set()).update(call.keywords, call.positional)
    changes = breaking_changes(inventory, Client("migration-test-key"))
    missing = {
        endpoint: names - listed.get(endpoint, set())
        for endpoint, names in changes.items()
        if endpoint not in listed or not names <= listed[endpoint]
    }
    assert not missing, f"add rows to the rename table of docs/migration.md for {missing}"


@pytest.mark.skipif(not INVENTORY.exists(), reason="shared/api inventory not beside the repo")
def test_the_client_constructor_keeps_every_0x_argument() -> None:
    constructor = json.loads(INVENTORY.read_text())["meta"]["client"]["constructor"]
    new = inspect.signature(Client).parameters
    for index, p in enumerate(constructor["positional"]):
        assert list(new)[index] == p["name"]
    for p in constructor["keyword_only"]:
        assert p["name"] in new
