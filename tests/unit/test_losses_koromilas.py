"""The Koromilas-et-al. losses: the SymPy backend vs the torch backend on the same vectors.

The one definition of each loss runs on two backends here: SymPy at 30 digits on an explicit
Gram matrix, and float64 torch.  Hand-derived closed forms anchor a few small cases (the
independent check of the definitions themselves).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from clverify.numerics.descent.torch_losses import TORCH_LOSSES, evaluate_view
from clverify.theory.errors import InvalidParameterError
from clverify.theory.losses import DEFAULT_PARAMETERS, LOSSES, hyperspherical_energy
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import ExplicitSimilarity, Grams, RowRegularSimilarity

#: float64 vs 30-digit SymPy, relative.
AGREEMENT_RTOL = 1e-12
DIGITS = 30

NEW_LOSSES = ["infonce", "ntxent", "dcl", "dhel", "dhel-1view", "kcl", "kcl-log", "kcl-imq",
              "kcl-riesz"]


def _random_pair(M, d, seed):
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((M, d))
    V = U + 0.7 * rng.standard_normal((M, d))
    return U / np.linalg.norm(U, axis=1, keepdims=True), V / np.linalg.norm(V, axis=1, keepdims=True)


def _sympy_grams(U, V):
    """Exact Gram matrices of the float64 vectors, evaluated at DIGITS digits."""
    Us = sp.Matrix(U.tolist()).applyfunc(lambda x: sp.Float(x, DIGITS))
    Vs = sp.Matrix(V.tolist()).applyfunc(lambda x: sp.Float(x, DIGITS))
    # renormalise at high precision so that |x - y|^2 = 2 - 2 x.y holds to DIGITS digits
    Us = sp.Matrix.vstack(*[Us.row(i) / sp.sqrt((Us.row(i) * Us.row(i).T)[0]) for i in range(Us.rows)])
    Vs = sp.Matrix.vstack(*[Vs.row(i) / sp.sqrt((Vs.row(i) * Vs.row(i).T)[0]) for i in range(Vs.rows)])
    return Grams(uv=ExplicitSimilarity(Us * Vs.T), uu=ExplicitSimilarity(Us * Us.T),
                 vv=ExplicitSimilarity(Vs * Vs.T))


def _params(name):
    params = dict(DEFAULT_PARAMETERS[name])
    if name in ("infonce", "ntxent", "dcl", "dhel", "dhel-1view"):
        params["tau"] = 0.45  # not the default, to catch a hidden default
    return params


@pytest.mark.parametrize("name", NEW_LOSSES)
@pytest.mark.parametrize("M,d,seed", [(2, 3, 0), (4, 3, 1), (5, 6, 2)])
def test_symbolic_equals_torch_on_the_same_vectors(name, M, d, seed):
    U, V = _random_pair(M, d, seed)
    params = _params(name)
    exact = LOSSES[name](_sympy_grams(U, V), SYMPY_OPS, **{k: sp.Float(v, DIGITS) for k, v in params.items()})
    torch_fn = TORCH_LOSSES[name]
    exact = float(sp.N(exact, DIGITS))
    value = float(torch_fn(torch.tensor(U), torch.tensor(V), **params))
    assert value == pytest.approx(exact, rel=AGREEMENT_RTOL, abs=AGREEMENT_RTOL)


@pytest.mark.parametrize("name", NEW_LOSSES)
def test_torch_batch_shape_and_parameter_broadcast(name):
    """A leading batch of 3 configurations with per-configuration parameters."""
    pairs = [_random_pair(4, 3, s) for s in range(3)]
    U = torch.tensor(np.stack([p[0] for p in pairs]))
    V = torch.tensor(np.stack([p[1] for p in pairs]))
    fn = TORCH_LOSSES[name]
    names = fn.parameters
    base = DEFAULT_PARAMETERS[name]
    per = {k: torch.tensor([base[k] * (1 + 0.1 * i) for i in range(3)], dtype=torch.float64)
           for k in names}
    batched = fn(U, V, **per)
    assert batched.shape == (3,) and batched.dtype == torch.float64
    for i in range(3):
        single = fn(U[i], V[i], **{k: float(v[i]) for k, v in per.items()})
        assert float(batched[i]) == pytest.approx(float(single), rel=1e-14)


def test_infonce_sym_is_two_one_sided_directions():
    U, V = _random_pair(5, 4, 7)
    U, V = torch.tensor(U), torch.tensor(V)
    one, sym = TORCH_LOSSES["infonce"], TORCH_LOSSES["infonce-sym"]
    assert float(sym(U, V, tau=0.3)) == pytest.approx(float(one(U, V, tau=0.3) + one(V, U, tau=0.3)),
                                                     rel=1e-14)


def test_hand_values_on_two_orthogonal_points():
    """U = V = (e1, e2), tau = 1: every off-diagonal similarity is 0, every positive 1 (by hand)."""
    U = torch.eye(2, dtype=torch.float64)
    e = np.e
    expected = {
        "infonce": -1 + np.log(e + 1),
        "ntxent": -1 + np.log(e + 2),       # others of u1: v1 (1), u2 (0), v2 (0)
        "dcl": -1 + np.log(2),
        "dhel": -1.0,                         # log e^0 twice
        "dhel-1view": -1.0,
    }
    for name, value in expected.items():
        assert float(TORCH_LOSSES[name](U, U, tau=1.0)) == pytest.approx(value, rel=1e-14)
    # KCL, gaussian t: alignment K = 1, within K = e^{-2t}; mean over the one pair each view
    assert float(TORCH_LOSSES["kcl"](U, U, gamma=3.0, t=0.5)) == pytest.approx(-2 + 6 * np.exp(-1))


def test_kcl_log_kernel_matches_the_authors_alignment_convention():
    """Log kernel K = -log(1 + t|x-y|^2): the alignment term 2 mean log(1 + t|u-v|^2) (authors' log_align)."""
    U, V = _random_pair(4, 3, 3)
    U, V = torch.tensor(U), torch.tensor(V)
    fn = TORCH_LOSSES["kcl-log"]
    align = 2 * torch.log(1 + 2.0 * ((U - V) ** 2).sum(-1)).mean()
    # gamma = 0 keeps the alignment term only
    assert float(fn(U, V, gamma=0.0, t=2.0)) == pytest.approx(float(align), rel=1e-13)


def test_hyperspherical_energy_riesz_on_the_octahedron():
    """Octahedron: per point 4 neighbours at distance sqrt 2 and one antipode at 2 (Riesz s=1)."""
    U = torch.cat([torch.eye(3), -torch.eye(3)]).double()
    expected = 6 * (4 / np.sqrt(2) + 1 / 2)
    assert float(evaluate_view(hyperspherical_energy, U, kernel="riesz", t=1.0)) == pytest.approx(
        expected, rel=1e-14)
    S = RowRegularSimilarity(6, 1, ((-1, 1), (0, 4)))
    assert float(hyperspherical_energy(S, SYMPY_OPS, kernel="riesz", t=1)) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("kernel", ["log", "gaussian"])
def test_hyperspherical_energy_symbolic_vs_torch(kernel):
    U, _ = _random_pair(5, 3, 11)
    G = _sympy_grams(U, U)
    exact = float(sp.N(hyperspherical_energy(G.uu, SYMPY_OPS, kernel=kernel, t=sp.Float(1.5, DIGITS)), DIGITS))
    assert float(evaluate_view(hyperspherical_energy, torch.tensor(U), kernel=kernel, t=1.5)) == pytest.approx(
        exact, rel=AGREEMENT_RTOL)


def test_bad_choices_are_input_errors():
    U = torch.eye(3, dtype=torch.float64)
    with pytest.raises(InvalidParameterError, match="views"):
        TORCH_LOSSES["dhel"](U, U, tau=1.0, views=3)
    with pytest.raises(InvalidParameterError, match="kernel"):
        TORCH_LOSSES["kcl"](U, U, kernel="laplace")
