"""Structure: partial and total g(r) and S(q) with freud.

freud (``freud-analysis``) computes both on periodic boxes in C++;
``StaticStructureFactorDirect`` samples wave vectors commensurate with the
box, which is what a simulation of a periodic system measures. In 2D (hard
disks) S(q) is the same direct sum over the wave vectors of the 2D box,
computed by freud in a thin 3D slab (see :func:`_slab`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from pathlib import Path

import numpy as np

from slowdyn.common.optional import require
from .._compute import Compute, computed_property


def _freud():
    return require("freud", "g(r) and S(q)", "analysis")


def freud_box(cell: np.ndarray, dim: int = 3):
    """Freud box from a LAMMPS/ASE cell matrix (rows are box vectors)."""
    freud = _freud()
    cell = np.asarray(cell, dtype=np.float64)
    if dim == 2:
        return freud.box.Box(Lx=cell[0, 0], Ly=cell[1, 1], xy=cell[1, 0] / cell[1, 1], is2D=True)
    return freud.box.Box.from_matrix(cell.T)


def _wrapped(box, positions: np.ndarray, dim: int) -> np.ndarray:
    pts = np.array(positions, dtype=np.float64)
    if dim == 2:
        pts[:, 2] = 0.0
    return box.wrap(pts)


def box_widths(cell: np.ndarray, dim: int = 3) -> np.ndarray:
    """Distances between opposite faces (3D) or edges (2D) of a box (rows of ``cell`` are box vectors)."""
    a = np.asarray(cell, dtype=np.float64)[:dim, :dim]
    if dim == 2:
        area = abs(np.linalg.det(a))
        return area / np.linalg.norm(a[::-1], axis=1)
    vol = abs(np.linalg.det(a))
    return vol / np.linalg.norm([np.cross(a[1], a[2]), np.cross(a[2], a[0]), np.cross(a[0], a[1])], axis=1)


def _slab(box, k_max: float):
    """The 3D box in which freud's direct S(k) of a 2D box is computed (freud < 3.6 refuses 2D boxes).

    The 2D box becomes the base of a slab of height ``pi / k_max``, the points
    stay at z = 0: a wave vector with a z component then has ``|k| >= 2 k_max``,
    so the vectors up to ``k_max`` are exactly those of the 2D box, with the same
    ``k . r``, and freud's average over them is the 2D S(k).
    """
    freud = _freud()
    return freud.box.Box(Lx=box.Lx, Ly=box.Ly, Lz=np.pi / k_max, xy=box.xy, is2D=False)


def pair_labels(types: np.ndarray) -> list[tuple[int, int]]:
    """Type pairs (a <= b) present in ``types``."""
    return list(combinations_with_replacement(sorted(int(t) for t in np.unique(types)), 2))


@dataclass
class Structure(Compute):
    """Total and partial g(r) and S(q), averaged over frames.

    Parameters
    ----------
    r_max : float
        Largest distance of g(r) (at most half the shortest box length).
    bins : int
        Histogram bins of g(r) and S(q).
    k_max : float
        Largest wave number of S(q).
    k_min : float, optional
        Smallest wave number of S(q); default pi/L (half the smallest nonzero
        wave number of the box, so that the forward peak at q = 0 is left out).
    dim : int
        Dimension (2 or 3).
    """

    r_max: float = 4.0
    bins: int = 200
    k_max: float = 20.0
    k_min: float | None = None
    dim: int = 3
    _r: np.ndarray | None = field(default=None, init=False, repr=False)
    _k: np.ndarray | None = field(default=None, init=False, repr=False)
    _g: dict | None = field(default=None, init=False, repr=False)
    _s: dict | None = field(default=None, init=False, repr=False)

    def compute(self, frames: list[np.ndarray], types: np.ndarray, cells: list[np.ndarray],
                structure_factor: bool = True) -> "Structure":
        """Accumulate g(r) (and S(q)) over frames.

        Parameters
        ----------
        frames : list of numpy.ndarray
            Positions, each ``(N, 3)`` (wrapped or unwrapped).
        types : numpy.ndarray
            Atom types ``(N,)``.
        cells : list of numpy.ndarray
            Box matrix of each frame (rows are box vectors).
        structure_factor : bool
            Also compute S(q) (the slower part).
        """
        freud = _freud()
        types = np.asarray(types)
        pairs = pair_labels(types)
        rdf = {"all": freud.density.RDF(self.bins, self.r_max)}
        rdf.update({p: freud.density.RDF(self.bins, self.r_max) for p in pairs})
        sq = {}
        if structure_factor:
            k_min = self.k_min
            if k_min is None:
                k_min = np.pi / np.linalg.norm(np.asarray(cells[0])[: self.dim], axis=1).max()

            def make():
                return freud.diffraction.StaticStructureFactorDirect(self.bins, self.k_max, k_min)

            sq = {"all": make()}
            sq.update({p: make() for p in pairs})
        for i, (pos, cell) in enumerate(zip(frames, cells)):
            half = 0.5 * box_widths(cell, self.dim).min()
            if not self.r_max < half:
                raise ValueError(f"r_max = {self.r_max:g} is not below half the smallest width of the box, "
                                 f"{half:.6g} (frame {i}): g(r) of a periodic box ends there; choose a smaller r_max")
            box = freud_box(cell, self.dim)
            pts = _wrapped(box, pos, self.dim)
            sq_box = box if self.dim == 3 else _slab(box, self.k_max)
            rdf["all"].compute((box, pts), reset=False)
            if structure_factor:
                sq["all"].compute((sq_box, pts), reset=False)
            for a, b in pairs:
                pa, pb = pts[types == a], pts[types == b]
                nb = {"mode": "ball", "r_max": self.r_max, "exclude_ii": a == b}
                rdf[(a, b)].compute((box, pa), query_points=pb, neighbors=nb, reset=False)
                if structure_factor:
                    sq[(a, b)].compute((sq_box, pa), query_points=pb, N_total=len(pts), reset=False)
        self._r = np.asarray(rdf["all"].bin_centers)
        self._g = {k: np.asarray(v.rdf) for k, v in rdf.items()}
        if structure_factor:
            self._k = np.asarray(sq["all"].bin_centers)
            self._s = {k: np.asarray(v.S_k) for k, v in sq.items()}
        return self

    @computed_property
    def r(self) -> np.ndarray:
        """Bin centres of g(r)."""
        return self._r

    @computed_property
    def rdf(self) -> dict:
        """g(r): key ``"all"`` and ``(a, b)`` for each type pair."""
        return self._g

    @property
    def k(self) -> np.ndarray:
        """Bin centres of S(q)."""
        if self._k is None:
            raise RuntimeError("call Structure.compute(structure_factor=True) first")
        return self._k

    @property
    def sq(self) -> dict:
        """S(q): key ``"all"`` and ``(a, b)`` for each type pair (Faber-Ziman-like partials
        normalised by the total number of atoms, as freud's ``N_total``); NaN in bins
        that hold no wave vector of the box. freud averages over the wave vectors
        ``k = 2 pi (n1 b1 + n2 b2 [+ n3 b3])`` with all ``n_i >= 0`` (b_i: the
        reciprocal box vectors), in 2D as in 3D.
        """
        if self._s is None:
            raise RuntimeError("call Structure.compute(structure_factor=True) first")
        return self._s

    def _labels(self, curves: dict) -> dict:
        return {k: ("all" if k == "all" else f"{k[0]}-{k[1]}") for k in curves}

    def plot(self, ax=None):
        """g(r) of every pair on ``ax`` (default: a new Figure); returns the Figure."""
        return _plot_curves(ax, self.r, self.rdf, self._labels(self.rdf), "r", "g(r)")

    def plot_sq(self, ax=None):
        """S(q) of every pair on ``ax`` (default: a new Figure); returns the Figure."""
        return _plot_curves(ax, self.k, self.sq, self._labels(self.sq), "q", "S(q)")

    def write(self, folder: str | Path = "structure") -> list[Path]:
        """``FOLDER/gr.txt``, ``gr.png`` and, when S(q) was computed, ``sq.txt``, ``sq.png``
        (``# columns: r g_all g_1-1 ...`` / ``q S_all ...``); the folder is created. Returns the files.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        parts = [("gr", self.r, self.rdf, ("r", "g"), self.plot)]
        if self._k is not None:
            parts.append(("sq", self.k, self.sq, ("q", "S"), self.plot_sq))
        for name, x, curves, (xname, yname), plot in parts:
            label = self._labels(curves)
            table = folder / f"{name}.txt"
            np.savetxt(table, np.column_stack([x] + [curves[k] for k in curves]),
                       header=f"columns: {xname} " + " ".join(f"{yname}_{label[k]}" for k in curves))
            figure = folder / f"{name}.png"
            plot().savefig(figure, dpi=120)
            files += [table, figure]
        return files


def _plot_curves(ax, x, curves: dict, labels: dict, xlabel: str, ylabel: str):
    from slowdyn.common.plotting import figure_axes

    fig, ax = figure_axes(ax, figsize=(5, 3.6))
    for k, y in curves.items():
        ax.plot(x, y, label=labels[k])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
