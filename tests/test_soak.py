"""Soak: a mixed workload against FakeAvala with injected faults, figures asserted.

``make test`` runs a short version; ``make soak`` runs 10,000 calls at 10% faults
(``AVALA_SOAK_CALLS`` sets the count) and prints the report.
"""

from __future__ import annotations

import email.utils
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from returns.result import Failure, Result, Success

from avala import AvalaError, Client, DecodeError, NotFoundError, RetryPolicy
from avala.testing import FakeAvala, Fault, ReceivedRequest

CALLS = int(os.environ.get("AVALA_SOAK_CALLS", "500"))
FAULT_SHARE = 0.10
# The client's per-call timeout: long enough that a loaded machine does not time out an
# ordinary call; the timeout fault waits well past it, so that call always times out.
TIMEOUT = 0.5
POLICY = RetryPolicy(max_retries=2, backoff_initial=0.002, backoff_max=0.01, retry_after_max=0.05)


@dataclass(frozen=True)
class FaultKind:
    """How to inject a fault, and whether a retry can turn it into a success: for a call
    that may be resent (GET, DELETE, POST with an idempotency key), or for any call
    (429 with Retry-After: the server provably did nothing). ``needs_body``: the fault
    only changes a response body, so it cannot show on a DELETE's empty 204."""

    make: Callable[[], list[Fault]]
    recoverable: bool
    any_method: bool = False
    needs_body: bool = False


def _http_date(seconds_ahead: float) -> str:
    return email.utils.formatdate(time.time() + seconds_ahead, usegmt=True)


FAULTS: dict[str, FaultKind] = {
    "5xx burst": FaultKind(lambda: [Fault.status(503), Fault.status(502)], True),
    "429 seconds": FaultKind(lambda: [Fault.retry_after(0.01)], True, any_method=True),
    "429 http-date": FaultKind(lambda: [Fault.retry_after(_http_date(0.02))], True, True),
    "drop before": FaultKind(lambda: [Fault.drop_before()], True),
    "drop after": FaultKind(lambda: [Fault.drop_after()], True),
    "timeout": FaultKind(lambda: [Fault.delay(TIMEOUT + 1.0)], True),
    "truncated body": FaultKind(lambda: [Fault.truncated_body()], True, needs_body=True),
    "malformed json": FaultKind(lambda: [Fault.malformed_json()], False, needs_body=True),
    "wrong content type": FaultKind(lambda: [Fault.wrong_content_type()], False, needs_body=True),
    "missing fields": FaultKind(lambda: [Fault.missing_fields("uid")], False, needs_body=True),
}


@dataclass
class Report:
    calls: int = 0
    ops: int = 0
    wrong_values: list[str] = field(default_factory=list)
    untyped_failures: int = 0
    unexpected_failures: list[str] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)
    # Faulted requests in the server's log, and those the client visibly met: it sent the
    # same request again, or the operation failed. A fault the server ignores shows neither.
    faulted_requests: Counter[str] = field(default_factory=Counter)
    faults_met: Counter[str] = field(default_factory=Counter)
    recoverable: Counter[str] = field(default_factory=Counter)
    recovered: Counter[str] = field(default_factory=Counter)
    typed_failures: Counter[tuple[str, str]] = field(default_factory=Counter)

    def lines(self, duplicates: int, seconds: float) -> list[str]:
        out = [
            f"soak: {self.ops} operations, {self.calls} HTTP calls sent by the client, "
            f"{sum(self.injected.values())} faults injected, {seconds:.1f} s",
            f"  wrong values returned:              {len(self.wrong_values)}",
            f"  failures not a typed AvalaError:    {self.untyped_failures}",
            f"  duplicated creates (server count):  {duplicates}",
            f"  failures without an injected fault: {len(self.unexpected_failures)}",
            f"  faulted requests met by the client: {self.faults_met.total()}"
            f" of {self.faulted_requests.total()}",
            "  fault kind            injected  retry-safe  recovered  surfaced as",
        ]
        for kind in FAULTS:
            surfaced = ", ".join(
                f"{name} {n}" for (k, name), n in sorted(self.typed_failures.items()) if k == kind
            )
            out.append(
                f"  {kind:20s}  {self.injected[kind]:8d}  {self.recoverable[kind]:10d}"
                f"  {self.recovered[kind]:9d}  {surfaced or '-'}"
            )
        return out


@dataclass
class World:
    """What the workload knows to be true, to judge every value it gets back."""

    fake: FakeAvala
    client: Client
    project: dict[str, Any]
    tasks: list[dict[str, Any]]
    datasets: list[dict[str, Any]]
    agents: list[str] = field(default_factory=list)
    agent_creates: int = 0
    export_creates: int = 0


