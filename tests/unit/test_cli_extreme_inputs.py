"""Extreme inputs (t, b up to 1e6 and beyond, tau down to 1e-300, N up to 1e20, d = 1, 2): every
number the CLI prints is compared with an independent high-precision reference typed here by
hand from THEORY.md and the losses' definitions (mpmath at 60 to 2100 digits, brute force over
sign patterns), or the record must say that it cannot be resolved (``saturated``, an
uncertified enclosure with its reason, null with a note).  JSON is parsed strictly.  Every
command that computes a number is walked: optimum, thresholds, phase, minimum, gd, analyse,
advise, margins, sweep, certify (:data:`COMPUTING_COMMANDS`; the others are in :data:`NOT_WALKED`).

The slowest cases are marked ``slow``; every case has a timeout (a hang fails).
"""

import itertools
import json
import math
import re

import mpmath
import pytest
from click.testing import CliRunner

from clverify.proofs_check.cli import main

RUNNER = CliRunner()
slow = pytest.mark.slow
pytestmark = pytest.mark.timeout(300)
#: The commands whose numbers this module checks at extreme inputs.
COMPUTING_COMMANDS = {"optimum", "thresholds", "phase", "minimum", "gd", "analyse", "advise", "margins",
                      "sweep", "certify"}
#: The others, and why they are not walked here.
NOT_WALKED = {
    "derive": "symbolic: no input number", "cite": "no input", "check": "the registry's own checks",
    "report": "the registry's checks, as a page", "losses-table": "minimum's values at fixed points",
    "figure": "gd and optimum on a fixed grid", "gap-table": "gd's values", "bench": "timings",
    "recheck": "a certificate's own numbers: tests/unit/test_recheck.py",
}


def _reject_constant(name):
    raise ValueError(f"not JSON: {name}")


def run_json(*args):
    result = RUNNER.invoke(main, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout, parse_constant=_reject_constant)["records"]


# --- the sigmoid loss on the CCEM, by hand: l(x) = sp(b - t(2x - 1)) + (N - 1) sp(c(x)) ----------

def _softplus(z):
    return z + mpmath.log1p(mpmath.exp(-z)) if z > 0 else mpmath.log1p(mpmath.exp(z))


def _logits(N, t, b, x):
    return b - t * (2 * x - 1), t * (x * (N - 2) / (N - 1) - 1) - b


def ccem_reference(N, t, b, dps=60):
    """(regime, x*, l(x*)): l'(x) = -2t s(a) + (N-2) t s(c) with s the logistic function; its
    sign is that of h(x) = log(N-2) + log s(c) - log 2 - log s(a), increasing in x; x* by
    bisection of h on [0, 1] (250 halvings) when h changes sign."""
    with mpmath.workdps(dps):
        N, t, b = mpmath.mpf(N), mpmath.mpf(t), mpmath.mpf(b)

        def h(x):
            a, c = _logits(N, t, b, x)
            return mpmath.log(N - 2) - _softplus(-c) - mpmath.log(2) + _softplus(-a)

        if h(mpmath.mpf(1)) <= 0:
            regime, x = "etf", mpmath.mpf(1)
        elif h(mpmath.mpf(0)) >= 0:
            regime, x = "antipodal", mpmath.mpf(0)
        else:
            lo, hi = mpmath.mpf(0), mpmath.mpf(1)
            for _ in range(250):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if h(mid) < 0 else (lo, mid)
            regime, x = "intermediate", (lo + hi) / 2
        a, c = _logits(N, t, b, x)
        return regime, x, _softplus(a) + (N - 1) * _softplus(c)


def _close(text, ref, rel):
    with mpmath.workdps(80):
        value = mpmath.mpf(text)
        return abs(value - ref) <= rel * max(abs(ref), mpmath.mpf(10) ** -70)


