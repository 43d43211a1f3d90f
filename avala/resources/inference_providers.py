"""Model endpoints used for auto-labelling."""

from __future__ import annotations


class InferenceProviders:
    """Builds requests for inference providers; ``client.inference_providers``."""
