"""Host rules for presigned URLs (UPLOADS.md §7): exact allow-list, shape rules, loopback
only with AVALA_ALLOW_INSECURE_BASE_URL=1, and refusals that never show the signature."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala._redact import REDACTED, redact_url
from avala.errors import UnsafeUrlError
from avala.transfers._hosts import (
    check_upload_url,
    download_url_problem,
    upload_url_problem,
)

SIG = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
QUERY = f"X-Amz-Expires=60&X-Amz-Credential=AKIDEXAMPLE%2F20300101&X-Amz-Signature={SIG}"

ALLOWED_UPLOAD_HOSTS = [
    "data.avala.ai",
    "0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
    "0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com",
    "s3.amazonaws.com",
    "bucket.s3.amazonaws.com",
    "s3.eu-west-1.amazonaws.com",
    "bucket.s3.eu-west-1.amazonaws.com",
    "s3-us-west-2.amazonaws.com",
    "bucket.s3-accelerate.amazonaws.com",
    "bucket.s3.dualstack.us-east-1.amazonaws.com",
    "my.dotted.bucket.s3.amazonaws.com",
    "storage.googleapis.com",
    "bucket.storage.googleapis.com",
    "blob.core.windows.net",
    "account.blob.core.windows.net",
]

REFUSED_UPLOAD_HOSTS = [
    "avala.ai",
    "api.avala.ai",
    "xdata.avala.ai",
    "data.avala.ai.evil.com",
    "0123456789abcdef.r2.cloudflarestorage.com",  # account id is 32 hex
    "0123456789ABCDEF0123456789ABCDEF0123.r2.cloudflarestorage.com",
    "r2.cloudflarestorage.com",
    "abc123.execute-api.us-east-1.amazonaws.com",
    "amazonaws.com",
    "mys3.amazonaws.com",
    "s3.amazonaws.com.evil.com",
    "googleapis.com",
    "evilstorage.googleapis.com",
    "core.windows.net",
    "evilblob.core.windows.net",
    "example.com",
    "10.0.0.1",
]


@pytest.fixture
def secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AVALA_ALLOW_INSECURE_BASE_URL", raising=False)


@pytest.fixture
def insecure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")


@pytest.mark.parametrize("host", ALLOWED_UPLOAD_HOSTS)
def test_allow_listed_hosts_pass(secure: None, host: str) -> None:
    assert upload_url_problem(f"https://{host}/prefix/a.jpg?{QUERY}") is None


@pytest.mark.parametrize("host", ALLOWED_UPLOAD_HOSTS)
def test_host_case_does_not_matter(secure: None, host: str) -> None:
    assert upload_url_problem(f"https://{host.upper()}/k") is None


@pytest.mark.parametrize("host", REFUSED_UPLOAD_HOSTS)
def test_other_hosts_are_refused(secure: None, host: str) -> None:
    assert upload_url_problem(f"https://{host}/k?{QUERY}") is not None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://bucket.s3.amazonaws.com/k", "not https"),
        ("ftp://bucket.s3.amazonaws.com/k", "not https"),
        ("https://bucket.s3.amazonaws.com:443/k", "explicit port"),
        ("https://bucket.s3.amazonaws.com:/k", "explicit port"),
        ("https://user:pw@bucket.s3.amazonaws.com/k", "credentials"),
        ("https://@bucket.s3.amazonaws.com/k", "credentials"),
        ("https://bucket.s3.amazonaws.com/k#frag", "fragment"),
        ("https://bucket.s3.amazonaws.com/k#", "fragment"),
        ("https:///k", "no host"),
        ("https://bucket.s3.amazonaws.com/a b", "control character"),
        ("https://bucket.s3.amazonaws.com/a\nb", "control character"),
        ("https://[::1/k", "not a URL"),
        ("https://bücket.s3.amazonaws.com/k", "not a DNS host name"),
        ("https://bucket.s3.amazonaws.com./k", "not a DNS host name"),
    ],
)
def test_shape_rules(secure: None, url: str, why: str) -> None:
    problem = upload_url_problem(url)
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/bucket/key",
        "http://localhost:1/bucket/key",
        "http://[::1]:8080/bucket/key",
        "https://127.0.0.1:8443/bucket/key",
        "http://127.0.0.1/bucket/key",
    ],
)
def test_loopback_only_with_the_switch(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.delenv("AVALA_ALLOW_INSECURE_BASE_URL", raising=False)
    problem = upload_url_problem(url)
    assert problem is not None and "AVALA_ALLOW_INSECURE_BASE_URL" in problem
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    assert upload_url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://user@127.0.0.1:9000/b/k",
        "http://127.0.0.1:9000/b/k#x",
        "http://10.0.0.1:9000/b/k",
        "http://example.com/b/k",
        "http://127.0.0.2:9000/b/k",
    ],
)
def test_the_switch_opens_only_bare_loopback(insecure: None, url: str) -> None:
    assert upload_url_problem(url) is not None


def test_refusal_is_typed_and_redacted(secure: None) -> None:
    error = check_upload_url(f"https://evil.example.com/k?{QUERY}")
    assert isinstance(error, UnsafeUrlError)
    assert SIG not in str(error) and SIG not in repr(error) and SIG not in error.url
    assert "AKIDEXAMPLE" not in str(error)
    assert "evil.example.com" in str(error)
    assert check_upload_url(f"https://bucket.s3.amazonaws.com/k?{QUERY}") is None


def test_redact_url_hides_signing_params_and_userinfo() -> None:
    url = (
        "https://u:pw@acct.blob.core.windows.net/c/b?sv=2024&sig=abc%2Fdef&se=2030"
        "&X-Goog-Signature=ff&X-Amz-Security-Token=tok&Signature=s2&partNumber=3"
    )
    shown = redact_url(url)
    for secret in ("pw", "abc%2Fdef", "=ff", "=tok", "=s2"):
        assert secret not in shown
    assert "partNumber=3" in shown and "sv=2024" in shown and "se=2030" in shown
    assert shown.startswith(f"https://{REDACTED}@acct.blob.core.windows.net/c/b?")


@pytest.mark.parametrize(
    ("provider", "host", "ok"),
    [
        ("aws_s3", "bucket.s3.eu-west-1.amazonaws.com", True),
        ("aws_s3", "s3.amazonaws.com", True),
        ("aws_s3", "bucket.s3-accelerate.dualstack.amazonaws.com", True),
        ("aws_s3", "my.bucket.s3.amazonaws.com", False),  # dotted bucket: not for downloads
        ("aws_s3", "bucket.s3.us-gov-west-1.amazonaws.com", False),
        ("aws_s3", "storage.googleapis.com", False),
        ("gcs", "storage.googleapis.com", True),
        ("gcs", "bucket.storage.googleapis.com", True),
        ("gcs", "a.b.storage.googleapis.com", False),
        ("azure_blob", "account1.blob.core.windows.net", True),
        ("azure_blob", "blob.core.windows.net", False),
        ("cloudflare_r2", "0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com", True),
        ("unknown", "bucket.s3.amazonaws.com", False),
    ],
)
def test_download_rules_by_provider(secure: None, provider: str, host: str, ok: bool) -> None:
    assert (download_url_problem(f"https://{host}/k", provider) is None) is ok


# -- properties ---------------------------------------------------------------------------

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
region = st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2"])
s3_host = st.one_of(
    st.builds(lambda b: f"{b}.s3.amazonaws.com", label),
    st.builds(lambda b, r: f"{b}.s3.{r}.amazonaws.com", label, region),
    st.builds(lambda r: f"s3-{r}.amazonaws.com", region),
)
path = st.from_regex(r"(/[A-Za-z0-9._~%-]{1,12}){1,4}", fullmatch=True)
query = st.from_regex(r"([A-Za-z0-9-]{1,10}=[A-Za-z0-9%._-]{0,20}&){0,3}", fullmatch=True)


@given(host=s3_host, path=path, query=query)
def test_any_s3_bucket_and_path_passes(host: str, path: str, query: str) -> None:
    assert upload_url_problem(f"https://{host}{path}?{query}") is None


@given(host=s3_host, path=path, port=st.integers(0, 65535))
def test_any_explicit_port_is_refused(host: str, path: str, port: int) -> None:
    assert upload_url_problem(f"https://{host}:{port}{path}") is not None


@given(host=s3_host, path=path, user=st.from_regex(r"[a-z0-9:]{0,8}", fullmatch=True))
def test_any_userinfo_is_refused(host: str, path: str, user: str) -> None:
    assert upload_url_problem(f"https://{user}@{host}{path}") is not None


@given(st.text(max_size=200))
def test_any_text_gets_an_answer_not_an_exception(text: str) -> None:
    problem = upload_url_problem(text)
    assert problem is None or isinstance(problem, str)


@given(
    name=st.sampled_from(["X-Amz-Signature", "X-Amz-Credential", "sig", "Signature", "token"]),
    value=st.from_regex(r"[A-Za-z0-9%]{6,40}", fullmatch=True),
    before=query,
)
def test_redacted_url_never_shows_a_signing_value(name: str, value: str, before: str) -> None:
    shown = redact_url(f"https://b.s3.amazonaws.com/k?{before}{name}={value}")
    assert shown.endswith(f"{name}={REDACTED}")
    assert f"{name}={value}" not in shown
