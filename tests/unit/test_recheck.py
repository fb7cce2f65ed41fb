"""The independent checker (clverify.recheck): isolation from the search code, its parser and
evaluator against SymPy's evalf and against the writers' own evaluators, and every attack of
issue 18 rejected with a message naming the row and the fact (or the header field)."""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal, localcontext
from fractions import Fraction

import flint
import mpmath
import pytest
import sympy as sp
from flint import arb
from hypothesis import example, given
from hypothesis import strategies as st

from clverify.numerics.precision.boxes import compiled
from clverify.numerics.precision.certificates import optimum_certificate, threshold_certificate
from clverify.proofs_check.certificates import WRITERS
from clverify.proofs_check.registry import get
from clverify.recheck import (
    Expression,
    NotACertificate,
    ball,
    check_certificate,
    derivative,
    infix,
    interval,
    sign,
)
from clverify.theory import derivation as D

CONVEXITY = ("lee2024.convexity", "second_derivative_positive_on_boxes")
CONVEXITY_ROW = "row 0 (N=10, t_lo=0.1, t_hi=0.5, b_lo=0, b_hi=0.25), positive"
MONOTONE = ("lee2024.monotone_t_eq_b", "derivative_sign_on_covering_boxes")


def _as_json(cert) -> dict:
    return json.loads(cert.to_json({}))


def _registry(key, points) -> dict:
    """The registry writer of ``key`` at ``points`` (its pinned kind)."""
    theorem = get(key[0])
    check = next(c for c in theorem.checks if c.name == key[1])
    return _as_json(WRITERS[key](theorem, check, points, ".".join(key)))


@pytest.fixture(scope="module")
def thresholds():
    return _as_json(threshold_certificate([*range(5, 12), 100], digits=30))


@pytest.fixture(scope="module")
def convexity():
    return _registry(CONVEXITY, [{"N": 10, "t": "1/10:1/2", "b": "0:1/4"}])


@pytest.fixture(scope="module")
def monotone():
    return _registry(MONOTONE, [{"N": 6, "boxes": 1}])


@pytest.fixture(scope="module")
def optimum():
    return _as_json(optimum_certificate([(10, "1.2", "1.2"), (10, "5", "5"), (10, "0.1", "0.1")], 30))


def _failures(data) -> list[str]:
    result = check_certificate(copy.deepcopy(data))
    assert result.passed == (not result.failures)
    return result.failures


def _row(data, n: int) -> tuple[int, dict]:
    index = next(i for i, r in enumerate(data["rows"]) if r["parameters"]["N"] == str(n))
    return index, data["rows"][index]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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
    "Symbol('x', positive=False)",
    "Symbol('x', commutative=True)",
    "Max(Symbol('x'), Integer(2))",
    "Abs(Symbol('x'))",
])
def test_parser_rejects_what_it_does_not_know(text):
    with pytest.raises((ValueError, ZeroDivisionError)):
        Expression(text)
    with pytest.raises((ValueError, ZeroDivisionError)):
        infix(text)


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


@pytest.mark.parametrize("text, shown", [
    ("Mul(Integer(3), Pow(Add(Symbol('N'), Integer(-1)), Integer(-1)))", "3/(N - 1)"),
    ("Pow(Add(Symbol('x'), Integer(1)), Rational(1, 3))", "(x + 1)^(1/3)"),
    ("Mul(Rational(1, 2), Pow(Symbol('x'), Integer(-2)), Symbol('y'))", "1/2*y/x^2"),
    ("Pow(Pow(Symbol('x'), Integer(2)), Integer(3))", "(x^2)^3"),
    ("Add(Symbol('a'), Mul(Integer(-1), Add(Symbol('b'), Symbol('c'))))", "a - 1*(b + c)"),
    ("Pow(Symbol('x'), Rational(1, 2))", "sqrt(x)"),
    ("Mul(Symbol('x'), Integer(-1))", "x*(-1)"),
    ("Pow(Integer(-2), Symbol('x'))", "(-2)^x"),
])
def test_infix_prints_what_the_parser_reads(text, shown):
    assert infix(text) == shown


# --- certificates as written pass, PINNED -----------------------------------------------------

def test_written_certificates_pass_pinned(thresholds, convexity, monotone, optimum):
    for data in (thresholds, convexity, monotone, optimum):
        result = check_certificate(data)
        assert result.failures == [] and result.pinned and result.rows == len(data["rows"]) > 0
        assert result.facts >= result.rows


def test_a_certificate_of_another_kind_is_checked_against_its_own_header_unpinned(thresholds):
    data = copy.deepcopy(thresholds)
    data["kind"] = "my own thresholds"
    result = check_certificate(data)
    assert result.passed and not result.pinned and result.kind == "my own thresholds"


# --- the attacks of issue 18: header --------------------------------------------------------

def _header_failures(data) -> list[str]:
    return [m for m in _failures(data) if m.startswith("header: ")]


