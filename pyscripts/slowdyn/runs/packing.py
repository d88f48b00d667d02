"""Overlap-free random packings of hard disks (2D) and hard spheres (3D).

Particles are grown from small sizes to a target packing fraction with
event-driven Brownian dynamics (LAMMPS ``fix edbd ... grow RATE``): every
Brownian step scales all diameters by ``1 + RATE dt``; the small overlaps this
creates heal because approaching overlapping pairs collide at once (the
"collisions with negative times" of the growth scheme in Granz 2026, §2.1.2,
a Brownian variant of the Lubachevsky-Stillinger compression, Lubachevsky
and Stillinger, J. Stat. Phys. 60, 561 (1990)).  After the growth the
diameters are set to their exact target values and the run continues without
growth until no pair overlaps.

The result is a compressed, non-equilibrium configuration: equilibrate it
with ``fix edbd`` before measuring anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Packing:
    """A periodic configuration of hard particles.

    Attributes
    ----------
    positions
        ``(n, dim)`` positions inside ``[0, box)``.
    diameters
        ``(n,)`` diameters.
    box
        ``(dim,)`` edge lengths of the periodic box.
    """

    positions: np.ndarray
    diameters: np.ndarray
    box: np.ndarray

    @property
    def dim(self) -> int:
        """Spatial dimension."""
        return int(self.positions.shape[1])

    @property
    def phi(self) -> float:
        """Packing fraction."""
        return packing_fraction(self.diameters, self.box)

    def write_data(self, path: str | Path, density: float = 1.0,
                   types: np.ndarray | None = None) -> Path:
        """Write a LAMMPS data file for ``atom_style sphere``.

        Parameters
        ----------
        path
            Output file.
        density
            Mass density of every particle (sets the per-atom masses; ``fix edbd``
            keeps its effective masses inside the fix and only scales the stored
            velocities with them).
        types
            Atom type of each particle (default: all 1).

        Returns
        -------
        Path
            The written file.
        """
        path = Path(path)
        n, dim = self.positions.shape
        types = np.ones(n, dtype=int) if types is None else np.asarray(types, dtype=int)
        zlo, zhi = (-0.5, 0.5) if dim == 2 else (0.0, float(self.box[2]))
        lines = [
            f"LAMMPS data file: {n} hard {'disks' if dim == 2 else 'spheres'}, "
            f"phi = {self.phi:.6f} (slowdyn pack)",
            "",
            f"{n} atoms",
            f"{int(types.max())} atom types",
            "",
            f"0.0 {self.box[0]:.17g} xlo xhi",
            f"0.0 {self.box[1]:.17g} ylo yhi",
            f"{zlo:.17g} {zhi:.17g} zlo zhi",
            "",
            "Atoms # sphere",
            "",
        ]
        for i in range(n):
            z = self.positions[i, 2] if dim == 3 else 0.0
            lines.append(
                f"{i + 1} {types[i]} {self.diameters[i]:.17g} {density:.17g} "
                f"{self.positions[i, 0]:.17g} {self.positions[i, 1]:.17g} {z:.17g}"
            )
        path.write_text("\n".join(lines) + "\n")
        return path


def packing_fraction(diameters: np.ndarray, box: np.ndarray) -> float:
    """Volume (area) fraction of disks/spheres with these diameters in the box."""
    d = np.asarray(diameters, dtype=float)
    box = np.asarray(box, dtype=float)
    if box.size == 2:
        covered = math.pi / 4.0 * np.sum(d**2)
    else:
        covered = math.pi / 6.0 * np.sum(d**3)
    return float(covered / np.prod(box))


def worst_overlap(positions: np.ndarray, diameters: np.ndarray, box: np.ndarray,
                  chunk: int = 512) -> float:
    """Largest overlap ``sigma_ij - r_ij`` over all pairs (<= 0: no overlap).

    A direct O(N^2) check in chunks (independent of the simulation's own
    neighbour lists, so it can serve as an oracle); fine up to ~10^4 particles.
    """
    x = np.asarray(positions, dtype=float)
    d = np.asarray(diameters, dtype=float)
    box = np.asarray(box, dtype=float)
    n = len(x)
    worst = -np.inf
    for start in range(0, n, chunk):
        xi = x[start:start + chunk]
        dx = xi[:, None, :] - x[None, :, :]
        dx -= box * np.round(dx / box)
        r = np.sqrt(np.sum(dx * dx, axis=-1))
        sig = 0.5 * (d[start:start + chunk, None] + d[None, :])
        gap = sig - r
        idx = np.arange(start, min(start + chunk, n))
        gap[idx - start, idx] = -np.inf
        worst = max(worst, float(gap.max()))
    return worst


def draw_diameters(n: int, poly: float, rng: np.random.Generator) -> np.ndarray:
    """Diameters uniform in ``[1 - poly, 1 + poly]``, rescaled to mean exactly 1."""
    if not 0.0 <= poly < 1.0:
        raise ValueError(f"polydispersity poly = {poly} must be in [0, 1)")
    d = rng.uniform(1.0 - poly, 1.0 + poly, n) if poly > 0 else np.ones(n)
    return d / d.mean()


def pack(n: int, phi: float, dim: int = 2, poly: float = 0.1, seed: int = 1, *,
         growth_time: float | None = None, dt: float = 1e-4, phi_start: float = 0.05,
         max_heal_steps: int = 200000, out: str | Path | None = None) -> Packing:
    """Grow ``n`` particles from random points to packing fraction ``phi``.

    Parameters
    ----------
    n
        Number of particles.
    phi
        Target packing fraction (2D: up to ~0.80 works for poly ~ 0.1; the
        random close packing of such disks is ~0.84).
    dim
        2 (disks) or 3 (spheres).
    poly
        Relative half-width of the uniform diameter distribution (mean 1).
    seed
        Seed of the positions, diameters and the Brownian noise.
    growth_time
        Brownian time (D = 1, mean diameter 1) of the growth; default grows
        faster at low and slower at high ``phi``.
    dt
        Brownian step of the growth.
    phi_start
        Packing fraction at the start of the growth (random points, their
        overlaps heal).
    max_heal_steps
        Give up (RuntimeError) when overlaps remain after this many steps
        without growth.
    out
        Write the configuration as a LAMMPS data file here.

    Returns
    -------
    Packing
        The configuration (positions wrapped into the box).
    """
    from slowdyn.session import lammps  # noqa: PLC0415  (LAMMPS only when needed)

    if dim not in (2, 3):
        raise ValueError(f"dim = {dim} must be 2 or 3")
    limit = 0.84 if dim == 2 else 0.64
    if not 0.0 < phi < limit:
        raise ValueError(f"phi = {phi} must be in (0, {limit}) for dim = {dim}")
    if n < 2:
        raise ValueError(f"n = {n} must be >= 2")
    if growth_time is not None and not (math.isfinite(growth_time) and growth_time > 0):
        raise ValueError(f"growth_time = {growth_time:g} must be > 0 (the Brownian time of the growth; "
                         "leave it out for the default)")
    rng = np.random.default_rng(seed)
    sigma = draw_diameters(n, poly, rng)
    unit = math.pi / 4.0 * np.sum(sigma**2) if dim == 2 else math.pi / 6.0 * np.sum(sigma**3)
    box = np.full(dim, (unit / phi) ** (1.0 / dim))
    x = rng.uniform(0.0, 1.0, (n, dim)) * box
    phi0 = min(phi_start, 0.5 * phi)
    scale0 = (phi0 / phi) ** (1.0 / dim)
    if growth_time is None:
        # slower near the target: the compression must let the particles rearrange
        growth_time = 2.0 + 40.0 * max(0.0, phi - 0.6) / (limit - 0.6)
    rate = math.log(1.0 / scale0) / growth_time
    nsteps = int(math.ceil(math.log(1.0 / scale0) / math.log1p(rate * dt)))

    pk = Packing(x, sigma * scale0, box)
    lmp = lammps()
    try:
        import tempfile  # noqa: PLC0415

        with tempfile.TemporaryDirectory() as tmp:
            data = pk.write_data(Path(tmp) / "start.data")
            lmp.commands_list([
                "units lj", f"dimension {dim}", "atom_style sphere", "boundary p p p",
                "atom_modify map array", f"read_data {data}", f"timestep {dt}",
                "neighbor 0.3 bin", "neigh_modify every 1000 delay 0 check no",
                f"fix grow all edbd 1.0 1.0 {seed} grow {rate:.17g}",
                f"run {nsteps} post no",
                "unfix grow",
            ])
        nlocal = lmp.extract_global("nlocal")
        radius = lmp.numpy.extract_atom("radius")[:nlocal]
        tags = lmp.numpy.extract_atom("id")[:nlocal]
        radius[:] = 0.5 * sigma[tags - 1]    # exact target diameters
        lmp.command(f"fix heal all edbd 1.0 1.0 {seed + 1} grow 0.0")
        done = 0
        while True:
            pos, diam = _state(lmp, dim)
            if worst_overlap(pos, diam, box) <= 1e-10 * diam.max():
                break
            if done >= max_heal_steps:
                raise RuntimeError(f"pack: overlaps remain after {done} steps without growth at "
                                   f"phi = {phi}: use a longer growth_time")
            lmp.command("run 200 post no")
            done += 200
        pos, diam = _state(lmp, dim)
    finally:
        lmp.close()
    pos = np.mod(pos, box)
    result = Packing(pos, diam, box)
    if out is not None:
        result.write_data(out)
    return result


def _state(lmp, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and diameters ordered by atom ID."""
    nlocal = lmp.extract_global("nlocal")    # the arrays may include ghost atoms
    tags = np.array(lmp.numpy.extract_atom("id")[:nlocal], copy=True)
    x = np.array(lmp.numpy.extract_atom("x")[:nlocal, :dim], copy=True)
    r = np.array(lmp.numpy.extract_atom("radius")[:nlocal], copy=True)
    order = np.argsort(tags)
    return x[order], 2.0 * r[order]
