"""The independent checker (clverify.recheck): isolation from the search code, its parser and
evaluator against mpmath, and every planted tampering rejected with a message naming the row."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from decimal import Decimal, localcontext
from fractions import Fraction

import flint
import mpmath
import pytest
import sympy as sp
from flint import arb
from hypothesis import given
from hypothesis import strategies as st

from clverify.numerics.precision.boxes import box_region, monotone_cover, positive_cover
from clverify.numerics.precision.certificates import (
    monotone_cover_certificate,
    optimum_certificate,
    positive_cover_certificate,
    threshold_certificate,
)
from clverify.recheck import Expression, ball, check_certificate, derivative, main, sign
from clverify.theory import derivation as D


def _as_json(cert) -> dict:
    return json.loads(cert.to_json({}))


@pytest.fixture(scope="module")
def thresholds():
    return _as_json(threshold_certificate(range(5, 12), digits=30))


@pytest.fixture(scope="module")
def convexity():
    cover = positive_cover(D.ccem_loss_dx2(), 10, box_region(x=(0, 1), t="1/10:1/2", b="0:1/4"))
    return _as_json(positive_cover_certificate([cover], "convexity", "l'' > 0 on the region"))


@pytest.fixture(scope="module")
def monotone():
    return _as_json(monotone_cover_certificate([monotone_cover(6, 1, -1)], "monotone"))


@pytest.fixture(scope="module")
def optimum():
    return _as_json(optimum_certificate([(10, "1.2", "1.2"), (10, "5", "5"), (10, "0.1", "0.1")], 30))


def _failures(data) -> list[str]:
    rows, failed, messages = check_certificate(data)
    assert (failed > 0) == bool(messages)
    return messages


# --- isolation --------------------------------------------------------------------------------

def test_importing_the_checker_loads_no_search_code():
    """In a fresh interpreter, the checker loads clverify's tiny __init__ and itself only: no
    clverify.numerics, clverify.theory or clverify.proofs_check, and neither SymPy nor mpmath."""
    code = ("import sys, clverify.recheck; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('clverify', 'sympy', 'mpmath')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['clverify',", "'clverify.recheck']"]


# --- the parser and the evaluator -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "__import__('os').system('true')",
    "Symbol('x').__class__",
    "sin(Symbol('x'))",
    "Float('1.5', precision=53)",
    "Add(Symbol('x'), lambda: 1)",
    "Symbol('x', commutative=False)",
    "Add(Symbol('x', real=True), Symbol('x', positive=True))",
    "Pow(Symbol('x'))",
    "Integer(1.5)",
    "Rational(1, 0)",
    "Mul(Integer(2), 1)",
    "Mul(Symbol('x'), Pow(Symbol('x'), x))",
    "x + 1",
])
def test_parser_rejects_what_it_does_not_know(text):
    with pytest.raises((ValueError, ZeroDivisionError)):
        Expression(text)


@pytest.mark.parametrize("name", ["etf_condition", "etf_boundary_b", "loss_dx_tb", "loss_dx2",
                                  "etf_threshold_tb", "loss_x"])
@pytest.mark.parametrize("point", [(Fraction(3, 7), 10, Fraction(6, 5), Fraction(-1, 3)),
                                   (Fraction(9, 10), 57, Fraction(17, 4), Fraction(5, 2))])
def test_expression_ball_contains_sympy_evalf(name, point):
    """The checker's ball of a derived formula contains SymPy's own 60-digit value (another
    evaluator: evalf), and is tight."""
    from clverify.numerics.precision.evaluators import formula

    expr = formula(name)
    x, n, t, b = point
    at = {D.x: sp.Rational(x.numerator, x.denominator), D.N: n,
          D.t: sp.Rational(t.numerator, t.denominator), D.b: sp.Rational(b.numerator, b.denominator)}
    reference = arb(str(sp.N(expr.subs(at), 60)), "1e-50")
    f = Expression(sp.srepr(expr))
    with flint.ctx.workprec(200):
        value = f({"x": ball(x), "N": ball(Fraction(n)), "t": ball(t), "b": ball(b)})
    assert value.overlaps(reference) and value.rad() < 1e-50


def test_euler_number_is_exp_of_one():
    """SymPy writes exp(1) as E; the checker reads it as the ball of e (mpmath's 40 digits)."""
    f = Expression(sp.srepr(sp.E * sp.Symbol("x", real=True)))
    with flint.ctx.workprec(150), mpmath.workdps(45):
        value = f({"x": ball(Fraction(2))})
        reference = arb(mpmath.nstr(2 * mpmath.e, 42), "1e-40")
    assert value.overlaps(reference) and value.rad() < 1e-40


def test_derivative_encloses_the_derivative_over_an_interval():
    """d/dx exp(x^2) = 2 x exp(x^2) on [1, 2] lies in [2e, 4e^4] (by hand); at a point it is tight."""
    f = Expression("exp(Pow(Symbol('x', real=True), Integer(2)))")
    with flint.ctx.workprec(100):
        over = derivative(f, {"x": ball(Fraction(1)).union(ball(Fraction(2)))}, "x")
        at = derivative(f, {"x": ball(Fraction(3, 2))}, "x")
        e = arb(1).exp()
    assert over.contains(2 * e) and over.contains(4 * e**4) and sign(over) is None or over > 0
    assert at.overlaps(3 * arb("2.25").exp()) and at.rad() < 1e-25


def test_sign_is_certain_or_none():
    assert (sign(arb(2).log() - 1), sign(arb(0)), sign(arb(0, 1)), sign(arb("nan"))) == (-1, 0, None, None)


# --- certificates as written pass ------------------------------------------------------------

def test_written_certificates_pass(thresholds, convexity, monotone, optimum):
    for data in (thresholds, convexity, monotone, optimum):
        rows, failed, messages = check_certificate(data)
        assert (failed, messages) == (0, []) and rows == len(data["rows"]) > 0


# --- planted tampering --------------------------------------------------------------------------

def _row(data, n: int) -> tuple[int, dict]:
    index = next(i for i, r in enumerate(data["rows"]) if r["parameters"]["N"] == str(n))
    return index, data["rows"][index]


def test_an_endpoint_moved_past_the_root_is_rejected(thresholds):
    """lo moved to the midpoint between the root (t_E(7), mpmath from the paper's closed form)
    and hi: the interval still looks fine, but f(lo) now has the sign of f(hi)."""
    data = copy.deepcopy(thresholds)
    index, row = _row(data, 7)
    with mpmath.workdps(80):
        root = Decimal(mpmath.nstr(mpmath.mpf(6) / 7 * mpmath.log(4), 80))
    with localcontext() as ctx:
        ctx.prec = 100
        row["t_etf"]["lo"] = str((root + Decimal(row["t_etf"]["hi"])) / 2)
    assert Decimal(row["t_etf"]["lo"]) < Decimal(row["t_etf"]["hi"])
    messages = _failures(data)
    assert len(messages) == 1 and messages[0].startswith(f"row {index} (N=7), t_etf: the sign of f(lo) is")


def test_a_claimed_sign_flipped_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    index, row = _row(data, 9)
    cell = row["t_antipodal"]
    cell["sign_lo"], cell["sign_hi"], cell["slope"] = -cell["sign_lo"], -cell["sign_hi"], -cell["slope"]
    assert _failures(data) == [f"row {index} (N=9), t_antipodal: the sign of f(lo) is {-cell['sign_lo']}, "
                               f"the certificate says {cell['sign_lo']}"]


def test_signs_that_show_no_root_are_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    index, row = _row(data, 6)
    row["t_etf"]["sign_hi"] = row["t_etf"]["sign_lo"]
    assert "do not show a unique root" in _failures(data)[0]


def test_an_edited_expression_with_its_old_digest_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    record = data["expressions"]["etf_threshold_tb"]
    record["srepr"] = record["srepr"].replace("Integer(-3)", "Integer(-2)", 1)
    messages = _failures(data)
    assert messages == ["expression 'etf_threshold_tb': its SHA-256 digest does not match its srepr text"]
    assert check_certificate(data)[1] == len(data["rows"])


def test_an_edited_expression_with_a_new_digest_fails_its_rows(thresholds):
    """log(N - 3) -> log(N - 2) in the closed form, digest recomputed: the closed form leaves
    every enclosure of the root of the general condition."""
    data = copy.deepcopy(thresholds)
    record = data["expressions"]["etf_threshold_tb"]
    record["srepr"] = record["srepr"].replace("Integer(-3)", "Integer(-2)", 1)
    record["sha256"] = hashlib.sha256(record["srepr"].encode()).hexdigest()
    messages = _failures(data)
    assert len(messages) == len(data["rows"])
    assert all("t_etf: the closed form" in m and "is not inside" in m for m in messages)


def test_a_wrong_digest_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    data["expressions"]["etf_condition_tb"]["sha256"] = "0" * 64
    assert _failures(data) == ["expression 'etf_condition_tb': its SHA-256 digest does not match its srepr text"]


def test_a_removed_box_split_is_rejected(convexity):
    """A split whose halves are leaves ('dLL') replaced by one leaf, the leaf count adjusted:
    the parent box is not certified positive (that is why the search split it)."""
    data = copy.deepcopy(convexity)
    cell = data["rows"][0]["positive"]
    at = next(i for i in range(len(cell["tree"]) - 2)
              if cell["tree"][i].isdigit() and cell["tree"][i + 1:i + 3] == "LL")
    cell["tree"] = cell["tree"][:at] + "L" + cell["tree"][at + 3:]
    cell["leaves"] -= 1
    messages = _failures(data)
    assert len(messages) == 1 and messages[0].startswith("row 0 (N=10), positive: f is not certified > 0 on the box")


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(tree=c["tree"][:-1]), "the tree ends with 1 box(es) not settled"),
    (lambda c: c.update(tree=c["tree"] + "L"), "the tree has nodes after its last box"),
    (lambda c: c.update(leaves=c["leaves"] + 1), "the number of leaf boxes is"),
    (lambda c: c["region"].update(t=["0.1", "0.6"]), "f is not certified > 0 on the box"),
])
def test_a_tree_that_does_not_partition_the_region_is_rejected(convexity, edit, message):
    data = copy.deepcopy(convexity)
    edit(data["rows"][0]["positive"])
    messages = _failures(data)
    assert len(messages) == 1 and message in messages[0] and messages[0].startswith("row 0 (N=10)")


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(sign=-c["sign"]), "the sign of dF/dt on"),
    (lambda c: c["region"]["t"].__setitem__(0, str(Decimal(c["region"]["t"][0]) + Decimal("0.01"))),
     "the low end of the region is"),
    (lambda c: c["brackets"][0].__setitem__(1, c["brackets"][0][0]), "is not certified > 0 on"),
    (lambda c: c["ends"][1].update(hi=c["ends"][1]["lo"]), "the high end of the region is"),
])
def test_a_tampered_monotone_cover_is_rejected(monotone, edit, message):
    data = copy.deepcopy(monotone)
    edit(data["rows"][0]["monotone"])
    messages = _failures(data)
    assert messages and message in messages[0] and messages[0].startswith("row 0 (N=6), monotone")


