"""The `avala` command line, in-process through click's runner: every generated command
against FakeAvala, checked against the SDK running the same builder."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner, Result

from avala import Client, Failure
from avala._decode import structure
from avala.cli import cli
from avala.resources._endpoints import ENDPOINTS
from avala.testing import FakeAvala
from avala.testing.strategies import builder_for
from avala.types import Project
from tests.builder_args import SPECIAL_ARGS
from tests.conftest import FAST_RETRY

# What the issue documents; written out here, not read from the implementation.
EXIT_CODES = {
    "AuthenticationError": 3,
    "ForbiddenError": 3,
    "NotFoundError": 4,
    "ValidationError": 5,
    "RateLimitError": 6,
    "ServerError": 6,
    "ConnectionFailedError": 7,
    "RequestTimeoutError": 7,
}


# Read from stdin (--password-stdin) or a hidden prompt, never given as a flag.
SECRETS = frozenset({"password"})


def plausible(name: str, annotation: Any) -> Any:
    """A value a builder accepts for a parameter, from its name and type."""
    text = str(annotation)
    if "timestamp" in name or "datetime" in text:
        return "2024-01-01T00:00:00Z"
    if name == "page":
        return 2
    listy = any(k in text for k in ("Sequence", "Iterable"))
    if listy and "Mapping" in text:
        return [{"k": "v"}]
    if listy and "[int]" in text:
        return [1, 2]
    if listy:
        return ["a", "b"]
    if "Mapping" in text or "Any" in text:
        return {"k": "v"}
    if "bool" in text:
        return False
    if "int" in text:
        return 3
    if "float" in text:
        return 0.5
    return f"{name}-1"


def arguments(endpoint_id: str, everything: bool) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments: the required ones, or every one."""
    method = builder_for(endpoint_id)
    hints = typing.get_type_hints(method)
    special = SPECIAL_ARGS.get(endpoint_id, {})
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in inspect.signature(method).parameters.values():
        if p.name in special:
            value = special[p.name]
        elif p.default is p.empty or everything:
            value = plausible(p.name, hints[p.name])
        else:
            continue
        if p.kind is p.KEYWORD_ONLY or (isinstance(value, list | dict) and _is_objects(value)):
            kwargs[p.name] = value
        else:
            args.append(value)
    return args, kwargs


def _is_objects(value: Any) -> bool:
    return isinstance(value, dict) or (bool(value) and all(isinstance(v, dict) for v in value))


def pageable(endpoint_id: str) -> bool:
    return "CursorPage" in str(typing.get_type_hints(builder_for(endpoint_id))["return"])


def argv(endpoint_id: str, args: list[Any], kwargs: dict[str, Any]) -> list[str]:
    """The command line for a builder call: kebab-case names (a function of the ``avala``
    module is a top-level command), flags for booleans, repeated options for lists of text
    or numbers, JSON text for objects, ``--password-stdin`` for a password (see ``stdin``)."""
    words = [w.replace("_", "-") for w in endpoint_id.removeprefix("avala.").split(".")]
    for value in args:
        words += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    for name, value in kwargs.items():
        option = "--" + name.replace("_", "-")
        if name in SECRETS:
            words.append(option + "-stdin")
            continue
        if pageable(endpoint_id) and name == "limit":
            option = "--page-size"
        if isinstance(value, bool):
            words.append(option if value else "--no-" + option[2:])
        elif isinstance(value, dict) or (isinstance(value, list) and _is_objects(value)):
            words += [option, json.dumps(value)]
        elif isinstance(value, list):
            for item in value:
                words += [option, str(item)]
        else:
            words += [option, str(value)]
    return [*words, "-o", "json"]


def stdin(kwargs: dict[str, Any]) -> str:
    """What the command reads on stdin: the secrets ``argv`` left out, a line each."""
    return "".join(f"{kwargs[name]}\n" for name in sorted(SECRETS) if name in kwargs)


def invoke(fake: FakeAvala, words: list[str], tmp: Path, **kw: Any) -> Result:
    env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp / "config")}
    return CliRunner().invoke(cli, words, env=env, catch_exceptions=False, **kw)


def wire(fake: FakeAvala) -> list[tuple[str, str, Any, Any]]:
    return [(r.method, r.path, r.query, r.body) for r in fake.requests]


@pytest.fixture
def twin(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeAvala, FakeAvala]]:
    """Two fresh fakes in the same state: one for the SDK, one for the command line."""
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    with FakeAvala() as for_sdk, FakeAvala() as for_cli:
        yield for_sdk, for_cli


