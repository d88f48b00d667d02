"""Truncate a noisy correlator and continue it with a fitted exponential
(Granz 2026, §4.2.5), before a Filon transform.

Noise of order 1e-3 in the long-time tail of a simulated correlator spoils
its Fourier-Laplace transform. As in the thesis, the data are cut where they
first fall below ``threshold`` (1e-3); ``A(t) = a exp(-t/b)`` is fitted to
the last points before the cut, and the tail is continued with ``A`` on the
grid's own (logarithmic) spacing down to ``floor`` (1e-6).

The number of fitted points is chosen adaptively: windows of ``n_min``,
``2 n_min``, ... up to ``n_max`` points before the cut are fitted (least
squares in f, through a log-linear fit weighted by f); the smallest RMS
residual estimates the noise, and the widest window whose residual stays
within ``(1 + rtol)`` times that estimate is used.
"""

from __future__ import annotations

import numpy as np
from .._compute import Compute, computed_property


class TailExtrapolation(Compute):
    """Cut below ``threshold`` and continue with a fitted exponential.

    Parameters
    ----------
    threshold : float
        Data from the first point below this value on are dropped.
    floor : float
        The fitted exponential is continued until it falls below this.
    n_min, n_max : int
        Smallest and largest number of points fitted.
    rtol : float
        Accepted excess of a window's RMS residual over the smallest one.
    max_points : int
        Safety cap on the number of points appended.
    """

    compute_hint = "compute(t, f)"

    def __init__(self, threshold: float = 1e-3, floor: float = 1e-6, n_min: int = 4, n_max: int = 64,
                 rtol: float = 0.5, max_points: int = 100000) -> None:
        if not 0 < floor < threshold:
            raise ValueError("need 0 < floor < threshold")
        if n_min < 2 or n_max < n_min:
            raise ValueError("need 2 <= n_min <= n_max")
        self.threshold = float(threshold)
        self.floor = float(floor)
        self.n_min, self.n_max = int(n_min), int(n_max)
        self.rtol = float(rtol)
        self.max_points = int(max_points)
        self._t = self._f = None
        self._fit: tuple[float, float, int] | None = None

    def compute(self, t, f) -> "TailExtrapolation":
        """Process one correlator ``f`` sampled on the increasing grid ``t``."""
        t = np.asarray(t, dtype=float)
        f = np.asarray(f, dtype=float)
        if t.ndim != 1 or t.shape != f.shape or np.any(np.diff(t) <= 0):
            raise ValueError("t must be increasing and f of the same length")
        below = np.nonzero(f < self.threshold)[0]
        if not below.size:
            raise ValueError(f"the correlator ends at {f[-1]:.3g} (t = {t[-1]:.3g}) and never falls below the "
                             f"cut {self.threshold:g}; measure longer (more steps) so that the decay is inside "
                             "the data, or raise the threshold")
        cut = below[0]
        if cut < self.n_min:
            raise ValueError(f"only {cut} points before f < {self.threshold}: nothing to fit")
        fits = []  # (a, b, n, rms of f - A)
        n = self.n_min
        while n <= min(self.n_max, cut):
            tt, ff = t[cut - n:cut], f[cut - n:cut]
            # log-linear fit weighted by f: least squares in f itself
            slope, icpt = np.polyfit(tt, np.log(ff), 1, w=ff)
            if slope < 0:
                rms = float(np.sqrt(np.mean((np.exp(icpt + slope * tt) - ff) ** 2)))
                fits.append((float(np.exp(icpt)), float(-1.0 / slope), n, rms))
            n *= 2
        if not fits:
            raise ValueError("the data before the cut do not decay: cannot fit a*exp(-t/b)")
        # the smallest residual estimates the noise; take the widest window that
        # stays within (1 + rtol) of it (wider windows average the noise better
        # until the curvature of a multi-exponential decay shows up)
        noise = min(r for *_, r in fits)
        best = [fit[:3] for fit in fits if fit[3] <= (1 + self.rtol) * noise + 1e-300][-1]
        a, b, _ = best
        ratio = t[cut - 1] / t[cut - 2] if t[cut - 2] > 0 else 1.0
        step = t[cut - 1] - t[cut - 2]
        tail_t = []
        x = t[cut - 1]
        while len(tail_t) < self.max_points:
            x = x * ratio if ratio > 1 + 1e-12 else x + step
            tail_t.append(x)
            if a * np.exp(-x / b) < self.floor:
                break
        tail_t = np.array(tail_t)
        self._t = np.concatenate([t[:cut], tail_t])
        self._f = np.concatenate([f[:cut], a * np.exp(-tail_t / b)])
        self._fit = best
        return self

    @computed_property
    def t(self) -> np.ndarray:
        """Grid of the processed correlator (data part, then the continued tail)."""
        return self._t

    @computed_property
    def f(self) -> np.ndarray:
        """Processed correlator."""
        return self._f

    @computed_property
    def fit(self) -> tuple[float, float, int]:
        """``(a, b, n_points)`` of the fitted ``a exp(-t/b)``."""
        return self._fit