def test_a_changed_regime_is_rejected(optimum):
    data = copy.deepcopy(optimum)
    etf = next(r for r in data["rows"] if r["regime"]["regime"] == "etf")
    etf["regime"]["regime"] = "antipodal"
    messages = _failures(data)
    assert len(messages) == 1 and "the regime 'antipodal' does not follow" in messages[0]


def _by_hand(hi: str, closed: str) -> dict:
    """A certificate typed here: the root 2 of t - 2 in [1.5, hi], with a closed form."""
    exprs = {"f": "Add(Symbol('t', positive=True), Integer(-2))", "g": closed}
    return {"format": "clverify-certificate/1", "parameters": [], "precision_bits": 64,
            "expressions": {k: {"srepr": v, "sha256": hashlib.sha256(v.encode()).hexdigest()}
                            for k, v in exprs.items()},
            "columns": {"r": {"fact": "root", "expression": "f", "unknown": "t", "closed_form": "g"}},
            "rows": [{"parameters": {}, "r": {"lo": "1.5", "hi": hi, "sign_lo": -1, "sign_hi": 1, "slope": 1}}]}


def test_a_closed_form_must_lie_inside_the_enclosure_not_just_touch_it():
    """log(exp(5/2)) is a ball around 5/2 that is not exactly 5/2: inside [1.5, 2.6], but not
    certified inside [1.5, 2.5] although it overlaps it."""
    closed = "log(exp(Rational(5, 2)))"
    assert check_certificate(_by_hand("2.6", closed)) == (1, 0, [])
    messages = _failures(_by_hand("2.5", closed))
    assert len(messages) == 1 and "r: the closed form" in messages[0] and "is not inside [1.5, 2.5]" in messages[0]


