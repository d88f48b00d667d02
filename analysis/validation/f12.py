"""F12-model correlators from mctpy as a test bed for inverse Laplace
transforms (Granz 2026, §4.1.6, §4.2.5, Figs. 4.3/4.4).

The Brownian F12 correlators (:class:`slowdyn.analysis.mct.F12`) are solved by
mctpy, Filon-transformed onto the NNLT frequency grid and inverted again by
each method.

mctpy (and its runtime needs numba, scipy, h5py) is imported lazily: install
it with ``pip install 'slowdyn[mct]'``.
"""

from __future__ import annotations


from ..mct.schematic import F12
from .correlators import CorrelatorInversion

# the thesis' validation points: F2 (v1 = 0) and F1 (v2 = 0)
F12_POINTS = ((0.0, 2.0), (0.0, 3.0), (0.0, 3.9), (0.0, 3.99), (0.5, 0.0), (0.9, 0.0))


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
        :meth:`slowdyn.analysis.mct.F12.solve` arguments.
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
            t, phi = F12(v1, v2).solve(**self.solver)
            yield f"v1={v1:g} v2={v2:g}", {"v1": v1, "v2": v2}, t, phi
