r"""Certificates a reader can re-check: the certified numbers of this package as JSON tables,
re-verified by :mod:`clverify.recheck` with python-flint alone.

A certificate is one table (one file) of one *kind* (``thresholds``, ``phase``, ``optimum``, or
a registry check ``<theorem id>.<check name>``): a header with the claim in words, what the
claim assumes, the parameters and their domain, the rows selected, the digits of every
enclosure, the working precision (bits), the expressions (SymPy ``srepr`` and its SHA-256
digest), one *column* per certified quantity with the kind of fact it holds (``root``,
``sign``, ``regime``, ``positive_on_boxes``, ``monotone_root_on_boxes``: see
:mod:`clverify.recheck`), then the rows, the cells without a certified number (``omitted``,
with the reason) and the provenance.  :meth:`Certificate.canonical` is the part of the header
that the checker pins for each kind (``clverify/recheck_kinds.json``, written by
:func:`clverify.proofs_check.certificates.write_kinds`).

Every number is an exact decimal string: an enclosure's endpoints are the outward-rounded
strings the tables print (:meth:`Enclosure.strings`), and the facts are shown *at those
decimals*, at the header's precision (a row that needs more says so in ``precision_bits``),
with this package's own Arb code compiled from SymPy (:func:`~.boxes.compiled`), never with the
checker's evaluator: the checker repeats each fact with its own parser.

>>> cert = threshold_certificate([10], digits=20)
>>> row = cert.rows[0]
>>> row["parameters"], row["t_etf"]["lo"], row["t_etf"]["sign_lo"], row["t_etf"]["slope"]
({'N': '10'}, '1.751319134149781974590879', 1, -1)
>>> from clverify.recheck import check_certificate
>>> result = check_certificate(json.loads(cert.to_json({})))
>>> result.pinned, result.facts, result.failures
(True, 10, [])
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import flint
import mpmath
import sympy as sp

from clverify.theory.params import MIN_DIGITS

from .boxes import MonotoneCover, PositiveCover, compiled, exact_ball, exact_interval, positivity_form
from .ccem_optimum import sigmoid_optimum
from .certify import Enclosure, ball_sign
from .evaluators import bits_for_digits, formula
from .regime import regime
from .thresholds import antipodal_boundary_b, antipodal_threshold_tb, etf_boundary_b, etf_threshold_tb

__all__ = ["FORMAT", "Certificate", "exact_decimal", "expression_record", "threshold_certificate",
           "phase_certificate", "optimum_certificate", "positive_cover_certificate",
           "monotone_cover_certificate", "table_certificates", "PRECISION_STEPS"]

#: The format tag of a certificate (the checker's :data:`clverify.recheck.FORMAT`).
FORMAT = "clverify-certificate/2"
#: How many times a row whose facts are undecided is retried with doubled precision.
PRECISION_STEPS = 2

_CONVEXITY = ("l(x) = L_sig(CCEM(sqrt x)) is strictly convex in x for N >= 3, t > 0, b real (a symbolic "
              "proof: lee2024.convexity.second_derivative_sum_of_positive_terms), so the ETF (x = 1) is "
              "optimal iff l'(1) <= 0, the antipodal structure (x = 0) iff l'(0) >= 0, and otherwise the "
              "unique root of l' in (0, 1)")
_THRESHOLD_SIGNS = ("on t = b > 0, l'(1) <= 0 iff t >= t_E(N) and l'(0) >= 0 iff t <= t_A(N), with t_E, t_A "
                    "the closed forms (a symbolic proof: lee2024.thm2.thresholds_proved_for_every_N): each "
                    "certified root is the only one on t > 0, the ETF is optimal iff t >= t_etf and the "
                    "antipodal structure iff t <= t_antipodal")
_BOUNDARY_SIGNS = ("at each N >= 3, t > 0: l'(1) <= 0 iff b >= b_E(N, t) and l'(0) >= 0 iff b <= b_A(N, t), "
                   "with b_E, b_A the closed forms (a symbolic proof: "
                   "ext.sigmoid_phase_tb.conditions_and_boundaries_proved): each certified root is the only "
                   "real one, the ETF is optimal iff b >= b_etf and the antipodal structure iff b <= b_antipodal")
_MODEL = ("the expressions are the SymPy derivation of clverify.theory.derivation: that they model "
          "the paper's claim is a separate, human-reviewed step (docs/theory.md)")
#: The parameters' domains (as the checker reads them: integer, min (>=), above (>)).
_N_DOMAIN = {"integer": True, "min": "3"}
_T_DOMAIN = {"above": "0"}


def exact_decimal(value) -> str:
    """The exact decimal string of a number with a finite decimal expansion (an int, a
    :class:`~fractions.Fraction`, a float, an ``mpmath.mpf`` or a decimal string).

    >>> exact_decimal(Fraction(3, 8)), exact_decimal("1.20"), exact_decimal(0.1)[:12], exact_decimal(-5)
    ('0.375', '1.2', '0.1000000000', '-5')
    """
    q = _fraction(value)
    twos = fives = 0
    rest = q.denominator
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    k = max(twos, fives)
    text = str(abs(q.numerator) * 10**k // q.denominator).rjust(k + 1, "0")
    body = f"{text[:-k]}.{text[-k:]}" if k else text
    return ("-" if q < 0 else "") + body


def _fraction(value) -> Fraction:
    if isinstance(value, mpmath.mpf):
        man, exp = value.man_exp
        return Fraction(man) * Fraction(2) ** exp
    return Fraction(value.strip() if isinstance(value, str) else value)


def expression_record(expr) -> dict:
    """``{"srepr": ..., "sha256": ...}``: the expression as SymPy ``srepr`` text and its digest."""
    text = sp.srepr(expr)
    return {"srepr": text, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def _selection(points: list[tuple], parameters: tuple) -> list[dict]:
    """The rows' points as the checker's selection: runs of consecutive integers as ranges
    (one parameter), one block when the points are a whole grid, else one block per point.

    >>> _selection([("4",), ("5",), ("6",), ("10",), ("12",)], ("N",))
    [{'N': {'from': '4', 'to': '6'}}, {'N': ['10', '12']}]
    >>> _selection([("5", "1"), ("5", "2"), ("7", "1"), ("7", "2")], ("N", "t"))
    [{'N': ['5', '7'], 't': ['1', '2']}]
    """
    if len(parameters) == 1:
        values = sorted({Fraction(p[0]) for p in points})
        ranges, singles, run = [], [], []
        for v in values + [None]:
            if v is not None and run and v.denominator == 1 and run[-1].denominator == 1 and v == run[-1] + 1:
                run.append(v)
                continue
            if len(run) >= 3:
                ranges.append({parameters[0]: {"from": str(run[0]), "to": str(run[-1])}})
            else:
                singles += [exact_decimal(r) for r in run]
            run = [v]
        return ranges + ([{parameters[0]: singles}] if singles else [])
    sides = [sorted({p[i] for p in points}, key=Fraction) for i in range(len(parameters))]
    if len(set(points)) == len(points) and len(points) == _product(len(s) for s in sides):
        return [dict(zip(parameters, sides))] if points else []
    return [{name: [value] for name, value in zip(parameters, p)} for p in points]


def _product(sizes) -> int:
    total = 1
    for size in sizes:
        total *= size
    return total


@dataclass
class Certificate:
    """A table certificate under construction: the header, then rows added by :meth:`add_row`.
    ``domain`` maps each parameter, in order, to its domain; ``digits`` are the stated digits
    of every enclosure (the width of ``[lo, hi]`` is at most
    :math:`2 \\cdot 10^{-digits} \\max(1, |lo|, |hi|)`); ``bits`` the working precision."""

    kind: str
    claim: str
    assumes: tuple[str, ...]
    domain: dict
    digits: int
    bits: int
    expressions: dict
    columns: dict
    rows: list = field(default_factory=list)
    omitted: list = field(default_factory=list)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(self.domain)

    def add_row(self, parameters: dict, cells_at: Callable[[dict], dict], absent: dict | None = None) -> None:
        """Add the row at ``parameters`` (name -> value, kept as exact decimals).
        ``cells_at(exact)`` (exact values by name) gives each column's cell (a dict), ``None``
        (no fact) or a reason (a string); a reason makes the row retry with doubled precision,
        then leaves that cell out with the reason in ``omitted``.  ``absent`` (column -> note)
        says why a number does not exist (its cell is ``None``)."""
        parameters = {k: exact_decimal(v) for k, v in parameters.items()}
        bits = self.bits
        for step in range(PRECISION_STEPS + 1):
            bits = self.bits * 2**step
            with flint.ctx.workprec(bits):
                cells = cells_at({k: Fraction(v) for k, v in parameters.items()})
            if not any(isinstance(c, str) for c in cells.values()):
                break
        row = {"parameters": parameters}
        reasons = {**(absent or {}), **{c: cell for c, cell in cells.items() if isinstance(cell, str)}}
        for column, cell in cells.items():
            row[column] = cell if isinstance(cell, dict) else None
            if row[column] is None:
                reason = reasons.get(column, "no certified number")
                self.omitted.append({"parameters": parameters, "column": column, "reason": reason})
        if bits != self.bits and any(isinstance(c, dict) for c in cells.values()):
            row["precision_bits"] = bits
        self.rows.append(row)

    def canonical(self) -> dict:
        """What the checker pins for this kind: claim, assumptions, parameters and domain,
        columns, the expressions' digests, the least stated digits."""
        return {"claim": self.claim, "assumes": list(self.assumes), "parameters": list(self.parameters),
                "domain": self.domain, "min_digits": MIN_DIGITS,
                "expressions": {k: expression_record(e)["sha256"] for k, e in self.expressions.items()},
                "columns": self.columns}

    def header(self) -> dict:
        points = [tuple(r["parameters"][p] for p in self.parameters) for r in self.rows]
        return {"format": FORMAT, "kind": self.kind, "claim": self.claim, "assumes": list(self.assumes),
                "parameters": list(self.parameters), "domain": self.domain,
                "selection": _selection(points, self.parameters), "digits": self.digits,
                "precision_bits": self.bits,
                "expressions": {k: expression_record(e) for k, e in self.expressions.items()},
                "columns": self.columns}

    def to_json(self, prov: dict) -> str:
        """Strict JSON, one row per line."""
        head = json.dumps({**self.header(), "omitted": self.omitted, "provenance": prov},
                          indent=2, allow_nan=False)
        rows = ",\n".join("    " + json.dumps(r, allow_nan=False) for r in self.rows)
        return head[:-2] + ',\n  "rows": [\n' + rows + "\n  ]\n}\n"

    def write(self, folder: Path, prov: dict) -> Path:
        """Write ``folder/<kind>.json`` and return its path."""
        path = Path(folder) / f"{self.kind}.json"
        path.write_text(self.to_json(prov))
        return path


