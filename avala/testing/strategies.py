"""Hypothesis strategies for avala's models and request builders.

Property tests of code that uses avala (and of avala itself) can draw API answers and
requests from here instead of writing fixtures by hand. Everything is derived from the
code: models from their dataclass fields and type hints, builder arguments from each
builder's signature and annotations, routes from the endpoint table. A model or builder
added later is covered without touching this module, unless it needs a new special case
(then building its strategy raises ``TypeError`` naming the argument or field).

Requires ``hypothesis`` (a dev dependency, not a runtime one of the SDK).

Models
    ``json_for(model_cls)``
        JSON-like dicts as the API would send them, that decode into ``model_cls``:
        ISO-8601 datetime strings ending in ``Z`` or ``+00:00``, lists for tuples,
        sometimes ``null`` for list fields and optional fields, optional fields sometimes
        left out, sometimes extra unknown keys, nested models as nested objects,
        ``Literal`` fields drawn from their values. Numbers are finite, so decoded values
        compare equal to themselves. Any dataclass model works, parametrised generic ones
        (``CursorPage[Dataset]``) included.
    ``models(model_cls)``
        Decoded instances: ``json_for(model_cls)`` passed through ``avala._decode.structure``.

Requests
    ``endpoint_ids()``
        Any id of the endpoint table (``avala.resources._endpoints.ENDPOINTS``).
    ``builder_for(endpoint_id)``
        The builder method of an id (``"fleet.devices.get"`` -> ``Fleet().devices.get``).
    ``arguments_for(endpoint_id)``
        ``(args, kwargs)`` (the ``Arguments`` alias) the builder accepts: required
        parameters positionally (keyword-only ones by name), optional ones left out, given,
        or given as None. Path parameters are drawn from ``path_text()``, with what a path
        segment refuses (empty, ``.``, ``..``, control characters) mended or filtered out;
        other path-ish text (slugs, owners, file paths) is ``path_text()`` as is. The
        cross-argument rules of the builders are built in (exactly one of
        ``organization_uid``/``owner_username``, at most one of ``cursor``/``page``, UUIDs
        in any spelling for ``slug_for_uid``, a ``project`` or ``dataset`` (or both) for
        ``exports.create``, timestamps as ISO text or aware datetimes, upload file entries
        with a ``path``, bulk edit objects, positive page sizes, chunk sizes and TTLs ...).
        Strategies yield only accepted values: every draw is built once, and a draw the
        builder refuses with ``ValueError`` or ``TypeError`` is filtered out. Bulk edits are
        never empty, so every drawn request sends at least one call.
    ``requests_for(endpoint_id)``
        The request built from ``arguments_for(endpoint_id)``.

Pieces
    ``path_text()``
        Arbitrary text for a path parameter, hostile on purpose: ``/``, ``?``, ``#``,
        ``%2e%2e``, ``..``, ``.``, the empty string, unicode, control characters. Many draws
        are (rightly) refused by builders; ``allow_surrogates=True`` adds lone surrogates.
    ``uids()``, ``cursors()``, ``limits()``, ``iso_datetimes()``, ``aware_datetimes()``
        Uids (UUID text), opaque page cursors, page sizes (>= 1), ISO-8601 UTC timestamps,
        timezone-aware datetimes at any whole-minute UTC offset.
    ``json_values()``, ``json_objects()``
        Any finite JSON value; JSON objects (dicts with str keys).

Example::

    from hypothesis import given
    from avala.testing.strategies import models, requests_for
    from avala.types import Dataset

    @given(models(Dataset))
    def test_summary_never_fails(dataset: Dataset) -> None:
        summarise(dataset)  # your code

    @given(requests_for("datasets.get"))
    def test_the_stub_routes_every_dataset_lookup(request: Request[Dataset]) -> None:
        assert my_router.match(request.first_call().url_path)  # your code
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import types
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import (
    Any,
    Literal,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

from hypothesis import strategies as st

from avala import resources
from avala._compiled_hooks import is_homogeneous_tuple
from avala._decode import structure
from avala._request import Request
from avala._url import check_segment
from avala.resources._endpoints import ENDPOINTS
from avala.resources.signup import signup
from avala.types._common import JsonObject

__all__ = [
    "Arguments",
    "arguments_for",
    "aware_datetimes",
    "builder_for",
    "cursors",
    "endpoint_ids",
    "iso_datetimes",
    "json_for",
    "json_objects",
    "json_values",
    "limits",
    "models",
    "path_text",
    "requests_for",
    "uids",
]

M = TypeVar("M")

Arguments = tuple[tuple[Any, ...], dict[str, Any]]
"""Positional and keyword arguments for one builder call."""

SearchStrategy = st.SearchStrategy

_MAX_JSON_INT = 2**53  # integers every JSON parser reads exactly
_MAX_INT64 = 2**63 - 1

# --- pieces -------------------------------------------------------------------------------


@functools.cache
def _text(*, min_size: int = 0, max_size: int = 8) -> SearchStrategy[str]:
    """Any unicode text that UTF-8 can carry (no lone surrogates)."""
    return st.text(min_size=min_size, max_size=max_size)


@functools.cache
def _finite_floats() -> SearchStrategy[float]:
    return st.floats(allow_nan=False, allow_infinity=False)


@functools.cache
def json_values() -> SearchStrategy[Any]:
    """Any JSON value: null, booleans, integers, finite floats, text, and arrays and objects
    of those nested two deep."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-_MAX_JSON_INT, _MAX_JSON_INT),
        _finite_floats(),
        _text(),
    )
    keys = _text(max_size=6)
    flat = st.one_of(
        scalars, st.lists(scalars, max_size=2), st.dictionaries(keys, scalars, max_size=2)
    )
    return st.one_of(flat, st.lists(flat, max_size=2), st.dictionaries(keys, flat, max_size=2))


