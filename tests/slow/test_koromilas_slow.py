"""Sweeps of the Koromilas-et-al. checks (``pytest -m slow``)."""

from __future__ import annotations

import pytest

from clverify.proofs_check import koromilas_checks as K

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("loss", K.THM4_1_LOSSES)
@pytest.mark.parametrize("M,d", [(3, 2), (5, 4), (6, 8), (8, 7)])
@pytest.mark.parametrize("tau", [0.2, 0.3, 1.0, 3.0])
def test_thm4_1_sweep(loss, M, d, tau):
    assert K.thm4_1(loss, M, d, tau=tau) is None


@pytest.mark.parametrize("loss", K.THM4_1_LOSSES + ("dhel-1view", "kcl", "kcl-log", "kcl-imq"))
@pytest.mark.parametrize("M,d", [(3, 2), (6, 5), (8, 10)])
def test_min_values_sweep(loss, M, d):
    # KCL with gamma = 16 has spurious local minima (e.g. M = 6, d = 5: 1 restart in 10 finds
    # the simplex), so its sweep uses more restarts.
    restarts = 20 if loss.startswith("kcl") else K.RESTARTS
    assert K.min_values(loss, M, d, restarts=restarts) is None


@pytest.mark.parametrize("d", [3, 4])
def test_kcl_cross_polytope_sweep(d):
    assert K.kcl_cross_polytope(d, restarts=20) is None


@pytest.mark.parametrize("loss,M,d", [("dhel", 8, 3), ("kcl", 8, 3), ("kcl-imq", 6, 3)])
def test_decoupling_sweep(loss, M, d):
    assert K.decoupling(loss, M, d) is None


def test_asymptotic_uniform_longer():
    assert K.asymptotic_uniform(sizes=(4, 8, 12, 16)) is None
