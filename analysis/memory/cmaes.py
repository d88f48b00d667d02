"""Memory kernels as sums of stretched exponentials fitted by CMA-ES
(Ciarella, Chiappini, Boattini, Mosayebi, Janssen, Mach. Learn.: Sci.
Technol. 4, 025010 (2023), eqs. 5-7).

The Brownian Mori-Zwanzig equation of a self-intermediate scattering
function (Granz 2026, eq. 4.21)::

    tau0 d_t phi(t) + phi(t) + int_0^t m(t - t') d_t' phi(t') dt' = 0,   tau0 = 1/(D0 q^2),

is closed with the memory kernel of Ciarella et al., eq. 6::

    m(t) = c + sum_i w_i { (1 - a_i) exp[-(t/tau_i)^b_i] + a_i }.

Only ``c + sum_i w_i a_i`` (the long-time constant) and ``A_i = w_i (1 - a_i)``
enter m(t), so the fit uses the identifiable form

    m(t) = c + sum_i A_i exp[-(t/tau_i)^b_i]

(:func:`ciarella_kernel` maps eq. 6 parameters onto it). CMA-ES (Hansen's
``cma`` package) minimises the squared difference between the solution and
the target SISF on the target's time points (eq. 7), optionally plus a Lasso
term ``l1 * sum |theta|`` on the internal parameters as in the paper. The
internal parameters are ``log A_i``, ``log tau_i``, ``log b_i`` and
``log(c + c_floor)``, so the amplitudes, times and exponents stay positive.

For binary mixtures (the paper's own setting) :func:`fit_memory_eq5` fits the
memory ``M`` of eq. (5), ``dF/dt + Omega^2 F + int M dF = 0``, which is the
equation above with ``tau0 = 1/Omega^2`` and ``m = M / Omega^2``;
:func:`fit_state_memory` does so for F_s^AA and F_s^BB of a library state
(:mod:`slowdyn.analysis.io.statepoints`), started from the MCT memory when
:mod:`slowdyn.analysis.mct.mixture` is available, and :func:`schematic_mct_check`
fits an MCT correlator and compares with its memory.

The MZ equation is solved by the package's one time-domain solver
(:func:`~slowdyn.analysis.memory.mz_time.solve_mz`, mctpy's) with a kernel that
depends on time only (one numba kernel for every parameter set, compiled once
per process).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from slowdyn.common.optional import require
from .mz_time import TimeKernel, solve_mz


def _cma():
    return require("cma", "the CMA-ES kernel fit", "mct")


def stretched_kernel(t, c: float, amplitudes, taus, betas) -> np.ndarray:
    """``m(t) = c + sum_i A_i exp[-(t/tau_i)^b_i]`` (numpy)."""
    t = np.asarray(t, dtype=float)
    m = np.full_like(t, float(c))
    for a, tau, b in zip(np.atleast_1d(amplitudes), np.atleast_1d(taus), np.atleast_1d(betas)):
        m += a * np.exp(-(t / tau) ** b)
    return m


def ciarella_kernel(t, c: float, w, a, tau, b) -> np.ndarray:
    """Ciarella et al. eq. 6: ``c + sum_i w_i {(1 - a_i) exp[-(t/tau_i)^b_i] + a_i}``."""
    w, a = np.atleast_1d(np.asarray(w, float)), np.atleast_1d(np.asarray(a, float))
    return stretched_kernel(t, c + float(np.sum(w * a)), w * (1 - a), tau, b)


@functools.lru_cache(maxsize=None)
def _kernel():
    nb = require("numba", "the CMA-ES kernel fit", "mct")

    @nb.njit
    def kernel(m, phi, i, t, params):
        # params = [c, A_1, tau_1, b_1, A_2, tau_2, b_2, ...]
        v = params[0]
        for k in range((params.shape[0] - 1) // 3):
            v += params[1 + 3 * k] * np.exp(-(t / params[2 + 3 * k]) ** params[3 + 3 * k])
        m[0] = v

    return kernel


@dataclass(frozen=True)
class TimeGrid:
    """mctpy time stepping (first step ``h``, ``blocksize``, ``blocks``)."""

    h: float = 1e-7
    blocksize: int = 128
    blocks: int = 44


def stretched_sisf(tau0: float, c: float, amplitudes, taus, betas, grid: TimeGrid = TimeGrid()) -> tuple:
    """``(t, phi)``: solution of the Brownian MZ equation with a stretched-exponential kernel
    (:func:`~slowdyn.analysis.memory.mz_time.solve_mz` on ``grid``, stopped once decayed; ``t > 0``).
    """
    if not tau0 > 0:
        raise ValueError(f"tau0 must be > 0, got {tau0}")
    amplitudes, taus, betas = (np.atleast_1d(np.asarray(x, float)) for x in (amplitudes, taus, betas))
    if not (len(amplitudes) == len(taus) == len(betas)):
        raise ValueError("amplitudes, taus and betas must have the same length")
    if np.any(taus <= 0) or np.any(betas <= 0):
        raise ValueError("stretched-exponential times and exponents must be > 0")
    params = np.concatenate([[float(c)], np.stack([amplitudes, taus, betas], axis=1).ravel()])
    kernel = TimeKernel(_kernel(), (params,), float(c + np.sum(amplitudes)))
    # mctpy's default per-step accuracy (1e-9), as the fits were made with
    t, phi = solve_mz(None, kernel, tau0, h=grid.h, blocksize=grid.blocksize, blocks=grid.blocks, accuracy=1e-9,
                      stop_on_zero=True)
    return t[1:], phi[1:]


def _on(t_target, t, y):
    return np.interp(np.log(t_target), np.log(t), y)


@dataclass
class StretchedFit:
    """Result of :func:`fit_stretched_kernel`.

    Attributes
    ----------
    c : float
        Long-time constant of the kernel.
    amplitudes, taus, betas : numpy.ndarray
        ``A_i``, ``tau_i``, ``b_i`` of the stretched exponentials (sorted by ``tau_i``).
    loss : float
        Mean squared SISF error on the target times (eq. 7 without the regulariser, per point).
    evaluations : int
        MZ solutions computed by CMA-ES.
    """

    c: float
    amplitudes: np.ndarray
    taus: np.ndarray
    betas: np.ndarray
    loss: float
    evaluations: int
    tau0: float
    grid: TimeGrid

    def kernel(self, t) -> np.ndarray:
        return stretched_kernel(t, self.c, self.amplitudes, self.taus, self.betas)

    def sisf(self, t) -> np.ndarray:
        """The fitted kernel's SISF at times ``t`` (log-time interpolation of the solution)."""
        ts, phi = stretched_sisf(self.tau0, self.c, self.amplitudes, self.taus, self.betas, self.grid)
        return _on(np.asarray(t, float), ts, phi)


