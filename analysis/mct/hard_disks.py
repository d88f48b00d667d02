"""Mode-coupling theory of Brownian hard disks in 2D (Granz 2026, §4.1.4-4.1.5).

The static structure factor of hard disks of unit diameter comes from
fundamental-measure theory (eq. 4.29; Roth, Mecke and Oettel, J. Chem. Phys.
136, 081101 (2012); ``mctpy.structurefactors.hssFMT2d``). The collective MCT
equation (mctpy's ``simple_liquid_model_2d``) and the tagged-particle equation
with ``c^s(q) = c(q)`` (``tagged_particle_model_2d``) are solved by mctpy's
time-domain solver for Brownian dynamics (``D_0 = 1``). The tagged correlator is
the self-intermediate scattering function F_s(q, t)::

    sol = HardDisks2D(0.65).solve()
    t, fs = sol.t, sol.tagged[:, sol.index(6.5)]

Wave-number grid (:class:`HardDiskGrid`): ``q_k = dq (k + offset)``,
``k = 0 .. n_q - 1``. Two grids are in use, and each has its own critical
packing fraction (measured by :func:`~slowdyn.analysis.mct.critical.critical_point`):

- :data:`QUARTER_GRID`, ``0.4 (k + 1/4)``: the thesis' q = 6.5 lies on it
  (k = 16); the model's default (n_q = 100) and, cut at n_q = 64
  (:data:`VALIDATION_GRID`), the grid of the kernel validation (Table 4.3).
  phi_c = 0.69035 (n_q = 64 and 100).
- :data:`CLOSURE_GRID`, ``0.5 (k + 1)``, n_q = 60: it contains the learned
  closures' q = 2, 3, ..., 10. phi_c = 0.68918.

Kernel convention (one for every kernel this module returns): mctpy writes the
Brownian equations as ``B_q d_t phi + W_q phi + int M(t - t') d_t' phi = 0``
with ``W_q = q^2`` and ``B_q = S(q)/D_0`` (collective) or ``1/D_0`` (tagged).
The kernels stored here are divided by ``W_q``, ``m(q, t) = M(q, t)/q^2``: the
kernel of eqs. 4.17/4.21,

    tau_q d_t phi + phi + int_0^t m(q, t - t') d_t' phi(t') dt' = 0,
    tau_q = S(q)/(D_0 q^2) (collective), 1/(D_0 q^2) (tagged),

in which the non-ergodicity parameter solves ``f / (1 - f) = m[f]`` (eq. 4.60).

Solver: mctpy's own 2D models capture their vertex arrays in a numba closure,
so every packing fraction compiles the kernel and mctpy's block solver again
(about a minute each on a loaded core), and they contract the vertices through
an ``M^3`` temporary. The models here subclass mctpy's, keep its vertices (its
Filon-Tuck-type integration of the square-root singularity) and pass them as
arguments to ONE module-level kernel that contracts them with a matrix-vector
product (about 14 times faster; the kernels equal mctpy's to 1e-11,
tests/test_mct_hard_disks.py). The non-ergodicity parameter is the fixed point
of :func:`~slowdyn.analysis.mct.critical.nonergodicity_parameter`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from slowdyn.common.optional import require
from ._mctpy import mctpy, solve_correlators


@dataclass(frozen=True)
class HardDiskGrid:
    """Wave-number grid and time stepping of the hard-disk MCT.

    The grid is ``q_k = dq (k + offset)``, ``k = 0 .. n_q - 1`` (unit disk
    diameter); ``0.4 (k + 1/4)`` is ``HardDiskGrid(dq=0.4, offset=0.25, ...)``
    (:data:`QUARTER_GRID`), ``0.5 (k + 1)`` is ``HardDiskGrid(dq=0.5, offset=1)``.
    The field defaults are :data:`CLOSURE_GRID` (``0.5 (k + 1)``, n_q = 60).
    Time stepping: ``h`` (first step), ``blocksize`` and ``blocks`` as in
    ``mctpy.correlator`` (the step doubles from block to block).
    """

    dq: float = 0.5
    offset: float = 1.0
    n_q: int = 60
    h: float = 1e-7
    blocksize: int = 128
    blocks: int = 44

    def __post_init__(self):
        if not (self.dq > 0 and self.n_q >= 4 and self.offset > 0):
            raise ValueError(f"HardDiskGrid needs dq > 0, offset > 0 and n_q >= 4, got {self}")
        if not (self.h > 0 and self.blocksize >= 16 and self.blocks >= 1):
            raise ValueError(f"HardDiskGrid needs h > 0, blocksize >= 16 and blocks >= 1, got {self}")

    @property
    def q(self) -> np.ndarray:
        """The wave numbers ``dq (k + offset)``."""
        return self.dq * (np.arange(self.n_q) + self.offset)

    def index(self, q: float) -> int:
        """Grid index of ``q``; a ValueError naming the grid if ``q`` is not on it."""
        return int(self.indices([q])[0])

    def indices(self, q_points: Sequence[float]) -> np.ndarray:
        """Grid indices of ``q_points``; a clear error for a point that is not on the grid."""
        grid = self.q
        out = []
        for qp in q_points:
            k = int(np.argmin(np.abs(grid - qp)))
            if not np.isclose(grid[k], qp, rtol=1e-9, atol=1e-12):
                raise ValueError(f"q = {qp:g} is not on the MCT grid dq*(k + offset) with dq = {self.dq:g}, "
                                 f"offset = {self.offset:g} (nearest {grid[k]:g}); choose q points on the "
                                 f"grid or change dq/offset")
            out.append(k)
        return np.asarray(out, dtype=int)

    def settings(self) -> dict:
        """The fields as a dict (configs, metadata)."""
        return {k: getattr(self, k) for k in ("dq", "offset", "n_q", "h", "blocksize", "blocks")}


#: ``q = 0.5 (k + 1)``, k < 60 (q = 0.5 .. 30): contains q = 2 .. 10 of the learned closures; phi_c = 0.68918
CLOSURE_GRID = HardDiskGrid()
#: ``q = 0.4 (k + 1/4)``, k < 100 (q = 0.1 .. 39.7): contains q = 6.5; :class:`HardDisks2D`'s default;
#: phi_c = 0.69035
QUARTER_GRID = HardDiskGrid(dq=0.4, offset=0.25, n_q=100, h=1e-9, blocksize=256, blocks=60)
#: the kernel validation's grid (Table 4.3, :func:`mct_solution`): 0.4 (k + 1/4), k < 64 (q <= 25.3),
#: h = 1e-7, 40 blocks; phi_c = 0.69035
VALIDATION_GRID = HardDiskGrid(dq=0.4, offset=0.25, n_q=64, h=1e-7, blocksize=256, blocks=40)


def grid_index(grid, q: float) -> int:
    """Index of wave number ``q`` on an MCT q grid (array); a ValueError if it is not on it."""
    grid = np.asarray(grid, dtype=float)
    i = int(np.argmin(np.abs(grid - q)))
    if not np.isclose(grid[i], q, rtol=1e-9, atol=1e-12):
        raise ValueError(f"q = {q:g} is not on the MCT grid (nearest {grid[i]:g}): q is not on the grid "
                         f"{grid[0]:g} + k {grid[1] - grid[0]:g} of the MCT wave numbers")
    return i


@dataclass
class HardDiskSolution:
    """Solution of the hard-disk MCT on a q grid.

    Attributes
    ----------
    q : numpy.ndarray (n_q,)
    t : numpy.ndarray (n_t,)
        Strictly increasing, ``t[0] = 0``.
    collective, tagged : numpy.ndarray (n_t, n_q)
        Normalised collective ``phi(q, t)`` and tagged ``phi_s(q, t) = F_s(q, t)``.
    kernel, tagged_kernel : numpy.ndarray (n_t, n_q)
        Their memory kernels ``m(q, t) = M(q, t)/q^2`` (the module's convention:
        the kernels of eqs. 4.17/4.21).
    """

    q: np.ndarray
    t: np.ndarray
    collective: np.ndarray
    tagged: np.ndarray
    kernel: np.ndarray
    tagged_kernel: np.ndarray

    def index(self, q: float) -> int:
        """Index of wave number ``q`` on the grid (a ValueError if it is not on it)."""
        return grid_index(self.q, q)


@functools.lru_cache(maxsize=None)
def _kernels():
    """The two jitted shared kernels (compiled once per process)."""
    nb = require("numba", "hard-disk mode-coupling theory", "mct")

    @nb.njit
    def collective(m, phi, i, t, a3, pre, wqs):
        n = m.shape[0]
        inner = np.dot(a3, np.ascontiguousarray(phi)).reshape(n, n)
        m[:] = -pre * np.dot(inner, wqs * phi)

    @nb.njit
    def tagged(ms, phis, i, t, phi, a3, cache, last, pre, wq):
        n = ms.shape[0]
        if last[0] == 0 or i != last[0]:
            cache[:, :] = np.dot(a3, np.ascontiguousarray(phi[i])).reshape(n, n)
            last[0] = i
        ms[:] = -pre * np.dot(cache, wq * phis)

    return collective, tagged


def _trapezoid_weights(q: np.ndarray) -> np.ndarray:
    w = np.zeros_like(q)
    d = np.diff(q)
    w[:-1] += d / 2
    w[1:] += d / 2
    return w


@functools.lru_cache(maxsize=None)
def _model_classes():
    mct = mctpy()

    class Collective(mct.simple_liquid_model_2d):
        """mctpy's 2D simple-liquid model with the shared kernel (see the module notes)."""

        def __init__(self, sq, q, D0=1.0):
            super().__init__(sq, q, D0)
            n = self.M
            self._a3 = np.ascontiguousarray(self.__A3__.reshape(n * n, n))
            self._pre = self.rho * self.sq / (8 * np.pi ** 2)
            self._wqs = _trapezoid_weights(self.q) * self.q * self.sq

        def make_kernel(self):
            return _kernels()[0]

        def kernel_extra_args(self):
            return [self._a3, self._pre, self._wqs]

    class Tagged(mct.tagged_particle_model_2d):
        """mctpy's 2D tagged-particle model with the shared kernel (see the module notes)."""

        def __init__(self, base_model, cs, D0s=1.0):
            super().__init__(base_model, cs, D0s)
            n = self.M
            self._a3 = np.ascontiguousarray(self.__A3__.reshape(n * n, n))
            self._cache = np.zeros((n, n))
            self._last = np.zeros(1, dtype=np.int64)
            self._pre = np.full(n, self.base.rho / (4 * np.pi ** 2))
            self._wq = _trapezoid_weights(self.q) * self.q

        def make_kernel(self):
            return _kernels()[1]

        def kernel_extra_args(self):
            self._last[0] = 0
            return [self.base.phi, self._a3, self._cache, self._last, self._pre, self._wq]

    return Collective, Tagged


