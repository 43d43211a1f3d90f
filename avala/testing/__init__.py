"""Test kit for code that uses avala, and for avala itself.

- ``FakeAvala``: a stateful fake of the API over real HTTP on 127.0.0.1, with fault
  injection (``Fault``), a log of received requests and typed seeding (``fake.seed``,
  a ``Seeder``), and an object store for presigned URLs on its own port
  (``fake.objects``, ``StorageFault``).
- ``StubTransport``: answers from a table without sockets; unexpected requests fail.
- ``avala.testing.pytest_plugin``: the ``avala_fake`` fixture.
"""

from avala.testing._faults import Fault
from avala.testing._object_faults import StorageFault
from avala.testing._objects import ObjectRequest, ObjectStore, StoredObject
from avala.testing._seed import Seeder
from avala.testing._server import FakeAvala, ReceivedRequest
from avala.testing._store import COLLECTIONS, Store, UnknownCollectionError
from avala.testing._stub import StubTransport, UnexpectedRequest, json_response

__all__ = [
    "COLLECTIONS",
    "FakeAvala",
    "Fault",
    "ObjectRequest",
    "ObjectStore",
    "ReceivedRequest",
    "Seeder",
    "StorageFault",
    "Store",
    "StoredObject",
    "StubTransport",
    "UnexpectedRequest",
    "UnknownCollectionError",
    "json_response",
]