OPTIMUM_CASES = [
    (10, "1e4", "0"), (5, "1e6", "0"), (10, "100", "0"), (5, "100", "100"), (10, "1e4", "1e4"),
    (10, "1e-100", "0"), (3, "1e-100", "1e-100"), (10, "1", "1e4"), (10, "1", "-1e4"),
    (10_000_000, "1", "1"), (10_000_000, "1e4", "1e4"), (10, "1e-400", "0"), (4, "1e6", "1e6"),
    pytest.param(7, "1e6", "-3", marks=slow), pytest.param(1000, "1e5", "30", marks=slow),
]


@pytest.mark.parametrize("N, t, b", OPTIMUM_CASES)
def test_optimum_at_extremes_matches_the_hand_reference(N, t, b):
    (rec,) = run_json("optimum", "--N", N, "--t", t, "--b", b, "--digits", 40)
    regime, x, loss = ccem_reference(N, t, b)
    assert rec["regime"] == regime
    assert _close(rec["x"], x, 1e-30) or abs(mpmath.mpf(rec["x"]) - x) < mpmath.mpf(10) ** -35
    assert _close(rec["loss"], loss, 1e-30)       # with its exponent: 1e-1670 is not "0.0"
    assert rec["certified"] is True


def huge_t_reference(N, t, b, dps):
    """(x*, l(x*)) where t is so large that both logits a = b - t(2x - 1) and c are below
    -10^300 near x*: then log s(z) = z up to e^z (relative 10^(-10^300)), so l'(x*) = 0 reads
    c - a = -log((N-2)/2), linear in x:
    x* = (2t + 2b - log((N-2)/2)) / (t ((N-2)/(N-1) + 2)), and softplus(z) = e^z (same
    precision) gives l(x*) = e^a + (N-1) e^c = e^a (1 + 2(N-1)/(N-2))."""
    with mpmath.workdps(dps):
        N, t, b = mpmath.mpf(N), mpmath.mpf(t), mpmath.mpf(b)
        ratio = mpmath.log((N - 2) / 2)
        x = (2 * t + 2 * b - ratio) / (t * ((N - 2) / (N - 1) + 2))
        a = b - t * (2 * x - 1)
        assert a < -mpmath.mpf(10) ** 300
        return x, mpmath.exp(a) * (1 + 2 * (N - 1) / (N - 2))


@pytest.mark.parametrize("N, t, b, digits", [(10, "1e400", "0", 20), (10, "1e400", "0", 30),
                                             (7, "1e1000", "-3", 20), (10_000, "1e500", "1e5", 25)])
def test_optimum_at_huge_t_prints_the_loss_to_its_last_digit(N, t, b, digits):
    """The logits are ~t: l(x*) needs x* and t to ~log10(t) + digits digits (430 at t =
    1e400); the record's loss has every printed digit right, exponent included."""
    (rec,) = run_json("optimum", "--N", N, "--t", t, "--b", b, "--digits", digits)
    x, loss = huge_t_reference(N, t, b, dps=int(mpmath.log10(mpmath.mpf(t))) + 2 * digits)
    with mpmath.workdps(int(mpmath.log10(mpmath.mpf(t))) + 2 * digits):
        assert rec["regime"] == "intermediate" and rec["certified"] is True
        assert abs(mpmath.mpf(rec["x"]) - x) <= mpmath.mpf(10) ** (1 - digits)
        assert len(rec["loss"].split("e")[0].replace(".", "").lstrip("0")) == digits
        assert abs(mpmath.mpf(rec["loss"]) / loss - 1) <= mpmath.mpf(10) ** (1 - digits)


# --- thresholds and phase boundaries, by hand from THEORY.md -------------------------------------