@functools.cache
def json_objects() -> SearchStrategy[dict[str, Any]]:
    """JSON objects: dicts with str keys and ``json_values()`` values."""
    return st.dictionaries(_text(max_size=6), json_values(), max_size=2)


_HOSTILE_PIECES = (
    "/",
    "//",
    "?",
    "#",
    "&",
    "=",
    ";",
    "%",
    "%2e%2e",
    "%2F",
    "%00",
    "..",
    ".",
    "../",
    "..\\",
    "\\",
    " ",
    "+",
    "@",
    ":",
    "~",
    "\x00",
    "\t",
    "\r\n",
    "\x1b",
    "\x7f",
    "\x85",
    "é",
    "ü",
    "ß",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\uff0e\uff0e",
    "\U0001d518",
)
_HOSTILE_WHOLE = ("", ".", "..", "%2e%2e", "a/b", "../admin", "a?x=1", "a#frag", "?", "#", "/")
_SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff")


@functools.cache
def path_text(*, allow_surrogates: bool = False) -> SearchStrategy[str]:
    """Arbitrary text for a path parameter: plain identifiers, any unicode, and hostile
    pieces glued together (``/``, ``?``, ``#``, ``%2e%2e``, ``..``, control characters ...).

    Builders refuse some of it (the empty string, ``.``, ``..``, control characters);
    ``arguments_for`` keeps only what they accept. ``allow_surrogates`` adds lone
    surrogates, which Python strings hold but UTF-8 cannot encode.
    """
    pieces = list(_HOSTILE_PIECES) + (list(_SURROGATES) if allow_surrogates else [])
    # Without a codec, ``characters()`` includes the surrogate range.
    alphabet = st.characters(codec=None if allow_surrogates else "utf-8")
    identifiers = st.text(
        st.characters(codec="ascii", categories=["L", "N"], include_characters="-_"),
        min_size=1,
        max_size=12,
    )
    glued = st.lists(
        st.one_of(st.sampled_from(pieces), identifiers, st.text(alphabet, max_size=4)),
        min_size=1,
        max_size=5,
    ).map("".join)
    return st.one_of(
        st.sampled_from(_HOSTILE_WHOLE),
        identifiers,
        st.text(alphabet, max_size=12),
        glued,
        uids(),
    )


def _is_segment(value: str) -> bool:
    try:
        check_segment("segment", value)
    except (TypeError, ValueError):
        return False
    return True


def _as_segment(text: str) -> str:
    """``text`` without control characters, and never empty, ``.`` or ``..``."""
    kept = "".join(ch for ch in text if ord(ch) >= 0x20 and ord(ch) != 0x7F)
    return kept if kept not in ("", ".", "..") else kept + "_"


