"""Estimators of the kernel's initial value ``m0 = m(q, t=0)`` (Granz 2026, §4.3).

The inversions work on the normalised kernel ``m(omega)/m0`` (the NNLT's
output lies in [0, 1]); a wrong ``m0`` rescales the kernel and, through the
scaling property of the Laplace transform (eqs. 4.50/4.51), also shifts its
time scale. Four estimators:

- :func:`m0_asymptotic`, eq. 4.52: ``m0 = lim_{omega->inf} i omega m(omega)``.
  Since ``m(omega) = m0/(i omega) - m'(0)/(i omega)^2 + ...``, the real part
  ``Re(i omega m) = -omega Im m`` approaches ``m0`` with a ``1/omega^2``
  correction; the last two kept frequencies are extrapolated linearly in
  ``1/omega^2`` (Richardson). Needs the asymptotic regime inside the kept
  spectrum; the thesis finds it 3-4x too small for hard disks truncated at
  ``omega = 1e2``.
- :func:`m0_kramers_kronig`, eq. 4.53: ``m0 = (2/pi) int_0^inf Re m(omega) d omega``
  (``Re m`` is the cosine transform of ``m``, and its integral is ``(pi/2) m(0)``).
  Trapezoid rule on the (log) grid, plus the tail ``omega_max Re m(omega_max)``
  of a ``1/omega^2`` decay beyond the last kept frequency.
- :class:`IterativeM0`, §4.3.2: ``m0`` as a variational parameter: each trial
  inverts ``m(omega)/m0``, solves the time-domain equation with the
  de-normalised kernel and measures the RMSE against the input SISF; a log-spaced
  scan around a first guess, then a bounded Brent minimisation around the best
  scan point.
- :class:`ScalingM0`, eqs. 4.55/4.56: ``m0(q) = a/q^2 (1 + b q)`` with ``a > 0``
  and ``b`` of free sign (the two equations of the thesis disagree on it),
  fitted by minimising the mean reconstruction RMSE over all q at one packing
  fraction.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def m0_asymptotic(omega, mhat, keep: int | None = None) -> float:
    """Eq. 4.52 from the last two kept frequencies (see module docstring)."""
    omega = np.asarray(omega, dtype=float)
    mhat = np.asarray(mhat, dtype=complex)
    n = omega.size if keep is None else int(keep)
    if n < 2:
        raise ValueError("the asymptotic m0 needs at least two kept frequencies")
    w1, w2 = omega[n - 2], omega[n - 1]
    y1, y2 = -w1 * mhat[n - 2].imag, -w2 * mhat[n - 1].imag
    return float((w2**2 * y2 - w1**2 * y1) / (w2**2 - w1**2))


def m0_kramers_kronig(omega, mhat, keep: int | None = None) -> float:
    """Eq. 4.53 on the kept frequencies plus a ``1/omega^2`` tail (module docstring)."""
    omega = np.asarray(omega, dtype=float)
    re = np.asarray(mhat, dtype=complex).real
    n = omega.size if keep is None else int(keep)
    if n < 2:
        raise ValueError("the Kramers-Kronig m0 needs at least two kept frequencies")
    w, r = omega[:n], re[:n]
    integral = float(np.sum(0.5 * (r[1:] + r[:-1]) * np.diff(w))) + w[0] * r[0] + w[-1] * r[-1]
    return 2.0 / np.pi * integral


class IterativeM0:
    """Minimise the reconstruction error over trial ``m0`` (§4.3.2).

    Parameters
    ----------
    error : callable
        ``error(m0) -> float``: invert with this ``m0``, solve the time-domain
        equation, return the RMSE against the input (``inf`` if it fails).
    span : float
        The scan covers ``[guess/span, guess*span]`` (log-spaced).
    n_scan : int
        Number of scan points.
    refine : int
        Maximum number of Brent evaluations after the scan (0: scan only).
    progress : bool
        tqdm bar over the trials.
    """

    def __init__(self, error: Callable[[float], float], span: float = 8.0, n_scan: int = 13,
                 refine: int = 8, progress: bool = False, desc: str = "trial m0") -> None:
        if span <= 1 or n_scan < 3:
            raise ValueError("need span > 1 and n_scan >= 3")
        self.error = error
        self.span, self.n_scan, self.refine = float(span), int(n_scan), int(refine)
        self.progress, self.desc = bool(progress), desc
        self.trials: list[tuple[float, float]] = []
        self._best: tuple[float, float] | None = None

    def _eval(self, m0: float, bar) -> float:
        try:
            e = float(self.error(m0))
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            e = np.inf
        if not np.isfinite(e):
            e = np.inf
        self.trials.append((float(m0), e))
        if bar is not None:
            bar.update(1)
        return e

    def compute(self, guess: float) -> "IterativeM0":
        """Scan around ``guess`` (> 0) and refine."""
        from scipy.optimize import minimize_scalar
        from tqdm.auto import tqdm

        if not (np.isfinite(guess) and guess > 0):
            raise ValueError(f"the first guess of m0 must be > 0, got {guess}")
        self.trials = []
        grid = guess * np.logspace(-np.log10(self.span), np.log10(self.span), self.n_scan)
        bar = tqdm(total=self.n_scan + self.refine, desc=self.desc, leave=False) if self.progress else None
        try:
            errs = np.array([self._eval(m, bar) for m in grid])
            if not np.any(np.isfinite(errs)):
                raise ValueError("no trial m0 gave a usable kernel (every reconstruction failed)")
            k = int(np.argmin(errs))
            if self.refine > 0:
                lo = np.log(grid[max(k - 1, 0)])
                hi = np.log(grid[min(k + 1, grid.size - 1)])
                minimize_scalar(lambda x: self._eval(float(np.exp(x)), bar), bounds=(lo, hi), method="bounded",
                                options={"maxiter": self.refine, "xatol": 1e-3})
        finally:
            if bar is not None:
                bar.close()
        m, e = min(self.trials, key=lambda p: p[1])
        self._best = (m, e)
        return self

    @property
    def m0(self) -> float:
        """The trial ``m0`` with the smallest error."""
        if self._best is None:
            raise RuntimeError("IterativeM0: call compute(guess) first")
        return self._best[0]

    @property
    def rmse(self) -> float:
        """Its error."""
        if self._best is None:
            raise RuntimeError("IterativeM0: call compute(guess) first")
        return self._best[1]


def scaling_m0(q, a: float, b: float) -> np.ndarray:
    """``m0(q) = a/q^2 (1 + b q)`` (eq. 4.56; eq. 4.55 is ``b -> -b``)."""
    q = np.asarray(q, dtype=float)
    return a / q**2 * (1.0 + b * q)


class ScalingM0:
    """Fit ``m0(q) = a/q^2 (1 + b q)`` by the mean reconstruction error over q.

    Parameters
    ----------
    q : array_like
        Wave numbers (> 0).
    error : callable
        ``error(i, m0) -> float``: reconstruction RMSE of wave number ``q[i]``
        with initial value ``m0``.
    max_evals : int
        Budget of Nelder-Mead evaluations (each costs one error per q).
    """

    def __init__(self, q, error: Callable[[int, float], float], max_evals: int = 40) -> None:
        self.q = np.asarray(q, dtype=float)
        if self.q.ndim != 1 or self.q.size < 2 or np.any(self.q <= 0):
            raise ValueError("the q-scaling fit needs at least two wave numbers > 0")
        self.error = error
        self.max_evals = int(max_evals)
        self._res: dict | None = None

    def mean_error(self, alpha: float, beta: float) -> float:
        """Mean reconstruction error over q for ``q^2 m0 = alpha + beta q`` (``a = alpha``,
        ``b = beta/alpha``); infinite where any ``m0(q)`` is not positive.
        """
        m0 = (alpha + beta * self.q) / self.q**2
        if np.any(m0 <= 0):
            return np.inf
        errs = []
        for i, m in enumerate(m0):
            try:
                errs.append(float(self.error(i, float(m))))
            except (ValueError, FloatingPointError, np.linalg.LinAlgError):
                return np.inf
        return float(np.mean(errs))

    def compute(self, m0_individual) -> "ScalingM0":
        """Start from a least-squares fit to individually optimised ``m0(q)`` and minimise.

        The fit runs in ``(alpha, beta) = (a, a b)``, in which ``q^2 m0`` is linear: the
        family then includes ``m0 = c/q`` (``a -> 0``) and ``a < 0`` with ``1 + b q < 0`` on
        the whole q range, which a fit in ``(log a, b)`` can only approach with ``b -> inf``.
        """
        from scipy.optimize import minimize

        m0i = np.asarray(m0_individual, dtype=float)
        if m0i.shape != self.q.shape or np.any(~np.isfinite(m0i)) or np.any(m0i <= 0):
            raise ValueError("m0_individual must hold one positive value per q")
        # q^2 m0 = alpha + beta q: linear least squares with relative weights
        y = self.q**2 * m0i
        design = np.stack([np.ones_like(self.q), self.q], axis=1) / y[:, None]
        start, *_ = np.linalg.lstsq(design, np.ones_like(y), rcond=None)
        if np.any(start[0] + start[1] * self.q <= 0):
            start = np.array([0.0, float(np.mean(y / self.q))])    # m0 = c/q: positive everywhere
        # Nelder-Mead in units of the data: alpha/ybar, beta qbar/ybar, simplex steps of 10 %
        ybar, qbar = float(np.mean(y)), float(np.mean(self.q))
        scale = np.array([ybar, ybar / qbar])
        p0 = start / scale
        simplex = np.array([p0, p0 + [0.1, 0.0], p0 + [0.0, 0.1]])
        res = minimize(lambda p: self.mean_error(*(p * scale)), x0=p0, method="Nelder-Mead",
                       options={"maxfev": self.max_evals, "xatol": 1e-4, "fatol": 1e-7,
                                "initial_simplex": simplex})
        alpha, beta = (float(v) for v in res.x * scale)
        self._res = {"a": alpha, "b": beta / alpha if alpha != 0.0 else float(np.copysign(np.inf, beta)),
                     "alpha": alpha, "beta": beta, "a_start": float(start[0]),
                     "b_start": float(start[1] / start[0]) if start[0] != 0.0 else float("inf"),
                     "mean_rmse": float(res.fun)}
        return self

    @property
    def result(self) -> dict:
        """``a``, ``b``, their starting values and the mean RMSE."""
        if self._res is None:
            raise RuntimeError("ScalingM0: call compute(m0_individual) first")
        return self._res

    def m0(self, q=None) -> np.ndarray:
        """Fitted ``m0`` at ``q`` (default: the fitted wave numbers)."""
        r = self.result
        qq = np.asarray(self.q if q is None else q, dtype=float)
        return (r["alpha"] + r["beta"] * qq) / qq**2