@pytest.mark.parametrize("N", [5, 1000, 10_000_000, 10**20])
def test_thresholds_at_large_N_match_the_closed_forms(N):
    (rec,) = run_json("thresholds", "--N", N, "--digits", 40)
    with mpmath.workdps(60):
        t_etf = (mpmath.mpf(N) - 1) / N * mpmath.log(N - 3)        # Theorem 2
        t_anti = mpmath.log(mpmath.mpf(N) / 2 - 1) / 2
    assert _close(rec["t_etf"], t_etf, 1e-35) and _close(rec["t_antipodal"], t_anti, 1e-35)


def phase_reference(N, t):
    """b_A: l'(0) = 0 <=> b = -t + log((N-2)/2); b_E: l'(1) = 0 <=> with y = e^b,
    2 e^{t/(N-1)} y^2 - (N-4) y - (N-2) e^t = 0 (positive root)."""
    with mpmath.workdps(80):
        N, t = mpmath.mpf(N), mpmath.mpf(t)
        b_anti = -t + mpmath.log((N - 2) / 2)
        q = mpmath.exp(t / (N - 1))
        y = ((N - 4) + mpmath.sqrt((N - 4) ** 2 + 8 * (N - 2) * mpmath.exp(t) * q)) / (4 * q)
        return mpmath.log(y), b_anti


@pytest.mark.parametrize("N, t", [(10, "1e-100"), (10, "1e4"), (10, "1e6"), (10_000_000, "1e6"),
                                  (4, "1e-300")])
def test_phase_boundaries_at_extreme_t_match_the_closed_forms(N, t):
    (rec,) = run_json("phase", "--N", N, "--t", t, "--digits", 40)
    b_etf, b_anti = phase_reference(N, t)
    assert _close(rec["b_etf"], b_etf, 1e-33) and _close(rec["b_antipodal"], b_anti, 1e-33)
    assert rec["certified"] is True


def test_phase_beyond_certification_says_so():
    (rec,) = run_json("phase", "--N", 10, "--t", "1e400", "--digits", 30)
    b_etf, b_anti = phase_reference(10, "1e400")
    assert _close(rec["b_antipodal"], b_anti, 1e-25) and _close(rec["b_etf"], b_etf, 1e-25)
    assert rec["certified"] is False and "not certified" in rec["note"]


# --- closed-form minima at tiny tau, by hand from the losses on the simplex ETF ------------------
# u_i = v_i, u_i.u_j = -1/(M-1): with k = M / ((M-1) tau) the gap between a positive and a
# negative logit, infonce = log1p((M-1) e^-k), infonce-sym = 2 infonce, ntxent =
# log1p(2(M-1) e^-k), dcl = log(2(M-1)) - 1/tau - 1/((M-1) tau), dhel = 2 log(M-1) - 1/tau
# - 2/((M-1) tau), kcl (gaussian) = -2 + 2 gamma exp(-2 t M / (M-1)).

def _log1p_exp(count, k):
    """log10 of log1p(count e^-k) (for huge k: log1p(eps) = eps to relative eps/2)."""
    return mpmath.log10(mpmath.log1p(count * mpmath.exp(-k)))


def minimum_log10(loss, M, tau=None, t=None, gamma=None):
    """log10 |value| and the sign of the hand closed form."""
    with mpmath.workdps(400):
        M = mpmath.mpf(M)
        if loss in ("infonce", "infonce-sym", "ntxent"):
            k = M / ((M - 1) * mpmath.mpf(tau))
            count = 2 * (M - 1) if loss == "ntxent" else M - 1
            value_log = _log1p_exp(count, k) + (mpmath.log10(2) if loss == "infonce-sym" else 0)
            return value_log, 1
        if loss == "dcl":
            value = mpmath.log(2 * (M - 1)) - 1 / mpmath.mpf(tau) - 1 / ((M - 1) * mpmath.mpf(tau))
        elif loss == "dhel":
            value = 2 * mpmath.log(M - 1) - 1 / mpmath.mpf(tau) - 2 / ((M - 1) * mpmath.mpf(tau))
        else:
            value = -2 + 2 * mpmath.mpf(gamma) * mpmath.exp(-2 * mpmath.mpf(t) * M / (M - 1))
        return mpmath.log10(abs(value)), mpmath.sign(value)