@functools.cache
def _segments() -> SearchStrategy[str]:
    """``path_text()`` as far as a path segment accepts it (refused text is mended, and
    whatever ``check_segment`` would still refuse is filtered out)."""
    return path_text().map(_as_segment).filter(_is_segment)


@functools.cache
def uids() -> SearchStrategy[str]:
    """Uids as the API writes them: lower-case hyphenated UUIDs."""
    return st.uuids().map(str)


@functools.cache
def _uuid_spellings() -> SearchStrategy[str]:
    """UUIDs spelled any way ``uuid.UUID`` reads them (case, braces, urn, no hyphens)."""
    forms: list[Callable[[uuid.UUID], str]] = [
        str,
        lambda u: str(u).upper(),
        lambda u: u.hex,
        lambda u: "{" + str(u) + "}",
        lambda u: u.urn,
        lambda u: f"  {u}\n",
    ]
    return st.builds(lambda u, form: form(u), st.uuids(), st.sampled_from(forms))


@functools.cache
def cursors() -> SearchStrategy[str]:
    """Opaque page cursors: base64-like tokens, now and then any non-empty text."""
    tokens = st.text(
        st.characters(codec="ascii", categories=["L", "N"], include_characters="+/=-_"),
        min_size=1,
        max_size=40,
    )
    return st.one_of(tokens, _text(min_size=1))


@functools.cache
def limits() -> SearchStrategy[int]:
    """Page sizes: positive integers."""
    return st.integers(min_value=1, max_value=1000)


def _iso(moment: datetime, timespec: str, zulu: bool) -> str:
    text = moment.isoformat(timespec=timespec)
    return text[: -len("+00:00")] + "Z" if zulu else text


@functools.cache
def iso_datetimes() -> SearchStrategy[str]:
    """ISO-8601 UTC timestamps, ending in ``Z`` or ``+00:00``, at second, millisecond or
    microsecond precision."""
    moments = st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    )
    timespecs = st.sampled_from(("seconds", "milliseconds", "microseconds", "auto"))
    return st.builds(_iso, moments, timespecs, st.booleans())


@functools.cache
def aware_datetimes() -> SearchStrategy[datetime]:
    """Timezone-aware datetimes (1970 to 2100) at UTC or any whole-minute offset under a
    day, as builders take them for a timestamp."""
    offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    )
    return st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.one_of(st.just(UTC), offsets),
    )


@functools.cache
def _timestamps() -> SearchStrategy[datetime | str]:
    """What a timestamp argument takes: ISO text or an aware datetime."""
    return st.one_of(iso_datetimes(), aware_datetimes())


# --- models -------------------------------------------------------------------------------


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _is_json_object(tp: Any) -> bool:
    return tp is JsonObject


def _is_model(tp: Any) -> bool:
    origin = get_origin(tp) or tp
    return isinstance(origin, type) and dataclasses.is_dataclass(origin)


def _substitute(tp: Any, bindings: Mapping[Any, Any]) -> Any:
    """``tp`` with the type variables of a parametrised generic model replaced."""
    if not bindings:
        return tp
    if isinstance(tp, TypeVar):
        return bindings.get(tp, tp)
    params = getattr(tp, "__parameters__", ())
    if params:
        return tp[tuple(bindings.get(p, p) for p in params)]
    return tp


def _json_for_type(tp: Any, where: str) -> SearchStrategy[Any]:
    """JSON that the decoder turns into a value of ``tp`` (``where`` names it in errors)."""
    if tp is Any:
        return json_values()
    if tp is type(None):
        return st.none()
    if tp is str:
        return _text()
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-_MAX_INT64 - 1, _MAX_INT64)
    if tp is float:
        return st.one_of(_finite_floats(), st.integers(-_MAX_JSON_INT, _MAX_JSON_INT))
    if tp is datetime:
        return iso_datetimes()
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return st.sampled_from(args)
    if _is_union(tp):
        return st.one_of(*[_json_for_type(arm, where) for arm in args])
    if is_homogeneous_tuple(tp):
        return st.lists(_json_for_type(args[0], f"{where}[]"), max_size=3)
    if origin is tuple:
        return st.tuples(*[_json_for_type(a, f"{where}[]") for a in args]).map(list)
    if _is_json_object(tp) or origin in (dict, Mapping):
        value_type = args[1] if len(args) == 2 else Any
        if value_type is Any:
            return json_objects()
        return st.dictionaries(_text(max_size=8), _json_for_type(value_type, where), max_size=3)
    if _is_model(tp):
        return st.deferred(lambda: json_for(tp))
    raise TypeError(f"json_for: no strategy for {where} of type {tp!r}")


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _model_fields(model_cls: Any) -> list[tuple[dataclasses.Field[Any], Any]]:
    """Each init field of a dataclass model with its resolved type."""
    origin = get_origin(model_cls) or model_cls
    if not _is_model(origin):
        raise TypeError(f"json_for wants a dataclass model, not {model_cls!r}")
    hints = get_type_hints(origin)
    bindings = dict(zip(getattr(origin, "__parameters__", ()), get_args(model_cls), strict=False))
    return [(f, _substitute(hints[f.name], bindings)) for f in dataclasses.fields(origin) if f.init]