# --- facts, computed at the current flint precision with this package's evaluators ------------

def _balls(f, exact: dict, **intervals) -> dict | str:
    """Balls of the exact values and intervals for ``f``, or why they are outside its domain."""
    values = {**{k: (v, v) for k, v in exact.items()}, **intervals}
    return f.outside_domain(values) or {k: exact_interval(lo, hi) for k, (lo, hi) in values.items()}


def _sign_cell(f, exact: dict) -> dict | None | str:
    """``{"sign": s}`` of ``f`` at ``exact``; None when undecided, a reason outside the domain."""
    env = _balls(f, exact)
    if isinstance(env, str):
        return env
    s = ball_sign(f(env))
    return None if s is None else {"sign": s}


def _root_cell(f, exact: dict, unknown: str, lo: str, hi: str, closed=None) -> dict | str:
    """The facts that put exactly one root of ``f`` in ``[lo, hi]`` (decimal strings)."""
    a, c = Fraction(lo), Fraction(hi)
    env = _balls(f, exact, **{unknown: (a, c)})
    if isinstance(env, str):
        return f"outside the domain of the expression: {env}"
    s_lo, s_hi = ball_sign(f({**env, unknown: exact_ball(a)})), ball_sign(f({**env, unknown: exact_ball(c)}))
    slope = ball_sign(f.derivative(unknown)(env)) if a < c else 0
    if None in (s_lo, s_hi, slope) or s_lo * s_hi > 0 or (a < c and slope == 0) or (a == c and s_lo != 0):
        return f"no certified root at these decimals (signs {s_lo}, {s_hi}; slope {slope})"
    if closed is not None:
        closed_env = _balls(closed, exact)
        if isinstance(closed_env, str):
            return f"the closed form is outside its domain: {closed_env}"
        value = closed(closed_env)
        if not (value >= exact_ball(a) and value <= exact_ball(c)):
            return f"the closed form {value} is not certified inside [{lo}, {hi}]"
    return {"lo": lo, "hi": hi, "sign_lo": s_lo, "sign_hi": s_hi, "slope": slope}


