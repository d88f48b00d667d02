"""Voronoi neighbour statistics (seed 000 Figs. 3.19-3.20, Tab. 3.3).

Per particle: number of Voronoi neighbours (faces) and the minimum, mean and
maximum distance to them, from freud's periodic Voronoi tessellation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .structure import _freud, _wrapped, freud_box


@dataclass
class VoronoiNeighbours:
    """Voronoi neighbour count and distances per particle, pooled over frames.

    Parameters
    ----------
    dim : int
        Dimension (2 or 3).
    """

    dim: int = 3
    _data: dict | None = field(default=None, init=False, repr=False)

    def compute(self, frames: list[np.ndarray], cells: list[np.ndarray]) -> "VoronoiNeighbours":
        """Tessellate every frame.

        Parameters
        ----------
        frames : list of numpy.ndarray
            Positions ``(N, 3)`` per frame.
        cells : list of numpy.ndarray
            Box matrices (rows are box vectors).
        """
        freud = _freud()
        count, dmin, dmean, dmax = [], [], [], []
        for pos, cell in zip(frames, cells):
            box = freud_box(cell, self.dim)
            pts = _wrapped(box, pos, self.dim)
            voro = freud.locality.Voronoi()
            voro.compute((box, pts))
            nl = voro.nlist
            qi = np.asarray(nl.query_point_indices)
            dist = np.asarray(nl.distances)
            n = len(pts)
            c = np.bincount(qi, minlength=n)
            lo = np.full(n, np.inf)
            hi = np.zeros(n)
            np.minimum.at(lo, qi, dist)
            np.maximum.at(hi, qi, dist)
            count.append(c)
            dmin.append(lo)
            dmax.append(hi)
            dmean.append(np.bincount(qi, weights=dist, minlength=n) / np.maximum(c, 1))
        self._data = {k: np.concatenate(v) for k, v in
                      (("count", count), ("dmin", dmin), ("dmean", dmean), ("dmax", dmax))}
        return self

    @property
    def per_particle(self) -> dict:
        """Arrays ``count``, ``dmin``, ``dmean``, ``dmax`` (one entry per particle and frame)."""
        if self._data is None:
            raise RuntimeError("call VoronoiNeighbours.compute() first")
        return self._data

    def summary(self) -> dict:
        """Mean, standard deviation, minimum and maximum of each per-particle quantity."""
        return {k: {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()),
                    "max": float(v.max())} for k, v in self.per_particle.items()}

    def count_histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour counts and their relative frequencies."""
        c = self.per_particle["count"]
        values = np.arange(c.min(), c.max() + 1)
        return values, np.array([(c == v).mean() for v in values])
