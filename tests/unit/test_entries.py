"""Registry entries: the statements their checks rest on, by routes independent of the checks
(hand-typed formulas from THEORY.md, explicit vectors, numpy, mpmath root finding)."""

import mpmath
import numpy as np
import sympy as sp

from clverify.proofs_check import registry
from clverify.proofs_check import sigmoid_proofs as P
from clverify.theory import derivation as D

N, t, b, x = D.N, D.t, D.b, D.x


def _unit(rng, *shape):
    z = rng.standard_normal(shape)
    return z / np.linalg.norm(z, axis=-1, keepdims=True)


# --- the (t, b) regimes and the monotone optimum -----------------------------------------------

def test_retired_regimes_id_resolves_to_the_phase_entry():
    assert registry.aliases()["lee2024.regimes_general"] == ("ext.sigmoid_phase_tb", "2026-11-29")
    assert registry.get("lee2024.regimes_general").id == "ext.sigmoid_phase_tb"


def test_logits_are_theory_md_s():
    A, B = P.logits()
    assert sp.simplify(A - (b - t * (2 * x - 1))) == 0
    assert sp.simplify(B - (t * (x * (N - 2) / (N - 1) - 1) - b)) == 0


def test_same_sign_proves_the_antipodal_boundary_and_only_it():
    b_A = sp.log((N - 2) / 2) - t       # THEORY.md
    assert P.same_sign(b - b_A, 0, -1, b) is not None
    assert P.same_sign(b - (sp.log(N - 2) - t), 0, -1, b) is None


def test_sign_counterexample_on_either_side_of_the_true_boundary():
    """N = 10, t = 1: the true antipodal boundary is b = log 4 - 1; a claim shifted to
    log 8 - 1 disagrees just above the true one, the true claim nowhere."""
    true = float(np.log(4) - 1)
    points = [(10, "1", f"{true + s:.6f}") for s in (-1e-3, 1e-3)]
    assert P.sign_counterexample(t + b - sp.log(N - 2), 0, -1, points) is not None
    assert P.sign_counterexample(t + b - sp.log((N - 2) / 2), 0, -1, points) is None


def test_slope_lemma_decides_t_eq_b_but_not_fixed_b():
    assert P.decreasing(t, path=t) is True
    assert P.decreasing(t, path=sp.Integer(1)) is None


def test_x_star_increases_along_t_eq_b_by_root_finding():
    """THEORY.md's l'(x) typed by hand, its root by mpmath at N = 10, t = b = 1.0 < 1.1."""
    def root(tv, n=10):
        def dl(z):
            return (-2 * tv * mpmath.sigmoid(tv - tv * (2 * z - 1))
                    + (n - 2) * tv * mpmath.sigmoid(tv * (z * (n - 2) / (n - 1) - 1) - tv))
        return mpmath.findroot(dl, (mpmath.mpf("0.01"), mpmath.mpf("0.99")), solver="anderson")

    with mpmath.workdps(30):
        assert root(mpmath.mpf("1.0")) < root(mpmath.mpf("1.1"))


def test_slope_lemma_reads_a_decreasing_optimum_along_b_eq_3_minus_t():
    """Along b = 3 - t the slopes swap signs at x = 1 (dA/dt = -2, dB/dt = (N-2)/(N-1)):
    G increases in t there, so the lemma returns False, not True."""
    assert P.decreasing(t, path=3 - t, x_values=(1,)) is False