def test_a_swapped_claim_and_emptied_assumptions_are_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    data["claim"], data["assumes"] = "t_etf is the threshold of a better paper.", []
    assert _header_failures(data) == [
        "header: the header's 'claim' differs from the canonical header of kind 'thresholds'",
        "header: the header's 'assumes' differs from the canonical header of kind 'thresholds'"]


def test_other_expressions_with_recomputed_digests_and_regenerated_rows_are_rejected(thresholds):
    """The condition replaced by 2 l'(1) (same roots, same signs) and the closed form by the
    paper's typed form, digests recomputed: every row still holds, but the digests are not the
    kind's."""
    forged = _as_json(threshold_certificate([*range(5, 12), 100], digits=30,
                                            closed_forms={"t_etf": (D.N - 1) / D.N * sp.log(D.N - 3)}))
    record = forged["expressions"]["etf_condition_tb"]
    record["srepr"] = f"Mul(Integer(2), {record['srepr']})"
    record["sha256"] = _digest(record["srepr"])
    forged["kind"] = "unpinned copy"
    assert check_certificate(copy.deepcopy(forged)).passed  # consistent in itself
    forged["kind"] = "thresholds"
    assert _header_failures(forged) == [
        "header: the header's 'expressions' differs from the canonical header of kind 'thresholds'"]


def test_a_closed_form_removed_from_its_column_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    del data["columns"]["t_etf"]["closed_form"]
    data["expressions"]["etf_threshold_tb"]["srepr"] = "Integer(7)"
    data["expressions"]["etf_threshold_tb"]["sha256"] = _digest("Integer(7)")
    assert "header: the header's 'columns' differs from the canonical header of kind 'thresholds'" in _failures(data)


def test_swapped_columns_are_rejected(thresholds):
    """The header's etf and antipodal columns swapped (the rows left as they are): the header is
    not the kind's and every cell fails its facts; the cells swapped instead: each fails."""
    data = copy.deepcopy(thresholds)
    data["columns"]["t_etf"], data["columns"]["t_antipodal"] = data["columns"]["t_antipodal"], data["columns"]["t_etf"]
    messages = _failures(data)
    assert "header: the header's 'columns' differs from the canonical header of kind 'thresholds'" in messages
    assert any(m.startswith("row 0 (N=5), t_etf: the sign of f(lo) is") for m in messages)
    data = copy.deepcopy(thresholds)
    index, row = _row(data, 7)
    row["t_etf"], row["t_antipodal"] = row["t_antipodal"], row["t_etf"]
    messages = _failures(data)
    assert len(messages) == 2 and messages[0].startswith(f"row {index} (N=7), t_etf: the sign of f(hi) is")


def test_swapped_regime_pointers_are_rejected(optimum):
    data = copy.deepcopy(optimum)
    regime = data["columns"]["regime"]
    regime["etf"], regime["antipodal"] = regime["antipodal"], regime["etf"]
    assert "header: the header's 'columns' differs from the canonical header of kind 'optimum'" in _failures(data)


def test_regime_evidence_from_a_cell_that_is_not_a_column_is_rejected(optimum):
    """Every row given a cell 'fake' with l'(1) <= 0 and the regime pointed at it: every point
    would read 'ETF'.  Pinned: the header differs; unpinned: 'fake' is no column, and no row
    may hold a cell that is not a column."""
    data = copy.deepcopy(optimum)
    data["columns"]["regime"]["etf"] = "fake"
    for row in data["rows"]:
        row["fake"], row["regime"] = {"sign": -1}, {"regime": "etf"}
    assert "header: the header's 'columns' differs from the canonical header of kind 'optimum'" in _failures(data)
    data["kind"] = "unpinned copy"
    assert _failures(data) == ["header: column 'regime': etf must name a sign column, got 'fake'"]
    data["columns"]["fake"] = {"fact": "note"}
    assert "header: column 'fake': unknown fact 'note'" in _failures(data)
    data["columns"]["regime"]["etf"] = "l'(1)"
    del data["columns"]["fake"]
    messages = _failures(data)
    assert messages[:2] == ["row 0 (N=10, t=1.2, b=1.2): unknown field(s) ['fake']",
                            "row 1 (N=10, t=5, b=5): unknown field(s) ['fake']"]


def test_a_cut_convexity_region_is_rejected(convexity):
    """x in [0, 0.5] while the claim says [0, 1]: the tree is rebuilt on the cut region (a
    true cover of less), so only the column's fixed side rejects it."""
    data = copy.deepcopy(convexity)
    data["rows"][0]["positive"]["region"]["x"] = ["0", "0.5"]
    messages = _failures(data)
    assert messages[0] == (CONVEXITY_ROW + ": the side x of the region is ['0', '0.5'], "
                           "the column fixes it to ['0', '1']")


