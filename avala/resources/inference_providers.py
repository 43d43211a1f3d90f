"""Model endpoints used for auto-labelling, and a connectivity test."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from avala._decode import model, nothing, page, raw
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import (
    optional_bool,
    optional_json_object,
    optional_str,
    optional_uid,
    page_query,
    required_str,
)
from avala.types import CursorPage, InferenceProvider, JsonObject


class InferenceProviders:
    """Builds requests for inference providers; ``client.inference_providers``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[InferenceProvider]]:
        """One page of inference providers."""
        query = page_query(limit, cursor)
        return api("inference_providers.list", page(InferenceProvider), query=query)

    def get(self, uid: str) -> Call[InferenceProvider]:
        """One inference provider by uid."""
        return api("inference_providers.get", model(InferenceProvider), path={"uid": uid})

    def create(
        self,
        *,
        name: str,
        provider_type: str,
        config: Mapping[str, Any],
        description: str | None = None,
        is_active: bool | None = None,
        project: str | None = None,
    ) -> Call[InferenceProvider]:
        """Register a model endpoint of ``provider_type`` with its ``config``."""
        body = {
            "name": required_str("name", name),
            "provider_type": required_str("provider_type", provider_type),
            "config": optional_json_object("config", config),
            **compact(
                description=optional_str("description", description),
                is_active=optional_bool("is_active", is_active),
                project=optional_uid("project", project),
            ),
        }
        return api("inference_providers.create", model(InferenceProvider), body=body)

    def update(
        self,
        uid: str,
        *,
        name: str | None = None,
        description: str | None = None,
        provider_type: str | None = None,
        config: Mapping[str, Any] | None = None,
        is_active: bool | None = None,
        project: str | None = None,
    ) -> Call[InferenceProvider]:
        """Change a provider; only the arguments given are sent (PATCH)."""
        body = compact(
            name=optional_str("name", name),
            description=optional_str("description", description),
            provider_type=optional_str("provider_type", provider_type),
            config=optional_json_object("config", config),
            is_active=optional_bool("is_active", is_active),
            project=optional_uid("project", project),
        )
        return api(
            "inference_providers.update", model(InferenceProvider), path={"uid": uid}, body=body
        )

    def delete(self, uid: str) -> Call[None]:
        """Remove an inference provider."""
        return api("inference_providers.delete", nothing(), path={"uid": uid})

    def test(self, uid: str) -> Call[JsonObject]:
        """Have the server try the provider's endpoint; its verdict as frozen JSON."""
        return api("inference_providers.test", raw(), path={"uid": uid})
