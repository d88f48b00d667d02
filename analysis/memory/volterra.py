"""Classical baseline: the Mori-Zwanzig equation inverted in the time domain
as a discretised Volterra equation.

This is the route the field uses for memory kernels of generalized Langevin
equations from time series (Daldrop, Kowalik, Netz, Phys. Rev. X 2017 and
Daldrop et al., PNAS 2018, the ``memtools`` code; Vroylandt & Monmarché,
J. Chem. Phys. 2022, ``VolterraBasis``), transferred to the Brownian
equation (Granz 2026, eq. 4.21). Neither code is on PyPI, and both solve
the GLE for velocity correlations, not this overdamped form, so the short
recursion is written here.

Integrating ``tau0 phi' + phi + int_0^t m(t - u) phi'(u) du = 0`` from 0 to
``t`` gives, with the running integral ``K(t) = int_0^t m`` of the kernel
(the quantity memtools extracts first, ``G(t)`` there)::

    int_0^t K(t - u) d phi(u) = h(t),   h(t) = tau0 (1 - phi(t)) - int_0^t phi(s) ds.

On a uniform grid ``t_n = n dt`` the product midpoint rule,
``sum_{j=1}^{n} K((n - j + 1/2) dt) (phi_j - phi_{j-1}) = h_n``, needs no
derivative of the data and is a stable recursion (Linz, *Analytical and
Numerical Methods for Volterra Equations*, SIAM 1985) for the new unknown
``K_{n-1/2}``, divided by ``phi_1 - phi_0 ~ -dt/tau0 != 0``. The kernel is the
centred difference ``m(t_n) = (K_{n+1/2} - K_{n-1/2})/dt``. The data (any
grid) are resampled onto the uniform grid by monotone cubic (PCHIP)
interpolation, ``phi(0) = 1`` prepended. Its limits, visible in the tables:
one step ``dt`` for all time scales (short-time kernel resolution ``dt`` over
a window of ``n dt``, cost ``O(n^2)``), and the differentiation of ``K``
amplifies the noise of the data.
"""

from __future__ import annotations

import numpy as np

from .._compute import Compute, computed_property
from .mz_laplace import check_correlator


class VolterraKernel(Compute):
    compute_hint = "compute(t, phi)"

    """Kernel ``m(t)`` from ``phi(t)`` by the product-midpoint recursion (module docstring).

    Parameters
    ----------
    tau0 : float
        ``1/(D0 q^2)`` (> 0).
    n : int
        Number of uniform steps.
    t_end : float, optional
        End of the uniform grid (default: the last data time).
    """

    def __init__(self, tau0: float, n: int = 4000, t_end: float | None = None) -> None:
        if not tau0 > 0:
            raise ValueError(f"tau0 must be > 0, got {tau0}")
        if n < 8:
            raise ValueError("n must be >= 8")
        self.tau0, self.n, self.t_end = float(tau0), int(n), t_end

    def compute(self, t, phi) -> "VolterraKernel":
        """Invert the correlator ``phi`` sampled on ``t``."""
        from scipy.interpolate import PchipInterpolator

        t, phi = check_correlator(t, phi)
        if t[0] > 0:
            t, phi = np.concatenate([[0.0], t]), np.concatenate([[1.0], phi])
        t_end = float(t[-1] if self.t_end is None else self.t_end)
        if not 0 < t_end <= t[-1]:
            raise ValueError(f"t_end must lie in (0, {t[-1]:g}]")
        dt = t_end / self.n
        tg = dt * np.arange(self.n + 1)
        p = PchipInterpolator(t, phi)(tg)
        # h_n = tau0 (1 - phi_n) - int_0^t_n phi  (trapezoid)
        integral = np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]) * dt)])
        h = self.tau0 * (1.0 - p) - integral
        dphi = np.diff(p)  # dphi[j-1] = phi_j - phi_{j-1}
        if dphi[0] >= 0:
            raise ValueError("the correlator does not decrease over the first step: check its normalisation")
        K = np.zeros(self.n)  # K[k] = K((k + 1/2) dt)
        for n in range(1, self.n + 1):
            # sum_{j=2}^{n} K_{n-j+1/2} dphi_j  =  K[n-2::-1] . dphi[1:n]
            s = np.dot(K[n - 2::-1], dphi[1:n]) if n > 1 else 0.0
            K[n - 1] = (h[n] - s) / dphi[0]
        m = np.empty(self.n)
        m[1:] = np.diff(K) / dt           # at t_1 .. t_{n-1}
        m[0] = 2.0 * K[0] / dt if self.n else 0.0  # K_{1/2} / (dt/2): mean over [0, dt/2]
        self._t, self._m, self._K = tg[:-1], m, K
        return self

    @computed_property
    def t(self) -> np.ndarray:
        """Uniform grid ``0, dt, ..., (n - 1) dt`` of the kernel."""
        return self._t

    @computed_property
    def m(self) -> np.ndarray:
        """The kernel on :attr:`t` (``m[0]`` is its mean over ``[0, dt/2]``)."""
        return self._m

    def reconstruct(self, t_out) -> np.ndarray:
        """The correlator on ``t_out`` from the time-domain MZ equation with this kernel
        (:func:`~slowdyn.analysis.memory.mz_time.solve_mz`; the kernel is zero beyond its window).
        """
        from .mz_time import solve_mz

        t, m = self.t, self.m
        return solve_mz(np.concatenate([t, [t[-1] * 1e3]]), np.concatenate([m, [0.0]]), self.tau0, t_out=t_out)[1]

    @computed_property
    def running_integral(self) -> np.ndarray:
        """``K((k + 1/2) dt) = int_0^{(k+1/2) dt} m``."""
        return self._K
