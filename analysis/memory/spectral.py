"""Noise-robust memory kernels of Brownian SISFs from a completely monotone fit.

The SISF of Brownian dynamics is completely monotone (a positive mixture of
decaying exponentials, Granz 2026, §4.2.2), so a noisy measurement is first
*denoised* by a regularised, non-negative relaxation-time spectrum
(Provencher, Comput. Phys. Commun. 27, 213 and 229 (1982), CONTIN)::

    F(t) ~ sum_k a_k exp(-t/tau_k),   a_k >= 0,   tau_k log-spaced,

minimising ``|A a - F|^2 + alpha^2 |L a|^2`` with ``L`` the second difference
along ``log tau`` and two exact Brownian constraints as heavily weighted rows:
``F(0) = sum_k a_k = 1`` and ``F'(0) = -sum_k a_k/tau_k = -1/tau0`` with
``tau0 = 1/(D0 q^2)`` (eq. 4.48). The noise level is estimated from the data
themselves (:func:`estimate_noise`: the residual of the unregularised
non-negative fit, corrected for the number of active terms), and ``alpha`` is
chosen by the discrepancy principle (Morozov): the largest ``alpha`` whose
residual RMS does not exceed the estimated noise.

The fit has the Laplace transform ``F(s) = sum_k a_k/(s + x_k)``, ``x_k =
1/tau_k``, and the Mori-Zwanzig relation (Granz 2026, eq. 4.47, ``s = i omega``)
``tau0 + m(s) = F/(1 - s F)`` is then solved *exactly*: with ``sum_k a_k = 1``,
``1 - s F(s) = g(s) = sum_k a_k x_k/(s + x_k)``, which falls from ``+inf`` to
``-inf`` between two neighbouring poles ``-x_{k+1} < s < -x_k`` and has no other
real zero. Hence ``F/g`` is a Stieltjes function, and the kernel is completely
monotone too::

    m(t) = sum_j c_j exp(-y_j t),   g(-y_j) = 0,   c_j = F(-y_j)/g'(-y_j) > 0,

one term between each pair of neighbouring active relaxation rates, plus a
constant ``delta = 1/Gamma - tau0`` (``Gamma = sum_k a_k x_k``), i.e. a
term ``delta * dirac(t)`` at ``t = 0`` that vanishes when the slope
constraint holds. ``m0 = sum_j c_j`` is ``lim s m(s)`` (eq. 4.52) without any
extrapolation, and the MZ equation with this kernel reproduces the fit exactly,
so the reconstructed SISF is the denoised one (RMSE about the noise level).

Kernel terms faster than the SISF's own initial decay ``tau0/(1 + m0)`` change
the SISF only through their integral ``c_j/y_j`` (a shift of ``tau0``), so the
noise can place a spurious fast term of large amplitude there; such terms are
moved into ``delta`` and left out of ``m0`` (:class:`SpectralKernel`,
``resolve``). Two diagnostics come free: ``rmse/noise_differences`` (the fit's
residual against a model-free noise level, about 1 for a Brownian SISF) and
``delta/tau0`` (about ``D0/D0_true - 1`` when the given ``D0`` is wrong).

No Filon transform, no frequency truncation and no NNLT are involved: the
ill-posed step is the fit of the data, done once, with its regularisation set
by the data's own noise. The time-domain alternative, the Volterra inversion
of the denoised SISF (Daldrop et al., PNAS 115, 5169 (2018), ``memtools``), is
:class:`~slowdyn.analysis.memory.volterra.VolterraKernel` applied to
:meth:`CMSpectrumFit.f`; its cost is ``O(n^2)`` on one uniform step.
"""

from __future__ import annotations

import numpy as np

from .._compute import Compute, computed_property
from ..laplace.exponentials import ExponentialSum
from .mz_laplace import check_correlator, tau0_of