# Operations: (name, method, path the fault targets, retry-safe, run -> (result, is_right)).
def op_get_project(w: World, n: int) -> tuple[Result[Any, AvalaError], Callable[[Any], bool]]:
    result = w.client.run(w.client.projects.get(w.project["uid"]))
    return result, lambda p: (p.uid, p.name) == (w.project["uid"], w.project["name"])


def op_list_tasks(w: World, n: int) -> tuple[Result[Any, AvalaError], Callable[[Any], bool]]:
    result = w.client.run(w.client.tasks.list(project=w.project["uid"], limit=10))
    expected = [t["uid"] for t in w.tasks[:10]]
    return result, lambda page: [t.uid for t in page] == expected


def op_walk_datasets(w: World, n: int) -> tuple[Result[Any, AvalaError], Callable[[Any], bool]]:
    items: list[Any] = []
    for r in w.client.iterate(w.client.datasets.list(limit=10)):
        if isinstance(r, Failure):
            return r, lambda _: True
        items.append(r.unwrap())
    expected = [d["uid"] for d in w.datasets]
    return Success(items), lambda got: [d.uid for d in got] == expected


def op_create_export(w: World, n: int) -> tuple[Result[Any, AvalaError], Callable[[Any], bool]]:
    key = f"soak-export-{n}"
    req = w.client.exports.create(project=w.project["uid"]).with_idempotency_key(key)
    w.export_creates += 1
    result = w.client.run(req)
    return result, lambda e: e.status in ("pending", "processing", "exported")


def op_create_agent(w: World, n: int) -> tuple[Result[Any, AvalaError], Callable[[Any], bool]]:
    name = f"soak-agent-{n}"
    w.agent_creates += 1
    result = w.client.run(w.client.agents.create(name=name, events=["task.completed"]))
    if isinstance(result, Success):
        w.agents.append(result.unwrap().uid)
    return result, lambda a: a.name == name and a.events == ("task.completed",)


def op_update_agent(w: World, n: int) -> tuple[Result[Any, AvalaError], Callable[[Any], bool]]:
    if not w.agents:
        return op_create_agent(w, n)
    uid = w.agents[n % len(w.agents)]
    text = f"updated by op {n}"
    result = w.client.run(w.client.agents.update(uid, description=text))
    return result, lambda a: a.uid == uid and a.description == text


def op_delete_agent(w: World, n: int) -> tuple[Result[Any, AvalaError], Callable[[Any], bool]]:
    if not w.agents:
        return op_create_agent(w, n)
    uid = w.agents.pop(0)
    result = w.client.run(w.client.agents.delete(uid))
    return result, lambda value: value is None and w.fake.store.get("agents", uid) is None


OPERATIONS: list[tuple[str, str, Callable[[World], str], bool, Any]] = [
    (
        "get project",
        "GET",
        lambda w: f"/users/me/projects/{w.project['uid']}/",
        True,
        op_get_project,
    ),
    ("list tasks", "GET", lambda w: "/tasks/", True, op_list_tasks),
    ("walk datasets", "GET", lambda w: "/datasets/", True, op_walk_datasets),
    ("create export (keyed)", "POST", lambda w: "/exports/", True, op_create_export),
    ("create agent", "POST", lambda w: "/agents/", False, op_create_agent),
    ("update agent", "PATCH", lambda w: "/agents/*/", False, op_update_agent),
    ("delete agent", "DELETE", lambda w: "/agents/*/", True, op_delete_agent),
]
WEIGHTS = [3, 2, 1, 1, 2, 1, 1]


