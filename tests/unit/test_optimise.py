"""Free-embedding optimiser: batched L-BFGS, restarts, loop baseline, theory comparison, encoder.

Expected values come from closed forms worked out by hand (ETF, antipodal), from an
independent float64 minimisation of the CCEM loss l(x) written out here, or from numpy.
"""

import math

import numpy as np
import pytest
import torch
from ccem_reference import ccem_min

from clverify.numerics.descent.baselines import optimise_loop, optimise_scipy, optimise_torch_lbfgs
from clverify.numerics.descent.compare import etf_optimum, gram_distance, loss_gap, sigmoid_ccem_optimum
from clverify.numerics.descent.encoder import encoder_experiment
from clverify.numerics.descent.lbfgs import lbfgs
from clverify.numerics.descent.optimise import optimise_batch, optimise_embedding, size_groups
from clverify.numerics.descent.sphere import Sphere
from clverify.numerics.descent.torch_losses import TORCH_LOSSES
from clverify.theory.errors import InvalidParameterError, UnknownChoiceError

sigmoid_loss = TORCH_LOSSES["sigmoid"]

pytestmark = pytest.mark.empirical





@pytest.mark.parametrize("N", [3, 4])
def test_etf_is_found_for_N_at_most_4(N):
    r = optimise_embedding(N, N, t=2.0, b=2.0, seed=0)
    assert r.converged and r.grad_norm <= 1e-9
    assert r.s_pos_mean == pytest.approx(1.0, abs=1e-9)
    assert r.s_neg_mean == pytest.approx(-1 / (N - 1), abs=1e-9)
    assert r.s_neg_std < 1e-8


def test_antipodal_for_small_t_equals_b():
    # N = 10: t_A = log(4)/2 = 0.69; at t = b = 0.2 every similarity is -1.
    r = optimise_embedding(10, 10, t=0.2, b=0.2, seed=1, restarts=1)
    assert r.converged
    np.testing.assert_allclose(r.gram, -1.0, atol=1e-7)
    expected = math.log1p(math.exp(0.4)) + 9 * math.log1p(math.exp(-0.4))  # softplus(t+b) + (N-1) softplus(-t-b)
    assert r.loss == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("t,b", [(1.2, 1.2), (3.0, 1.0), (0.7, 0.9)])
def test_intermediate_optimum_matches_the_ccem(t, b):
    N = 10
    x, lstar = ccem_min(N, t, b)
    r = optimise_embedding(N, N, t=t, b=b, seed=0, restarts=1)
    assert r.converged
    assert r.loss - lstar == pytest.approx(0.0, abs=1e-10)
    assert r.s_pos_mean == pytest.approx(2 * x - 1, abs=1e-7)
    assert r.s_neg_mean == pytest.approx(x * (N - 2) / (N - 1) - 1, abs=1e-7)
    th = sigmoid_ccem_optimum(N, N, t=t, b=b)
    assert th.loss == pytest.approx(lstar, abs=1e-12)   # the library's theory, checked
    assert loss_gap(r.loss, th) == pytest.approx(0.0, abs=1e-10)
    assert gram_distance(r.U, r.V, th.grams) < 1e-6


def test_within_view_gram_of_the_optimum_is_the_ccem_one():
    # u_i.u_j = 1 - delta^2 N/(N-1) at the optimum (derived by hand from the CCEM vectors).
    N, t, b = 8, 1.5, 1.0
    x, _ = ccem_min(N, t, b)
    r = optimise_embedding(N, N, t=t, b=b, seed=2)
    uu = r.U @ r.U.T
    off = ~np.eye(N, dtype=bool)
    np.testing.assert_allclose(uu[off], 1 - x * N / (N - 1), atol=1e-6)


def test_batched_and_loop_reach_the_same_optima_as_the_theory():
    N, ts = 6, [0.3, 1.0, 2.5]
    batched = optimise_batch(N, N, t=ts, b=ts, restarts=1, seeds=[0, 1, 2])
    looped = optimise_loop(N, N, t=ts, b=ts, restarts=1, seeds=[0, 1, 2])
    for t, rb, rl in zip(ts, batched, looped):
        x, lstar = ccem_min(N, t, t)
        for r in (rb, rl):
            assert r.converged and r.loss == pytest.approx(lstar, abs=1e-10)
            assert r.s_pos_mean == pytest.approx(2 * x - 1, abs=1e-6)
        assert rb.seed == rl.seed and rb.iterations == rl.iterations   # same starts, same criterion


