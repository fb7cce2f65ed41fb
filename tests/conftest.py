"""Hypothesis profiles: ``dev`` (default locally), ``ci`` (derandomised, set when CI=true)
and ``thorough``; ``CLVERIFY_HYPOTHESIS_PROFILE`` picks one explicitly.

Torch runs on one thread per test process (``CLVERIFY_TORCH_THREADS`` overrides): the
optimiser's problems are small, and with ``pytest -n 2`` on two cores more threads only contend.
The count is passed through ``OMP_NUM_THREADS``, which torch reads when a test first imports it,
so that tests without torch (the trust core's, run many times by mutation testing) do not pay
for importing it.
"""

import os
import sys

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

_THREADS = os.environ.get("CLVERIFY_TORCH_THREADS", "1")
if "torch" in sys.modules:  # already imported (by a plugin): too late for the variable
    sys.modules["torch"].set_num_threads(int(_THREADS))
else:
    os.environ["OMP_NUM_THREADS"] = _THREADS
