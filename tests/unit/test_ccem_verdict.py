"""The one classification of a descent (descent_outcome) and the one verdict on "is the CCEM
optimal?" (ccem_verdict), as tables: each row is a case a plausible bug gets wrong (a lower
loss ignored because descent did not converge, a positive gap called agreement, d < N treated
as evidence, a proof overridden)."""

import numpy as np
import pytest

from clverify.numerics.ccem_verdict import ccem_verdict, descent_outcome, gram_summary, scope

TOL = 1e-9


@pytest.mark.parametrize("N, d, gap, converged, proof, outcome, words", [
    (10, 10, -0.11, True, False, "below_ccem", "0.11 below the CCEM optimum: the CCEM family does not"),
    (10, 10, -0.11, False, False, "below_ccem", "(descent had not converged: max_iter)"),  # a lower loss is a witness
    (10, 10, -2 * TOL, True, False, "below_ccem", "below"),
    (10, 10, -0.5 * TOL, True, False, "agrees", "converged to the CCEM optimum's loss"),
    (10, 10, 0.5 * TOL, True, False, "agrees", "converged to the CCEM optimum's loss"),
    (10, 10, 2 * TOL, True, False, "local_minimum", "a local minimum or a saddle"),
    (10, 10, 0.3, False, False, "not_converged", "did not converge (max_iter); it ends 0.3 above"),
    (10, 10, 0.0, False, False, "not_converged", "did not converge"),
    (10, 9, -4.0, True, False, "d_lt_N", "bounds nothing there"),      # d < N: no evidence either way
    (10, 9, 0.2, False, True, "d_lt_N", "is a lower bound of the loss in every dimension"),
    (10, 10, None, True, False, "not_compared", "not resolved"),
])
def test_descent_outcome_table(N, d, gap, converged, proof, outcome, words):
    found, note = descent_outcome(N, d, gap, TOL, converged, "max_iter", proof)
    assert found == outcome and words in note
    other = {"agrees": "below", "below_ccem": "agrees with", "local_minimum": "converged to the CCEM"}
    assert other.get(found, "\0") not in note   # the note never says the opposite of the outcome


@pytest.mark.parametrize("shown, outcome, verdict", [
    (True, "agrees", "proof"), (True, None, "proof"), (True, "d_lt_N", "proof"),
    (False, "below_ccem", "refuted"), (False, "agrees", "empirical"),
    (False, "local_minimum", "unknown"), (False, "not_converged", "unknown"),
    (False, "d_lt_N", "unknown"), (False, None, "unknown"), (False, "not_compared", "unknown"),
])
def test_verdict_table(shown, outcome, verdict):
    assert ccem_verdict(shown, outcome) == verdict
    assert scope(verdict) == ("global" if verdict == "proof" else "ccem_family")


def test_gram_summary_of_an_orthonormal_aligned_embedding_by_hand():
    """u_i = v_i = e_i: s+ = 1, s- = 0, u - v = 0, mean of u has norm |(1,...,1)|/N = 1/sqrt(N),
    rank N; a rotated copy has the same summary."""
    from types import SimpleNamespace

    N = 5
    Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((N, N)))
    for U in (np.eye(N), Q):
        r = SimpleNamespace(U=U, V=U.copy(), s_pos_mean=1.0, s_pos_std=0.0, s_pos_min=1.0,
                            s_neg_mean=0.0, s_neg_std=0.0, s_neg_max=0.0)
        summary = gram_summary(r)
        assert summary["rank"] == N and summary["u_minus_v_max"] < 1e-12
        assert abs(summary["mean_u_norm"] - 1 / np.sqrt(N)) < 1e-12
