"""Data-consistency refinement of an inverse Laplace transform.

An inversion ``f0(t)`` (the NNLT output) is corrected so that its forward
transform reproduces the data ``fhat(omega)`` it came from, while staying
close to ``f0`` where the data carry no information::

    min_u  sum_m |(K exp(u))_m / fhat_m - 1|^2  +  sum_j lam_j (u_j - ln f0_j)^2,   u <= 0,
    lam_j = lam (1 + (t_min / t_j)^2),   t_min = 1 / omega_max

with ``f = exp(u)`` on the time grid (positive, at most 1: a normalised
correlator). ``K`` is the forward Fourier-Laplace operator on the time
grid: the samples are interpolated by a natural cubic spline in ``ln t``
onto a grid ``subdivide`` times finer, which is integrated with the Filon
weights of :mod:`slowdyn.analysis.laplace.filon`. On the 31-points-per-decade NNLT
grid the plain piecewise-linear Filon sum is only accurate to ~1e-3
(relative; the median over 50 held-out exponential sums is 6.5e-4); with
``subdivide = 16`` it is 3e-6, so the fit is not pulled by discretisation
error. The misfit is relative (every frequency counts alike over the 14
decades), and the penalty is on ``ln f``: a tail at 1e-8 keeps the
network's relative accuracy instead of being set to zero.

The network's inverse is smooth but its errors near a plateau are a few
1e-2 (Granz 2026, §4.2.5 and our validations); those errors change the
transform at the 1e-2 level and are removed by the fit. Times shorter than
``1/omega_max`` are barely seen by the data (there ``fhat`` fixes only the
integral and the first moments of the decay), so the pull towards the
network grows as ``(t_min/t)^2`` there: without it, a decay faster than
``t_min`` was reshaped to fix its integral, and a single exponential with
tau = 1e-3 came out with 1.9x the network's max error (doc/nnlt.md). This is
Tikhonov regularisation with the NNLT as the prior instead of zero.

The problem is solved by damped Gauss-Newton steps (Levenberg-Marquardt)
on the normal equations ``(diag(f) G diag(f) + diag(lam_j)) du = -grad``
with ``G = K_w^T K_w`` formed once per function: Cholesky of an N x N
matrix per step, a few steps. ``scipy.optimize.least_squares`` (method
"trf") reaches the same minimum but took about 2 s per function on the
500-point grid (a dense SVD of the 1500 x 500 Jacobian per iteration)
against 0.1 s here, and its SVD did not converge for one of 50 held-out
functions.
"""

from __future__ import annotations

import numpy as np

from .filon import FourierLaplace
from .._compute import Compute, computed_property

# default pull towards the network output (chosen on the near-critical F12
# correlators and single exponentials, doc/nnlt.md)
DEFAULT_LAM = 1e-2


def forward_operator(t, omega, subdivide: int = 16) -> np.ndarray:
    """Fourier-Laplace operator ``K`` (shape (M, N), complex) with ``fhat = K @ f(t)``.

    ``f`` is interpolated by a natural cubic spline in ``ln t`` onto a grid
    ``subdivide`` times finer and transformed with Filon weights
    (``f = f(t_0)`` on ``[0, t_0]``, zero beyond ``t_N``). ``subdivide = 1``
    is the plain piecewise-linear Filon sum.
    """
    from scipy.interpolate import CubicSpline

    t = np.asarray(t, dtype=float)
    if t.ndim != 1 or t.size < 3 or t[0] <= 0 or np.any(np.diff(t) <= 0):
        raise ValueError("t must be a positive, strictly increasing grid of at least 3 points")
    subdivide = int(subdivide)
    if subdivide < 1:
        raise ValueError(f"subdivide must be >= 1, got {subdivide}")
    lt = np.log(t)
    fine = np.concatenate([np.linspace(lt[i], lt[i + 1], subdivide, endpoint=False)
                           for i in range(lt.size - 1)] + [lt[-1:]])
    spline = CubicSpline(lt, np.eye(lt.size), bc_type="natural")(fine)   # (N_fine, N)
    return FourierLaplace(np.exp(fine), omega).weights @ spline