CASES = [(e, everything) for e in sorted(ENDPOINTS) for everything in (False, True)]


@pytest.mark.parametrize(
    ("endpoint_id", "everything"),
    CASES,
    ids=[f"{e}-{'all' if a else 'required'}" for e, a in CASES],
)
def test_every_command_sends_what_the_builder_builds(
    endpoint_id: str, everything: bool, twin: tuple[FakeAvala, FakeAvala], tmp_path: Path
) -> None:
    """The command sends the same HTTP requests as the SDK given the same arguments, and
    exits with the documented code of the SDK's outcome (0 on success)."""
    for_sdk, for_cli = twin
    args, kwargs = arguments(endpoint_id, everything)
    try:
        request = builder_for(endpoint_id)(*args, **kwargs)
    except (ValueError, TypeError):  # refused while building: a usage error, nothing sent
        result = invoke(for_cli, argv(endpoint_id, args, kwargs), tmp_path, input=stdin(kwargs))
        assert result.exit_code == 2, result.output
        assert for_cli.requests == []
        return
    with Client(
        api_key=for_sdk.api_key, base_url=for_sdk.base_url, retry_policy=FAST_RETRY
    ) as client:
        outcome = client.run(request)
    result = invoke(for_cli, argv(endpoint_id, args, kwargs), tmp_path, input=stdin(kwargs))
    assert wire(for_cli) == wire(for_sdk)
    if isinstance(outcome, Failure):
        error = outcome.failure()
        assert result.exit_code == EXIT_CODES.get(type(error).__name__, 1), result.output
        assert result.stderr.startswith(f"error: {type(error).__name__}: ")
        assert result.stderr.count("\n") == 1
    else:
        assert result.exit_code == 0, result.output
        if outcome.unwrap() is not None:
            json.loads(result.stdout)  # one JSON document


def test_the_catalogue_names_every_group_of_the_endpoint_table() -> None:
    import avala
    from avala.cli._catalog import GROUPS, SUBGROUPS, TOP_COMMANDS

    module_level = {e for e in ENDPOINTS if e.startswith("avala.")}
    assert module_level == {"avala.signup"}
    assert set(GROUPS) == {e.split(".")[0] for e in set(ENDPOINTS) - module_level}
    assert set(SUBGROUPS) == {e.rsplit(".", 1)[0] for e in ENDPOINTS if e.count(".") == 2}
    client = Client(api_key="k" * 10)
    for name, group in GROUPS.items():
        assert type(getattr(client, name)).__name__ == group.cls
    assert {f"avala.{name}" for name in TOP_COMMANDS} == module_level
    for name, top in TOP_COMMANDS.items():
        assert getattr(avala, name) is builder_for(f"avala.{name}")
        assert top.function == name


def test_every_endpoint_has_exactly_one_command() -> None:
    """Walk the command tree as a user would (help listings), and find every endpoint, and
    the transfer workflows, which are commands but not endpoints."""
    from avala.cli._catalog import WORKFLOWS

    runner = CliRunner()
    found = set()

    def walk(path: list[str]) -> None:
        help_text = runner.invoke(cli, [*path, "--help"]).output
        if "Commands:" not in help_text:
            # a top-level command is a function of the avala module (`avala signup`)
            words = ["avala", *path] if len(path) == 1 else path
            found.add(".".join(w.replace("-", "_") for w in words))
            return
        for line in help_text.split("Commands:")[1].splitlines():
            if line.strip():
                walk([*path, line.split()[0]])

    for group in runner.invoke(cli, ["--help"]).output.split("Commands:")[1].splitlines():
        name = group.split()[0] if group.strip() else ""
        if name and name not in ("completion", "configure"):
            walk([name])
    assert found == set(ENDPOINTS) | set(WORKFLOWS)


# --- output -------------------------------------------------------------------------------


def seeded(fake: FakeAvala, n: int) -> list[dict[str, Any]]:
    return [fake.add_project(name=f"p{i}", uid=f"prj-{i:03d}") for i in range(n)]


def decoded_projects(text: str) -> list[Project]:
    return [structure(item, Project).unwrap() for item in json.loads(text)]


