"""Test setup shared by every test: headless Qt and deterministic Hypothesis runs."""

import os

# Set before anything imports Qt: tests run without a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import HealthCheck, settings  # noqa: E402

# Derandomized so that CI gives the same verdict every run; `--hypothesis-profile=explore`
# searches new examples.
settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", deadline=None, max_examples=2000,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