def _decimal_log10(text):
    """log10 |x| and sign of the decimal string x, read without building x (huge exponents)."""
    mantissa, _, exponent = text.partition("e")
    with mpmath.workdps(400):
        m = mpmath.mpf(mantissa)
        return mpmath.log10(abs(m)) + int(exponent or 0), mpmath.sign(m)


MINIMUM_CASES = [
    ("infonce", 5, "1e-3"), ("infonce", 5, "1e-10"), ("infonce", 5, "1e-100"),
    ("infonce", 5, "1e-300"), ("infonce-sym", 5, "1e-3"), ("infonce-sym", 8, "1e-100"),
    ("ntxent", 5, "1e-3"), ("ntxent", 5, "1e-100"), ("dcl", 5, "1e-3"), ("dcl", 5, "1e-100"),
    ("dhel", 5, "1e-3"), ("dhel", 5, "1e-100"), ("dhel", 10_000_000, "0.3"),
    ("infonce", 10_000_000, "1e-3"),
]


@pytest.mark.parametrize("loss, M, tau", MINIMUM_CASES)
def test_minimum_at_tiny_tau_matches_the_hand_closed_form(loss, M, tau):
    (rec,) = run_json("minimum", "--loss", loss, "--N", M, "--tau", tau, "--digits", 25)
    ref_log, ref_sign = minimum_log10(loss, M, tau=tau)
    got_log, got_sign = _decimal_log10(rec["value_decimal"])
    assert got_sign == ref_sign and abs(got_log - ref_log) < 1e-20
    with mpmath.workdps(30):     # the float field: the value, or 0.0 once it underflows
        expected = float(ref_sign * mpmath.power(10, ref_log)) if ref_log > -400 else 0.0
    assert rec["value"] == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("t", ["1e4", "1e-100"])
def test_kcl_minimum_at_extreme_kernel_t_matches_the_hand_closed_form(t):
    (rec,) = run_json("minimum", "--loss", "kcl", "--N", 6, "--kernel-t", t, "--gamma", 16,
                      "--digits", 25)
    ref_log, ref_sign = minimum_log10("kcl", 6, t=t, gamma=16)
    got_log, got_sign = _decimal_log10(rec["value_decimal"])
    assert got_sign == ref_sign and abs(got_log - ref_log) < 1e-20


# --- gradient descent: against the certified CCEM optimum, or saturated --------------------------

def _gd(*args):
    (rec,) = run_json("gd", *args, "--restarts", 1)
    return rec


@pytest.mark.parametrize("N, t, b", [(5, "100", "0"), (10, "100", "0"), (5, "30", "0"),
                                     (5, "100", "-100"), (5, "1e-5", "0"),
                                     pytest.param(6, "100", "-5", marks=slow)])
def test_gd_at_extreme_t_reaches_the_certified_optimum(N, t, b):
    rec = _gd("--N", N, "--t", t, "--b", b)
    regime, x, loss = ccem_reference(N, t, b)
    assert rec["converged"] is True and rec["saturated"] is False
    assert rec["s_pos_mean"] == pytest.approx(float(2 * x - 1), abs=1e-6)
    assert rec["gram_distance"] < 1e-6
    assert rec["loss"] == pytest.approx(float(loss), rel=1e-9)


@pytest.mark.parametrize("N, t, b, saturated", [
    (5, "1e6", "0", True), (5, "1e-300", "0", True), (5, "1e300", "0", True),
    (5, "1e4", "1e4", None), pytest.param(5, "1e4", "0", None, marks=slow)])
