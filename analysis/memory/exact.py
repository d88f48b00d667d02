"""The exactly solvable Mori-Zwanzig equation: an exponential memory kernel.

For ``m(t) = A exp(-t/tau_m)`` the Brownian Mori-Zwanzig equation (Granz
2026, eqs. 4.17/4.21)::

    tau0 d_t phi + phi + int_0^t m(t - t') d_t' phi(t') dt' = 0,   phi(0) = 1

has, with the Laplace transform ``K(s) = A tau_m / (1 + s tau_m)`` of the
kernel, the solution ``Phi(s) = (tau0 + K) / (s (tau0 + K) + 1)``.
Multiplying through by ``1 + s tau_m``::

    Phi(s) = N(s) / D(s),  N(s) = tau0 tau_m s + tau0 + A tau_m,
                           D(s) = tau0 tau_m s^2 + (tau0 + tau_m + A tau_m) s + 1.

The discriminant of ``D`` is ``(tau0 - tau_m)^2 + A tau_m (A tau_m + 2 tau0
+ 2 tau_m) > 0`` for ``A > 0``: two distinct negative roots ``s_1, s_2``, so
``phi(t) = c_1 exp(s_1 t) + c_2 exp(s_2 t)`` with the residues
``c_i = N(s_i) / D'(s_i)`` (``c_1 + c_2 = 1``). Both ``c_i`` are positive
(``N(s_i) D'(s_i) > 0`` since ``N`` vanishes at ``-(1/tau_m + A/tau0)``,
below both roots), i.e. ``phi`` is completely monotone. These closed forms
test the time-domain solver, the Laplace-domain equation (eq. 4.47) and
every m0 estimator (``m0 = A``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..laplace.exponentials import ExponentialSum


@dataclass(frozen=True)
class ExponentialKernel:
    """``m(t) = A exp(-t/tau_m)`` and the correlator it produces.

    Parameters
    ----------
    A : float
        Initial value ``m0 = m(0)`` (> 0).
    tau_m : float
        Decay time of the kernel (> 0).
    tau0 : float
        Short-time relaxation time ``1/(D0 q^2)`` (> 0).
    """

    A: float
    tau_m: float
    tau0: float

    def __post_init__(self) -> None:
        if not (self.A > 0 and self.tau_m > 0 and self.tau0 > 0):
            raise ValueError("ExponentialKernel: need A > 0, tau_m > 0 and tau0 > 0")

    @property
    def kernel(self) -> ExponentialSum:
        """The memory kernel as an exponential sum."""
        return ExponentialSum([self.A], [self.tau_m])

    @property
    def correlator(self) -> ExponentialSum:
        """``phi(t) = c_1 exp(-t/tau_1) + c_2 exp(-t/tau_2)`` (module docstring)."""
        a2 = self.tau0 * self.tau_m
        a1 = self.tau0 + self.tau_m + self.A * self.tau_m
        disc = np.sqrt(a1 * a1 - 4.0 * a2)
        # both roots negative; the small one without cancellation: s1 s2 = 1/a2
        s_big = -(a1 + disc) / (2.0 * a2)
        s_small = 1.0 / (a2 * s_big)
        s = np.array([s_small, s_big])
        num = a2 * s + self.tau0 + self.A * self.tau_m
        c = num / (2.0 * a2 * s + a1)
        return ExponentialSum(c, -1.0 / s)

    def phi(self, t) -> np.ndarray:
        """Correlator on ``t``."""
        return self.correlator.f(t)

    def m(self, t) -> np.ndarray:
        """Kernel on ``t``."""
        return self.kernel.f(t)

    def mhat(self, omega) -> np.ndarray:
        """Fourier-Laplace transform of the kernel, ``A tau_m / (1 + i omega tau_m)``."""
        return self.kernel.fhat(omega)

    def shat(self, omega) -> np.ndarray:
        """Fourier-Laplace transform of the correlator."""
        return self.correlator.fhat(omega)


@dataclass(frozen=True)
class NewtonianExponentialKernel:
    """``m(t) = A exp(-t/tau_m)`` in the Newtonian Mori-Zwanzig equation and its exact SISF.

    The second-order equation (Hansen & McDonald, *Theory of Simple Liquids*, 4th ed.,
    Academic Press 2013, memory functions; Götze, *Complex Dynamics of Glass-Forming
    Liquids*, OUP 2009)::

        F'' + Omega^2 F + int_0^t m(t - s) F'(s) ds = 0,   F(0) = 1,  F'(0) = 0,

    with ``Omega^2 = q^2 k_B T/m``, has the Laplace transform
    ``F(s) = (s + m(s))/(s^2 + Omega^2 + s m(s))``; with ``m(s) = A/(s + g)``,
    ``g = 1/tau_m``::

        F(s) = (s (s + g) + A) / P(s),   P(s) = s^3 + g s^2 + (Omega^2 + A) s + g Omega^2.

    ``P`` has one negative real root and either two more (real, negative) or a complex
    conjugate pair with negative real part (all coefficients positive, and
    ``g (Omega^2 + A) > g Omega^2``: Routh-Hurwitz stable). With simple roots ``r_i``,
    ``F(t) = sum_i N(r_i)/P'(r_i) exp(r_i t)`` (real: conjugate terms pair up);
    ``F(t) = 1 - Omega^2 t^2/2 + Omega^2 (Omega^2 + A) t^4/24 + O(t^5)``.

    Parameters
    ----------
    A : float
        ``m0 = m(0)`` (> 0).
    tau_m : float
        Decay time of the kernel (> 0).
    omega2 : float
        ``Omega_q^2 = q^2 k_B T/m`` (> 0).
    """

    A: float
    tau_m: float
    omega2: float

    def __post_init__(self) -> None:
        if not (self.A > 0 and self.tau_m > 0 and self.omega2 > 0):
            raise ValueError("NewtonianExponentialKernel: need A > 0, tau_m > 0 and omega2 > 0")

    @property
    def kernel(self) -> ExponentialSum:
        """The memory kernel as an exponential sum."""
        return ExponentialSum([self.A], [self.tau_m])

    @property
    def poles(self) -> tuple[np.ndarray, np.ndarray]:
        """``(r, c)``: the roots of ``P`` and the residues of ``F(s)`` there (complex arrays)."""
        g, w2, A = 1.0 / self.tau_m, self.omega2, self.A
        r = np.roots([1.0, g, w2 + A, g * w2]).astype(complex)
        gap = np.abs(r[:, None] - r[None, :])[~np.eye(3, dtype=bool)]
        if np.min(gap) < 1e-9 * np.max(np.abs(r)):
            raise ValueError("NewtonianExponentialKernel: (nearly) repeated poles; perturb A or tau_m")
        num = r * (r + g) + A
        dP = 3.0 * r * r + 2.0 * g * r + (w2 + A)
        return r, num / dP

    def phi(self, t) -> np.ndarray:
        """The SISF on ``t`` (real)."""
        t = np.asarray(t, dtype=float)
        r, c = self.poles
        return np.real(np.exp(np.multiply.outer(t, r)) @ c)

    def m(self, t) -> np.ndarray:
        """Kernel on ``t``."""
        return self.kernel.f(t)

    def laplace(self, s) -> np.ndarray:
        """``F(s)`` at complex ``s``."""
        s = np.asarray(s, dtype=complex)
        g = 1.0 / self.tau_m
        return (s * (s + g) + self.A) / (s**3 + g * s**2 + (self.omega2 + self.A) * s + g * self.omega2)
