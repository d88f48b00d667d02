"""Exponential-sum tails for an inverse Laplace transform (the NNLT's weak part).

The network's tails are where it is least accurate: between f = 1e-6 and
1e-12 its ln f is off by a few tenths up to about 3, which is almost all of
its logMSE (doc/nnlt.md). The data-consistency refinement
(:mod:`slowdyn.analysis.laplace.refine`) keeps those tails, because it pulls
towards ln f of the network. Clean float64 transforms of completely
monotone functions do hold the tails, and a Tikhonov NNLS fit
(:class:`~slowdyn.analysis.laplace.nnls.NNLSInversion`) with a fine
relaxation-time grid and weak regularisation recovers them for most
functions. On any one grid, though, a few functions get a spurious slow
component at the 1e-11 level, which dominates the mean logMSE. Two measures
make the fit robust:

* the grid ends at ``cap`` times the local relaxation time of the prior (the
  network output) where the prior falls below ``level``: the network knows
  roughly where the tail ends, and the spurious components lie beyond;
* the fit is made on several grids, and their pointwise minimum is taken:
  a spurious component only adds.

The prior is kept where it is above ``switch[1]``. Below ``switch[0]`` the
NNLS tail is used, and in between the two are blended linearly in ln f.
The defaults (three grids, cap 3, alpha = 1e-14: regularisation far weaker
than a noisy input would need, which clean float64 transforms allow) were
chosen on 100 held-out pairs of another seed than the validation's
(doc/nnlt.md: "NNLS tails").

Why not NNLS alone: on clean exponential sums it is more accurate than the
network everywhere, but not on the F2 correlators near the glass transition
or on noisy inputs (doc/nnlt.md), where the network and its refinement are
better above ``switch[1]``.
"""

from __future__ import annotations

import numpy as np

from .nnls import NNLSInversion
from .._compute import Compute, computed_property


def local_relaxation_time(t, f, level: float = 1e-8) -> np.ndarray:
    """``-1 / (d ln f / dt)`` where ``f`` (..., N) first falls below ``level``.

    If ``f`` never falls below ``level``, it is taken over the last interval.
    If ``f`` does not decrease there, the result is ``inf``.
    """
    t = np.asarray(t, dtype=float)
    lf = np.log(np.maximum(np.asarray(f, dtype=float), 1e-300)).reshape(-1, t.size)
    below = lf < np.log(level)
    j = np.where(below.any(axis=1), np.argmax(below, axis=1), t.size - 1)
    j = np.maximum(j, 1)
    rows = np.arange(lf.shape[0])
    drop = lf[rows, j - 1] - lf[rows, j]
    with np.errstate(divide="ignore"):
        tau = np.where(drop > 0, (t[j] - t[j - 1]) / np.where(drop > 0, drop, 1.0), np.inf)
    return tau.reshape(np.shape(f)[:-1])


