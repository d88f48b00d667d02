"""Periodic k-nearest-neighbour lists for the kNN Deep Potential.

The candidate pairs within ``rmax`` come from vesin (Fraux et al., a maintained
periodic neighbour-list library); this module only keeps the k nearest of each
atom.  The same rule is applied by ``pair_style knn/nnp`` on LAMMPS' full
neighbour list, so both see identical neighbourhoods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class TooFewNeighborsError(ValueError):
    """An atom has fewer than k neighbours within ``rmax``."""


@dataclass(frozen=True)
class KNNList:
    """The k nearest neighbours of every atom.

    Attributes
    ----------
    index
        ``(N, k)`` int64: atom index of each neighbour, nearest first.
    shift
        ``(N, k, 3)`` int64: periodic image of each neighbour, in cell vectors
        (the neighbour sits at ``positions[index] + shift @ cell``).
    distance
        ``(N, k)`` float64 distances (information only: models recompute them
        from positions so that gradients flow).
    """

    index: np.ndarray
    shift: np.ndarray
    distance: np.ndarray


def knn_list(positions: np.ndarray, cell: np.ndarray, k: int, rmax: float,
             periodic: bool = True) -> KNNList:
    """The k nearest neighbours of every atom among all atoms (and periodic images) within ``rmax``.

    Parameters
    ----------
    positions
        ``(N, 3)`` Cartesian positions.
    cell
        ``(3, 3)`` cell, one lattice vector per row (ASE convention; LAMMPS'
        ``a = (xprd, 0, 0)``, ``b = (xy, yprd, 0)``, ``c = (xz, yz, zprd)``).
    k
        Number of neighbours per atom.
    rmax
        Search radius; every atom must have at least ``k`` neighbours inside.
    periodic
        Periodic boundaries in all three directions.

    Returns
    -------
    KNNList

    Raises
    ------
    TooFewNeighborsError
        If an atom has fewer than ``k`` neighbours within ``rmax`` (raise
        ``rmax``), naming the first such atom and its count.
    """
    from slowdyn.common.optional import require  # noqa: PLC0415

    NeighborList = require("vesin", "the kNN neighbour search", "knn").NeighborList
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if rmax <= 0:
        raise ValueError(f"rmax must be positive, got {rmax}")
    pos = np.ascontiguousarray(positions, dtype=np.float64)
    box = np.ascontiguousarray(cell, dtype=np.float64)
    n = len(pos)
    nl = NeighborList(cutoff=float(rmax), full_list=True)
    i, j, s, d = nl.compute(points=pos, box=box, periodic=periodic, quantities="ijSd")
    i = np.asarray(i, dtype=np.int64)
    counts = np.bincount(i, minlength=n)
    bad = np.flatnonzero(counts < k)
    if bad.size:
        a = int(bad[0])
        raise TooFewNeighborsError(
            f"atom {a} has {int(counts[a])} neighbours within rmax = {rmax}, fewer than k = {k} "
            f"({bad.size} atoms affected): raise rmax")
    order = np.lexsort((d, i))          # by atom, then by distance
    start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    take = (start[:, None] + np.arange(k)[None, :]).ravel()
    sel = order[take]
    return KNNList(index=np.asarray(j, dtype=np.int64)[sel].reshape(n, k),
                   shift=np.asarray(s, dtype=np.int64)[sel].reshape(n, k, 3),
                   distance=np.asarray(d, dtype=np.float64)[sel].reshape(n, k))
