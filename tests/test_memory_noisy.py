"""Memory kernels of noisy Brownian SISFs by the completely monotone route
(slowdyn.analysis.memory.spectral): goal-1 numbers on generated families.

Oracles: the closed-form exponential kernel (analysis.memory.exact) and the
exact SISF of a sum-of-exponentials kernel (spectral.correlator_from_kernel,
itself checked against the closed form). Stretched-exponential and two-step
kernels, solved with mz_time.solve_mz, are in benchmarks/bench_memory_noisy.py.
Noise is white and Gaussian; the route is never told its level.
"""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.memory.exact import ExponentialKernel
from slowdyn.analysis.memory.spectral import (CMSpectrumFit, SpectralKernel, correlator_from_kernel, estimate_noise,
                                              kernel_from_spectrum, noise_from_differences)

T = np.logspace(-5, 3, 300)


def _goal1(sk: SpectralKernel, t, F_noisy, m_true, m0_true: float, sigma: float) -> tuple[float, float, float]:
    """(RMSE/noise, kernel median relative error where m > 5 % m0 and t > 3 tau0, |m0 error|)."""
    rmse = float(np.sqrt(np.mean((sk.F_rec(t) - F_noisy) ** 2)))
    mt = m_true(t)
    region = (mt > 0.05 * m0_true) & (t > 3.0 * sk.tau0)
    assert region.sum() > 20
    med = float(np.median(np.abs(sk.m(t)[region] - mt[region]) / mt[region]))
    return rmse / sigma, med, abs(sk.m0 / m0_true - 1.0)


def test_exact_spectrum_gives_exact_kernel():
    """The two-exponential SISF of m = A exp(-t/tau_m) maps back to exactly that kernel."""
    ek = ExponentialKernel(A=20.0, tau_m=0.5, tau0=1 / 36)
    kernel, delta = kernel_from_spectrum(ek.correlator.a, ek.correlator.tau, ek.tau0)
    assert kernel.a.size == 1
    assert kernel.a[0] == pytest.approx(20.0, rel=1e-10)
    assert kernel.tau[0] == pytest.approx(0.5, rel=1e-10)
    assert abs(delta) < 1e-12


@pytest.mark.parametrize("A", [5.0, 20.0])
def test_exact_exponential_kernel_m0_within_1_percent(A):
    """Clean closed-form SISF of m = A exp(-t/tau_m): m0 within 1 % with the defaults
    (today's NNLT + tails route gives 5.851 and 26.45)."""
    for tau_m, q in [(0.1, 6.0), (1.0, 2.0), (10.0, 6.0)]:
        ek = ExponentialKernel(A=A, tau_m=tau_m, tau0=1 / q**2)
        sk = SpectralKernel(q=q).compute(T, ek.phi(T))
        assert sk.m0 == pytest.approx(A, rel=0.01), (tau_m, q)


@pytest.mark.parametrize("sigma", [1e-3, 3e-3])
def test_noisy_exponential_kernel_goal1(sigma):
    """m = 20 exp(-t/0.5), q = 6: the SISF to its noise, kernel and m0 within 5 %, three seeds."""
    ek = ExponentialKernel(A=20.0, tau_m=0.5, tau0=1 / 36)
    F = ek.phi(T)
    for seed in range(3):
        Fn = F + sigma * np.random.default_rng(seed).normal(size=T.size)
        sk = SpectralKernel(q=6.0).compute(T, Fn)
        rmse, med, m0 = _goal1(sk, T, Fn, ek.m, 20.0, sigma)
        assert rmse <= 1.5, (seed, rmse)
        assert med <= 0.05, (seed, med)
        assert m0 <= 0.05, (seed, sk.m0)


