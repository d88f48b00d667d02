"""Memory kernels of Newtonian SISFs: the second-order Mori-Zwanzig equation.

For Newtonian (molecular) dynamics the self-intermediate scattering function obeys
(Hansen & McDonald, *Theory of Simple Liquids*, 4th ed., Academic Press 2013, the chapter on
microscopic theories of time-correlation functions, memory functions; Götze, *Complex Dynamics
of Glass-Forming Liquids: A Mode-Coupling Theory*, OUP 2009)::

    F'' + Omega^2 F + int_0^t m(t - s) F'(s) ds = 0,   F(0) = 1,  F'(0) = 0,             (0)
    Omega^2 = q^2 k_B T / m,

with the Laplace form ``m(s) = Omega^2 F(s)/(1 - s F(s)) - s`` (doc/memory.md, "Newtonian
dynamics"). The kernel is sought as a non-negative sum on a fixed log grid of decay times,
``m(t) = sum_j b_j exp(-t/theta_j)``, ``b_j >= 0`` (``onset=True`` adds the zero-slope terms
``2 exp(-t/theta) - exp(-2t/theta)``, also with non-negative weights).

*Exact forward solution.* With ``z_j = b_j exp(-./theta_j) * F'``, ``z_j' = b_j F' - z_j/theta_j``,
eq. (0) is the linear system ``(F, F', z)' = M (F, F', z)``; the eigen-decomposition of ``M``
gives ``F(t) = Re sum_l c_l exp(lambda_l t)`` at any ``t`` (:func:`solve_newtonian`;
``scipy.linalg.expm`` steps when the eigenvectors are ill-conditioned), and the exact linear
response ``dF/db_j`` from the same modes (:func:`_sensitivity`).

*Start (equation error).* Integrating (0) twice removes every derivative of the data::

    F(t) = 1 - Omega^2 int_0^t (t - u) F(u) du - sum_j b_j G_j(t),                          (1)
    G_j(t) = int_0^t (t - u) (exp(-./theta_j) * F')(u) du,

linear in ``b``. The integrals are taken over a smoothing spline of the data (in ``log t``,
GCV), the rows weighted by ``1/(1 + Omega^2 t^2/2)`` (the growth of the integrated terms),
and ``b`` follows from non-negative least squares, as the projection route of VolterraBasis
(Vroylandt & Monmarché, J. Chem. Phys. 156, 244105 (2022)) on a positive basis.

*Output error.* ``refine`` Gauss-Newton steps on ``F_rec(b) - F_data``: each step is a
non-negative least-squares problem in the linearisation ``F_rec(b_k) + S (b - b_k)``,
regularised by Tikhonov on the second difference of ``b`` along ``log theta``, its weight
chosen by the discrepancy principle at the noise estimated from the data (the dof-corrected
residual of the unregularised step), as the Brownian route does (:mod:`.spectral`;
Provencher, Comput. Phys. Commun. 27, 213 (1982)). The measured trials of these and of the
rejected variants are in doc/dev/memory_newtonian_trials.md.
"""

from __future__ import annotations

import numpy as np

from .._compute import Compute, computed_property
from ..laplace.exponentials import ExponentialSum
from .mz_laplace import check_correlator
from .spectral import _nnls, _tau_grid, bootstrap_band, check_errors, discrepancy_search, noise_from_differences


def omega2_of(q: float, kT_m: float) -> float:
    """``Omega_q^2 = q^2 k_B T/m`` with checks.

    Parameters
    ----------
    q : float
        Wave number (> 0).
    kT_m : float
        ``k_B T / m`` (> 0; LJ units with mass 1: the temperature).

    Returns
    -------
    float
    """
    q, kT_m = float(q), float(kT_m)
    if not (np.isfinite(q) and q > 0):
        raise ValueError(f"the wave number q must be > 0, got {q}")
    if not (np.isfinite(kT_m) and kT_m > 0):
        raise ValueError(f"kT_m = k_B T/m must be > 0, got {kT_m}")
    return q * q * kT_m