def _merge(parts: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    extras, known = parts
    return {**extras, **known}


def json_for(model_cls: type[Any]) -> SearchStrategy[dict[str, Any]]:
    """JSON objects, as the API sends them, that decode into ``model_cls`` (see module doc).

    Required fields are always present; fields with a default are sometimes left out;
    optional fields are sometimes null, and so are list fields (the decoder reads null as
    an empty tuple); a few unknown keys are sometimes added.
    """
    strategy = _JSON_FOR.get(model_cls)
    if strategy is None:
        strategy = _JSON_FOR[model_cls] = _derive_json_for(model_cls)
    return strategy


_JSON_FOR: dict[Any, SearchStrategy[dict[str, Any]]] = {}


def _derive_json_for(model_cls: Any) -> SearchStrategy[dict[str, Any]]:
    required: dict[str, SearchStrategy[Any]] = {}
    optional: dict[str, SearchStrategy[Any]] = {}
    fields = _model_fields(model_cls)
    name = getattr(model_cls, "__name__", repr(model_cls))
    for field, tp in fields:
        value = _json_for_type(tp, f"{name}.{field.name}")
        if is_homogeneous_tuple(tp):
            value = st.one_of(value, st.none())
        (required if _required(field) else optional)[field.name] = value
    known = frozenset(field.name for field, _ in fields)
    extras = st.dictionaries(
        _text(min_size=1, max_size=8).filter(lambda key: key not in known),
        json_values(),
        max_size=2,
    )
    return st.tuples(extras, st.fixed_dictionaries(required, optional=optional)).map(_merge)


def _decode(model_cls: type[M], value: dict[str, Any]) -> M:
    return cast(M, structure(value, model_cls).unwrap())


def models(model_cls: type[M]) -> SearchStrategy[M]:
    """Instances of ``model_cls`` decoded from ``json_for(model_cls)``."""
    return json_for(model_cls).map(functools.partial(_decode, model_cls))


# --- builders -----------------------------------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_RESOURCES: dict[str, object] = {
    _snake(name): getattr(resources, name)() for name in resources.__all__
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Endpoints built by a function of the ``avala`` module rather than a resource method.
_MODULE_LEVEL: dict[str, Callable[..., Request[Any]]] = {"avala.signup": signup}


def endpoint_ids() -> SearchStrategy[str]:
    """Any endpoint id of the table."""
    return st.sampled_from(sorted(ENDPOINTS))


def builder_for(endpoint_id: str) -> Callable[..., Request[Any]]:
    """The builder method an endpoint id names (``"fleet.devices.get"`` is
    ``Fleet().devices.get``); ``KeyError`` for an id the table does not hold."""
    if endpoint_id not in ENDPOINTS:
        raise KeyError(f"no endpoint {endpoint_id!r} in the table")
    if endpoint_id in _MODULE_LEVEL:
        return _MODULE_LEVEL[endpoint_id]
    head, *rest = endpoint_id.split(".")
    target: Any = _RESOURCES[head]
    for part in rest:
        target = getattr(target, part)
    return cast(Callable[..., Request[Any]], target)


class _Omitted:
    """Marks an optional argument left out of a call."""

    def __repr__(self) -> str:
        return "<omitted>"


_OMIT = _Omitted()


def _page_numbers() -> SearchStrategy[str]:
    return st.integers(min_value=1, max_value=10**6).map(str)


def _upload_files() -> SearchStrategy[list[dict[str, Any]]]:
    entry = st.fixed_dictionaries(
        {"path": path_text().filter(bool)},
        optional={"size_bytes": st.integers(0, 2**40), "etag": _text(min_size=1)},
    )
    return st.lists(entry, min_size=1, max_size=3)


def _managed_files(*keys: str, sized: bool = False) -> SearchStrategy[list[dict[str, Any]]]:
    """Entries of a managed-upload manifest: ``keys`` as text, ``size_bytes`` if ``sized``."""
    fields: dict[str, SearchStrategy[Any]] = {k: _text(min_size=1) for k in keys}
    if sized:
        fields["size_bytes"] = st.integers(0, 2**40)
    return st.lists(st.fixed_dictionaries(fields), min_size=1, max_size=3)


def _part_numbers() -> SearchStrategy[list[int]]:
    return st.lists(st.integers(min_value=1, max_value=10000), min_size=1, max_size=3)


def _edits() -> SearchStrategy[list[dict[str, Any]]]:
    edit = st.fixed_dictionaries(
        {"action": st.sampled_from(("create", "update", "delete")), "object_uuid": uids()},
        optional={"data": json_objects()},
    )
    return st.lists(edit, min_size=1, max_size=5)


def _seconds() -> SearchStrategy[float]:
    return st.floats(min_value=0.0, max_value=3600.0)


# Arguments a signature does not describe well enough, by endpoint id and parameter name.
_BY_ENDPOINT: dict[str, dict[str, Callable[[], SearchStrategy[Any]]]] = {
    "organizations.list": {
        "cursor": _page_numbers,
        "page": lambda: st.one_of(st.integers(min_value=1, max_value=10**6), _page_numbers()),
    },
    "organizations.slug_for_uid": {"organization_uid": _uuid_spellings},
    "exports.create": {"project": uids, "dataset": uids},
    "fleet.uploads.managed_admit": {
        "files": lambda: _managed_files("path", "content_sha256", sized=True)
    },
    "fleet.uploads.managed_finalize": {
        "files": lambda: _managed_files("file_uid", "generation_uid")
    },
}

# ... and by parameter name alone, wherever it appears.
_BY_NAME: dict[str, Callable[[], SearchStrategy[Any]]] = {
    "limit": limits,
    "cursor": cursors,
    "timestamp": _timestamps,
    "interval": _seconds,
    "timeout": _seconds,
    "files": _upload_files,
    "edits": _edits,
    "part_numbers": _part_numbers,
    "numbers": _part_numbers,
    "file_paths": lambda: st.lists(path_text(), min_size=1, max_size=3),
    "chunk_size": lambda: st.integers(min_value=1, max_value=4),
    "ttl_seconds": lambda: st.integers(min_value=1, max_value=7 * 24 * 3600),
    "random_selection_count": lambda: st.integers(min_value=1, max_value=10**6),
}

# Text that names a place (a file path, or a slug or owner that ends up in some URL).
_PATHISH = frozenset({"owner", "owner_name", "owner_username", "organization", "handle"})


def _is_pathish(name: str) -> bool:
    return name in _PATHISH or name.endswith("slug") or "path" in name


# Parameters of which exactly one (or at most one, or at least one) must be given.
_GroupRule = Literal["exactly_one", "at_most_one", "at_least_one"]
_GROUPS: dict[str, tuple[_GroupRule, tuple[str, ...]]] = {
    "datasets.transfer": ("exactly_one", ("organization_uid", "owner_username")),
    "organizations.list": ("at_most_one", ("cursor", "page")),
    "exports.create": ("at_least_one", ("project", "dataset")),
}


def _argument_for_type(tp: Any, where: str) -> SearchStrategy[Any]:
    """A value a builder accepts for an argument annotated ``tp``."""
    if tp is Any:
        return json_values()
    if tp is str:
        return _text()
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=0, max_value=2**31)
    if tp is float:
        return st.one_of(_finite_floats(), st.integers(-(2**31), 2**31))
    if tp is datetime:
        return aware_datetimes()
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return st.sampled_from(args)
    if _is_union(tp):
        arms = [arm for arm in args if arm is not type(None)]
        return st.one_of(*[_argument_for_type(arm, where) for arm in arms])
    if is_typeddict(tp):
        hints = get_type_hints(tp)
        keys: Collection[str] = tp.__required_keys__
        return st.fixed_dictionaries(
            {k: _argument(k, hints[k], f"{where}.{k}") for k in sorted(keys)},
            optional={
                k: _argument(k, hints[k], f"{where}.{k}") for k in sorted(tp.__optional_keys__)
            },
        )
    if _is_json_object(tp) or origin in (dict, Mapping):
        value_type = args[1] if len(args) == 2 else Any
        if value_type is Any:
            return json_objects()
        values = _argument_for_type(value_type, where)
        return st.dictionaries(_text(max_size=8), values, max_size=3)
    if origin in (list, tuple, Sequence, Iterable, Collection) and len(args) >= 1:
        return st.lists(_argument_for_type(args[0], f"{where}[]"), max_size=3)
    raise TypeError(f"arguments_for: no strategy for {where} of type {tp!r}")


