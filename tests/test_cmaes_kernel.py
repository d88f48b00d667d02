"""Stretched-exponential memory kernels fitted by CMA-ES (slowdyn.analysis.memory.cmaes;
Ciarella et al., Mach. Learn.: Sci. Technol. 4, 025010 (2023), eqs. 5-7)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("mctpy")  # test extra
pytest.importorskip("cma")

from slowdyn.analysis.memory.cmaes import (TimeGrid, ciarella_kernel, compare_kernels,  # noqa: E402
                                           fit_stretched_kernel, solve_mz, stretched_kernel)

GRID = TimeGrid(h=1e-6, blocksize=64, blocks=30)
TAU0 = 1.0 / 36.0      # q = 6, D0 = 1


def test_ciarella_parametrisation_maps_to_identifiable_form():
    t = np.logspace(-4, 3, 50)
    m = ciarella_kernel(t, 0.2, w=[3.0, 1.0], a=[0.1, 0.5], tau=[0.1, 10.0], b=[0.8, 1.3])
    ref = stretched_kernel(t, 0.2 + 0.3 + 0.5, [2.7, 0.5], [0.1, 10.0], [0.8, 1.3])
    assert np.allclose(m, ref)


def test_mz_solution_exponential_kernel_against_laplace_closed_form():
    """m(t) = A exp(-t/tau): the Laplace transform of phi solves a quadratic; compare
    phi(t) from mctpy's solver with a numerical inverse (Stehfest) of it."""
    from math import factorial, log

    A, tau = 20.0, 0.05
    t, phi = solve_mz(TAU0, 0.0, [A], [tau], [1.0], GRID)

    def phihat(s):   # tau0 (s F - 1) + F + mhat (s F - 1) = 0
        mh = A / (s + 1 / tau)
        return (TAU0 + mh) / (TAU0 * s + 1 + mh * s)

    n = 14
    v = np.zeros(n)
    for k in range(1, n + 1):
        acc = 0.0
        for j in range((k + 1) // 2, min(k, n // 2) + 1):
            acc += j ** (n // 2) * factorial(2 * j) / (factorial(n // 2 - j) * factorial(j) * factorial(j - 1)
                                                         * factorial(k - j) * factorial(2 * j - k))
        v[k - 1] = (-1) ** (k + n // 2) * acc
    for tt in (0.01, 0.1, 1.0):
        ref = log(2) / tt * sum(v[k] * phihat((k + 1) * log(2) / tt) for k in range(n))
        assert np.interp(np.log(tt), np.log(t), phi) == pytest.approx(ref, abs=2e-4)


def test_cmaes_recovers_synthetic_stretched_kernel():
    A, tau, beta = 20.0, 0.05, 0.7
    t, phi = solve_mz(TAU0, 0.0, [A], [tau], [beta], GRID)
    sel = (t > 1e-4) & (phi > 1e-4)
    fit = fit_stretched_kernel(t[sel][::2], phi[sel][::2], TAU0, n_exp=1, grid=GRID, sigma0=0.5,
                               x0={"amplitudes": [8.0], "taus": [0.3], "betas": [1.0]}, maxfevals=1200)
    assert fit.amplitudes[0] == pytest.approx(A, rel=0.02)
    assert fit.taus[0] == pytest.approx(tau, rel=0.02)
    assert fit.betas[0] == pytest.approx(beta, rel=0.02)
    assert fit.loss < 1e-8
    rows = compare_kernels(t[sel][::4], phi[sel][::4], stretched_kernel(t[sel][::4], 0, [A], [tau], [beta]),
                           TAU0, methods={"exact": lambda tt, s, t0: stretched_kernel(tt, 0, [A], [tau], [beta])},
                           fit={"n_exp": 1, "grid": GRID, "maxfevals": 300,
                                "x0": {"amplitudes": [A], "taus": [tau], "betas": [beta]}, "sigma0": 0.05})
    assert rows["exact"]["kernel_rmse"] == 0.0
    assert rows["cmaes"]["kernel_rel_rmse"] < 0.02


def test_cmaes_bad_input_errors():
    t = np.logspace(-3, 1, 10)
    with pytest.raises(ValueError, match="same length"):
        fit_stretched_kernel(t, np.ones(9), TAU0)
    with pytest.raises(ValueError, match="t > 0"):
        fit_stretched_kernel(np.linspace(0, 1, 10), np.ones(10), TAU0)
    with pytest.raises(ValueError, match="n_exp"):
        fit_stretched_kernel(t, np.exp(-t), TAU0, n_exp=0)
    with pytest.raises(ValueError, match="tau0"):
        solve_mz(0.0, 0.0, [1.0], [1.0], [1.0])
    with pytest.raises(ValueError, match="> 0"):
        solve_mz(TAU0, 0.0, [1.0], [-1.0], [1.0])
