"""Client against FakeAvala over real HTTP: what the server received, what the caller got."""

from __future__ import annotations

from typing import Any

import pytest
from returns.result import Success

from avala import (
    AuthenticationError,
    AvalaError,
    Client,
    NotFoundError,
    ValidationError,
    WaitTimeoutError,
)
from avala.testing import FakeAvala, Fault
from avala.types import Dataset, Export, Project, Task


def last(fake: FakeAvala) -> Any:
    return fake.requests[-1]


def test_list_projects_pages_with_cursors(fake: FakeAvala, client: Client) -> None:
    seeded = [fake.add_project(name=f"P{i}") for i in range(3)]
    first = client.run(client.projects.list(limit=2)).unwrap()
    sent = last(fake)
    assert (sent.method, sent.path, sent.query) == ("GET", "/users/me/projects/", {"limit": ["2"]})
    assert sent.headers["x-avala-api-key"] == fake.api_key
    assert sent.headers["accept"] == "application/json"
    assert sent.body is None
    assert [p.name for p in first] == ["P0", "P1"] and first.has_more
    second = client.run(client.projects.list(limit=2, cursor=first.next_cursor)).unwrap()
    assert last(fake).query == {"limit": ["2"], "cursor": [first.next_cursor]}
    assert [p.uid for p in second] == [seeded[2]["uid"]] and not second.has_more


def test_list_without_arguments_sends_no_query_string(fake: FakeAvala, client: Client) -> None:
    client.run(client.projects.list())
    assert last(fake).query == {}