def _enclosure_root(enclosure: Enclosure | None, f, unknown: str, closed=None):
    """``cells_at`` part for a root enclosure: None where the number does not exist."""
    if enclosure is None:
        return lambda exact: None
    if not enclosure.certified:
        return lambda exact: f"not certified by the search: {enclosure.reason}"
    lo, hi = enclosure.strings()
    return lambda exact: _root_cell(f, exact, unknown, lo, hi, closed)


def _boundary_certificate(kind, claim, assumes, domain, digits, specs, closed_forms, rows):
    """A certificate of boundary roots: ``specs`` maps a column to (condition, closed form name,
    unknown); ``rows`` yields (parameters, {column: Boundary})."""
    exprs, columns = {}, {}
    for column, (condition, closed, unknown) in specs.items():
        exprs[condition] = formula(condition)
        exprs[closed] = closed_forms.get(column, formula(closed))
        columns[column] = {"fact": "root", "expression": condition, "unknown": unknown, "closed_form": closed}
    cert = Certificate(kind, claim, assumes, domain, digits, bits_for_digits(digits), exprs, columns)
    for params, boundaries in rows:
        parts = {column: _enclosure_root(boundaries[column].enclosure, compiled(exprs[cond]), unknown,
                                         compiled(exprs[closed]))
                 for column, (cond, closed, unknown) in specs.items()}
        absent = {c: b.note for c, b in boundaries.items() if b.enclosure is None}
        cert.add_row(params, lambda exact, parts=parts: {c: part(exact) for c, part in parts.items()}, absent)
    return cert


