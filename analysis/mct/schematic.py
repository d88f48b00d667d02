"""Schematic mode-coupling models: F12 and its special cases F1 and F2
(Götze, Complex Dynamics of Glass-Forming Liquids, OUP 2009; Granz 2026, §4.1.6).

With Brownian dynamics and ``tau = 1``::

    d_t phi + phi + int_0^t m(t - t') d_t' phi(t') dt' = 0,   m = v1 phi + v2 phi^2

A model knows its kernel; solving is separate (mctpy's solver, as in
mctpy's ``schematic.py``)::

    t, phi = F12(0.0, 3.9).solve()
    m = F12(0.0, 3.9).kernel(phi)

For F1 (``v2 = 0``) the Laplace transform is known in closed form: with
``s = i omega`` the Laplace-domain equation ``(s Phi - 1) + Phi + v1 Phi (s Phi - 1) = 0``
is the quadratic ``v1 s Phi^2 + (s + 1 - v1) Phi - 1 = 0`` (:meth:`F12.laplace`).
"""

from __future__ import annotations

import numpy as np

from ._mctpy import mctpy, solve_correlators, strictly_increasing


class F12:
    """The F12 model ``m = v1 phi + v2 phi^2`` (Brownian, ``tau = 1``).

    Parameters
    ----------
    v1, v2 : float
        Vertices (>= 0).
    """

    def __init__(self, v1: float, v2: float) -> None:
        if v1 < 0 or v2 < 0:
            raise ValueError(f"F12: the vertices must be >= 0, got v1 = {v1}, v2 = {v2}")
        self.v1, self.v2 = float(v1), float(v2)

    def __repr__(self) -> str:
        return f"F12(v1={self.v1:g}, v2={self.v2:g})"

    def kernel(self, phi):
        """The memory kernel ``m = v1 phi + v2 phi^2`` as a functional of the correlator."""
        phi = np.asarray(phi, dtype=float)
        return self.v1 * phi + self.v2 * phi**2

    def nonergodicity(self) -> float:
        """Long-time limit ``f``: the largest root of ``f/(1 - f) = m(f)`` (0 in the liquid)."""
        # f/(1-f) = v1 f + v2 f^2  <=>  f = 0 or v2 f^2 + (v1 - v2) f + (1 - v1) = 0
        if self.v2 == 0:
            return max(0.0, 1.0 - 1.0 / self.v1) if self.v1 > 0 else 0.0
        roots = np.roots([self.v2, self.v1 - self.v2, 1.0 - self.v1])
        real = [float(r.real) for r in roots if abs(r.imag) < 1e-12 and 0 < r.real < 1]
        return max(real, default=0.0)

    def solve(self, h: float = 1e-9, blocksize: int = 256, blocks: int = 60) -> tuple[np.ndarray, np.ndarray]:
        """Brownian correlator from mctpy: ``(t, phi)`` with ``t[0] = 0``, ``phi(0) = 1``.

        Parameters
        ----------
        h, blocksize, blocks : see ``mctpy.correlator``
            First step, points per block (the step doubles from block to block), blocks.
        """
        mct = mctpy()
        phi = mct.correlator(model=mct.f12model(self.v1, self.v2), store=True, h=h,
                             blocksize=blocksize, blocks=blocks, motion_type="brownian")
        solve_correlators(phi)
        return strictly_increasing(phi.t, phi.phi[:, 0])

    def laplace(self, omega) -> np.ndarray:
        """Exact Fourier-Laplace transform; closed form for F1 (``v2 = 0``) only."""
        if self.v2 != 0:
            raise ValueError("F12.laplace: closed form only for the F1 model (v2 = 0); solve() and Filon otherwise")
        s = 1j * np.asarray(omega, dtype=float)
        v1 = self.v1
        if v1 == 0:
            return 1.0 / (s + 1.0)
        b = s + 1.0 - v1
        disc = np.sqrt(b * b + 4.0 * v1 * s)
        r1, r2 = (-b + disc) / (2 * v1 * s), (-b - disc) / (2 * v1 * s)
        return np.where(r1.real > 0, r1, r2)  # the root with Re > 0 (positive correlator)


class F1(F12):
    """The F1 model ``m = v1 phi`` (type-A transition at ``v1 = 1``)."""

    def __init__(self, v1: float) -> None:
        super().__init__(v1, 0.0)


class F2(F12):
    """The F2 model ``m = v2 phi^2`` (type-B transition at ``v2 = 4``)."""

    def __init__(self, v2: float) -> None:
        super().__init__(0.0, v2)


__all__ = ["F1", "F12", "F2"]
