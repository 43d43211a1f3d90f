"""Decoding: one configured cattrs converter, and ``Reader``, the part of a request
that says how its response body becomes a value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast, get_args
from urllib.parse import parse_qs, urlsplit

from returns.result import Failure, Result, Success

from avala import _json
from avala._compiled_hooks import compile_model_hook, is_homogeneous_tuple, is_model
from avala.errors import DecodeError
from avala.types._common import CursorPage, JsonObject, freeze_json

if TYPE_CHECKING:
    import cattrs

T = TypeVar("T")
M = TypeVar("M")
V = TypeVar("V")


def _strict(kind: type, name: str) -> Callable[[Any, Any], Any]:
    """A hook that accepts only ``kind`` (bool is not an int), so no value is coerced."""

    def hook(value: Any, _: Any) -> Any:
        if type(value) is kind:
            return value
        raise TypeError(f"expected {name}, got {type(value).__name__}")

    return hook


def _float(value: Any, _: Any) -> float:
    if type(value) in (float, int):
        return float(value)
    raise TypeError(f"expected number, got {type(value).__name__}")


def _datetime(value: Any, _: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected ISO-8601 datetime string, got {type(value).__name__}")
    return datetime.fromisoformat(value)


def _json_object(value: Any, _: Any) -> JsonObject:
    if not isinstance(value, dict):
        raise TypeError(f"expected object, got {type(value).__name__}")
    return JsonObject.adopt(value)


def make_converter(*, detailed: bool) -> cattrs.Converter:
    """Build the converter; the detailed twin only runs to name the path of a failure."""
    import cattrs  # here, not at the top: most of the import time of the SDK otherwise

    conv = cattrs.Converter(detailed_validation=detailed, forbid_extra_keys=False)
    conv.register_structure_hook(str, _strict(str, "string"))
    conv.register_structure_hook(int, _strict(int, "integer"))
    conv.register_structure_hook(bool, _strict(bool, "boolean"))
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(datetime, _datetime)
    conv.register_structure_hook_func(lambda t: t is Any, lambda v, _: freeze_json(v))
    conv.register_structure_hook(JsonObject, _json_object)

    def tuple_hook(t: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        item_type = get_args(t)[0]
        item_hook = conv.get_structure_hook(item_type)

        def hook(value: Any, _: Any) -> tuple[Any, ...]:
            if value is None:  # the API sends null for empty lists now and then
                return ()
            if not isinstance(value, list):
                raise TypeError(f"expected array, got {type(value).__name__}")
            if not detailed:
                return tuple([item_hook(item, item_type) for item in value])
            return tuple(_structure_each(value, item_hook, item_type, t))

        return hook

    conv.register_structure_hook_factory(is_homogeneous_tuple, tuple_hook)
    if detailed:
        conv.register_structure_hook_factory(is_model, lambda cls: _object_only(cls, conv))
    else:
        conv.register_structure_hook_factory(
            is_model, lambda cls: compile_model_hook(cls, conv.get_structure_hook)
        )
    return conv


def _object_only(cls: type, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """cattrs' own hook for a model, refusing anything but a JSON object (it would read
    a string as an object with no keys)."""
    from cattrs.gen import make_dict_structure_fn

    inner: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, conv)

    def hook(value: Any, target: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected object, got {type(value).__name__}")
        return inner(value, target)

    return hook


def _structure_each(
    value: list[Any], hook: Callable[[Any, Any], Any], item_type: Any, t: Any
) -> list[Any]:
    """Structure items one by one, noting the index of each failure for error paths."""
    import cattrs
    from cattrs.errors import IterableValidationNote

    out, errors = [], []
    for index, item in enumerate(value):
        try:
            out.append(hook(item, item_type))
        except Exception as exc:
            exc.add_note(
                IterableValidationNote(f"Structuring {t} @ index {index}", index, item_type)
            )
            errors.append(exc)
    if errors:
        raise cattrs.IterableValidationError(f"While structuring {t!r}", errors, t)
    return out


_CONVERTERS: dict[bool, cattrs.Converter] = {}


def converter(*, detailed: bool = False) -> cattrs.Converter:
    """The shared converter (or its detailed twin), built on first use: setting one up
    costs more than most programs' first call, and many never decode a failure."""
    found = _CONVERTERS.get(detailed)
    if found is None:
        found = _CONVERTERS[detailed] = make_converter(detailed=detailed)
    return found


def __getattr__(name: str) -> Any:
    """``CONVERTER`` and ``_DETAILED``, the names these converters had when built at import."""
    if name == "CONVERTER":
        return converter()
    if name == "_DETAILED":
        return converter(detailed=True)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _failure_path(value: Any, target: Any) -> tuple[str, str]:
    """Run the detailed converter to learn where and why ``value`` fails as ``target``."""
    import cattrs

    try:
        converter(detailed=True).structure(value, target)
    except Exception as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            messages = cattrs.transform_error(exc)
            first = messages[0] if messages else str(exc)
            reason, _, where = first.partition(" @ ")
            return where or "$", reason
        return "$", str(exc) or type(exc).__name__
    return "$", "value did not match"


