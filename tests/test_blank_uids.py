"""A uid made of whitespace names nothing: every builder refuses it, naming the argument.

Path parameters go through ``check_segment`` (tests/test_path_safety.py); this covers the
uids sent in a body or a query string: arguments named ``*_uid`` or ``*_id``, and the
references ``project``, ``dataset``, ``recording`` and ``device``.
"""

from __future__ import annotations

import inspect
import re
from typing import get_type_hints

import pytest

from avala.resources._endpoints import ENDPOINTS
from avala.testing.strategies import builder_for
from tests.test_path_safety import _plain_arguments, build_with

REFERENCES = frozenset({"project", "dataset", "recording", "device"})


def _is_text_uid(endpoint_id: str, param: inspect.Parameter) -> bool:
    """A uid given as text, outside the path (``datasets.create(organization_id=)`` is an int)."""
    builder = builder_for(endpoint_id)
    hint = get_type_hints(getattr(builder, "__func__", builder)).get(param.name)
    in_path = "{" + param.name + "}" in ENDPOINTS[endpoint_id].path
    named_as_uid = param.name in REFERENCES or param.name.endswith(("_uid", "_id"))
    named_as_uid = named_as_uid and "key" not in param.name  # s3_access_key_id is a secret
    return named_as_uid and hint in (str, str | None) and not in_path


CASES = [
    (endpoint_id, param)
    for endpoint_id in sorted(ENDPOINTS)
    for param in inspect.signature(builder_for(endpoint_id)).parameters.values()
    if _is_text_uid(endpoint_id, param)
]
REQUIRED = [(e, p.name) for e, p in CASES if p.default is inspect.Parameter.empty]


def test_the_cases_are_found() -> None:
    names = {f"{e}({p.name})" for e, p in CASES}
    assert {"fleet.uploads.confirm_upload(session_uid)", "tasks.list(project)"} <= names
    assert ("organizations.add_team_member", "user_uid") in REQUIRED


@pytest.mark.parametrize("blank", [" ", "\t\n", "\u3000"], ids=repr)
@pytest.mark.parametrize(("endpoint_id", "name"), [(e, p.name) for e, p in CASES])
def test_a_whitespace_only_uid_is_refused_naming_it(
    endpoint_id: str, name: str, blank: str
) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(name)}\b.*whitespace"):
        build_with(endpoint_id, name, blank, _plain_arguments(endpoint_id))


@pytest.mark.parametrize(("endpoint_id", "name"), REQUIRED)
def test_an_empty_required_uid_is_refused_naming_it(endpoint_id: str, name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(name)}\b"):
        build_with(endpoint_id, name, "", _plain_arguments(endpoint_id))
