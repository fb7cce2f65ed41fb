"""The jet of an elementwise function (numerics/descent/jet.py) against autograd and mpmath."""

from __future__ import annotations

import mpmath
import pytest
import torch
import torch.nn.functional as F

from clverify.numerics.descent.fused import elementwise_derivative
from clverify.numerics.descent.jet import Jet, Unsupported, value_and_slope
from clverify.numerics.descent.ops import TORCH_OPS as ops

#: Parameters of a batch of two problems, as the torch losses pass them: shape (2, 1, 1).
T = torch.tensor([2.0, 0.5], dtype=torch.float64)[:, None, None]
B = torch.tensor([0.25, -1.5], dtype=torch.float64)[:, None, None]

#: Each operation the jet carries, alone and composed, with number and tensor parameters.
FUNCTIONS = {
    "identity": lambda s: s,
    "affine, numbers": lambda s: 3 * s - 1,
    "affine, divided": lambda s: (s + 2) / 4,
    "affine, tensors": lambda s: T * s - B,
    "affine, reversed": lambda s: 1 - s / T,
    "affine sum of jets": lambda s: (s + 1) + (2 * s - 3),
    "affine difference of jets": lambda s: (s + 1) - (2 * s - 3),
    "affine sum, fractional slopes": lambda s: (s / 2 + 1) + (2.5 * s - 3),
    "affine times a number": lambda s: (s + 1) * 3,
    "affine times a tensor": lambda s: T * (s - 2),
    "sigmoid loss, negatives": lambda s: ops.softplus(10.0 * s - 10.0),
    "sigmoid loss, positives": lambda s: ops.softplus(10.0 - 10.0 * s),
    "softplus, tensors": lambda s: ops.softplus(T * s - B),
    "softplus, a slope below 1": lambda s: ops.softplus(s / 3 + 0.2),
    "torch's softplus, the exact cut-off": lambda s: F.softplus(30 * s - 20.5, threshold=34.0),
    "exp": lambda s: ops.exp(2 * s - 1),
    "exp of a tensor parameter": lambda s: B * ops.exp(-T * s),
    "log": lambda s: ops.log(s + 3),
    "log1p": lambda s: ops.log1p(s * s + 0.5),
    "sqrt": lambda s: ops.sqrt(2 - s),
    "sign": lambda s: ops.sign(s) * 3 + s,
    "softplus of a step": lambda s: ops.softplus(ops.sign(s)),
    "abs": lambda s: abs(2 * s - 0.2) * T,
    "torch.abs": lambda s: torch.abs(ops.exp(s) - 1.5),
    "sigmoid": lambda s: torch.sigmoid(3 * s),
    "logsumexp of two": lambda s: ops.logsumexp(2 * s, -s),
    "logsumexp with a constant": lambda s: ops.logsumexp(s / 0.3, 0.0),
    "product of jets": lambda s: ops.exp(s) * (s - 1),
    "product of jets, slopes 2 and 3": lambda s: ops.exp(2 * s) * (3 * s - 1),
    "quotient of jets": lambda s: (s + 2) / (ops.exp(s) + 1),
    "number over a jet": lambda s: 2 / (3 * s + 4),
    "a jet over a number": lambda s: ops.exp(3 * s) / 4,
    "a jet over a tensor": lambda s: ops.exp(3 * s) / T,
    "square": lambda s: (1 - s) ** 2,
    "square, slope 2": lambda s: (2 * s - 1) ** 2,
    "cube of a non-affine jet": lambda s: ops.exp(s) ** 3,
    "fourth power": lambda s: (s + 2) ** 4,
    "square root as a power": lambda s: (3 * s + 4) ** 0.5,
    "first power": lambda s: (2 * s + 1) ** 1,
    "negated affine": lambda s: -(2 * s + 1),
    "softplus, positional arguments": lambda s: F.softplus(2 * s, 1.0, 34.0),
    "negated": lambda s: -ops.softplus(s),
    "jet minus jet": lambda s: ops.exp(s) - ops.log1p(s + 1.5),
    "constant": lambda s: 2.0,
}


def _entries(shape=(2, 5, 7), seed=0) -> torch.Tensor:
    """Similarities in (-1, 1), away from the kinks of sign and abs."""
    S = torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 1.98 - 0.99
    return torch.where((S - 0.1).abs() < 1e-3, S + 0.01, torch.where(S.abs() < 1e-3, S + 0.01, S))


