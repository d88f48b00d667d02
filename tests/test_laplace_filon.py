"""Filon Fourier-Laplace transforms (slowdyn.analysis.laplace.filon) against the
analytic transforms of exponential sums and against scipy quadrature."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from scipy import integrate

from slowdyn.analysis.laplace.exponentials import ExponentialSum
from slowdyn.analysis.laplace.filon import (FourierLaplace, InverseFourierLaplace, fourier_laplace,
                                    inverse_fourier_laplace, segment_weights)


def _exact_AB(theta: float) -> tuple[complex, complex]:
    mpmath.mp.dps = 60
    x = mpmath.mpf(theta)
    e = mpmath.exp(-1j * x)
    return complex((1 - 1j * x - e) / x**2), complex(((1 + 1j * x) * e - 1) / x**2)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_segment_weights_no_cancellation(sign):
    """omega*dt from 1e-8 to 1e3 (both signs): full relative precision,
    where the closed form of eq. 2.42 loses every digit at 1e-8."""
    theta = sign * np.logspace(-8, 3, 45)
    A, B = segment_weights(theta)
    for th, a, b in zip(theta, A, B):
        ea, eb = _exact_AB(th)
        assert abs(a - ea) <= 1e-14 * abs(ea)
        assert abs(b - eb) <= 1e-14 * abs(eb)
    th = 1e-8
    naive = (1 - 1j * th - np.exp(-1j * th)) / th**2
    assert abs(naive - _exact_AB(th)[0]) > 1e-2  # the cancellation the Taylor branch avoids


def test_forward_matches_exponential_in_stable_window():
    """exp(-t/tau) on a log grid: Filon = a/(i omega + 1/tau) to 1e-6 relative
    for omega*tau in [1e-6, 10] (eqs. 2.36/2.37)."""
    a, tau = 0.7, 3.0
    t = np.logspace(-7, 3, 20000) * tau
    omega = np.logspace(-6, 1, 29) / tau
    fhat = FourierLaplace(t, omega).compute(a * np.exp(-t / tau)).fhat
    exact = a / (1j * omega + 1 / tau)
    np.testing.assert_allclose(exact, ExponentialSum([a], [tau]).fhat(omega), rtol=1e-14)
    rel = np.abs(fhat / exact - 1)
    assert rel.max() < 1e-6, rel.max()


def test_forward_exponential_sum_small_and_large_omega_dt():
    """A two-scale sum on a grid where omega*dt runs from ~1e-12 to ~1e6 at once."""
    es = ExponentialSum([0.3, 0.7], [0.5, 2e3])
    t = np.logspace(-6, 5, 12000)
    omega = np.array([0.0, 1e-6, 1e-4, 1e-2, 1.0])
    fhat = fourier_laplace(t, es.f(t), omega)
    exact = es.fhat(omega)
    assert np.max(np.abs(fhat / exact - 1)) < 1e-5
    # omega = 0 is the trapezoid rule
    f = es.f(t)
    trap = np.trapezoid(f, t) + t[0] * f[0]
    assert fhat[0] == pytest.approx(trap, rel=1e-13)


def test_forward_equals_quadrature_of_interpolant():
    """Second algorithm: scipy.quad (QAWO cos/sin weights) of the same
    piecewise-linear interpolant on an irregular grid, segment by segment."""
    rng = np.random.default_rng(3)
    t = np.sort(np.concatenate([[0.0], rng.uniform(0, 20, 40)]))
    f = np.exp(-t / 4) * (1 + 0.3 * np.cos(t))
    omega = np.array([0.0, 1e-3, 0.37, 2.0, 11.0])
    fhat = FourierLaplace(t, omega).compute(f).fhat

    def interp(x):
        return np.interp(x, t, f)

    for w, got in zip(omega, fhat):
        re = im = 0.0
        for lo, hi in zip(t[:-1], t[1:]):
            if w == 0:
                re += integrate.quad(interp, lo, hi, epsabs=1e-14)[0]
                continue
            re += integrate.quad(interp, lo, hi, weight="cos", wvar=w, epsabs=1e-14)[0]
            im -= integrate.quad(interp, lo, hi, weight="sin", wvar=w, epsabs=1e-14)[0]
        assert got == pytest.approx(complex(re, im), rel=1e-9, abs=1e-12)


def test_forward_batched_and_origin():
    t = np.logspace(-3, 2, 300)
    f = np.stack([np.exp(-t), np.exp(-t / 2)])
    omega = np.logspace(-2, 1, 7)
    fl = FourierLaplace(t, omega).compute(f)
    assert fl.fhat.shape == (2, 7)
    np.testing.assert_allclose(fl.fhat[1], fourier_laplace(t, f[1], omega))
    # origin="none" misses int_0^t0 exp(-i w t) f(t0) dt (a difference of
    # large numbers: compared to 1e-9)
    diff = fourier_laplace(t, f[0], omega) - fourier_laplace(t, f[0], omega, origin="none")
    np.testing.assert_allclose(diff, f[0, 0] * (1 - np.exp(-1j * omega * t[0])) / (1j * omega),
                               rtol=1e-9)
    with pytest.raises(RuntimeError, match="compute"):
        FourierLaplace(t, omega).fhat
    with pytest.raises(ValueError, match="increasing"):
        FourierLaplace(t[::-1], omega)
    with pytest.raises(ValueError, match="samples"):
        FourierLaplace(t, omega).compute(f[:, :-1])


def test_inverse_matches_exponential_mid_window():
    """Inverse Filon of 1/(i omega + 1/tau) recovers exp(-t/tau) where the
    frequency window covers 1/t (eq. 2.48); it fails at t << 1/omega_max
    (the truncated tail: f -> f(0)/2), which is the NNLT's motivation."""
    tau = 10.0
    omega = np.logspace(-8, 4, 6000)
    fhat = ExponentialSum([1.0], [tau]).fhat(omega)
    t = np.logspace(-1, 1.7, 12)
    f = inverse_fourier_laplace(omega, fhat, t)
    assert np.max(np.abs(f - np.exp(-t / tau))) < 2e-4
    f_short = inverse_fourier_laplace(omega, fhat, [1e-7])[0]
    assert f_short == pytest.approx(0.5, abs=1e-3)


def test_inverse_equals_quadrature_of_interpolant():
    """Second algorithm for eq. 2.48: (1/pi) Re int exp(i w t) fhat(w) dw by quad."""
    omega = np.concatenate([[0.0], np.logspace(-2, 1.5, 50)])
    fhat = ExponentialSum([0.4, 0.6], [0.3, 5.0]).fhat(omega)
    t = np.array([1e-3, 0.2, 1.0, 7.0])
    f = InverseFourierLaplace(omega, t).compute(fhat).f
    for tt, got in zip(t, f):
        acc = 0.0
        for lo, hi in zip(omega[:-1], omega[1:]):
            acc += integrate.quad(lambda w: np.interp(w, omega, fhat.real), lo, hi,
                                  weight="cos", wvar=tt, epsabs=1e-14)[0]
            acc -= integrate.quad(lambda w: np.interp(w, omega, fhat.imag), lo, hi,
                                  weight="sin", wvar=tt, epsabs=1e-14)[0]
        assert got == pytest.approx(acc / np.pi, rel=1e-9, abs=1e-12)