def fit_stretched_kernel(t, sisf, tau0: float, n_exp: int = 1, x0: dict | None = None, sigma0: float = 0.5,
                         grid: TimeGrid = TimeGrid(), l1: float = 0.0, c_floor: float = 1e-6,
                         fit_constant: bool = False, maxfevals: int = 3000, tolfun: float = 1e-14,
                         seed: int = 1, popsize: int | None = None) -> StretchedFit:
    """Fit ``m(t) = c + sum_i A_i exp[-(t/tau_i)^b_i]`` by CMA-ES so that the MZ solution matches ``sisf``.

    Parameters
    ----------
    t, sisf : array_like
        Target SISF at times ``t > 0`` (e.g. a correlator from mctpy or a simulation).
    tau0 : float
        ``1/(D0 q^2)``.
    n_exp : int
        Number of stretched exponentials (Ciarella et al. find 2 sufficient near arrest).
    x0 : dict, optional
        Start: ``amplitudes``, ``taus``, ``betas`` lists (and ``c``). Default:
        amplitudes 5, exponents 1 and times 1, 0.01, ... times the target's
        1/e decay time.
    sigma0 : float
        Initial CMA-ES step in the internal (log) parameters.
    grid : TimeGrid
        Time stepping of the MZ solver (should cover the target's times).
    l1 : float
        Lasso weight on the internal parameters (Ciarella et al. regularise eq. 7 this way).
    fit_constant : bool
        Fit the constant ``c`` (a glass; otherwise ``c = 0``).
    maxfevals, tolfun, seed, popsize : CMA-ES options.
    """
    cma = _cma()
    t = np.asarray(t, dtype=float)
    y = np.asarray(sisf, dtype=float)
    if t.shape != y.shape or t.ndim != 1 or len(t) < 4:
        raise ValueError("t and sisf must be 1D arrays of the same length (>= 4 points)")
    if np.any(t <= 0):
        raise ValueError("fit_stretched_kernel needs times t > 0")
    if int(n_exp) < 1:
        raise ValueError(f"n_exp must be >= 1, got {n_exp}")
    n_exp = int(n_exp)
    if x0 is None:
        # decay time of the target; one exponential per decade below it
        below = np.flatnonzero(y < np.exp(-1.0))
        t_e = t[below[0]] if below.size else t[-1]
        x0 = {"amplitudes": [5.0] * n_exp,
              "taus": [t_e * 100.0 ** (-k) for k in range(n_exp)], "betas": [1.0] * n_exp, "c": 0.0}
    theta0 = np.log(np.concatenate([x0["amplitudes"], x0["taus"], x0["betas"]]).astype(float))
    if fit_constant:
        theta0 = np.append(theta0, np.log(float(x0.get("c", 0.0)) + c_floor))
    if len(theta0) != 3 * n_exp + int(fit_constant):
        raise ValueError("x0 lists must have n_exp entries each")

    def unpack(theta):
        e = np.exp(theta)
        amps, taus, betas = e[:n_exp], e[n_exp:2 * n_exp], e[2 * n_exp:3 * n_exp]
        c = e[-1] - c_floor if fit_constant else 0.0
        return max(c, 0.0), amps, taus, betas

    evals = [0]

    def loss(theta):
        evals[0] += 1
        c, a, ta, b = unpack(np.asarray(theta))
        if np.any(b > 5.0) or np.any(ta > 1e12) or np.any(a > 1e8):
            return 1e3
        ts, phi = stretched_sisf(tau0, c, a, ta, b, grid)
        if not np.all(np.isfinite(phi)):
            return 1e3
        err = float(np.mean((_on(t, ts, phi) - y) ** 2))
        return err + l1 * float(np.sum(np.abs(theta)))

    opts = {"maxfevals": int(maxfevals), "tolfun": float(tolfun), "tolx": 1e-12, "seed": int(seed),
            "verbose": -9}
    if popsize:
        opts["popsize"] = int(popsize)
    es = cma.CMAEvolutionStrategy(theta0, float(sigma0), opts)
    es.optimize(loss)
    best = np.asarray(es.result.xbest)
    c, a, ta, b = unpack(best)
    order = np.argsort(ta)
    ts, phi = stretched_sisf(tau0, c, a[order], ta[order], b[order], grid)
    final = float(np.mean((_on(t, ts, phi) - y) ** 2))
    return StretchedFit(c=float(c), amplitudes=a[order], taus=ta[order], betas=b[order], loss=final,
                        evaluations=int(evals[0]), tau0=float(tau0), grid=grid)


