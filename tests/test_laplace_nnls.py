"""NNLS + Tikhonov inverse-Laplace baseline (slowdyn.analysis.laplace.nnls)
on analytic exponential sums, checked against scipy's BVLS solver."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import lsq_linear

from slowdyn.analysis.laplace.exponentials import ExponentialSum
from slowdyn.analysis.laplace.nnls import NNLSInversion, nnls_invert
from slowdyn.analysis.nnlt.data import NNLTGrids

GRIDS = NNLTGrids()
OMEGA, T = GRIDS.omega, GRIDS.t


def test_recovers_a_spectrum_on_the_tau_grid():
    inv = NNLSInversion(alpha=1e-8)
    idx = [60, 80, 110]
    es = ExponentialSum([0.3, 0.5, 0.2], inv.tau[idx])
    inv.compute(OMEGA, es.fhat(OMEGA))
    np.testing.assert_allclose(inv.amplitudes[idx], [0.3, 0.5, 0.2], atol=1e-5)
    assert np.delete(inv.amplitudes, idx).max() < 1e-5
    assert np.abs(inv.f(T) - es.f(T)).max() < 1e-6
    np.testing.assert_allclose(inv.fhat(), es.fhat(OMEGA), rtol=1e-5)


def test_off_grid_sum_converges_with_the_tau_grid():
    es = ExponentialSum([0.3, 0.5, 0.2], [0.37, 45.0, 2.3e4])
    errs = [np.abs(nnls_invert(OMEGA, es.fhat(OMEGA), T, alpha=1e-8, n_tau=n) - es.f(T)).max()
            for n in (81, 161, 321)]
    assert errs[2] < 3e-4 and errs[2] < errs[1] < errs[0], errs


def test_same_solution_as_bvls():
    """Second algorithm: scipy.optimize.lsq_linear (bounded-variable LS) on the same system."""
    es = ExponentialSum([0.6, 0.4], [3.0, 800.0])
    fhat = es.fhat(OMEGA[::5])
    for reg in ("identity", "second_difference"):
        inv = NNLSInversion(alpha=1e-4, regularization=reg, n_tau=81, f0=1.0).compute(OMEGA[::5], fhat)
        A, b = inv.system(OMEGA[::5], fhat)
        ref = lsq_linear(A, b, bounds=(0, np.inf), method="bvls", tol=1e-14, max_iter=10000).x
        np.testing.assert_allclose(inv.amplitudes, ref, atol=1e-8)
        assert np.all(inv.amplitudes >= 0)


def test_regularisation_trades_misfit_for_smoothness():
    es = ExponentialSum([0.5, 0.5], [1.0, 1e4])
    fhat = es.fhat(OMEGA)
    misfit, rough = [], []
    for alpha in (1e-8, 1e-4, 1e-1):
        inv = NNLSInversion(alpha=alpha, regularization="second_difference").compute(OMEGA, fhat)
        misfit.append(np.linalg.norm((inv.fhat() - fhat) / np.abs(fhat)))
        rough.append(np.linalg.norm(np.diff(inv.amplitudes, 2)))
    assert misfit[0] < misfit[1] < misfit[2]
    assert rough[0] > rough[1] > rough[2]


def test_noisy_input_and_batches():
    rng = np.random.default_rng(4)
    es = ExponentialSum(np.array([[0.3, 0.7], [0.8, 0.2]]), np.array([[0.5, 200.0], [10.0, 3e3]]))
    fhat = es.fhat(OMEGA)
    noisy = fhat * (1 + 1e-3 * rng.normal(size=fhat.shape))
    inv = NNLSInversion(alpha=1e-6, f0=1.0).compute(OMEGA, noisy)
    assert inv.amplitudes.shape == (2, 161)
    np.testing.assert_allclose(inv.amplitudes.sum(axis=1), 1.0, atol=1e-3)
    assert np.abs(inv.f(T) - es.f(T)).max() < 5e-3
    with pytest.raises(RuntimeError, match="compute"):
        NNLSInversion().amplitudes
    with pytest.raises(ValueError, match="regularization"):
        NNLSInversion(regularization="tv")
    with pytest.raises(ValueError, match="length"):
        NNLSInversion().compute(OMEGA, fhat[:, :-1])
