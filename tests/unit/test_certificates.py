"""The certificate writer and the covering boxes: every certified number enclosed as an
independent route says, every certificate re-checked, and the covers' trees as the checker
rebuilds them.  Independent routes: mpmath at 60 digits from the papers' formulas typed here."""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import pytest

from clverify.numerics.precision.boxes import box_region, monotone_cover, positive_cover
from clverify.numerics.precision.certificates import (
    exact_decimal,
    optimum_certificate,
    phase_certificate,
    positive_cover_certificate,
    threshold_certificate,
)
from clverify.recheck import check_certificate
from clverify.theory import derivation as D


@pytest.fixture(autouse=True)
def _sixty_digits():
    with mpmath.workdps(60):
        yield


def _inside(value, cell) -> bool:
    return mpmath.mpf(cell["lo"]) <= value <= mpmath.mpf(cell["hi"])


def _rechecked(cert) -> dict:
    data = json.loads(cert.to_json({"command": "test"}))
    result = check_certificate(data)
    assert result.failures == [] and result.rows == len(data["rows"]) and result.facts >= result.rows
    return data


def _l_prime(x, N, t, b):
    """l'(x) of THEORY.md, typed here: -2t s(b - t(2x-1)) + (N-2)t s(t(x(N-2)/(N-1) - 1) - b)."""
    s = lambda z: 1 / (1 + mpmath.exp(-z))  # noqa: E731
    return -2 * t * s(b - t * (2 * x - 1)) + (N - 2) * t * s(t * (x * (N - 2) / (N - 1) - 1) - b)


def test_threshold_enclosures_hold_the_papers_thresholds():
    """Theorem 2: t_E = (N-1)/N log(N-3), t_A = 1/2 log((N-2)/2); N = 3, 4 have no positive
    t_A, N = 3 no t_E, and t_E(4) = 0 lies outside t > 0: those cells are omitted with a reason."""
    data = _rechecked(threshold_certificate([3, 4, 5, 10, 311], digits=30))
    for row in data["rows"]:
        N = int(row["parameters"]["N"])
        if N >= 5:
            assert _inside((N - 1) / mpmath.mpf(N) * mpmath.log(N - 3), row["t_etf"])
            assert _inside(mpmath.log(mpmath.mpf(N - 2) / 2) / 2, row["t_antipodal"])
        else:
            assert row["t_etf"] is None and row["t_antipodal"] is None
    omitted = {(o["parameters"]["N"], o["column"]) for o in data["omitted"]}
    assert omitted == {("3", "t_etf"), ("3", "t_antipodal"), ("4", "t_etf"), ("4", "t_antipodal")}
    assert all(o["reason"] for o in data["omitted"])


def test_phase_enclosures_hold_roots_found_by_mpmath():
    """b_A = log((N-2)/2) - t; b_E solves (N-2)(1 + e^(t-b)) = 2(1 + e^(t/(N-1) + b))
    (THEORY.md), found by mpmath.findroot here."""
    data = _rechecked(phase_certificate([(10, "1"), (5, "0.3"), (1000, "20")], digits=30))
    for row in data["rows"]:
        N, t = int(row["parameters"]["N"]), mpmath.mpf(row["parameters"]["t"])
        b_e = mpmath.findroot(lambda b: (N - 2) * (1 + mpmath.exp(t - b)) - 2 * (1 + mpmath.exp(t / (N - 1) + b)),
                              mpmath.log(mpmath.mpf(N - 2) / 2))
        assert _inside(b_e, row["b_etf"])
        assert _inside(mpmath.log(mpmath.mpf(N - 2) / 2) - t, row["b_antipodal"])


def test_optimum_regimes_and_x_star_match_an_independent_computation():
    triples = [(10, "1.2", "1.2"), (10, "5", "5"), (10, "0.1", "0.1"), (57, "3.25", "-0.5")]
    data = _rechecked(optimum_certificate(triples, digits=30))
    for row, (N, t, b) in zip(data["rows"], triples):
        t, b = mpmath.mpf(t), mpmath.mpf(b)
        d1, d0 = _l_prime(1, N, t, b), _l_prime(0, N, t, b)
        assert row["l'(1)"]["sign"] == mpmath.sign(d1) and row["l'(0)"]["sign"] == mpmath.sign(d0)
        regime = "etf" if d1 <= 0 else "antipodal" if d0 >= 0 else "intermediate"
        assert row["regime"]["regime"] == regime
        if regime == "intermediate":
            root = mpmath.findroot(lambda x: _l_prime(x, N, t, b), (0, 1), solver="illinois")
            assert abs(_l_prime(root, N, t, b)) < mpmath.mpf(10) ** -50 and _inside(root, row["x_star"])
        else:
            assert row["x_star"] is None