def threshold_certificate(sizes: Iterable[int], digits: int = 50, closed_forms: dict | None = None,
                          kind: str = "thresholds") -> Certificate:
    r"""Certificate of :math:`t_E(N)`, :math:`t_A(N)` on :math:`t = b` for each ``N``: the unique
    root in :math:`t` of :math:`\ell'(1)|_{b=t}` resp. :math:`\ell'(0)|_{b=t}` in each enclosure,
    with the closed form inside (``closed_forms``: column -> SymPy expression in ``N``, default
    the derived ones).  That each root is the only one on :math:`t > 0` (the "iff" of Theorem 2)
    is an assumption: a symbolic proof of the registry."""
    specs = {"t_etf": ("etf_condition_tb", "etf_threshold_tb", "t"),
             "t_antipodal": ("antipodal_condition_tb", "antipodal_threshold_tb", "t")}
    claim = ("On t = b, for each N: t_etf is the unique root in t of l'(1) (etf_condition_tb) in [lo, hi], "
             "and the closed form etf_threshold_tb lies in [lo, hi]; t_antipodal likewise with l'(0) "
             "(antipodal_condition_tb) and antipodal_threshold_tb.")
    rows = (({"N": n}, {"t_etf": etf_threshold_tb(n, digits), "t_antipodal": antipodal_threshold_tb(n, digits)})
            for n in sizes)
    return _boundary_certificate(kind, claim, (_THRESHOLD_SIGNS, _CONVEXITY, _MODEL), {"N": _N_DOMAIN}, digits,
                                 specs, closed_forms or {}, rows)


def phase_certificate(pairs: Iterable[tuple], digits: int = 50, closed_forms: dict | None = None,
                      kind: str = "phase") -> Certificate:
    r"""Certificate of the phase boundaries :math:`b_E(N, t)`, :math:`b_A(N, t)` for each
    ``(N, t)``: the unique root in :math:`b` of :math:`\ell'(1)` resp. :math:`\ell'(0)`, with the
    closed form inside (``closed_forms``: column -> SymPy expression in ``N``, ``t``, default
    the derived ones); that each is the only real root is an assumption (a symbolic proof)."""
    specs = {"b_etf": ("etf_condition", "etf_boundary_b", "b"),
             "b_antipodal": ("antipodal_condition", "antipodal_boundary_b", "b")}
    claim = ("At each (N, t): b_etf is the unique root in b of l'(1) (etf_condition) in [lo, hi] and the "
             "closed form etf_boundary_b lies in it; b_antipodal likewise with l'(0) (antipodal_condition) "
             "and antipodal_boundary_b.")
    rows = (({"N": n, "t": t},
             {"b_etf": etf_boundary_b(n, t, digits), "b_antipodal": antipodal_boundary_b(n, t, digits)})
            for n, t in pairs)
    return _boundary_certificate(kind, claim, (_BOUNDARY_SIGNS, _CONVEXITY, _MODEL), {"N": _N_DOMAIN, "t": _T_DOMAIN},
                                 digits, specs, closed_forms or {}, rows)