def _nnls(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.optimize import lsq_linear, nnls

    try:
        return nnls(A, b, maxiter=50 * A.shape[1])[0]
    except RuntimeError:  # active set did not settle
        return lsq_linear(A, b, bounds=(0.0, np.inf), method="bvls").x


def _tau_grid(t: np.ndarray, n_tau: int | None, extend: tuple[float, float], per_decade: float) -> np.ndarray:
    lo, hi = np.log10(t[t > 0][0] * extend[0]), np.log10(t[-1] * extend[1])
    n = int(n_tau) if n_tau is not None else max(8, int(round(per_decade * (hi - lo))) + 1)
    return np.logspace(lo, hi, n)


def check_errors(t, err, name: str = "the SISF") -> np.ndarray:
    """Validate per-point standard errors of a correlator (a one-line ValueError otherwise).

    ``err`` must have the length of ``t`` and be finite and ``> 0`` wherever ``t > 0``
    (at ``t = 0`` the correlator is 1 by definition and its error is ignored).

    Parameters
    ----------
    t, err : array_like
        Times and the standard error of each point.
    name : str
        What the data are, for the message (e.g. the file).

    Returns
    -------
    numpy.ndarray
        ``err`` as floats.
    """
    t = np.asarray(t, dtype=float)
    err = np.asarray(err, dtype=float)
    if err.shape != t.shape:
        raise ValueError(f"{name}: the error column has {err.size} values for {t.size} times; give one standard "
                         "error per point")
    pos = t > 0
    bad = pos & ~(np.isfinite(err) & (err > 0))
    if np.any(bad):
        k = int(np.argmax(bad))
        raise ValueError(f"{name}: the standard errors must be finite and > 0, found {err[k]:g} at t = {t[k]:g} "
                         f"({int(bad.sum())} such points)")
    return err


def bootstrap_band(refit, base: np.ndarray, data: np.ndarray, err: np.ndarray | None, pos: np.ndarray, t, n: int,
                   seed: int, quantiles: tuple[float, float], q: float) -> dict:
    """Bootstrap band of a kernel estimator (``SpectralKernel.band``, ``NewtonianKernel.band``).

    Each of the ``n`` replicas is ``base`` (the reconstructed SISF) plus noise on the points
    ``pos``: Gaussian with the standard errors ``err`` where given, else the residuals
    ``data - base`` drawn with replacement (residual bootstrap, Efron & Tibshirani 1993, §9.5);
    ``refit(F)`` returns the computed estimator of a replica (a ValueError skips it).

    Returns
    -------
    dict
        ``lo``, ``hi`` (kernel quantiles on ``t``), ``m0_lo``, ``m0_hi`` and ``m0`` (every refit's).
    """
    t = np.asarray(t, dtype=float)
    rng = np.random.default_rng(seed)
    resid = (data - base)[pos]
    kernels, m0 = [], []
    for _ in range(int(n)):
        F = base.copy()
        F[pos] += err[pos] * rng.standard_normal(int(pos.sum())) if err is not None else rng.choice(resid, resid.size)
        try:
            twin = refit(F)
        except ValueError:  # a replica the estimator refuses (no positive spectrum, no decay): skip it
            continue
        kernels.append(twin.m(t))
        m0.append(twin.m0)
    if len(m0) < 2:
        raise ValueError(f"the bootstrap at q = {q:g} failed: fewer than two refits succeeded")
    k, m0 = np.array(kernels), np.array(m0)
    lo, hi = (float(v) for v in quantiles)
    return {"lo": np.quantile(k, lo, axis=0), "hi": np.quantile(k, hi, axis=0),
            "m0_lo": float(np.quantile(m0, lo)), "m0_hi": float(np.quantile(m0, hi)), "m0": m0}


def discrepancy_search(solve, rms, target: float, lo: float = -8.0, hi: float = 1.0,
                       tol: float = 0.02) -> tuple[np.ndarray, float]:
    """Tikhonov parameter by the discrepancy principle (Morozov): the largest ``alpha`` in
    ``[10**lo, 10**hi]`` whose residual ``rms(solve(alpha))`` does not exceed ``target``.

    Bisection in ``log10 alpha`` down to ``tol``, keeping the feasible side; the residual of a
    non-negative Tikhonov solution grows with ``alpha``. Returns ``(solve(alpha), alpha)``
    (the ends of the range when the target is missed there).
    """
    x_lo = solve(10.0**lo)
    if rms(x_lo) > target:
        return x_lo, 10.0**lo
    x_hi = solve(10.0**hi)
    if rms(x_hi) <= target:
        return x_hi, 10.0**hi
    x = x_lo
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        x_mid = solve(10.0**mid)
        if rms(x_mid) <= target:
            lo, x = mid, x_mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    return x, 10.0**lo


def noise_from_differences(f, order: int = 4) -> float:
    """Model-free noise level: the robust spread of the ``order``-th differences.

    For white noise ``sigma`` the ``k``-th difference of the samples has the standard
    deviation ``sigma sqrt(C(2k, k))``; a smooth correlator on a dense log grid
    contributes almost nothing to it (``k = 4``: 1e-7 ... 3e-6 for 200 points over
    8 decades). The spread is ``1.4826 MAD`` (insensitive to the few differences where
    the correlator bends sharply). Unlike :func:`estimate_noise` this assumes no model,
    so the ratio of the two tells whether the data are a completely monotone
    Brownian correlator at all (:attr:`SpectralKernel.consistency`).

    Parameters
    ----------
    f : array_like
        Samples (any grid on which the signal is smooth in the index).
    order : int
        Order of the differences (>= 1).

    Returns
    -------
    float
    """
    from math import comb

    f = np.asarray(f, dtype=float)
    if order < 1 or f.size < order + 8:
        raise ValueError(f"the noise from differences of order {order} needs at least {order + 8} points")
    d = np.diff(f, int(order))
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(comb(2 * order, order)))


