"""The installed `avala` script and `python -m avala.testing serve`, as separate processes,
and one run in a real terminal (tmux): the wait's progress display and Ctrl-C."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from avala.testing import FakeAvala, StorageFault

BIN = Path(sys.executable).parent
AVALA = BIN / "avala"
TMUX = shutil.which("tmux")


@pytest.fixture(scope="module")
def avala_script() -> Path:
    assert AVALA.exists(), f"no {AVALA}: install the cli extra (make, or pip install -e '.[cli]')"
    return AVALA


def run(
    script: Path, *words: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(script), *words], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


class Served:
    """A `python -m avala.testing serve` process and what it printed."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "avala.testing", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        self.env: dict[str, str] = {}
        for _ in range(3):  # then NAME=value lines: the environment that points at it
            name, value = self.process.stdout.readline().strip().split("=", 1)
            self.env[name] = value

    def stop(self, signum: int) -> tuple[int, str]:
        self.process.send_signal(signum)
        _, err = self.process.communicate(timeout=20)
        return self.process.returncode, err


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"projects": [{"name": "Lanes"}, {"name": "Signs"}]}))
    server = Served("--seed", str(seed))
    try:
        yield server
    finally:
        if server.process.poll() is None:
            try:  # a stop the fake sees, so it removes its object store's temporary directory
                server.stop(signal.SIGTERM)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=10)


def client_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {**os.environ, **env, "AVALA_CONFIG_DIR": str(tmp_path / "config")}


def test_done_check_list_every_project_from_the_standalone_fake(
    avala_script: Path, served: Served, tmp_path: Path
) -> None:
    """The issue's check: serve, point AVALA_BASE_URL at the printed URL, list --all -o json."""
    assert served.base_url.startswith("http://127.0.0.1:") and served.base_url.endswith("/api/v1")
    assert served.env["AVALA_BASE_URL"] == served.base_url
    help_text = run(avala_script, "--help", env=client_env({}, tmp_path))
    assert help_text.returncode == 0 and "projects" in help_text.stdout
    listed = run(
        avala_script,
        "projects",
        "list",
        "--all",
        "-o",
        "json",
        env=client_env(served.env, tmp_path),
    )
    assert listed.returncode == 0, listed.stderr
    projects = json.loads(listed.stdout)
    assert [p["name"] for p in projects] == ["Lanes", "Signs"]
    assert all(isinstance(p["uid"], str) for p in projects)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly_on_a_signal(served: Served, signum: int) -> None:
    code, err = served.stop(signum)
    assert code == 0, err
    assert "stopped" in err and "Traceback" not in err


def test_serve_listens_on_the_port_asked_for() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Served("--port", str(port), "--api-key", "fixed-test-key")
    try:
        assert server.base_url == f"http://127.0.0.1:{port}/api/v1"
        assert server.env["AVALA_API_KEY"] == "fixed-test-key"
    finally:
        assert server.stop(signal.SIGTERM)[0] == 0