def optimum_certificate(triples: Iterable[tuple], digits: int = 50, kind: str = "optimum") -> Certificate:
    r"""Certificate of the optimal CCEM at each ``(N, t, b)``: the signs of :math:`\ell'(1)` and
    :math:`\ell'(0)`, the regime they imply, and in the intermediate regime the unique root
    :math:`x^*` of :math:`\ell'` in its enclosure inside :math:`[0, 1]` (that the signs decide the
    optimum, and that :math:`x^*` is the only root in :math:`[0, 1]`, follow from the convexity of
    :math:`\ell`: an assumption, a symbolic proof)."""
    exprs = {"l'(1)": formula("etf_condition"), "l'(0)": formula("antipodal_condition"),
             "l'(x)": formula("loss_dx")}
    columns = {"l'(1)": {"fact": "sign", "expression": "l'(1)"},
               "l'(0)": {"fact": "sign", "expression": "l'(0)"},
               "x_star": {"fact": "root", "expression": "l'(x)", "unknown": "x"},
               "regime": {"fact": "regime", "etf": "l'(1)", "antipodal": "l'(0)", "root": "x_star"}}
    claim = ("At each (N, t, b): l'(1) and l'(0) have the stated signs, and the stated regime follows from "
             "them: the ETF (x* = 1) if l'(1) <= 0, the antipodal structure (x* = 0) if l'(0) >= 0, and "
             "otherwise (intermediate) l'(x) has exactly one root x* = delta*^2 in [lo, hi], inside [0, 1].")
    domain = {"N": _N_DOMAIN, "t": _T_DOMAIN, "b": {}}
    cert = Certificate(kind, claim, (_CONVEXITY, _MODEL), domain, digits, bits_for_digits(digits), exprs, columns)
    d1, d0, dx = (compiled(exprs[k]) for k in ("l'(1)", "l'(0)", "l'(x)"))
    for n, t, b in triples:
        opt = sigmoid_optimum(n, t, b, digits=digits)
        enclosure = opt.x_enclosure

        def cells_at(exact, opt=opt, enclosure=enclosure):
            cells = {"l'(1)": _sign_cell(d1, exact), "l'(0)": _sign_cell(d0, exact), "x_star": None}
            s1, s0 = (c["sign"] if isinstance(c, dict) else None for c in (cells["l'(1)"], cells["l'(0)"]))
            if not opt.certified:
                return {**cells, "regime": f"not certified by the search: {opt.note}"}
            if opt.regime == "intermediate":
                cells["x_star"] = _root_cell(dx, exact, "x", *enclosure.strings())
            # the optimum's rule on the signs shown here (and the root, for the intermediate one)
            shown = regime(s1, s0) == opt.regime and (opt.regime != "intermediate"
                                                       or isinstance(cells["x_star"], dict))
            cells["regime"] = ({"regime": opt.regime} if shown
                               else f"the {opt.regime} regime is not shown (signs {s1}, {s0})")
            return cells

        absent = {} if opt.regime == "intermediate" else {"x_star": f"no interior root: the {opt.regime} regime"}
        cert.add_row({"N": n, "t": t, "b": b}, cells_at, absent)
    return cert


