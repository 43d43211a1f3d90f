"""Composition: map, bind, gather, poll, iterate and run_raw, on the sync client."""

from __future__ import annotations

import subprocess
import sys
import threading
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from avala import (
    AvalaError,
    Client,
    NotFoundError,
    Request,
    ServerError,
    TerminalStatusError,
    ValidationError,
    fail,
    gather,
    poll,
    pure,
    sequence,
)
from avala._request import Call
from avala.events import Event, PollTick
from avala.testing import FakeAvala, Fault, StubTransport, UnexpectedRequest, json_response
from avala.types import Dataset


def test_map_transforms_the_value(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project(name="Lanes")
    assert client.run(client.projects.get(p["uid"]).map(lambda x: x.name.upper())) == Success(
        "LANES"
    )


def test_bind_fetches_a_project_then_its_tasks(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project()
    mine = [fake.add_task(project=p["uid"]) for _ in range(2)]
    fake.add_task(project=fake.add_project()["uid"])
    chain = client.projects.get(p["uid"]).bind(lambda proj: client.tasks.list(project=proj.uid))
    page = client.run(chain).unwrap()
    assert sorted(t.uid for t in page) == sorted(t["uid"] for t in mine)
    assert [r.path for r in fake.requests] == [f"/users/me/projects/{p['uid']}/", "/tasks/"]
    assert fake.requests[1].query == {"project": [p["uid"]]}


def test_bind_short_circuits_on_the_first_failure(fake: FakeAvala, client: Client) -> None:
    called = []
    chain = client.projects.get("missing").bind(lambda proj: called.append(proj) or pure(1))
    assert isinstance(client.run(chain).failure(), NotFoundError)
    assert called == [] and len(fake.requests) == 1


def test_bind_result_can_fail_without_raising(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project(status="archived")
    err = ServerError("archived")
    req = client.projects.get(p["uid"]).bind_result(
        lambda proj: Failure(err) if proj.status == "archived" else Success(proj)
    )
    assert client.run(req) == Failure(err)


def test_gather_runs_independent_requests_in_order(fake: FakeAvala, client: Client) -> None:
    datasets = [fake.add_dataset(name=f"D{i}") for i in range(5)]
    req = gather(*(client.datasets.get(d["uid"]) for d in datasets))
    values = client.run(req).unwrap()
    assert [d.name for d in values] == [f"D{i}" for i in range(5)]


def test_gather_first_failure_wins_and_stops_the_sync_client(
    fake: FakeAvala, client: Client
) -> None:
    a = fake.add_project()
    req = gather(
        client.projects.get(a["uid"]), client.projects.get("missing"), client.projects.get(a["uid"])
    )
    assert isinstance(client.run(req).failure(), NotFoundError)
    assert len(fake.requests) == 2


def test_poll_until_a_predicate(fake: FakeAvala, client: Client) -> None:
    export = client.run(client.exports.create(project=fake.add_project()["uid"])).unwrap()
    req = poll(
        client.exports.get(export.uid),
        lambda e: e.download_url is not None,
        interval=0.01,
        timeout=5,
    )
    assert client.run(req).unwrap().status == "exported"


def test_options_reach_every_call_inside_a_composition(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project()
    fake.inject(Fault.delay(3.0), path="/tasks/")
    chain = client.projects.get(p["uid"]).bind(lambda proj: client.tasks.list(project=proj.uid))
    err = client.run(chain.with_timeout(0.5).with_max_retries(0)).failure()
    assert type(err).__name__ == "RequestTimeoutError"
    assert [r.path for r in fake.requests] == [f"/users/me/projects/{p['uid']}/", "/tasks/"]


def test_retries_work_inside_gather(fake: FakeAvala, client: Client) -> None:
    d = fake.add_dataset()
    fake.inject(Fault.status(503), path=f"/datasets/{d['uid']}/")
    values = client.run(gather(client.datasets.get(d["uid"]), client.projects.list())).unwrap()
    assert values[0].uid == d["uid"] and values[1].items == ()


def test_first_call_is_visible_without_a_network() -> None:
    from avala.resources import Projects, Tasks

    projects, tasks = Projects(), Tasks()
    chain = projects.get("p1").bind(lambda p: tasks.list(project=p.uid)).map(len)
    first = chain.first_call()
    assert isinstance(first, Call) and first == projects.get("p1")
    assert pure(3).first_call() is None
    assert gather(pure(1), tasks.get("t")).first_call() == tasks.get("t")


def test_stub_transport_drives_a_whole_chain() -> None:
    stub = StubTransport(
        {
            ("GET", "/users/me/projects/p1/"): json_response(200, {"uid": "p1", "name": "P"}),
            ("GET", "/tasks/"): json_response(200, {"results": [{"uid": "t1"}], "next": None}),
        }
    )
    with Client("k", transport=stub) as client:
        chain = client.projects.get("p1").bind(lambda p: client.tasks.list(project=p.uid))
        assert [t.uid for t in client.run(chain).unwrap()] == ["t1"]
        assert [w.method + " " + w.url.split("/api/v1")[1] for w in stub.sent] == [
            "GET /users/me/projects/p1/",
            "GET /tasks/?project=p1",
        ]
        with pytest.raises(UnexpectedRequest):
            client.run(client.exports.list())


def test_run_raw_keeps_status_and_headers(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project(name="raw")
    raw = client.run_raw(client.projects.get(p["uid"])).unwrap()
    assert raw.status_code == 200 and raw.value.name == "raw"
    assert raw.headers["x-ratelimit-limit"] == "1000"
    assert isinstance(client.run_raw(client.projects.get("nope")).failure(), NotFoundError)


def test_iterate_walks_every_page_lazily(fake: FakeAvala, client: Client) -> None:
    seeded = [fake.add_task(name=f"t{i}") for i in range(7)]
    items = client.iterate(client.tasks.list(limit=3))
    first = next(items)
    assert first == Success(first.unwrap()) and len(fake.requests) == 1  # one page so far
    rest = list(items)
    assert [r.unwrap().uid for r in [first, *rest]] == [t["uid"] for t in seeded]
    assert len(fake.requests) == 3
    assert [r.query.get("cursor") is None for r in fake.requests] == [True, False, False]


def test_iterate_respects_max_items(fake: FakeAvala, client: Client) -> None:
    for i in range(10):
        fake.add_task(name=f"t{i}")
    got = [r.unwrap().name for r in client.iterate(client.tasks.list(limit=4), max_items=5)]
    assert got == [f"t{i}" for i in range(5)] and len(fake.requests) == 2


def test_iterate_stops_after_one_failure(fake: FakeAvala, client: Client) -> None:
    for i in range(6):
        fake.add_task(name=f"t{i}")
    fake.inject(Fault.status(404), Fault.status(404), Fault.status(404), path="/tasks/")
    fake.clear_requests()
    results = list(client.iterate(client.tasks.list(limit=3)))
    assert len(results) == 1 and isinstance(results[0].failure(), NotFoundError)


def test_iterate_refuses_non_list_requests(client: Client) -> None:
    with pytest.raises(TypeError, match="list request"):
        next(client.iterate(client.tasks.get("t")))  # type: ignore[arg-type]


_FAKE_IN_A_SUBPROCESS = """
import sys
from avala.testing import FakeAvala
with FakeAvala() as fake:
    for i in range(1000):
        fake.store.insert("tasks", {"uid": f"t{i:04d}", "name": "x" * 200})
    print(fake.base_url, fake.api_key, flush=True)
    sys.stdin.read()
"""


def test_iterating_a_thousand_pages_keeps_memory_flat(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fake runs in its own process, so only the client's memory is measured here.
    server = subprocess.Popen(
        [sys.executable, "-c", _FAKE_IN_A_SUBPROCESS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url, key = server.stdout.readline().split()
        monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
        with Client(key, base_url=base_url) as client:
            walked = client.iterate(client.tasks.list(limit=1))
            for _ in range(50):  # warm up pools and caches
                next(walked)
            tracemalloc.start()
            count = 50
            for result in walked:
                assert result.unwrap().name == "x" * 200
                count += 1
                if count == 100:
                    at_100 = tracemalloc.get_traced_memory()[0]
            current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        server.communicate("")
    assert count == 1000
    assert peak < 512 * 1024  # the peak of 950 pages stays under half a MiB
    # Page after page, only the cursors sent accumulate (kept to catch a cycle): ~130 bytes
    # each here. A page kept alive would cost several times that (a Task with its name).
    assert current - at_100 < 900 * 200


def test_one_client_shared_by_eight_threads(fake: FakeAvala, client: Client) -> None:
    projects = [fake.add_project(name=f"P{i}") for i in range(40)]
    errors: list[str] = []

    def worker(n: int) -> None:
        for i in range(200):
            p = projects[(n * 200 + i) % len(projects)]
            got = client.run(client.projects.get(p["uid"]))
            if not isinstance(got, Success) or got.unwrap().name != p["name"]:
                errors.append(f"thread {n} call {i}: {got}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(fake.requests) == 1600


def test_sequence_sends_one_after_another_and_stops_at_a_failure(
    fake: FakeAvala, client: Client
) -> None:
    a, b = fake.add_project(name="A"), fake.add_project(name="B")
    req = sequence(client.projects.get(a["uid"]), client.projects.get(b["uid"]))
    assert [p.name for p in client.run(req).unwrap()] == ["A", "B"]
    fake.clear_requests()
    broken = sequence(
        client.projects.get(a["uid"]), client.projects.get("missing"), client.projects.get(b["uid"])
    )
    assert isinstance(client.run(broken).failure(), NotFoundError)
    assert [r.path.split("/")[-2] for r in fake.requests] == [a["uid"], "missing"]


def test_a_long_sequence_does_not_recurse(client: Client) -> None:
    stub = StubTransport({("GET", "/tasks/t/"): json_response(200, {"uid": "t"})})
    with Client("k", transport=stub) as c:
        values = c.run(sequence(*[c.tasks.get("t") for _ in range(5000)])).unwrap()
    assert len(values) == 5000 and len(stub.sent) == 5000


# --- recover: a Failure turned into a value or into another request ------------------------


def get_or_create(client: Client, slug: str) -> Request[Dataset]:
    return client.datasets.get_by_slug("acme", slug).recover(
        lambda error: (
            client.datasets.create(
                name=slug.title(), slug=slug, data_type="image", owner_name="acme"
            )
            if isinstance(error, NotFoundError)
            else fail(error)
        )
    )


def test_recover_gets_it_or_creates_it_on_404(fake: FakeAvala, client: Client) -> None:
    created = client.run(get_or_create(client, "dashcam")).unwrap()
    assert (created.slug, created.owner_name) == ("dashcam", "acme")
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/datasets/acme/dashcam/"),
        ("POST", "/datasets/"),
    ]
    fake.clear_requests()
    found = client.run(get_or_create(client, "dashcam")).unwrap()
    assert found.uid == created.uid
    assert [(r.method, r.path) for r in fake.requests] == [("GET", "/datasets/acme/dashcam/")]


def test_recover_runs_only_when_the_request_fails(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project(name="Lanes")
    seen: list[AvalaError] = []

    def remember(error: AvalaError) -> Request[str]:
        seen.append(error)
        return pure("(default)")

    ok = client.projects.get(p["uid"]).map(lambda x: x.name).recover(remember)
    assert client.run(ok) == Success("Lanes") and seen == []
    missing = client.projects.get("ghost").map(lambda x: x.name).recover(remember)
    assert client.run(missing) == Success("(default)")
    assert len(seen) == 1 and isinstance(seen[0], NotFoundError) and seen[0].status_code == 404


def test_recover_can_fail_again_with_the_same_or_another_error(
    fake: FakeAvala, client: Client
) -> None:
    original = client.run(client.projects.get("ghost")).failure()
    again = client.projects.get("ghost").recover(fail)
    assert client.run(again) == Failure(original)
    other = ValidationError("no such project")
    replaced = client.projects.get("ghost").recover(lambda error: fail(other))
    assert client.run(replaced) == Failure(other)


def test_recover_covers_the_steps_before_it_only(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project()
    after = client.projects.get(p["uid"]).bind(lambda _: client.tasks.get("ghost"))
    assert client.run(after.map(str).recover(lambda _: pure("fallback"))) == Success("fallback")
    before = client.projects.get(p["uid"]).recover(lambda _: fail(ServerError("x")))
    chained = before.bind(lambda _: client.tasks.get("ghost"))
    assert isinstance(client.run(chained).failure(), NotFoundError)


def test_recover_is_a_value_with_a_first_call() -> None:
    from avala.resources import Projects

    projects = Projects()
    recovered = projects.get("p1").recover(fail)
    assert recovered.first_call() == projects.get("p1")
    assert recovered == projects.get("p1").recover(fail)  # same function, same value


def test_fail_refuses_what_is_not_an_avala_error() -> None:
    with pytest.raises(TypeError, match="AvalaError"):
        fail("not found")  # type: ignore[arg-type]


def test_options_reach_the_recovery_request(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.delay(1.0), path="/tasks/")
    req = client.projects.get("ghost").recover(lambda _: client.tasks.list())
    err = client.run(req.with_timeout(0.2).with_max_retries(0)).failure()
    assert type(err).__name__ == "RequestTimeoutError"


# --- poll: stopping on a failure value, and its events -------------------------------------


def test_poll_stops_at_once_when_fails_when_holds() -> None:
    states = iter(["running", "running", "broken", "done"])
    stub = StubTransport(
        {("GET", "/tasks/t/"): [json_response(200, {"uid": "t", "status": s}) for s in states]}
    )
    events: list[Event] = []
    with Client("k", transport=stub) as c:
        req = poll(
            c.tasks.get("t"),
            lambda task: task.status == "done",
            interval=0.01,
            timeout=30,
            fails_when=lambda task: task.status == "broken",
        )
        error = c.run(req, on_event=events.append).failure()
    assert isinstance(error, TerminalStatusError)
    assert error.value.status == "broken" and "broken" in error.message
    assert len(stub.sent) == 3  # nothing after the failure value
    assert [(e.endpoint, e.attempt, e.value.status) for e in events] == [
        ("tasks.get", 1, "running"),
        ("tasks.get", 2, "running"),
        ("tasks.get", 3, "broken"),
    ]


def test_until_wins_over_fails_when_for_the_same_value(client: Client) -> None:
    req = poll(pure(7), lambda v: v == 7, interval=0, timeout=1, fails_when=lambda v: v == 7)
    assert client.run(req) == Success(7)


def test_a_poll_that_sends_nothing_reports_no_endpoint(client: Client) -> None:
    events: list[Event] = []
    req = poll(pure(1), lambda v: False, interval=0, timeout=1, fails_when=lambda v: v == 1)
    error = client.run(req, on_event=events.append).failure()
    assert isinstance(error, TerminalStatusError) and error.value == 1
    assert events == [PollTick(None, 1, events[0].elapsed, 1)]


def test_poll_refuses_a_non_request() -> None:
    with pytest.raises(TypeError, match="request"):
        poll("tasks.get", bool, interval=1, timeout=1)  # type: ignore[arg-type]


error_values = st.builds(
    lambda kind, message: kind(message),
    st.sampled_from([NotFoundError, ServerError, ValidationError, AvalaError]),
    st.text(max_size=10),
)
outcomes = st.one_of(st.integers().map(pure), error_values.map(fail))


@given(outcome=outcomes, fallback=st.integers())
def test_recover_laws(outcome: Request[int], fallback: int) -> None:
    with Client("k", transport=StubTransport({})) as c:
        plain = c.run(outcome)
        assert c.run(outcome.recover(fail)) == plain  # failing again with the error: no change
        rescued = c.run(outcome.recover(lambda _: pure(fallback)))
        assert rescued == (plain if isinstance(plain, Success) else Success(fallback))
        # the error handed to the function is the one the request failed with
        seen = c.run(outcome.recover(lambda error: pure(error)))
        assert seen == (plain if isinstance(plain, Success) else Success(plain.failure()))