def test_gd_beyond_float64_says_it_cannot_resolve(N, t, b, saturated):
    # Right (the certified structure), or not converged with a reason; where the loss or its
    # gradient leaves float64's range from the start, saturated.
    rec = _gd("--N", N, "--t", t, "--b", b)
    regime, x, loss = ccem_reference(N, t, b)
    resolved = (rec["gram_distance"] is not None and rec["gram_distance"] < 1e-6
                and rec["s_pos_mean"] == pytest.approx(float(2 * x - 1), abs=1e-6))
    assert resolved or (rec["converged"] is False and rec["reason"])
    if saturated:
        assert rec["saturated"] is True and "float64" in rec["reason"]


def test_gd_reaching_a_cusp_says_the_gradient_is_not_finite():
    """kcl-riesz (t = -1: the kernel -|u - v|) has its optimum at u_i = v_i, where |u - v| is not
    differentiable: descent ends with a NaN gradient, reported as such, not as an underflow."""
    rec = _gd("--N", 5, "--loss", "kcl-riesz")
    assert rec["converged"] is False and rec["saturated"] is True
    assert "not finite" in rec["reason"] and "below" not in rec["reason"]


def test_gd_at_t_b_100_is_right_or_says_the_structure_is_unresolved():
    rec = _gd("--N", 5, "--t", 100, "--b", 100)
    assert rec["gram_distance"] < 1e-6 or (rec["saturated"] and "cannot resolve" in rec["reason"])
    assert rec["loss"] == pytest.approx(float(ccem_reference(5, 100, 100)[2]), rel=1e-12)


@pytest.mark.parametrize("loss, tau", [("infonce-sym", "1e-3"), ("infonce", "1e-100")])
def test_gd_at_tiny_tau_is_right_or_says_it_is_not(loss, tau):
    rec = _gd("--N", 5, "--loss", loss, "--tau", tau)
    ref_log, _ = minimum_log10(loss, 5, tau=tau)       # the ETF's value, by hand
    assert abs(_decimal_log10(rec["theory_loss_decimal"])[0] - ref_log) < 1e-13   # 15 digits
    assert (rec["gram_distance"] is not None and rec["gram_distance"] < 1e-6) or (
        rec["converged"] is False and rec["reason"])


def _sigmoid_by_hand(U, V, t, b):
    N = len(U)
    return sum(math.log1p(math.exp(-(t * U[i] * V[j] - b) if i == j else t * U[i] * V[j] - b))
               for i in range(N) for j in range(N)) / N


def _infonce_by_hand(U, V, tau):
    N = len(U)
    return sum(-U[i] * V[i] / tau + math.log(sum(math.exp(U[i] * V[j] / tau) for j in range(N)))
               for i in range(N)) / N


@pytest.mark.parametrize("N, loss, params", [
    (5, "sigmoid", {"t": 1.0, "b": 1.0}), (6, "sigmoid", {"t": 5.0, "b": -2.0}),
    (6, "infonce", {"tau": 0.3}), (4, "sigmoid", {"t": 100.0, "b": 0.0})])
def test_gd_d1_is_the_brute_force_minimum_over_all_sign_patterns(N, loss, params):
    flat = [a for k, v in params.items() for a in (f"--{k}", str(v))]
    rec = _gd("--N", N, "--d", 1, "--loss", loss, *flat)
    assert rec["method"] == "enumeration" and rec["converged"] is True
    by_hand = {"sigmoid": lambda U, V: _sigmoid_by_hand(U, V, params.get("t"), params.get("b")),
               "infonce": lambda U, V: _infonce_by_hand(U, V, params.get("tau"))}[loss]
    best = min(by_hand(s[:N], s[N:]) for s in itertools.product((-1.0, 1.0), repeat=2 * N))
    assert rec["loss"] == pytest.approx(best, rel=1e-12)


def test_gd_d2_infonce_sym_n3_reaches_the_etf_of_the_plane():
    rec = _gd("--N", 3, "--d", 2, "--loss", "infonce-sym", "--tau", "0.3")
    expected = 2 * math.log1p(2 * math.exp(-3 / (2 * 0.3)))     # 2 log1p((M-1) e^{-k}), M = 3
    assert rec["converged"] is True and rec["loss"] == pytest.approx(expected, rel=1e-12)
    assert rec["gram_distance"] < 1e-6