def positive_cover_certificate(covers: Iterable[PositiveCover], expr, kind: str, claim: str, variables: tuple,
                               fixed: dict, digits: int, assumes: tuple[str, ...] = (_MODEL,)) -> Certificate:
    """Certificate of :func:`clverify.numerics.precision.boxes.positive_cover` results of ``expr``
    (one row per cover): the region over ``variables``, the preorder tree and its number of
    leaves.  The sides ``fixed`` (name -> (lo, hi)) are every row's; each other side ``v`` is
    the row's parameters ``v_lo``, ``v_hi`` (with ``N``: a row per point)."""
    form = positivity_form(expr)
    free = [v for v in variables if v not in fixed]
    sides = {v: [f"{v}_lo", f"{v}_hi"] for v in free}
    fixed = {name: [exact_decimal(lo), exact_decimal(hi)] for name, (lo, hi) in fixed.items()}
    columns = {"positive": {"fact": "positive_on_boxes", "expression": "f", "variables": list(variables),
                            "fixed": fixed, "sides": sides}}
    positive = {s.name for s in form.free_symbols if s.is_positive}
    domain = {"N": _N_DOMAIN, **{p: (_T_DOMAIN if v in positive else {}) for v in free for p in sides[v]}}
    cert = Certificate(kind, claim, assumes, domain, digits, bits_for_digits(digits), {"f": form}, columns)
    for cover in covers:
        region = {name: [exact_decimal(lo), exact_decimal(hi)] for name, lo, hi in cover.region}
        if cover.form != form or cover.bits != cert.bits or [n for n, _, _ in cover.region] != list(variables):
            raise ValueError("every cover of one certificate needs the same expression, precision and variables")
        if any(region[name] != side for name, side in fixed.items()):
            raise ValueError(f"every cover of {kind} needs the sides {fixed}, got {region}")
        cell = ({"region": region, "tree": cover.tree, "leaves": cover.leaves} if cover.tree is not None
                else "not proved by the search")
        parameters = {"N": cover.N, **{p: region[v][k] for v in free for k, p in enumerate(sides[v])}}
        cert.add_row(parameters, lambda exact, cell=cell: {"positive": cell})
    return cert


def monotone_cover_certificate(covers: Iterable[MonotoneCover], kind: str, digits: int) -> Certificate:
    """Certificate of :func:`clverify.numerics.precision.boxes.monotone_cover` results at
    ``digits``: per ``N`` the tree over :math:`[t_{lo}, t_{hi}]`, one x-bracket per leaf, the
    sign of :math:`\\partial F/\\partial t`, and the root facts of :math:`t_A` and :math:`t_E` whose
    outer ends are :math:`t_{lo}` and :math:`t_{hi}`."""
    exprs = {"F": formula("loss_dx_tb"), "t_A": formula("antipodal_condition_tb"),
             "t_E": formula("etf_condition_tb")}
    columns = {"monotone": {"fact": "monotone_root_on_boxes", "expression": "F", "root": "x",
                            "root_range": ["0", "1"], "along": "t", "ends": ["t_A", "t_E"]}}
    claim = ("For each N, along t = b: F(x, t) = l'(x)|_{b=t} (expression F); on each leaf T of "
             "the tree over [t_lo, t_hi] the root x*(t) of F lies in the stated bracket and dF/dt "
             "over bracket x T has the stated sign (-1: x*(t) = delta*(t)^2 is strictly increasing "
             "on T where it is interior); t_lo and t_hi are the outer ends of the certified roots "
             "t_A (l'(0) at b = t) and t_E (l'(1) at b = t), so the leaves cover [t_A, t_E].")
    assumes = ("F is strictly increasing in x (l'' > 0: a symbolic proof, "
               "lee2024.convexity.second_derivative_sum_of_positive_terms), so x* is its unique root in "
               "[0, 1] and dx*/dt = -(dF/dt)/(dF/dx)", _MODEL)
    cert = Certificate(kind, claim, assumes, {"N": {"integer": True, "min": "5"}}, digits, bits_for_digits(digits),
                       exprs, columns)
    ends = (compiled(exprs["t_A"]), compiled(exprs["t_E"]))
    for cover in covers:
        if cover.bits != cert.bits:
            raise ValueError(f"every cover of {kind} needs the precision of {digits} digits")

        def cells_at(exact, cover=cover):
            if cover.tree is None:
                return {"monotone": "not proved by the search"}
            end_cells = [_root_cell(f, exact, "t", *enc.strings()) for f, enc in zip(ends, cover.ends)]
            bad = [c for c in end_cells if isinstance(c, str)]
            if bad:
                return {"monotone": f"an end of the region: {bad[0]}"}
            return {"monotone": {"region": {"t": [exact_decimal(e) for e in cover.region]},
                                 "tree": cover.tree, "leaves": cover.leaves, "sign": cover.sign,
                                 "brackets": [[exact_decimal(a), exact_decimal(c)] for a, c in cover.brackets],
                                 "ends": end_cells}}
        cert.add_row({"N": cover.N}, cells_at)
    return cert


def table_certificates() -> list[Certificate]:
    """The kinds of the table commands (``clverify certify thresholds|phase|optimum``), without
    rows: their headers are what the checker pins."""
    return [threshold_certificate([]), phase_certificate([]), optimum_certificate([])]
