"""Inverse Laplace transforms of a simulated correlator (Granz 2026, §4.2.5):
F_s(q, t) of two-dimensional Brownian particles from a LAMMPS run.

The thesis tests the NNLT on Brownian-dynamics data, which carry their own
noise. Here the particles are an ideal gas (``pair_style zero``) moved by
LAMMPS' ``fix brownian`` (diffusion coefficient D = kT/gamma_t), and
``fix sisf/msd`` measures F_s(q, t) during the run. For this system the
exact answer is known, F_s(q, t) = exp(-D q^2 t), so every inversion of the
measured correlator can be scored against it, not only against the noisy
data: the measured F_s is cut below ``threshold``, continued with a fitted
exponential (:class:`~slowdyn.analysis.laplace.truncation.TailExtrapolation`),
Filon-transformed and inverted by each method.

Interacting particles would lose the exact reference.
"""

from __future__ import annotations

import numpy as np

from .correlators import CorrelatorInversion


class BrownianSimulationInversion(CorrelatorInversion):
    """Measured F_s(q, t) of 2D Brownian particles -> tail -> Filon -> each inversion.

    Every wave number gives one correlator: the exact exp(-D q^2 t) is
    inverted as the clean input, the measured one as the noisy input
    (table rows ``noisy``); both are scored against the exact function.

    Parameters
    ----------
    model : NNLT or path, optional
        Trained NNLT (its grids are used); without it only the classical methods.
    q : sequence of float
        Wave numbers (default 3.0 and 6.5, the thesis' q of the hard disks).
    simulation : dict, optional
        Arguments of :func:`slowdyn.runs.brownian.brownian_sisf` (``n_atoms``, ``D``, ``steps``, ...).
    nnls, threshold, floor
        As in :class:`~slowdyn.analysis.validation.correlators.CorrelatorInversion`.
    """

    kind = "brownian"
    title = "2D Brownian ideal gas, LAMMPS fix brownian + fix sisf/msd -> Filon -> inverse"
    reference = "exp(-D q^2 t)"
    measured_note = "F_s measured in the LAMMPS run"

    def __init__(self, model=None, q=(3.0, 6.5), simulation: dict | None = None, nnls: dict | None = None,
                 threshold: float = 1e-3, floor: float = 1e-6) -> None:
        super().__init__(model=model, nnls=nnls, noise=0.0, threshold=threshold, floor=floor)
        self.q = [float(v) for v in np.atleast_1d(q)]
        self.simulation = dict(simulation or {})
        self.D = float(self.simulation.get("D", 1.0))

    def _correlators(self):
        from slowdyn.runs.brownian import brownian_sisf

        measured = brownian_sisf(self.q, **self.simulation)
        tm = measured["t"]
        t = np.concatenate([[0.0], np.logspace(np.log10(self.grids.t_min), np.log10(self.grids.t_max), 4000)])
        for qv, fm in zip(self.q, measured["fs"]):
            yield f"q={qv:g} D={self.D:g}", {"q": qv}, t, np.exp(-self.D * qv**2 * t), (tm, fm)