def test_gd_d2_sigmoid_is_above_the_formal_ccem_bound():
    rec = _gd("--N", 4, "--d", 2, "--t", 1, "--b", 1)
    regime, x, bound = ccem_reference(4, 1, 1)
    assert rec["gram_distance"] is None and "lower bound" in rec["note"]
    assert rec["loss"] >= float(bound) - 1e-12 and rec["theory_loss"] == pytest.approx(float(bound))


def test_gd_n_1e7_is_refused_for_memory():
    result = RUNNER.invoke(main, ["gd", "--N", "10000000", "--d", "2", "--t", "1", "--b", "1"])
    assert result.exit_code == 2 and "bytes of memory" in result.stderr



# --- analyse: the CCEM optimum at extreme t and b, and d = 1 by brute force -------------------------

@pytest.mark.parametrize("N, t, b", [(10, "1e4", "0"), (10, "1", "-1e4"), (10_000_000, "1e4", "1e4")])
def test_analyse_at_extremes_matches_the_hand_reference(N, t, b):
    (rec,) = run_json("analyse", "--loss", "sigmoid", "--N", N, "--param", f"t={t}", "--param", f"b={b}",
                      "--no-gd", "--digits", 40)
    regime, x, loss = ccem_reference(N, t, b)
    assert rec["regime"] == regime and rec["certified"] is True
    assert _close(rec["x_star"], x, 1e-30) or abs(mpmath.mpf(rec["x_star"]) - x) < mpmath.mpf(10) ** -35
    assert _close(rec["loss"], loss, 1e-30)


@pytest.mark.parametrize("loss, params", [("sigmoid", {"t": 1.0, "b": 1.0}), ("sigmoid", {"t": 100.0, "b": 0.0}),
                                          ("infonce", {"tau": 0.3})])
def test_analyse_d1_is_the_brute_force_minimum_as_in_gd(loss, params):
    """analyse --d 1 follows gd's rule: the exact minimum over the sign patterns (N <= 30)."""
    N = 5
    flat = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    (rec,) = run_json("analyse", "--loss", loss, "--N", N, "--d", 1, *flat)
    by_hand = {"sigmoid": lambda U, V: _sigmoid_by_hand(U, V, params.get("t"), params.get("b")),
               "infonce": lambda U, V: _infonce_by_hand(U, V, params.get("tau"))}[loss]
    best = min(by_hand(s[:N], s[N:]) for s in itertools.product((-1.0, 1.0), repeat=2 * N))
    assert rec["d"] == 1 and rec["converged"] is True and "exact minimum" in rec["note"]
    assert rec["gd_loss"] == pytest.approx(best, rel=1e-12)


# --- advise: n_etf_max by an independent root of f(N), or null with a note when it cannot print ----

def _f_etf(m, t, b):
    """log of the ratio of the two terms of f(N) = (N-2)(1+e^{t-b}) - 2(1+e^{t/(N-1)+b}) (by hand,
    from the sign of l'(1)): the ETF is optimal at batch size m iff this is <= 0."""
    return (mpmath.log(m - 2) + _softplus(t - b) - mpmath.log(2) - _softplus(t / (m - 1) + b))


def n_etf_reference(t, b, dps):
    """The largest integer m >= 3 with f(m) <= 0: the real root of f by findroot (log scale),
    then checked at the integers on both sides."""
    with mpmath.workdps(dps):
        t, b = mpmath.mpf(t), mpmath.mpf(b)
        if _f_etf(mpmath.mpf(3), t, b) > 0:
            return None
        guess = 2 + 2 * mpmath.exp(_softplus(b) - _softplus(t - b))
        y = mpmath.findroot(lambda u: _f_etf(mpmath.exp(u), t, b), mpmath.log(guess))
        m = int(mpmath.floor(mpmath.exp(y)))
        m = next(k for k in (m + 1, m, m - 1) if _f_etf(mpmath.mpf(k), t, b) <= 0)
        assert _f_etf(mpmath.mpf(m), t, b) <= 0 < _f_etf(mpmath.mpf(m + 1), t, b)
        return m