def test_one_batch_across_N_reaches_each_theory_optimum():
    # N = 3, 4: the ETF (s_neg = -1/(N-1), by hand); N = 6, 9: the CCEM of ccem_reference.
    Ns, ts = [6, 3, 9, 4, 6], [1.0, 2.0, 1.5, 2.0, 0.3]
    rs = optimise_batch(Ns, Ns, t=ts, b=ts, restarts=2, seeds=[0, 1, 2, 3, 4])
    for N, t, r in zip(Ns, ts, rs):
        assert r.N == N == r.d and r.U.shape == (N, N) and r.gram.shape == (N, N)
        assert r.converged and r.grad_norm <= 1e-9
        x, lstar = ccem_min(N, t, t)
        assert r.loss == pytest.approx(lstar, abs=1e-10)
        assert r.s_pos_mean == pytest.approx(2 * x - 1, abs=1e-6)
        np.testing.assert_allclose(np.linalg.norm(r.U, axis=1), 1.0, atol=1e-12)
    assert rs[1].s_neg_mean == pytest.approx(-0.5, abs=1e-9)
    assert rs[3].s_neg_mean == pytest.approx(-1 / 3, abs=1e-9)


def test_padded_batch_uses_the_loops_starting_points():
    # Same seeds as the per-configuration loop, so every restart ends at the same optimum; the
    # best restart is the same one unless two restarts tie to rounding (the ETF for N <= 4 is
    # unique up to rotation), where padding's summation order may pick the other.
    rs = optimise_batch([4, 3], [4, 3], t=[2.0, 2.0], b=[2.0, 2.0], seeds=[5, 7], restarts=2)
    for N, seed, r in zip([4, 3], [5, 7], rs):
        (ref,) = optimise_loop(N, N, t=[2.0], b=[2.0], seeds=[seed], restarts=2)
        assert r.restart_losses == pytest.approx(ref.restart_losses, abs=1e-12)
        tied = abs(ref.restart_losses[0] - ref.restart_losses[1]) <= 1e-12
        assert (r.seed == ref.seed or tied) and r.loss == pytest.approx(ref.loss, abs=1e-12)


def test_masked_sigmoid_loss_ignores_padded_rows_exactly():
    # Real problem: N = 2, d = 2, U = V = I (by hand: (2 softplus(b - t) + 2 softplus(-b)) / 2).
    t, b = 1.5, 0.5
    P = torch.zeros(2, 4, 3, dtype=torch.float64)   # padded to 4 rows, 3 coordinates
    P[:, :2, :2] = torch.eye(2, dtype=torch.float64)
    P[:, 2:] = 0.3                                    # garbage in the padded rows
    mask = torch.tensor([True, True, False, False])
    P.requires_grad_(True)
    value = sigmoid_loss(P[0], P[1], t=t, b=b, mask=mask)
    expected = (2 * math.log1p(math.exp(b - t)) + 2 * math.log1p(math.exp(-b))) / 2
    assert float(value.detach()) == pytest.approx(expected, rel=1e-14)
    (grad,) = torch.autograd.grad(value, P)
    assert bool((grad[:, 2:] == 0).all())            # padded rows: exactly zero gradient
    assert bool((grad[:, :2, 2] == 0).all())         # padded coordinate of the real rows too


def test_size_groups_partitions_the_configurations_by_size():
    Ns = [10, 4, 50, 4, 10, 49]
    # costs by hand (overhead 300, sizes 2N^2): {4,4},{10,10},{49,50}: 900 + 64 + 400 + 10000
    # = 11364, below {4,4,10,10},{49,50}: 11400 and {4,4},{10,10},{49},{50}: 11466
    groups = size_groups(Ns, Ns, overhead=300)
    assert sorted(c for g in groups for c in g) == list(range(len(Ns)))
    sizes = [[Ns[c] for c in g] for g in groups]
    assert sizes == [[4, 4], [10, 10], [49, 50]]       # contiguous in N, small padding
    assert len(size_groups(Ns, Ns, overhead=10**12)) == 1


