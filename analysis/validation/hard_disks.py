"""Self-intermediate scattering functions of Brownian hard disks from mode
coupling theory (mctpy) as a test bed for inverse Laplace transforms
(Granz 2026, §4.1.5, §4.2.5, Fig. 4.7).

The tagged-particle MCT correlator F_s(q, t) of
:class:`slowdyn.analysis.mct.HardDisks2D` is Filon-transformed onto the NNLT
frequency grid and inverted by every method.
"""

from __future__ import annotations

from dataclasses import replace

from ..mct.hard_disks import QUARTER_GRID, HardDisks2D
from .correlators import CorrelatorInversion

PACKING_FRACTIONS = (0.50, 0.60, 0.65, 0.68, 0.69)


class HardDiskValidation(CorrelatorInversion):
    """Invert Filon transforms of hard-disk F_s(q, t) with NNLT, inverse Filon and NNLS.

    Parameters
    ----------
    model : NNLT or path, optional
        Trained NNLT; without it only the classical methods.
    packing : sequence of float
        Packing fractions (default 0.50-0.69; the MCT transition of this
        model lies just above 0.69).
    q : float
        Wave number (6.5 as in Fig. 4.7).
    nnls : dict, optional
        :class:`~slowdyn.analysis.laplace.nnls.NNLSInversion` arguments.
    solver : dict, optional
        :class:`~slowdyn.analysis.mct.hard_disks.HardDiskGrid` fields replacing those of
        :data:`~slowdyn.analysis.mct.hard_disks.QUARTER_GRID` (``n_q``, ``dq``, ``h``, ``blocks``, ...)
        and ``stop_on_zero``.
    noise, seed : float, int
        Second inversion from noisy data (see :class:`CorrelatorInversion`).
    """

    kind = "disks"
    title = "Brownian hard disks (MCT, FMT S(q)): F_s(q, t) from mctpy -> Filon -> inverse"

    def __init__(self, model=None, packing=PACKING_FRACTIONS, q: float = 6.5, nnls: dict | None = None,
                 solver: dict | None = None, noise: float = 0.0, seed: int = 0) -> None:
        super().__init__(model, nnls, noise=noise, seed=seed)
        self.packing = [float(p) for p in packing]
        self.q = float(q)
        self.solver = dict(solver or {})

    def _correlators(self):
        for p in self.packing:
            solver = dict(self.solver)
            stop = bool(solver.pop("stop_on_zero", False))
            try:
                grid = replace(QUARTER_GRID, **solver)
            except TypeError as exc:
                raise ValueError(f"HardDiskValidation: unknown solver setting ({exc}); use HardDiskGrid fields "
                                 f"and stop_on_zero") from exc
            t, phi = HardDisks2D(p, grid).sisf(self.q, stop_on_zero=stop)
            yield f"phi={p:g} q={self.q:g}", {"packing": p, "q": self.q}, t, phi
