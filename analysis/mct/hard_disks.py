"""Mode-coupling theory of Brownian hard disks in 2D (Granz 2026, §4.1.5).

The static structure factor of hard disks of unit diameter comes from
fundamental-measure theory (eq. 4.29, ``mctpy.structurefactors.hssFMT2d``);
the collective MCT equation (``mctpy.simple_liquid_model_2d``) and the
tagged-particle equation with ``c^s(q) = c(q)``
(``mctpy.tagged_particle_model_2d``) are solved for Brownian dynamics
(``D_0 = 1``). The tagged-particle correlator is the self-intermediate
scattering function F_s(q, t)::

    sol = HardDisks2D(0.65).solve()
    t, fs = sol.t, sol.tagged[:, sol.index(6.5)]

The default wave-number grid is ``q_k = dq (k + 1/4)``, k = 0 .. n_q - 1 with
``dq = 0.4``: the thesis' q = 6.5 lies on it (k = 16).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._mctpy import mctpy, solve_correlators


def default_q_grid(n_q: int = 100, dq: float = 0.4) -> np.ndarray:
    """``dq (k + 1/4)`` for ``k = 0 .. n_q - 1``."""
    if n_q < 2 or not dq > 0:
        raise ValueError(f"need n_q >= 2 and dq > 0, got n_q = {n_q}, dq = {dq}")
    return dq * (np.arange(n_q) + 0.25)


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
        Their memory kernels ``m(q, t)``, ``m_s(q, t)`` as mctpy normalises them: the ``m``
        of ``B d_t phi + W phi + int m d phi = 0`` with ``W = q^2`` and ``B = S(q)/D0``
        (collective) or ``1/D0`` (tagged). The kernel of eqs. 4.17/4.21 (``tau_q d_t phi +
        phi + int m d phi = 0``) is therefore ``kernel / q^2`` (tested for the tagged one in
        tests/test_memory_kernels.py).
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


def grid_index(grid, q: float) -> int:
    """Index of wave number ``q`` on an MCT q grid; a ValueError if it is not on it."""
    grid = np.asarray(grid, dtype=float)
    i = int(np.argmin(np.abs(grid - q)))
    if not np.isclose(grid[i], q, rtol=1e-9, atol=1e-12):
        raise ValueError(f"q = {q:g} is not on the MCT grid (nearest {grid[i]:g}): q is not on the grid "
                         f"{grid[0]:g} + k {grid[1] - grid[0]:g} of the MCT wave numbers")
    return i


class HardDisks2D:
    """Brownian hard disks with the FMT structure factor.

    Parameters
    ----------
    phi : float
        Packing fraction ``pi rho / 4`` (unit diameter), in (0, 0.9).
    q_grid : array_like, optional
        Equidistant wave numbers of the memory integrals (default :func:`default_q_grid`).
    """

    def __init__(self, phi: float, q_grid=None) -> None:
        if not 0 < phi < 0.9:
            raise ValueError(f"HardDisks2D: packing fraction {phi} outside (0, 0.9)")
        self.phi = float(phi)
        self.q = default_q_grid() if q_grid is None else np.asarray(q_grid, dtype=float)
        if self.q.ndim != 1 or self.q.size < 2 or np.any(np.diff(self.q) <= 0) or self.q[0] <= 0:
            raise ValueError("HardDisks2D: q_grid must be positive and strictly increasing")
        if not np.allclose(np.diff(self.q), self.q[1] - self.q[0], rtol=1e-9):
            raise ValueError("HardDisks2D: q_grid must be equidistant (mctpy's 2D integrals)")

    def __repr__(self) -> str:
        return f"HardDisks2D(phi={self.phi:g}, n_q={self.q.size}, dq={self.q[1] - self.q[0]:g})"

    def structure_factor(self) -> np.ndarray:
        """FMT ``S(q)`` on the grid (eq. 4.29)."""
        return np.asarray(mctpy().structurefactors.hssFMT2d(self.phi).Sq(self.q)[0], dtype=float)

    def _models(self):
        mct = mctpy()
        sq = mct.structurefactors.hssFMT2d(self.phi)
        model = mct.simple_liquid_model_2d(sq, self.q)
        return mct, sq, model

    def solve(self, h: float = 1e-9, blocksize: int = 256, blocks: int = 60,
              stop_on_zero: bool = False) -> HardDiskSolution:
        """Collective and tagged correlators and kernels (mctpy, Brownian, ``D_0 = 1``).

        Parameters
        ----------
        h, blocksize, blocks : see ``mctpy.correlator``
        stop_on_zero : bool
            End after the first block in which every collective and tagged
            correlator is below 1e-8 (liquids then cost a fraction of the blocks;
            the last time is the end of that block).
        """
        mct, sq, model = self._models()
        phi = mct.correlator(model=model, store=True, h=h, blocksize=blocksize, blocks=blocks,
                             motion_type="brownian")
        # the tagged correlator takes its block size from its own argument, not from its base
        tagged = mct.correlator(model=mct.tagged_particle_model_2d(model, cs=sq), base=phi, store=True,
                                blocksize=blocksize, motion_type="brownian")
        solve_correlators(phi, tagged, stop_on_zero=stop_on_zero)
        t = np.asarray(tagged.t, dtype=float)
        keep = np.concatenate([[True], np.diff(t) > 0])
        return HardDiskSolution(q=self.q.copy(), t=t[keep], collective=np.asarray(phi.phi)[keep],
                                tagged=np.asarray(tagged.phi)[keep], kernel=np.asarray(phi.m)[keep],
                                tagged_kernel=np.asarray(tagged.m)[keep])

    def sisf(self, q: float = 6.5, **solver) -> tuple[np.ndarray, np.ndarray]:
        """``(t, F_s(q, t))`` at one wave number on the grid (``solver``: :meth:`solve` arguments)."""
        i = grid_index(self.q, q)
        sol = self.solve(**solver)
        return sol.t, sol.tagged[:, i]

    def nonergodicity(self, accuracy: float = 1e-12) -> np.ndarray:
        """Collective non-ergodicity parameter ``f(q)`` (zeros in the liquid), mctpy's fixed point."""
        mct, _, model = self._models()
        nep = mct.nonergodicity_parameter(model=model, accuracy=accuracy)
        nep.solve()
        return np.asarray(nep.f, dtype=float).reshape(-1)[: self.q.size]


__all__ = ["HardDiskSolution", "HardDisks2D", "default_q_grid"]
