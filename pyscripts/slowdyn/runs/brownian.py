"""Two-dimensional Brownian ideal gas in LAMMPS with ``fix sisf/msd``.

The particles do not interact (``pair_style zero``) and move by LAMMPS'
``fix brownian`` (D = kT/gamma_t), so F_s(q, t) = exp(-D q^2 t) exactly: a
simulated correlator with its own noise and a known answer, used to test the
inverse Laplace transforms.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np


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
        ``q`` (the wave numbers), ``t`` (lag times, without t = 0) and ``fs``
        (shape ``(len(q), len(t))``): the input of
        :class:`slowdyn.analysis.validation.brownian.BrownianSimulationInversion`.
    """
    import slowdyn
    from slowdyn.analysis.io import read_sisf

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
    fs = np.array([res[f"fs_all_q{i + 1}"][keep] for i in range(len(q))])
    return {"q": np.array(q), "t": res["time"][keep], "fs": fs}


__all__ = ["brownian_sisf"]