def test_every_loss_mixes_N_in_one_batch():
    # infonce-sym's optimum for d >= N - 1 is the simplex ETF: s_neg = -1/(N - 1), s_pos = 1
    rs = optimise_batch([4, 5], [4, 5], loss="infonce-sym", tau=[1.0, 1.0], restarts=1)
    assert [r.N for r in rs] == [4, 5] and all(r.converged for r in rs)
    assert [r.s_neg_mean for r in rs] == pytest.approx([-1 / 3, -1 / 4], abs=1e-7)
    with pytest.raises(InvalidParameterError):
        optimise_batch([4, 5], [4, 5, 6], t=1.0, b=1.0, restarts=1)


def test_scipy_baseline_reaches_the_theory():
    N, t = 5, 1.0
    x, lstar = ccem_min(N, t, t)
    (r,) = optimise_scipy(N, N, t=[t], b=[t], restarts=1)
    assert r.loss == pytest.approx(lstar, abs=1e-9)
    assert r.s_pos_mean == pytest.approx(2 * x - 1, abs=1e-5)


def test_best_restart_is_kept_and_seeds_reproduce():
    r = optimise_embedding(7, 7, t=1.0, b=0.5, seed=3, restarts=3)
    assert r.loss == min(r.restart_losses) and len(r.restart_losses) == 3
    assert r.seed in (3, 4, 5)
    again = optimise_embedding(7, 7, t=1.0, b=0.5, seed=3, restarts=3)
    np.testing.assert_array_equal(r.U, again.U)


def test_iteration_cap_is_reported():
    r = optimise_embedding(10, 10, t=1.2, b=1.2, max_iter=3, restarts=1)
    assert not r.converged and r.iterations == 3 and r.grad_norm > 1e-9


def test_infonce_sym_optimum_is_the_etf_with_its_closed_form_loss():
    N, tau = 5, 0.5
    r = optimise_embedding(N, N, loss="infonce-sym", tau=tau, restarts=1)
    # ETF: u_i = v_i, cross similarities -1/(N-1): loss = 2 log(1 + (N-1) e^{(-1/(N-1) - 1)/tau})
    expected = 2 * math.log1p((N - 1) * math.exp((-1 / (N - 1) - 1) / tau))
    assert r.converged and r.loss == pytest.approx(expected, rel=1e-12)
    th = etf_optimum("infonce-sym", N, N, tau=tau)
    assert th.loss == pytest.approx(expected, rel=1e-12)
    assert gram_distance(r.U, r.V, th.grams) < 1e-6


def test_lbfgs_finds_leading_eigenvectors_of_a_batch_of_matrices():
    # min -x^T A x on the sphere: the eigenvector of the largest eigenvalue (numpy eigh).
    g = torch.Generator().manual_seed(0)
    M = torch.randn(4, 6, 6, generator=g, dtype=torch.float64)
    A = M + M.transpose(1, 2)

    def fun(x, index):
        Ax = torch.einsum("bij,bkj->bki", A[index], x)
        return -(x * Ax).sum(dim=(-1, -2)), -2 * Ax

    x0 = Sphere().random(4, 1, 6, generator=g)
    res = lbfgs(fun, x0, Sphere(), tol=1e-10)
    w, v = np.linalg.eigh(A.numpy())
    assert bool(res.converged.all())
    np.testing.assert_allclose(-res.loss.numpy(), w[:, -1], rtol=1e-12)
    np.testing.assert_allclose(np.abs((res.x[:, 0].numpy() * v[:, :, -1]).sum(-1)), 1.0, atol=1e-9)


def test_gram_distance_is_invariant_under_rotation_and_relabelling():
    rng = np.random.default_rng(1)
    U, V = rng.normal(size=(2, 5, 4))
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    p = [3, 1, 4, 0, 2]
    ref = {"uv": U @ V.T, "uu": U @ U.T, "vv": V @ V.T}
    assert gram_distance((U @ Q)[p], (V @ Q)[p], ref) < 1e-12
    bumped = {k: v.copy() for k, v in ref.items()}
    bumped["uv"][0, 1] += 0.25
    assert gram_distance(U, V, bumped) == pytest.approx(0.25)


def test_formal_bound_is_flagged_when_d_below_N():
    th = sigmoid_ccem_optimum(6, 3, t=1.0, b=1.0)
    assert not th.attained and "lower bound" in th.note