def test_a_region_and_its_row_widened_together_are_checked(convexity):
    """t widened to [0.1, 0.6] in the cell and in the row's parameters (and the selection):
    the tree, built for [0.1, 0.5], now has a box where f is not certified > 0."""
    data = copy.deepcopy(convexity)
    data["rows"][0]["positive"]["region"]["t"] = ["0.1", "0.6"]
    data["rows"][0]["parameters"]["t_hi"] = data["selection"][0]["t_hi"][0] = "0.6"
    messages = _failures(data)
    assert len(messages) == 1 and messages[0].startswith(
        "row 0 (N=10, t_lo=0.1, t_hi=0.6, b_lo=0, b_hi=0.25), positive: f is not certified > 0 on the box")


def test_covers_of_one_N_on_two_regions_are_two_rows():
    """The registry's fast and thorough points of lee2024.convexity share N = 3 on two regions:
    two rows, told apart by their sides (a row is its N and its region)."""
    data = _registry(CONVEXITY, [{"N": 3, "t": "1/10:1/5", "b": "0:1/8"}, {"N": 3, "t": "1/10:1/4", "b": "0:1/8"}])
    assert check_certificate(data).passed and len(data["rows"]) == 2


def test_monotone_ends_and_root_range_are_pinned(monotone):
    data = copy.deepcopy(monotone)
    data["columns"]["monotone"]["ends"] = ["t_A", "t_A"]
    assert "header: the header's 'columns' differs from the canonical header of kind " \
           "'lee2024.monotone_t_eq_b.derivative_sign_on_covering_boxes'" in _failures(data)
    data = copy.deepcopy(monotone)
    data["columns"]["monotone"]["root_range"] = ["0.5", "0.5"]
    assert any("the header's 'columns' differs" in m for m in _failures(data))


def test_stated_digits_are_enforced(thresholds):
    """t_etf(100) = 99/100 log 97 ~ 4.53 widened to [4, 5]: the signs still hold (a true
    root), but the width is not that of 30 digits; the header's digits lowered to 0 instead:
    below the kind's least."""
    data = copy.deepcopy(thresholds)
    index, row = _row(data, 100)
    row["t_etf"].update(lo="4", hi="5")
    messages = _failures(data)
    assert messages == [f"row {index} (N=100), t_etf: the width of [lo, hi] is 1, more than its 30 stated "
                        f"digits allow"]
    data["digits"] = 0
    assert _failures(data) == ["header: digits = 0, kind 'thresholds' states at least 15"]


# --- the attacks of issue 18: completeness ----------------------------------------------------

def test_null_or_deleted_cells_need_a_listed_reason(thresholds):
    data = copy.deepcopy(thresholds)
    for row in data["rows"]:
        row["t_etf"] = None
        del row["t_antipodal"]
    messages = _failures(data)
    assert messages[:2] == ["row 0 (N=5), t_etf: no cell, and the header's omitted list does not give a reason",
                            "row 0 (N=5), t_antipodal: no cell, and the header's omitted list does not give a reason"]
    assert messages[-1] == "no fact was checked (every cell omitted, or no row)"
    data["omitted"] = [{"parameters": r["parameters"], "column": c, "reason": "not needed"}
                       for r in data["rows"] for c in ("t_etf", "t_antipodal")]
    assert _failures(data) == ["no fact was checked (every cell omitted, or no row)"]


def test_an_omitted_list_must_match_null_cells(thresholds):
    data = copy.deepcopy(thresholds)
    data["omitted"] = [{"parameters": {"N": "6"}, "column": "t_etf", "reason": "no reason"}]
    assert _failures(data) == ["row 1 (N=6), t_etf: the header's omitted list names this cell, which has a value",
                               "header: omitted lists 1 cell(s) that are not null cells of a row"]


def test_no_rows_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    data["rows"] = []
    messages = _failures(data)
    assert messages[0] == "header: 8 point(s) of the selection have no row: N=5; N=6; N=7; N=8; N=9 ..."
    assert messages[-1] == "no fact was checked (every cell omitted, or no row)"


def test_dropped_rows_are_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    data["rows"] = [r for r in data["rows"] if r["parameters"]["N"] not in ("7", "8", "9")]
    assert _failures(data) == ["header: 3 point(s) of the selection have no row: N=7; N=8; N=9"]


def test_a_duplicated_row_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    data["rows"].append(copy.deepcopy(data["rows"][2]))
    assert _failures(data) == [f"row {len(data['rows']) - 1} (N=7): this row is twice in the file (a duplicate row)"]
    data["selection"].append({"N": ["7"]})
    assert _failures(data) == ["header: the selection names a point twice"]


def test_a_row_outside_the_selection_or_the_domain_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    data["rows"][0]["parameters"]["N"] = "2"
    messages = _failures(data)
    assert messages[0] == "row 0 (N=2): N = 2 is outside its domain an integer >= 3"
    data["rows"][0]["parameters"]["N"] = "5.5"
    assert _failures(data)[0] == "row 0 (N=5.5): N = 11/2 is outside its domain an integer >= 3"