def _autograd(f, S):
    """The independent route: f on a tensor, and the gradient of the sum of its entries."""
    s = S.clone().requires_grad_(True)
    F = f(s)
    if not isinstance(F, torch.Tensor) or not F.requires_grad:
        return torch.as_tensor(F, dtype=S.dtype).broadcast_to(S.shape), torch.zeros_like(S)
    (dF,) = torch.autograd.grad(F.sum(), s)
    return F.detach().broadcast_to(S.shape), dF


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_jet_equals_autograd(name):
    f, S = FUNCTIONS[name], _entries()
    F, dF = value_and_slope(f, S)
    F, dF = (torch.as_tensor(x, dtype=S.dtype).broadcast_to(S.shape) for x in (F, dF))
    F_ref, dF_ref = _autograd(f, S)
    torch.testing.assert_close(F, F_ref, rtol=1e-14, atol=1e-15)
    torch.testing.assert_close(dF, dF_ref, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_elementwise_derivative_is_the_jet_where_it_applies(name):
    f, S = FUNCTIONS[name], _entries(seed=1)
    F, dF = elementwise_derivative(f, S)
    assert F.shape == dF.shape == S.shape and F.is_contiguous() and dF.is_contiguous()
    F_ref, dF_ref = _autograd(f, S)
    torch.testing.assert_close(F, F_ref, rtol=1e-14, atol=1e-15)
    torch.testing.assert_close(dF, dF_ref, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("t, b, s", [(1e4, 0.0, 1e-3), (1e4, 9999.0, 0.9999), (200.0, 10.0, -1.0),
                                     (0.01, 0.0, 1.0), (40.0, 0.0, 0.95), (1e300, 0.0, 1e-300)])
def test_the_sigmoid_loss_derivative_against_mpmath(t, b, s):
    """f(s) = softplus(t s - b), f'(s) = t sigmoid(t s - b), at extreme t (50 digits)."""
    S = torch.tensor([[s]], dtype=torch.float64)
    F, dF = value_and_slope(lambda x: ops.softplus(t * x - b), S)
    with mpmath.workdps(50):
        z = mpmath.mpf(t) * mpmath.mpf(s) - mpmath.mpf(b)
        value, slope = mpmath.log1p(mpmath.exp(z)), mpmath.mpf(t) / (1 + mpmath.exp(-z))
        assert abs(mpmath.mpf(F.item()) - value) <= 1e-15 * abs(value)
        assert abs(mpmath.mpf(dF.item()) - slope) <= 1e-15 * abs(slope)


@pytest.mark.parametrize("f, name", [(torch.cos, "cos"), (lambda s: F.softplus(s, beta=2.0, threshold=34.0), "beta = 2"),
                                     (lambda s: F.softplus(s, beta=0.5, threshold=34.0), "beta = 0.5"), (torch.tanh, "tanh"),
                                     (F.softplus, "threshold = 20"), (lambda s: F.softplus(s, threshold=33.0), "threshold")])
def test_an_operation_the_jet_does_not_carry_is_named(f, name):
    with pytest.raises(Unsupported, match=name):
        value_and_slope(f, _entries())


@pytest.mark.parametrize("f", [lambda s: torch.cos(s), lambda s: torch.where(s > 0, s, 0.0),
                               lambda s: s.clamp(min=0), lambda s: 2.0 ** s, lambda s: (s + 2) ** s,
                               lambda s: torch.maximum(s, 0.1 * s), lambda s: F.softplus(s + 20.4)])
def test_an_operation_the_jet_does_not_carry_falls_back_to_autograd(f):
    S = _entries(seed=2)
    with pytest.raises((Unsupported, TypeError, AttributeError)):
        value_and_slope(f, S)
    F, dF = elementwise_derivative(f, S)
    F_ref, dF_ref = _autograd(f, S)
    torch.testing.assert_close(F, F_ref, rtol=1e-14, atol=0.0)
    torch.testing.assert_close(dF, dF_ref, rtol=1e-14, atol=0.0)


def test_an_affine_jet_is_computed_in_one_pass_only_when_needed():
    S = _entries()
    jet = 2.0 * Jet(S) - 0.5
    assert jet.affine and (jet.a, jet.c) == (2.0, -0.5)
    assert torch.equal(jet.value, torch.add(torch.tensor(-0.5, dtype=torch.float64), S, alpha=2.0))
    assert jet.value is jet.value
    assert Jet(S).value is S       # the identity: the entries themselves, no copy
    both = jet + Jet(S)
    assert both.affine and (both.a, both.c) == (3.0, -0.5)
    halved = (Jet(S) + 1) / 2
    assert halved.affine and (halved.a, halved.c) == (0.5, 0.5)
