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

The MZ equation is solved by the package's one time-domain solver
(:func:`~slowdyn.analysis.memory.mz_time.solve_mz`, mctpy's) with a kernel that
depends on time only (one numba kernel for every parameter set, compiled once
per process).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

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