class HardDisks2D:
    """Brownian hard disks with the FMT structure factor.

    Parameters
    ----------
    phi : float
        Packing fraction ``pi rho / 4`` (unit diameter), in (0, 0.9).
    grid : HardDiskGrid, optional
        Wave numbers and time stepping (default :data:`QUARTER_GRID`).
    """

    def __init__(self, phi: float, grid: HardDiskGrid | None = None) -> None:
        if not 0 < float(phi) < 0.9:
            raise ValueError(f"HardDisks2D: packing fraction {phi} outside (0, 0.9)")
        if grid is not None and not isinstance(grid, HardDiskGrid):
            raise ValueError(f"HardDisks2D: grid must be a HardDiskGrid, got {type(grid).__name__}")
        self.phi = float(phi)
        self.grid = QUARTER_GRID if grid is None else grid
        self.q = self.grid.q

    def __repr__(self) -> str:
        return f"HardDisks2D(phi={self.phi:g}, grid={self.grid})"

    def structure_factor(self) -> np.ndarray:
        """FMT ``S(q)`` on the grid (eq. 4.29)."""
        return np.asarray(mctpy().structurefactors.hssFMT2d(self.phi).Sq(self.q)[0], dtype=float)

    def models(self) -> tuple:
        """``(collective, tagged)`` mctpy models with the shared kernels (mctpy's units: ``W_q = q^2``)."""
        Collective, Tagged = _model_classes()
        sq = mctpy().structurefactors.hssFMT2d(self.phi)
        coll = Collective(sq, self.q)
        return coll, Tagged(coll, cs=sq)

    def solve(self, stop_on_zero: bool = False) -> HardDiskSolution:
        """Collective and tagged correlators and kernels (Brownian, ``D_0 = 1``) on the grid's time stepping.

        Parameters
        ----------
        stop_on_zero : bool
            End after the first block in which every collective and tagged
            correlator is below 1e-8 (liquids then cost a fraction of the blocks;
            the last time is the end of that block).
        """
        mct = mctpy()
        g = self.grid
        coll, tagged = self.models()
        phi = mct.correlator(model=coll, store=True, h=g.h, blocksize=g.blocksize, blocks=g.blocks,
                             motion_type="brownian")
        # the tagged correlator copies h and blocks from its base but takes its block size from its own argument
        phis = mct.correlator(model=tagged, base=phi, store=True, blocksize=g.blocksize, motion_type="brownian")
        solve_correlators(phi, phis, stop_on_zero=stop_on_zero)
        t = np.asarray(phis.t, dtype=float)
        # drops the repeated times of the overlapping blocks and, after an early stop, the unsolved (zero) tail
        keep = np.concatenate([[True], np.diff(t) > 0])
        w = self.q ** 2   # mctpy's W_q of both models: the kernels below are M / W_q
        return HardDiskSolution(q=self.q.copy(), t=t[keep], collective=np.asarray(phi.phi)[keep],
                                tagged=np.asarray(phis.phi)[keep], kernel=np.asarray(phi.m)[keep] / w,
                                tagged_kernel=np.asarray(phis.m)[keep] / w)

    def sisf(self, q: float = 6.5, stop_on_zero: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(t, F_s(q, t))`` at one wave number on the grid."""
        i = grid_index(self.q, q)
        sol = self.solve(stop_on_zero=stop_on_zero)
        return sol.t, sol.tagged[:, i]

    def nonergodicity(self, accuracy: float = 1e-12, maxiter: int = 1_000_000) -> np.ndarray:
        """Collective non-ergodicity parameter ``f(q)`` (zeros in the liquid)."""
        from .critical import nonergodicity_parameter

        return nonergodicity_parameter(self.models()[0], accuracy, maxiter)["f"]

    def tagged_nonergodicity(self, accuracy: float = 1e-12, maxiter: int = 1_000_000) -> dict:
        """Collective and tagged non-ergodicity parameters.

        Returns
        -------
        dict
            ``q``, ``f`` (collective), ``fs`` (tagged), ``ms`` (the tagged kernel
            ``m_s = M_s/q^2`` at ``fs``), ``converged`` (both iterations).
        """
        from .critical import nonergodicity_parameter

        coll, tagged = self.models()
        c = nonergodicity_parameter(coll, accuracy, maxiter)
        coll.set_base(c["f"][None, :].copy())  # the tagged kernel reads the collective f through base.phi
        s = nonergodicity_parameter(tagged, accuracy, maxiter)
        return {"q": self.q.copy(), "f": c["f"], "fs": s["f"], "ms": s["m"],
                "converged": c["converged"] and s["converged"]}


def mct_solution(phi: float, grid: HardDiskGrid = VALIDATION_GRID, cache_dir: str | Path | None = None,
                 stop_on_zero: bool = True, **fields) -> dict:
    """``{q, t, tagged, tagged_kernel}`` of the hard-disk MCT, cached as ``.npz`` in ``cache_dir``.

    Parameters
    ----------
    phi : float
        Packing fraction.
    grid : HardDiskGrid
        Default :data:`VALIDATION_GRID` (the kernel validation's, Table 4.3).
    cache_dir : path, optional
        Where solutions are cached (the file name holds every grid field).
    stop_on_zero : bool
        End a liquid's solution once every correlator is below 1e-8 (the same
        points up to there, fewer blocks for a liquid).
    fields
        :class:`HardDiskGrid` fields that replace those of ``grid`` (``n_q``, ``dq``, ``h``, ``blocks``, ...).

    Returns
    -------
    dict
        ``tagged_kernel`` in the module's convention ``M_s/q^2``.
    """
    try:
        grid = replace(grid, **fields)
    except TypeError as exc:
        raise ValueError(f"mct_solution: unknown grid setting ({exc}); use HardDiskGrid fields") from exc
    path = None
    if cache_dir is not None:
        tag = "_soz" if stop_on_zero else ""
        g = grid
        # "mq2": kernels stored as M/q^2 (older caches held mctpy's M and are not read)
        path = Path(cache_dir) / (f"mct_disks_phi{phi:.5f}_nq{g.n_q}_dq{g.dq:g}_off{g.offset:g}_h{g.h:g}"
                                  f"_bs{g.blocksize}_b{g.blocks}{tag}_mq2.npz")
        if path.exists():
            with np.load(path) as z:
                return {k: z[k] for k in z.files}
    sol = HardDisks2D(phi, grid).solve(stop_on_zero=stop_on_zero)
    out = {"q": sol.q, "t": sol.t, "tagged": sol.tagged, "tagged_kernel": sol.tagged_kernel}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **out)
    return out


__all__ = ["CLOSURE_GRID", "QUARTER_GRID", "VALIDATION_GRID", "HardDiskGrid", "HardDiskSolution", "HardDisks2D",
           "grid_index", "mct_solution"]