def test_repeated_json_keys_are_rejected_with_their_row(tmp_path, thresholds):
    """The visible value wrong, the last one (the one JSON keeps) null: the file fails, naming
    the row and the key."""
    from clverify.recheck import load

    text = json.dumps(thresholds)
    rows = text.index('"rows"')
    text = text[:rows] + text[rows:].replace('"t_antipodal": {', '"t_antipodal": {"lo": "0", ', 1)
    path = tmp_path / "thresholds.json"
    path.write_text(text.replace('"omitted": []', '"omitted": [], "omitted": []', 1))
    data, repeated, _ = load(path)
    assert repeated == ["row 0.t_antipodal: the JSON key 'lo' appears more than once",
                        "the top level: the JSON key 'omitted' appears more than once"]
    assert check_certificate(data, duplicates=repeated).failures == repeated


# --- tampered facts -----------------------------------------------------------------------------

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


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(sign_hi=c["sign_lo"]), "do not show a unique root"),
    (lambda c: c.update(slope=0), "do not show a unique root"),
    (lambda c: c.update(slope=True), "a sign must be -1, 0 or 1, got True"),
    (lambda c: c.update(lo=c["hi"], hi=c["lo"]), "> hi ="),
    (lambda c: c.update(extra=1), "unknown field(s) ['extra']"),
    (lambda c: c.pop("slope"), "missing field(s) ['slope']"),
])
def test_a_malformed_root_cell_is_rejected(thresholds, edit, message):
    data = copy.deepcopy(thresholds)
    edit(data["rows"][1]["t_etf"])
    messages = _failures(data)
    assert len(messages) == 1 and messages[0].startswith("row 1 (N=6), t_etf: ") and message in messages[0]


def test_an_edited_expression_with_its_old_digest_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    record = data["expressions"]["etf_threshold_tb"]
    record["srepr"] = record["srepr"].replace("Integer(-3)", "Integer(-2)", 1)
    assert _failures(data) == [
        "header: expression 'etf_threshold_tb': its SHA-256 digest does not match its srepr text"]


def test_an_edited_expression_with_a_new_digest_fails_its_rows(thresholds):
    """log(N - 3) -> log(N - 2) in the closed form, digest recomputed, kind renamed: the closed
    form leaves every enclosure of the root of the general condition."""
    data = copy.deepcopy(thresholds)
    data["kind"] = "unpinned copy"
    record = data["expressions"]["etf_threshold_tb"]
    record["srepr"] = record["srepr"].replace("Integer(-3)", "Integer(-2)", 1)
    record["sha256"] = _digest(record["srepr"])
    messages = _failures(data)
    assert len(messages) == len(data["rows"])
    assert all("t_etf: the closed form" in m and "is not inside" in m for m in messages)


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
    assert len(messages) == 1 and messages[0].startswith(CONVEXITY_ROW + ": f is not certified > 0 on the box")


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(tree=c["tree"][:-1]), "the tree ends with 1 box(es) not settled"),
    (lambda c: c.update(tree=c["tree"] + "L"), "the tree has nodes after its last box"),
    (lambda c: c.update(tree=c["tree"].replace("0", "٠", 1)), "unknown tree node '٠'"),
    (lambda c: c.update(leaves=c["leaves"] + 1), "the number of leaf boxes is"),
    (lambda c: c["region"].update(t=["0.1", "0.6"]), "the side t of the region is ['0.1', '0.6'], the row's "
                                                      "t_lo, t_hi are [1/10, 1/2]"),
    (lambda c: c["region"].update(t=["0.5", "0.1"]), "an empty side t"),
])
def test_a_tree_that_does_not_partition_the_region_is_rejected(convexity, edit, message):
    data = copy.deepcopy(convexity)
    edit(data["rows"][0]["positive"])
    messages = _failures(data)
    assert len(messages) == 1 and message in messages[0] and messages[0].startswith(CONVEXITY_ROW)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(sign=-c["sign"]), "the sign of dF/dt on"),
    (lambda c: c["region"]["t"].__setitem__(0, str(Decimal(c["region"]["t"][0]) + Decimal("0.01"))),
     "the low end of the region is"),
    (lambda c: c["brackets"][0].__setitem__(1, c["brackets"][0][0]), "is not certified > 0 on"),
    (lambda c: c["ends"][1].update(hi=c["ends"][1]["lo"]), "the high end of the region is"),
    (lambda c: c["brackets"][0].__setitem__(1, "2"), "is not inside the root range"),
    (lambda c: c["brackets"][-1].__setitem__(0, c["brackets"][-1][1]), "is not certified < 0 on"),
    (lambda c: c["brackets"][0].__setitem__(0, "-1"), "is not inside the root range"),
    (lambda c: c["brackets"].pop(), "leaves need as many brackets"),
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
    assert len(messages) == 1 and "regime: the regime 'antipodal' does not follow" in messages[0]