def test_json_output_has_real_types_and_decodes_back_to_the_sdk_values(
    fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seeded(fake, 3)
    result = invoke(fake, ["projects", "list", "-o", "json"], tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    first = data[0]
    assert first["uid"] == "prj-000"
    datetime.fromisoformat(first["created_at"])  # ISO 8601
    sdk_items = client.run_or_raise(client.projects.list()).items
    assert tuple(decoded_projects(result.stdout)) == sdk_items


def test_a_missing_value_is_null_and_numbers_are_numbers(fake: FakeAvala, tmp_path: Path) -> None:
    fake.add_dataset(uid="ds-1", item_count=1200, predefined_labels=None)
    result = invoke(fake, ["datasets", "get", "ds-1", "-o", "json"], tmp_path)
    data = json.loads(result.stdout)
    assert data["item_count"] == 1200
    assert "predefined_labels" not in data or data["predefined_labels"] is None
    assert None in data.values()


def test_all_walks_every_page_and_limit_stops_early(fake: FakeAvala, tmp_path: Path) -> None:
    seeded(fake, 7)
    every = invoke(fake, ["projects", "list", "--all", "--page-size", "2", "-o", "jsonl"], tmp_path)
    lines = every.stdout.splitlines()
    assert [json.loads(line)["uid"] for line in lines] == [f"prj-{i:03d}" for i in range(7)]
    assert len([r for r in fake.requests if r.path.endswith("/projects/")]) == 4
    fake.clear_requests()
    some = invoke(fake, ["projects", "list", "--limit", "3", "--page-size", "2"], tmp_path)
    assert [p["uid"] for p in json.loads(some.stdout)] == ["prj-000", "prj-001", "prj-002"]
    assert len(fake.requests) == 2  # the third page is never fetched
    one_page = invoke(fake, ["projects", "list", "--page-size", "2"], tmp_path)
    assert len(json.loads(one_page.stdout)) == 2


def test_a_failure_midway_through_a_walk_leaves_no_complete_json(
    fake: FakeAvala, tmp_path: Path
) -> None:
    from avala.testing import Fault

    seeded(fake, 4)
    # the first page is served (a zero delay passes through), the second is a 404
    fake.inject(Fault.delay(0), Fault.status(404), path="/users/me/projects/")
    result = invoke(fake, ["projects", "list", "--all", "--page-size", "2"], tmp_path)
    assert result.exit_code == 4
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)
    assert result.stdout.count('"uid"') == 2


def test_piped_output_defaults_to_json_and_a_table_is_drawn_when_asked(
    fake: FakeAvala, tmp_path: Path
) -> None:
    seeded(fake, 2)
    piped = invoke(fake, ["projects", "list"], tmp_path)
    assert [p["name"] for p in json.loads(piped.stdout)] == ["p0", "p1"]
    table = invoke(fake, ["projects", "list", "-o", "table"], tmp_path)
    assert "┃ uid" in table.stdout and "p1" in table.stdout
    single = invoke(fake, ["projects", "get", "prj-001", "-o", "table"], tmp_path)
    assert "name" in single.stdout and "p1" in single.stdout


def test_table_cells_show_markup_as_text(fake: FakeAvala, tmp_path: Path) -> None:
    fake.add_project(uid="prj-x", name="[bold red]x[/]")
    result = invoke(fake, ["projects", "get", "prj-x", "-o", "table"], tmp_path)
    assert "[bold red]x[/]" in result.stdout


# --- create and update: flags and --json ---------------------------------------------------


def test_create_takes_flags_repeated_options_and_booleans(fake: FakeAvala, tmp_path: Path) -> None:
    words = ["webhooks", "create", "--target-url", "https://h.example/x"]
    words += ["--events", "export.done", "--events", "task.done", "--no-is-active"]
    result = invoke(fake, words, tmp_path)
    assert result.exit_code == 0, result.output
    assert fake.requests[-1].body == {
        "target_url": "https://h.example/x",
        "events": ["export.done", "task.done"],
        "is_active": False,
    }
    assert json.loads(result.stdout)["target_url"] == "https://h.example/x"


def test_json_body_from_a_file_or_stdin_and_flags_win(fake: FakeAvala, tmp_path: Path) -> None:
    body = {"name": "from-json", "type": "camera", "tags": ["a"], "metadata": {"n": 1}}
    path = tmp_path / "device.json"
    path.write_text(json.dumps(body))
    from_file = invoke(fake, ["fleet", "devices", "register", "--json", f"@{path}"], tmp_path)
    assert from_file.exit_code == 0, from_file.output
    assert fake.requests[-1].body == body
    words = ["fleet", "devices", "register", "--json", "-", "--name", "from-flag"]
    from_stdin = invoke(fake, words, tmp_path, input=json.dumps(body))
    assert from_stdin.exit_code == 0, from_stdin.output
    assert fake.requests[-1].body == {**body, "name": "from-flag"}


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (["--json", '{"nmae": "x", "type": "t"}'], "unknown keys ['nmae']"),
        (["--json", "[1]"], "JSON object"),
        (["--json", "{oops"], "not JSON"),
        (["--type", "camera"], "missing --name"),
        (["--name", "n", "--type", "t", "--metadata", "{oops"], "not JSON"),
    ],
)
def test_a_bad_body_is_a_usage_error_and_sends_nothing(
    fake: FakeAvala, tmp_path: Path, words: list[str], says: str
) -> None:
    result = invoke(fake, ["fleet", "devices", "register", *words], tmp_path)
    assert result.exit_code == 2
    assert says in result.stderr
    assert fake.requests == []


