"""Newtonian memory kernels: the exactly solvable exponential kernel, the exact forward solution,
the kernel recovered from clean and noisy SISFs, the consistency flag, bad input.

Oracles: the closed form of analysis/memory/exact.py (partial fractions) against an independent
ODE integration (the exponential kernel is an auxiliary variable), the short-time expansion and
the Laplace form of the Newtonian MZ equation (doc/memory.md, "Newtonian dynamics").
"""

import numpy as np
import pytest

from slowdyn.analysis.laplace.exponentials import ExponentialSum
from slowdyn.analysis.memory.exact import NewtonianExponentialKernel
from slowdyn.analysis.memory.newtonian import NewtonianKernel, solve_newtonian

Q, KT = 7.0, 1.0
W2 = Q * Q * KT
T = np.logspace(-3, np.log10(40.0), 200)


def ode_solution(b, theta, omega2, t):
    """F'' + Omega^2 F + sum_j z_j = 0, z_j' = b_j F' - z_j/theta_j (solve_ivp, tight tolerances)."""
    from scipy.integrate import solve_ivp

    b, y = np.asarray(b, float), 1.0 / np.asarray(theta, float)

    def rhs(_, x):
        return np.concatenate([[x[1], -omega2 * x[0] - np.sum(x[2:])], b * x[1] - y * x[2:]])

    sol = solve_ivp(rhs, (0.0, t[-1]), np.concatenate([[1.0, 0.0], np.zeros(b.size)]), t_eval=t,
                    method="DOP853", rtol=1e-11, atol=1e-13)
    return sol.y[0]


@pytest.mark.parametrize("A, tau_m, omega2", [(400.0, 0.5, 49.0), (150.0, 0.05, 49.0), (500.0, 0.01, 1.0)])
def test_exact_closed_form_against_ode(A, tau_m, omega2):
    ex = NewtonianExponentialKernel(A, tau_m, omega2)
    t = np.linspace(0.0, 30.0, 301)
    assert np.max(np.abs(ex.phi(t) - ode_solution([A], [tau_m], omega2, t))) < 1e-8
    # short-time expansion: F = 1 - W^2 t^2/2 + W^2 (W^2 + m0) t^4/24 + O(t^6)
    ts = np.array([1e-3, 2e-3]) / np.sqrt(omega2 + A)
    series = 1.0 - omega2 * ts**2 / 2 + omega2 * (omega2 + A) * ts**4 / 24
    assert np.all(np.abs(ex.phi(ts) - series) < 1e-12)
    # Laplace form: m(s) = W^2 F/(1 - s F) - s
    s = np.array([0.3 + 2j, 5.0 - 1j, 40.0 + 0j])
    F = ex.laplace(s)
    assert np.allclose(omega2 * F / (1.0 - s * F) - s, A / (s + 1.0 / tau_m), rtol=1e-10)


def test_exact_has_complex_and_real_roots():
    r_complex, _ = NewtonianExponentialKernel(400.0, 0.5, 49.0).poles
    r_real, _ = NewtonianExponentialKernel(500.0, 0.01, 1.0).poles
    assert np.sum(np.abs(r_complex.imag) > 1e-9) == 2 and np.all(r_complex.real < 0)
    assert np.all(np.abs(r_real.imag) < 1e-9) and np.all(r_real.real < 0)
    with pytest.raises(ValueError, match="A > 0"):
        NewtonianExponentialKernel(-1.0, 0.5, 49.0)


def test_solve_newtonian_exact():
    t = np.linspace(0.0, 20.0, 201)
    ex = NewtonianExponentialKernel(400.0, 0.5, 49.0)
    assert np.max(np.abs(solve_newtonian(ex.kernel, 49.0, t) - ex.phi(t))) < 1e-10
    for b, theta in [([30.0, 5.0, 0.0], [0.02, 3.0, 1.0]), ([60.0, -30.0, 3.0], [0.05, 0.025, 2.0])]:
        ref = ode_solution(b, theta, 4.0, t)   # the second: zero slope at t = 0, signed amplitudes
        assert np.max(np.abs(solve_newtonian(ExponentialSum(b, theta), 4.0, t) - ref)) < 1e-8


def kernel_errors(nk, ex, t):
    m_true = ex.m(t)
    sel = m_true > 0.05 * ex.A
    return np.abs(nk.m(t[sel]) - m_true[sel]) / m_true[sel]


def test_clean_exact_case_recovered():
    ex = NewtonianExponentialKernel(400.0, 0.5, W2)
    nk = NewtonianKernel(Q, KT).compute(T, ex.phi(T))
    assert abs(nk.m0 / ex.A - 1.0) < 0.01
    assert np.median(kernel_errors(nk, ex, T)) < 0.01
    assert nk.rmse < 1e-3
    # the grid may start at t = 0
    nk0 = NewtonianKernel(Q, KT).compute(np.concatenate([[0.0], T]), ex.phi(np.concatenate([[0.0], T])))
    assert abs(nk0.m0 / ex.A - 1.0) < 0.01


@pytest.mark.parametrize("A, tau_m, sigma, seed", [(400.0, 0.5, 1e-3, 0), (150.0, 0.05, 1e-3, 1),
                                                   (400.0, 0.5, 3e-3, 2)])