def eq6_from_fit(fit: StretchedFit, omega2: float) -> dict:
    """The paper's eq. (6) parameters ``(c, w_i, a_i, tau_i, b_i)`` of a fitted kernel, as memory ``M = Omega^2 m``.

    Eq. 6 is over-complete: ``w_i`` and ``a_i`` enter ``M(t)`` only through
    ``w_i (1 - a_i)`` and ``c + sum_i w_i a_i``, so the fit determines those
    combinations; this returns the representative with ``a_i = 0`` (the plateau
    carried by ``c``), which :func:`ciarella_kernel` maps back exactly.
    """
    n = len(fit.taus)
    return {"c": float(omega2 * fit.c), "w": [float(omega2 * a) for a in fit.amplitudes], "a": [0.0] * n,
            "tau": [float(x) for x in fit.taus], "b": [float(x) for x in fit.betas]}


def eq5_grid(t, omega2: float, m0: float = 0.0, blocksize: int = 64) -> TimeGrid:
    """A :class:`TimeGrid` for eq. (5) on the target times ``t``: first step ``1e-3 min(1/Omega^2, t_1)``
    divided by ``sqrt(1 + m(0))``, blocks to reach ``2 max(t)``.
    """
    t = np.asarray(t, float)
    h = 1e-3 * min(1.0 / omega2, float(np.min(t[t > 0]))) / np.sqrt(1.0 + max(m0, 0.0))
    blocks = 2 + int(np.ceil(np.log2(2.0 * float(np.max(t)) / (h * blocksize / 2))))
    return TimeGrid(h=float(h), blocksize=int(blocksize), blocks=int(blocks))