def test_a_parameter_outside_its_symbol_domain_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    data["rows"][0]["parameters"]["N"] = "5.5"
    assert "violates the assumption(s) ['integer']" in _failures(data)[0]


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 300) | st.text(max_size=5) | st.floats(allow_nan=False),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                     max_leaves=5)


@given(path=st.lists(st.integers(0, 40), min_size=1, max_size=6), value=_JSON)
def test_any_corrupted_value_is_a_reported_failure_never_a_crash(path, value):
    """A value anywhere in a certificate replaced by any JSON value: check_certificate returns
    (or says the file is not a certificate); it never raises anything else."""
    from clverify.recheck import NotACertificate

    data = copy.deepcopy(_SMALL)
    node = data
    for step in path[:-1]:
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys or not isinstance(node[keys[step % len(keys)]], (dict, list)):
            break
        node = node[keys[step % len(keys)]]
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    if keys:
        node[keys[path[-1] % len(keys)]] = value
    try:
        check_certificate(data)
    except NotACertificate:
        pass


_SMALL = json.loads(optimum_certificate([(10, "1.2", "1.2")], 15).to_json({}))


# --- the command ---------------------------------------------------------------------------

def test_main_prints_a_line_per_file_and_exits_1_on_a_failure(tmp_path, thresholds, capsys):
    (tmp_path / "good.json").write_text(json.dumps(thresholds))
    bad = copy.deepcopy(thresholds)
    bad["rows"][2]["t_etf"]["slope"] = -bad["rows"][2]["t_etf"]["slope"]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    assert main([str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"bad.json: {len(bad['rows'])} rows checked, 1 failed"
    assert lines[1].startswith("  FAIL row 2 (N=7), t_etf: the sign of f' on [lo, hi] is")
    assert lines[2] == f"good.json: {len(bad['rows'])} rows checked, 0 failed"


@pytest.mark.parametrize("setup, message", [
    (lambda d: d / "missing", "no such file or folder"),
    (lambda d: d, "no certificate (*.json) in"),
    (lambda d: (d / "x.json").write_text("{not json") and d, "is not a certificate"),
    (lambda d: (d / "x.json").write_text('{"rows": []}') and d, "is not a certificate: no \"format\""),
    (lambda d: (d / "x.json").write_text('{"format": "clverify-certificate/1", "rows": NaN}') and d,
     "NaN is not strict JSON"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, setup, message):
    path = setup(tmp_path)
    out = subprocess.run([sys.executable, "-m", "clverify.recheck", str(path)], capture_output=True, text=True)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.splitlines()) == 1 and message in out.stderr and "Traceback" not in out.stderr
