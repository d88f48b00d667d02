"""Build small LAMMPS systems with the Voronoi pair styles from numpy arrays.

Every test drives a real LAMMPS instance (``slowdyn.lammps()``); this module
only turns positions, a box matrix and style settings into input commands and
reads energy, forces, virial and per-cell data back, ordered by atom ID.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import numpy as np

import slowdyn

CELL_FIELDS = ("volume", "cx", "cy", "cz", "neighbors")


@dataclass
class VoronoiSystem:
    """Positions ``x`` (N, 3) in a periodic box whose rows are the LAMMPS box
    vectors a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz)."""

    x: np.ndarray
    box: np.ndarray
    style: str = "voronoi"
    gamma: float = 1000.0
    rc: float = 3.0
    types: np.ndarray | None = None
    type_radii: dict[int, float] = field(default_factory=dict)
    atom_radii: np.ndarray | None = None
    dimension: int = 3
    newton: str = "on"

    @property
    def n(self) -> int:
        return len(self.x)

    @property
    def volume(self) -> float:
        b = self.box
        return float(b[0, 0] * b[1, 1] * (b[2, 2] if self.dimension == 3 else 1.0))

    def commands(self) -> list[str]:
        b = self.box.tolist()
        ntypes = 1 if self.types is None else int(self.types.max())
        zlo, zhi = (0.0, b[2][2]) if self.dimension == 3 else (-0.5, 0.5)
        cmds = [
            "units lj",
            f"dimension {self.dimension}",
            f"newton {self.newton}",
            "boundary p p p",
            f"atom_style {'sphere' if self.atom_radii is not None else 'atomic'}",
            "atom_modify map array sort 0 0",
            f"region box prism 0 {b[0][0]!r} 0 {b[1][1]!r} {zlo!r} {zhi!r} "
            f"{b[1][0]!r} {b[2][0]!r} {b[2][1]!r}",
            f"create_box {ntypes} box",
        ]
        return cmds

    def pair_commands(self) -> list[str]:
        extra = " radius atom" if self.atom_radii is not None else ""
        cmds = [f"pair_style {self.style} {float(self.gamma)!r} {float(self.rc)!r}{extra}"]
        if self.style == "voronoi" or self.atom_radii is not None:
            cmds.append("pair_coeff * *")
        else:
            cmds += [f"pair_coeff {t} {t} {float(r)!r}" for t, r in sorted(self.type_radii.items())]
        return cmds

    def build(self):
        """Return a LAMMPS instance holding this system, forces evaluated."""
        lmp = slowdyn.lammps()
        lmp.commands_list(self.commands())
        types = np.ones(self.n, dtype=int) if self.types is None else self.types
        lmp.create_atoms(self.n, list(range(1, self.n + 1)), [int(t) for t in types],
                         [float(v) for v in self.x.ravel()])
        if self.atom_radii is None:
            lmp.command("mass * 1.0")
        else:  # atom_style sphere: mass follows from diameter and density
            for i, r in enumerate(self.atom_radii, start=1):
                lmp.command(f"set atom {i} diameter {2.0 * float(r)!r}")
        lmp.commands_list(self.pair_commands())
        lmp.commands_list([
            "neighbor 0.3 bin",
            "neigh_modify every 1 delay 0 check yes",
            "fix cell all pair 1 " + self.style + " " + " ".join(f"{f} 0" for f in CELL_FIELDS),
            "compute pe all pe/atom",
            "compute sa all stress/atom NULL virial",
            "compute vir all pressure NULL virial",
            "thermo_style custom step pe press",
            "thermo_modify norm no",
            "run 0 post no",
        ])
        return lmp


def set_positions(lmp, x: np.ndarray) -> None:
    """Scatter positions (ordered by atom ID) and re-evaluate the forces."""
    flat = (ctypes.c_double * x.size)(*x.ravel())
    lmp.scatter_atoms("x", 1, 3, flat)
    lmp.command("run 0 post no")


def energy(lmp) -> float:
    return float(lmp.get_thermo("pe"))


def gather(lmp, name: str, count: int) -> np.ndarray:
    data = np.array(lmp.gather_atoms(name, 1, count), dtype=float)
    return data.reshape(-1, count) if count > 1 else data


def forces(lmp) -> np.ndarray:
    return gather(lmp, "f", 3)


def virial(lmp, system: VoronoiSystem) -> np.ndarray:
    """Global virial W (xx yy zz xy xz yz) = pressure tensor * volume."""
    lmp.command("run 0 post no")
    p = np.array([lmp.extract_compute("vir", 0, 1)[k] for k in range(6)])
    return p * system.volume


def cells(lmp) -> dict[str, np.ndarray]:
    """Per-atom cell data from fix pair, ordered by atom ID."""
    arr = np.array(lmp.gather("f_cell", 1, len(CELL_FIELDS)), dtype=float).reshape(-1, len(CELL_FIELDS))
    return {"volume": arr[:, 0], "centroid": arr[:, 1:4], "neighbors": arr[:, 4].astype(int)}


def random_system(n: int, rho: float, seed: int, dimension: int = 3, tilt=(0.0, 0.0, 0.0),
                  min_dist: float = 0.0, **kw) -> VoronoiSystem:
    """Random configuration at number density rho in a (tilted) periodic box.

    min_dist > 0 rejects points closer than that to earlier points (minimum
    image), which keeps random radical tessellations away from extreme cells.
    """
    rng = np.random.default_rng(seed)
    length = (n / rho) ** (1.0 / dimension)
    box = np.diag([length, length, length if dimension == 3 else 1.0])
    box[1, 0], box[2, 0], box[2, 1] = (t * length for t in tilt)
    frac = []
    while len(frac) < n:
        s = rng.uniform(0.0, 1.0, 3)
        if dimension == 2:
            s[2] = 0.5
        if min_dist > 0.0 and frac:
            d = np.array(frac) - s
            d -= np.round(d)
            if dimension == 2:
                d[:, 2] = 0.0
            if np.min(np.linalg.norm(d @ box, axis=1)) < min_dist:
                continue
        frac.append(s)
    frac = np.array(frac)
    x = frac @ box
    if dimension == 2:
        x[:, 2] = 0.0
    return VoronoiSystem(x=x, box=box, dimension=dimension, **kw)