@pytest.mark.parametrize("t, b, digits, dps", [("1", "100", 30, 120), ("10", "10", 30, 60),
                                               ("1e-100", "50", 30, 200),
                                               pytest.param("1", "2300", 2000, 2100, marks=slow)])
def test_advise_n_etf_max_at_large_bias_matches_the_independent_root(t, b, digits, dps):
    (rec,) = run_json("advise", "--N", 10, "--t", t, "--b", b, "--convention", "paper", "--digits", digits)
    assert rec["n_etf_max"] == n_etf_reference(t, b, dps) and rec["certified"] is True


@pytest.mark.parametrize("convention, b, certified", [("paper", "1e300", True), ("siglip", "-1e300", True),
                                                      ("paper", "1e1000", True)])
def test_advise_at_a_bias_whose_n_etf_max_cannot_print_says_so_at_once(convention, b, certified):
    """n_etf_max is about 2 e^b: null, and a note with its decimal exponent (log10 2 + b log10 e,
    by hand), the regime and x* as the hand reference says (at b = 1e1000 the sign of l'(1) =
    -2 s(b - 1) + 8 s(-1/9 - b) < 0 needs about 1000 digits: the optimum is computed with them,
    and x* = 1 is certified)."""
    (rec,) = run_json("advise", "--N", 10, "--t", 1, "--b", b, "--convention", convention)
    b_paper = mpmath.mpf(b) * (1 if convention == "paper" else -1)
    regime, x, _ = ccem_reference(10, 1, b_paper)
    assert rec["regime"] == regime == "etf" and mpmath.mpf(rec["x_star"]) == x
    assert rec["n_etf_max"] is None and rec["certified"] is certified
    assert certified or "x* not certified" in rec["note"]
    about = re.search(r"n_etf_max > 10\^1000 \(about 10\^([0-9.e+]+)\)", rec["note"])
    with mpmath.workdps(30):
        assert about and _close(about[1], mpmath.log10(2) + b_paper * mpmath.log10(mpmath.e), 1e-5)


def test_advise_where_n_etf_max_is_not_certified_says_so():
    """b = 2300: n_etf_max has 1000 digits, more than 30 digits (plus guard bits) certify."""
    (rec,) = run_json("advise", "--N", 10, "--t", 1, "--b", 2300, "--convention", "paper")
    assert rec["n_etf_max"] is None and rec["certified"] is False
    assert "is not certified at 30 digits" in rec["note"] and "(1000 digits)" in rec["note"]


# --- margins: the loss at t -> 0 by hand; beyond float64, null ---------------------------------------

def test_margins_at_tiny_t_is_the_hand_limit():
    """t0 = 1e-300 fixed, b = b_rel t = 1: every logit is -b or b to 1e-300, so the loss (with 1/N)
    is sp(b) + (N - 1) sp(-b) whatever the embedding."""
    rows = run_json("margins", "--N", 5, "--d", 5, "--fixed-t", "--t0", "1e-300", "--b-rel", "1e300",
                    "--steps", 3)
    with mpmath.workdps(30):
        expected = _softplus(mpmath.mpf(1)) + 4 * _softplus(mpmath.mpf(-1))
    assert rows[0]["loss"] == pytest.approx(float(expected), rel=1e-12)


def test_margins_beyond_float64_is_null_and_says_it_diverged():
    (row,) = run_json("margins", "--N", 5, "--d", 5, "--fixed-t", "--t0", "1.7e308", "--steps", 3)
    assert row["loss"] is None and row["stopped"] == "diverged"
    assert row["half_gap"] == pytest.approx((row["min_pos"] - row["max_neg"]) / 2, abs=1e-15)