def estimate_noise(t, f, n_tau: int | None = None, tau0: float | None = None) -> float:
    """Noise of a completely monotone correlator, estimated from the data themselves.

    The unregularised non-negative exponential fit (``alpha = 0``; the
    positivity alone keeps it from following the noise) leaves the residual
    ``r``; ``sigma^2 = |r|^2 / (N - k)`` with ``k`` the number of active
    (non-zero) terms, the usual degrees-of-freedom correction.

    Parameters
    ----------
    t, f : array_like
        The correlator (``t >= 0`` increasing, ``f(0) = 1`` normalisation).
    n_tau : int, optional
        Relaxation times of the fit (log grid ``0.1 t_min ... 10 t_max``, default 20 per decade).
    tau0 : float, optional
        ``1/(D0 q^2)``: adds the Brownian slope constraint ``F'(0) = -1/tau0``.

    Returns
    -------
    float
        The estimated standard deviation of the white noise.
    """
    fit = CMSpectrumFit(n_tau=n_tau, tau0=tau0, alpha=0.0).compute(t, f)
    return fit.noise


class CMSpectrumFit(Compute):
    """Regularised non-negative exponential spectrum of a correlator (module docstring).

    Parameters
    ----------
    n_tau : int, optional
        Number of log-spaced relaxation times (default: ``per_decade`` per decade).
    extend : (float, float)
        The grid runs from ``extend[0] * t_min`` to ``extend[1] * t_max`` (``t_min``:
        first positive time).
    tau0 : float, optional
        ``1/(D0 q^2)``; if given, ``F'(0) = -1/tau0`` is imposed (Brownian dynamics).
    alpha : float, optional
        Tikhonov weight (relative to the largest singular value of the design);
        default: discrepancy principle with the estimated noise.
    noise : float, optional
        Noise level for the discrepancy principle (default: estimated, :func:`estimate_noise`).
    discrepancy : float
        Target residual RMS in units of the noise (1: Morozov's principle).
    constraint_weight : float
        Weight of the ``F(0) = 1`` and slope rows (data rows have weight 1).
    per_decade : float
        Density of the default relaxation-time grid.
    """

    compute_hint = "compute(t, f)"

    def __init__(self, n_tau: int | None = None, extend: tuple[float, float] = (0.1, 10.0), tau0: float | None = None,
                 alpha: float | None = None, noise: float | None = None, discrepancy: float = 1.0,
                 constraint_weight: float = 1e4, per_decade: float = 20.0) -> None:
        if n_tau is not None and n_tau < 4:
            raise ValueError(f"n_tau must be >= 4, got {n_tau}")
        if not (0 < extend[0] <= 1 <= extend[1]):
            raise ValueError(f"extend must be (<= 1, >= 1), got {extend}")
        if tau0 is not None and not tau0 > 0:
            raise ValueError(f"tau0 must be > 0, got {tau0}")
        if alpha is not None and not alpha >= 0:
            raise ValueError(f"alpha must be >= 0, got {alpha}")
        if noise is not None and not noise > 0:
            raise ValueError(f"the noise level must be > 0, got {noise}")
        self.n_tau = None if n_tau is None else int(n_tau)
        self.extend = (float(extend[0]), float(extend[1]))
        self.tau0 = None if tau0 is None else float(tau0)
        self.alpha, self.noise_given = alpha, noise
        self.discrepancy, self.constraint_weight = float(discrepancy), float(constraint_weight)
        if not per_decade > 0:
            raise ValueError(f"per_decade must be > 0, got {per_decade}")
        self.per_decade = float(per_decade)

    def _solve(self, alpha: float) -> np.ndarray:
        A, b = self._A, self._b
        if alpha > 0:
            A = np.vstack([A, alpha * self._scale * self._L])
            b = np.concatenate([b, np.zeros(self._L.shape[0])])
        return _nnls(A, b)

    def compute(self, t, f, err=None) -> "CMSpectrumFit":
        """Fit the correlator ``f`` sampled on ``t``.

        ``err`` (optional): the standard error of each point (:func:`check_errors`). The
        data rows are then weighted by ``median(err)/err`` (so the constraint rows keep
        their relative weight), the noise estimate and the discrepancy principle work on
        the weighted residual, and :attr:`noise` is in units of ``median(err)``:
        about ``median(err)`` when the errors are right. :attr:`rmse` stays unweighted.
        """
        t, f = check_correlator(t, f)
        keep = t > 0
        if err is not None:
            err = check_errors(t, err)[keep]
        t, f = t[keep], f[keep]
        wt = np.ones(t.size) if err is None else float(np.median(err)) / err
        tau = _tau_grid(t, self.n_tau, self.extend, self.per_decade)
        design = np.exp(-t[:, None] / tau[None, :])
        w = self.constraint_weight
        rows, rhs = [wt[:, None] * design, w * np.ones((1, tau.size))], [wt * f, [w]]
        if self.tau0 is not None:
            rows.append(w * (self.tau0 / tau)[None, :])
            rhs.append([w])
        self._A, self._b = np.vstack(rows), np.concatenate(rhs)
        self._L = np.diff(np.eye(tau.size), 2, axis=0)
        self._scale = float(np.linalg.norm(wt[:, None] * design, 2))
        self._t, self._f, self._tau, self._design, self._err = t, f, tau, design, err

        def rms(a):  # weighted (= plain without errors)
            return float(np.sqrt(np.mean((wt * (design @ a - f)) ** 2)))

        a0 = self._solve(0.0)
        k = int(np.count_nonzero(a0 > 1e-14 * max(a0.max(), 1e-300)))
        dof = max(t.size - k, 1)
        noise0 = float(np.sqrt(np.sum((wt * (design @ a0 - f)) ** 2) / dof))
        self._noise = float(self.noise_given) if self.noise_given is not None else noise0
        if self.alpha is not None:
            alpha = float(self.alpha)
            a = a0 if alpha == 0 else self._solve(alpha)
        else:
            a, alpha = discrepancy_search(self._solve, rms, self.discrepancy * self._noise)
        self._alpha, self._a = float(alpha), a
        self._rmse = float(np.sqrt(np.mean((design @ a - f) ** 2)))
        return self

    @computed_property
    def tau(self) -> np.ndarray:
        """Relaxation-time grid."""
        return self._tau

    @computed_property
    def a(self) -> np.ndarray:
        """Non-negative amplitudes."""
        return self._a

    @computed_property
    def spectrum(self) -> ExponentialSum:
        """The fit as an :class:`~slowdyn.analysis.laplace.exponentials.ExponentialSum` (active terms)."""
        on = self._a > 0
        return ExponentialSum(self._a[on], self._tau[on])

    @computed_property
    def noise(self) -> float:
        """Noise level used (given, or estimated from the unregularised fit)."""
        return self._noise

    @computed_property
    def alpha_used(self) -> float:
        """Tikhonov weight chosen (relative to the design's largest singular value)."""
        return self._alpha

    @computed_property
    def rmse(self) -> float:
        """RMS residual of the fit on the data (positive times)."""
        return self._rmse

    def f(self, t) -> np.ndarray:
        """The denoised correlator on ``t``."""
        if not self._called_compute:
            raise RuntimeError("CMSpectrumFit: call compute(t, f) first")
        return np.exp(-np.asarray(t, dtype=float)[:, None] / self._tau[None, :]) @ self._a


