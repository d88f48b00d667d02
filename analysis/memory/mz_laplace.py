"""The Mori-Zwanzig equation in the Laplace domain (Granz 2026, eq. 4.47).

With the Fourier-Laplace transform ``f(omega) = int_0^inf exp(-i omega t) f(t) dt``
the Brownian equation ``tau0 d_t phi + phi + m * d_t phi = 0`` becomes
``(tau0 + m(omega)) (i omega S(omega) - 1) + S(omega) = 0``, i.e.::

    m(omega) = -tau0 - S(omega) / (i omega S(omega) - 1),     tau0 = 1/(D0 q^2)   (eq. 4.47)

and back ``S(omega) = (tau0 + m) / (i omega (tau0 + m) + 1)``.

At large ``omega`` the two terms of eq. 4.47 cancel: ``S ~ 1/(i omega)``
makes ``S/(i omega S - 1) -> -tau0`` while ``m(omega) ~ m0/(i omega)``. An
absolute error ``dS`` of the transform becomes an error of about
``(omega tau0)^2 dS`` in ``m(omega)`` (differentiate eq. 4.47), so the
high-frequency end is dominated by artefacts of the Filon transform and of
the noise of the data (Granz 2026, §4.4.1, Fig. 4.26).

Truncation criterion (:func:`truncation_frequency`). A memory kernel that is
a positive mixture of decaying exponentials (completely monotone, as the MCT
kernels of Brownian systems) has ``Re m(omega) > 0`` decreasing in omega and
``-Im m(omega) > 0``. The spectrum is kept up to the last frequency before the
first violation of either, or before the frequency where the propagated error
``(omega tau0)^2 dS`` exceeds ``rtol |m(omega)|`` (``dS`` estimated from the
data's noise level), whichever comes first; above that frequency it is
continued by the one-pole form ``m_c (1 + i omega_c tau_c)/(1 + i omega tau_c)``
with ``tau_c = -Im m_c / (omega_c Re m_c)`` matched at the cut (itself completely
monotone, so every inversion sees a physical spectrum on the whole grid). The
fixed cut ``omega < 1e2`` of the thesis (§4.4.2) is the end of the NNLT's grid.
"""

from __future__ import annotations

import numpy as np

from .._compute import Compute, computed_property
from ..laplace.filon import fourier_laplace
from ..laplace.truncation import TailExtrapolation


def tau0_of(q, D0) -> np.ndarray:
    """Short-time relaxation time ``1/(D0 q^2)`` (eq. 4.48), with checks."""
    q = np.asarray(q, dtype=float)
    if not np.all(np.isfinite(q)) or np.any(q <= 0):
        raise ValueError(f"the wave number q must be > 0, got {q}")
    if not (np.isfinite(D0) and D0 > 0):
        raise ValueError(f"the diffusion coefficient D0 must be > 0, got {D0}")
    return 1.0 / (float(D0) * q * q)


def kernel_laplace(shat, omega, tau0: float) -> np.ndarray:
    """Eq. 4.47: ``m(omega) = -tau0 - S/(i omega S - 1)``."""
    shat = np.asarray(shat, dtype=complex)
    s = 1j * np.asarray(omega, dtype=float)
    return -tau0 - shat / (s * shat - 1.0)


def correlator_laplace(mhat, omega, tau0: float) -> np.ndarray:
    """Inverse of eq. 4.47: ``S(omega) = (tau0 + m) / (i omega (tau0 + m) + 1)``."""
    k = tau0 + np.asarray(mhat, dtype=complex)
    return k / (1j * np.asarray(omega, dtype=float) * k + 1.0)