# --- sweep: extreme t and d = 1 --------------------------------------------------------------------

def _sweep_records(tmp_path, grid):
    (tmp_path / "grid.toml").write_text(grid)
    result = RUNNER.invoke(main, ["sweep", "--grid", str(tmp_path / "grid.toml"), "--out",
                                  str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "records.json").read_text()
    return json.loads(text, parse_constant=_reject_constant)["records"]


def test_sweep_d1_is_the_brute_force_minimum_and_the_ccem_bound_is_by_hand(tmp_path):
    records = _sweep_records(tmp_path, "N = 4\nd = 1\nt = 5.0\nb = -2.0\nrestarts = 1\n")
    best = min(_sigmoid_by_hand(s[:4], s[4:], 5.0, -2.0) for s in itertools.product((-1.0, 1.0), repeat=8))
    assert records[0]["loss"] == pytest.approx(best, rel=1e-12) and records[0]["converged"] is True
    assert records[0]["ccem_bound"] == pytest.approx(float(ccem_reference(4, 5, -2)[2]), rel=1e-12)


def test_sweep_at_t_1e4_gives_the_underflowed_ccem_bound(tmp_path):
    """t = 1e4, b = 0: the optimal loss is about 1e-1670, 0.0 in float64."""
    (rec,) = _sweep_records(tmp_path, "N = 5\nt = 1e4\nb = 0.0\nrestarts = 1\nmax_iter = 50\n")
    assert float(ccem_reference(5, "1e4", 0)[2]) == 0.0 == rec["ccem_bound"] == rec["theory_loss"]
    assert rec["loss"] >= 0.0 and rec["gap"] == rec["loss"]


# --- certify: the enclosures contain the hand references -------------------------------------------

def _certify_rows(tmp_path, *args):
    out = tmp_path / f"certs-{args[0]}"
    result = RUNNER.invoke(main, ["certify", *map(str, args), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.json")
    return json.loads(path.read_text(), parse_constant=_reject_constant)["rows"]


def _contains(cell, ref):
    with mpmath.workdps(80):
        return mpmath.mpf(cell["lo"]) <= ref <= mpmath.mpf(cell["hi"])


def test_certify_thresholds_at_N_1e20_contain_the_closed_forms(tmp_path):
    N = 10**20
    (row,) = _certify_rows(tmp_path, "thresholds", "--N", N)
    with mpmath.workdps(80):
        assert _contains(row["t_etf"], (mpmath.mpf(N) - 1) / N * mpmath.log(N - 3))
        assert _contains(row["t_antipodal"], mpmath.log(mpmath.mpf(N) / 2 - 1) / 2)


def test_certify_optimum_and_phase_at_extreme_t_contain_the_hand_references(tmp_path):
    (row,) = _certify_rows(tmp_path, "optimum", "--N", 10, "--t", "1e4", "--b", 0)
    regime, x, _ = ccem_reference(10, "1e4", 0)
    assert row["regime"]["regime"] == regime and _contains(row["x_star"], x)
    (row,) = _certify_rows(tmp_path, "phase", "--N", 10, "--t", "1e6")
    b_etf, b_anti = phase_reference(10, "1e6")
    assert _contains(row["b_etf"], b_etf) and _contains(row["b_antipodal"], b_anti)


def test_certify_optimum_at_b_1e300_leaves_the_cells_empty(tmp_path):
    """Beyond what the precision resolves: no number, rather than a wrong one."""
    (row,) = _certify_rows(tmp_path, "optimum", "--N", 10, "--t", 1, "--b", "1e300")
    assert row["x_star"] is None and row["regime"] is None


def test_every_command_is_walked_here_or_says_why_not():
    assert set(main.list_commands(None)) == COMPUTING_COMMANDS | set(NOT_WALKED)