def kernel_from_spectrum(a, tau, tau0: float, rtol: float = 1e-12) -> tuple[ExponentialSum, float]:
    """Exact Brownian MZ kernel of ``F(t) = sum_k a_k exp(-t/tau_k)`` (module docstring).

    Parameters
    ----------
    a, tau : array_like
        Non-negative amplitudes (normalised here to ``sum a = 1``) and relaxation times.
    tau0 : float
        ``1/(D0 q^2)``.
    rtol : float
        Terms with ``a_k < rtol * max(a)`` are dropped before the root search.

    Returns
    -------
    kernel : ExponentialSum
        ``m(t) = sum_j c_j exp(-t/theta_j)`` (``c_j > 0``).
    delta : float
        ``1/Gamma - tau0``: weight of the instantaneous part of ``tau0 + m`` (0 when
        ``F'(0) = -1/tau0``).
    """
    from scipy.optimize import brentq

    a = np.asarray(a, dtype=float)
    tau = np.asarray(tau, dtype=float)
    if a.shape != tau.shape or a.ndim != 1 or np.any(a < 0) or np.any(tau <= 0) or not a.sum() > 0:
        raise ValueError("kernel_from_spectrum needs a >= 0 (not all zero) and tau > 0 of equal length")
    on = a >= rtol * a.max()
    a, x = a[on] / a[on].sum(), 1.0 / tau[on]
    order = np.argsort(x)
    a, x = a[order], x[order]
    ax = a * x

    def g(s):
        return float(np.sum(ax / (s + x)))

    roots = []
    for k in range(x.size - 1):
        lo, hi = -x[k + 1], -x[k]
        eps = 1e-13
        left, right = lo + eps * abs(lo), hi - eps * abs(hi)
        while g(left) < 0 and eps > 1e-300:  # a tiny amplitude: move closer to its pole
            eps *= 1e-3
            left = lo + eps * abs(lo)
        eps = 1e-13
        while g(right) > 0 and eps > 1e-300:
            eps *= 1e-3
            right = hi - eps * abs(hi)
        roots.append(brentq(g, left, right, xtol=1e-300, rtol=1e-15, maxiter=200))
    r = np.array(roots)
    if r.size == 0:
        kernel = ExponentialSum(np.zeros(1), np.ones(1))
    else:
        fr = np.array([np.sum(a / (s + x)) for s in r])
        gp = np.array([-np.sum(ax / (s + x) ** 2) for s in r])
        kernel = ExponentialSum(fr / gp, -1.0 / r)
    delta = 1.0 / float(np.sum(ax)) - float(tau0)
    return kernel, delta


