"""The fake's route table: standard routes are declared once, by endpoint id."""

from __future__ import annotations

from collections import Counter

from avala.resources._endpoints import ENDPOINTS
from avala.testing._routes import ALL_ROUTERS, STANDARD


def test_no_endpoint_is_served_twice() -> None:
    """A hand-written route and a standard one for the same endpoint would shadow each other."""
    served = Counter((r.method, r.pattern) for router in ALL_ROUTERS for r in router.routes)
    assert [route for route, n in served.items() if n > 1] == []


def test_every_call_of_the_endpoint_table_has_a_route() -> None:
    served = {(r.method, r.pattern) for router in ALL_ROUTERS for r in router.routes}
    calls = {(e.method, e.path) for e in ENDPOINTS.values() if e.kind in ("call", "chunked")}
    assert calls - served == set()
    assert set(STANDARD) <= set(ENDPOINTS)
