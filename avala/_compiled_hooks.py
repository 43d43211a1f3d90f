"""Fast structuring hooks for models, compiled once per model class.

cattrs' generated hooks make a function call per field and a keyword call per object;
for wide pages that is most of a list call's time. These hooks check each field inline
and store it in a slot. They accept and refuse exactly what the detailed converter does,
which still runs (only) to name the path of a failure.

A frozen dataclass refuses attribute stores, so setting a slot would cost a call to
``object.__setattr__`` per field. Instead the hook fills an instance of a plain twin
class with the same slots (a store is then one bytecode) and, once every field has
passed its check, gives it the model's class: CPython allows ``__class__`` assignment
between classes with the same layout, and the compiler checks that once per model.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from avala.types._common import JsonObject

Hook = Callable[[Any, Any], Any]
_PRIMITIVES = (str, int, bool)


def is_model(t: Any) -> bool:
    """The SDK's own frozen dataclasses (the models in ``avala.types``)."""
    return (
        isinstance(t, type)
        and dataclasses.is_dataclass(t)
        and t.__module__.startswith("avala.types")
    )


def is_homogeneous_tuple(t: Any) -> bool:
    """``tuple[X, ...]``: how models spell a JSON array."""
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _optional_inner(t: Any) -> Any | None:
    if get_origin(t) in (Union, types.UnionType):
        args = [a for a in get_args(t) if a is not type(None)]
        if len(args) == 1 and len(get_args(t)) == 2:
            return args[0]
    return None


class _Compiler:
    """Writes the source of one model's hook; ``ns`` collects the names it refers to."""

    def __init__(self, get_hook: Callable[[Any], Hook]) -> None:
        self.get_hook = get_hook
        self.ns: dict[str, Any] = {
            "_new": object.__new__,
            "_set": object.__setattr__,
            "_MISSING": dataclasses.MISSING,
            "_fromiso": datetime.fromisoformat,
            "_JsonObject": JsonObject,
        }
        self.counter = 0

    def name(self, value: Any) -> str:
        self.counter += 1
        key = f"_c{self.counter}"
        self.ns[key] = value
        return key

    def check(self, t: Any, field: str, indent: str) -> list[str]:
        """Lines that validate (and convert) ``v`` in place as a ``t``."""
        fail = f"raise TypeError('{field}: expected {getattr(t, '__name__', t)}')"
        inner = _optional_inner(t)
        if inner is not None:
            body = self.check(inner, field, indent + "    ")
            return [f"{indent}if v is not None:", *body] if body else []
        if t in _PRIMITIVES:
            return [f"{indent}if v.__class__ is not {t.__name__}:", f"{indent}    {fail}"]
        if t is float:
            return [
                f"{indent}if v.__class__ is int:",
                f"{indent}    v = float(v)",
                f"{indent}elif v.__class__ is not float:",
                f"{indent}    {fail}",
            ]
        if t is datetime:
            return [
                f"{indent}if v.__class__ is not str:",
                f"{indent}    {fail}",
                f"{indent}v = _fromiso(v)",
            ]
        if get_origin(t) is Literal:
            allowed = self.name(frozenset(get_args(t)))
            return [f"{indent}if v not in {allowed}:", f"{indent}    {fail}"]
        if is_homogeneous_tuple(t):
            item = get_args(t)[0]
            lines = [
                f"{indent}if v is None:",
                f"{indent}    v = ()",
                f"{indent}elif v.__class__ is not list:",
                f"{indent}    {fail}",
            ]
            if item in _PRIMITIVES:
                kind = item.__name__
                return [
                    *lines,
                    f"{indent}elif any(i.__class__ is not {kind} for i in v):",
                    f"{indent}    {fail}",
                    f"{indent}else:",
                    f"{indent}    v = tuple(v)",
                ]
            if item is JsonObject:  # arrays of loose objects: common and wide, so inline
                return [
                    *lines,
                    f"{indent}else:",
                    f"{indent}    items = []",
                    f"{indent}    for i in v:",
                    f"{indent}        if i.__class__ is not dict:",
                    f"{indent}            {fail}",
                    f"{indent}        j = _new(_JsonObject)",  # JsonObject.adopt, inlined
                    f"{indent}        j._data = i",
                    f"{indent}        j._hash = None",
                    f"{indent}        items.append(j)",
                    f"{indent}    v = tuple(items)",
                ]
            hook, of = self.name(self.get_hook(item)), self.name(item)
            return [
                *lines,
                f"{indent}else:",
                f"{indent}    v = tuple([{hook}(i, {of}) for i in v])",
            ]
        hook, of = self.name(self.get_hook(t)), self.name(t)
        return [f"{indent}v = {hook}(v, {of})"]

    def compile(self, cls: type) -> Hook:
        hints = get_type_hints(cls)
        target = self.name(cls)
        twin = _slot_twin(cls)
        lines = [
            "def structure(o, _):",
            "    if o.__class__ is not dict:",
            "        raise TypeError('expected object')",
            f"    inst = _new({self.name(twin) if twin else target})",
        ]
        for f in dataclasses.fields(cls):
            key = repr(f.name)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                lines.append(f"    v = o[{key}]")
                lines += self.check(hints[f.name], f.name, "    ")
            else:
                default = (
                    f"{self.name(f.default_factory)}()"
                    if f.default is dataclasses.MISSING
                    else self.name(f.default)
                )
                lines.append(f"    v = o.get({key}, _MISSING)")
                lines.append("    if v is _MISSING:")
                lines.append(f"        v = {default}")
                checks = self.check(hints[f.name], f.name, "        ")
                if checks:
                    lines.append("    else:")
                    lines += checks
            lines.append(f"    inst.{f.name} = v" if twin else f"    _set(inst, {key}, v)")
        if twin:
            lines.append(f"    inst.__class__ = {target}")
        lines.append("    return inst")
        exec("\n".join(lines), self.ns)  # the standard way to build a specialised function
        hook: Hook = self.ns["structure"]
        hook.__qualname__ = f"structure_{cls.__name__}"
        return hook


def _slot_twin(cls: type) -> type | None:
    """A plain class with ``cls``'s slots, whose instances can become ``cls`` instances;
    None when ``cls`` is not a slotted class straight off ``object`` (the hook then sets
    fields with ``object.__setattr__``)."""
    slots = cls.__dict__.get("__slots__")
    if cls.__bases__ != (object,) or not isinstance(slots, tuple):
        return None
    twin = type(f"_{cls.__name__}Fields", (), {"__slots__": slots})
    probe: Any = object.__new__(twin)
    try:
        probe.__class__ = cls  # CPython checks that the two layouts match
    except TypeError:
        return None
    return twin


def compile_model_hook(cls: type, get_hook: Callable[[Any], Hook]) -> Hook:
    """A structuring hook for model ``cls``; nested types use ``get_hook``."""
    return _Compiler(get_hook).compile(cls)