def x0_from_memory(t, memory, omega2: float, n_exp: int, fit_constant: bool = True) -> dict:
    """Start of :func:`fit_memory_eq5` from a known memory ``M(t)`` (e.g. MCT's): a least-squares fit of
    ``M / Omega^2`` by ``c + sum_i A_i exp[-(t/tau_i)^b_i]`` (log-spaced initial times), as the
    ``x0`` dict of :func:`fit_stretched_kernel`.
    """
    from scipy.optimize import least_squares

    t = np.asarray(t, float)
    m = np.asarray(memory, float) / omega2
    sel = (t > 0) & np.isfinite(m)
    t, m = t[sel], m[sel]
    if t.size < 3 * n_exp + 2:
        raise ValueError("the start memory has too few points for the stretched-exponential fit")
    c0 = max(float(m[-1]), 0.0) if fit_constant else 0.0
    span = max(float(m[0]) - c0, 1e-6)
    taus0 = np.logspace(np.log10(t[0] * 10), np.log10(t[-1] / 10), n_exp)
    theta0 = np.concatenate([np.log(np.full(n_exp, span / n_exp)), np.log(taus0), np.zeros(n_exp),
                             [np.log(c0 + 1e-6)] if fit_constant else []])

    def resid(theta):
        e = np.exp(theta)
        c = e[-1] - 1e-6 if fit_constant else 0.0
        return (stretched_kernel(t, c, e[:n_exp], e[n_exp:2 * n_exp], np.minimum(e[2 * n_exp:3 * n_exp], 5.0))
                - m) / max(float(np.max(np.abs(m))), 1e-12)

    e = np.exp(least_squares(resid, theta0).x)
    return {"amplitudes": list(e[:n_exp]), "taus": list(e[n_exp:2 * n_exp]),
            "betas": list(np.minimum(e[2 * n_exp:3 * n_exp], 5.0)),
            "c": float(max(e[-1] - 1e-6, 0.0)) if fit_constant else 0.0}


