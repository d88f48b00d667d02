"""Critical points of mode-coupling models (Götze 2009; Granz 2026, §4.1.6, §4.2.5).

On the type-B part of the F12 bifurcation line (``1/4 <= v2c <= 4``,
``v1c = 2 sqrt(v2c) - v2c``, eq. 4.33) the plateau and the exponent parameter
are closed-form: with ``x = 1 - f``, the bifurcation equation
``1/x = v1 + v2 (1 - x)`` and the critical condition ``1/x^2 = v1 + 2 v2 (1 - x)``
give ``x_c^2 = 1/v2c`` and ``lambda = v2c x_c^3``, so ``1 - f_c = lambda = 1/sqrt(v2c)``.
The exponents ``a`` (critical decay) and ``b`` (von Schweidler) follow from
``lambda = Gamma(1-a)^2/Gamma(1-2a) = Gamma(1+b)^2/Gamma(1+2b)`` (``mctpy.exponents``).

:func:`nonergodicity_parameter` solves ``f / (1 - f) = m[f]`` (eq. 4.60) for
any mctpy-style model by the monotone fixed-point iteration
``f <- M[f] / (W + M[f])`` from ``f = 1``, which converges to the largest
solution, the physical one. :func:`critical_point` finds the glass transition
of a model family in one control parameter by bisection on it, e.g. the
packing fraction of :class:`~slowdyn.analysis.mct.hard_disks.HardDisks2D`
(whose transition depends on its q grid: 0.69035 on ``0.4 (k + 1/4)``,
0.68918 on ``0.5 (k + 1)``).
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from slowdyn.common.optional import require
from ._mctpy import mctpy

# Granz 2026, Tab. 4.2: critical points (v1c, v2c) along the F12 bifurcation line
F12_CRITICAL_POINTS = ((0.000000, 4.000000), (0.242887, 3.497357), (0.439480, 3.057877),
                       (0.596621, 2.673622), (0.720224, 2.337653), (0.815400, 2.043902),
                       (0.886558, 1.787064), (1.000000, 0.000000))


def f12_critical(v2c: float) -> tuple[float, float] | None:
    """``(f_c, lambda)`` at the type-B critical point with vertex ``v2c``; None for type A (v2c < 1/4)."""
    if v2c < 0.25:
        return None
    lam = 1.0 / np.sqrt(v2c)
    return 1.0 - lam, lam


def mct_exponents(lam: float) -> tuple[float, float]:
    """Critical-decay and von Schweidler exponents ``(a, b)`` of ``lambda`` from mctpy.

    mctpy solves the exponent equations on (1/2, 1); the F2 point lambda = 1/2
    (a = 0.3953, b = 1) is its closed end, taken as 1/2 + 1e-12.
    """
    a, b = mctpy().exponents(min(max(float(lam), 0.5 + 1e-12), 1.0 - 1e-12))
    return float(a), float(b)


@functools.lru_cache(maxsize=None)
def _fixed_point():
    nb = require("numba", "the non-ergodicity parameter", "mct")

    @nb.njit
    def iterate(kernel, f, m, w, accuracy, maxiter, *args):
        n = f.shape[1]
        new = np.ones(n)
        it = 0
        while it < maxiter:
            f[0, :] = new
            kernel(m[0], f[0], 0, 0.0, *args)
            new = m[0] / (w + m[0])
            it += 1
            if np.max(np.abs(new - f[0])) <= accuracy:
                f[0, :] = new
                return it, True
        f[0, :] = new
        return it, False

    return iterate


def nonergodicity_parameter(model, accuracy: float = 1e-12, maxiter: int = 1_000_000) -> dict:
    """Non-ergodicity parameter of an mctpy-style model by fixed-point iteration from ``f = 1``.

    Parameters
    ----------
    model : mctpy model
        Anything with ``get_kernel()``, ``Wq()``, ``kernel_extra_args()``,
        ``set_base(array)`` and ``len()`` (mctpy's models, the hard-disk models
        of :mod:`.hard_disks`, the learned closures). For a tagged model the
        collective base must hold its own non-ergodicity parameter first
        (:meth:`~slowdyn.analysis.mct.hard_disks.HardDisks2D.tagged_nonergodicity` does this).
    accuracy : float
        Stop when ``max |f_new - f| <= accuracy``.
    maxiter : int
        Iteration limit (close to the critical point convergence is slow).

    Returns
    -------
    dict
        ``f`` (n,), normalised kernel ``m = M / W`` at ``f``, ``iterations``, ``converged``.
        Matrix models (``model.scalar()`` False, e.g. mixtures): ``f`` and ``m = W^-1 M``
        are ``(n, d, d)``; the iteration is ``F <- (W + M[F])^-1 M[F] phi0`` from
        ``F = phi0`` (``phi0 = S(q)``), the matrix form of eq. 4.60.
    """
    n = len(model)
    if not getattr(model, "scalar", lambda: True)():
        d = model.matrix_dimension()
        f = np.zeros((1, n, d, d))
        m = np.zeros((1, n, d, d))
        model.set_base(f.reshape(1, -1))
        w = np.ascontiguousarray(np.asarray(model.Wq(), dtype=float).reshape(n, d, d))
        phi0 = np.ascontiguousarray(np.asarray(model.phi0(), dtype=float).reshape(n, d, d))
        kernel, args = model.get_kernel(), model.kernel_extra_args()
        it, ok = 0, False
        new = phi0.copy()
        while it < maxiter and not ok:   # the kernel dominates: a Python loop (no second compiled solver)
            f[0] = new
            kernel(m[0], f[0], 0, 0.0, *args)
            new = np.linalg.solve(w + m[0], m[0] @ phi0)
            it += 1
            ok = bool(np.max(np.abs(new - f[0])) <= accuracy)
        f[0] = new
        return {"f": f[0].copy(), "m": np.linalg.solve(w, m[0]), "iterations": int(it), "converged": bool(ok)}
    f = np.zeros((1, n))
    m = np.zeros((1, n))
    model.set_base(f)
    w = np.asarray(model.Wq(), dtype=float) * np.ones(n)
    it, ok = _fixed_point()(model.get_kernel(), f, m, w, float(accuracy), int(maxiter),
                            *model.kernel_extra_args())
    return {"f": f[0].copy(), "m": m[0] / w, "iterations": int(it), "converged": bool(ok)}


def bisect_transition(arrested: Callable[[float], bool], low: float, high: float, tol: float = 1e-5) -> float:
    """Bisection for the control parameter where ``arrested`` switches from False to True.

    Parameters
    ----------
    arrested : callable
        ``arrested(x)``: True where the non-ergodicity parameter is non-zero.
    low, high : float
        Bracket with ``arrested(low)`` False and ``arrested(high)`` True (checked).
    tol : float
        Width of the final bracket.

    Returns
    -------
    float
        The midpoint of the final bracket.
    """
    if not low < high:
        raise ValueError(f"the critical-point bracket needs low < high, got {low}, {high}")
    if arrested(low):
        raise ValueError(f"already arrested at the lower bound {low}; lower it")
    if not arrested(high):
        raise ValueError(f"still ergodic at the upper bound {high}; raise it")
    while high - low > tol:
        mid = 0.5 * (low + high)
        if arrested(mid):
            high = mid
        else:
            low = mid
    return 0.5 * (low + high)


def critical_point(nonergodicity: Callable[[float], np.ndarray], low: float, high: float,
                   tol: float = 1e-5, threshold: float = 1e-6) -> float:
    """Glass transition of a one-parameter model family by bisection.

    Parameters
    ----------
    nonergodicity : callable
        ``x -> f`` (array or float): the non-ergodicity parameter at control parameter ``x``.
    low, high : float
        A liquid (``max f <= threshold``) and a glass state (``max f > threshold``).
    tol : float
        Width of the final bracket.
    threshold : float
        Largest ``f`` still counted as liquid.

    Returns
    -------
    float
        The midpoint of the final bracket (:func:`bisect_transition`).

    Examples
    --------
    >>> from slowdyn.analysis.mct import CLOSURE_GRID, HardDisks2D
    >>> critical_point(lambda p: HardDisks2D(p, CLOSURE_GRID).nonergodicity(), 0.6, 0.75)   # doctest: +SKIP
    0.68918...
    """
    return bisect_transition(lambda x: float(np.max(nonergodicity(x))) > threshold, low, high, tol)


__all__ = ["F12_CRITICAL_POINTS", "bisect_transition", "critical_point", "f12_critical", "mct_exponents",
           "nonergodicity_parameter"]
