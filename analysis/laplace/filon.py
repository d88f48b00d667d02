"""Filon quadrature for Fourier-Laplace transforms on non-uniform grids.

Forward transform (Granz 2026, eqs. 2.41-2.46)::

    f(omega) = int_0^inf exp(-i omega t) f(t) dt

and inverse transform of a real function (eqs. 2.34, 2.47-2.50)::

    f(t) = (1/pi) Re int_0^inf exp(i omega t) f(omega) d omega

Both integrate the piecewise-linear interpolant of the samples exactly
against the oscillating exponential (Filon's idea), so any increasing grid
works, logarithmic ones in particular. On a segment ``[x_k, x_k + h]`` with
``theta = k h`` the two hat-function integrals are::

    A(theta) = int_0^1 (1 - s) exp(-i theta s) ds = (1 - i theta - exp(-i theta)) / theta^2
    B(theta) = int_0^1 s exp(-i theta s) ds       = ((1 + i theta) exp(-i theta) - 1) / theta^2

Summing the two segments that touch a grid point gives the thesis' weights:
``omega dt_0 A(omega dt_0)`` is eq. 2.45 and ``omega (dt_{n-1} B(omega
dt_{n-1}) exp(i omega dt_{n-1}) + dt_n A(omega dt_n))`` is eq. 2.46 (the
``+-i`` terms cancel). The closed forms lose all precision when ``theta``
is small (catastrophic cancellation, relative error ~ 1e-16 / theta^2), so
for ``|theta| < 1`` the Taylor series
``A = sum_n (-i theta)^n / (n! (n+1)(n+2))``, ``B = sum_n (-i theta)^n /
(n! (n+2))`` are used instead (30 terms, error < 1e-30). At ``omega = 0``
the forward transform is the trapezoid rule.

The grids rarely start at zero (log grids): with ``origin="constant"`` the
first value is continued down to 0 (``f(t) = f(t_0)`` on ``[0, t_0]``); with
``origin="none"`` the integral starts at the first grid point. Beyond the
last point the integrand is taken as zero (truncation).
"""

from __future__ import annotations

import math

import numpy as np
from .._compute import Compute, computed_property

_TAYLOR_SWITCH = 1.0
_TAYLOR_TERMS = 30
# coefficients of the Taylor series in z = -i theta
_A_COEF = np.array([1.0 / (math.factorial(n) * (n + 1) * (n + 2)) for n in range(_TAYLOR_TERMS)])
_B_COEF = np.array([1.0 / (math.factorial(n) * (n + 2)) for n in range(_TAYLOR_TERMS)])


def segment_weights(theta) -> tuple[np.ndarray, np.ndarray]:
    """Hat-function integrals ``A(theta)``, ``B(theta)`` (see module docstring).

    Stable for every real ``theta``: Taylor series for ``|theta| < 1``,
    closed forms otherwise.

    Parameters
    ----------
    theta : array_like of float
        ``k * h`` (signed; ``exp(+i k x)`` integrals use ``-k h``).

    Returns
    -------
    A, B : numpy.ndarray of complex
        Same shape as ``theta``.
    """
    theta = np.asarray(theta, dtype=float)
    small = np.abs(theta) < _TAYLOR_SWITCH
    A = np.empty(theta.shape, dtype=complex)
    B = np.empty(theta.shape, dtype=complex)
    if np.any(small):
        z = -1j * theta[small]
        a = np.full(z.shape, _A_COEF[-1], dtype=complex)
        b = np.full(z.shape, _B_COEF[-1], dtype=complex)
        for n in range(_TAYLOR_TERMS - 2, -1, -1):  # Horner
            a = a * z + _A_COEF[n]
            b = b * z + _B_COEF[n]
        A[small] = a
        B[small] = b
    big = ~small
    if np.any(big):
        th = theta[big]
        e = np.exp(-1j * th)
        A[big] = (1.0 - 1j * th - e) / th**2
        B[big] = ((1.0 + 1j * th) * e - 1.0) / th**2
    return A, B


def _increasing(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"{name} must be a 1-D grid with at least 2 points")
    if np.any(np.diff(x) <= 0) or x[0] < 0:
        raise ValueError(f"{name} must be non-negative and strictly increasing")
    return x


