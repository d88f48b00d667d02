"""The k-nearest-neighbour graph of particles in a periodic box (minimum-image convention).

Each particle i is joined to its k nearest other particles j, at the minimum-image
vector r_j - r_i, in orthogonal and triclinic boxes (2D and 3D). The search is the one the
structure features use (:func:`.features.periodic_system` builds the freud box and the wrapped
points; :class:`freud.locality.AABBQuery` with ``num_neighbors`` finds the neighbours over the
periodic images); freud works in float32, so it is asked for ``k + extra`` candidates, the
vectors are recomputed in float64 (the image freud chose, applied to the float64 positions)
and the k nearest are kept by their float64 distance. The minimum image is unique when the
k-th neighbour lies closer than half the smallest width of the box; a smaller box is refused.

``periodic=False`` is the graph of the open box: the positions wrapped into the box, plain
Euclidean distances without images (Ciacchi, MSc thesis, Sapienza 2022, built the graphs of his
dynamic graph CNN without the box): particles near a face miss their neighbours across it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slowdyn.common.optional import require
from ..observables.structure import box_widths
from .features import periodic_system


@dataclass
class KNNGraph:
    """A k-nearest-neighbour graph.

    Attributes
    ----------
    neighbours : numpy.ndarray
        ``(N, k)`` int64: the k nearest particles of each particle, nearest first.
    vectors : numpy.ndarray
        ``(N, k, 3)`` float64: the minimum-image vectors r_j - r_i (z = 0 in 2D).
    """

    neighbours: np.ndarray
    vectors: np.ndarray

    @property
    def edge_index(self) -> np.ndarray:
        """``(2, N k)``: row 0 the centre i, row 1 the neighbour j (the order of :attr:`vectors` flattened)."""
        n, k = self.neighbours.shape
        return np.stack([np.repeat(np.arange(n), k), self.neighbours.reshape(-1)])

    @property
    def distances(self) -> np.ndarray:
        """``(N, k)`` float64 |r_j - r_i|."""
        return np.linalg.norm(self.vectors, axis=-1)


def knn_graph(points: np.ndarray, cell: np.ndarray, k: int, dim: int = 3, periodic: bool = True,
              extra: int = 4) -> KNNGraph:
    """The k nearest neighbours of every particle, under the minimum-image convention.

    Parameters
    ----------
    points : numpy.ndarray
        Positions ``(N, 3)`` (or ``(N, 2)``), wrapped or not.
    cell : numpy.ndarray
        Box matrix ``(3, 3)``, rows are the box vectors (LAMMPS/ASE convention).
    k : int
        Neighbours per particle (1 <= k < N).
    dim : int
        2 or 3.
    periodic : bool
        False: the graph of the open box, plain Euclidean distances between the positions wrapped into it.
    extra : int
        Candidates beyond k asked of freud (float32), ranked again in float64.

    Returns
    -------
    KNNGraph

    Raises
    ------
    ValueError
        When k is out of range, or the k-th neighbour is not closer than half the smallest box width
        (the minimum image is ambiguous: use a larger box or a smaller k).
    """
    pts = np.array(points, dtype=np.float64)
    n = len(pts)
    if dim not in (2, 3):
        raise ValueError(f"dim must be 2 or 3, not {dim}")
    if not 1 <= int(k) < n:
        raise ValueError(f"k = {k} neighbours need 1 <= k < N = {n} particles")
    k = int(k)
    if pts.shape[1] < 3:
        pts = np.hstack([pts, np.zeros((n, 3 - pts.shape[1]))])
    if dim == 2:
        pts[:, 2] = 0.0
    cell = np.asarray(cell, dtype=np.float64)
    if not periodic:
        kd = require("scipy.spatial", "the k-nearest-neighbour graph", "softness")
        b = cell[:dim, :dim]
        frac = pts[:, :dim] @ np.linalg.inv(b)
        pts[:, :dim] = (frac - np.floor(frac)) @ b
        _, nb = kd.cKDTree(pts[:, :dim]).query(pts[:, :dim], k=k + 1)
        nb = _drop_self(np.asarray(nb, dtype=np.int64), k)
        return KNNGraph(nb, pts[nb] - pts[:, None, :])
    freud = require("freud", "the periodic k-nearest-neighbour graph", "softness")
    width = float(box_widths(cell, dim).min())
    m = min(k + int(extra), n - 1)
    box, _, wrapped = periodic_system(pts, cell, dim, 0.0)[:3]
    nl = freud.locality.AABBQuery(box, wrapped).query(wrapped, {"num_neighbors": m, "exclude_ii": True}) \
        .toNeighborList(sort_by_distance=True)
    i = np.asarray(nl.query_point_indices, dtype=np.int64)
    j = np.asarray(nl.point_indices, dtype=np.int64)
    if len(i) != n * m:
        raise ValueError(f"the periodic {k}-nearest-neighbour graph: freud found {len(i)} of {n * m} candidates")
    v32 = np.asarray(nl.vectors, dtype=np.float64)           # wrapped[j] - wrapped[i] at the image freud chose
    b = cell[:dim, :dim]
    inv = np.linalg.inv(b)
    v = pts[j] - pts[i]
    # the lattice vector between freud's image and the float64 difference of the positions as given
    v[:, :dim] -= np.rint((v[:, :dim] - v32[:, :dim]) @ inv) @ b
    d = np.linalg.norm(v, axis=1).reshape(n, m)
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    nb = np.take_along_axis(j.reshape(n, m), order, axis=1)
    vec = np.take_along_axis(v.reshape(n, m, 3), order[..., None], axis=1)
    far = float(np.take_along_axis(d, order, axis=1)[:, -1].max())
    if far >= 0.5 * width:
        raise ValueError(f"the {k}-th neighbour lies at {far:.4g}, not closer than half the smallest box width "
                         f"({0.5 * width:.4g}): the minimum image is ambiguous; use fewer neighbours or a larger box")
    return KNNGraph(nb, vec)


def _drop_self(nb: np.ndarray, k: int) -> np.ndarray:
    """The k neighbours of a (N, k+1) query that includes each particle itself (anywhere, for ties at 0)."""
    n = len(nb)
    self_ = nb == np.arange(n)[:, None]
    self_[~self_.any(axis=1), -1] = True                     # a duplicate position took its place: drop the last
    return nb[~self_].reshape(n, k)


def minimum_image(vectors: np.ndarray, cell: np.ndarray, dim: int = 3) -> np.ndarray:
    """The shortest periodic image of each difference vector (brute force over the neighbouring cells).

    A reference for tests and small systems: exact for any box whose vectors are not more than
    one cell apart from the reduced ones (LAMMPS triclinic boxes with tilts up to half a length).
    """
    cell = np.asarray(cell, dtype=np.float64)
    v = np.array(vectors, dtype=np.float64)
    b = cell[:dim, :dim]
    v[..., :dim] -= np.rint(v[..., :dim] @ np.linalg.inv(b)) @ b
    shifts = np.stack(np.meshgrid(*[np.arange(-1, 2)] * dim, indexing="ij"), -1).reshape(-1, dim) @ b
    cand = v[..., None, :dim] + shifts                       # (..., 3^dim, dim)
    best = np.argmin((cand * cand).sum(-1), axis=-1)
    v[..., :dim] = np.take_along_axis(cand, best[..., None, None], axis=-2)[..., 0, :]
    return v


__all__ = ["KNNGraph", "knn_graph", "minimum_image"]