def test_noisy_three_scale_kernel_goal1():
    """m = 10 e^{-t/0.01} + 6 e^{-t/0.3} + 4 e^{-t/10} (a broad completely monotone kernel), q = 6,
    SISF in closed form; noise 1e-3 and 3e-3, three seeds each (one of them put a spurious
    fast term into m0 before the resolution limit).
    """
    b, theta, q = [10.0, 6.0, 4.0], [0.01, 0.3, 10.0], 6.0
    F = correlator_from_kernel(b, theta, 1 / q**2).f(T)

    def m_true(t):
        return sum(bb * np.exp(-np.asarray(t) / th) for bb, th in zip(b, theta))

    for sigma in (1e-3, 3e-3):
        for seed in (101, 102, 103):
            Fn = F + sigma * np.random.default_rng(seed).normal(size=T.size)
            sk = SpectralKernel(q=q).compute(T, Fn)
            rmse, med, m0 = _goal1(sk, T, Fn, m_true, 20.0, sigma)
            assert rmse <= 1.5 and med <= 0.05 and m0 <= 0.05, (sigma, seed, rmse, med, sk.m0)


def test_correlator_from_kernel_round_trip():
    """Kernel -> exact SISF -> kernel; the SISF starts at 1 with slope -1/tau0."""
    c = correlator_from_kernel([10.0, 6.0, 4.0], [0.05, 1.0, 20.0], 1 / 16)
    assert np.all(c.a > 0)
    assert c.a.sum() == pytest.approx(1.0, rel=1e-12)
    assert np.sum(c.a / c.tau) == pytest.approx(16.0, rel=1e-10)
    kernel, delta = kernel_from_spectrum(c.a, c.tau, 1 / 16)
    order = np.argsort(kernel.tau)
    np.testing.assert_allclose(kernel.a[order], [10.0, 6.0, 4.0], rtol=1e-8)
    np.testing.assert_allclose(kernel.tau[order], [0.05, 1.0, 20.0], rtol=1e-8)
    assert abs(delta) < 1e-12


def test_noise_estimated_from_the_data():
    """The estimated noise lies within 15 % of the true one (no level supplied)."""
    ek = ExponentialKernel(A=5.0, tau_m=1.0, tau0=1 / 16)
    for sigma, seed in [(1e-3, 0), (3e-3, 1)]:
        Fn = ek.phi(T) + sigma * np.random.default_rng(seed).normal(size=T.size)
        assert estimate_noise(T, Fn, tau0=ek.tau0) == pytest.approx(sigma, rel=0.15)


def test_consistency_flags_data_that_are_no_brownian_sisf():
    """A correct noisy SISF fits to its model-free noise; one scaled by 0.5 or a Newtonian-like
    (Gaussian short-time) correlator does not, and a wrong D0 shows as an instantaneous kernel
    part ``delta`` of about ``tau0_true - tau0``.
    """
    q = 6.0
    F = correlator_from_kernel([10.0, 6.0, 4.0], [0.01, 0.3, 10.0], 1 / q**2).f(T)
    Fn = F + 1e-3 * np.random.default_rng(1).normal(size=T.size)
    good = SpectralKernel(q).compute(T, Fn)
    assert good.consistency < 1.5 and abs(good.delta) < 0.05 * good.tau0
    assert good.noise_differences == pytest.approx(1e-3, rel=0.2)
    assert SpectralKernel(q).compute(T, 0.5 * Fn).consistency > 3.0
    newtonian = np.exp(-((q * T) ** 2) / 2 - T / 5) + 1e-3 * np.random.default_rng(2).normal(size=T.size)
    assert SpectralKernel(q).compute(T, newtonian).consistency > 3.0
    wrong_d0 = SpectralKernel(q, D0=2.0).compute(T, Fn)      # tau0 = 1/72 instead of 1/36
    assert wrong_d0.delta == pytest.approx(1 / 72, rel=0.1)
    assert wrong_d0.summary()["delta_over_tau0"] == pytest.approx(1.0, rel=0.1)


def test_bad_input():
    with pytest.raises(ValueError, match="equal length"):
        SpectralKernel(q=6.0).compute(T, np.ones(T.size - 1))
    with pytest.raises(ValueError, match="noise level must be > 0"):
        SpectralKernel(q=6.0, noise=-1e-3)
    with pytest.raises(ValueError, match="wave number"):
        SpectralKernel(q=0.0)
    with pytest.raises(ValueError, match="alpha"):
        CMSpectrumFit(alpha=-1.0)
    with pytest.raises(ValueError, match="at least"):
        noise_from_differences(np.ones(5))
    with pytest.raises(RuntimeError, match="compute"):
        SpectralKernel(q=6.0).summary()
