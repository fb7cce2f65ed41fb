"""The five losses of docs/examples/ end to end, each against the closed forms of its own
docstring (derived by hand): the restriction l(x), the optimum, and the verdict on "is the
CCEM optimal?" (proof for the pair and row losses, refuted for the spectral loss with the
orthonormal structure descent finds, empirical for alignment + uniformity)."""

from __future__ import annotations

from pathlib import Path

import mpmath
import pytest

from clverify import analyse, load_loss
from clverify.numerics.output.loss_figures import restriction_curve

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
N = 6


def example(name):
    return load_loss(EXAMPLES / f"{name}.py", name)


def sp_(x):
    return 2 * x - 1


def sn(x, n=N):
    return x * mpmath.mpf(n - 2) / (n - 1) - 1


def softplus(z):
    return mpmath.log1p(mpmath.exp(z))


def sigma(z):
    return 1 / (1 + mpmath.exp(-z))


# the restriction l(x) of each docstring, by hand
HAND = {
    "margin_sigmoid": ({"t": "2", "b": "1", "m": "1", "w": "2"},
                       lambda x: 2 * softplus(1 + 1 - 2 * sp_(x)) + (N - 1) * softplus(2 * sn(x) - 1)),
    "alignment_uniformity": ({"t": "2", "lam": "1"},
                             lambda x: 4 * (1 - x) - 2 * 1 * 2 * N * x / mpmath.mpf(N - 1)),
    "margin_infonce": ({"tau": "0.5", "m": "0.2"},
                       lambda x: 2 * mpmath.log(1 + (N - 1) * mpmath.exp((mpmath.mpf("0.2") - x * N / mpmath.mpf(N - 1)) / mpmath.mpf("0.5")))),
    "rowwise_sigmoid": ({"t": "2", "b": "1"},
                        lambda x: softplus(1 - 2 * sp_(x)) + softplus(mpmath.log(N - 1) + 2 * sn(x) - 1)),
    "spectral": ({}, lambda x: -2 * sp_(x) + (N - 1) * sn(x) ** 2),
}


@pytest.fixture(scope="module")
def results():
    return {name: analyse(example(name), N, N, params, restarts=2) for name, (params, _) in HAND.items()}


@pytest.mark.parametrize("name", sorted(HAND))
def test_restriction_is_the_hand_closed_form(name, results):
    _, ell = HAND[name]
    xs, ys = restriction_curve(results[name], example(name))
    with mpmath.workdps(30):
        for x, y in list(zip(xs, ys))[::25]:
            assert abs(y - float(ell(mpmath.mpf(x)))) < 1e-12 * max(1, abs(y))
        assert abs(results[name].loss - ell(results[name].x_star)) < mpmath.mpf(10) ** -25


@pytest.mark.parametrize("name", ["margin_sigmoid", "margin_infonce", "rowwise_sigmoid"])
def test_pair_and_row_losses_are_proved_optimal_on_the_ccem(name, results):
    r = results[name]
    assert (r.ccem_optimal, r.scope, r.descent) == ("proof", "global", "agrees")
    assert "lee2024.lemma1" in r.ccem_optimal_evidence and "within the CCEM family" not in (r.note or "")


def test_rowwise_sigmoid_x_star_is_the_root_of_the_hand_derivative():
    """At N = 10, t = 2, b = 1 the optimum is interior: the root of the hand l'(x)."""
    n = 10

    def dl(x, t=2, b=1):
        return -2 * t * sigma(b - t * sp_(x)) + t * mpmath.mpf(n - 2) / (n - 1) * sigma(mpmath.log(n - 1) + t * sn(x, n) - b)

    r = analyse(example("rowwise_sigmoid"), n, params={"t": "2", "b": "1"}, gd=False)
    with mpmath.workdps(40):
        assert r.regime == "intermediate" and r.certified
        assert abs(r.x_star - mpmath.findroot(dl, 0.9)) < mpmath.mpf(10) ** -28


