"""Time-domain Mori-Zwanzig solution for a given memory kernel, by mctpy: the
one MZ solver of the package (:func:`solve_mz`).

Solves (Granz 2026, eqs. 4.17/4.21)::

    tau0 d_t phi + phi + int_0^t m(t - t') d_t' phi(t') dt' = 0,   phi(0) = 1

for a kernel ``m(t)`` that depends on time only: a table, linearly
interpolated (held at its end values outside), or a :class:`TimeKernel`, a
jitted function of ``t`` with its parameters (e.g. the stretched exponentials
of :mod:`.cmaes`). mctpy's correlator solver (Voigtmann's block-decimation
scheme; mctpy writes the Brownian equation as
``B d_t phi + W phi + int m d_t' phi = 0``) is used with ``B = tau0``,
``W = 1`` and a model whose kernel ignores ``phi`` and returns ``m`` at the
solver's time ``t``. No new solver is written: the same code produces the MCT
correlators this module's results are compared with.

numba compiles mctpy's block solver once per kernel *function*; all
tabulated kernels share one jitted function (built on first use) and pass
their table as extra arguments, so only the first solve in a process pays
the compilation (a few seconds); the same holds for each :class:`TimeKernel`
function.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from slowdyn.common.optional import require
from ..mct._mctpy import mctpy as _mctpy


@functools.lru_cache(maxsize=1)
def _table_kernel():
    """One jitted kernel ``m[:] = interp(t, t_table, m_table)`` shared by every model."""
    numba = require("numba", "the time-domain Mori-Zwanzig solution", "mct")

    @numba.njit(cache=False)
    def ker(m, phi, i, t, tk, mk):
        m[:] = np.interp(t, tk, mk)

    return ker


@dataclass(frozen=True)
class TimeKernel:
    """A memory kernel that depends on time only, as a jitted function.

    Attributes
    ----------
    function : callable
        numba-jitted ``function(m, phi, i, t, *args)`` that writes ``m(t)`` into
        ``m[0]`` (mctpy's kernel signature; ``phi`` and ``i`` are ignored).
    args : tuple
        Its extra arguments (numpy arrays or numbers).
    m0 : float
        ``m(0)``: sets the default first step of :func:`solve_mz`.
    """

    function: Callable
    args: tuple
    m0: float


def _time_model(tau0: float, kernel: TimeKernel):
    """A one-correlator mctpy model with a phi-independent kernel."""
    mct = _mctpy()

    class TimeKernelModel(mct.model_base):
        def Bq(self):  # noqa: N802 (mctpy's names)
            return np.array([tau0])

        def Wq(self):  # noqa: N802
            return np.ones(1)

        def kernel_extra_args(self):
            return list(kernel.args)

        def make_kernel(self):
            return kernel.function

    return TimeKernelModel()


def _validate_kernel(t, m) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(t, dtype=float)
    m = np.asarray(m, dtype=float)
    if t.ndim != 1 or t.shape != m.shape or t.size < 2:
        raise ValueError("the kernel needs 1-D arrays t and m of equal length (>= 2 points)")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(m))):
        raise ValueError("the kernel table contains NaN or inf")
    if t[0] < 0 or np.any(np.diff(t) <= 0):
        raise ValueError("the kernel's time grid must be non-negative and strictly increasing")
    return t, m


def solve_mz(t_kernel, m, tau0: float, t_out=None, h: float | None = None, blocksize: int = 256,
             t_end: float | None = None, accuracy: float = 1e-12, blocks: int | None = None,
             stop_on_zero: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Solve the Brownian Mori-Zwanzig equation for a kernel that depends on time only.

    Parameters
    ----------
    t_kernel, m : array_like, or None and TimeKernel
        Kernel table (``t`` increasing from >= 0); linear interpolation
        in between, end values outside (``m(0) = m[0]`` if ``t_kernel[0] > 0``).
        Or ``t_kernel = None`` and ``m`` a :class:`TimeKernel`.
    tau0 : float
        ``1/(D0 q^2)`` (> 0).
    t_out : array_like, optional
        Output times; default: the solver's own grid.
    h : float, optional
        First step of the solver (default ``1e-6 tau0 / sqrt(1 + m(0))``: mctpy
        starts from the linear short-time expansion on its first 50 steps).
    blocksize : int
        Points per block (the step doubles from block to block).
    t_end : float, optional
        Last time needed (default: ``max(t_out)`` or the kernel's last time);
        sets the number of blocks unless ``blocks`` is given.
    accuracy : float
        Convergence goal of mctpy's fixed-point iteration per step.
    blocks : int, optional
        Number of blocks (default: enough to reach ``t_end``).
    stop_on_zero : bool
        End after the first block in which the solution is below 1e-8 (mctpy's
        test); the solver grid then ends there.

    Returns
    -------
    t, phi : numpy.ndarray
        The solution on ``t_out`` (or on the solver grid, ``t[0] = 0``).
    """
    if isinstance(m, TimeKernel):
        kernel = m
        if blocks is None and t_end is None and (t_out is None or not np.size(t_out)):
            raise ValueError("solve_mz with a TimeKernel needs blocks, t_end or t_out (how far to solve)")
    else:
        tk, mk = _validate_kernel(t_kernel, m)
        kernel = TimeKernel(_table_kernel(), (tk, mk), float(mk[0]))
    if not tau0 > 0:
        raise ValueError(f"tau0 must be > 0, got {tau0}")
    if t_out is not None:
        t_out = np.asarray(t_out, dtype=float)
        if t_out.ndim != 1 or np.any(t_out < 0):
            raise ValueError("t_out must be a 1-D array of times >= 0")
    if h is None:
        # mctpy starts from phi = 1 - t/tau0 on its first 50 steps: error (1 + m0)(50 h)^2/(2 tau0^2) ~ 1e-9
        h = 1e-6 * tau0 / np.sqrt(1.0 + max(float(kernel.m0), 0.0))
    if blocks is None:
        if t_end is None:
            t_end = float(np.max(t_out)) if t_out is not None and t_out.size else float(kernel.args[0][-1])
        half = (int(blocksize) // 4) * 2
        blocks = max(2, 1 + int(np.ceil(np.log(max(t_end, h * 2 * half) / h / (2 * half - 1)) / np.log(2.0))))
    mct = _mctpy()
    corr = mct.correlator(model=_time_model(float(tau0), kernel), store=True, h=h, blocksize=blocksize,
                          blocks=int(blocks), accuracy=accuracy, motion_type="brownian")
    mct.CorrelatorStack([corr]).solve_all(stop_on_zero=stop_on_zero)
    t = np.asarray(corr.t, dtype=float)
    phi = np.asarray(corr.phi[:, 0], dtype=float)
    # drops the repeated times of the overlapping blocks and, after an early stop, the unsolved (zero) tail
    keep = np.concatenate([[True], np.diff(t) > 0])
    t, phi = t[keep], phi[keep]
    if t_out is None:
        return t, phi
    return t_out, np.interp(t_out, t, phi)
