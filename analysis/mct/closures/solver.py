"""Learned closures inside the Mori-Zwanzig solver: time-domain correlators,
non-ergodicity parameters and critical packing fractions (Granz 2026, §4.5.2).

The network closure ``m_phi[S]`` on its wave numbers ``q_1..q_9`` closes the
tagged-particle MZ equation on those wave numbers alone::

    tau_s(q) d_t S(q, t) + S(q, t) + int_0^t m(q, t - t') d_t' S(q, t') dt' = 0,
    m(q, t) = m_phi[S(., t)](q),   tau_s(q) = 1/(D_0 q^2).

It is handed to mctpy's block solver as a model with ``W_q = 1``,
``B_q = tau_s(q)``. The network is NOT called through torch inside the
solver: its weights are exported to numpy arrays and evaluated by a numba
function (:func:`mlp_kernel`), which mctpy's jitted solver calls directly.

The non-ergodicity parameter of the closure solves ``f / (1 - f) = m[f]``
(eq. 4.60), by the fixed-point iteration of the MCT package
(:func:`~slowdyn.analysis.mct.critical.nonergodicity_parameter`); the critical
packing fraction is its bisection (:func:`~slowdyn.analysis.mct.critical.critical_point`).
The hard-disk MCT it is compared with is
:class:`~slowdyn.analysis.mct.hard_disks.HardDisks2D`.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from slowdyn.common.optional import require
from .._mctpy import mctpy
from ..critical import bisect_transition, critical_point, nonergodicity_parameter
from ..hard_disks import CLOSURE_GRID


def _numba():
    return require("numba", "the closure solver", "mct")


# ---------------------------------------------------------------------------------------------
# the network closure inside mctpy
# ---------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def mlp_kernel():
    """The numba kernel ``kernel(m, phi, i, t, state, Ws, bs, shift, scale, out_scale)``.

    Evaluates the exported network (tanh hidden layers, modified-ELU output,
    see :mod:`.network`) on ``(phi, state)`` and writes the kernel into ``m``.
    """
    nb = _numba()

    @nb.njit
    def kernel(m, phi, i, t, state, ws, bs, shift, scale, out_scale):
        n = phi.shape[0]
        x = np.empty(n + state.shape[0])
        x[:n] = phi
        x[n:] = state
        h = (x - shift) / scale
        last = len(ws) - 1
        for layer in range(last):
            h = np.tanh(np.dot(ws[layer], h) + bs[layer])
        z = np.dot(ws[last], h) + bs[last]
        for k in range(m.shape[0]):
            zk = z[k]
            m[k] = (zk if zk >= 1.0 else np.exp(zk - 1.0)) * out_scale[k]

    return kernel


def closure_model(weights: dict, q, state, D0: float = 1.0):
    """An mctpy model whose memory kernel is the exported network at ``state``.

    Parameters
    ----------
    weights : dict
        :func:`~slowdyn.analysis.mct.closures.network.export_weights` output.
    q : array_like
        The network's wave numbers (``tau_s = 1/(D0 q^2)``).
    state : float or array_like
        Control parameters (the packing fraction).
    """
    mct = mctpy()
    q = np.asarray(q, dtype=float)
    state = np.atleast_1d(np.asarray(state, dtype=float))
    if len(q) != weights["n_q"]:
        raise ValueError(f"the closure network has {weights['n_q']} wave numbers, got q grid of length {len(q)}")
    if len(state) != weights["n_state"]:
        raise ValueError(f"the closure network takes {weights['n_state']} state parameter(s), got {len(state)}")
    ws = tuple(np.ascontiguousarray(w, dtype=float) for w in weights["W"])
    bs = tuple(np.ascontiguousarray(b, dtype=float) for b in weights["b"])
    extra = [state, ws, bs, np.asarray(weights["in_shift"], float), np.asarray(weights["in_scale"], float),
             np.asarray(weights["out_scale"], float)]

    class ClosureModel(mct.__util__.model_base):
        def __len__(self):
            return len(q)

        def Wq(self):
            return np.ones(len(q))

        def Bq(self):
            return 1.0 / (D0 * q ** 2)

        def make_kernel(self):
            return mlp_kernel()

        def kernel_extra_args(self):
            return extra

    return ClosureModel()


def closure_nonergodicity(weights: dict, q, state, accuracy: float = 1e-12, maxiter: int = 200_000) -> dict:
    """``f / (1 - f) = m_state[f]`` for the network closure (see :func:`nonergodicity_parameter`)."""
    return nonergodicity_parameter(closure_model(weights, q, state), accuracy, maxiter)


def closure_critical_packing(weights: dict, q, lo: float = 0.6, hi: float = 0.75, tol: float = 1e-5,
                             threshold: float = 0.1, maxiter: int = 200_000,
                             state_of: Callable[[float], object] | None = None) -> float:
    """Critical packing fraction of a learned closure: bisection on ``max_q f(q) > threshold``.

    The learned kernel at ``S = 0`` is small but not exactly zero, so the
    liquid solution has a small positive ``f``; the default threshold 0.1
    separates it from the glass branch (``f(q = 2) ~ 0.97`` at the transition).
    ``state_of(p)`` maps the bisection variable to the network's state
    (default: the packing fraction itself; e.g. ``lambda v1: (v1, v2)`` for
    a point of the F12 critical line at fixed ``v2``).
    """
    def f(p: float) -> np.ndarray:
        return closure_nonergodicity(weights, q, p if state_of is None else state_of(p), 1e-10, maxiter)["f"]

    return critical_point(f, lo, hi, tol, threshold)


def closure_correlator(weights: dict, q, state, grid=None) -> dict:
    """Time-domain solution of the MZ equation closed by the network.

    Returns ``{"t", "sisf" (T, n_q), "kernel" (T, n_q)}`` on the time grid of
    ``grid`` (a :class:`~slowdyn.analysis.mct.hard_disks.HardDiskGrid`, default
    :data:`~slowdyn.analysis.mct.hard_disks.CLOSURE_GRID`; its h, blocksize and blocks are used).
    """
    mct = mctpy()
    grid = grid or CLOSURE_GRID
    c = mct.correlator(model=closure_model(weights, q, state), store=True, h=grid.h,
                       blocksize=grid.blocksize, blocks=grid.blocks, motion_type="brownian")
    c.solve_all(stop_on_zero=True)
    t = np.asarray(c.t, dtype=float)
    stop = 1 + int(np.flatnonzero(t > 0)[-1])
    keep = np.zeros(len(t), dtype=bool)
    keep[1:stop] = np.diff(t[:stop]) > 0
    return {"t": t[keep], "sisf": np.asarray(c.phi)[keep], "kernel": np.asarray(c.m)[keep]}


def extrapolate_arrest(weights: dict, q, packings, train_max: float | None = None, threshold: float = 0.1,
                       tol: float = 1e-5, maxiter: int = 200_000,
                       state_of: Callable[[float], object] | None = None) -> dict:
    """Non-ergodicity parameters of a learned closure over a scan of packing fractions (typically
    beyond its training range) and the arrest density of the closure (Granz 2026, §4.5.3, Fig. 4.40).

    Parameters
    ----------
    weights : dict
        Exported network.
    q : array_like
        Its wave numbers.
    packings : array_like
        The scan (sorted here); at least two values.
    train_max : float, optional
        Densest training state: scan points above it are flagged ``extrapolated``.
    threshold : float
        A state counts as arrested when ``max_q f(q) > threshold`` (see
        :func:`closure_critical_packing`).
    tol : float
        Width of the final bisection bracket of the arrest density.
    state_of : callable, optional
        Maps the scan variable to the network's state (default: the packing fraction).

    Returns
    -------
    dict
        ``packing`` (n,), ``f`` (n, n_q), ``max_f``, ``arrested`` and
        ``extrapolated`` (n,) arrays, ``phi_c``: the bisected arrest density
        between the last ergodic and the first arrested scan point (None if
        the scan never arrests or is arrested from its first point; ``note``
        says which), ``f_c``: f(q) just above ``phi_c`` (at ``phi_c + tol``),
        ``train_max``, ``threshold``.
    """
    p = np.sort(np.asarray(packings, dtype=float).ravel())
    if p.size < 2:
        raise ValueError("extrapolate_arrest needs at least two packing fractions to scan")
    if not threshold > 0:
        raise ValueError(f"threshold must be > 0, got {threshold}")

    def state(x: float):
        return x if state_of is None else state_of(x)

    def f_at(x: float) -> np.ndarray:
        return closure_nonergodicity(weights, q, state(x), 1e-10, maxiter)["f"]

    f = np.array([f_at(x) for x in p])
    max_f = f.max(axis=1)
    arrested = max_f > threshold
    out = {"packing": p, "f": f, "max_f": max_f, "arrested": arrested,
           "extrapolated": p > train_max if train_max is not None else np.zeros(p.size, dtype=bool),
           "train_max": train_max, "threshold": float(threshold), "phi_c": None, "f_c": None, "note": ""}
    hits = np.flatnonzero(arrested)
    if not hits.size:
        out["note"] = f"no arrest up to {p[-1]:g} (max_q f <= {threshold:g})"
    elif hits[0] == 0:
        out["note"] = f"arrested already at the first scan point {p[0]:g}; start the scan lower"
    else:
        k = int(hits[0])
        pc = bisect_transition(lambda x: float(np.max(f_at(x))) > threshold, float(p[k - 1]), float(p[k]), tol)
        out["phi_c"], out["f_c"] = pc, f_at(pc + tol)
        if not np.all(arrested[k:]):
            out["note"] = "not arrested at every scan point above phi_c (a re-entrant closure)"
    return out
