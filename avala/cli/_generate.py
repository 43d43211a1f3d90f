"""Commands generated from the request builders, so the command line cannot drift from
the library: one command per row of the endpoint table, its arguments and options read
from the builder's signature and type hints.

Positional parameters become arguments (optional ones when they have a default);
keyword-only ones become options typed from their hints (text, numbers, ``--x/--no-x``
flags, repeatable options for lists of text or numbers, JSON text or ``@file`` for objects
and lists of objects). A secret (a password) is never an option: it is read from a hidden
prompt or, with ``--<name>-stdin``, from stdin. A builder parameter of a type not handled
here is a ``TypeError`` when its command is built, so a new builder cannot be skipped
silently (the tests build every command).
"""

from __future__ import annotations

import collections.abc as cabc
import importlib
import inspect
import json
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import click
from click.core import ParameterSource

from avala.cli import _errors
from avala.cli._catalog import GROUPS, MODULE_PREFIX, TOP_COMMANDS, kebab

Shape = Literal[
    "str", "int", "float", "bool", "str_or_int", "datetime", "strlist", "intlist", "json"
]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# On list commands the builder's page size and cursor are renamed: --limit caps the items.
PAGE_OPTIONS = {"limit": "--page-size", "cursor": "--cursor"}
# Options every command, or every list or body command, adds itself.
_PAGE_HELP = {"limit": "items per page", "cursor": "start at this page (a next_cursor)"}
RESERVED = frozenset({"output", "profile", "api_key_stdin", "quiet", "json", "all", "limit"})
# Parameters that must not land in shell history or ``ps``: a prompt or stdin, never a flag.
SECRETS = frozenset({"password"})
LISTS: frozenset[Shape] = frozenset({"strlist", "intlist"})


@dataclass(frozen=True, slots=True)
class Param:
    """One builder parameter as the command line sees it."""

    name: str
    shape: Shape
    positional: bool
    required: bool
    default: Any

    @property
    def dest(self) -> str:
        return f"p_{self.name}"

    @property
    def secret(self) -> bool:
        return self.name in SECRETS

    @property
    def stdin_flag(self) -> str:
        """The flag that reads a secret from stdin instead of a prompt."""
        return f"--{kebab(self.name)}-stdin"


@dataclass(frozen=True, slots=True)
class Spec:
    """What a generated command needs to know about its builder."""

    endpoint_id: str
    method: str
    kind: str
    params: tuple[Param, ...]
    pageable: bool
    summary: str
    anonymous: bool = False
    """Sent without the API key (the endpoint's auth is ``none``): no key is asked for."""

    @property
    def takes_json(self) -> bool:
        """Create and update commands (any call with a body) also take ``--json``."""
        return self.method in BODY_METHODS and bool(self.json_keys)

    @property
    def json_keys(self) -> list[str]:
        """What ``--json`` may set: the options, secrets excepted (a file could hold one,
        but inline JSON would put it in shell history)."""
        return [p.name for p in self.params if not p.positional and not p.secret]

    @property
    def is_wait(self) -> bool:
        return self.kind == "poll"

    def option_name(self, param: Param) -> str:
        if self.pageable and param.name in PAGE_OPTIONS:
            return PAGE_OPTIONS[param.name]
        if param.name in RESERVED:
            raise TypeError(f"{self.endpoint_id}: parameter {param.name!r} clashes with an option")
        return f"--{kebab(param.name)}"


def builder_for(endpoint_id: str) -> Callable[..., Any]:
    """The builder of an endpoint id, importing only its resource module."""
    first, *rest = endpoint_id.split(".")
    if first == MODULE_PREFIX:
        top = TOP_COMMANDS[rest[0]]
        module = importlib.import_module(f"avala.resources.{top.module}")
        return typing.cast(Callable[..., Any], getattr(module, top.function))
    group = GROUPS[first]
    target: Any = getattr(importlib.import_module(f"avala.resources.{group.module}"), group.cls)()
    for part in rest:
        target = getattr(target, part)
    return typing.cast(Callable[..., Any], target)