def filon_weights(x, k, sign: int, origin: str = "constant") -> np.ndarray:
    """Weights ``W`` with ``int_0^x_last exp(sign i k x) g(x) dx = W @ g(x_grid)``.

    ``g`` is the piecewise-linear interpolant of its samples on ``x``.

    Parameters
    ----------
    x : array_like, shape (N,)
        Increasing integration grid.
    k : array_like, shape (M,)
        Conjugate variable (frequencies for the forward transform).
    sign : {-1, +1}
        Sign of the exponent.
    origin : {"constant", "none"}
        How ``[0, x_0]`` is treated (see module docstring).

    Returns
    -------
    numpy.ndarray, shape (M, N), complex
    """
    if sign not in (-1, 1):
        raise ValueError("sign must be -1 or +1")
    if origin not in ("constant", "none"):
        raise ValueError(f"origin must be 'constant' or 'none', got {origin!r}")
    x = _increasing(x, "the integration grid")
    k = np.atleast_1d(np.asarray(k, dtype=float))
    h = np.diff(x)
    theta = -sign * k[:, None] * h[None, :]
    A, B = segment_weights(theta)
    seg = h[None, :] * np.exp(sign * 1j * k[:, None] * x[None, :-1])
    W = np.zeros((k.size, x.size), dtype=complex)
    W[:, :-1] += seg * A
    W[:, 1:] += seg * B
    if origin == "constant" and x[0] > 0:
        A0, B0 = segment_weights(-sign * k * x[0])
        W[:, 0] += x[0] * (A0 + B0)
    return W


class FourierLaplace(Compute):
    """Forward Filon transform ``f(omega) = int_0^inf exp(-i omega t) f(t) dt``.

    Parameters
    ----------
    t : array_like, shape (N,)
        Increasing time grid (any spacing, e.g. logarithmic).
    omega : array_like, shape (M,)
        Frequencies (>= 0).
    origin : {"constant", "none"}
        Treatment of ``[0, t_0]`` when ``t_0 > 0``.

    Examples
    --------
    >>> t = np.logspace(-6, 4, 4000)
    >>> fl = FourierLaplace(t, [0.1, 1.0]).compute(np.exp(-t))
    >>> fl.fhat                                   # ~ 1 / (1 + i omega)
    """

    compute_hint = "compute(f)"

    def __init__(self, t, omega, origin: str = "constant") -> None:
        self.t = _increasing(t, "t")
        self.omega = np.atleast_1d(np.asarray(omega, dtype=float))
        self.origin = origin
        self._weights: np.ndarray | None = None
        self._fhat: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        """Filon weight matrix, shape (M, N): ``fhat = weights @ f``."""
        if self._weights is None:
            self._weights = filon_weights(self.t, self.omega, -1, self.origin)
        return self._weights

    def compute(self, f) -> "FourierLaplace":
        """Transform samples ``f`` of shape (..., N) (batched over leading axes)."""
        f = np.asarray(f)
        if f.shape[-1] != self.t.size:
            raise ValueError(f"f has {f.shape[-1]} samples on its last axis, the grid has {self.t.size}")
        self._fhat = f @ self.weights.T
        return self

    @computed_property
    def fhat(self) -> np.ndarray:
        """Transform, shape (..., M), complex."""
        return self._fhat


class InverseFourierLaplace(Compute):
    """Inverse Filon transform ``f(t) = (1/pi) Re int_0^inf exp(i omega t) f(omega) d omega``.

    Valid for real ``f(t)`` (conjugate symmetry, eq. 2.34). The integral is
    truncated at the last frequency; the missing high-frequency tail shifts
    the short-time values (Granz 2026, §4.4.1), which is why the NNLT exists.

    Parameters
    ----------
    omega : array_like, shape (M,)
        Increasing frequency grid.
    t : array_like, shape (N,)
        Output times.
    origin : {"constant", "none"}
        Treatment of ``[0, omega_0]`` when ``omega_0 > 0``.
    """

    compute_hint = "compute(fhat)"

    def __init__(self, omega, t, origin: str = "constant") -> None:
        self.omega = _increasing(omega, "omega")
        self.t = np.atleast_1d(np.asarray(t, dtype=float))
        self.origin = origin
        self._weights: np.ndarray | None = None
        self._f: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        """Weight matrix, shape (N, M): ``f = Re(weights @ fhat) / pi``."""
        if self._weights is None:
            self._weights = filon_weights(self.omega, self.t, +1, self.origin)
        return self._weights

    def compute(self, fhat) -> "InverseFourierLaplace":
        """Invert samples ``fhat`` of shape (..., M) (complex)."""
        fhat = np.asarray(fhat, dtype=complex)
        if fhat.shape[-1] != self.omega.size:
            raise ValueError(f"fhat has {fhat.shape[-1]} samples on its last axis, "
                             f"the grid has {self.omega.size}")
        self._f = (fhat @ self.weights.T).real / np.pi
        return self

    @computed_property
    def f(self) -> np.ndarray:
        """Time-domain values, shape (..., N)."""
        return self._f


def fourier_laplace(t, f, omega, origin: str = "constant") -> np.ndarray:
    """Forward Filon transform of samples ``f`` on ``t`` at ``omega`` (shape (..., M))."""
    return FourierLaplace(t, omega, origin).compute(f).fhat


def inverse_fourier_laplace(omega, fhat, t, origin: str = "constant") -> np.ndarray:
    """Inverse Filon transform of ``fhat`` on ``omega`` at times ``t`` (shape (..., N))."""
    return InverseFourierLaplace(omega, t, origin).compute(fhat).f