def _system(kernel: ExponentialSum, omega2: float) -> np.ndarray:
    """Matrix of the linear system of eq. (0) in ``(Omega F, F', z_j/sqrt|b_j|)`` (module docstring);
    antisymmetric couplings for ``b_j > 0``.
    """
    b = np.asarray(kernel.a, dtype=float).ravel()
    y = 1.0 / np.asarray(kernel.tau, dtype=float).ravel()
    on = b > 0
    on = b != 0
    sb, y, sign = np.sqrt(np.abs(b[on])), y[on], np.sign(b[on])
    w = np.sqrt(omega2)
    n = 2 + sb.size
    M = np.zeros((n, n))
    M[0, 1], M[1, 0] = w, -w
    M[1, 2:], M[2:, 1] = -sb, sign * sb
    M[2:, 2:] = np.diag(-y)
    return M


def _modes(kernel: ExponentialSum, omega2: float,
           response: bool = False) -> tuple[np.ndarray, ...] | None:
    """``F(t) = Re sum_l c_l exp(lambda_l t)`` from the eigen-decomposition of the system matrix,
    or None when its eigenvectors are ill-conditioned. With ``response``, also ``r_l``: the
    response of ``F`` to a source ``-s(t)`` in the equation for ``F''`` is
    ``sum_l r_l int_0^t exp(lambda_l (t - u)) s(u) du``.
    """
    M = _system(kernel, omega2)
    lam, V = np.linalg.eig(M)
    if not np.linalg.cond(V) < 1e8:
        return None
    Vinv = np.linalg.inv(V)
    c = V[0] * Vinv[:, 0]
    if not response:
        return lam, c
    return lam, c, -V[0] * Vinv[:, 1] / np.sqrt(omega2)


def solve_newtonian(kernel: ExponentialSum, omega2: float, t) -> np.ndarray:
    """Exact SISF of the Newtonian MZ equation for ``m(t) = sum_j b_j exp(-t/theta_j)``.

    Parameters
    ----------
    kernel : ExponentialSum
        ``b_j`` and ``theta_j`` (one function; amplitudes of either sign).
    omega2 : float
        ``Omega_q^2 = q^2 k_B T/m`` (> 0).
    t : array_like
        Times (>= 0, any order).

    Returns
    -------
    np.ndarray
        ``F(t)``.
    """
    from scipy.linalg import expm

    if not omega2 > 0:
        raise ValueError(f"Omega^2 must be > 0, got {omega2}")
    t = np.asarray(t, dtype=float)
    if np.any(t < 0):
        raise ValueError("solve_newtonian needs t >= 0")
    modes = _modes(kernel, omega2)
    if modes is not None:
        lam, c = modes
        return np.real(np.exp(np.multiply.outer(t.ravel(), lam)) @ c).reshape(t.shape)
    M = _system(kernel, omega2)   # ill-conditioned eigenvectors: exact steps expm(M dt)
    order = np.argsort(t.ravel())
    out = np.empty(t.size)
    x, now = np.eye(M.shape[0])[0], 0.0
    for i in order:
        x = expm(M * (t.ravel()[i] - now)) @ x
        now = t.ravel()[i]
        out[i] = x[0]
    return out.reshape(t.shape)