class ConsistencyRefinement(Compute):
    """Correct an inversion ``f0`` so that its transform matches ``fhat`` (see module docstring).

    Parameters
    ----------
    t, omega : array_like
        Time grid of ``f0`` and frequency grid of ``fhat`` (the NNLT grids).
    lam : float
        Weight of the pull towards ``ln f0`` (> 0). Larger: closer to
        ``f0``; smaller: closer to the data, and less stable against noise.
        The default :data:`DEFAULT_LAM` = 1e-2 was chosen on the
        near-critical correlators and single exponentials (doc/nnlt.md).
    t_min : float, optional
        Below this time the pull grows as ``(t_min/t)^2`` (default
        ``1/max(omega)``, the shortest time the data resolve).
    subdivide : int
        Refinement of the time grid in :func:`forward_operator`.
    max_iter : int
        Gauss-Newton steps at most.
    rtol : float
        Stop when a step lowers the objective by less than this fraction.
    operator : numpy.ndarray, optional
        A :func:`forward_operator` of these grids built before (it takes
        about a second); not checked beyond its shape.

    Examples
    --------
    >>> nnlt = pretrained()
    >>> f0 = nnlt(fhat)
    >>> f = ConsistencyRefinement(nnlt.t, nnlt.omega).compute(fhat, f0).f
    """

    compute_hint = "compute(fhat, f0)"

    tiny = 1e-30   # floor of f0 before the logarithm: smaller values come back as 1e-30

    def __init__(self, t, omega, lam: float = DEFAULT_LAM, subdivide: int = 16, max_iter: int = 50,
                 rtol: float = 1e-10, operator: np.ndarray | None = None, t_min: float | None = None) -> None:
        if not lam > 0:
            raise ValueError(f"lam must be > 0, got {lam}")
        if t_min is not None and not t_min >= 0:
            raise ValueError(f"t_min must be >= 0, got {t_min}")
        if max_iter < 1:
            raise ValueError(f"max_iter must be >= 1, got {max_iter}")
        self.t = np.asarray(t, dtype=float)
        self.omega = np.asarray(omega, dtype=float)
        self.lam = float(lam)
        self.t_min = 1.0 / float(np.max(self.omega)) if t_min is None else float(t_min)
        self.subdivide = int(subdivide)
        self.max_iter = int(max_iter)
        self.rtol = float(rtol)
        if operator is not None and np.shape(operator) != (self.omega.size, self.t.size):
            raise ValueError(f"operator has shape {np.shape(operator)}, the grids need "
                             f"({self.omega.size}, {self.t.size})")
        self._K = operator
        self._f: np.ndarray | None = None
        self._misfit: np.ndarray | None = None
        self._misfit0: np.ndarray | None = None
        self._iters: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        """Pull ``lam_j = lam (1 + (t_min/t_j)^2)`` towards ``ln f0`` at each time."""
        return self.lam * (1.0 + (self.t_min / self.t) ** 2)

    @property
    def operator(self) -> np.ndarray:
        """The forward operator ``K`` (shape (M, N), complex), built once."""
        if self._K is None:
            self._K = forward_operator(self.t, self.omega, self.subdivide)
        return self._K

    def compute(self, fhat, f0) -> "ConsistencyRefinement":
        """Refine ``f0`` (shape (..., N)) against ``fhat`` (shape (..., M), complex)."""
        fhat = np.asarray(fhat, dtype=complex)
        f0 = np.asarray(f0, dtype=float)
        if fhat.shape[-1] != self.omega.size or f0.shape[-1] != self.t.size:
            raise ValueError(f"fhat must have {self.omega.size} frequencies and f0 {self.t.size} times, "
                             f"got {fhat.shape[-1]} and {f0.shape[-1]}")
        if fhat.shape[:-1] != f0.shape[:-1]:
            raise ValueError(f"fhat and f0 hold different numbers of functions: {fhat.shape[:-1]} "
                             f"and {f0.shape[:-1]}")
        if np.any(np.abs(fhat) == 0) or not np.all(np.isfinite(fhat)):
            raise ValueError("fhat must be finite and non-zero (the misfit is relative)")
        K = np.vstack([self.operator.real, self.operator.imag])
        flat_h = fhat.reshape(-1, self.omega.size)
        flat_f = f0.reshape(-1, self.t.size)
        out = np.empty_like(flat_f)
        misfit, misfit0, iters = (np.empty(flat_f.shape[0]) for _ in range(3))
        for i, (h, y0) in enumerate(zip(flat_h, flat_f)):
            w = np.tile(1.0 / np.abs(h), 2)
            Kw = w[:, None] * K
            b = w * np.concatenate([h.real, h.imag])
            out[i], iters[i] = self._solve(Kw, b, y0)
            misfit0[i] = self._rms(Kw, b, np.clip(y0, 0.0, 1.0))
            misfit[i] = self._rms(Kw, b, out[i])
        shape = fhat.shape[:-1]
        self._f = out.reshape(f0.shape)
        self._misfit, self._misfit0, self._iters = misfit.reshape(shape), misfit0.reshape(shape), iters.reshape(shape)
        return self

    @staticmethod
    def _rms(Kw, b, y) -> float:
        r = Kw @ y - b   # real and imaginary parts of K f / fhat - 1
        return float(np.sqrt(2.0 * np.mean(r * r)))

    def _solve(self, Kw: np.ndarray, b: np.ndarray, y0: np.ndarray) -> tuple[np.ndarray, int]:
        from scipy.linalg import LinAlgError, cho_factor, cho_solve

        G, c = Kw.T @ Kw, Kw.T @ b
        u0 = np.log(np.clip(y0, self.tiny, 1.0))
        lam = self.weights
        diag = np.diag_indices(u0.size)

        def objective(u):
            r = Kw @ np.exp(u) - b
            return r @ r + np.sum(lam * (u - u0) ** 2)

        u, cost, mu = u0, objective(u0), 0.0
        for it in range(1, self.max_iter + 1):
            y = np.exp(u)
            grad = y * (G @ y - c) + lam * (u - u0)
            H = y[:, None] * G * y[None, :]
            H[diag] += lam
            while True:   # Levenberg-Marquardt damping until the step lowers the objective
                Hm = H.copy()
                Hm[diag] *= 1.0 + mu
                try:
                    step = cho_solve(cho_factor(Hm), -grad)
                except LinAlgError:
                    step = None
                if step is not None:
                    u_new = np.minimum(u + step, 0.0)
                    cost_new = objective(u_new)
                    if cost_new <= cost:
                        break
                mu = max(10.0 * mu, 1e-3)
                if mu > 1e8:   # no descent left: converged to working precision
                    return np.exp(u), it
            done = cost - cost_new <= self.rtol * cost
            u, cost = u_new, cost_new
            mu = 0.1 * mu if mu > 1e-6 else 0.0
            if done:
                return np.exp(u), it
        return np.exp(u), self.max_iter

    @computed_property
    def f(self) -> np.ndarray:
        """Refined ``f`` on :attr:`t`, shape (..., N)."""
        return self._f

    @computed_property
    def misfit(self) -> np.ndarray:
        """RMS relative misfit ``|K f / fhat - 1|`` of the refined ``f`` (per function)."""
        return self._misfit

    @computed_property
    def misfit_initial(self) -> np.ndarray:
        """The same for ``f0`` (clipped to [0, 1])."""
        return self._misfit0

    @computed_property
    def iterations(self) -> np.ndarray:
        """Gauss-Newton steps taken (per function)."""
        return self._iters


def refine(t, omega, fhat, f0, **kwargs) -> np.ndarray:
    """``f`` from :class:`ConsistencyRefinement` (keyword arguments passed on)."""
    return ConsistencyRefinement(t, omega, **kwargs).compute(fhat, f0).f