def _by_hand(hi: str, closed: str) -> dict:
    """A certificate typed here: the root 2 of t - 2 in [1.5, hi], with a closed form."""
    exprs = {"f": "Add(Symbol('t', positive=True), Integer(-2))", "g": closed}
    return {"format": "clverify-certificate/2", "kind": "by hand", "claim": "t - 2 has one root", "assumes": [],
            "parameters": [], "domain": {}, "selection": [{}], "digits": 0, "precision_bits": 64,
            "expressions": {k: {"srepr": v, "sha256": _digest(v)} for k, v in exprs.items()},
            "columns": {"r": {"fact": "root", "expression": "f", "unknown": "t", "closed_form": "g"}},
            "omitted": [],
            "rows": [{"parameters": {}, "r": {"lo": "1.5", "hi": hi, "sign_lo": -1, "sign_hi": 1, "slope": 1}}]}


def test_a_closed_form_must_lie_inside_the_enclosure_not_just_touch_it():
    """log(exp(5/2)) is a ball around 5/2 that is not exactly 5/2: inside [1.5, 2.6], but not
    certified inside [1.5, 2.5] although it overlaps it."""
    closed = "log(exp(Rational(5, 2)))"
    result = check_certificate(_by_hand("2.6", closed))
    assert result.passed and not result.pinned and result.facts == 5
    messages = _failures(_by_hand("2.5", closed))
    assert len(messages) == 1 and "r: the closed form" in messages[0] and "is not inside [1.5, 2.5]" in messages[0]


def test_a_parameter_outside_its_symbol_domain_is_rejected(thresholds):
    data = copy.deepcopy(thresholds)
    data["kind"], data["domain"] = "unpinned copy", {"N": {}}
    data["rows"][0]["parameters"]["N"] = "5.5"
    data["selection"].append({"N": ["5.5"]})
    data["selection"][0]["N"]["from"] = "6"
    assert "violates the assumption(s) ['integer']" in _failures(data)[0]


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["1e999999999", "1e-999999999", "1e25001", "٣", "1_000", " 7", "0x10",
                                  "1" * 25_001, "1.", ".5", "+1", "1e+", "nan", "Infinity"])
def test_a_number_beyond_the_limits_or_not_ascii_fails_its_row_at_once(thresholds, text):
    """As N or as an endpoint: the row fails, naming the number, without building the power of
    ten (1e999999999 used to hang)."""
    for place in ("N", "lo"):
        data = copy.deepcopy(thresholds)
        if place == "N":
            data["rows"][3]["parameters"]["N"] = text
        else:
            data["rows"][3]["t_etf"]["lo"] = text
        messages = _failures(data)
        assert messages[0].startswith("row 3 ") and "not a decimal string" in messages[0], messages
        if place == "N":  # the row's label shows at most 40 characters of a parameter
            assert messages[0].startswith(f"row 3 (N={text[:40]}): ")


def test_long_exact_decimals_are_read_exactly():
    """A 10,005-digit endpoint (the most the writers print) is read exactly, past Python's
    4300-digit conversion limit."""
    from clverify.recheck import _number

    digits = "7" * 10_005
    assert _number(f"-0.{digits}") == -Fraction(7 * (10**10_005 - 1) // 9, 10**10_005)
    assert _number("12.5e-3") == Fraction(1, 80) and _number("25E2") == 2500


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 300) | st.text(max_size=5) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=5)


@given(path=st.lists(st.integers(0, 40), min_size=1, max_size=6), value=_JSON)
def test_any_corrupted_value_is_a_reported_failure_never_a_crash(path, value):
    """A value anywhere in a certificate replaced by any JSON value: check_certificate returns
    (or says the file is not a certificate); it never raises anything else."""
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


def test_interval_and_ball_hold_the_exact_values():
    with flint.ctx.workprec(64):
        third, span = ball(Fraction(1, 3)), interval(Fraction(1, 3), Fraction(1, 2))
        assert third.overlaps(arb(1) / 3) and third.rad() < 1e-18 and span.contains(arb(1) / 2)
        assert span.overlaps(arb(1) / 3) and not span.overlaps(arb(3) / 5)
    assert interval(Fraction(2), Fraction(2)) == arb(2) and interval(Fraction(2), Fraction(2)).is_exact()


# --- the header, the cells and the rows: every rule on its own ---------------------------------

def _unpinned(data) -> dict:
    data = copy.deepcopy(data)
    data["kind"] = "unpinned copy"
    return data


def _set(path: str, value):
    """An edit that sets ``data[path]`` (keys separated by '/'; integers index lists)."""
    def edit(data):
        *parents, last = [int(k) if k.lstrip("-").isdigit() else k for k in path.split("/")]
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    return edit


@pytest.mark.parametrize("edit, message", [
    (_set("domain/N/min", "2"), "header: the header's 'domain' differs from the canonical header"),
    (_set("parameters", ["N", "M"]), "header: the header's 'parameters' differs"),
    (_set("surprise", 1), "header: unknown field(s) ['surprise']"),
])
def test_every_pinned_field_is_compared(thresholds, edit, message):
    data = copy.deepcopy(thresholds)
    edit(data)
    assert any(m.startswith(message) for m in _failures(data)), _failures(data)