class SpectralTails(Compute):
    """Replace the small values of an inversion by capped NNLS tails (see module docstring).

    Parameters
    ----------
    n_tau : sequence of int
        Sizes of the log relaxation-time grids on ``tau_range``; one NNLS fit each.
    tau_range : (float, float)
        Range of the grids before the cap.
    alpha : float
        Tikhonov weight of each fit (identity regularisation, relative weighting).
    cap : float
        The grids end at ``cap`` times the prior's local relaxation time at ``level``.
    level : float
        Where that relaxation time is read off the prior.
    switch : (float, float)
        Below ``switch[0]`` the NNLS tail, above ``switch[1]`` the prior, a blend in ln f between.
    f0 : float
        Soft constraint ``f(0) = f0`` of the fits.
    """

    compute_hint = "compute(omega, fhat, t, prior)"

    def __init__(self, n_tau=(641, 961, 1281), tau_range: tuple[float, float] = (1e-7, 1e11),
                 alpha: float = 1e-14, cap: float = 3.0, level: float = 1e-8,
                 switch: tuple[float, float] = (1e-3, 0.1), f0: float = 1.0) -> None:
        self.n_tau = tuple(int(n) for n in np.atleast_1d(n_tau))
        if not self.n_tau or min(self.n_tau) < 2:
            raise ValueError(f"n_tau must list grid sizes >= 2, got {n_tau}")
        if not 0 < tau_range[0] < tau_range[1]:
            raise ValueError(f"tau_range must be 0 < lo < hi, got {tau_range}")
        if alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {alpha}")
        if cap <= 1:
            raise ValueError(f"cap must be > 1 (a multiple of the prior's tail time), got {cap}")
        if not 0 < level < 1:
            raise ValueError(f"level must lie in (0, 1), got {level}")
        if not 0 < switch[0] < switch[1] <= 1:
            raise ValueError(f"switch must be 0 < lo < hi <= 1, got {switch}")
        self.tau_range = (float(tau_range[0]), float(tau_range[1]))
        self.alpha, self.cap, self.level = float(alpha), float(cap), float(level)
        self.switch = (float(switch[0]), float(switch[1]))
        self.f0 = float(f0)
        self._f: np.ndarray | None = None
        self._tail: np.ndarray | None = None

    def grids(self, tau_tail: float) -> list[np.ndarray]:
        """The capped relaxation-time grids for a prior whose tail time is ``tau_tail``
        (each keeps at least its two shortest times).
        """
        out = []
        for n in self.n_tau:
            tau = np.logspace(np.log10(self.tau_range[0]), np.log10(self.tau_range[1]), n)
            keep = tau <= self.cap * tau_tail
            keep[:2] = True
            out.append(tau[keep])
        return out

    def compute(self, omega, fhat, t, prior) -> "SpectralTails":
        """Tails for ``fhat`` (..., M) on ``omega`` and ``prior`` (..., N) on ``t``."""
        omega = np.asarray(omega, dtype=float)
        t = np.asarray(t, dtype=float)
        fhat = np.asarray(fhat, dtype=complex)
        prior = np.asarray(prior, dtype=float)
        if fhat.shape[-1] != omega.size:
            raise ValueError(f"fhat has {fhat.shape[-1]} frequencies, omega {omega.size}")
        if prior.shape[-1] != t.size:
            raise ValueError(f"prior has {prior.shape[-1]} times, t {t.size}")
        if fhat.shape[:-1] != prior.shape[:-1]:
            raise ValueError(f"fhat {fhat.shape} and prior {prior.shape} hold different numbers of functions")
        flat_fhat = fhat.reshape(-1, omega.size)
        flat_prior = prior.reshape(-1, t.size)
        tau_tail = local_relaxation_time(t, flat_prior, self.level).reshape(-1)
        tail = np.empty_like(flat_prior)
        for i, row in enumerate(flat_fhat):
            fits = [NNLSInversion(tau=tau, alpha=self.alpha, f0=self.f0).compute(omega, row).f(t)
                    for tau in self.grids(tau_tail[i])]
            tail[i] = np.min(fits, axis=0)
        self._tail = tail.reshape(prior.shape)
        self._f = self.blend(prior, self._tail)
        return self

    def blend(self, prior: np.ndarray, tail: np.ndarray) -> np.ndarray:
        """``prior`` above ``switch[1]``, ``tail`` below ``switch[0]``, linear in ln f between."""
        lo, hi = np.log(self.switch[0]), np.log(self.switch[1])
        lp = np.log(np.maximum(prior, 1e-300))
        w = np.clip((lp - lo) / (hi - lo), 0.0, 1.0)
        mixed = np.exp(w * lp + (1.0 - w) * np.log(np.maximum(tail, 1e-300)))
        return np.where(w >= 1.0, prior, np.where(w <= 0.0, tail, mixed))   # exact outside the blend

    @computed_property
    def f(self) -> np.ndarray:
        """The blended result on ``t``."""
        return self._f

    @computed_property
    def tail(self) -> np.ndarray:
        """The NNLS tail alone (pointwise minimum over the grids) on ``t``."""
        return self._tail
