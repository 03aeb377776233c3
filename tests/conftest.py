"""Shared test settings: hypothesis profile with deterministic seeds (CI must be reproducible)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "exactrelu", max_examples=40, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "exactrelu"))