@pytest.mark.parametrize("edit, message", [
    (_set("columns/t_etf/expression", "nope"), "header: column 't_etf': no expression named ['nope']"),
    (_set("columns/t_etf/unknown", "N"),
     "header: column 't_etf': the unknown must be a symbol that is not a parameter"),
    (lambda d: d["columns"]["t_etf"].pop("unknown"), "header: column 't_etf': missing field(s) ['unknown']"),
    (_set("columns/t_etf/fact", ["root"]), "header: column 't_etf': unknown fact ['root']"),
    (_set("expressions/etf_condition_tb", "Integer(1)"),
     "header: expression 'etf_condition_tb': its record must be an object, got str"),
    (lambda d: d["expressions"].update(bad={"srepr": "Add(", "sha256": _digest("Add(")}), "header: expression 'bad':"),
    (_set("domain", {}), "header: the domain: missing field(s) ['N']"),
    (_set("domain/N/max", "9"), "header: the domain of N: unknown field(s) ['max']"),
    (_set("parameters", ["N", "N"]), "header: the parameters must be distinct names"),
    (_set("digits", 200_000), "header: digits must be an integer in [0, 100000], got 200000"),
    (_set("selection/0/N", {"from": "5", "to": "1000000000"}),
     "header: the selection names 999999997 rows, the file has 8"),
    (_set("selection/0/N", {"from": "5.5", "to": "11"}), "header: the range of N must run between integers"),
    (_set("selection/0/N", {"from": "5", "to": "11.5"}), "header: the range of N must run between integers"),
    (_set("selection/0/N", {"from": "12", "to": "5"}), "header: the range of N must run between integers"),
    (_set("selection/0/N", []), "header: selection block 0: N must be a non-empty list or a range"),
    (_set("selection/0", {"M": ["5"]}), "header: selection block 0: missing field(s) ['N']; unknown field(s) ['M']"),
    (_set("omitted", [{"parameters": {"N": "5"}, "column": "t_etf"}]),
     "header: omitted entry 0: missing field(s) ['reason']"),
    (_set("omitted", [{"parameters": {"N": "5"}, "column": "t_E", "reason": "x"}]),
     "header: omitted entry 0 must name a column"),
    (_set("omitted", [{"parameters": {"N": "5"}, "column": "t_etf", "reason": " "}]),
     "header: omitted entry 0 must name a column and give a reason"),
    (_set("omitted", [{"parameters": {"N": "5"}, "column": "t_etf", "reason": "a"}] * 2),
     "header: omitted entry 1 lists a cell twice"),
])
def test_a_malformed_header_fails_naming_the_field(thresholds, edit, message):
    data = _unpinned(thresholds)
    edit(data)
    messages = _failures(data)
    assert any(m.startswith(message) for m in messages), messages
    assert check_certificate(data).facts == 0  # no row is checked under a malformed header


@pytest.mark.parametrize("edit, message", [
    (_set("rows/1/precision_bits", 8), "row 1 (N=6): precision_bits must be an integer in [16, 2^18], got 8"),
    (_set("rows/1/precision_bits", True), "row 1 (N=6): precision_bits must be an integer in [16, 2^18], got True"),
    (_set("rows/1/parameters", {"N": "6", "t": "1"}), "row 1 (N=6, t=1): parameters: unknown field(s) ['t']"),
    (_set("rows/1", ["N", "6"]), "row 1: the row must be an object, got list"),
    (_set("rows/1/t_etf/slope", 2), "row 1 (N=6), t_etf: a sign must be -1, 0 or 1, got 2"),
    (_set("rows/1/t_etf", {"sign": 1}), "row 1 (N=6), t_etf: the cell of 'root': missing field(s)"),
])
def test_a_malformed_row_fails_naming_the_row(thresholds, edit, message):
    data = _unpinned(thresholds)
    edit(data)
    messages = _failures(data)
    assert messages[0].startswith(message), messages
    assert messages[1:] in ([], ["header: 1 point(s) of the selection have no row: N=6"])


def test_a_header_field_of_the_wrong_type_is_not_a_certificate(thresholds):
    for key, value in (("digits", True), ("rows", {}), ("kind", 3), ("format", "clverify-certificate/1")):
        data = copy.deepcopy(thresholds)
        data[key] = value
        with pytest.raises(NotACertificate):
            check_certificate(data)


def test_a_domain_bound_above_is_strict(optimum):
    """t = 0 is outside t > 0 (the domain says so before any symbol's assumption does)."""
    data = copy.deepcopy(optimum)
    data["rows"][0]["parameters"]["t"] = "0"
    data["selection"] = [{"N": ["10"], "t": ["0", "5", "0.1"], "b": ["1.2", "5", "0.1"]}]
    messages = _failures(data)
    assert messages[0] == "row 0 (N=10, t=0, b=1.2): t = 0 is outside its domain > 0"