def test_spectral_is_refuted_by_an_orthonormal_aligned_embedding(results):
    """By hand: the CCEM's best is the ETF, -2 + 1/(N - 1); u_i = v_i orthonormal gives -2."""
    r = results["spectral"]
    assert (r.regime, r.ccem_optimal, r.scope, r.descent) == ("etf", "refuted", "ccem_family", "below_ccem")
    with mpmath.workdps(40):
        assert abs(r.loss - (mpmath.mpf(-2) + mpmath.mpf(1) / (N - 1))) < mpmath.mpf(10) ** -28
    assert abs(r.gd_loss + 2) < 1e-9
    s = r.gd_structure
    assert abs(s["s_pos_mean"] - 1) < 1e-8 and abs(s["s_neg_mean"]) < 1e-8 and s["rank"] == N
    assert "within the CCEM family (ccem_optimal: refuted)" in r.note


def test_alignment_uniformity_agrees_with_descent_without_a_proof(results):
    """The value -2 lam t N/(N - 1) at the ETF is also the global minimum (docstring), but the
    within-view terms are outside the argument: empirical, not proof."""
    r = results["alignment_uniformity"]
    assert (r.regime, r.ccem_optimal, r.scope) == ("etf", "empirical", "ccem_family")
    with mpmath.workdps(40):
        assert abs(r.loss - mpmath.mpf(-4 * N) / (N - 1)) < mpmath.mpf(10) ** -28
    assert "within-view" in r.ccem_optimal_evidence


def test_below_the_dimension_a_proof_is_a_lower_bound_and_descent_respects_it():
    """At d < N the CCEM does not exist; the Jensen + Lemma 1 bound holds in every dimension, so
    descent's loss cannot go below l(x*) (an independent check of the proof's consequence)."""
    r = analyse(example("margin_sigmoid"), N, 3, HAND["margin_sigmoid"][0], restarts=2)
    assert (r.descent, r.ccem_optimal) == ("d_lt_N", "proof")
    assert r.gd_loss >= float(r.loss) - 1e-9 and "lower bound of the loss in every dimension" in r.note
    spectral = analyse(example("spectral"), N, 3, restarts=1)
    assert (spectral.descent, spectral.ccem_optimal) == ("d_lt_N", "unknown")


def test_no_descent_leaves_unproved_losses_unknown():
    r = analyse(example("spectral"), N, gd=False)
    assert (r.ccem_optimal, r.descent, r.scope) == ("unknown", None, "ccem_family")


def test_a_descent_stopped_early_is_not_converged_with_its_reason():
    r = analyse(example("margin_sigmoid"), N, N, HAND["margin_sigmoid"][0], restarts=1, max_iter=1)
    assert r.descent == "not_converged" and r.ccem_optimal == "proof"
    assert "did not converge" in r.note and "above the CCEM optimum" in r.note


@pytest.mark.parametrize("lam, regime, value", [("1", "etf", (-40, 9)), ("-0.9", "degenerate", (4, 1)),
                                                 ("-2", "antipodal", (4, 1))])
def test_a_linear_restriction_is_solved_exactly(lam, regime, value):
    """l(x) = 4 - 4x - 2 lam t N x/(N - 1) at N = 10, t = 2: slope -4 - 40 lam/9, zero exactly at
    lam = -9/10 (constant l = 4: every CCEM optimal, 'degenerate'); the ETF above, the
    antipodal end below, each certified by the sign of the constant slope."""
    r = analyse(example("alignment_uniformity"), 10, params={"t": "2", "lam": lam}, gd=False)
    assert (r.regime, r.certified) == (regime, True) and "l is linear in x" in r.x_enclosure.reason + r.certificate
    with mpmath.workdps(40):
        assert abs(r.loss - mpmath.mpf(value[0]) / value[1]) < mpmath.mpf(10) ** -28