def _twice_integrated(u: np.ndarray, F: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``I0(u) = int_0^u (u - v) F dv`` and ``G_j(u)`` of eq. (1) for piecewise-linear ``F`` on ``u``.

    ``h_j(u) = int_0^u exp(-y_j (u - v)) F'(v) dv`` is advanced exactly over each interval
    (``F'`` constant there); the outer integrals ``u int h - int v h`` by the trapezoid rule.
    """
    du = np.diff(u)
    slope = np.diff(F) / du
    decay = np.exp(-np.outer(du, y))                       # (n-1, J)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(y[None, :] * du[:, None] > 1e-8, -np.expm1(-np.outer(du, y)) / y[None, :],
                        du[:, None] * (1.0 - 0.5 * np.outer(du, y)))
    h = np.zeros((u.size, y.size))
    for i in range(du.size):
        h[i + 1] = decay[i] * h[i] + slope[i] * gain[i]

    def cumtrapz(g):
        out = np.zeros_like(g)
        out[1:] = np.cumsum(0.5 * (g[1:] + g[:-1]) * (du if g.ndim == 1 else du[:, None]), axis=0)
        return out

    I0 = u * cumtrapz(F) - cumtrapz(u * F)
    G = u[:, None] * cumtrapz(h) - cumtrapz(u[:, None] * h)
    return I0, G


def _phi1(z: np.ndarray) -> np.ndarray:
    """``(exp(z) - 1)/z`` for complex ``z`` (series near 0)."""
    z = np.asarray(z, dtype=complex)
    small = np.abs(z) < 1e-3
    out = np.empty_like(z)
    zs = z[small]
    out[small] = 1.0 + zs / 2.0 + zs**2 / 6.0 + zs**3 / 24.0
    out[~small] = np.expm1(z[~small]) / z[~small]
    return out


def _dd(mu: np.ndarray, lam: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``(exp(mu t) - exp(lam t))/(mu - lam) = int_0^t exp(lam (t - u)) exp(mu u) du``, shape
    ``(len(t), len(mu), len(lam))``, stable for close or equal rates (the larger real part factored out).
    """
    mu, lam = mu[:, None], lam[None, :]
    first = mu.real >= lam.real
    a, b = np.where(first, mu, lam), np.where(first, lam, mu)
    tt = t[:, None, None]
    return tt * np.exp(a[None] * tt) * _phi1((b - a)[None] * tt)


def _sensitivity(b: np.ndarray, theta: np.ndarray, omega2: float, t: np.ndarray, F: np.ndarray) -> np.ndarray:
    """``dF_rec(t)/db_j``, one column per ``theta_j``: exact linear response from the modes, by
    forward differences (step ``1e-6 (sum b + Omega^2)``) when they are ill-conditioned.

    A change ``db_j`` adds the source ``db_j h_j`` to ``F''`` with ``h_j = exp(-y_j .) * F'``,
    ``F' = sum_l c_l lambda_l exp(lambda_l t)``, so ``dF/db_j = sum_l c_l lambda_l (R(lambda_l) -
    R(-y_j))/(lambda_l + y_j)`` with ``R(mu; t) = sum_p r_p dd(mu, lambda_p; t)`` (:func:`_modes`).
    """
    modes = _modes(ExponentialSum(b, theta), omega2, response=True)
    if modes is not None:
        lam, c, r = modes
        y = 1.0 / theta
        d = lam[None, :] + y[:, None]                                      # (J, L)
        close = np.abs(d) < 1e-7 * y[:, None]
        y = np.where(np.any(close, axis=1), y * (1.0 + 1e-6), y)
        d = lam[None, :] + y[:, None]
        R_lam = np.empty((t.size, lam.size), dtype=complex)                # (n, L)
        R_y = np.empty((t.size, y.size), dtype=complex)                    # (n, J)
        for i in range(0, t.size, 128):   # (n, ., L) temporaries in chunks of t
            R_lam[i:i + 128] = _dd(lam, lam, t[i:i + 128]) @ r
            R_y[i:i + 128] = _dd(-y, lam, t[i:i + 128]) @ r
        w = c * lam
        S = (R_lam * w[None, :]) @ (1.0 / d).T - R_y * (w[None, :] / d).sum(axis=1)[None, :]
        return np.real(S)
    h = 1e-6 * (float(np.sum(b)) + omega2)
    S = np.empty((t.size, theta.size))
    for j in range(theta.size):
        bj = b.copy()
        bj[j] += h
        S[:, j] = (solve_newtonian(ExponentialSum(bj, theta), omega2, t) - F) / h
    return S


def _discrepancy_nnls(A: np.ndarray, rhs: np.ndarray, L: np.ndarray, noise: float | None, alpha: float | None,
                      discrepancy: float) -> tuple[np.ndarray, float, float, float]:
    """Non-negative Tikhonov solution with ``alpha`` by the discrepancy principle (as :class:`.spectral.CMSpectrumFit`).

    Returns ``(x, alpha, noise, rms)``; the noise is the dof-corrected residual of the
    unregularised fit unless given.
    """
    scale = float(np.linalg.norm(A, 2))

    def solve(al):
        if al <= 0:
            return _nnls(A, rhs)
        return _nnls(np.vstack([A, al * scale * L]), np.concatenate([rhs, np.zeros(L.shape[0])]))

    def rms(x):
        return float(np.sqrt(np.mean((A @ x - rhs) ** 2)))

    x0 = solve(0.0)
    k = int(np.count_nonzero(x0 > 1e-14 * max(x0.max(), 1e-300)))
    noise0 = float(np.sqrt(np.sum((A @ x0 - rhs) ** 2) / max(rhs.size - k, 1)))
    noise_used = noise0 if noise is None else float(noise)
    if alpha is not None:
        x = x0 if alpha == 0 else solve(float(alpha))
        return x, float(alpha), noise_used, rms(x)
    x, al = discrepancy_search(solve, rms, discrepancy * noise_used)
    return x, al, noise_used, rms(x)


class NewtonianKernel(Compute):
    """Memory kernel of one Newtonian SISF (module docstring); the result interface of
    :class:`~slowdyn.analysis.memory.spectral.SpectralKernel`.

    Parameters
    ----------
    q : float
        Wave number (> 0).
    kT_m : float
        ``k_B T/m`` (> 0); ``Omega_q^2 = q^2 kT_m``.
    noise : float, optional
        Noise of the SISF (default: estimated from the data).
    per_decade : float
        Kernel decay times per decade (log grid from ``extend[0]`` times the first positive
        data time to ``extend[1]`` times the last).
    extend : (float, float)
        Range of the decay-time grid relative to the data window.
    refine : int
        Gauss-Newton steps on the reconstruction error (module docstring); 0: the
        equation-error start only.
    sub : int
        Subintervals per data interval for the integrals of eq. (1) in the start (over the
        smoothing spline of the data, piecewise linear between the subdivision points).
    alpha : float, optional
        Tikhonov weight (default: discrepancy principle).
    discrepancy : float
        Target residual in units of the noise.
    onset : bool
        Add the kernel terms ``2 exp(-t/theta) - exp(-2t/theta)`` (zero slope at ``t = 0``, as the
        kernel of a smooth potential) to the exponentials.
    resolve : float
        Kernel terms with a decay time below ``resolve`` times the initial decay time
        ``1/sqrt(Omega^2 + m0)`` of the SISF (self-consistently with the ``m0`` of the rest) change
        the SISF only through their integral, so noise can give them a large amplitude: they are
        reported as :attr:`friction` and left out of :attr:`kernel` and :attr:`m0` (0: keep all).
        0.1 measured best (doc/dev/memory_newtonian_trials.md): 0.3 also cut the true fast term
        (decay time 0.02, 0.37 times the initial decay time) of a two-step kernel, m0 -62 ... -66 %
        instead of +12 ... +26 %; without the cut, spurious terms below the first lags put m0 of the ``onset``
        basis 50-60 % high. ``m0_at(0.3)`` against :attr:`m0` is the check that m0 is resolved.

    Examples
    --------
    >>> nk = NewtonianKernel(q=7.0, kT_m=1.24).compute(t, F)   # doctest: +SKIP
    >>> nk.m0, nk.m(t), nk.F_rec(t), nk.rmse, nk.noise, nk.consistency   # doctest: +SKIP
    >>> nk.m0_at(0.3), nk.friction, nk.band(t, n=20)                      # doctest: +SKIP
    """

    compute_hint = "compute(t, F)"

    def __init__(self, q: float, kT_m: float = 1.0, noise: float | None = None, per_decade: float = 10.0,
                 extend: tuple[float, float] = (0.3, 3.0), refine: int = 6, sub: int = 4,
                 alpha: float | None = None, discrepancy: float = 1.0, onset: bool = False,
                 resolve: float = 0.1) -> None:
        self.omega2 = omega2_of(q, kT_m)
        self.q, self.kT_m = float(q), float(kT_m)
        if noise is not None and not noise > 0:
            raise ValueError(f"the noise level must be > 0, got {noise}")
        if not per_decade > 0:
            raise ValueError(f"per_decade must be > 0, got {per_decade}")
        if not (0 < extend[0] <= 1 <= extend[1]):
            raise ValueError(f"extend must be (<= 1, >= 1), got {extend}")
        if refine < 0 or sub < 1:
            raise ValueError(f"refine must be >= 0 and sub >= 1, got {refine}, {sub}")
        if alpha is not None and not alpha >= 0:
            raise ValueError(f"alpha must be >= 0, got {alpha}")
        self.noise_given, self.per_decade, self.extend = noise, float(per_decade), (float(extend[0]), float(extend[1]))
        self.refine, self.sub, self.alpha, self.discrepancy = int(refine), int(sub), alpha, float(discrepancy)
        self.onset = bool(onset)
        if not resolve >= 0:
            raise ValueError(f"resolve must be >= 0, got {resolve}")
        self.resolve = float(resolve)

    def _check(self, t: np.ndarray, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        where = f"the SISF at q = {self.q:g}"
        if t[0] == 0:
            if abs(F[0] - 1.0) > 0.02:
                raise ValueError(f"{where} is not normalised: F(0) = {F[0]:.4g}, expected 1")
            t, F = t[1:], F[1:]
        ballistic = 1.0 - 0.5 * self.omega2 * t[0] ** 2
        if ballistic > 0.8 and abs(F[0] - ballistic) > 0.05:
            raise ValueError(f"{where} is not normalised or kT_m is wrong: F({t[0]:.3g}) = {F[0]:.4g}, while "
                             f"1 - q^2 kT_m t^2/2 = {ballistic:.4g} (F(0) must be 1)")
        if np.min(F) > 0.2:
            raise ValueError(f"{where} does not decay inside the time window: its smallest value is "
                             f"{np.min(F):.3g} (>= 0.2), so the long-time kernel is undetermined; use a longer "
                             "run or a larger q")
        return t, F

    def _smooth(self, t: np.ndarray, F: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The first guess of ``F`` inside the integrals: a smoothing spline in ``log t`` (GCV), continued
        to ``t = 0`` by ``1 - c t^2``.
        """
        from scipy.interpolate import make_smoothing_spline

        spline = make_smoothing_spline(np.log(t), F)
        out = np.empty_like(u)
        late = u >= t[0]
        out[late] = spline(np.log(u[late]))
        out[~late] = 1.0 - (1.0 - out[late][0]) * (u[~late] / t[0]) ** 2
        return out

    def compute(self, t, F, err=None) -> "NewtonianKernel":
        """Invert the Newtonian MZ equation for the SISF ``F`` sampled on ``t`` (``t[0] = 0`` or first lag).

        ``err`` (optional): the standard error of each point (finite, > 0 where ``t > 0``). The
        rows of the fit are then weighted by ``median(err)/err``, the noise estimate and the
        discrepancy principle work on the weighted residual (:attr:`noise` is in units of
        ``median(err)``), and :attr:`rmse` stays unweighted.
        """
        t, F = check_correlator(t, F)
        if err is not None:
            err = check_errors(t, err, f"the SISF at q = {self.q:g}")
            err = err[t > 0]
        self._err_given = err
        t, F = self._check(t, F)
        self._t, self._F = t, F
        wt = np.ones(t.size) if err is None else float(np.median(err)) / err
        theta = _tau_grid(t, None, self.extend, self.per_decade)
        nb = theta.size
        # kernel amplitudes on the rates Y = (y, 2y) are P x, x >= 0: exp(-y t) and, with onset,
        # 2 exp(-y t) - exp(-2 y t) (zero slope at t = 0, positive for all t)
        if self.onset:
            Y = np.concatenate([1.0 / theta, 2.0 / theta])
            P = np.block([[np.eye(nb), 2.0 * np.eye(nb)], [np.zeros((nb, nb)), -np.eye(nb)]])
            L = np.kron(np.eye(2), np.diff(np.eye(nb), 2, axis=0))
        else:
            Y, P, L = 1.0 / theta, np.eye(nb), np.diff(np.eye(nb), 2, axis=0)
        thetaY = 1.0 / Y
        tk = np.concatenate([[0.0], t])
        frac = np.arange(self.sub) / self.sub
        u = np.concatenate([(tk[:-1, None] + np.diff(tk)[:, None] * frac[None, :]).ravel(), tk[-1:]])
        at_data = np.arange(1, t.size + 1) * self.sub
        Fu = self._smooth(t, F, u)
        I0, G = _twice_integrated(u, Fu, Y)
        I0, G = I0[at_data], G[at_data] @ P
        # equation-error start; rows weighted by the growth of the twice-integrated terms
        wgt = wt / (1.0 + 0.5 * self.omega2 * t * t)
        x, alpha, noise, _ = _discrepancy_nnls(-G * wgt[:, None], (F - 1.0 + self.omega2 * I0) * wgt, L,
                                               self.noise_given, self.alpha, self.discrepancy)
        # output error: Gauss-Newton steps on F_rec(x) ~ F_k + S (x - x_k), S = dF_rec/dx
        Fk = solve_newtonian(ExponentialSum(P @ x, thetaY), self.omega2, t)
        for _ in range(self.refine):
            S = _sensitivity(P @ x, thetaY, self.omega2, t, Fk) @ P
            x_new, alpha, noise, _ = _discrepancy_nnls(wt[:, None] * S, wt * (F - Fk + S @ x), L, self.noise_given,
                                                       self.alpha, self.discrepancy)
            step = 1.0
            for _ in range(6):   # damped: never accept a step that raises the residual much
                trial = x + step * (x_new - x)
                F_trial = solve_newtonian(ExponentialSum(P @ trial, thetaY), self.omega2, t)
                if np.mean((wt * (F_trial - F)) ** 2) <= np.mean((wt * (Fk - F)) ** 2) * 1.5 + noise**2:
                    break
                step *= 0.5
            x, Fk = trial, F_trial
        full = ExponentialSum(P @ x, thetaY)
        # every basis function is 1 at t = 0, with the integral theta (exponential) or 1.5 theta (onset)
        self._th_x = np.concatenate([theta, theta]) if self.onset else theta
        self._area = np.concatenate([theta, 1.5 * theta]) if self.onset else theta
        self._x, self._full, self._P, self._thetaY = x, full, P, thetaY
        t_res = self._threshold(self.resolve)
        slow = self._th_x >= t_res
        self._t_resolve = t_res
        self._kernel = ExponentialSum(P[:, slow] @ x[slow], thetaY)
        self._friction = float(np.sum(x[~slow] * self._area[~slow]))
        self._alpha, self._noise = float(alpha), float(noise)
        self._Frec = Fk
        self._rmse = float(np.sqrt(np.mean((self._Frec - F) ** 2)))
        return self

    def _threshold(self, resolve: float) -> float:
        """``resolve/sqrt(Omega^2 + m0)``, with the ``m0`` of the terms at or above it (self-consistent):
        terms faster than the SISF's initial decay act only through their integral (friction).
        """
        t_res = 0.0
        for _ in range(50):
            m0 = float(np.sum(self._x[self._th_x >= t_res]))
            new = resolve / np.sqrt(self.omega2 + max(m0, 0.0))
            if new <= t_res * (1.0 + 1e-12):
                break
            t_res = new
        return float(t_res)

    def m0_at(self, resolve: float) -> float:
        """``m0`` of the same fit with another resolution factor (``resolve`` of the class): the
        relative difference to :attr:`m0` shows how much of ``m0`` sits in terms the data barely resolve.
        """
        if not self._called_compute:
            raise RuntimeError(f"{type(self).__name__}: call {self.compute_hint} first")
        if not resolve >= 0:
            raise ValueError(f"resolve must be >= 0, got {resolve}")
        return float(np.sum(self._x[self._th_x >= self._threshold(float(resolve))]))

    def band(self, t, n: int = 20, seed: int = 0, quantiles: tuple[float, float] = (0.025, 0.975)) -> dict:
        """Bootstrap band of the kernel: ``n`` refits of resampled data (as
        :meth:`SpectralKernel.band <slowdyn.analysis.memory.spectral.SpectralKernel>`).

        Each replica is the reconstructed SISF plus noise: Gaussian with the given standard
        errors where :meth:`compute` had them, else the residuals drawn with replacement
        (residual bootstrap, Efron & Tibshirani 1993, §9.5); it goes through the same fit.
        The band is the noise propagated through the fit, not the bias of its regularisation.

        Parameters
        ----------
        t : array_like
            Times of the band.
        n : int
            Number of refits (>= 2; each costs one :meth:`compute`).
        seed : int
            Seed of the resampling.
        quantiles : (float, float)
            Lower and upper quantile (default: the 95 % interval).

        Returns
        -------
        dict
            ``lo``, ``hi`` (kernel quantiles on ``t``), ``m0_lo``, ``m0_hi`` and ``m0`` (every refit's).
        """
        if not self._called_compute:
            raise RuntimeError(f"{type(self).__name__}: call {self.compute_hint} first")
        if int(n) < 2:
            raise ValueError(f"the bootstrap needs n >= 2 refits, got {n}")
        def refit(F):
            return NewtonianKernel(self.q, self.kT_m, noise=self.noise_given, per_decade=self.per_decade,
                                   extend=self.extend, refine=self.refine, sub=self.sub, alpha=self.alpha,
                                   discrepancy=self.discrepancy, onset=self.onset,
                                   resolve=self.resolve).compute(self._t, F, self._err_given)

        return bootstrap_band(refit, self._Frec, self._F, self._err_given, np.ones(self._F.size, dtype=bool), t, n,
                              seed, quantiles, self.q)

    @computed_property
    def kernel(self) -> ExponentialSum:
        """``m(t) = sum_j b_j exp(-t/theta_j)``, the resolved terms (``onset``: signed amplitudes)."""
        return self._kernel

    @computed_property
    def m0(self) -> float:
        """``m(q, 0)``: the sum of the amplitudes of the resolved terms (:attr:`kernel`)."""
        return float(np.sum(self._kernel.a))

    @computed_property
    def friction(self) -> float:
        """``sum b_j theta_j`` of the terms faster than :attr:`t_resolve_used` (left out of :attr:`kernel`
        and :attr:`m0`; they act as an instantaneous friction ``gamma F'``, and :meth:`F_rec` keeps them).
        """
        return self._friction

    @computed_property
    def t_resolve_used(self) -> float:
        """Shortest kernel decay time kept in :attr:`kernel`: ``resolve/sqrt(Omega^2 + m0)``."""
        return self._t_resolve

    @computed_property
    def omega2_used(self) -> float:
        """``Omega_q^2 = q^2 k_B T/m``."""
        return self.omega2

    @computed_property
    def noise(self) -> float:
        """Noise level used (estimated unless given)."""
        return self._noise

    @computed_property
    def rmse(self) -> float:
        """RMS difference between the reconstructed SISF (:meth:`F_rec`) and the data (positive times)."""
        return self._rmse

    @computed_property
    def noise_differences(self) -> float:
        """Model-free noise level of the data (:func:`~.spectral.noise_from_differences`)."""
        return noise_from_differences(self._F)

    @computed_property
    def consistency(self) -> float:
        """``rmse / noise_differences``: about 1 when the Newtonian MZ equation with a positive
        kernel reproduces the data to their noise; large for Brownian data, a wrong ``kT_m`` or
        normalisation.
        """
        return self._rmse / max(self.noise_differences, 1e-300)

    def m(self, t) -> np.ndarray:
        """The kernel on ``t``."""
        return self.kernel.f(np.asarray(t, dtype=float))

    def F_rec(self, t) -> np.ndarray:
        """The SISF that the Newtonian MZ equation gives with this kernel."""
        if not self._called_compute:
            raise RuntimeError(f"{type(self).__name__}: call {self.compute_hint} first")
        return solve_newtonian(self._full, self.omega2, np.asarray(t, dtype=float))

    def summary(self) -> dict[str, float]:
        """``m0``, ``rmse``, ``noise``, ``noise_differences``, ``consistency``, ``omega2``, ``friction``,
        ``t_resolve``, ``alpha``, ``n_terms`` (non-zero fitted coefficients).
        """
        return {"m0": self.m0, "rmse": self.rmse, "noise": self.noise, "noise_differences": self.noise_differences,
                "consistency": self.consistency, "omega2": self.omega2, "friction": self._friction,
                "t_resolve": self._t_resolve, "alpha": self._alpha,
                "n_terms": float(np.count_nonzero(self._x))}


__all__ = ["NewtonianKernel", "omega2_of", "solve_newtonian"]
