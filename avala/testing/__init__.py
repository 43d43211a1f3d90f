"""A stateful fake of the Avala REST API over real HTTP, for the SDK's tests and for yours.

It never imports the SDK: it is an independent oracle that only speaks the wire format.
"""

from ._faults import Fault
from ._server import FakeAvala, ReceivedRequest
from ._store import Store

__all__ = ["FakeAvala", "Fault", "ReceivedRequest", "Store"]