def run_soak(calls: int) -> tuple[Report, int, float]:
    rng = random.Random(20261126)
    report = Report()
    with FakeAvala() as fake, mock.patch.dict(os.environ, fake.env()):
        project = fake.add_project(name="Soak")
        tasks = [fake.add_task(project=project["uid"], name=f"t{i}") for i in range(25)]
        datasets = [fake.add_dataset(name=f"d{i}") for i in range(25)]
        with Client(timeout=TIMEOUT, retry_policy=POLICY) as client:
            world = World(fake, client, project, tasks, datasets)
            kinds = list(FAULTS)
            started = time.monotonic()
            sent_before = 0
            n = 0
            while sent_before < calls:
                n += 1
                name, method, path_of, safe, operation = rng.choices(OPERATIONS, WEIGHTS)[0]
                kind = None
                if rng.random() < FAULT_SHARE:
                    kind = kinds[report.injected.total() % len(kinds)]  # every kind in turn
                    if not safe and report.recoverable[kind] == 0 and FAULTS[kind].recoverable:
                        # make sure every kind meets a call that may be resent at least once
                        name, method, path_of, safe, operation = OPERATIONS[0]
                    if method == "DELETE" and FAULTS[kind].needs_body:
                        name, method, path_of, safe, operation = OPERATIONS[0]
                    fake.inject(*FAULTS[kind].make(), method=method, path=path_of(world))
                    report.injected[kind] += 1
                first = len(fake.requests)
                result, is_right = operation(world, n)
                report.ops += 1
                if kind is not None and not any(r.fault for r in fake.requests[first:]):
                    report.injected[kind] -= 1  # the operation went elsewhere (see op_*_agent)
                    kind = None
                judge(report, name, kind, safe, method, result, is_right)
                if kind is not None:
                    note_faults_met(
                        report, kind, fake.requests[first:], isinstance(result, Failure)
                    )
                fake.clear_faults()  # a fault the operation did not consume must not leak
                sent_before = len(fake.requests)
            report.calls = len(fake.requests)
            seconds = time.monotonic() - started
            duplicates = count_duplicates(world)
    return report, duplicates, seconds


def judge(
    report: Report,
    name: str,
    kind: str | None,
    safe: bool,
    method: str,
    result: Result[Any, AvalaError],
    is_right: Callable[[Any], bool],
) -> None:
    if isinstance(result, Success):
        if not is_right(result.unwrap()):
            report.wrong_values.append(f"{name} under {kind}: {result.unwrap()!r}")
        if kind is not None:
            report.recovered[kind] += 1
            if retry_can_fix(kind, safe):
                report.recoverable[kind] += 1
        return
    error = result.failure()
    if not isinstance(error, AvalaError):
        report.untyped_failures += 1
        return
    if kind is None:
        report.unexpected_failures.append(f"{name}: {error!r}")
        return
    report.typed_failures[(kind, type(error).__name__)] += 1
    # A DELETE whose first try was processed before the connection dropped answers 404
    # when it is sent again: the object is gone, as asked. That is not a lost call.
    ambiguous_delete = method == "DELETE" and isinstance(error, NotFoundError)
    if retry_can_fix(kind, safe) and not ambiguous_delete:
        report.recoverable[kind] += 1  # counted, and not recovered: the assertion will show it
    if not FAULTS[kind].recoverable and not isinstance(error, DecodeError):
        report.unexpected_failures.append(f"{name} under {kind}: {error!r}")


def note_faults_met(report: Report, kind: str, sent: list[ReceivedRequest], failed: bool) -> None:
    """Count the operation's faulted requests, and those the client met: a fault that
    took effect either made the client send that request again or failed the operation."""
    for index, request in enumerate(sent):
        if request.fault is None:
            continue
        report.faulted_requests[kind] += 1
        resent = any(
            (later.method, later.path, later.query) == (request.method, request.path, request.query)
            for later in sent[index + 1 :]
        )
        if resent or failed:
            report.faults_met[kind] += 1


def retry_can_fix(kind: str, safe: bool) -> bool:
    fault = FAULTS[kind]
    return fault.recoverable and (safe or fault.any_method)


def count_duplicates(world: World) -> int:
    """Creates the server acted on beyond one per create operation the client made."""
    store = world.fake.store
    extra_exports = store.create_count["exports"] - world.export_creates
    extra_agents = store.create_count["agents"] - world.agent_creates
    return max(0, extra_exports) + max(0, extra_agents)


def check(report: Report, duplicates: int) -> None:
    assert report.wrong_values == []
    assert report.untyped_failures == 0
    assert duplicates == 0
    assert report.unexpected_failures == []
    for kind, fault in FAULTS.items():
        assert report.injected[kind] > 0, f"{kind} was never injected"
        assert report.faulted_requests[kind] >= report.injected[kind], kind
        assert report.faults_met[kind] == report.faulted_requests[kind], f"{kind} had no effect"
        if fault.recoverable:
            assert report.recoverable[kind] > 0, f"{kind}: no retry-safe call met it"
            assert report.recovered[kind] >= report.recoverable[kind], kind
        else:  # a body the client cannot read fails the operation, whatever its method
            assert report.typed_failures[(kind, "DecodeError")] == report.injected[kind], kind


@pytest.mark.soak
def test_soak_full() -> None:
    report, duplicates, seconds = run_soak(CALLS)
    print("\n" + "\n".join(report.lines(duplicates, seconds)))
    check(report, duplicates)


def test_soak_short(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    report, duplicates, seconds = run_soak(min(CALLS, 500))
    with capsys.disabled():
        print("\n" + "\n".join(report.lines(duplicates, seconds)))
    check(report, duplicates)
