"""Hypothesis profiles: ``dev`` (default locally), ``ci`` (derandomised, set when CI=true)
and ``thorough``; ``CLVERIFY_HYPOTHESIS_PROFILE`` picks one explicitly.

Torch runs on one thread per test process (``CLVERIFY_TORCH_THREADS`` overrides): the
optimiser's problems are small, and with ``pytest -n 2`` on two cores more threads only contend.
"""

import os

import torch
from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

settings.register_profile("dev", max_examples=20, deadline=None)
settings.register_profile(
    "ci", max_examples=20, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=500, deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get("CLVERIFY_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

torch.set_num_threads(int(os.environ.get("CLVERIFY_TORCH_THREADS", "1")))
