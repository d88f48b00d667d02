"""Data-consistency refinement of an inversion (slowdyn.analysis.laplace.refine)
on analytic exponential sums: the forward operator against the exact
transform, the refinement of a perturbed inversion, and its solver against
scipy.optimize.least_squares on the same objective."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.laplace.exponentials import ExponentialSum
from slowdyn.analysis.laplace.filon import FourierLaplace
from slowdyn.analysis.laplace.refine import ConsistencyRefinement, forward_operator, refine
from slowdyn.analysis.nnlt.data import NNLTGrids

GRIDS = NNLTGrids()
OMEGA, T = GRIDS.omega, GRIDS.t
# a two-step relaxation: plateau at 0.55 from t ~ 3 to t ~ 100
ES = ExponentialSum([0.45, 0.55], [0.5, 2e3])


@pytest.fixture(scope="module")
def operator():
    return forward_operator(T, OMEGA)


def _bumped(f):
    """f with smooth relative errors of +5 % at t ~ 10 (the plateau) and -3 % at t ~ 1e4
    (the alpha decay): the kind of error the network makes."""
    lt = np.log10(T)
    return f * (1 + 0.05 * np.exp(-((lt - 1) / 0.5) ** 2 / 2) - 0.03 * np.exp(-((lt - 4) / 0.5) ** 2 / 2))


def test_forward_operator_against_the_exact_transform(operator):
    """On the 31-points-per-decade grid, the piecewise-linear Filon sum is good to
    ~1e-3; the spline on a 16x finer grid to ~2e-5 (and subdivide = 1 is Filon)."""
    f, exact = ES.f(T), ES.fhat(OMEGA)
    rel = np.abs(operator @ f / exact - 1).max()
    coarse = forward_operator(T, OMEGA, subdivide=1)
    filon = FourierLaplace(T, OMEGA).weights
    np.testing.assert_allclose(coarse, filon, rtol=1e-10, atol=1e-12 * np.abs(filon).max())
    rel_coarse = np.abs(coarse @ f / exact - 1).max()
    assert rel < 5e-5 and rel_coarse > 50 * rel, (rel, rel_coarse)


def test_refinement_removes_smooth_errors(operator):
    f = ES.f(T)
    f0 = _bumped(f)
    ref = ConsistencyRefinement(T, OMEGA, operator=operator).compute(ES.fhat(OMEGA), f0)
    err0, err = np.abs(f0 - f).max(), np.abs(ref.f - f).max()
    assert err0 > 0.02 and err < 1e-3, (err0, err)
    assert ref.misfit < ref.misfit_initial / 20
    assert np.all(ref.f > 0) and np.all(ref.f <= 1)
    assert 1 <= ref.iterations <= ref.max_iter
    # lam -> infinity: the prior comes back unchanged (values below 1e-30 are raised to it)
    stiff = refine(T, OMEGA, ES.fhat(OMEGA), f0, lam=1e8, operator=operator)
    np.testing.assert_allclose(stiff, np.maximum(f0, ConsistencyRefinement.tiny), rtol=1e-3)


def test_same_minimum_as_scipy_least_squares(operator):
    """Second algorithm: scipy's trust-region least squares (bounds u <= 0) on the
    same residual vector [K exp(u)/fhat - 1, sqrt(lam_j) (u - ln f0)]."""
    from scipy.optimize import least_squares

    fhat = ES.fhat(OMEGA)
    f0 = _bumped(ES.f(T))
    ref = ConsistencyRefinement(T, OMEGA, operator=operator)
    ours, lam = ref.compute(fhat, f0).f, ref.weights
    w = np.tile(1 / np.abs(fhat), 2)
    Kw = w[:, None] * np.vstack([operator.real, operator.imag])
    b = w * np.concatenate([fhat.real, fhat.imag])
    u0 = np.log(np.maximum(f0, ConsistencyRefinement.tiny))

    def residual(u):
        return np.concatenate([Kw @ np.exp(u) - b, np.sqrt(lam) * (u - u0)])

    def jacobian(u):
        return np.vstack([Kw * np.exp(u), np.sqrt(lam) * np.eye(u.size)])

    sol = least_squares(residual, np.minimum(u0, -1e-12), jac=jacobian, bounds=(-np.inf, 0.0),
                        xtol=1e-12, ftol=1e-12)
    theirs = np.exp(sol.x)
    assert np.sum(residual(np.log(ours)) ** 2) <= np.sum(residual(sol.x) ** 2) * (1 + 1e-6)
    assert np.abs(ours - theirs).max() < 1e-5


def test_batches_and_bad_input(operator):
    fhat = np.stack([ES.fhat(OMEGA), ExponentialSum([1.0], [7.0]).fhat(OMEGA)])
    f0 = np.stack([_bumped(ES.f(T)), _bumped(np.exp(-T / 7.0))])
    ref = ConsistencyRefinement(T, OMEGA, operator=operator).compute(fhat, f0)
    assert ref.f.shape == (2, T.size) and ref.misfit.shape == (2,)
    one = ConsistencyRefinement(T, OMEGA, operator=operator).compute(fhat[1], f0[1]).f
    np.testing.assert_allclose(ref.f[1], one, rtol=1e-12)
    with pytest.raises(ValueError, match="lam must be > 0"):
        ConsistencyRefinement(T, OMEGA, lam=0.0)
    # the pull towards the prior grows as (t_min/t)^2 below t_min = 1/omega_max
    ref = ConsistencyRefinement(T, OMEGA, lam=0.5)
    np.testing.assert_allclose(ref.weights, 0.5 * (1 + (0.01 / T) ** 2), rtol=1e-12)
    with pytest.raises(ValueError, match="t_min must be >= 0"):
        ConsistencyRefinement(T, OMEGA, t_min=-1.0)
    with pytest.raises(ValueError, match="operator has shape"):
        ConsistencyRefinement(T, OMEGA, operator=operator[:, :-1])
    with pytest.raises(ValueError, match="500 frequencies and f0 500 times"):
        ConsistencyRefinement(T, OMEGA, operator=operator).compute(fhat[0, :-1], f0[0])
    with pytest.raises(ValueError, match="different numbers of functions"):
        ConsistencyRefinement(T, OMEGA, operator=operator).compute(fhat, f0[0])
    with pytest.raises(ValueError, match="finite and non-zero"):
        ConsistencyRefinement(T, OMEGA, operator=operator).compute(np.zeros(OMEGA.size), f0[0])
    with pytest.raises(RuntimeError, match="call compute"):
        ConsistencyRefinement(T, OMEGA).f
    with pytest.raises(ValueError, match="subdivide must be >= 1"):
        forward_operator(T, OMEGA, subdivide=0)