def test_noisy_exact_case(A, tau_m, sigma, seed):
    ex = NewtonianExponentialKernel(A, tau_m, W2)
    F = ex.phi(T) + sigma * np.random.default_rng(seed).standard_normal(T.size)
    nk = NewtonianKernel(Q, KT).compute(T, F)
    assert nk.rmse <= 1.5 * sigma
    assert np.median(kernel_errors(nk, ex, T)) <= 0.05
    assert abs(nk.m0 / A - 1.0) < 0.05
    assert 0.7 < nk.noise / sigma < 1.3
    assert nk.consistency < 1.5
    assert np.sqrt(np.mean((nk.F_rec(T) - ex.phi(T)) ** 2)) < sigma   # denoised: closer to the truth
    s = nk.summary()
    assert {"m0", "rmse", "noise", "noise_differences", "consistency"} <= set(s)
    assert all(isinstance(v, float) for v in s.values())


def test_zero_slope_kernel_with_onset_terms():
    # m = 300 (2 e^{-t/0.05} - e^{-t/0.025}) + 30 e^{-t/2}: m'(0) = 0, outside the positive exponentials
    true = ExponentialSum([600.0, -300.0, 30.0], [0.05, 0.025, 2.0])
    F = solve_newtonian(true, W2, T) + 1e-3 * np.random.default_rng(5).standard_normal(T.size)
    nk = NewtonianKernel(Q, KT, onset=True).compute(T, F)
    m_true = true.f(T)
    sel = m_true > 0.05 * 330.0
    assert np.median(np.abs(nk.m(T[sel]) - m_true[sel]) / m_true[sel]) < 0.05
    assert abs(nk.m0 / 330.0 - 1.0) < 0.05
    assert nk.rmse <= 1.5e-3


def test_error_column_as_weights_and_band():
    # noise that grows with 1 - F, as in MD: 2e-4 at short times, 3e-3 late
    ex = NewtonianExponentialKernel(400.0, 0.5, W2)
    err = 2e-4 + 2.8e-3 * (1.0 - np.clip(ex.phi(T), 0.0, 1.0))
    F = ex.phi(T) + err * np.random.default_rng(6).standard_normal(T.size)
    nk = NewtonianKernel(Q, KT).compute(T, F, err)
    assert np.sqrt(np.mean(((nk.F_rec(T) - F) / err) ** 2)) < 1.5     # chi per point about 1
    assert 0.7 < nk.noise / np.median(err) < 1.3                       # noise in units of median(err)
    assert np.median(kernel_errors(nk, ex, T)) < 0.05 and abs(nk.m0 / ex.A - 1.0) < 0.05
    band = nk.band(T[::20], n=3)
    assert band["lo"].shape == (10,) and np.all(band["lo"] <= band["hi"]) and band["m0_lo"] <= band["m0_hi"]
    with pytest.raises(ValueError, match="finite and > 0"):
        NewtonianKernel(Q, KT).compute(T, F, np.where(T > 1.0, 0.0, err))
    with pytest.raises(ValueError, match="error column has"):
        NewtonianKernel(Q, KT).compute(T, F, err[:-1])


def test_brownian_sisf_given_as_newtonian_is_flagged():
    from slowdyn.analysis.memory.exact import ExponentialKernel

    bd = ExponentialKernel(A=20.0, tau_m=0.5, tau0=1.0 / 36.0)   # q = 6, D0 = 1
    t = np.logspace(-4, 1.5, 120)
    F = bd.phi(t) + 1e-3 * np.random.default_rng(3).standard_normal(t.size)
    nk = NewtonianKernel(6.0, 1.0).compute(t, F)
    assert nk.consistency > 3.0
    ex = NewtonianExponentialKernel(400.0, 0.5, W2)
    F = ex.phi(T) + 1e-3 * np.random.default_rng(4).standard_normal(T.size)
    assert NewtonianKernel(Q, KT).compute(T, F).consistency < 1.5      # the right equation: no flag
    assert NewtonianKernel(Q, 0.5 * KT).compute(T, F).consistency > 3.0   # k_BT/m off by 2


def test_bad_input():
    ex = NewtonianExponentialKernel(400.0, 0.5, W2)
    F = ex.phi(T)
    with pytest.raises(ValueError, match="kT_m"):
        NewtonianKernel(Q, -1.0)
    with pytest.raises(ValueError, match="wave number"):
        NewtonianKernel(0.0, 1.0)
    with pytest.raises(ValueError, match=r"F\(0\) = 0.5"):
        NewtonianKernel(Q, KT).compute(np.concatenate([[0.0], T]), 0.5 * ex.phi(np.concatenate([[0.0], T])))
    with pytest.raises(ValueError, match="not normalised"):
        NewtonianKernel(Q, KT).compute(T, 0.5 * F)
    with pytest.raises(ValueError, match="does not decay"):
        NewtonianKernel(Q, KT).compute(T, 0.5 + 0.5 * F)
    with pytest.raises(ValueError, match="equal length"):
        NewtonianKernel(Q, KT).compute(T, F[:-1])
    with pytest.raises(RuntimeError, match="compute"):
        NewtonianKernel(Q, KT).m0