@pytest.mark.parametrize("kwargs,error", [
    (dict(N=1, d=3, t=1.0, b=1.0), InvalidParameterError),
    (dict(N=4, d=0, t=1.0, b=1.0), InvalidParameterError),
    (dict(N=4, d=4, t=float("nan"), b=1.0), InvalidParameterError),
    (dict(N=4, d=4, t=-1.0, b=1.0), InvalidParameterError),
    (dict(N=4, d=4, t=1.0, b=float("inf")), InvalidParameterError),
    (dict(N=4, d=4, t=1.0, b=1.0, device="tpu"), UnknownChoiceError),
    (dict(N=4, d=4, loss="no-such-loss", t=1.0, b=1.0), UnknownChoiceError),
    (dict(N=4, d=4, t=1.0), InvalidParameterError),
    (dict(N=4, d=4, t=1.0, b=1.0, tau=1.0), UnknownChoiceError),
])
def test_bad_input_is_rejected_with_one_line(kwargs, error):
    with pytest.raises(error) as info:
        optimise_embedding(**kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_is_an_input_error():
    with pytest.raises(InvalidParameterError, match="cuda"):
        optimise_embedding(4, 4, t=1.0, b=1.0, device="cuda")


def test_paper_encoder_with_final_relu_has_no_negative_similarity():
    rs = encoder_experiment(8, 8, t=[0.1, 2.0], b=[0.1, 2.0], steps=100)
    for r in rs:
        assert r.s_pos_mean >= 0 and r.s_neg_mean >= 0 and r.steps == 100 and r.converged is None


def test_encoder_without_final_relu_can_go_antipodal():
    (r,) = encoder_experiment(8, 8, t=[0.1], b=[0.1], steps=300, final_relu=False)
    assert r.s_pos_mean < -0.9


def test_encoder_convergence_variant_reports_the_cap():
    (r,) = encoder_experiment(4, 4, t=[1.0], b=[1.0], tol=1e-12, max_steps=20, final_relu=False)
    assert r.converged is False and r.steps == 20 and r.grad_norm > 1e-12


@pytest.mark.parametrize("N, t, b", [(6, 1.2, 1.2), (5, 0.4, 0.4), (7, 3.0, -1.0)])
def test_torch_lbfgs_with_strong_wolfe_agrees_with_the_batched_solver(N, t, b):
    """Two independent optimisers (torch.optim.LBFGS on Z/|Z|, the batched Riemannian L-BFGS)
    from the same starting point reach the same loss and similarities."""

    ref = optimise_torch_lbfgs(N, N, t=[t], b=[b], restarts=1, tol=1e-7, max_iter=400)[0]
    new = optimise_batch(N, N, t=[t], b=[b], restarts=1)[0]
    assert ref.converged and new.converged
    assert abs(ref.loss - new.loss) <= 1e-12
    assert abs(ref.s_pos_mean - new.s_pos_mean) <= 1e-6
    assert abs(ref.s_neg_mean - new.s_neg_mean) <= 1e-6


def test_stationary_is_absolute_at_scale_1_and_relative_below():
    from clverify.numerics.descent.lbfgs import stationary

    g = torch.tensor([1e-10, 1e-10, 1e-8, 1e-29, 1e-10], dtype=torch.float64)
    loss = torch.tensor([2.0, 1e-5, 100.0, 1e-19, 0.0], dtype=torch.float64)
    euclidean = torch.tensor([1e-3, 1e-5, 100.0, 1e-17, 1.0], dtype=torch.float64)
    assert stationary(g, loss, euclidean, 1e-9).tolist() == [True, False, False, True, True]


def test_a_loss_below_float64_resolution_is_saturated_not_converged():
    # t = 1e6, b = 0: the optimal loss is about 1e-197406 (certified optimum), every term
    # underflows long before the structure is reached.
    r = optimise_embedding(5, 5, t=1e6, b=0.0, restarts=1)
    assert r.saturated and not r.converged and "float64" in r.reason


def test_a_flat_loss_is_optimised_to_its_structure_not_stopped_by_a_small_gradient():
    # t = 1e-7, b = 0: gradients are O(t) everywhere, the curvature O(t^2); the optimum is the
    # antipodal structure u_i = -v_i (s_pos = -1, by l'(0) = -2t s(t) + 3t s(-t) > 0 for N = 5).
    r = optimise_embedding(5, 5, t=1e-7, b=0.0, restarts=1, seed=0)
    assert r.converged and r.s_pos_mean == pytest.approx(-1.0, abs=1e-9)


def test_a_time_limit_stops_the_runs_not_converged_with_the_reason():
    """A loss that takes 0.05 s per evaluation and a limit of 0.3 s: a handful of iterations,
    then every run stops, not converged, as timed out; without the limit the same runs
    converge (the limit, not the problem, stopped them)."""
    import time

    from clverify.numerics.descent.optimise import _reason

    g = torch.Generator().manual_seed(0)
    M = torch.randn(2, 6, 6, generator=g, dtype=torch.float64)
    A = M + M.transpose(1, 2)

    def fun(x, index):
        time.sleep(0.05)
        return _quick(A, x, index)

    x0 = Sphere().random(2, 1, 6, generator=g)
    start = time.perf_counter()
    res = lbfgs(fun, x0, Sphere(), tol=1e-10, max_seconds=0.3)
    assert time.perf_counter() - start < 3.0
    assert res.timed_out.all() and not res.converged.any() and int(res.iterations.max()) < 10
    assert _reason(res, 0).startswith("time limit")
    free = lbfgs(lambda x, i: _quick(A, x, i), x0, Sphere(), tol=1e-10)
    assert free.converged.all() and not free.timed_out.any()


def _quick(A, x, index):
    """-x^T A x and its gradient (leading eigenvector on the sphere)."""
    Ax = torch.einsum("bij,bkj->bki", A[index], x)
    return -(x * Ax).sum(dim=(-1, -2)), -2 * Ax


def test_max_seconds_reaches_the_result_and_a_bad_value_is_rejected():
    r = optimise_embedding(10, 10, t=1.2, b=1.2, restarts=2, max_seconds=1e-9)
    assert not r.converged and r.iterations == 0 and r.reason.startswith("time limit")
    with pytest.raises(InvalidParameterError, match="max_seconds"):
        optimise_embedding(4, 4, t=1.0, b=1.0, max_seconds=-1)


def test_timing_reports_one_evaluation_once():
    seen = []
    r = optimise_embedding(6, 6, t=1.2, b=1.2, restarts=2, timing=seen.append)
    assert r.converged and len(seen) == 1 and 0 < seen[0] < r.seconds


class _Flat:
    """R^n as a manifold (no projection), for the solver's own tests."""

    def proju(self, x, u):
        return u

    def retr(self, x, u):
        return x + u

    def norm(self, x, u):
        return torch.linalg.vector_norm(u.flatten(1), dim=1)

    def max_row_norm(self, u):
        return u.flatten(1).abs().amax(dim=1)


@pytest.mark.parametrize("rate, stagnant", [(1 - 1e-5, True), (0.5 ** (1 / 300), False)])
def test_a_run_that_no_longer_progresses_stops_as_stagnant(rate, stagnant):
    """A flat loss whose gradient norm falls by a factor ``rate`` per evaluation: every step is
    accepted (the loss within rounding, the gradient smaller), but the loss never falls.  With
    1 - 1e-5 the gradient norm does not halve in PROGRESS_WINDOW iterations: stagnant there;
    halving every 300 evaluations is progress, and the run goes on to the cap."""
    from clverify.numerics.descent.lbfgs import PROGRESS_WINDOW
    from clverify.numerics.descent.optimise import _reason

    calls = [0]

    def fun(x, index):
        calls[0] += 1
        return torch.ones(x.shape[0], dtype=x.dtype), rate ** calls[0] * torch.ones_like(x)

    res = lbfgs(fun, torch.zeros(1, 1, 3, dtype=torch.float64), _Flat(), max_iter=3 * PROGRESS_WINDOW)
    assert not res.converged.any() and not res.stalled.any()
    if stagnant:
        assert res.stagnant.all() and int(res.iterations[0]) == PROGRESS_WINDOW
        assert _reason(res, 0).startswith("no progress")
    else:
        assert not res.stagnant.any() and int(res.iterations[0]) == 3 * PROGRESS_WINDOW
        assert _reason(res, 0).startswith("iteration cap")