@dataclass
class Eq5Fit:
    """A memory function of eq. (5) fitted by CMA-ES to one F_s^aa(k_p, t).

    Attributes
    ----------
    species : str
        ``"AA"`` or ``"BB"``.
    omega2 : float
        ``Omega^2_aa(k_p)`` of eq. (5).
    f0 : float
        ``F_s^aa(k_p, 0)`` (eq. 1: ``S^aa(k_p)``); the fit is made on ``F / f0``.
    fit : StretchedFit
        The kernel ``m = M / Omega^2`` in the Brownian form of :func:`fit_stretched_kernel` (``tau0 = 1/Omega^2``).
    start : str
        Where CMA-ES started (``"mct"``, ``"default"``, ``"given"``).
    """

    species: str
    omega2: float
    f0: float
    fit: StretchedFit
    start: str

    def memory(self, t) -> np.ndarray:
        """``M^aa(k_p, t)`` of eq. (6)."""
        return self.omega2 * self.fit.kernel(t)

    def fs(self, t) -> np.ndarray:
        """F_s^aa(k_p, t) of eq. (5) with the fitted memory (eq. 1 normalisation)."""
        return self.f0 * self.fit.sisf(t)

    def parameters(self) -> dict:
        """Eq. (6) parameters (see :func:`eq6_from_fit`)."""
        return eq6_from_fit(self.fit, self.omega2)


def fit_memory_eq5(t, fs, omega2: float, n_exp: int = 2, f0: float | None = None, x0: dict | None = None,
                   start: str = "given", species: str = "AA", grid: TimeGrid | None = None,
                   fit_constant: bool = True, **cma_kwargs) -> Eq5Fit:
    """Fit the memory of Ciarella et al.'s eq. (5) by CMA-ES (eq. 7) with the eq. (6) parametrisation.

    Eq. (5) for a diagonal ``F_s^ab`` (``F_s^ab = 0`` for ``a != b``),
    ``dF/dt + Omega^2 F + int_0^t M(t - s) dF/ds ds = 0``, is the Brownian MZ
    equation of :func:`fit_stretched_kernel` with ``tau0 = 1/Omega^2`` and
    ``m = M / Omega^2``; it is linear in ``F``, so it is solved for ``F / f0``.

    Parameters
    ----------
    t, fs : array_like
        Target F_s^aa(k_p, t) at times ``t > 0``.
    omega2 : float
        ``Omega^2`` (> 0).
    n_exp : int
        Number of stretched exponentials (``N_exp``).
    f0 : float, optional
        ``F(0)`` (default: ``fs[0]``; a library state's ``S^aa(k_p)``).
    x0 : dict, optional
        Start in :func:`fit_stretched_kernel`'s form (e.g. :func:`x0_from_memory` of MCT's memory).
    grid : TimeGrid, optional
        Default :func:`eq5_grid`.
    cma_kwargs
        Further :func:`fit_stretched_kernel` options (``sigma0``, ``maxfevals``, ``l1``, ``seed``, ``popsize``).
    """
    t = np.asarray(t, float)
    y = np.asarray(fs, float)
    if not omega2 > 0:
        raise ValueError(f"Omega^2 must be > 0, got {omega2}")
    if t.shape != y.shape or t.ndim != 1:
        raise ValueError("t and fs must be 1D arrays of the same length")
    sel = (t > 0) & np.isfinite(y)
    f0 = float(y[sel][0] if f0 is None else f0)
    if not f0 > 0:
        raise ValueError(f"F(0) must be > 0, got {f0}")
    m0 = 0.0 if x0 is None else float(x0.get("c", 0.0) + np.sum(x0["amplitudes"]))
    grid = grid or eq5_grid(t[sel], omega2, m0)
    fit = fit_stretched_kernel(t[sel], y[sel] / f0, 1.0 / omega2, n_exp=n_exp, x0=x0, grid=grid,
                               fit_constant=fit_constant, **cma_kwargs)
    return Eq5Fit(species=species, omega2=float(omega2), f0=f0, fit=fit, start=start if x0 is not None else "default")


def default_omega2(state) -> float:
    """``Omega^2 = k_p^2 T / m`` (unit masses): the free-particle rate of the first-order eq. (5)."""
    return float(state.kp ** 2 * state.T)