def test_a_root_at_an_exact_point_needs_an_exact_zero():
    """[2, 2] with f(2) = 0 exactly (signs 0, slope 0) holds; 2.5 is not a root."""
    data = _by_hand("2", "Integer(2)")
    data["rows"][0]["r"].update(lo="2", sign_lo=0, sign_hi=0, slope=0)
    result = check_certificate(copy.deepcopy(data))
    assert result.passed and result.facts == 4  # width, two signs, the closed form
    data["rows"][0]["r"].update(lo="2.5", hi="2.5")
    assert _failures(data)[0] == "row 0 (), r: the sign of f(lo) is 1, the certificate says 0"
    data["rows"][0]["r"].update(sign_lo=1, sign_hi=1)
    assert "do not show a unique root" in _failures(data)[0]


def test_a_symbol_without_a_value_fails_the_row():
    data = _by_hand("2.5", "Symbol('s', positive=True)")
    assert _failures(data) == ["row 0 (), r: no value for the symbol s"]


def test_an_intermediate_regime_needs_its_root_inside_0_1(optimum):
    data = copy.deepcopy(optimum)
    index = next(i for i, r in enumerate(data["rows"]) if r["regime"]["regime"] == "intermediate")
    data["rows"][index]["x_star"]["lo"] = "-0.5"
    messages = _failures(data)
    assert any(m.startswith(f"row {index} ") and "regime: the regime 'intermediate' does not follow" in m
               for m in messages), messages


@pytest.mark.parametrize("regime, message", [
    ("intermediate", "the regime 'intermediate' does not follow"),
    ("middle", "unknown regime 'middle'"),
])
def test_a_regime_must_be_one_the_signs_show(optimum, regime, message):
    data = copy.deepcopy(optimum)
    index = next(i for i, r in enumerate(data["rows"]) if r["regime"]["regime"] == "etf")
    data["rows"][index]["regime"]["regime"] = regime
    messages = _failures(data)
    assert len(messages) == 1 and messages[0].startswith(f"row {index} ") and message in messages[0]


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(tree=c["tree"].replace("0", "3", 1)), "unknown tree node '3'"),
    (lambda c: c.update(tree=list(c["tree"])), "the tree must be a string, got list"),
    (lambda c: c["region"].update(t="0.1:0.5"), "the side t of a region must be [lo, hi]"),
    (lambda c: c["region"].pop("b"), "the side b of a region must be [lo, hi], got None"),
    (lambda c: c["region"].update(y=["0", "1"]), "the region: unknown field(s) ['y']"),
])
def test_a_malformed_cover_is_rejected(convexity, edit, message):
    data = copy.deepcopy(convexity)
    edit(data["rows"][0]["positive"])
    messages = _failures(data)
    assert len(messages) == 1 and message in messages[0], messages


def test_the_selection_is_described_in_a_line():
    from clverify.recheck import _describe_selection

    values = [str(n) for n in range(1, 8)]
    assert _describe_selection([{"N": {"from": "4", "to": "9"}}, {"N": values}], ["N"]) == \
        "N in 4..9; {1, 2, 3, 4, 5, 6, ... (7 values)}"
    blocks = [{"N": ["5"], "t": [str(k)]} for k in range(6)]
    assert _describe_selection(blocks, ["N", "t"]) == \
        "(N, t) in {5} x {0}; {5} x {1}; {5} x {2}; {5} x {3} and 2 more blocks"


# --- two evaluators (last: the slowest tests) ---------------------------------------------------

_X, _Y = sp.Symbol("x", positive=True), sp.Symbol("y", real=True)
_LEAVES = st.sampled_from([_X, _Y, sp.Integer(2), sp.Rational(3, 7), sp.Integer(-5)])


def _grammar(children):
    """One node of the checker's grammar over SymPy expressions (Add, Mul, Pow with an integer,
    a half or another exponent, exp, log of a positive argument)."""
    return st.one_of(
        st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
        st.tuples(children, st.integers(-3, 3)).map(lambda ak: ak[0] ** ak[1]),
        children.map(lambda a: sp.sqrt(a**2 + 1)),
        children.map(lambda a: (a**2 + _X) ** sp.Rational(2, 3)),
        children.map(lambda a: sp.exp(a / 4)),
        children.map(lambda a: sp.log(a**2 + sp.Rational(1, 3))),
    )


def _in_grammar(expr) -> bool:
    """SymPy may fold a node out of the grammar (exp(1) into E, 0**-1 into zoo)."""
    try:
        Expression(sp.srepr(expr))
    except ValueError:
        return False
    return True


_EXPRESSIONS = st.recursive(_LEAVES, _grammar, max_leaves=8).filter(_in_grammar)


@example(expr=sp.exp((_X + (_X + sp.E) ** sp.Rational(4, 3)) ** sp.Rational(2, 3) / 4),  # E was math.e
         x=Fraction(1, 10), y=Fraction(0))