def test_a_refused_argument_is_a_usage_error(fake: FakeAvala, tmp_path: Path) -> None:
    result = invoke(fake, ["exports", "create"], tmp_path)
    assert result.exit_code == 2 and "needs something to export" in result.stderr
    assert fake.requests == []


# --- auth, profiles and secrets -------------------------------------------------------------


def test_the_key_from_stdin_wins_over_the_environment(fake: FakeAvala, tmp_path: Path) -> None:
    fake.add_project(uid="prj-1")
    env = {**fake.env(), "AVALA_API_KEY": "wrong-key-from-env", "AVALA_CONFIG_DIR": str(tmp_path)}
    words = ["projects", "get", "prj-1", "--api-key-stdin"]
    ok = CliRunner().invoke(cli, words, env=env, input=fake.api_key + "\n")
    assert ok.exit_code == 0, ok.output
    refused = CliRunner().invoke(cli, words[:-1], env=env)
    assert refused.exit_code == 3
    assert refused.stderr == "error: AuthenticationError: Invalid API key. (HTTP 401)\n"


def test_configure_checks_the_key_then_writes_a_private_profile(
    fake: FakeAvala, tmp_path: Path
) -> None:
    import stat
    import tomllib

    env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp_path / "cfg")}
    del env["AVALA_API_KEY"]
    runner = CliRunner()
    piped = runner.invoke(cli, ["configure"], env=env, input="key\n")
    assert piped.exit_code == 2 and "--api-key-stdin" in piped.stderr
    words = ["configure", "--api-key-stdin"]
    bad = runner.invoke(cli, words, env=env, input="not-the-key\n")
    assert bad.exit_code == 3 and not (tmp_path / "cfg").exists()
    good = runner.invoke(cli, [*words, "--profile", "ci"], env=env, input=fake.api_key + "\n")
    assert good.exit_code == 0, good.output
    assert fake.api_key not in good.output
    path = tmp_path / "cfg" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert tomllib.loads(path.read_text()) == {
        "ci": {"api_key": fake.api_key, "base_url": fake.base_url}
    }
    fake.add_project(uid="prj-1")
    del env["AVALA_BASE_URL"]  # the profile's base URL is used
    used = runner.invoke(cli, ["projects", "get", "prj-1", "--profile", "ci"], env=env)
    assert used.exit_code == 0, used.output
    missing = runner.invoke(cli, ["projects", "get", "prj-1", "--profile", "nope"], env=env)
    assert missing.exit_code == 2 and "no profile 'nope'" in missing.stderr


def test_the_environment_key_wins_over_the_profile(fake: FakeAvala, tmp_path: Path) -> None:
    from avala.cli._profiles import dump_toml

    (tmp_path / "config.toml").write_text(
        dump_toml({"default": {"api_key": "profile-key-wrong", "base_url": fake.base_url}})
    )
    fake.add_project(uid="prj-1")
    env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp_path)}
    assert CliRunner().invoke(cli, ["projects", "get", "prj-1"], env=env).exit_code == 0
    env["AVALA_API_KEY"] = ""
    assert CliRunner().invoke(cli, ["projects", "get", "prj-1"], env=env).exit_code == 3


