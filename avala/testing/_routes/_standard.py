"""The standard routes of a collection (list, get, create, update, delete), declared as data.

A ``Resource`` says how one collection is reached and written; ``STANDARD`` tables map an
endpoint id of the SDK's endpoint table (which gives the method and path) to the kind of
route and its resource. Routes with behaviour of their own are written by hand beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from avala.resources._endpoints import ENDPOINTS

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Record, Store, bad_request, cursor_page, not_found
from ._fields import Errors, Spec, field_errors, object_body

__all__ = ["Check", "Kind", "Resource", "Table", "routes", "standard_router"]

Kind = Literal["list", "get", "create", "update", "delete"]
Check = Callable[[Store, Record, bool], Errors]


def _no_errors(state: Store, body: Record, partial: bool) -> Errors:
    return {}


@dataclass(frozen=True)
class Resource:
    """How the standard routes read and write one collection.

    - ``keys``: path parameter -> record field that must match (``{"uid": "uid"}`` for a
      detail route; a parent's uid too, e.g. ``{"project_uid": "project"}``);
    - ``parent``: path parameter -> collection whose record it must name, else 404;
    - ``filters``: query parameter -> record field for lists (an empty value filters
      nothing, as with django-filter);
    - ``view``: the stored record -> the body the API answers with;
    - ``spec``: the fields a create (or, partially, a PATCH) body may have; ``check(state,
      body, partial)``: any errors the spec cannot express; ``fields``: what a write copies
      from the body (the spec's fields unless given); ``defaults``: the rest of a new
      record; ``coerce``: turns the copied fields into what is stored; ``body_required``: a
      PATCH without a body is a 400.
    """

    collection: str
    keys: Mapping[str, str] = field(default_factory=lambda: {"uid": "uid"})
    parent: Mapping[str, str] = field(default_factory=dict)
    filters: Mapping[str, str] = field(default_factory=dict)
    view: Callable[[Record], Record] = dict
    spec: Spec = field(default_factory=dict)
    check: Check = _no_errors
    fields: tuple[str, ...] | None = None
    defaults: Callable[[], Record] = dict
    body_required: bool = False
    coerce: Callable[[Record], Record] = dict

    def missing_parent(self, state: Store, params: Mapping[str, str]) -> bool:
        return any(state.get(c, params[p]) is None for p, c in self.parent.items())

    def find(self, state: Store, params: Mapping[str, str]) -> Record | None:
        wanted = {f: params[p] for p, f in self.keys.items()}
        return state.first(self.collection, **wanted)

    def matching(self, state: Store, req: FakeRequest, params: Mapping[str, str]) -> list[Record]:
        wanted = {f: params[p] for p, f in self.keys.items() if p in params}
        items = state.where(self.collection, **wanted)
        for param, name in self.filters.items():
            value = req.q(param)
            if value:
                items = [r for r in items if str(r.get(name)) == value]
        return items

    def errors(self, state: Store, body: Record, partial: bool) -> Errors:
        found = field_errors(self.spec, body, partial=partial, state=state)
        return {**self.check(state, body, partial), **found}

    def picked(self, body: Record) -> Record:
        names = self.spec if self.fields is None else self.fields
        return self.coerce({k: body[k] for k in names if k in body})


def _list(res: Resource, state: Store, req: FakeRequest, **params: str) -> FakeResponse:
    if res.missing_parent(state, params):
        return not_found()
    items = [res.view(r) for r in res.matching(state, req, params)]
    return cursor_page(req, items, state.base_url)


def _get(res: Resource, state: Store, req: FakeRequest, **params: str) -> FakeResponse:
    found = None if res.missing_parent(state, params) else res.find(state, params)
    return not_found() if found is None else FakeResponse(200, res.view(found))


def _create(res: Resource, state: Store, req: FakeRequest, **params: str) -> FakeResponse:
    if res.missing_parent(state, params):
        return not_found()
    body = object_body(req)
    if isinstance(body, FakeResponse):
        return body
    errors = res.errors(state, body, False)
    if errors:
        return bad_request(errors)
    scope = {f: params[p] for p, f in res.keys.items() if p in params}
    created = state.create(res.collection, {**scope, **res.defaults(), **res.picked(body)})
    return FakeResponse(201, res.view(created))


def _update(res: Resource, state: Store, req: FakeRequest, **params: str) -> FakeResponse:
    found = None if res.missing_parent(state, params) else res.find(state, params)
    if found is None:
        return not_found()
    body = object_body(req, optional=not res.body_required)
    if isinstance(body, FakeResponse):
        return body
    errors = res.errors(state, body, True)
    if errors:
        return bad_request(errors)
    updated = state.update(res.collection, found["uid"], res.picked(body)) or found
    return FakeResponse(200, res.view(updated))


def _delete(res: Resource, state: Store, req: FakeRequest, **params: str) -> FakeResponse:
    found = None if res.missing_parent(state, params) else res.find(state, params)
    if found is None:
        return not_found()
    state.delete(res.collection, found["uid"])
    return FakeResponse(204)


HANDLERS: dict[Kind, Callable[..., FakeResponse]] = {
    "list": _list,
    "get": _get,
    "create": _create,
    "update": _update,
    "delete": _delete,
}


def _bind(handler: Callable[..., FakeResponse], res: Resource) -> Callable[..., FakeResponse]:
    def serve(state: Store, req: FakeRequest, **params: str) -> FakeResponse:
        return handler(res, state, req, **params)

    return serve


Table = dict[str, tuple[Kind, Resource]]
"""Endpoint id -> (kind of standard route, the resource it serves)."""


def routes(prefix: str, res: Resource, *kinds: Kind) -> Table:
    """Table entries serving each of `kinds` of `res` at the endpoint id `<prefix>.<kind>`
    (``routes("webhooks", WEBHOOK, "get")`` serves ``webhooks.get``)."""
    return {f"{prefix}.{kind}": (kind, res) for kind in kinds}


def standard_router(table: Mapping[str, tuple[Kind, Resource]]) -> Router:
    """A router serving each endpoint id of `table` with the standard route of its kind."""
    router = Router()
    for endpoint_id, (kind, res) in table.items():
        endpoint = ENDPOINTS[endpoint_id]
        router.add(endpoint.method, endpoint.path, _bind(HANDLERS[kind], res))
    return router