@given(expr=_EXPRESSIONS, x=st.fractions(Fraction(1, 10), 3, max_denominator=50),
       y=st.fractions(-2, 2, max_denominator=50))
def test_the_checker_and_the_writers_evaluators_agree(expr, x, y):
    """Random expressions of the grammar: the checker's parser and automatic differentiation
    (arb_series) and the writers' own Arb code (lambdify of SymPy, sympy.diff for the
    derivatives) give overlapping, tight balls for the value and both first derivatives: two
    routes, one answer, so that a bug of one evaluator cannot be shared by the other."""
    checker, writer = Expression(sp.srepr(expr)), compiled(expr)
    with flint.ctx.workprec(300):
        env = {"x": ball(x), "y": ball(y)}
        pairs = [(checker(env), writer(env))]
        pairs += [(derivative(checker, env, v), writer.derivative(v)(env)) for v in ("x", "y")]
    for ours, theirs in pairs:
        ours = ours if isinstance(ours, arb) else arb(ours)
        if ours.is_finite() and theirs.is_finite():
            assert ours.overlaps(theirs), (expr, ours, theirs)
            scale = max(abs(ours.mid()), 1)
            assert ours.rad() < 1e-40 * scale and theirs.rad() < 1e-40 * scale, (expr, ours, theirs)


def test_a_planted_evaluator_bug_is_caught_by_the_comparison():
    """The comparison is not vacuous: the checker's log read as log1p (a tempting slip in an
    evaluator) disagrees with the writers' Arb code on log(x^2 + 1/3) at x = 1."""
    expr = sp.log(_X**2 + sp.Rational(1, 3))
    checker = Expression(sp.srepr(expr))
    log_slot = next(k for k, i in enumerate(checker.code) if callable(i[0]) and len(i) == 2)
    checker.code[log_slot] = (lambda a: a.log1p(), checker.code[log_slot][1])
    with flint.ctx.workprec(100):
        assert not checker({"x": ball(Fraction(1))}).overlaps(compiled(expr)({"x": ball(Fraction(1))}))


def _regime_by_hand(s1: str, s0: str, regime: str) -> dict:
    """An unpinned optimum typed here: l'(1) and l'(0) are the constants s1, s0, x* the root
    1/2 of x - 1/2."""
    exprs = {"d1": s1, "d0": s0, "dx": "Add(Symbol('x', nonnegative=True), Rational(-1, 2))"}
    root = {"lo": "0.25", "hi": "0.75", "sign_lo": -1, "sign_hi": 1, "slope": 1}
    return {"format": "clverify-certificate/2", "kind": "regimes by hand", "claim": "", "assumes": [],
            "parameters": [], "domain": {}, "selection": [{}], "digits": 0, "precision_bits": 64, "omitted": [],
            "expressions": {k: {"srepr": v, "sha256": _digest(v)} for k, v in exprs.items()},
            "columns": {"l1": {"fact": "sign", "expression": "d1"}, "l0": {"fact": "sign", "expression": "d0"},
                        "x": {"fact": "root", "expression": "dx", "unknown": "x"},
                        "regime": {"fact": "regime", "etf": "l1", "antipodal": "l0", "root": "x"}},
            "rows": [{"parameters": {}, "l1": {"sign": _SIGN[s1]}, "l0": {"sign": _SIGN[s0]}, "x": root,
                      "regime": {"regime": regime}}]}


_SIGN = {"Integer(0)": 0, "Integer(1)": 1, "Integer(-1)": -1}


@pytest.mark.parametrize("s1, s0, regime, holds", [
    ("Integer(0)", "Integer(-1)", "etf", True),          # l'(1) = 0: the ETF (the boundary belongs to it)
    ("Integer(1)", "Integer(0)", "antipodal", True),     # l'(0) = 0: the antipodal structure
    ("Integer(1)", "Integer(-1)", "intermediate", True),
    ("Integer(1)", "Integer(-1)", "etf", False),
    ("Integer(0)", "Integer(-1)", "intermediate", False),
])
def test_the_regime_rule_at_the_boundaries(s1, s0, regime, holds):
    result = check_certificate(_regime_by_hand(s1, s0, regime))
    assert result.passed == holds, result.failures


@pytest.mark.parametrize("bits, holds", [(16, True), (15, False), (2**18, True), (2**18 + 1, False)])
def test_the_precision_a_row_may_ask_for(bits, holds):
    data = _by_hand("2.5", "Integer(2)")
    data["rows"][0]["precision_bits"] = bits
    assert check_certificate(data).passed == holds


def test_the_exponent_limit_is_inclusive():
    from clverify.recheck import MAX_EXPONENT, _number

    assert MAX_EXPONENT == 25_000 and _number("1e25000") == 10**25_000
    assert _number("1e-25000") == Fraction(1, 10**25_000)
    with pytest.raises(ValueError, match="exponent of magnitude at most 25000"):
        _number("1e25001")
