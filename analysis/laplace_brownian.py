"""Inverse Laplace transforms of a simulated correlator (seed 000 §4.2.5):
F_s(q, t) of two-dimensional Brownian particles from a LAMMPS run.

The thesis tests the NNLT on Brownian-dynamics data, which carry their own
noise. Here the particles are an ideal gas (``pair_style zero``) moved by
LAMMPS' ``fix brownian`` (diffusion coefficient D = kT/gamma_t), and
``fix sisf/msd`` measures F_s(q, t) during the run. For this system the
exact answer is known, F_s(q, t) = exp(-D q^2 t), so every inversion of the
measured correlator can be scored against it, not only against the noisy
data: the measured F_s is cut below ``threshold``, continued with a fitted
exponential (:class:`~slowdyn.analysis.correlator_tail.TailExtrapolation`),
Filon-transformed and inverted by each method.

The hard-disk event-driven BD of the thesis is not a LAMMPS style yet;
interacting particles would lose the exact reference.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from .laplace_correlators import CorrelatorInversion


def brownian_sisf(q, n_atoms: int = 2000, density: float = 0.5, D: float = 1.0, dt: float = 1e-4,
                  steps: int = 20000, seed: int = 4711, workdir: str | Path | None = None) -> dict:
    """Run 2D Brownian ideal-gas particles in LAMMPS and measure F_s(q, t).

    Parameters
    ----------
    q : sequence of float
        Wave numbers.
    n_atoms, density : int, float
        Number of particles and number density (sets the periodic box).
    D : float
        Diffusion coefficient; ``fix brownian`` runs at kT = 1 with gamma_t = 1/D.
    dt, steps : float, int
        Timestep and number of steps (the longest lag is about steps * dt / 2).
    seed : int
        Seed of the positions and of the Brownian noise.
    workdir : path, optional
        Where ``fix sisf/msd`` writes its file (default: a temporary folder).

    Returns
    -------
    dict
        ``t`` (lag times, without t = 0) and ``fs`` (shape ``(len(q), len(t))``).
    """
    import slowdyn
    from .dynamics import read_sisf

    q = [float(v) for v in np.atleast_1d(q)]
    side = float(np.sqrt(n_atoms / density))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(workdir or tmp) / "brownian.sisf"
        lmp = slowdyn.lammps(cmdargs=["-log", "none", "-screen", "none"])
        try:
            lmp.commands_list([
                "units lj", "atom_style atomic", "dimension 2", "boundary p p p",
                f"region box block 0 {side} 0 {side} -0.5 0.5", "create_box 1 box",
                f"create_atoms 1 random {int(n_atoms)} {int(seed)} NULL", "mass 1 1.0",
                "pair_style zero 0.5 nocoeff", "pair_coeff * *", "neighbor 0.5 bin",
                f"timestep {dt}",
                f"fix bd all brownian 1.0 {int(seed) + 1} gamma_t {1.0 / D} rng gaussian",
                f"fix sd all sisf/msd 1 file {out} q {' '.join(map(str, q))} nlen 16 ncorr 24",
                f"run {int(steps)}",
            ])
        finally:
            lmp.close()
        res = read_sisf(out)
    keep = res["lag"] > 0
    return {"t": res["time"][keep], "fs": np.array([res[f"fs_all_q{i + 1}"][keep] for i in range(len(q))])}


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
        Arguments of :func:`brownian_sisf` (``n_atoms``, ``D``, ``steps``, ...).
    nnls, threshold, floor
        As in :class:`~slowdyn.analysis.laplace_correlators.CorrelatorInversion`.
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
        measured = brownian_sisf(self.q, **self.simulation)
        tm = measured["t"]
        t = np.concatenate([[0.0], np.logspace(np.log10(self.grids.t_min), np.log10(self.grids.t_max), 4000)])
        for qv, fm in zip(self.q, measured["fs"]):
            yield f"q={qv:g} D={self.D:g}", {"q": qv}, t, np.exp(-self.D * qv**2 * t), (tm, fm)
