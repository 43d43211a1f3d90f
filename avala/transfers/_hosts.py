"""Host rules for presigned object-storage URLs: which URLs a transfer may be sent to.

Pure functions of the URL (and of ``AVALA_ALLOW_INSECURE_BASE_URL``, read when asked):
a URL that fails them is refused before anything is sent. Every rule shares the shape
check (https, a host, no userinfo, no explicit port, no fragment, no control
characters); each plane then has its host allow-list: uploads one list
(docs/uploading.md), downloads one per storage provider.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import SplitResult, urlsplit

from avala._config import LOOPBACK_HOSTS, insecure_allowed
from avala._redact import redact_url
from avala.errors import UnsafeUrlError

__all__ = [
    "check_download_url",
    "check_fetch_url",
    "check_upload_url",
    "download_url_problem",
    "upload_url_problem",
]

_HOST_SYNTAX = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
R2_HOST = re.compile(r"^[0-9a-f]{32}(\.eu)?\.r2\.cloudflarestorage\.com$")
_S3_ANY = re.compile(r"(^|\.)s3([-.][a-z0-9-]+)*\.amazonaws\.com$")

# Downloads: one rule per provider a grant names (UPLOADS.md §7.2).
_BUCKET = r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]"
_REGION = r"(?!us-gov-)[a-z]{2}(-[a-z0-9]+)+-[0-9]"
_S3_ENDPOINT = rf"(s3|s3\.dualstack\.{_REGION}|s3\.{_REGION}|s3-{_REGION})"
_S3_BUCKET_ENDPOINT = (
    rf"(s3|s3-accelerate|s3-accelerate\.dualstack|s3\.{_REGION}|s3\.dualstack\.{_REGION}"
    rf"|s3-{_REGION})"
)
_AWS_S3 = re.compile(rf"^({_S3_ENDPOINT}|{_BUCKET}\.{_S3_BUCKET_ENDPOINT})\.amazonaws\.com$")
_GCS = re.compile(r"^([a-z0-9]([a-z0-9_-]*[a-z0-9])?\.)?storage\.googleapis\.com$")
_AZURE = re.compile(r"^[a-z0-9]{3,24}\.blob\.core\.windows\.net$")


def _upload_host(host: str) -> bool:
    return (
        host == "data.avala.ai"
        or R2_HOST.match(host) is not None
        or _S3_ANY.search(host) is not None
        or host == "storage.googleapis.com"
        or host.endswith(".storage.googleapis.com")
        or host == "blob.core.windows.net"
        or host.endswith(".blob.core.windows.net")
    )


DOWNLOAD_HOSTS: Mapping[str, Callable[[str], bool]] = {
    "aws_s3": lambda host: _AWS_S3.match(host) is not None,
    "gcs": lambda host: _GCS.match(host) is not None,
    "azure_blob": lambda host: _AZURE.match(host) is not None,
    "cloudflare_r2": lambda host: R2_HOST.match(host) is not None,
}
"""Download host rules by grant provider; ``avala_edge`` and ``avala_proxy`` depend on the
API base URL and join with the resolver."""


def upload_url_problem(url: str) -> str | None:
    """Why ``url`` may not receive an upload, or None when it may."""
    return _problem(url, _upload_host)


def download_url_problem(url: str, provider: str) -> str | None:
    """Why ``url`` may not be downloaded from for a grant of ``provider``, or None."""
    rule = DOWNLOAD_HOSTS.get(provider)
    if rule is None:
        return f"unknown storage provider {provider!r}"
    return _problem(url, rule)


# The edge host that serves a revision's objects, by the API host it pairs with (§4.4).
EDGE_HOSTS: Mapping[str, str] = {
    "api.avala.ai": "data.avala.ai",
    "server.avala.ai": "data.avala.ai",
    "server.dev.avala.ai": "data-development.avala.ai",
}
_UNSAFE_PATH = re.compile(r"\\|%2e|%2f|%5c|%25|//|(^|/)\.\.?(/|$)", re.IGNORECASE)


def _any_store(host: str) -> bool:
    return any(rule(host) for rule in DOWNLOAD_HOSTS.values())


def fetch_url_problem(url: str, hosts: str, base_url: str) -> str | None:
    """Why a ``GetObject`` may not fetch ``url`` under the rule ``hosts`` (a provider
    name, ``storage`` or ``export``), given the client's API ``base_url``; None if it may."""
    api = urlsplit(base_url)
    api_host = (api.hostname or "").lower()
    if hosts in DOWNLOAD_HOSTS:
        return download_url_problem(url, hosts)
    if hosts == "storage":
        return _problem(url, _any_store)
    if hosts == "export":  # the API's own host, or any cloud store
        return _problem(url, lambda host: host == api_host or _any_store(host))
    if hosts == "avala_edge":
        edge = EDGE_HOSTS.get(api_host)
        if edge is None:
            return f"no edge host pairs with the API host {api_host}"
        return _problem(url, lambda host: host == edge)
    if hosts == "avala_proxy":
        problem = _problem(url, lambda host: host == api_host)
        if problem is not None:
            return problem
        path = urlsplit(url).path
        if not path.startswith(api.path.rstrip("/") + "/resolve/download/"):
            return "not a resolver download path of the API"
        if _UNSAFE_PATH.search(path):
            return "unsafe path"
        return None
    return f"unknown storage provider {hosts!r}"