def correlator_from_kernel(b, theta, tau0: float) -> ExponentialSum:
    """Exact Brownian SISF of the kernel ``m(t) = sum_j b_j exp(-t/theta_j)`` (inverse of
    :func:`kernel_from_spectrum`).

    ``F(s) = K/(1 + s K)`` with ``K = tau0 + m(s)``; the poles are the zeros of
    ``G(s) = 1 + s tau0 + sum_j b_j - sum_j b_j y_j/(s + y_j)`` (``y_j = 1/theta_j``):
    one between each pair of neighbouring ``-y_j``, one in ``(-y_min, 0)`` and one
    below ``-y_max``; the residues ``-1/(r G'(r))`` are positive, so ``F`` is
    completely monotone with ``F(0) = 1`` and ``F'(0) = -1/tau0``.

    Parameters
    ----------
    b, theta : array_like
        Non-negative kernel amplitudes and decay times (> 0).
    tau0 : float
        ``1/(D0 q^2)``.

    Returns
    -------
    ExponentialSum
        ``F(t) = sum_k a_k exp(-t/tau_k)``.
    """
    from scipy.optimize import brentq

    b = np.asarray(b, dtype=float)
    theta = np.asarray(theta, dtype=float)
    if b.shape != theta.shape or b.ndim != 1 or np.any(b < 0) or np.any(theta <= 0) or not tau0 > 0:
        raise ValueError("correlator_from_kernel needs b >= 0 and theta > 0 of equal length, and tau0 > 0")
    on = b > 0
    y = np.sort(1.0 / theta[on])
    by = (b[on] / theta[on])[np.argsort(1.0 / theta[on])]
    total = float(np.sum(b[on]))

    def G(s):
        return 1.0 + s * tau0 + total - float(np.sum(by / (s + y)))

    def bracket(lo, hi):
        eps = 1e-13
        left, right = lo + eps * abs(lo), hi - eps * abs(hi)
        while G(left) > 0 and eps > 1e-300:
            eps *= 1e-3
            left = lo + eps * abs(lo)
        eps = 1e-13
        while G(right) < 0 and eps > 1e-300:
            eps *= 1e-3
            right = hi - eps * abs(hi)
        return brentq(G, left, right, xtol=1e-300, rtol=1e-15, maxiter=200)

    if y.size == 0:
        return ExponentialSum(np.ones(1), np.array([tau0]))
    roots = [bracket(-y[0], 0.0) if G(-y[0] * (1 - 1e-13)) < 0 else brentq(G, -y[0] * (1 - 1e-13), 0.0)]
    roots += [bracket(-y[j + 1], -y[j]) for j in range(y.size - 1)]
    lo = -y[-1] - 1.0
    while G(lo) > 0:
        lo = -y[-1] - 2.0 * (y[-1] - lo + 1.0)
    roots.append(brentq(G, lo, -y[-1] * (1 + 1e-13), xtol=1e-300, rtol=1e-15, maxiter=200))
    r = np.array(roots)
    gp = np.array([tau0 + np.sum(by / (s + y) ** 2) for s in r])
    return ExponentialSum(-1.0 / (r * gp), -1.0 / r)