def mct_start(state, n_exp: int, omega2: float, species: Sequence[str] = ("AA", "BB")) -> dict:
    """``{species: (x0, "mct")}`` from the MCT memory of ``state`` (one MCT solve for all species), or
    ``{species: (None, reason)}`` when that is not available (then the MCT-free default start is used).

    ``slowdyn.analysis.mct.mixture.tagged_memory(state, D0=...)`` returns ``(t, m_AA, m_BB)``, the
    dimensionless kernels of ``tau d_t phi + phi + int m d_t' phi = 0`` with ``tau = 1/(D0 k_p^2)``; with
    ``D0 = Omega^2 / k_p^2`` that is eq. (5) with ``M = Omega^2 m``.
    """
    try:
        from ..mct.mixture import tagged_memory
    except ImportError as exc:
        return {sp: (None, f"default (no MCT memory: {exc})") for sp in species}
    tm, m_aa, m_bb = tagged_memory(state, D0=omega2 / state.kp ** 2)
    return {sp: (x0_from_memory(tm, omega2 * np.asarray(m_aa if sp == "AA" else m_bb, float), omega2, n_exp), "mct")
            for sp in species}


def fit_state_memory(state, n_exp: int = 2, species: Sequence[str] = ("AA", "BB"), omega2: float | None = None,
                     start: str = "mct", **kwargs) -> dict:
    """The eq. (5)-(7) memory functions of one library state (:class:`~slowdyn.analysis.io.statepoints.StatePoint`).

    ``F_s^ab = 0`` for ``a != b`` makes eq. (5) diagonal: the AA and BB equations
    involve only ``M^AA`` and ``M^BB`` and the loss (7) is a sum of the two, so they
    are fitted independently; ``M^AB`` does not enter (the AB equation then only
    says that ``M^AB`` must vanish) and is not fitted.

    Parameters
    ----------
    state : StatePoint
        Needs F_s.
    omega2 : float, optional
        ``Omega^2`` (default :func:`default_omega2`).
    start : {"mct", "default"}
        CMA-ES start: the MCT memory (:func:`mct_start`, falling back to the default) or the MCT-free default.
    kwargs
        :func:`fit_memory_eq5` options.

    Returns
    -------
    dict
        ``species -> Eq5Fit``.
    """
    if not state.has_dynamics:
        raise ValueError(f"state {state.name} has no F_s (fs.dat): no memory function can be fitted")
    omega2 = default_omega2(state) if omega2 is None else float(omega2)
    starts = ({sp: (None, "default") for sp in species} if start == "default"
              else mct_start(state, n_exp, omega2, species))
    out = {}
    for sp in species:
        i = {"AA": 0, "BB": 1}[sp]
        x0, how = starts[sp]
        f0 = float(np.interp(state.kp, state.k, state.S[0 if sp == "AA" else 2]))
        out[sp] = fit_memory_eq5(state.t, state.fs[i], omega2, n_exp=n_exp, f0=f0, x0=x0, start=how, species=sp,
                                 **kwargs)
        out[sp].start = how
    return out


def fit_scores(fits: dict, state) -> dict:
    """R^2 (as printed and standard) of the eq. (5) solutions against the state's F_s, per species and pooled."""
    from ..structure_dynamics.fs_network import r2_printed, r2_standard

    sel = state.t > 0
    preds, truths, out = [], [], {}
    for sp, f in fits.items():
        i = 0 if sp == "AA" else 1
        p, y = f.fs(state.t[sel]), state.fs[i, sel]
        out[f"r2_printed_{sp}"], out[f"r2_standard_{sp}"] = r2_printed(p, y), r2_standard(p, y)
        preds.append(p)
        truths.append(y)
    out["r2_printed"] = r2_printed(np.concatenate(preds), np.concatenate(truths))
    out["r2_standard"] = r2_standard(np.concatenate(preds), np.concatenate(truths))
    return out


