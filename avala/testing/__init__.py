"""Test kit for code that uses avala, and for avala itself.

- ``FakeAvala``: a stateful fake of the API over real HTTP on 127.0.0.1, with fault
  injection (``Fault``) and a log of received requests. It never imports the SDK.
- ``StubTransport``: answers from a table without sockets; unexpected requests fail.
- ``avala.testing.pytest_plugin``: the ``avala_fake`` fixture.
"""

from avala.testing._faults import Fault
from avala.testing._server import FakeAvala, ReceivedRequest
from avala.testing._store import Store
from avala.testing._stub import StubTransport, UnexpectedRequest, json_response

__all__ = [
    "FakeAvala",
    "Fault",
    "ReceivedRequest",
    "Store",
    "StubTransport",
    "UnexpectedRequest",
    "json_response",
]
