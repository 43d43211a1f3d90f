"""The ``avala`` command line (the ``cli`` extra: ``pip install ".[cli]"``).

Commands are generated from the request builders (see ``_generate``). Groups load lazily:
``avala --help`` reads the static catalogue, and a command's module is imported only when
that command is looked up, so neither the resource builders nor rich are imported to
print help.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from avala.cli._catalog import (
    GROUPS,
    MODULE_PREFIX,
    SUBGROUPS,
    TOP_COMMANDS,
    WORKFLOWS,
    kebab,
    snake,
)

__all__ = ["cli", "main"]

_EXTRA = ("completion", "configure")


class ResourceGroup(click.Group):
    """The commands under an endpoint-id prefix (``fleet`` or ``fleet.devices``), listed
    from the endpoint table and built on first use."""

    def __init__(self, prefix: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.prefix = prefix

    def _children(self) -> dict[str, bool]:
        """Names one level below the prefix -> whether that name is a group."""
        from avala.resources._endpoints import ENDPOINTS

        children: dict[str, bool] = {}
        depth = self.prefix.count(".") + 1
        for endpoint_id in ENDPOINTS:
            parts = endpoint_id.split(".")
            if endpoint_id.startswith(self.prefix + "."):
                children[parts[depth]] = len(parts) > depth + 1
        for workflow_id in WORKFLOWS:
            if workflow_id.rsplit(".", 1)[0] == self.prefix:
                children[workflow_id.rsplit(".", 1)[1]] = False
        return children

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(kebab(name) for name in self._children())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = snake(cmd_name)
        children = self._children()
        if name not in children:
            return None
        full = f"{self.prefix}.{name}"
        if children[name]:
            return ResourceGroup(full, name=cmd_name, help=SUBGROUPS.get(full))
        if full in WORKFLOWS:
            from avala.cli._transfers import workflow_command

            return workflow_command(full)
        from avala.cli._generate import build_command

        return build_command(full)


class RootGroup(click.Group):
    """``avala``: the resource groups and the module-level builders' commands (``signup``)
    from the static catalogue, the top-level workflows (``download``), plus configure and
    completion."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = [kebab(name) for name in (*GROUPS, *TOP_COMMANDS, *_top_workflows())]
        return sorted([*names, *_EXTRA])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "configure":
            from avala.cli._configure import configure

            return configure
        if cmd_name == "completion":
            return completion
        if snake(cmd_name) in _top_workflows() and "_" not in cmd_name:
            from avala.cli._transfers import workflow_command

            return workflow_command(f"{MODULE_PREFIX}.{snake(cmd_name)}")
        if snake(cmd_name) in TOP_COMMANDS and "_" not in cmd_name:
            from avala.cli._generate import build_command

            return build_command(f"{MODULE_PREFIX}.{snake(cmd_name)}")
        group = GROUPS.get(snake(cmd_name))
        if group is None or "_" in cmd_name:
            return None
        return ResourceGroup(snake(cmd_name), name=cmd_name, help=group.help)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's listing, but a top-level builder command's line is the catalogue's,
        so ``avala --help`` builds no command (click would build each to ask its help)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            top = TOP_COMMANDS.get(snake(name))
            workflow = WORKFLOWS.get(f"{MODULE_PREFIX}.{snake(name)}")
            if top is not None:
                rows.append((name, top.help))
            elif workflow is not None:
                rows.append((name, workflow))
            elif (command := self.get_command(ctx, name)) is not None:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _top_workflows() -> list[str]:
    """The workflow commands that sit at the top level (``download``)."""
    return [w.split(".", 1)[1] for w in WORKFLOWS if w.startswith(MODULE_PREFIX + ".")]


def _version() -> str:
    from avala._version import __version__

    return __version__


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=_version(), prog_name="avala", message="%(prog)s %(version)s")
def cli() -> None:
    """The Avala API from the shell: one command per API call.

    Output is a table on a terminal and JSON when piped (-o table|json|jsonl).
    The key comes from --api-key-stdin, AVALA_API_KEY or a profile (`avala configure`);
    anonymous commands (signup, resolver) need none.
    """


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print a completion script for bash, zsh or fish.

    Load it with eval "$(avala completion bash)" (zsh likewise; for fish,
    avala completion fish | source)."""
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    if completer is None:  # pragma: no cover - click ships all three
        raise click.UsageError(f"no completion for {shell}")
    click.echo(completer(cli, {}, "avala", "_AVALA_COMPLETE").source())


def main() -> None:
    """The console script. Exceptions are reported here rather than by click, so Ctrl-C
    anywhere (a prompt included) exits with 130, not click's "Aborted!" and 1."""
    try:
        code = cli.main(prog_name="avala", standalone_mode=False)
    except click.Abort as abort:  # click's wrapping of Ctrl-C, and of EOF at a prompt
        if isinstance(abort.__context__, EOFError):
            click.echo("error: no input", err=True)
            sys.exit(2)
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as failure:
        failure.show()
        sys.exit(failure.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