def schematic_mct_check(v2: float = 3.9, n_exp: int = 2, start: str = "default", n_points: int = 60,
                        **kwargs) -> dict:
    """CMA-ES on an MCT correlator returns the MCT memory (Ciarella et al., §2.2 and SI).

    The schematic F2 model (:class:`slowdyn.analysis.mct.schematic.F2`: eq. (5)
    with ``Omega^2 = 1`` and ``M = v2 phi^2``) gives a correlator and its exact
    MCT memory; :func:`fit_memory_eq5` is fitted to the correlator (``n_points``
    log-spaced times) and its memory is compared with ``v2 phi^2``.

    Parameters
    ----------
    start : {"default", "mct"}
        The MCT-free default start, or the paper's start from (a stretched-exponential fit of) the MCT memory.

    Returns
    -------
    dict
        ``fit`` (Eq5Fit), ``t``, ``phi``, ``m_mct``, ``m_fit``, ``kernel_rel_rmse`` (RMS over ``t``, relative
        to ``M(0) = v2``), ``kernel_rel_rmse_late`` (the same for ``t > 1``, beyond the microscopic time
        ``1/Omega^2``), ``sisf_rmse``.
    """
    from ..mct.schematic import F2

    model = F2(float(v2))
    ts, phis = model.solve(h=1e-6, blocksize=64, blocks=36)
    keep = (ts > 1e-3) & (phis > 1e-3)
    t = np.logspace(np.log10(ts[keep][0]), np.log10(ts[keep][-1]), int(n_points))
    phi = np.interp(np.log(t), np.log(ts[ts > 0]), phis[ts > 0])
    m_mct = model.kernel(phi)
    x0 = x0_from_memory(t, m_mct, 1.0, n_exp, fit_constant=False) if start == "mct" else None
    fit = fit_memory_eq5(t, phi, 1.0, n_exp=n_exp, f0=1.0, x0=x0, start=start, fit_constant=False, **kwargs)
    m_fit = fit.memory(t)
    return {"fit": fit, "t": t, "phi": phi, "m_mct": m_mct, "m_fit": m_fit,
            "kernel_rel_rmse": float(np.sqrt(np.mean((m_fit - m_mct) ** 2)) / float(v2)),
            "kernel_rel_rmse_late": float(np.sqrt(np.mean((m_fit - m_mct)[t > 1.0] ** 2)) / float(v2)),
            "sisf_rmse": float(np.sqrt(fit.fit.loss))}


def _errors(kref, k, sisf=None, sisf_est=None) -> dict:
    nan = float("nan")
    d = nan if kref is None else np.sqrt(np.mean((k - kref) ** 2))
    out = {"kernel_rmse": float(d), "kernel_rel_rmse": nan if kref is None else float(d / abs(kref[0])),
           "sisf_rmse": nan}
    if sisf_est is not None:
        out["sisf_rmse"] = float(np.sqrt(np.mean((np.asarray(sisf_est, float) - sisf) ** 2)))
    return out