def test_serve_refuses_a_seed_that_is_not_records(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"projects": {"name": "not a list"}}')
    done = subprocess.run(
        [sys.executable, "-m", "avala.testing", "serve", "--seed", str(seed)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "collection names to arrays of objects" in done.stderr


def test_a_sample_of_commands_in_a_subprocess(
    avala_script: Path, served: Served, tmp_path: Path
) -> None:
    env = client_env(served.env, tmp_path)
    version = run(avala_script, "--version", env=env)
    assert version.returncode == 0 and version.stdout.startswith("avala ")
    missing = run(avala_script, "datasets", "get", "ds-nope", env=env)
    assert missing.returncode == 4
    assert missing.stderr == "error: NotFoundError: Not found. (HTTP 404)\n"
    created = run(
        avala_script, "fleet", "devices", "register", "--name", "cam", "--type", "camera", env=env
    )
    assert created.returncode == 0, created.stderr
    device = json.loads(created.stdout)
    listed = run(avala_script, "fleet", "devices", "list", "-o", "jsonl", env=env)
    assert [json.loads(line)["uid"] for line in listed.stdout.splitlines()] == [device["uid"]]
    project = json.loads(run(avala_script, "projects", "list", "--limit", "1", env=env).stdout)[0]
    export = json.loads(
        run(avala_script, "exports", "create", "--project", project["uid"], env=env).stdout
    )
    waited = run(avala_script, "exports", "wait", export["uid"], "--interval", "0.5", env=env)
    assert waited.returncode == 0, waited.stderr
    assert json.loads(waited.stdout)["status"] == "exported"
    usage = run(avala_script, "projects", "list", "--limit", "0", env=env)
    assert usage.returncode == 2
    key = served.env["AVALA_API_KEY"]
    wrong = run(avala_script, "projects", "list", "--api-key-stdin", env=env, stdin="wrong-key\n")
    assert wrong.returncode == 3 and "AuthenticationError" in wrong.stderr
    for done in (missing, created, listed, waited, usage, wrong):
        assert key not in done.stdout and key not in done.stderr


def test_the_help_imports_neither_the_builders_nor_rich(avala_script: Path, tmp_path: Path) -> None:
    """Startup: `avala --help` reads the static catalogue only (point 8 of issue 14)."""
    probe = (
        "import sys; from avala.cli import cli\n"
        "try:\n    cli.main(['--help'], prog_name='avala')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rich', 'avala.cli._'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    loaded = done.stdout.strip().splitlines()[-1]
    assert "rich" not in loaded and "_generate" not in loaded and "_runtime" not in loaded, loaded


# --- a real terminal -------------------------------------------------------------------------


class Terminal:
    """A tmux server of our own (its own socket), with one session running a command."""

    def __init__(self, command: str) -> None:
        assert TMUX is not None
        self.socket_name = f"avala-test-{uuid.uuid4().hex[:8]}"
        self.tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "20", command)

    def tmux(self, *words: str) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket_name, *words], capture_output=True, text=True, timeout=30
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while text not in (pane := self.screen()) and time.monotonic() < deadline:
            time.sleep(0.2)
        return pane

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def close(self) -> None:
        self.tmux("kill-server")


def in_terminal(env: dict[str, str], script: Path, words: str, exit_file: Path) -> str:
    """A shell command that runs `avala` with this environment and records its exit code."""
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    return (
        f"env {assignments} {script} {words}; echo EXIT=$? > {shlex.quote(str(exit_file))}; "
        "sleep 60"
    )


def exit_code_of(exit_file: Path, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return exit_file.read_text().strip() if exit_file.exists() else "none"


def interrupt_in_terminal(
    command: str, exit_file: Path, until: Callable[[], bool], shown: tuple[str, ...]
) -> None:
    """Run ``command`` in a terminal; once ``until()`` holds (30 s at most), check the bar
    shows ``shown``, press Ctrl-C, and check the exit: 130 and the resume hint alone."""
    terminal = Terminal(command)
    try:
        deadline = time.monotonic() + 30
        while not until() and time.monotonic() < deadline:
            time.sleep(0.2)
        pane = terminal.wait_for("%")
        assert all(text in pane for text in shown), pane
        terminal.send("C-c")
        code = exit_code_of(exit_file)
        pane = terminal.screen()
        assert code == "EXIT=130", pane
        assert "error: interrupted; run the same command again to resume" in pane, pane
        assert "Traceback" not in pane, pane
    finally:
        terminal.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_a_wait_in_a_terminal_shows_progress_and_ctrl_c_exits_130(
    avala_script: Path, tmp_path: Path
) -> None:
    exit_file = tmp_path / "exit"
    with FakeAvala() as fake:
        fake.add_export(uid="exp-stuck", status="queued")  # the fake never moves it on
        env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp_path)}
        words = "exports wait exp-stuck --interval 0.5 --timeout 600"
        terminal = Terminal(in_terminal(env, avala_script, words, exit_file))
        try:
            pane = terminal.wait_for("(poll 2)")
            assert "exports: status queued (poll" in pane, pane
            terminal.send("C-c")
            code = exit_code_of(exit_file)
            pane = terminal.screen()
            assert code == "EXIT=130", pane
            assert "error: interrupted" in pane and "Traceback" not in pane, pane
        finally:
            terminal.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_configure_in_a_terminal_prompts_without_echoing_the_key(
    avala_script: Path, tmp_path: Path
) -> None:
    exit_file = tmp_path / "exit"
    with FakeAvala() as fake:
        env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp_path / "cfg")}
        del env["AVALA_API_KEY"]
        terminal = Terminal(in_terminal(env, avala_script, "configure", exit_file))
        try:
            terminal.wait_for("API key:")
            terminal.send(fake.api_key, "Enter")
            code = exit_code_of(exit_file)
            pane = terminal.screen()
            assert code == "EXIT=0", pane
            assert fake.api_key not in pane and "saved profile 'default'" in pane, pane
        finally:
            terminal.close()
    assert fake.api_key in (tmp_path / "cfg" / "config.toml").read_text()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_signup_in_a_terminal_asks_for_the_password_twice_without_echoing_it(
    avala_script: Path, tmp_path: Path
) -> None:
    password = "s3cret-typed-in-a-terminal"
    exit_file = tmp_path / "exit"
    with FakeAvala() as fake:
        env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp_path / "cfg")}
        del env["AVALA_API_KEY"]  # anonymous: no key needed
        words = "signup --email ada@example.com -o json"
        terminal = Terminal(in_terminal(env, avala_script, words, exit_file))
        try:
            terminal.wait_for("Password:")
            terminal.send(password, "Enter")
            terminal.wait_for("Repeat for confirmation:")
            terminal.send(password, "Enter")
            code = exit_code_of(exit_file)
            pane = terminal.screen()
            assert code == "EXIT=0", pane
            assert password not in pane and '"api_key"' in pane, pane
        finally:
            terminal.close()
        assert fake.requests[-1].body["password"] == password


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_an_upload_in_a_terminal_shows_a_bar_ctrl_c_exits_130_and_a_rerun_resumes(
    avala_script: Path, tmp_path: Path
) -> None:
    part = 5 * 1024 * 1024
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(4 * part + 1))  # 5 parts
    exit_file = tmp_path / "exit"
    with FakeAvala() as fake:
        fake.multipart_threshold = 0
        fake.part_size = part
        key = f"__u__=/{fake.user_uid}/cams/big.bin"
        # two parts are stored, then every PUT is held after its body is read: a slow store
        # (held far longer than the 30 s the test waits for the exit: Ctrl-C must not wait)
        fake.objects.inject(*[StorageFault.delay(120)] * 5, method="PUT", skip=2)
        env = {
            **fake.env(),
            "AVALA_CONFIG_DIR": str(tmp_path / "cfg"),
            "AVALA_STATE_DIR": str(tmp_path / "state"),
        }
        words = f"datasets upload-files cams {shlex.quote(str(source))} --workers 2"
        interrupt_in_terminal(
            in_terminal(env, avala_script, words, exit_file),
            exit_file,
            lambda: fake.objects.bytes_received[key] >= 4 * part,  # two stored, two held
            ("uploading to cams", "0/1 files"),
        )

        fake.objects.clear_faults()
        first = fake.objects.bytes_received[key]
        rerun = run(
            avala_script,
            *shlex.split(words),
            "-o",
            "json",
            env=client_env(env, tmp_path),
        )
        assert rerun.returncode == 0, rerun.stderr
        assert rerun.stderr == ""  # not a terminal: no bar
        report = json.loads(rerun.stdout)
        assert report["stored"] == ["big.bin"]
        resent = fake.objects.bytes_received[key] - first
        assert resent == report["bytes_sent"] < source.stat().st_size
        assert fake.objects.get(key) == source.read_bytes()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_a_recording_upload_in_a_terminal_shows_a_bar_ctrl_c_exits_130_and_a_rerun_resumes(
    avala_script: Path, tmp_path: Path
) -> None:
    source = tmp_path / "rec"
    tree = {"cam/front.mcap": 300_000, "cam/rear.mcap": 200_001, "meta.json": 12}
    for name, size in tree.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(os.urandom(size))
    exit_file = tmp_path / "exit"
    with FakeAvala() as fake:
        fake.store.insert("fleet_devices", {"uid": "dev-1", "name": "Robot"})
        fake.store.insert("fleet_recordings", {"uid": "rec-1", "device": "dev-1"})
        # two files are stored and confirmed, then every PUT is held (far longer than the
        # 30 s the test waits for the exit: Ctrl-C must not wait)
        fake.objects.inject(*[StorageFault.delay(120)] * 3, method="PUT", skip=2)
        env = {
            **fake.env(),
            "AVALA_CONFIG_DIR": str(tmp_path / "cfg"),
            "AVALA_STATE_DIR": str(tmp_path / "state"),
        }
        words = f"fleet uploads upload-recording rec-1 {shlex.quote(str(source))} --workers 1"

        def confirmed() -> set[str]:
            calls = [r for r in fake.requests if r.path.endswith("/upload/confirm/")]
            return {f["path"] for call in calls for f in call.body["files"]}

        interrupt_in_terminal(
            in_terminal(env, avala_script, words, exit_file),
            exit_file,
            lambda: len(confirmed()) >= 2,
            ("uploading recording rec-1", "files"),
        )

        fake.objects.clear_faults()
        done = confirmed()
        assert len(done) == 2
        rerun = run(avala_script, *shlex.split(words), "-o", "json", env=client_env(env, tmp_path))
        assert rerun.returncode == 0, rerun.stderr
        assert rerun.stderr == ""  # not a terminal: no bar
        report = json.loads(rerun.stdout)
        assert sorted(report["skipped"]) == sorted(done)
        assert sorted(report["stored"]) == sorted(set(tree) - done)
        assert report["status"] == "completed"
        (session,) = fake.store.where("fleet_upload_sessions", recording_uid="rec-1")
        for name in tree:
            assert fake.objects.get(session["s3_prefix"] + name) == (source / name).read_bytes()
