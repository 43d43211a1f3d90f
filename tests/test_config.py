"""Client construction: key and base URL rules, secrets kept out of repr."""

from __future__ import annotations

import asyncio

import pytest

from avala import AsyncClient, Client
from avala._config import DEFAULT_BASE_URL, resolve_base_url

KEY = "abcdef0123456789-secret-key"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AVALA_API_KEY", "AVALA_BASE_URL", "AVALA_ALLOW_INSECURE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_key_from_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with Client(KEY) as c:
        assert c.base_url == DEFAULT_BASE_URL
    monkeypatch.setenv("AVALA_API_KEY", KEY)
    with Client() as c:
        assert c._config.api_key == KEY


def test_missing_key_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="AVALA_API_KEY"):
        Client()


def test_key_never_in_repr_or_str() -> None:
    with Client(KEY) as c:
        assert KEY not in repr(c) and KEY not in str(c)
        assert KEY not in repr(c._config)


@pytest.mark.parametrize(
    "url",
    ["https://api.example.com/api/v1", "https://api.example.com/api/v1/", "https://h:8443/x"],
)
def test_https_is_accepted_and_trailing_slash_stripped(url: str) -> None:
    assert resolve_base_url(url) == url.rstrip("/")


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", "https://eu.example.com/api/v1/")
    assert resolve_base_url(None) == "https://eu.example.com/api/v1"
    assert resolve_base_url("https://arg.example.com/v1") == "https://arg.example.com/v1"


@pytest.mark.parametrize(
    "url", ["https://api.avala.ai", "https://api.avala.ai/", " https://api.avala.ai// "]
)
def test_a_base_url_without_an_api_path_is_refused_naming_the_fix(url: str) -> None:
    with pytest.raises(ValueError, match=r"https://api\.avala\.ai/api/v1\b"):
        resolve_base_url(url)
    with pytest.raises(ValueError, match="/api/v1"):
        Client(KEY, base_url=url)


def test_a_base_url_without_an_api_path_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", "https://eu.example.com")
    with pytest.raises(ValueError, match=r"(?s)AVALA_BASE_URL.*https://eu\.example\.com/api/v1\b"):
        Client(KEY)


def test_a_loopback_base_url_needs_a_path_too_but_any_path_will_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    with pytest.raises(ValueError, match=r"http://127\.0\.0\.1:8000/api/v1\b"):
        resolve_base_url("http://127.0.0.1:8000")
    for url in ("http://127.0.0.1:8000/api/v1", "http://localhost:1/x", "https://h/proxy/avala"):
        assert resolve_base_url(url) == url


@pytest.mark.parametrize(
    "url", ["http://api.avala.ai/api/v1", "http://localhost:8000/api/v1", "ftp://x/y", "nohost"]
)
def test_plain_http_refused_without_the_flag(url: str) -> None:
    with pytest.raises(ValueError):
        resolve_base_url(url)


@pytest.mark.parametrize("flag", ["1", "true", "YES", " on "])
def test_plain_http_to_loopback_with_the_flag(monkeypatch: pytest.MonkeyPatch, flag: str) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", flag)
    for url in ("http://localhost:8000/api/v1", "http://127.0.0.1:1/x", "http://[::1]:9/x"):
        assert resolve_base_url(url) == url
    with pytest.raises(ValueError, match="localhost"):
        resolve_base_url("http://evil.example.com/api/v1")
    with pytest.raises(ValueError):
        resolve_base_url("ftp://localhost/x")


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pw@api.example.com",
        "https://:@api.example.com",  # empty credentials are still credentials
        "https://@api.example.com",
        "https://user@api.example.com",
        "https://api.example.com/?x=1",
        "https://h/#f",
    ],
)
def test_credentials_query_and_fragment_refused(url: str) -> None:
    with pytest.raises(ValueError):
        resolve_base_url(url)


@pytest.mark.parametrize(("timeout", "retries"), [(0, 2), (-1, 2), (float("inf"), 2), (30, -1)])
def test_bad_timeouts_and_retries(timeout: float, retries: int) -> None:
    with pytest.raises(ValueError):
        Client(KEY, timeout=timeout, max_retries=retries)


@pytest.mark.parametrize("client_class", [Client, AsyncClient])
@pytest.mark.parametrize(
    ("argument", "value", "error"),
    [
        ("pool_size", 0, ValueError),
        ("pool_size", True, TypeError),  # a bool is not a size, though int(True) == 1
        ("pool_size", 2.0, TypeError),
        ("max_response_bytes", -1, ValueError),
        ("max_response_bytes", "1000", TypeError),
        ("verify", None, TypeError),  # None would silently mean "verify" to requests
        ("max_concurrency", 0, ValueError),
        ("max_concurrency", False, TypeError),
    ],
)
def test_bad_sizes_are_refused_at_construction_naming_the_argument(
    client_class: type[Client] | type[AsyncClient], argument: str, value: object, error: type
) -> None:
    if argument == "pool_size" and client_class is AsyncClient:
        argument = "max_concurrency"  # the async client sizes its pool by its concurrency
    if argument == "max_concurrency" and client_class is Client:
        argument = "pool_size"
    with pytest.raises(error, match=argument):
        client_class(KEY, **{argument: value})


def test_closed_client_refuses_to_run() -> None:
    c = Client(KEY)
    c.close()
    c.close()
    with pytest.raises(RuntimeError, match="closed"):
        c.run(c.projects.get("p"))


@pytest.mark.parametrize(
    "key", ["kéy€-0123456789", "ключ-0123456789", "key-\u2028-0123", "k\x85ey"]
)
def test_a_key_that_cannot_travel_in_a_header_is_refused_at_construction(key: str) -> None:
    with pytest.raises(ValueError, match="api_key"):
        Client(key)
    with pytest.raises(ValueError, match="api_key"):
        AsyncClient(key)


def test_a_latin_1_key_is_sent_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    from avala.testing import FakeAvala

    key = "clé-0123456789abcdef"
    with FakeAvala(api_key=key) as fake:
        for name, value in fake.env().items():
            monkeypatch.setenv(name, value)
        fake.add_project(name="P")
        with Client(key, max_retries=0) as client:
            assert [p.name for p in client.run(client.projects.list()).unwrap()] == ["P"]

        async def main() -> int:
            async with AsyncClient(key, max_retries=0) as client:
                return len((await client.run(client.projects.list())).unwrap().items)

        assert asyncio.run(main()) == 1


@pytest.mark.parametrize("url", [123, 1.5, b"https://api.example.com", ["https://x"]])
def test_a_base_url_that_is_not_text_is_a_type_error(url: object) -> None:
    with pytest.raises(TypeError, match="base_url must be a str"):
        Client(KEY, base_url=url)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="base_url must be a str"):
        resolve_base_url(url)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", [123, b"bytes-key-0123456789", 0])
def test_an_api_key_that_is_not_text_is_a_type_error(key: object) -> None:
    with pytest.raises(TypeError, match="api_key must be a str"):
        Client(key)  # type: ignore[arg-type]