def compare_kernels(t, sisf, kernel_ref, tau0: float, methods: dict | None = None,
                    fit: dict | bool | None = None) -> dict:
    """Kernel and SISF errors of the CMA-ES fit (and of other kernel estimators) against a reference.

    Parameters
    ----------
    t, sisf, kernel_ref : array_like
        Target SISF and its reference kernel (e.g. MCT's own) at times ``t``;
        ``kernel_ref=None`` where no reference is known (a simulation): the
        kernel errors are NaN, the SISF errors are measured.
    tau0 : float
        ``1/(D0 q^2)``.
    methods : dict, optional
        Extra estimators ``name -> callable(t, sisf, tau0)``, each with its own row.
        The callable returns either the kernel at ``t`` (``sisf_rmse`` NaN) or a
        dict ``{"t": t_kernel, "kernel": m, "sisf": F_rec}``: the kernel on its
        own grid (interpolated in log t onto ``t``) and the SISF its MZ solution
        gives at ``t`` (:func:`memory_pipeline_estimator` is the one of the
        memory-kernel pipeline of :mod:`slowdyn.analysis.memory`).
    fit : dict, optional
        :func:`fit_stretched_kernel` keyword arguments; ``fit=False`` skips the
        CMA-ES row.

    Returns
    -------
    dict
        ``name -> {"kernel_rmse", "kernel_rel_rmse", "sisf_rmse", ...}``; the
        relative kernel error is normalised by ``kernel_ref[0]``; the CMA-ES
        row carries its :class:`StretchedFit` under ``"fit"``, the pipeline
        rows what their estimator returned besides the kernel (e.g. ``m0``).
    """
    t = np.asarray(t, float)
    y = np.asarray(sisf, float)
    kref = None if kernel_ref is None else np.asarray(kernel_ref, float)
    if not (t.ndim == 1 and t.shape == y.shape and (kref is None or kref.shape == t.shape)):
        raise ValueError(f"t, sisf and kernel_ref must be 1D arrays of one length, got {t.shape}, {y.shape}, "
                         f"{None if kref is None else kref.shape}")
    rows = {}
    if fit is not False:
        f = fit_stretched_kernel(t, y, tau0, **(fit or {}))
        rows["cmaes"] = {**_errors(kref, f.kernel(t)), "sisf_rmse": float(np.sqrt(f.loss)), "fit": f}
    for name, method in (methods or {}).items():
        est = method(t, y, tau0)
        if isinstance(est, dict):
            tk, mk = np.asarray(est["t"], float), np.asarray(est["kernel"], float)
            k = np.interp(np.log(t), np.log(tk[tk > 0]), mk[tk > 0])
            rows[name] = {**_errors(kref, k, y, est.get("sisf")),
                          **{key: v for key, v in est.items() if key not in ("t", "kernel", "sisf")}}
        else:
            rows[name] = _errors(kref, np.asarray(est, float))
    return rows


def memory_pipeline_estimator(q: float, D0: float = 1.0, method: str | None = None, m0="iterative",
                              cut: float = 1e-3, **kwargs):
    """The memory-kernel pipeline (:class:`slowdyn.analysis.memory.KernelSet` of one wave number) as a
    :func:`compare_kernels` estimator.

    Parameters
    ----------
    q, D0 : float
        Wave number and short-time diffusion coefficient (``tau0 = 1/(D0 q^2)``
        must equal the ``tau0`` the estimator is called with).
    method : str, optional
        Inversion method (default ``MemoryKernel``'s, ``nnlt_tails``; e.g. ``nnls``).
    m0 : str, float or callable
        ``"iterative"``, ``"asymptotic"``, ``"kk"``, a number, or
        ``callable(t, sisf) -> m0`` (e.g. the reference kernel's initial value).
    cut : float
        Noise level of the pipeline (the SISF is continued below it).
    kwargs
        Further :class:`~slowdyn.analysis.memory.KernelSet` arguments (``model``, ``noise``, ``nnls``,
        ``solver``, ``search``).

    Returns
    -------
    callable
        ``(t, sisf, tau0) -> {"t", "kernel", "sisf", "m0"}``: the kernel on
        the pipeline's time grid and its MZ solution on ``t``.
    """
    from .kernels import DEFAULT_METHOD
    from .kernelset import KernelSet
    from .mz_laplace import tau0_of

    def estimate(t, sisf, tau0):
        if not np.isclose(tau0_of(q, D0), tau0, rtol=1e-10):
            raise ValueError(f"the pipeline's tau0 = 1/(D0 q^2) = {tau0_of(q, D0):.6g} differs from the comparison's "
                             f"tau0 = {tau0:.6g}; give the same q and D0")
        ks = KernelSet(D0, method or DEFAULT_METHOD, m0=m0(t, sisf) if callable(m0) else m0, cut=cut,
                       **kwargs).compute({q: (t, sisf)})
        tk, m = ks.kernel(q)
        return {"t": tk, "kernel": m, "sisf": ks.reconstruct(q, t_out=t), "m0": float(ks.m0()[0])}

    return estimate
