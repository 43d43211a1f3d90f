"""storage_configs: every endpoint against FakeAvala over real HTTP."""

from __future__ import annotations

import urllib.request
from datetime import datetime
from typing import Any

import pytest
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.resources import StorageConfigs
from avala.testing import FakeAvala
from avala.types import StorageConfig


def _field_names(error: object) -> set[str]:
    assert isinstance(error, ValidationError), error
    return {d.field for d in error.details}


def _seed(fake: FakeAvala, **fields: Any) -> dict[str, Any]:
    record = {"name": "Bucket", "provider": "aws_s3", "s3_bucket_name": "b", "organization": None}
    return fake.store.insert("storage_configs", {**record, **fields})


def test_create_sends_organization_in_query(client: Client, fake: FakeAvala) -> None:
    result = client.run(
        client.storage_configs.create(
            name="Raw data",
            provider="aws_s3",
            organization="acme",
            s3_bucket_name="raw-bucket",
            s3_bucket_region="eu-west-1",
            s3_auth_method="access_key",
            s3_access_key_id="AKIAEXAMPLE",
            s3_secret_access_key="s3cr3t",
            s3_is_accelerated=False,
        )
    )

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/storage-configs/")
    assert sent.query == {"organization": ["acme"]}
    assert sent.body == {
        "name": "Raw data",
        "provider": "aws_s3",
        "s3_bucket_name": "raw-bucket",
        "s3_bucket_region": "eu-west-1",
        "s3_auth_method": "access_key",
        "s3_access_key_id": "AKIAEXAMPLE",
        "s3_secret_access_key": "s3cr3t",
        "s3_is_accelerated": False,
    }
    config = result.unwrap()
    assert (config.name, config.provider, config.s3_bucket_name) == (
        "Raw data",
        "aws_s3",
        "raw-bucket",
    )
    assert (config.s3_bucket_region, config.s3_is_accelerated, config.is_verified) == (
        "eu-west-1",
        False,
        False,
    )
    # It belongs to the organization: visible scoped to it, not to another one.
    scoped = client.run(client.storage_configs.get(config.uid, organization="acme"))
    assert scoped.unwrap() == config
    other = client.run(client.storage_configs.get(config.uid, organization="globex"))
    assert isinstance(other.failure(), NotFoundError)


def test_get_sends_an_empty_organization_as_given(client: Client, fake: FakeAvala) -> None:
    config = _seed(fake, organization="acme")
    found = client.run(client.storage_configs.get(config["uid"], organization=""))
    assert fake.requests[-1].query == {"organization": [""]}
    # The fake, like the API, reads an empty organization as no scope.
    assert found.unwrap().uid == config["uid"]
    client.run(client.storage_configs.get(config["uid"]))
    assert fake.requests[-1].query == {}


def test_create_gcs_without_organization(client: Client, fake: FakeAvala) -> None:
    result = client.run(
        client.storage_configs.create(
            name="GCS",
            provider="gc_storage",
            gc_storage_bucket_name="g-bucket",
            gc_storage_prefix="data/",
            gc_storage_auth_json_content='{"type": "service_account"}',
        )
    )

    sent = fake.requests[-1]
    assert sent.query == {}
    assert sent.body == {
        "name": "GCS",
        "provider": "gc_storage",
        "gc_storage_bucket_name": "g-bucket",
        "gc_storage_prefix": "data/",
        "gc_storage_auth_json_content": '{"type": "service_account"}',
    }
    config = result.unwrap()
    assert (config.gc_storage_bucket_name, config.gc_storage_prefix) == ("g-bucket", "data/")


def test_create_missing_bucket_is_400(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.storage_configs.create(name="No bucket", provider="aws_s3"))

    assert _field_names(result.failure()) == {"s3_bucket_name"}
    assert fake.store.create_count["storage_configs"] == 0


def test_create_unknown_provider_is_400(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.storage_configs.create(name="X", provider="ftp"))

    assert _field_names(result.failure()) == {"provider"}