def _argument(
    name: str,
    tp: Any,
    where: str,
    endpoint_id: str = "",
    placeholders: Collection[str] = (),
) -> SearchStrategy[Any]:
    """The strategy for one argument: special cases first, then the annotation."""
    special = _BY_ENDPOINT.get(endpoint_id, {}).get(name)
    if special is not None:
        return special()
    if name in placeholders:
        return _segments()
    by_name = _BY_NAME.get(name)
    if by_name is not None:
        return by_name()
    if name == "uid" or name.endswith("_uid"):
        return uids()
    if _is_pathish(name) and tp in (str, str | None):
        return path_text()
    return _argument_for_type(tp, where)


def _assemble(
    parts: tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]],
) -> Arguments:
    args, keywords, grouped = parts
    kwargs = {k: v for k, v in keywords.items() if v is not _OMIT}
    return args, {**kwargs, **grouped}


def _union_of_dicts(parts: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    return {k: v for part in parts for k, v in part.items()}


def _accepted(builder: Callable[..., Request[Any]], arguments: Arguments) -> bool:
    args, kwargs = arguments
    try:
        builder(*args, **kwargs)
    except (ValueError, TypeError):
        return False
    return True


def _build(builder: Callable[..., Request[Any]], arguments: Arguments) -> Request[Any]:
    args, kwargs = arguments
    return builder(*args, **kwargs)


@functools.cache
def arguments_for(endpoint_id: str) -> SearchStrategy[Arguments]:
    """``(args, kwargs)`` that the builder of ``endpoint_id`` accepts (see module doc)."""
    builder = builder_for(endpoint_id)
    hints = get_type_hints(getattr(builder, "__func__", builder))
    placeholders = set(_PLACEHOLDER.findall(ENDPOINTS[endpoint_id].path))
    rule, grouped_names = _GROUPS.get(endpoint_id, ("at_most_one", ()))
    positional: list[SearchStrategy[Any]] = []
    keywords: dict[str, SearchStrategy[Any]] = {}
    grouped: list[SearchStrategy[dict[str, Any]]] = []
    for param in inspect.signature(builder).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        where = f"{endpoint_id}({param.name})"
        tp = hints.get(param.name, Any)
        value = _argument(param.name, tp, where, endpoint_id, placeholders)
        if param.name in grouped_names:
            grouped.append(st.fixed_dictionaries({param.name: value}))
            continue
        required = param.default is param.empty
        if param.kind is param.POSITIONAL_ONLY or (
            required and param.kind is param.POSITIONAL_OR_KEYWORD
        ):
            positional.append(value)
            continue
        if not required:
            choices = [st.just(_OMIT), value]
            if param.default is None:
                choices.append(st.none())
            value = st.one_of(*choices)
        keywords[param.name] = value
    if rule == "at_least_one" and grouped:
        grouped.append(st.tuples(*grouped).map(_union_of_dicts))
    if rule == "at_most_one" or not grouped:
        grouped.insert(0, st.just({}))
    candidates = st.tuples(
        st.tuples(*positional), st.fixed_dictionaries(keywords), st.one_of(*grouped)
    ).map(_assemble)
    return candidates.filter(functools.partial(_accepted, builder))


@functools.cache
def requests_for(endpoint_id: str) -> SearchStrategy[Request[Any]]:
    """Requests built by the builder of ``endpoint_id`` from ``arguments_for(endpoint_id)``."""
    return arguments_for(endpoint_id).map(functools.partial(_build, builder_for(endpoint_id)))