def check_correlator(t, f, name: str = "the SISF", min_points: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Validate a normalised correlator table (clear ValueErrors for bad input)."""
    t = np.asarray(t, dtype=float)
    f = np.asarray(f, dtype=float)
    if t.ndim != 1 or t.shape != f.shape:
        raise ValueError(f"{name}: t and F must be 1-D arrays of equal length, got {t.shape} and {f.shape}")
    if t.size < min_points:
        raise ValueError(f"{name}: the time grid has {t.size} points, at least {min_points} are needed")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(f))):
        raise ValueError(f"{name}: the table contains NaN or inf (at rows "
                         f"{np.nonzero(~(np.isfinite(t) & np.isfinite(f)))[0][:5].tolist()})")
    if t[0] < 0 or np.any(np.diff(t) <= 0):
        bad = int(np.argmax(np.diff(t) <= 0)) if np.any(np.diff(t) <= 0) else 0
        raise ValueError(f"{name}: the time grid must be non-negative and strictly increasing "
                         f"(first problem at row {bad + 1})")
    return t, f


class SISFTransform(Compute):
    """Preprocessing of a measured SISF and its Filon transform (§4.4).

    The data are cut where they first fall below ``cut`` (the noise level),
    continued by ``a exp(-t/b)`` fitted to the last points before the cut
    (:class:`~slowdyn.analysis.laplace.truncation.TailExtrapolation`, adaptive
    number of points), and transformed with Filon's method on ``omega``.
    ``F(0) = 1`` is prepended when the grid starts after 0.

    Parameters
    ----------
    omega : array_like
        Frequencies of the transform (the NNLT's input grid).
    cut : float
        Noise level: data below it are replaced by the fitted tail.
    floor : float
        The tail is continued down to this value (default ``cut/1000``).
    """

    def __init__(self, omega, cut: float = 1e-3, floor: float | None = None) -> None:
        self.omega = np.asarray(omega, dtype=float)
        if not 0 < cut < 1:
            raise ValueError(f"cut must lie in (0, 1), got {cut}")
        self.cut = float(cut)
        self.floor = float(floor) if floor is not None else self.cut * 1e-3

    compute_hint = "compute(t, f)"

    def compute(self, t, f) -> "SISFTransform":
        t, f = check_correlator(t, f)
        if not np.any(f < self.cut):
            raise ValueError(f"the SISF does not decay inside the time window: it ends at F = {f[-1]:.3g} "
                             f"(t = {t[-1]:.3g}) and never falls below the noise level {self.cut:g}; "
                             "use a longer run, a larger q, or raise the cut")
        if t[0] > 0:
            t, f = np.concatenate([[0.0], t]), np.concatenate([[1.0], f])
        tail = TailExtrapolation(threshold=self.cut, floor=self.floor).compute(t, f)
        self._t, self._f, self._fit = tail.t, tail.f, tail.fit
        self._shat = fourier_laplace(self._t, self._f, self.omega)
        self._t_cut = float(t[np.argmax(f < self.cut)])
        return self

    @computed_property
    def t(self) -> np.ndarray:
        """Grid of the processed SISF (data up to the cut, then the fitted tail)."""
        return self._t

    @computed_property
    def f(self) -> np.ndarray:
        """Processed SISF."""
        return self._f

    @computed_property
    def shat(self) -> np.ndarray:
        """Its Filon transform on :attr:`omega`."""
        return self._shat

    @computed_property
    def tail_fit(self) -> tuple:
        """``(a, b, n_points)`` of the fitted tail ``a exp(-t/b)``."""
        return self._fit

    @computed_property
    def t_cut(self) -> float:
        """First time at which the data fall below the cut."""
        return self._t_cut


def truncation_frequency(omega, mhat, tau0: float = 0.0, ds: float = 0.0, rtol: float = 0.1,
                         slack: float = 1e-6) -> int:
    """Number of leading frequencies of ``mhat`` kept (criterion in the module docstring).

    Parameters
    ----------
    omega, mhat : array_like
        Increasing frequencies and the Laplace-domain kernel.
    tau0, ds : float
        ``1/(D0 q^2)`` and the absolute error of the transform ``S(omega)``
        (0: no error bound, only the sign and monotonicity tests).
    rtol : float
        Accepted relative error of ``m(omega)`` from the propagated ``ds``.
    slack : float
        Relative increase of ``Re m`` from one frequency to the next still
        counted as decreasing (rounding).
    """
    omega = np.asarray(omega, dtype=float)
    mhat = np.asarray(mhat, dtype=complex)
    re, im = mhat.real, mhat.imag
    bad = (re <= 0) | (im >= 0) | ~np.isfinite(mhat)
    bad[1:] |= re[1:] > re[:-1] * (1.0 + slack)
    if ds > 0:
        bad |= (omega * tau0) ** 2 * ds > rtol * np.abs(mhat)
    first = int(np.argmax(bad)) if np.any(bad) else omega.size
    return first


def continue_spectrum(omega, mhat, keep: int) -> np.ndarray:
    """Replace ``mhat[keep:]`` by the one-pole continuation matched at ``omega[keep-1]``."""
    omega = np.asarray(omega, dtype=float)
    out = np.array(mhat, dtype=complex)
    if keep >= omega.size:
        return out
    if keep < 2:
        raise ValueError("the Laplace-domain kernel is unusable from the lowest frequency on "
                         "(Re m <= 0 or -Im m <= 0): check D0 and q, or the SISF's normalisation")
    wc, mc = omega[keep - 1], out[keep - 1]
    tau_c = -mc.imag / (wc * mc.real)
    out[keep:] = mc * (1.0 + 1j * wc * tau_c) / (1.0 + 1j * omega[keep:] * tau_c)
    return out
