"""Voronoi neighbour statistics (Granz 2026, Figs. 3.19-3.20, Tab. 3.3).

Per particle: number of Voronoi neighbours (faces, edges in 2D) and the
minimum, mean and maximum distance to them. The tessellation is pyvoro2
(voro++). freud's Voronoi is not used: its voro++ symbols clash with the
voro++ inside liblammps.so once LAMMPS is loaded in the same process
(segmentation fault), pyvoro2's do not. Faces smaller than
``min_face_fraction`` times the mean face area (edges: length) of the cell
are dropped, so that numerically degenerate vertices of crystals (tiny
faces of area ~1e-9) do not count as neighbours; 0 keeps every face.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from slowdyn.common.optional import require
from .._compute import Compute, computed_property, flat_summary


def _pyvoro2():
    return require("pyvoro2", "Voronoi statistics", "analysis")


def _polygon_area(v: np.ndarray) -> float:
    c = v.mean(axis=0)
    return 0.5 * float(np.linalg.norm(np.cross(v - c, np.roll(v, -1, axis=0) - c).sum(axis=0)))


def _min_image(d: np.ndarray, cell: np.ndarray) -> np.ndarray:
    frac = np.linalg.solve(cell.T, d.T).T
    frac -= np.round(frac)
    return frac @ cell


@dataclass
class VoronoiNeighbours(Compute):
    """Voronoi neighbour count and distances per particle, pooled over frames.

    Parameters
    ----------
    dim : int
        Dimension (2 or 3).
    min_face_fraction : float
        Faces (edges) with area (length) below this fraction of the cell's
        mean face area (edge length) are not neighbours.
    """

    dim: int = 3
    min_face_fraction: float = 1e-4
    _data: dict | None = field(default=None, init=False, repr=False)

    def _frame(self, pos: np.ndarray, cell: np.ndarray) -> tuple[np.ndarray, ...]:
        pv = _pyvoro2()
        cell = np.asarray(cell, dtype=np.float64)
        n = len(pos)
        if self.dim == 3:
            frac = np.linalg.solve(cell.T, np.asarray(pos, float).T).T % 1.0
            x = frac @ cell
            out = pv.compute(x, domain=pv.PeriodicCell(tuple(map(tuple, cell))), output="cells")
            key, measure = "faces", lambda c, f: _polygon_area(np.asarray(c["vertices"])[f["vertices"]])
        else:
            lx, ly = cell[0, 0], cell[1, 1]
            x = np.asarray(pos, float)[:, :2] % [lx, ly]
            dom = pv.planar.RectangularCell(((0.0, lx), (0.0, ly)), periodic=(True, True))
            out = pv.planar.compute(x, domain=dom, output="cells")
            key = "edges"
            measure = lambda c, e: float(np.linalg.norm(np.diff(np.asarray(c["vertices"])[e["vertices"]], axis=0)))  # noqa: E731
            cell = cell[:2, :2]
        count = np.zeros(n, int)
        dmin, dmean, dmax = np.zeros(n), np.zeros(n), np.zeros(n)
        for c in out:
            i = c["id"]
            faces = c.get(key, [])
            if not faces:
                continue
            size = np.array([measure(c, f) for f in faces])
            keep = size > self.min_face_fraction * size.mean()
            nbr = np.array([f["adjacent_cell"] for f in faces])[keep]
            d = np.linalg.norm(_min_image(x[nbr] - x[i], cell), axis=1)
            count[i] = len(nbr)
            dmin[i], dmean[i], dmax[i] = d.min(), d.mean(), d.max()
        return count, dmin, dmean, dmax

    def compute(self, frames: list[np.ndarray], cells: list[np.ndarray]) -> "VoronoiNeighbours":
        """Tessellate every frame.

        Parameters
        ----------
        frames : list of numpy.ndarray
            Positions ``(N, 3)`` per frame (wrapped or unwrapped).
        cells : list of numpy.ndarray
            Box matrices (rows are box vectors; 2D: rectangular boxes).
        """
        parts = [self._frame(p, c) for p, c in zip(frames, cells)]
        names = ("count", "dmin", "dmean", "dmax")
        self._data = {k: np.concatenate([p[m] for p in parts]) for m, k in enumerate(names)}
        return self

    @computed_property
    def per_particle(self) -> dict:
        """Arrays ``count``, ``dmin``, ``dmean``, ``dmax`` (one entry per particle and frame)."""
        return self._data

    def summary(self) -> dict[str, float]:
        """Mean, standard deviation, minimum and maximum of each per-particle quantity:
        ``{"count/mean": ..., "count/std": ..., ..., "dmax/max": ...}``.
        """
        return flat_summary({k: {"mean": v.mean(), "std": v.std(), "min": v.min(), "max": v.max()}
                             for k, v in self.per_particle.items()})

    def count_histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour counts and their relative frequencies."""
        c = self.per_particle["count"]
        values = np.arange(c.min(), c.max() + 1)
        return values, np.array([(c == v).mean() for v in values])

    def plot(self, ax=None):
        """Histogram of the neighbour counts (left) and of the neighbour distances (right); ``ax``: two
        Axes (default: a new Figure). Returns the Figure.
        """
        from slowdyn.common.plotting import figure_axes

        fig, axes = figure_axes(ax, 1, 2, figsize=(8, 3.4))
        values, freq = self.count_histogram()
        axes[0].bar(values, freq)
        axes[0].set_xlabel("Voronoi neighbours")
        axes[0].set_ylabel("fraction")
        d = self.per_particle
        for key in ("dmin", "dmean", "dmax"):
            lo, hi = float(d[key].min()), float(d[key].max())
            # a crystal's equal distances: a window of 1e-3 relative width (numpy cannot bin a zero range)
            window = (lo, lo + 1e-3 * abs(hi)) if hi - lo < 1e-3 * abs(hi) else None
            axes[1].hist(d[key], bins=50, range=window, histtype="step", density=True, label=key)
        axes[1].set_xlabel("neighbour distance")
        axes[1].legend(fontsize="small")
        fig.tight_layout()
        return fig

    def write(self, folder: str | Path = "observe") -> list[Path]:
        """``FOLDER/voronoi.txt`` (count dmin dmean dmax per particle and frame, the :meth:`summary` in
        the header) and ``FOLDER/voronoi.png`` (:meth:`plot`); the folder is created.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = [folder / "voronoi.txt", folder / "voronoi.png"]
        d, summary = self.per_particle, self.summary()
        stats = ("mean", "std", "min", "max")
        head = "\n".join(f"{k}: " + " ".join(f"{s} {summary[f'{k}/{s}']:.6g}" for s in stats) for k in d)
        np.savetxt(files[0], np.column_stack([d["count"], d["dmin"], d["dmean"], d["dmax"]]),
                   header=head + "\ncolumns: count dmin dmean dmax (one row per particle and frame)")
        self.plot().savefig(files[1], dpi=120)
        return files