def test_without_any_key_the_command_says_how_to_give_one(tmp_path: Path) -> None:
    env = {"AVALA_API_KEY": "", "AVALA_CONFIG_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["projects", "list"], env=env)
    assert result.exit_code == 3 and "avala configure" in result.stderr


KNOWN_KEY = "sk-live-0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"detail": f"Invalid API key {KNOWN_KEY}"}),
        (404, {"detail": f"no such thing for {KNOWN_KEY}"}),
        (400, {"name": [f"bad: {KNOWN_KEY}"]}),
        (500, {"detail": f"boom {KNOWN_KEY}"}),
    ],
)
def test_the_key_is_never_printed_even_when_the_server_echoes_it(
    tmp_path: Path, status: int, body: Mapping[str, Any]
) -> None:
    from avala.testing import Fault

    with FakeAvala(api_key=KNOWN_KEY) as fake:
        fake.inject(*[Fault.status(status, body=dict(body))] * 3)
        words = ["projects", "get", "prj-1", "--api-key-stdin"]
        env = {**fake.env(), "AVALA_API_KEY": "", "AVALA_CONFIG_DIR": str(tmp_path)}
        result = CliRunner().invoke(cli, words, env=env, input=KNOWN_KEY + "\n")
    assert result.exit_code != 0
    assert KNOWN_KEY not in result.stdout and KNOWN_KEY not in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


# --- anonymous commands: the resolver and signup --------------------------------------------

KEY_HEADER = "x-avala-api-key"


def no_key_env(fake: FakeAvala, tmp_path: Path) -> dict[str, str]:
    """The fake's base URL, and no key anywhere: not in the environment, no profile."""
    return {**fake.env(), "AVALA_API_KEY": "", "AVALA_CONFIG_DIR": str(tmp_path / "none")}


def sent_a_key(fake: FakeAvala) -> bool:
    return any(KEY_HEADER in {h.lower() for h in r.headers} for r in fake.requests)


def test_the_resolver_runs_without_any_key_and_sends_none(fake: FakeAvala, tmp_path: Path) -> None:
    revision = fake.publish_revision("acme", "lanes", {"a.bin": b"a", "b.bin": b"bb"})["document"]
    env = no_key_env(fake, tmp_path)
    resolved = CliRunner().invoke(cli, ["resolver", "resolve-reference", "acme", "lanes"], env=env)
    assert resolved.exit_code == 0, resolved.output
    assert json.loads(resolved.stdout)["canonical_reference"] == revision["canonical_reference"]
    assert unquote(fake.requests[-1].path) == "/resolve/acme/lanes@main/"  # the default selector
    words = ["resolver", "list-objects", revision["dataset_uid"], revision["revision_sha256"]]
    listed = CliRunner().invoke(cli, [*words, "--all", "-o", "jsonl"], env=env)
    assert listed.exit_code == 0, listed.output
    assert len(listed.stdout.splitlines()) == 2
    assert not sent_a_key(fake)


def test_an_anonymous_command_sends_no_key_even_when_one_is_configured(
    fake: FakeAvala, tmp_path: Path
) -> None:
    fake.publish_revision("acme", "lanes", {"a.bin": b"a"})
    env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp_path)}
    words = ["resolver", "resolve-reference", "acme", "lanes", "main"]
    result = CliRunner().invoke(cli, words, env=env)
    assert result.exit_code == 0, result.output
    assert fake.requests and not sent_a_key(fake)
    assert "--api-key-stdin" not in CliRunner().invoke(cli, [*words[:2], "--help"]).output


PASSWORD = "correct horse battery staple"