def shape_of(annotation: Any) -> Shape:
    """How a parameter's type is read from the command line."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        arms = [a for a in typing.get_args(annotation) if a is not type(None)]
    else:
        arms = [annotation]
    if Any in arms:
        return "json"
    simple: dict[frozenset[Any], Shape] = {
        frozenset({str}): "str",
        frozenset({int}): "int",
        frozenset({float}): "float",
        frozenset({bool}): "bool",
        frozenset({int, str}): "str_or_int",
        frozenset({datetime, str}): "datetime",
    }
    if frozenset(arms) in simple:
        return simple[frozenset(arms)]
    if len(arms) == 1:
        origin, args = typing.get_origin(arms[0]), typing.get_args(arms[0])
        sequences = (cabc.Sequence, cabc.Iterable, list, tuple)
        if origin in sequences and args == (str,):
            return "strlist"
        if origin in sequences and args == (int,):
            return "intlist"
        if origin in (cabc.Mapping, dict) or origin in sequences:
            return "json"  # objects, and lists of objects
    raise TypeError(f"no command-line reading for a parameter of type {annotation!r}")


def spec_for(endpoint_id: str) -> Spec:
    """Read an endpoint's command from its table row and its builder."""
    from avala.resources._endpoints import ENDPOINTS
    from avala.types._common import CursorPage

    row = ENDPOINTS[endpoint_id]
    builder = builder_for(endpoint_id)
    hints = typing.get_type_hints(builder)
    returned = typing.get_args(hints["return"])
    pageable = bool(returned) and typing.get_origin(returned[0]) is CursorPage
    params = []
    for p in inspect.signature(builder).parameters.values():
        shape = shape_of(hints[p.name])
        params.append(
            Param(
                name=p.name,
                shape=shape,
                positional=p.kind is p.POSITIONAL_OR_KEYWORD and shape != "json",
                required=p.default is p.empty,
                default=None if p.default is p.empty else p.default,
            )
        )
    summary = (inspect.getdoc(builder) or endpoint_id).split("\n\n")[0].replace("\n", " ")
    anonymous = row.auth == "none"
    if anonymous:
        summary += " No API key is needed or sent."
    return Spec(endpoint_id, row.method, row.kind, tuple(params), pageable, summary, anonymous)


# --- click types -------------------------------------------------------------------------


def read_json_text(value: str, what: str) -> Any:
    """JSON given inline, as ``@path`` or as ``-`` (stdin). Errors never quote the text:
    a body may hold secrets."""
    if value == "-":
        text = sys.stdin.read()
    elif value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {value[1:]}: {type(exc).__name__}") from None
    else:
        text = value
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"{what} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None


_OPTION_TYPES: dict[Shape, Any] = {"int": click.INT, "intlist": click.INT, "float": click.FLOAT}
_METAVARS: dict[Shape, str] = {
    "datetime": "ISO8601",
    "json": "JSON|@FILE",
    "str_or_int": "TEXT|INT",
    "strlist": "TEXT",
    "intlist": "INT",
}


def from_text(param: Param, value: Any) -> Any:
    """A given value as the builder takes it: JSON parsed, digits as a number where text or
    a number is allowed (``--page 3``), repeated options as a list."""
    if param.shape == "json":
        return read_json_text(value, spec_name(param))
    if param.shape == "str_or_int":
        return int(value) if value.isdigit() else value
    if param.shape in LISTS:
        return list(value)
    return value


def spec_name(param: Param) -> str:
    return f"--{kebab(param.name)}"


def click_param(spec: Spec, param: Param) -> click.Parameter:
    """The click argument or option for one builder parameter."""
    if param.secret:
        return click.Option(
            [param.stdin_flag, param.dest],
            is_flag=True,
            help=f"Read the {param.name} from the first line of stdin [default: a hidden prompt].",
        )
    if param.positional:
        # An optional argument is left out when not given, so the builder's default applies.
        metavar = param.name.upper() if param.required else f"[{param.name.upper()}]"
        return click.Argument(
            [param.dest],
            type=_OPTION_TYPES.get(param.shape, click.STRING),
            metavar=metavar + ("..." if param.shape in LISTS else ""),
            nargs=-1 if param.shape in LISTS else 1,
            required=param.required,
        )
    name = spec.option_name(param)
    notes = []
    if spec.pageable and param.name in PAGE_OPTIONS:
        notes.append(_PAGE_HELP[param.name])
    if param.required:
        notes.append("required" + (", or in --json" if spec.takes_json else ""))
    if param.shape in LISTS:
        notes.append("repeatable")
    if param.default is not None:
        notes.append(f"default: {param.default}")
    help_text = "; ".join(notes)
    if param.shape == "bool":
        flag = kebab(param.name)
        return click.Option(
            [f"--{flag}/--no-{flag}", param.dest], default=None, help=help_text or None
        )
    return click.Option(
        [name, param.dest],
        type=_OPTION_TYPES.get(param.shape, click.STRING),
        multiple=param.shape in LISTS,
        metavar=_METAVARS.get(param.shape),
        help=help_text or None,
    )


def common_params(spec: Spec) -> list[click.Parameter]:
    """Output, auth, and (where they apply) paging, --json and --quiet."""
    from avala.cli._output import FORMATS

    params: list[click.Parameter] = [
        click.Option(
            ["-o", "--output", "cli_output"],
            type=click.Choice(FORMATS),
            help="Output format [default: table on a terminal, else json].",
        ),
        click.Option(["--profile", "cli_profile"], help="Profile to use [default: default]."),
    ]
    if not spec.anonymous:  # an anonymous call never sends a key, so none is read
        params.append(
            click.Option(
                ["--api-key-stdin", "cli_api_key_stdin"],
                is_flag=True,
                help="Read the API key from the first line of stdin.",
            )
        )
    if spec.pageable:
        params += [
            click.Option(["--all", "cli_all"], is_flag=True, help="Walk every page, streaming."),
            click.Option(
                ["--limit", "cli_limit"],
                type=click.IntRange(min=1),
                help="Stop after this many items (walks pages as needed).",
            ),
        ]
    if spec.takes_json:
        params.append(
            click.Option(
                ["--json", "cli_json"],
                metavar="JSON|@FILE|-",
                help="The options as one JSON object (snake_case keys); flags given too win.",
            )
        )
    if spec.is_wait:
        params.append(
            click.Option(["--quiet", "cli_quiet"], is_flag=True, help="No progress display.")
        )
    return params


