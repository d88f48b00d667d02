"""F12-model correlators from mctpy as a test bed for inverse Laplace
transforms (seed 000 §4.1.6, §4.2.5, Figs. 4.3/4.4).

The schematic F12 model with Brownian dynamics (tau = 1)::

    d_t phi + phi + int_0^t m(t - t') d_t' phi(t') dt' = 0,   m = v1 phi + v2 phi^2

is solved in the time domain by mctpy; the correlator is Filon-transformed
onto the NNLT frequency grid and inverted again by each method. For the
F1 model (v2 = 0) the Laplace transform is known in closed form: with
``s = i omega`` the Laplace-domain equation
``(s Phi - 1) + Phi + v1 Phi (s Phi - 1) = 0`` is the quadratic
``v1 s Phi^2 + (s + 1 - v1) Phi - 1 = 0`` (:func:`f1_laplace`).

mctpy (and its runtime needs numba, scipy, h5py) is imported lazily: install
it with ``pip install 'slowdyn[mct]'``.
"""

from __future__ import annotations

import numpy as np

from ._optional import require
from .laplace_correlators import CorrelatorInversion

# the thesis' validation points: F2 (v1 = 0) and F1 (v2 = 0)
F12_POINTS = ((0.0, 2.0), (0.0, 3.0), (0.0, 3.9), (0.0, 3.99), (0.5, 0.0), (0.9, 0.0))


def _mctpy():
    return require("mctpy", "F12 correlators", "mct", "mctpy, numba, scipy, h5py")


def f12_correlator(v1: float, v2: float, h: float = 1e-9, blocksize: int = 256,
                   blocks: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Brownian F12 correlator from mctpy: ``(t, phi)`` with ``t[0] = 0``, ``phi(0) = 1``.

    Parameters
    ----------
    v1, v2 : float
        Vertices of ``m = v1 phi + v2 phi^2``.
    h, blocksize, blocks : see ``mctpy.correlator``
        First step, points per block (step doubles from block to block), blocks.
    """
    mct = _mctpy()
    phi = mct.correlator(model=mct.f12model(float(v1), float(v2)), store=True, h=h,
                         blocksize=blocksize, blocks=blocks, motion_type="brownian")
    mct.CorrelatorStack([phi]).solve_all()
    t = np.asarray(phi.t, dtype=float)
    f = np.asarray(phi.phi[:, 0], dtype=float)
    keep = np.concatenate([[True], np.diff(t) > 0])
    return t[keep], f[keep]


def f1_laplace(v1: float, omega) -> np.ndarray:
    """Exact Fourier-Laplace transform of the Brownian F1 correlator (tau = 1)."""
    s = 1j * np.asarray(omega, dtype=float)
    if v1 == 0:
        return 1.0 / (s + 1.0)
    b = s + 1.0 - v1
    disc = np.sqrt(b * b + 4.0 * v1 * s)
    r1, r2 = (-b + disc) / (2 * v1 * s), (-b - disc) / (2 * v1 * s)
    return np.where(r1.real > 0, r1, r2)  # the root with Re > 0 (positive correlator)


class F12Validation(CorrelatorInversion):
    """Invert Filon transforms of F12 correlators with NNLT, inverse Filon and NNLS.

    Parameters
    ----------
    model : NNLT or path, optional
        Trained NNLT (its grids are used); without it only the classical methods.
    points : sequence of (v1, v2)
        F12 parameters (default: the thesis' F2 and F1 points).
    nnls : dict, optional
        :class:`NNLSInversion` arguments (default ``alpha=1e-6, f0=1``).
    solver : dict, optional
        :func:`f12_correlator` arguments.
    noise, seed : float, int
        Second inversion from noisy data (see :class:`CorrelatorInversion`).
    """

    kind = "f12"
    title = "F12 (Brownian, tau = 1) from mctpy -> Filon -> inverse"

    def __init__(self, model=None, points=F12_POINTS, nnls: dict | None = None,
                 solver: dict | None = None, noise: float = 0.0, seed: int = 0) -> None:
        super().__init__(model, nnls, noise=noise, seed=seed)
        self.points = [tuple(map(float, p)) for p in points]
        self.solver = dict(solver or {})

    def _correlators(self):
        for v1, v2 in self.points:
            t, phi = f12_correlator(v1, v2, **self.solver)
            yield f"v1={v1:g} v2={v2:g}", {"v1": v1, "v2": v2}, t, phi