class SpectralKernel(Compute):
    """Memory kernel of one Brownian SISF by the completely monotone route (module docstring).

    Parameters
    ----------
    q : float
        Wave number (> 0).
    D0 : float
        Short-time diffusion coefficient (> 0); ``tau0 = 1/(D0 q^2)``.
    noise : float, optional
        Noise of the SISF (default: estimated from the data).
    n_tau : int, optional
        Relaxation times of the spectrum fit (default: 20 per decade).
    slope : bool
        Impose ``F'(0) = -D0 q^2`` (Brownian short-time limit) in the fit.
    t_resolve : float, optional
        Kernel terms with a decay time below it are counted as instantaneous
        (:attr:`delta`) and left out of :attr:`kernel` and :attr:`m0`. Default: the
        larger of the first positive time of the data and ``resolve`` times the
        initial decay time ``tau0/(1 + m0)`` of the SISF (self-consistently with the
        ``m0`` of the remaining terms). Kernel structure much faster than the
        SISF's own initial decay changes the SISF only through its integral (a
        shift of ``tau0``), so noise can put a spurious fast term there with a
        large amplitude; the default keeps it out of ``m0``.
    resolve : float
        The fraction of ``tau0/(1 + m0)`` above. 1 (default) measured best on the
        noisy families of doc/dev/memory_noisy_trials.md: 0.1 let terms between
        0.1 and 1 times the initial decay time inflate m0 by up to 67 % (stretched
        kernels, noise 3e-3); no kernel error changed.
    fit : dict, optional
        Further :class:`CMSpectrumFit` settings (``extend``, ``alpha``, ``discrepancy``).

    Examples
    --------
    >>> sk = SpectralKernel(q=6.0).compute(t, F)          # doctest: +SKIP
    >>> sk.m0, sk.m(t), sk.F_rec(t), sk.rmse, sk.noise   # doctest: +SKIP
    """

    compute_hint = "compute(t, F)"

    def __init__(self, q: float, D0: float = 1.0, noise: float | None = None, n_tau: int | None = None,
                 slope: bool = True, t_resolve: float | None = None, resolve: float = 1.0,
                 fit: dict | None = None) -> None:
        self.tau0 = float(tau0_of(q, D0))
        self.q, self.D0 = float(q), float(D0)
        if noise is not None and not noise > 0:
            raise ValueError(f"the noise level must be > 0, got {noise}")
        if n_tau is not None and n_tau < 4:
            raise ValueError(f"n_tau must be >= 4, got {n_tau}")
        if t_resolve is not None and not t_resolve >= 0:
            raise ValueError(f"t_resolve must be >= 0, got {t_resolve}")
        self.noise_given, self.n_tau, self.slope = noise, n_tau, bool(slope)
        if not resolve >= 0:
            raise ValueError(f"resolve must be >= 0, got {resolve}")
        self.t_resolve, self.resolve = t_resolve, float(resolve)
        self.fit_settings = dict(fit or {})

    def compute(self, t, F, err=None) -> "SpectralKernel":
        """Fit the SISF ``F`` on ``t`` and solve the MZ relation exactly.

        ``err`` (optional): the standard error of each point, used as weights of the fit
        (:meth:`CMSpectrumFit.compute`) and by :meth:`band`.
        """
        t, F = check_correlator(t, F)
        settings = dict(self.fit_settings)
        if self.n_tau is not None:
            settings["n_tau"] = self.n_tau
        fit = CMSpectrumFit(tau0=self.tau0 if self.slope else None, noise=self.noise_given,
                            **settings).compute(t, F, err)
        if not np.any(fit.a > 0):
            raise ValueError(f"the SISF at q = {self.q:g} has no positive relaxation spectrum: "
                             "is it normalised to F(0) = 1 and decaying?")
        self._fit = fit
        full, delta = kernel_from_spectrum(fit.a, fit.tau, self.tau0)
        self._full, self._delta0 = full, delta
        self._t, self._F, self._err = t, F, None if err is None else np.asarray(err, dtype=float)
        self._t_min = float(t[t > 0][0])
        t_res = float(self.t_resolve) if self.t_resolve is not None else self._threshold(self.resolve)
        self._t_resolve = t_res
        fast = full.tau < t_res
        if np.all(fast):
            self._kernel = ExponentialSum(np.zeros(1), np.ones(1))
        else:
            self._kernel = ExponentialSum(full.a[~fast], full.tau[~fast])
        self._delta = float(delta + np.sum(full.a[fast] * full.tau[fast]))
        return self

    def _threshold(self, resolve: float) -> float:
        """Self-consistent ``t_resolve``: from the first lag up to ``resolve tau0/(1 + m0)`` (class docstring)."""
        full, t_res = self._full, self._t_min
        for _ in range(50):
            m0 = float(np.sum(full.a[full.tau >= t_res]))
            new = max(self._t_min, resolve * self.tau0 / (1.0 + m0))
            if new <= t_res * (1.0 + 1e-12):
                break
            t_res = new
        return t_res

    def m0_at(self, resolve: float) -> float:
        """m0 of the same fit with another resolution factor ``resolve`` (class docstring).

        ``m0_at(0.3)`` also keeps the kernel terms between 0.3 and 1 times the SISF's
        initial decay time; it differs from :attr:`m0` (``resolve = 1``) only where the
        kernel has weight the data barely resolve, so the relative difference of the two
        is the check of m0 that :class:`~slowdyn.analysis.memory.KernelSet` warns on.
        """
        if not self._called_compute:
            raise RuntimeError(f"{type(self).__name__}: call {self.compute_hint} first")
        if not resolve >= 0:
            raise ValueError(f"resolve must be >= 0, got {resolve}")
        t_res = self._threshold(float(resolve))
        return float(np.sum(self._full.a[self._full.tau >= t_res]))

    def band(self, t, n: int = 20, seed: int = 0, quantiles: tuple[float, float] = (0.025, 0.975)) -> dict:
        """Bootstrap band of the kernel: ``n`` refits of resampled data.

        Each replica is the fitted SISF plus noise: Gaussian with the given standard
        errors where :meth:`compute` had them, else the fit's residuals drawn with
        replacement (the residual bootstrap, Efron & Tibshirani 1993, §9.5); it goes
        through the same fit and MZ solution (same settings, its own noise estimate).
        The band is the noise propagated through the fit, not the bias of its
        regularisation: on the three-scale kernel of tests/test_memory_wiring.py
        (noise 1e-3 and 3e-3) the true m0 lay inside the default 95 % band in 4 of 4
        cases, the true kernel at 35-46 % of the points where m > 5 % m0 and t > 3 tau0.

        Parameters
        ----------
        t : array_like
            Times of the band.
        n : int
            Number of refits (>= 2; each costs one :meth:`compute`).
        seed : int
            Seed of the resampling.
        quantiles : (float, float)
            Lower and upper quantile of the band (default: the 95 % interval).

        Returns
        -------
        dict
            ``lo``, ``hi`` (the kernel quantiles on ``t``), ``m0_lo``, ``m0_hi`` and
            ``m0`` (the m0 of every refit).
        """
        if not self._called_compute:
            raise RuntimeError(f"{type(self).__name__}: call {self.compute_hint} first")
        if int(n) < 2:
            raise ValueError(f"the bootstrap needs n >= 2 refits, got {n}")
        pos = self._t > 0
        base = self._fit.f(self._t)

        def refit(F):
            return SpectralKernel(self.q, self.D0, noise=self.noise_given, n_tau=self.n_tau, slope=self.slope,
                                  t_resolve=self.t_resolve, resolve=self.resolve,
                                  fit=self.fit_settings).compute(self._t, F, self._err)

        return bootstrap_band(refit, base, self._F, self._err, pos, t, n, seed, quantiles, self.q)

    @computed_property
    def fit(self) -> CMSpectrumFit:
        """The denoising fit."""
        return self._fit

    @computed_property
    def kernel(self) -> ExponentialSum:
        """``m(t)`` as a sum of exponentials."""
        return self._kernel

    @computed_property
    def m0(self) -> float:
        """``m(q, 0) = sum_j c_j``."""
        return float(np.sum(self._kernel.a))

    @computed_property
    def delta(self) -> float:
        """Instantaneous part of the kernel: ``1/Gamma - tau0`` (0 with ``slope=True``) plus the
        integral ``c_j theta_j`` of the terms faster than ``t_resolve``; the MZ equation with
        :attr:`kernel` and ``tau0 + delta`` reproduces the fit.
        """
        return self._delta

    @computed_property
    def t_resolve_used(self) -> float:
        """Shortest kernel decay time kept in :attr:`kernel`."""
        return self._t_resolve

    @computed_property
    def noise(self) -> float:
        """Noise level used by the fit (estimated unless given)."""
        return self._fit.noise

    @computed_property
    def rmse(self) -> float:
        """RMS difference between the reconstructed (= fitted) and the measured SISF."""
        return self._fit.rmse

    @computed_property
    def noise_differences(self) -> float:
        """Model-free noise level of the data (:func:`noise_from_differences`)."""
        return noise_from_differences(self._F)

    @computed_property
    def consistency(self) -> float:
        """``rmse / noise_differences``: about 1 for a completely monotone Brownian SISF with
        ``F(0) = 1`` and ``F'(0) = -D0 q^2``; large when the data are not one (wrong
        normalisation or D0, Newtonian dynamics), since the fit's own noise estimate then
        absorbs the misfit. The one number to warn on.
        """
        return self._fit.rmse / max(self.noise_differences, 1e-300)

    def m(self, t) -> np.ndarray:
        """The kernel on ``t``."""
        return self.kernel.f(np.asarray(t, dtype=float))

    def summary(self) -> dict[str, float]:
        """``m0``, ``rmse``, ``noise`` (the fit's), ``noise_differences``, ``consistency``,
        ``delta_over_tau0``, ``alpha``, ``t_resolve`` and ``n_terms`` (kernel terms).
        """
        if not self._called_compute:
            raise RuntimeError(f"{type(self).__name__}: call {self.compute_hint} first")
        return {"m0": self.m0, "rmse": self.rmse, "noise": self.noise, "noise_differences": self.noise_differences,
                "consistency": self.consistency, "delta_over_tau0": self.delta / self.tau0,
                "alpha": self._fit.alpha_used, "t_resolve": self._t_resolve, "n_terms": float(self._kernel.a.size)}

    def F_rec(self, t) -> np.ndarray:
        """The SISF the MZ equation gives with this kernel (the denoised SISF)."""
        return self._fit.f(t)


__all__ = ["CMSpectrumFit", "SpectralKernel", "bootstrap_band", "check_errors", "correlator_from_kernel",
           "discrepancy_search", "estimate_noise", "kernel_from_spectrum", "noise_from_differences"]
