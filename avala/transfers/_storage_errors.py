"""The error of a failed object-storage try: typed by status like API errors, worded from
the store's ``<Code>``/``<Message>`` only. The rest of an S3 error document (the string
to sign, the signature provided, the canonical request) and the URL's signing query are
never put in a message, a body or a log line."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit

from avala._error_mapping import error_from_failure, error_from_response
from avala._redact import redact_text
from avala._wire import Outcome, TransportFailure
from avala.errors import AvalaError

_CODE = re.compile(rb"<Code>([^<]{1,100})</Code>")
_MESSAGE = re.compile(rb"<Message>([^<]{1,300})</Message>")


def storage_error(outcome: Outcome, what: str, url: str) -> AvalaError:
    """The typed error of ``outcome`` for the transfer named ``what`` to ``url``."""
    query = _query_of(url)
    secrets = (query,) if query else ()
    if isinstance(outcome, TransportFailure):
        error = error_from_failure(outcome, secrets)
        error.message = f"{what}: {error.message}"
        error.args = (error.message,)
        return error
    said = _said(outcome.body)
    detail = f"{what}: storage answered {said}" if said else f"{what}: storage refused it"
    body = json.dumps({"detail": redact_text(detail, secrets)}).encode()
    return error_from_response(outcome.status, outcome.headers, body, now=time.time())


def _said(body: bytes) -> str:
    """``Code: Message`` of an S3-style error document, if it is one."""
    code = _CODE.search(body)
    message = _MESSAGE.search(body)
    parts = [m.group(1).decode("utf-8", "replace").strip() for m in (code, message) if m]
    return ": ".join(p for p in parts if p)


def _query_of(url: str) -> str:
    try:
        return urlsplit(url).query
    except ValueError:
        return ""