def build_command(endpoint_id: str) -> click.Command:
    """The click command of one endpoint."""
    spec = spec_for(endpoint_id)
    params = [click_param(spec, p) for p in spec.params] + common_params(spec)

    @click.pass_context
    def callback(ctx: click.Context, /, **given: Any) -> None:
        from avala.cli._runtime import Options, execute

        _check_one_stdin_reader(ctx, spec, given)
        request, secrets = build_request(ctx, spec, given)
        options = Options(
            output=given["cli_output"],
            profile=given["cli_profile"],
            api_key_stdin=bool(given.get("cli_api_key_stdin")),
            walk=bool(given.get("cli_all")) or given.get("cli_limit") is not None,
            max_items=given.get("cli_limit"),
            quiet=bool(given.get("cli_quiet")),
            secrets=secrets,
        )
        execute(spec, request, options)

    name = kebab(endpoint_id.rsplit(".", 1)[1])
    return click.Command(name, callback=callback, params=params, help=spec.summary)


def _check_one_stdin_reader(ctx: click.Context, spec: Spec, given: dict[str, Any]) -> None:
    readers = ["--api-key-stdin"] if given.get("cli_api_key_stdin") else []
    if given.get("cli_json") == "-":
        readers.append("--json -")
    readers += [p.stdin_flag for p in spec.params if p.secret and given[p.dest]]
    if len(readers) > 1:
        raise click.UsageError(f"only one of {' and '.join(readers)} can read stdin", ctx)


def read_secrets(ctx: click.Context, spec: Spec, given: dict[str, Any]) -> dict[str, str]:
    """Each secret parameter's value: the first line of stdin with ``--<name>-stdin``, else a
    hidden prompt typed twice. A pipe without the flag is refused rather than prompted on
    (it would read the secret from the pipe unasked, or hang a CI job)."""
    secrets: dict[str, str] = {}
    for param in spec.params:
        if not param.secret or not (param.required or given[param.dest]):
            continue
        if given[param.dest]:
            value = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        elif not sys.stdin.isatty():
            raise click.UsageError(f"stdin is not a terminal: pass {param.stdin_flag}", ctx)
        else:
            label = param.name.replace("_", " ").capitalize()
            value = click.prompt(label, hide_input=True, confirmation_prompt=True, err=True)
        if not value:
            raise click.UsageError(f"no {param.name} given", ctx)
        secrets[param.name] = value
    return secrets


def build_request(
    ctx: click.Context, spec: Spec, given: dict[str, Any]
) -> tuple[Any, tuple[str, ...]]:
    """The request value and the secrets read for it: the builder called with the
    arguments, the flags given, the ``--json`` keys no flag overrides and the secrets,
    asked for once the rest is known to be usable. What the builder refuses is a usage
    error (its message redacted of the secrets)."""
    values: dict[str, Any] = {}
    for param in spec.params:
        if param.secret:
            continue
        if param.positional and given[param.dest] in (None, ()) and not param.required:
            continue  # an optional argument left out: the builder's default
        if param.positional or ctx.get_parameter_source(param.dest) is ParameterSource.COMMANDLINE:
            values[param.name] = from_text(param, given[param.dest])
    if spec.takes_json and given.get("cli_json") is not None:
        body = read_json_text(given["cli_json"], "--json")
        accepted = spec.json_keys
        if not isinstance(body, dict):
            raise click.UsageError("--json must be a JSON object of the command's options", ctx)
        unknown = sorted(set(body) - set(accepted))
        if unknown:
            raise click.UsageError(
                f"--json has unknown keys {unknown}; it takes {sorted(accepted)}", ctx
            )
        values = {**body, **values}
    missing = [
        spec.option_name(p)
        for p in spec.params
        if p.required and not p.secret and p.name not in values
    ]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)}", ctx)
    secrets = read_secrets(ctx, spec, given)
    values.update(secrets)
    args = [values[p.name] for p in spec.params if p.positional and p.name in values]
    kwargs = {p.name: values[p.name] for p in spec.params if not p.positional and p.name in values}
    builder = builder_for(spec.endpoint_id)
    try:
        return builder(*args, **kwargs), tuple(secrets.values())
    except (ValueError, TypeError) as exc:
        message = _errors.one_line(str(exc), secrets.values())
        raise click.UsageError(message, ctx) from None