def test_signup_reads_the_password_from_stdin_and_prints_the_new_key_on_stdout(
    fake: FakeAvala, tmp_path: Path
) -> None:
    words = ["signup", "--email", "ada@example.com", "--password-stdin", "--first-name", "Ada"]
    result = CliRunner().invoke(cli, words, env=no_key_env(fake, tmp_path), input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert fake.requests[-1].body == {
        "email": "ada@example.com",
        "password": PASSWORD,  # the whole line, inner spaces kept
        "first_name": "Ada",
    }
    assert not sent_a_key(fake)
    answer = json.loads(result.stdout)
    assert answer["user"]["email"] == "ada@example.com"
    assert len(answer["api_key"]) >= 20
    assert answer["api_key"] not in result.stderr
    assert PASSWORD not in result.stdout and PASSWORD not in result.stderr


@pytest.mark.parametrize(
    ("words", "stdin", "says"),
    [
        (["--password", PASSWORD], "", "No such option '--password'"),
        ([], PASSWORD + "\n", "--password-stdin"),  # piped stdin, no flag: no prompt
        (["--password-stdin"], "\n", "no password given"),
        (["--password-stdin", "--json", "-"], PASSWORD + "\n", "only one of"),
        (["--json", json.dumps({"password": PASSWORD})], "", "unknown keys ['password']"),
    ],
)
def test_signup_takes_the_password_from_no_flag_and_nowhere_but_stdin_or_a_prompt(
    fake: FakeAvala, tmp_path: Path, words: list[str], stdin: str, says: str
) -> None:
    base = ["signup", "--email", "ada@example.com"]
    result = CliRunner().invoke(cli, [*base, *words], env=no_key_env(fake, tmp_path), input=stdin)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert fake.requests == []
    assert PASSWORD not in result.stderr


def test_a_password_the_server_echoes_back_is_not_printed(fake: FakeAvala, tmp_path: Path) -> None:
    from avala.testing import Fault

    fake.inject(Fault.status(400, body={"email": [f"not an email, but {PASSWORD}?"]}))
    words = ["signup", "--email", "ada@example.com", "--password-stdin"]
    result = CliRunner().invoke(cli, words, env=no_key_env(fake, tmp_path), input=PASSWORD + "\n")
    assert result.exit_code == 5, result.output
    assert result.stderr.startswith("error: ValidationError: ")
    assert PASSWORD not in result.stderr and PASSWORD not in result.stdout
    assert "[REDACTED]" in result.stderr


def test_lists_of_numbers_are_repeated_options_or_trailing_arguments(
    fake: FakeAvala, tmp_path: Path
) -> None:
    words = [
        "datasets",
        "manual-upload-parts",
        "up-1",
        "--part-numbers",
        "3",
        "--part-numbers",
        "1",
    ]
    invoke(fake, words, tmp_path)
    assert fake.requests[-1].body == {"part_numbers": [3, 1]}
    uids = ["rec-1", "ses-1", "file-1", "gen-1"]
    invoke(fake, ["fleet", "uploads", "managed-multipart-parts", *uids, "2", "5"], tmp_path)
    assert fake.requests[-1].body["numbers"] == [2, 5]
    fake.clear_requests()
    refused = invoke(fake, [*words[:3], "--part-numbers", "two"], tmp_path)
    assert refused.exit_code == 2 and fake.requests == []


def test_an_optional_argument_left_out_is_the_builders_default(
    fake: FakeAvala, tmp_path: Path
) -> None:
    uids = ["rec-1", "ses-1", "file-1", "gen-1"]
    words = ["fleet", "uploads", "managed-multipart-progress"]
    invoke(fake, [*words, *uids], tmp_path)
    invoke(fake, [*words, *uids, "7"], tmp_path)
    assert [r.query["after"] for r in fake.requests] == [["0"], ["7"]]


# --- waits, completion, version -------------------------------------------------------------


def test_a_wait_prints_the_finished_value(fake: FakeAvala, tmp_path: Path) -> None:
    fake.add_export(uid="exp-1")
    result = invoke(fake, ["exports", "wait", "exp-1", "--interval", "0.5"], tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "exported"
    assert result.stderr == ""  # no progress display when stderr is not a terminal


def test_a_failed_export_ends_the_wait_with_the_typed_error(
    fake: FakeAvala, tmp_path: Path
) -> None:
    fake.add_project(uid="prj-bad")
    fake.add_export(uid="exp-1", project="prj-bad")
    fake.export_failures = {"prj-bad"}
    result = invoke(fake, ["exports", "wait", "exp-1", "--interval", "0.5"], tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: TerminalStatusError: ")


def test_version_and_completion_scripts() -> None:
    from avala import __version__

    runner = CliRunner()
    assert runner.invoke(cli, ["--version"]).output == f"avala {__version__}\n"
    for shell, marker in (("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete")):
        script = runner.invoke(cli, ["completion", shell])
        assert script.exit_code == 0 and marker in script.output
        assert "_AVALA_COMPLETE" in script.output


def test_completion_completes_groups_commands_and_options() -> None:
    def complete(words: str) -> list[str]:
        env = {"_AVALA_COMPLETE": "bash_complete", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        output = CliRunner().invoke(cli, [], env=env, prog_name="avala").output
        return [line.split(",", 1)[1] for line in output.splitlines()]

    assert "projects" in complete("avala pro")
    assert set(complete("avala fleet ")) >= {"devices", "alert-channels"}
    assert complete("avala exports w") == ["wait"]
    assert "--page-size" in complete("avala projects list --p")