def check_fetch_url(url: str, hosts: str, base_url: str) -> UnsafeUrlError | None:
    """The typed refusal of a download URL under ``hosts``, or None when it passes."""
    return _refusal(url, fetch_url_problem(url, hosts, base_url))


def check_upload_url(url: str) -> UnsafeUrlError | None:
    """The typed refusal of an upload URL, or None when it passes."""
    return _refusal(url, upload_url_problem(url))


def check_download_url(url: str, provider: str) -> UnsafeUrlError | None:
    """The typed refusal of a download URL, or None when it passes."""
    return _refusal(url, download_url_problem(url, provider))


def _refusal(url: str, problem: str | None) -> UnsafeUrlError | None:
    if problem is None:
        return None
    shown = redact_url(url)
    return UnsafeUrlError(f"presigned URL refused ({problem}): {shown:.300}", url=shown)


def _problem(url: str, host_allowed: Callable[[str], bool]) -> str | None:
    if not isinstance(url, str):
        return "not a string"
    if _CONTROL.search(url):
        return "control character or space in the URL"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "not a URL"
    shape = _shape_problem(url, parts)
    if shape == "" and _loopback(host):
        return None  # plain http and any port, on this machine, when allowed
    if shape:
        return shape
    if parts.scheme != "https":
        return "not https" + _loopback_hint(host)
    if _explicit_port(parts.netloc):
        return "explicit port" + _loopback_hint(host)
    if not host or _HOST_SYNTAX.match(host) is None:
        return "not a DNS host name" + _loopback_hint(host)
    if not host_allowed(host):
        return f"host {host} is not an allowed storage host"
    return None


def _shape_problem(url: str, parts: SplitResult) -> str:
    """Rules no URL may break, loopback included; empty when it keeps them."""
    if parts.scheme not in ("https", "http"):
        return "not https"
    if not parts.netloc:
        return "no host"
    if "@" in parts.netloc:
        return "credentials in the URL"
    if "#" in url:  # an empty fragment ("...#") leaves no trace in SplitResult
        return "fragment in the URL"
    return ""


def _explicit_port(netloc: str) -> bool:
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        return ":" in hostport.partition("]")[2]
    return ":" in hostport


def _loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS and insecure_allowed()


def _loopback_hint(host: str) -> str:
    if host in LOOPBACK_HOSTS:
        return " (loopback URLs need AVALA_ALLOW_INSECURE_BASE_URL=1)"
    return ""