def test_create_checks_arguments() -> None:
    configs = StorageConfigs()
    with pytest.raises(TypeError, match="name"):
        configs.create(name=None, provider="aws_s3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="s3_is_accelerated"):
        configs.create(name="x", provider="aws_s3", s3_is_accelerated="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="s3_bucket_name"):
        configs.create(name="x", provider="aws_s3", s3_bucket_name=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit"):
        configs.list(limit=-1)


def test_list_filters_by_organization_and_pages(client: Client, fake: FakeAvala) -> None:
    mine = [_seed(fake, name=f"acme-{n}", organization="acme") for n in range(3)]
    _seed(fake, name="personal")

    first = client.run(client.storage_configs.list(organization="acme", limit=2)).unwrap()
    second = client.run(
        client.storage_configs.list(organization="acme", limit=2, cursor=first.next_cursor)
    ).unwrap()
    everything = client.run(client.storage_configs.list()).unwrap()

    assert [(r.method, r.path) for r in fake.requests] == [("GET", "/storage-configs/")] * 3
    assert fake.requests[0].query == {"organization": ["acme"], "limit": ["2"]}
    assert fake.requests[1].query == {
        "organization": ["acme"],
        "limit": ["2"],
        "cursor": [first.next_cursor],
    }
    assert fake.requests[2].query == {}
    assert [c.uid for c in (*first, *second)] == [m["uid"] for m in mine]
    assert len(everything) == 4


def test_responses_never_echo_secrets(client: Client, fake: FakeAvala) -> None:
    created = client.run(
        client.storage_configs.create(
            name="Keys",
            provider="aws_s3",
            s3_bucket_name="b",
            s3_access_key_id="AKIAEXAMPLE",
            s3_secret_access_key="top-secret",
        )
    ).unwrap()

    headers = {"X-Avala-Api-Key": fake.api_key}
    for path in ("/storage-configs/", f"/storage-configs/{created.uid}/"):
        request = urllib.request.Request(fake.base_url + path, headers=headers)
        with urllib.request.urlopen(request, timeout=5) as answer:
            text = answer.read().decode()
        assert created.uid in text
        assert "top-secret" not in text
        assert "AKIAEXAMPLE" not in text


def test_setup_info(client: Client, fake: FakeAvala) -> None:
    personal = client.run(client.storage_configs.setup_info()).unwrap()
    acme = client.run(client.storage_configs.setup_info(organization="acme")).unwrap()

    assert [(r.method, r.path, r.query) for r in fake.requests] == [
        ("GET", "/storage-configs/setup-info/", {}),
        ("GET", "/storage-configs/setup-info/", {"organization": ["acme"]}),
    ]
    assert personal.avala_aws_account_id == acme.avala_aws_account_id
    assert personal.avala_aws_account_id.isdigit()
    assert personal.external_id and acme.external_id and personal.external_id != acme.external_id


def test_test_verifies_the_config(client: Client, fake: FakeAvala) -> None:
    seeded = _seed(fake, s3_bucket_name="raw-bucket")

    result = client.run(client.storage_configs.test(seeded["uid"]))

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        f"/storage-configs/{seeded['uid']}/test/",
        None,
    )
    verdict = result.unwrap()
    assert verdict["success"] is True
    assert "raw-bucket" in verdict["message"]
    after = client.run(client.storage_configs.get(seeded["uid"])).unwrap()
    assert after.is_verified is True
    assert isinstance(after.last_verified_at, datetime)


def test_test_unknown_is_404(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.storage_configs.test("ghost"))
    assert isinstance(result.failure(), NotFoundError)


def test_get(client: Client, fake: FakeAvala) -> None:
    seeded = _seed(fake, name="B", s3_bucket_prefix="p/", s3_is_accelerated=True)

    result = client.run(client.storage_configs.get(seeded["uid"]))

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        f"/storage-configs/{seeded['uid']}/",
        {},
    )
    assert result.unwrap() == StorageConfig(
        uid=seeded["uid"],
        name="B",
        provider="aws_s3",
        s3_bucket_name="b",
        s3_bucket_prefix="p/",
        s3_is_accelerated=True,
        created_at=datetime.fromisoformat(seeded["created_at"]),
        updated_at=datetime.fromisoformat(seeded["updated_at"]),
    )


def test_get_of_other_organization_is_404(client: Client, fake: FakeAvala) -> None:
    seeded = _seed(fake, organization="acme")

    result = client.run(client.storage_configs.get(seeded["uid"], organization="globex"))

    assert fake.requests[-1].query == {"organization": ["globex"]}
    assert isinstance(result.failure(), NotFoundError)


def test_delete(client: Client, fake: FakeAvala) -> None:
    seeded = _seed(fake)

    result = client.run(client.storage_configs.delete(seeded["uid"]))
    again = client.run(client.storage_configs.delete(seeded["uid"]))
    gone = client.run(client.storage_configs.get(seeded["uid"]))

    sent = fake.requests[0]
    assert (sent.method, sent.path, sent.body) == (
        "DELETE",
        f"/storage-configs/{seeded['uid']}/",
        None,
    )
    assert result == Success(None)
    assert isinstance(again.failure(), NotFoundError)
    assert isinstance(gone.failure(), NotFoundError)
