"""Classical inverse-Laplace baseline: non-negative least squares with
Tikhonov regularisation on a fixed log grid of relaxation times.

The data ``f(omega_m)`` are fitted by a spectrum of relaxation times::

    f(omega) ~ sum_k a_k / (i omega + 1/tau_k),   a_k >= 0

(eq. 4.41 with fixed ``tau_k``), by minimising::

    sum_m w_m^2 |model(omega_m) - f(omega_m)|^2 + alpha |L a|^2  [+ mu (sum_k a_k - f0)^2]

with ``scipy.optimize.nnls`` (``lsq_linear(method="bvls")`` if its active set
does not settle) on the stacked real system
``[w Re K; w Im K; sqrt(alpha) L; sqrt(mu) 1] a = [w Re f; w Im f; 0; sqrt(mu) f0]``.
``w_m = 1/|f(omega_m)|`` ("relative" weighting, every frequency counts
alike over many decades) or 1. ``L`` is the identity (ridge) or the second
difference along ``log tau`` (smooth spectra). The time-domain result is
``f(t) = sum_k a_k exp(-t/tau_k)``: non-negative amplitudes make it
completely monotone, the physical class of Brownian correlators (§4.2.2).
"""

from __future__ import annotations

import numpy as np

from .exponentials import ExponentialSum
from .._compute import Compute, computed_property


class NNLSInversion(Compute):
    """Tikhonov-regularised NNLS fit of a relaxation-time spectrum.

    Parameters
    ----------
    tau : array_like, optional
        Fixed relaxation-time grid (default: ``n_tau`` log points in ``tau_range``).
    n_tau : int
        Number of relaxation times when ``tau`` is not given.
    tau_range : (float, float)
        Range of the default grid.
    alpha : float
        Tikhonov weight (>= 0).
    regularization : {"identity", "second_difference"}
        Operator ``L``.
    weighting : {"relative", "none"}
        Row weights ``1/|f(omega)|`` or 1.
    f0 : float, optional
        If given, add the soft constraint ``sum_k a_k = f0`` (e.g. 1 for
        normalised correlators: the initial value the NNLT builds in).
    f0_weight : float
        Weight ``mu`` of that constraint.
    """

    compute_hint = "compute(omega, fhat)"

    def __init__(self, tau=None, n_tau: int = 161, tau_range: tuple[float, float] = (1e-7, 1e11),
                 alpha: float = 1e-6, regularization: str = "identity", weighting: str = "relative",
                 f0: float | None = None, f0_weight: float = 1e4) -> None:
        if tau is None:
            tau = np.logspace(np.log10(tau_range[0]), np.log10(tau_range[1]), int(n_tau))
        self.tau = np.asarray(tau, dtype=float)
        if self.tau.ndim != 1 or np.any(self.tau <= 0):
            raise ValueError("tau must be a 1-D grid of positive relaxation times")
        if alpha < 0:
            raise ValueError("alpha must be >= 0")
        if regularization not in ("identity", "second_difference"):
            raise ValueError(f"regularization must be 'identity' or 'second_difference', got {regularization!r}")
        if weighting not in ("relative", "none"):
            raise ValueError(f"weighting must be 'relative' or 'none', got {weighting!r}")
        self.alpha = float(alpha)
        self.regularization = regularization
        self.weighting = weighting
        self.f0 = f0
        self.f0_weight = float(f0_weight)
        self._a: np.ndarray | None = None
        self._omega: np.ndarray | None = None
        self._residual: np.ndarray | None = None

    def kernel(self, omega) -> np.ndarray:
        """``K[m, k] = 1/(i omega_m + 1/tau_k)``, shape (M, K)."""
        x = np.asarray(omega, dtype=float)[:, None] * self.tau[None, :]
        return self.tau[None, :] * (1.0 - 1j * x) / (1.0 + x * x)

    def system(self, omega, fhat) -> tuple[np.ndarray, np.ndarray]:
        """The stacked real least-squares system ``(A, b)`` for one function."""
        omega = np.asarray(omega, dtype=float)
        fhat = np.asarray(fhat, dtype=complex)
        K = self.kernel(omega)
        w = 1.0 / np.maximum(np.abs(fhat), 1e-300) if self.weighting == "relative" else np.ones(omega.size)
        n = self.tau.size
        L = np.eye(n) if self.regularization == "identity" else np.diff(np.eye(n), 2, axis=0)
        blocks = [w[:, None] * K.real, w[:, None] * K.imag, np.sqrt(self.alpha) * L]
        rhs = [w * fhat.real, w * fhat.imag, np.zeros(L.shape[0])]
        if self.f0 is not None:
            blocks.append(np.sqrt(self.f0_weight) * np.ones((1, n)))
            rhs.append(np.array([np.sqrt(self.f0_weight) * self.f0]))
        return np.vstack(blocks), np.concatenate(rhs)

    def compute(self, omega, fhat) -> "NNLSInversion":
        """Fit ``fhat`` (shape (..., M), complex) given on ``omega`` (shape (M,))."""
        from scipy.optimize import lsq_linear, nnls

        omega = np.asarray(omega, dtype=float)
        fhat = np.asarray(fhat, dtype=complex)
        if fhat.shape[-1] != omega.size:
            raise ValueError("fhat and omega differ in length")
        flat = fhat.reshape(-1, omega.size)
        a = np.empty((flat.shape[0], self.tau.size))
        res = np.empty(flat.shape[0])
        for i, row in enumerate(flat):
            A, b = self.system(omega, row)
            try:
                a[i], res[i] = nnls(A, b, maxiter=50 * self.tau.size)
            except RuntimeError:  # NNLS active set did not settle: bounded-variable LS instead
                sol = lsq_linear(A, b, bounds=(0, np.inf), method="bvls", tol=1e-12, max_iter=10000)
                a[i], res[i] = sol.x, np.linalg.norm(A @ sol.x - b)
        self._a = a.reshape(fhat.shape[:-1] + (self.tau.size,))
        self._residual = res.reshape(fhat.shape[:-1])
        self._omega = omega
        return self

    @computed_property
    def amplitudes(self) -> np.ndarray:
        """Fitted ``a_k >= 0``, shape (..., K)."""
        return self._a

    @computed_property
    def residual(self) -> np.ndarray:
        """Euclidean norm of the stacked residual (including the regularisation)."""
        return self._residual

    @property
    def spectrum(self) -> ExponentialSum:
        """The fitted exponential sum."""
        return ExponentialSum(self.amplitudes, np.broadcast_to(self.tau, self.amplitudes.shape))

    def f(self, t) -> np.ndarray:
        """Time-domain result ``sum_k a_k exp(-t/tau_k)``, shape (..., len(t))."""
        return self.spectrum.f(t)

    def fhat(self, omega=None) -> np.ndarray:
        """Fitted transform on ``omega`` (default: the fitted frequencies)."""
        return self.spectrum.fhat(self._omega if omega is None else omega)


def nnls_invert(omega, fhat, t, **kwargs) -> np.ndarray:
    """``f(t)`` from ``fhat`` on ``omega`` by :class:`NNLSInversion` (keyword arguments passed on)."""
    return NNLSInversion(**kwargs).compute(omega, fhat).f(t)