def structure(
    value: Any, target: Any, at: str = "$", name: str | None = None
) -> Result[Any, DecodeError]:
    """Structure decoded JSON (found at path ``at``) into ``target``; failures name the path."""
    try:
        return Success(converter().structure(value, target))
    except Exception:
        where, reason = _failure_path(value, target)
        where = at + where[1:]
        name = name or getattr(target, "__name__", str(target))
        return Failure(DecodeError(f"cannot decode {name}: {reason} at {where}", path=where))


def cursor_from_url(url: Any, key: str) -> str | None:
    """The value to send back for the page a ``next``/``previous`` link points to."""
    if not isinstance(url, str) or not url:
        return None
    query = parse_qs(urlsplit(url).query)
    for name in (key, "cursor", "page"):
        if query.get(name):
            return query[name][0]
    # DRF's page-number links drop ``page=1``: a link without one means the first page.
    return "1" if key == "page" else None


def _cursor(page: dict[str, Any], side: str, key: str) -> str | None:
    """A page's cursor to ``side``: from its DRF link (``next``), or given as the opaque
    token itself (``next_cursor``, as the resolver's pages do)."""
    if f"{side}_cursor" in page and side not in page:
        token = page[f"{side}_cursor"]
        return token if isinstance(token, str) and token else None
    return cursor_from_url(page.get(side), key)


ReaderKind = Literal["model", "page", "list", "none", "raw", "field"]


@dataclass(frozen=True, slots=True)
class Reader(Generic[T]):
    """How a response body becomes a ``T``. Hashable, so requests that hold it compare."""

    kind: ReaderKind
    target: Any = None
    key: str = ""
    with_date: bool = False
    """The value comes as ``Dated(value, date)``: with the response's ``Date`` header."""

    def read(self, body: bytes, headers: Mapping[str, str] | None = None) -> Result[T, DecodeError]:
        """The value of a 2xx body (``headers`` are the response's, lower-cased names).
        Never raises: whatever the server sent that cannot be read is a DecodeError."""
        result = self._read(body)
        if not self.with_date:
            return result
        date = (headers or {}).get("date")
        return result.map(lambda value: cast(T, Dated(value, date)))

    def _read(self, body: bytes) -> Result[T, DecodeError]:
        try:
            value = _json.loads(body) if body else None
        except ValueError as exc:
            # Even a call that returns nothing refuses a body that is not JSON: it is
            # likely a proxy's page, and the API may never have seen the request.
            return Failure(DecodeError(f"response is not valid JSON: {exc}", path="$"))
        except RecursionError:
            return Failure(DecodeError("response JSON is nested too deeply", path="$"))
        if self.kind == "none":
            return Success(None)  # type: ignore[arg-type]
        try:
            return self.read_json(value)
        except Exception as exc:  # RecursionError in a deep value, or any other surprise
            return Failure(DecodeError(f"response cannot be read: {type(exc).__name__}"))

    def read_json(self, value: Any) -> Result[T, DecodeError]:
        if self.kind == "raw":
            return Success(freeze_json(value))
        if self.kind == "model":
            if not isinstance(value, dict):
                return _wrong_shape("object", value)
            return structure(value, self.target)
        if self.kind == "list":
            if not isinstance(value, list):
                return _wrong_shape("array", value)
            item_type = tuple[self.target, ...]  # type: ignore[name-defined]
            return structure(value, item_type, name=f"list of {self.target.__name__}")
        if self.kind == "field":
            if not isinstance(value, dict) or self.key not in value:
                return Failure(DecodeError(f"response has no {self.key!r}", path=f"$.{self.key}"))
            return structure(value[self.key], self.target, at=f"$.{self.key}")
        return self._page(value)

    def _page(self, value: Any) -> Result[T, DecodeError]:
        if not isinstance(value, dict):
            return _wrong_shape("page object", value)
        results = value.get("results")
        if results is not None and not isinstance(results, list):
            return Failure(DecodeError("page results is not an array", path="$.results"))
        item_type = tuple[self.target, ...]  # type: ignore[name-defined]
        name = f"page of {self.target.__name__}"
        decoded = structure(results or [], item_type, at="$.results", name=name).map(
            lambda items: CursorPage(
                items=items,
                next_cursor=_cursor(value, "next", self.key),
                previous_cursor=_cursor(value, "previous", self.key),
            )
        )
        return cast(Result[T, DecodeError], decoded)


def _wrong_shape(expected: str, value: Any) -> Failure[DecodeError]:
    got = "null" if value is None else type(value).__name__
    return Failure(DecodeError(f"expected a JSON {expected}, got {got}", path="$"))


def model(target: type[M]) -> Reader[M]:
    return Reader("model", target)


@dataclass(frozen=True, slots=True)
class Dated(Generic[V]):
    """A decoded value with the ``Date`` header of its response (None if it had none):
    for documents whose meaning depends on the server's clock, such as access grants."""

    value: V
    date: str | None


def dated_model(target: type[M]) -> Reader[Dated[M]]:
    """Like ``model``, keeping the response's ``Date`` header beside the value."""
    return cast("Reader[Dated[M]]", Reader("model", target, with_date=True))


def page(target: type[M], cursor_key: str = "cursor") -> Reader[CursorPage[M]]:
    return Reader("page", target, cursor_key)


def array(target: type[M]) -> Reader[tuple[M, ...]]:
    return Reader("list", target)


def nothing() -> Reader[None]:
    return Reader("none")


def raw() -> Reader[Any]:
    return Reader("raw")


def field(key: str, target: type[M]) -> Reader[M]:
    return Reader("field", target, key)
