"""The scripts in examples/ against FakeAvala: what they send, what they print, their exit codes."""

from __future__ import annotations

import importlib.util
import io
import json
import runpy
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from avala import Client
from avala.testing import FakeAvala, Fault

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


export_annotations = load("export_annotations")
monitor_auto_label = load("monitor_auto_label")
mirror_webhooks = load("mirror_webhooks")
dataset_health_report = load("dataset_health_report")
download_export = load("download_export")

WRITES = ("POST", "PATCH", "PUT", "DELETE")


def sent(fake: FakeAvala, method: str | None = None, path: str | None = None) -> list[Any]:
    return [
        r
        for r in fake.requests
        if (method is None or r.method == method) and (path is None or r.path == path)
    ]


# --- export_annotations --------------------------------------------------------------------


def test_export_prints_only_the_download_url(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    project = fake.add_project(name="Lanes")
    code = export_annotations.main(client, project=project["uid"], interval=0.5, timeout=30)
    out, err = capsys.readouterr()
    (export,) = fake.store.all("exports")
    assert code == 0
    assert out == f"{export['download_url']}\n"
    assert f"export {export['uid']} started" in err
    (create,) = sent(fake, "POST", "/exports/")
    assert create.body == {"project": project["uid"]}
    assert create.headers.get("idempotency-key")
    assert [r.path for r in sent(fake, "GET")] == [f"/exports/{export['uid']}/"] * 2


def test_export_of_a_dataset(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = fake.add_dataset(name="Cams")
    assert export_annotations.main(client, dataset=dataset["uid"], timeout=0) == 2
    assert f"of dataset {dataset['uid']} is still 'processing'" in capsys.readouterr().err
    assert sent(fake, "POST")[0].body == {"dataset": dataset["uid"]}


def test_export_that_fails_exits_1(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    project = fake.add_project()
    fake.export_failures.add(project["uid"])
    assert export_annotations.main(client, project=project["uid"], interval=0.5) == 1
    out, err = capsys.readouterr()
    assert out == "" and "ended as 'failed'" in err


def test_export_still_running_at_timeout_exits_2(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    project = fake.add_project()
    assert export_annotations.main(client, project=project["uid"], timeout=0) == 2
    out, err = capsys.readouterr()
    assert out == "" and "still 'processing'" in err


def test_export_of_an_unknown_project_exits_1(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export_annotations.main(client, project="prj-missing") == 1
    assert "cannot export project prj-missing" in capsys.readouterr().err
    assert fake.store.count("exports") == 0


def test_export_needs_exactly_one_target(client: Client) -> None:
    with pytest.raises(ValueError):
        export_annotations.main(client)


# --- monitor_auto_label --------------------------------------------------------------------


def test_monitor_starts_a_job_and_follows_it_to_completion(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    project = fake.add_project()
    for _ in range(4):
        fake.add_task(project=project["uid"])
    code = monitor_auto_label.main(
        client, project=project["uid"], model_type="yolo", labels=["car", "truck"], interval=0
    )
    out = capsys.readouterr().out.splitlines()
    (job,) = fake.store.all("auto_label_jobs")
    assert code == 0
    (create,) = sent(fake, "POST")
    assert create.path == f"/projects/{project['uid']}/auto-label/"
    assert create.body == {"model_type": "yolo", "labels": ["car", "truck"]}
    assert out[0] == f"started auto-label job {job['uid']} on project {project['uid']}"
    assert "running" in out[1] and "2/4 items" in out[1] and "50.0%" in out[1]
    assert "completed" in out[2] and "4/4 items" in out[2]
    assert out[3] == f"job {job['uid']} completed: 4 labelled, 0 failed, 0 skipped"
    assert len(sent(fake, "GET")) == 2


def test_monitor_follows_an_existing_job_that_failed(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    job = fake.store.insert(
        "auto_label_jobs",
        {
            "status": "failed",
            "total_items": 10,
            "processed_items": 3,
            "failed_items": 3,
            "error_message": "model endpoint unreachable",
        },
    )
    assert monitor_auto_label.main(client, job=job["uid"], interval=0) == 1
    out, err = capsys.readouterr()
    assert "failed" in out and "3/10 items" in out
    assert f"job {job['uid']} failed: model endpoint unreachable" in err
    assert sent(fake, "POST") == []


def test_monitor_timeout_exits_2_with_a_resume_hint(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    job = fake.store.insert("auto_label_jobs", {"status": "pending", "total_items": 2})
    assert monitor_auto_label.main(client, job=job["uid"], interval=0, timeout=0) == 2
    assert f"resume with --job {job['uid']}" in capsys.readouterr().err


def test_monitor_on_an_unknown_project_exits_1(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert monitor_auto_label.main(client, project="prj-missing") == 1
    assert "could not start" in capsys.readouterr().err


def test_progress_line_rewrites_itself_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = monitor_auto_label.ProgressLine(screen)
    job = monitor_auto_label.AutoLabelJob
    progress(job(uid="j", status="running", total_items=4, processed_items=2))
    progress(job(uid="j", status="running", total_items=4, processed_items=2))  # unchanged
    progress(job(uid="j", status="completed", total_items=4, processed_items=4))
    progress.end()
    text = screen.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and text.count("\n") == 1
    assert "2/4 items  50.0%" in text and "4/4 items 100.0%" in text


# --- mirror_webhooks -----------------------------------------------------------------------


def write_config(path: Path, hooks: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"webhooks": hooks}))
    return path


@pytest.fixture
def hooks_file(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "webhooks.json",
        [
            {"target_url": "https://a.example.com/hook", "events": ["b.event", "a.event"]},
            {"target_url": "https://b.example.com/hook", "events": ["y", "z"], "is_active": False},
            {"target_url": "https://c.example.com/hook", "events": ["c"], "secret": "s3cret"},
        ],
    )


def seed_hooks(fake: FakeAvala) -> None:
    base = {"is_active": True, "secret": "whsec_x"}
    fake.store.insert(
        "webhooks",
        {
            **base,
            "uid": "wh-a",
            "target_url": "https://a.example.com/hook",
            "events": ["a.event", "b.event"],
        },
    )
    fake.store.insert(
        "webhooks",
        {**base, "uid": "wh-b", "target_url": "https://b.example.com/hook", "events": ["y"]},
    )
    fake.store.insert(
        "webhooks",
        {**base, "uid": "wh-old", "target_url": "https://old.example.com/hook", "events": ["x"]},
    )


def test_mirror_creates_updates_deletes_then_changes_nothing(
    fake: FakeAvala, client: Client, hooks_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_hooks(fake)
    assert mirror_webhooks.main(client, hooks_file, prune=True) == 0
    out = capsys.readouterr().out
    assert "done: create https://c.example.com/hook events=['c']" in out
    assert "done: update wh-b https://b.example.com/hook: events ['y'] -> ['y', 'z'], " in out
    assert "is_active True -> False" in out
    assert "done: delete wh-old https://old.example.com/hook" in out
    assert "applied: 1 to create, 1 to update, 1 to delete; 0 failed" in out
    assert "wh-a" not in out  # same events in another order: unchanged

    (create,) = sent(fake, "POST", "/webhooks/")
    assert create.body == {
        "target_url": "https://c.example.com/hook",
        "events": ["c"],
        "is_active": True,
        "secret": "s3cret",
    }
    (patch,) = sent(fake, "PATCH")
    assert patch.path == "/webhooks/wh-b/" and patch.headers.get("idempotency-key")
    assert patch.body == {"events": ["y", "z"], "is_active": False}
    assert [r.path for r in sent(fake, "DELETE")] == ["/webhooks/wh-old/"]
    urls = sorted(h["target_url"] for h in fake.store.all("webhooks"))
    assert urls == [f"https://{x}.example.com/hook" for x in "abc"]

    fake.clear_requests()
    assert mirror_webhooks.main(client, hooks_file, prune=True) == 0
    assert [r for r in fake.requests if r.method in WRITES] == []
    assert capsys.readouterr().out == f"nothing to do: 3 webhook(s) match {hooks_file}\n"


def test_mirror_without_prune_keeps_and_reports_extras(
    fake: FakeAvala, client: Client, hooks_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_hooks(fake)
    fake.store.insert(
        "webhooks",
        {
            "uid": "wh-dup",
            "target_url": "https://a.example.com/hook",
            "events": ["a.event"],
            "is_active": True,
        },
    )
    assert mirror_webhooks.main(client, hooks_file) == 0
    out = capsys.readouterr().out
    assert "extra: wh-old https://old.example.com/hook (kept" in out
    assert "extra: wh-dup https://a.example.com/hook (kept" in out
    assert sent(fake, "DELETE") == []
    assert fake.store.get("webhooks", "wh-old") is not None

    fake.clear_requests()
    assert mirror_webhooks.main(client, hooks_file) == 0
    assert [r for r in fake.requests if r.method in WRITES] == []
    assert "nothing to do" in capsys.readouterr().out


def test_mirror_dry_run_sends_no_write(
    fake: FakeAvala, client: Client, hooks_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_hooks(fake)
    assert mirror_webhooks.main(client, hooks_file, prune=True, dry_run=True) == 0
    out = capsys.readouterr().out
    assert "would create https://c.example.com/hook" in out
    assert "would update wh-b" in out and "would delete wh-old" in out
    assert "planned: 1 to create, 1 to update, 1 to delete" in out
    assert [r.method for r in fake.requests] == ["GET"]


def test_mirror_reports_a_refused_change_and_exits_1(
    fake: FakeAvala, client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path / "hooks.json",
        [
            {"target_url": "not-a-url", "events": ["e"]},
            {"target_url": "https://ok.example.com/hook", "events": ["e"]},
        ],
    )
    assert mirror_webhooks.main(client, config) == 1
    out, err = capsys.readouterr()
    assert "FAILED: create not-a-url" in err and "Enter a valid URL" in err
    assert "done: create https://ok.example.com/hook" in out


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("{not json", "hooks.json:"),
        ('{"webhooks": {}}', "expected a list"),
        ('[{"target_url": "https://x", "events": []}]', "events must be a non-empty list"),
        ('[{"target_url": "https://x", "events": ["e"], "active": true}]', "unknown keys"),
        ('[{"target_url": "https://x", "events": ["e"], "is_active": "yes"}]', "is_active"),
        (
            '[{"target_url": "https://x", "events": ["e"]}, '
            '{"target_url": "https://x", "events": ["f"]}]',
            "listed twice",
        ),
    ],
)
def test_mirror_refuses_a_bad_file_before_any_request(
    fake: FakeAvala,
    client: Client,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    complaint: str,
) -> None:
    config = tmp_path / "hooks.json"
    config.write_text(content)
    assert mirror_webhooks.main(client, config) == 2
    assert complaint in capsys.readouterr().err
    assert fake.requests == []


# --- dataset_health_report -----------------------------------------------------------------


def seed_organization(fake: FakeAvala) -> dict[str, dict[str, Any]]:
    fake.store.insert("organizations", {"name": "Acme Robotics", "slug": "acme"})
    cams = fake.add_dataset(owner_name="acme", slug="cams", name="Cams", status="created")
    lidar = fake.add_dataset(
        owner_name="acme",
        slug="lidar",
        name="Lidar",
        status="created",
        data_type="lidar",
        is_sequence=True,
    )
    other = fake.add_dataset(owner_name="someone-else", slug="other", status="created")
    for n in range(3):
        fake.store.insert("datasets_items", {"dataset": cams["uid"], "key": f"img-{n}.jpg"})
    fake.store.insert(
        "datasets_sequences",
        {"dataset_uid": lidar["uid"], "key": "drive-1", "frames": [{"key": "0"}, {"key": "1"}]},
    )
    fake.store.insert("datasets_sequences", {"dataset_uid": lidar["uid"], "key": "drive-2"})
    return {"cams": cams, "lidar": lidar, "other": other}


def test_health_report_of_an_organization(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_organization(fake)
    assert dataset_health_report.main(client, organization="acme") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Dataset health of Acme Robotics (acme)"
    header = lines[2].split()
    assert header == ["DATASET", "TYPE", "STATUS", "ITEMS", "SEQUENCES", "FRAMES", "HEALTH"]
    rows = {line.split()[0]: line.split() for line in lines[4:6]}
    assert rows["acme/cams"] == ["acme/cams", "image", "created", "3", "0", "0", "ok"]
    assert rows["acme/lidar"] == ["acme/lidar", "lidar", "created", "0", "2", "2", "1", "issue(s)"]
    assert "1 of 2 dataset(s) healthy" in lines
    assert "  acme/lidar: sequence drive-2 has no frames" in lines
    health = [r.path for r in sent(fake, "GET") if r.path.endswith("/health/")]
    assert health == ["/datasets/acme/cams/health/", "/datasets/acme/lidar/health/"]


def test_health_report_of_everything_visible(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_organization(fake)
    assert dataset_health_report.main(client) == 1
    out = capsys.readouterr().out
    assert "someone-else/other" in out and "someone-else/other: dataset has no items" in out
    assert sent(fake, "GET", "/organizations/acme/") == []


def test_health_report_all_healthy_exits_0(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.store.insert("organizations", {"name": "Tiny", "slug": "tiny"})
    ds = fake.add_dataset(owner_name="tiny", slug="one", status="created")
    fake.store.insert("datasets_items", {"dataset": ds["uid"], "key": "a.jpg"})
    assert dataset_health_report.main(client, organization="tiny") == 0
    assert "1 of 1 dataset(s) healthy" in capsys.readouterr().out


def test_health_report_survives_one_unreadable_dataset(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_organization(fake)
    fake.inject(*[Fault.status(500)] * 3, path="/datasets/acme/cams/health/")
    assert dataset_health_report.main(client, organization="acme") == 1
    out = capsys.readouterr().out
    cams = next(line for line in out.splitlines() if line.startswith("acme/cams"))
    assert cams.split()[-1] == "UNKNOWN"
    assert "acme/cams: health not available: Injected 500 (HTTP 500)" in out
    assert "acme/lidar" in out


def test_health_report_of_an_unknown_organization_exits_2(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dataset_health_report.main(client, organization="nobody") == 2
    assert "cannot read organization nobody" in capsys.readouterr().err
    assert sent(fake, "GET", "/datasets/") == []


# --- run as scripts --------------------------------------------------------------------------


def test_each_script_runs_as_main(
    fake: FakeAvala,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The ``__main__`` block of each script: arguments parsed, ``Client()`` built from the
    environment (which the fixture points at the fake), exit status passed on."""
    project = fake.add_project()
    fake.add_task(project=project["uid"])
    config = write_config(
        tmp_path / "hooks.json", [{"target_url": "https://x.example.com/h", "events": ["e"]}]
    )
    runs = {
        "export_annotations": ["--project", project["uid"], "--interval", "0.5"],
        "monitor_auto_label": ["--project", project["uid"], "--interval", "0", "--labels", "a,b"],
        "mirror_webhooks": [str(config), "--prune"],
        "dataset_health_report": [],
    }
    for name, argv in runs.items():
        monkeypatch.setattr(sys, "argv", [f"{name}.py", *argv])
        with pytest.raises(SystemExit) as exited:
            runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
        assert exited.value.code == 0, f"{name}: {capsys.readouterr().err}"
        assert capsys.readouterr().out, name
    assert fake.store.count("webhooks") == 1
    assert sent(fake, "POST", f"/projects/{project['uid']}/auto-label/")[0].body == {
        "labels": ["a", "b"]
    }


def test_a_script_runs_in_a_fresh_interpreter(fake: FakeAvala) -> None:
    """``python examples/dataset_health_report.py``, configured by the environment alone."""
    fake.add_dataset(slug="cams", status="created")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "dataset_health_report.py")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1, done.stderr  # the dataset has no items: an issue
    assert "fake-user/cams: dataset has no items" in done.stdout


# --- download_export -----------------------------------------------------------------------


def test_download_export_waits_then_writes_the_archive(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import zipfile

    project = fake.add_project(name="Lanes")
    export = fake.add_export(status="pending", project=project["uid"])
    dest = tmp_path / "lanes.zip"
    assert download_export.main(client, export["uid"], str(dest), interval=0.5) == 0
    out, _ = capsys.readouterr()
    assert out == f"{dest}\t{dest.stat().st_size}\n"
    assert zipfile.is_zipfile(dest)
    assert [r.method for r in fake.objects.requests] == ["GET"]


def test_download_export_of_a_failed_export_exits_1(
    fake: FakeAvala, client: Client, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = fake.add_project(name="Broken")
    fake.export_failures = {project["uid"]}
    export = fake.add_export(status="pending", project=project["uid"])
    assert download_export.main(client, export["uid"], str(tmp_path / "x.zip"), interval=0.5) == 1
    assert "failed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --- upload_folder ---------------------------------------------------------------------------

upload_folder = load("upload_folder")


def make_folder(root: Path) -> Path:
    for name, data in {"a.jpg": b"a" * 300, "sub/b.jpg": b"b" * 500}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def test_upload_folder_creates_the_dataset_and_resumes(
    fake: FakeAvala,
    client: Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AVALA_STATE_DIR", str(tmp_path / "state"))
    source = make_folder(tmp_path / "run-7")
    fake.inject(Fault.status(400), method="POST", path="/datasets/manual-upload/")
    assert upload_folder.main(client, str(source), name="run-7") == 1
    assert "run again to resume" in capsys.readouterr().err
    fake.objects.clear_requests()
    assert upload_folder.main(client, str(source), name="run-7", wait=True) == 0
    out, err = capsys.readouterr()
    assert out.startswith("dataset fake-user/run-7 (") and "2 items, status created" in out
    assert "0 stored, 2 skipped" in err  # the rerun sent nothing again
    assert fake.objects.requests == []


def test_upload_folder_of_a_missing_folder_exits_2(
    fake: FakeAvala, client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert upload_folder.main(client, str(tmp_path / "nope"), name="x") == 2
    assert "cannot upload" in capsys.readouterr().err
    assert fake.requests == []


def test_upload_folder_runs_as_a_script(fake: FakeAvala, tmp_path: Path) -> None:
    source = make_folder(tmp_path / "cams")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "upload_folder.py"), str(source), "--name", "cams"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "AVALA_STATE_DIR": str(tmp_path / "state")},
    )
    assert done.returncode == 0, done.stderr
    assert "2 items" in done.stdout
    assert fake.objects.get(f"__u__=/{fake.user_uid}/cams/sub/b.jpg") == b"b" * 500


# --- upload_recording ------------------------------------------------------------------------

upload_recording = load("upload_recording")


def mcap_folder(root: Path) -> Path:
    from tests.transfers.managed_helpers import PART, write_mcap

    write_mcap(root / "front.mcap", PART + 5000, seed=1)  # two parts
    write_mcap(root / "imu" / "imu.mcap", 3000, seed=2)
    return root


def test_upload_recording_publishes_and_a_failed_part_resumes(
    fake: FakeAvala,
    client: Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from avala.testing import StorageFault
    from tests.transfers.managed_helpers import REC, part_puts, seed_recording

    monkeypatch.setenv("AVALA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    seed_recording(fake)
    source = mcap_folder(tmp_path / "drive-42")
    # the first part PUT meets a store that stays down through every retry
    fake.objects.inject(*[StorageFault.status(503, retry_after=0)] * 3, method="PUT")

    assert upload_recording.main(client, REC, str(source), workers=1, wait=30) == 1
    err = capsys.readouterr().err
    assert "part 1 failed (run again to resume)" in err
    fake.objects.clear_requests()

    assert upload_recording.main(client, REC, str(source), workers=1, wait=30) == 0
    out = capsys.readouterr().out
    assert "3 parts sent, 0 already stored, finalization succeeded" in out
    assert "published as dataset " in out
    assert len(part_puts(fake)) == 3


def test_upload_recording_of_a_folder_without_mcap_exits_2(
    fake: FakeAvala, client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.transfers.managed_helpers import REC

    (tmp_path / "notes.txt").write_text("not a recording")
    assert upload_recording.main(client, REC, str(tmp_path)) == 2
    assert "cannot upload" in capsys.readouterr().err
    assert fake.requests == []


def test_upload_recording_runs_as_a_script(fake: FakeAvala, tmp_path: Path) -> None:
    import os

    from tests.transfers.managed_helpers import REC, seed_recording

    seed_recording(fake)
    source = mcap_folder(tmp_path / "drive")
    env = {**os.environ, "AVALA_STATE_DIR": str(tmp_path / "state")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "upload_recording.py"), REC, str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "AVALA_ALLOW_INSECURE_BASE_URL": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "finalization succeeded" in done.stdout and "published as dataset" in done.stdout