def test_get_project_decodes_the_model(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project(name="Road scenes", status="active")
    result = client.run(client.projects.get(p["uid"]))
    assert last(fake).path == f"/users/me/projects/{p['uid']}/"
    project = result.unwrap()
    assert isinstance(project, Project)
    assert (project.uid, project.name, project.status) == (p["uid"], "Road scenes", "active")
    assert project.created_at is not None and project.created_at.tzinfo is not None


def test_unknown_project_is_not_found(fake: FakeAvala, client: Client) -> None:
    err = client.run(client.projects.get("missing")).failure()
    assert isinstance(err, NotFoundError) and err.status_code == 404
    assert err.message == "Not found."


def test_hostile_uid_stays_in_its_segment(fake: FakeAvala, client: Client) -> None:
    fake.store.insert("projects", {"uid": "a/b?x=1", "name": "weird"})
    project = client.run(client.projects.get("a/b?x=1")).unwrap()
    assert project.name == "weird"
    assert last(fake).path == "/users/me/projects/a%2Fb%3Fx%3D1/" and last(fake).query == {}


def test_datasets_list_with_filters_and_get(fake: FakeAvala, client: Client) -> None:
    cam = fake.add_dataset(name="Cameras", data_type="image", visibility="private")
    fake.add_dataset(name="Lidar", data_type="lidar")
    page = client.run(client.datasets.list(data_type="image", visibility="private")).unwrap()
    assert last(fake).query == {"data_type": ["image"], "visibility": ["private"]}
    assert [d.uid for d in page] == [cam["uid"]]
    dataset = client.run(client.datasets.get(cam["uid"])).unwrap()
    assert isinstance(dataset, Dataset) and (dataset.name, dataset.slug) == ("Cameras", cam["slug"])
    assert isinstance(client.run(client.datasets.get("nope")).failure(), NotFoundError)


def test_tasks_filtered_by_project(fake: FakeAvala, client: Client) -> None:
    p1, p2 = fake.add_project(), fake.add_project()
    mine = fake.add_task(project=p1["uid"], status="pending")
    fake.add_task(project=p2["uid"], status="pending")
    page = client.run(client.tasks.list(project=p1["uid"], status="pending", limit=10)).unwrap()
    assert last(fake).query == {"project": [p1["uid"]], "status": ["pending"], "limit": ["10"]}
    assert [t.uid for t in page] == [mine["uid"]]
    task = client.run(client.tasks.get(mine["uid"])).unwrap()
    assert isinstance(task, Task) and task.project == p1["uid"]
    assert isinstance(client.run(client.tasks.get("nope")).failure(), NotFoundError)


def test_export_create_get_list_and_wait(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project()
    created = client.run(client.exports.create(project=p["uid"])).unwrap()
    sent = last(fake)
    assert (sent.method, sent.path, sent.body) == ("POST", "/exports/", {"project": p["uid"]})
    assert sent.headers["content-type"] == "application/json"
    assert isinstance(created, Export) and created.status == "pending"
    listed = client.run(client.exports.list()).unwrap()
    assert [e.uid for e in listed] == [created.uid]
    done = client.run(client.exports.wait(created.uid, interval=0.01, timeout=10)).unwrap()
    assert done.status == "exported" and done.download_url and created.uid in done.download_url
    polls = [r for r in fake.requests if r.path == f"/exports/{created.uid}/"]
    assert len(polls) == 2  # processing, then exported


def test_export_wait_times_out_as_a_failure(fake: FakeAvala, client: Client) -> None:
    export = client.run(client.exports.create(project=fake.add_project()["uid"])).unwrap()
    err = client.run(client.exports.wait(export.uid, interval=0.01, timeout=0)).failure()
    assert isinstance(err, WaitTimeoutError)
    assert err.last.status == "processing" and "processing" in err.message


def test_export_of_unknown_project_is_a_validation_error(fake: FakeAvala, client: Client) -> None:
    err = client.run(client.exports.create(project="ghost")).failure()
    assert isinstance(err, ValidationError)
    assert [d.field for d in err.details] == ["project"]


def test_wrong_key_is_an_authentication_error(fake: FakeAvala) -> None:
    with Client("not-the-key") as c:
        err = c.run(c.projects.list()).failure()
    assert isinstance(err, AuthenticationError)
    assert last(fake).headers["x-avala-api-key"] == "not-the-key"
    assert "not-the-key" not in repr(err) + str(err)


def test_rate_limit_info_tracks_the_latest_response(fake: FakeAvala, client: Client) -> None:
    assert client.rate_limit_info == {}
    client.run(client.projects.list())
    first = client.rate_limit_info
    assert set(first) == {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}
    client.run(client.projects.get("missing"))  # errors carry the headers too
    assert int(client.rate_limit_info["x-ratelimit-remaining"]) < int(
        first["x-ratelimit-remaining"]
    )
    client.rate_limit_info.clear()
    assert client.rate_limit_info != {}


def test_redirects_are_never_followed(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.status(302, headers={"Location": "http://127.0.0.1:9/steal"}))
    err = client.run(client.projects.list()).failure()
    assert type(err) is AvalaError and err.status_code == 302
    assert len(fake.requests) == 1


def test_context_manager_closes(fake: FakeAvala) -> None:
    with Client() as c:
        assert c.run(c.projects.list()) == Success(c.run(c.projects.list()).unwrap())
    with pytest.raises(RuntimeError):
        c.run(c.projects.list())


# --- the raising path: run_or_raise and items ----------------------------------------------


def test_run_or_raise_returns_the_value(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project(name="Lanes")
    project = client.run_or_raise(client.projects.get(p["uid"]))
    assert isinstance(project, Project) and project.name == "Lanes"


def test_run_or_raise_raises_the_typed_error_itself(fake: FakeAvala, client: Client) -> None:
    with pytest.raises(NotFoundError) as caught:  # not returns' UnwrapFailedError
        client.run_or_raise(client.projects.get("ghost"))
    assert caught.value.status_code == 404
    assert caught.value == client.run(client.projects.get("ghost")).failure()
    assert [r.path for r in fake.requests] == ["/users/me/projects/ghost/"] * 2


def test_items_walks_every_page_lazily(fake: FakeAvala, client: Client) -> None:
    seeded = [fake.add_task(name=f"t{i}") for i in range(7)]
    walked = client.items(client.tasks.list(limit=3))
    first = next(walked)
    assert isinstance(first, Task) and len(fake.requests) == 1  # one page so far
    assert [first.uid, *(t.uid for t in walked)] == [t["uid"] for t in seeded]
    assert len(fake.requests) == 3
    fake.clear_requests()
    assert len(list(client.items(client.tasks.list(limit=3), max_items=4))) == 4
    assert len(fake.requests) == 2


def test_items_raises_the_typed_error_after_the_items_before_it(
    fake: FakeAvala, client: Client
) -> None:
    for i in range(5):
        fake.add_task(name=f"t{i}")
    walked = client.items(client.tasks.list(limit=3))
    names = [next(walked).name for _ in range(3)]  # the whole first page
    fake.inject(Fault.status(404), path="/tasks/")
    with pytest.raises(NotFoundError):
        next(walked)
    assert names == ["t0", "t1", "t2"]
    assert list(walked) == []  # the walk ended with the error