def test_parameters_are_kept_as_the_exact_decimals_given():
    data = _rechecked(optimum_certificate([(10, "1.20", "-1e-3")], digits=20))
    assert data["rows"][0]["parameters"] == {"N": "10", "t": "1.2", "b": "-0.001"}


def test_exact_decimal_is_exact_and_refuses_what_has_no_finite_decimal():
    assert Fraction(exact_decimal(Fraction(1, 1024))) == Fraction(1, 1024)
    assert exact_decimal(mpmath.mpf(2) ** -3) == "0.125" and exact_decimal("-7") == "-7"
    with pytest.raises(ValueError, match="no finite decimal"):
        exact_decimal(Fraction(1, 3))


def test_positive_cover_tree_is_the_partition_the_checker_rebuilds():
    """Its leaves are the boxes the checker rebuilds from the tree, they cover the region's
    volume exactly, and the certificate re-checks."""
    from clverify.recheck import _tree_leaves

    region = box_region(x=(0, 1), t="1/10:1/2", b="0:1/4")
    cover = positive_cover(D.ccem_loss_dx2(), 10, region)
    boxes = _tree_leaves({n: [exact_decimal(lo), exact_decimal(hi)] for n, lo, hi in region}, ["x", "t", "b"],
                         cover.tree)
    assert len(boxes) == cover.leaves > 1
    volume = sum((b["x"][1] - b["x"][0]) * (b["t"][1] - b["t"][0]) * (b["b"][1] - b["b"][0]) for b in boxes)
    assert volume == Fraction(1) * Fraction(2, 5) * Fraction(1, 4)
    _rechecked(positive_cover_certificate([cover], D.ccem_loss_dx2(), "convexity", "claim", ("x", "t", "b"),
                                          {"x": (0, 1)}, 20))


def test_positive_cover_finds_a_negative_point():
    """t/4 - x on x in [0, 1], t in [1, 2] is -1/8 at the centre (1/2, 3/2) (by hand)."""
    cover = positive_cover(D.t / 4 - D.x, 3, box_region(x=(0, 1), t=(1, 2)))
    assert cover.tree is None and cover.negative_at == {"x": Fraction(1, 2), "t": Fraction(3, 2)}


def test_monotone_cover_covers_both_thresholds_and_refutes_the_wrong_direction():
    """The region holds [t_A(6), t_E(6)] (Theorem 2's closed forms, here); x* is not
    decreasing, so the cover for that direction fails on its first box."""
    cover = monotone_cover(6, 1, -1)
    t_a, t_e = mpmath.log(2) / 2, mpmath.mpf(5) / 6 * mpmath.log(3)
    lo, hi = (mpmath.mpf(e.numerator) / e.denominator for e in cover.region)
    assert cover.failed is None and lo <= t_a and t_e <= hi and hi - lo < t_e - t_a + mpmath.mpf(10) ** -25
    assert monotone_cover(6, 1, 1).failed is not None
    with pytest.raises(ValueError, match="power of 2"):
        monotone_cover(6, 3, -1)


def test_the_kinds_file_is_what_the_writers_write():
    """clverify/recheck_kinds.json, which the checker pins, holds the canonical header of every
    kind the package writes (after a change of a claim or an expression: run
    `python -m clverify.proofs_check.certificates` and review the diff)."""
    from clverify.proofs_check.certificates import KINDS_FORMAT, KINDS_PATH, certificate_kinds

    shipped = json.loads(KINDS_PATH.read_text())
    assert shipped == {"format": KINDS_FORMAT, "kinds": certificate_kinds()}
    assert {"thresholds", "phase", "optimum"} <= set(shipped["kinds"]) and len(shipped["kinds"]) == 8


def test_the_writers_do_not_import_the_checker():
    """The writers compute every fact with the package's own evaluators: importing them (and
    writing a certificate) loads no clverify.recheck."""
    import subprocess
    import sys

    code = ("import sys; from clverify.numerics.precision.certificates import threshold_certificate; "
            "import clverify.proofs_check.certificates; threshold_certificate([10], 20).to_json({}); "
            "print('clverify.recheck' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_selection_names_the_rows():
    data = _rechecked(threshold_certificate([*range(4, 9), 10, 12], digits=20))
    assert data["selection"] == [{"N": {"from": "4", "to": "8"}}, {"N": ["10", "12"]}]
    data = _rechecked(phase_certificate([(5, "1"), (5, "2"), (6, "1")], digits=20))
    assert data["selection"] == [{"N": ["5"], "t": ["1"]}, {"N": ["5"], "t": ["2"]}, {"N": ["6"], "t": ["1"]}]
