"""Per-particle structure features: radial structure functions and Steinhardt q_l on shells.

The radial structure functions of Behler & Parrinello (PRL 98, 146401 (2007)),
as used for softness by Schoenholz, Cubuk, Sussman, Kaxiras & Liu (Nat. Phys.
12, 469 (2016)) and Obadiya (PhD thesis, Emory 2025, eq. 2.1),

    G_X(i; r, delta) = sum_{j in X, j != i} exp(-(r - R_ij)^2 / (2 delta^2)),

with delta = 0.2, r = 0.1, 0.2, ..., 5.0 and X each species (100 features for
a binary mixture). Neighbours come from freud's AABB tree
(:class:`freud.locality.AABBQuery`), or for orthogonal boxes from scipy's periodic
:class:`scipy.spatial.cKDTree` (same pairs, much faster here), up to ``r_max + cutoff_widths * delta``
(default 8 delta: a term left out is below exp(-32) = 1.3e-14). The sum runs
over every periodic image within that distance: when the cut-off exceeds half
a width of the box (N = 1000 at rho = 1.2 has L/2 = 4.7), the box is tiled
into a supercell first, so the features of a small box are the exact
all-image sums; in a box wider than twice the cut-off this is the
minimum-image sum. Orthogonal and triclinic boxes, 2D and 3D. The Gaussians
are summed by a compiled numba loop over the pairs when numba is installed
(3.8x faster than the numpy route at N = 4096, doc/softness.md), else by numpy.

Angular features (Obadiya 2025, eqs. 3.2-3.3): Steinhardt q_l,
l = 2, 4, ..., 14, of the neighbours in the shells r_min < R_ij < r_min + 0.5,
r_min = 1.0, 1.5, ..., 3.0 (35 features), through :class:`freud.order.Steinhardt`,
0 for a particle without neighbours in a shell. The features are raw;
standardisation at the training temperature is the classifier's scaler
(:class:`~.softness.Softness`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from slowdyn.common.optional import require
from .._compute import Compute, computed_property
from ..observables.structure import freud_box

RADII = np.round(np.arange(1, 51) * 0.1, 12)
SHELLS = (1.0, 1.5, 2.0, 2.5, 3.0)
LS = (2, 4, 6, 8, 10, 12, 14)


def _freud():
    return require("freud", "structure features", "softness")


def _widths(cell: np.ndarray, dim: int) -> np.ndarray:
    a = np.asarray(cell, dtype=np.float64)[:dim, :dim]
    vol = abs(np.linalg.det(a))
    if dim == 2:
        return vol / np.linalg.norm(a[::-1], axis=1)
    return vol / np.linalg.norm([np.cross(a[1], a[2]), np.cross(a[2], a[0]), np.cross(a[0], a[1])], axis=1)


def periodic_system(points: np.ndarray, cell: np.ndarray, dim: int, r_cut: float):
    """Freud box and points in which a neighbour query up to ``r_cut`` sees every periodic image.

    Returns ``(box, all_points, query_points, n_tiles, points64, offsets, big_cell)``: the box is ``cell`` tiled
    ``n_tiles[k]`` times along its k-th vector (1 when ``cell`` is already wider
    than ``2 r_cut``); ``all_points`` holds the tiles one after the other (tile 0
    first, so point ``p`` is particle ``p % N``); ``query_points`` are the
    particles in the tiled box; ``points64`` the particles in float64 (z = 0 in 2D), ``offsets`` the
    shift of each tile and ``big_cell`` the tiled cell (rows are box vectors).
    """
    cell = np.asarray(cell, dtype=np.float64)
    pts = np.array(points, dtype=np.float64)[:, :3]
    if pts.shape[1] < 3:
        pts = np.hstack([pts, np.zeros((len(pts), 3 - pts.shape[1]))])
    if dim == 2:
        pts[:, 2] = 0.0
    widths = _widths(cell, dim)
    n_tiles = np.maximum(1, np.floor(2.0 * r_cut / widths).astype(int) + 1)
    big = cell.copy()
    big[:dim] *= n_tiles[:, None]
    box = freud_box(big, dim)
    shifts = np.stack(np.meshgrid(*[np.arange(n) for n in n_tiles], indexing="ij"), -1).reshape(-1, dim)
    offsets = shifts @ cell[:dim, :3]
    allp = box.wrap((pts[None] + offsets[:, None, :]).reshape(-1, 3))
    return box, allp, box.wrap(pts), n_tiles, pts, offsets, big


def pair_distances(i: np.ndarray, p: np.ndarray, pts: np.ndarray, offsets: np.ndarray, big: np.ndarray,
                   dim: int) -> np.ndarray:
    """The float64 distances of the pairs (particle ``i``, tiled point ``p``), minimum image in the tiled box
    ``big`` (freud holds positions in float32; the distances are recomputed here from the float64 positions).
    """
    n = len(pts)
    b = big[:dim, :dim]
    if np.count_nonzero(b - np.diag(np.diag(b))) == 0:          # orthogonal: one axis at a time
        j, t = p % n, p // n
        d2 = np.zeros(len(i))
        for k in range(dim):
            x = pts[j, k] - pts[i, k] + offsets[t, k]
            x -= b[k, k] * np.rint(x / b[k, k])
            d2 += x * x
        return np.sqrt(d2)
    v = pts[p % n] + offsets[p // n] - pts[i]
    frac = v[:, :dim] @ np.linalg.inv(b)
    v[:, :dim] -= np.round(frac) @ b
    return np.linalg.norm(v, axis=1)


def radial_structure_functions(points: np.ndarray, types: np.ndarray, cell: np.ndarray, dim: int = 3,
                               radii: np.ndarray = RADII, delta: float = 0.2, species=None,
                               cutoff_widths: float = 8.0, chunk: int = 50_000,
                               particles: np.ndarray | None = None, neighbours: str = "auto",
                               kernel: str = "auto") -> np.ndarray:
    """G_X(i; r, delta) of every particle of one frame (eq. 2.1 of Obadiya 2025).

    Parameters
    ----------
    points : numpy.ndarray
        Positions ``(N, 3)`` (or ``(N, 2)`` in 2D), wrapped or not.
    types : numpy.ndarray
        Particle types ``(N,)``.
    cell : numpy.ndarray
        Box matrix ``(3, 3)``, rows are the box vectors (LAMMPS/ASE convention).
    dim : int
        2 or 3.
    radii : numpy.ndarray
        Shell radii r (default 0.1 ... 5.0).
    delta : float
        Shell width.
    species : sequence of int, optional
        The types X, in feature order (default: the types present, sorted).
    cutoff_widths : float
        Pairs up to ``max(radii) + cutoff_widths * delta`` are summed.
    chunk : int
        Pairs per vectorised block (memory ``chunk * len(radii) * 8`` bytes).
    particles : numpy.ndarray of int, optional
        Only these particles (default: all); their neighbours are all particles.
    neighbours : str
        The neighbour search: ``freud`` (:class:`freud.locality.AABBQuery`, every box), ``kdtree``
        (:class:`scipy.spatial.cKDTree` with periodic ``boxsize``, on the tiled box: orthogonal boxes
        only; 25-50x faster than freud's neighbour list for 4096 particles here, see
        benchmarks/bench_structure_functions.py, but slower on tiled boxes) or ``auto`` (kdtree for
        orthogonal boxes wider than twice the cut-off, else freud).
        Both give the same pairs; the distances are recomputed in float64 either way.
    kernel : str
        The accumulation of the Gaussians over the pairs: ``numba`` (a compiled loop over the pairs, once,
        adding each pair's Gaussians within ``cutoff_widths * delta`` of its distance, through the same
        recurrence; about 1-2 s of JIT compilation at the first call of a process), ``numpy`` (the Gaussians
        of every radius in blocks of ``chunk`` pairs and a sparse scatter) or ``auto`` (numba when it is
        installed, else numpy). Both equal the direct sum to 1e-12; see doc/softness.md for the times.

    Returns
    -------
    numpy.ndarray
        ``(len(particles), len(species) * len(radii))`` (N rows by default): species-major, ``G_X(r)`` for the
        first X at every r, then the next X.
    """
    freud = _freud()
    types = np.asarray(types)
    radii = np.asarray(radii, dtype=np.float64)
    species = np.unique(types) if species is None else np.asarray(species)
    n = len(types)
    r_cut = float(radii.max() + cutoff_widths * delta)
    box, allp, qp, _, pts, offsets, big = periodic_system(points, cell, dim, r_cut)
    sparse = require("scipy.sparse", "structure features", "softness")
    sel = np.arange(n) if particles is None else np.asarray(particles, dtype=np.int64)
    b = big[:dim, :dim]
    tiled = len(allp) != n
    orthogonal = np.count_nonzero(b - np.diag(np.diag(b))) == 0
    if neighbours not in ("auto", "freud", "kdtree"):
        raise ValueError(f"neighbours must be auto, freud or kdtree, not {neighbours!r}")
    if kernel not in ("auto", "numba", "numpy"):
        raise ValueError(f"kernel must be auto, numba or numpy, not {kernel!r}")
    accumulate = _numba_accumulate(kernel == "numba") if kernel != "numpy" else None
    if neighbours == "kdtree" and not orthogonal:
        raise ValueError("neighbours='kdtree' needs an orthogonal box; use freud for triclinic boxes")
    # every particle, no tiling: each unordered pair once (p > i), added to both of its particles
    half = particles is None and not tiled
    if neighbours == "kdtree" or (neighbours == "auto" and orthogonal and not tiled):
        kd = require("scipy.spatial", "structure features", "softness")
        lengths = np.diag(b)
        x = np.mod((pts[None, :, :dim] + offsets[:, None, :dim]).reshape(-1, dim), lengths)   # tile 0 first
        x[x >= lengths] = 0.0
        tree = kd.cKDTree(x, boxsize=lengths)
        if half:
            pairs = tree.query_pairs(r_cut, output_type="ndarray")
            i, p = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
        else:
            sub = kd.cKDTree(x[sel], boxsize=lengths)
            rec = sub.sparse_distance_matrix(tree, r_cut, output_type="ndarray")
            i, p = sel[rec["i"].astype(np.int64)], rec["j"].astype(np.int64)
            i, p = i[p != i], p[p != i]
    else:
        nl = freud.locality.AABBQuery(box, allp).query(qp[sel], {"r_max": r_cut}).toNeighborList(
            sort_by_distance=False)
        i = sel[np.asarray(nl.query_point_indices, dtype=np.int64)]
        p = np.asarray(nl.point_indices, dtype=np.int64)
        keep = p > i if half else p != i                 # not the particle itself (its images are kept)
        i, p = i[keep], p[keep]
    if accumulate is not None and orthogonal:
        d = np.empty(0)                                   # the kernel computes them, as pair_distances does
    else:
        d = pair_distances(i, p, pts, offsets, big, dim)
    m = len(sel)
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[sel] = np.arange(m)
    ns = len(species) + 1
    code = np.searchsorted(species, types)
    code[~np.isin(types, species)] = len(species)        # types outside ``species`` are dropped
    if accumulate is not None:
        out = np.zeros((m, ns, len(radii)))
        steps = np.diff(radii)
        uniform = bool(len(radii) >= 3 and np.ptp(steps) <= 1e-9 * abs(steps[0]))
        h = float(steps[0]) if uniform else 0.0
        accumulate(out, row_of, code, i, p, d, pts, offsets, np.diag(b).copy() if orthogonal else np.empty(0),
                   radii, uniform, h, -0.5 / delta**2, float(cutoff_widths * delta), half)
        return out[:, :len(species)].reshape(m, -1)
    j = p % n
    out = np.zeros((m * ns, len(radii)))
    for start in range(0, len(d), chunk):
        sl = slice(start, start + chunk)
        g = gaussian_shells(d[sl], radii, delta)         # (radii, pairs)
        rows = [row_of[i[sl]] * ns + code[j[sl]]]
        if half:
            rows.append(row_of[j[sl]] * ns + code[i[sl]])
        cols = np.arange(len(d[sl]))
        rows, cols = np.concatenate(rows), np.tile(cols, len(rows))
        scatter = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m * ns, len(cols) // (2 if half else 1)))
        out += scatter @ g.T
    out = out.reshape(m, len(species) + 1, len(radii))[:, :len(species)]
    return out.reshape(m, -1)


@functools.lru_cache(maxsize=None)
def _compiled_accumulate():
    nb = require("numba", "the compiled structure-function kernel", "softness")

    @nb.njit(nogil=True)
    def accumulate(out, row_of, code, i, tiled, d, pts, offsets, lengths, radii, uniform, h, inv, window, half):
        nr = radii.shape[0]
        n = pts.shape[0]
        dim = lengths.shape[0]
        c = np.exp(2.0 * inv * h * h)
        single = offsets.shape[0] == 1
        for p in range(i.shape[0]):
            ip, jp, t = i[p], tiled[p], 0
            if not single:
                jp, t = jp % n, jp // n
            if dim:                                       # orthogonal box: pair_distances, one pair at a time
                d2 = 0.0
                for k in range(dim):
                    x = pts[jp, k] - pts[ip, k] + offsets[t, k]
                    x -= lengths[k] * np.rint(x / lengths[k])
                    d2 += x * x
                dp = np.sqrt(d2)
            else:
                dp = d[p]
            a, b = row_of[ip], row_of[jp]
            ca, cb = code[ip], code[jp]
            if not uniform:
                for k in range(nr):
                    x = radii[k] - dp
                    if abs(x) <= window:
                        g = np.exp(inv * x * x)
                        out[a, cb, k] += g
                        if half:
                            out[b, ca, k] += g
                continue
            # the radii within ``window`` of dp, by the recurrence of gaussian_shells, restarted every 10
            lo = max(0, int(np.ceil((dp - window - radii[0]) / h)) - 1)
            hi = min(nr, int(np.floor((dp + window - radii[0]) / h)) + 2)
            while lo < hi and abs(radii[lo] - dp) > window:
                lo += 1
            while hi > lo and abs(radii[hi - 1] - dp) > window:
                hi -= 1
            k = lo
            while k < hi:
                x = radii[k] - dp
                g = np.exp(inv * x * x)
                q = np.exp(inv * (h * h + 2.0 * x * h))
                stop = min(k + 10, hi)
                while k < stop:
                    out[a, cb, k] += g
                    if half:
                        out[b, ca, k] += g
                    g *= q
                    q *= c
                    k += 1

    return accumulate


def _numba_accumulate(required: bool):
    """The compiled accumulation (compiled on first use), or None without numba unless ``required``."""
    if not required:
        try:
            import numba  # noqa: F401
        except ImportError:
            return None
    return _compiled_accumulate()


def gaussian_shells(d: np.ndarray, radii: np.ndarray, delta: float, restart: int = 10) -> np.ndarray:
    """exp(-(r_k - d)^2 / (2 delta^2)) for every radius r_k and distance d, shape ``(len(radii), len(d))``.

    On a uniform grid r_k = r_0 + k h the Gaussians follow g_{k+1} = g_k q_k, q_{k+1} = q_k exp(-h^2/delta^2):
    two multiplications per value instead of an exponential (7x faster here); the recurrence restarts from
    exact exponentials every ``restart`` radii, so that rounding stays at a few ulp (measured below 1e-14
    relative to the direct formula). Other grids use the direct formula.
    """
    radii = np.asarray(radii, dtype=np.float64)
    inv = -0.5 / delta**2
    out = np.empty((len(radii), len(d)))
    steps = np.diff(radii)
    if len(radii) < 3 or np.ptp(steps) > 1e-9 * abs(steps[0]):
        for k, r in enumerate(radii):
            out[k] = np.exp(inv * (r - d) ** 2)
        return out
    h = steps[0]
    c = np.exp(2.0 * inv * h * h)
    for k0 in range(0, len(radii), restart):
        x = radii[k0] - d
        g = np.exp(inv * x * x)
        q = np.exp(inv * (h * h + 2.0 * x * h))
        for k in range(k0, min(k0 + restart, len(radii))):
            out[k] = g
            if k + 1 < min(k0 + restart, len(radii)):
                g *= q
                q *= c
    return out


def steinhardt_shells(points: np.ndarray, cell: np.ndarray, dim: int = 3, ls=LS, shells=SHELLS,
                      width: float = 0.5, particles: np.ndarray | None = None, average: bool = False) -> np.ndarray:
    """Steinhardt q_l of the neighbours in radial shells (eqs. 3.2-3.3 of Obadiya 2025), through freud.

    ``average=True``: the neighbour-averaged version (Lechner & Dellago, J. Chem. Phys. 129,
    114707 (2008)): the q_lm of each particle averaged with those of its neighbours in the same
    shell before the rotational invariant is taken (freud's ``Steinhardt(l, average=True)``).

    Returns
    -------
    numpy.ndarray
        ``(N, len(shells) * len(ls))``, shell-major; 0 where a shell holds no neighbour.
    """
    freud = _freud()
    n = len(points)
    box, allp = periodic_system(points, cell, dim, max(shells) + width)[:2]
    cols = []
    for r_min in shells:
        for ell in ls:
            st = freud.order.Steinhardt(ell, average=average)
            st.compute((box, allp), neighbors={"r_min": r_min, "r_max": r_min + width, "exclude_ii": True})
            cols.append(np.nan_to_num(np.asarray(st.particle_order)[:n], nan=0.0))
    out = np.stack(cols, axis=1)
    return out if particles is None else out[np.asarray(particles, dtype=np.int64)]


def steinhardt_mode(kind: str | None) -> bool | str:
    """The ``steinhardt`` setting of :class:`StructureFeatures` whose ``description["kind"]`` is ``kind``."""
    return {"radial+steinhardt": "plain", "radial+steinhardt_averaged": "averaged"}.get(kind or "radial", False)


@dataclass
class StructureFeatures(Compute):
    """Feature vectors F_i of every particle and frame (radial, optionally angular).

    Parameters
    ----------
    radii : sequence of float
        Shell radii of G_X (default 0.1 ... 5.0 step 0.1).
    delta : float
        Gaussian width (0.2).
    species : sequence of int, optional
        Types X of G_X (default: the types of the first ``compute``).
    steinhardt : bool or str
        Add the 35 q_l features (l = 2 ... 14 on five shells): ``True`` or ``"plain"``;
        ``"averaged"``: their neighbour-averaged versions (:func:`steinhardt_shells`).
    cutoff_widths : float
        Neighbours up to ``max(radii) + cutoff_widths * delta``.
    """

    radii: tuple = tuple(RADII)
    delta: float = 0.2
    species: tuple | None = None
    steinhardt: bool | str = False
    cutoff_widths: float = 8.0
    _features: np.ndarray | None = field(default=None, init=False, repr=False)

    compute_hint = "compute(frames, types, cells)"

    def compute(self, frames, types: np.ndarray, cells, dim: int = 3, particles=None) -> "StructureFeatures":
        """Features of each frame.

        Parameters
        ----------
        frames : sequence of numpy.ndarray
            Positions ``(N, 3)`` per frame (or an array ``(F, N, 3)``).
        types : numpy.ndarray
            Types ``(N,)``.
        cells : sequence of numpy.ndarray
            Box matrix per frame (one ``(3, 3)`` array is used for every frame).
        dim : int
            2 or 3.
        particles : sequence of int arrays, optional
            Per frame, the particles whose features are wanted (default: all); then
            :attr:`features` is a list of ``(len(particles[f]), M)`` arrays.
        """
        if dim not in (2, 3):
            raise ValueError(f"dim must be 2 or 3, not {dim}")
        types = np.asarray(types)
        if self.species is None:
            self.species = tuple(int(t) for t in np.unique(types))
        frames = [np.asarray(f) for f in frames]
        cells = np.asarray(cells, dtype=np.float64)
        if cells.ndim == 2:
            cells = np.broadcast_to(cells, (len(frames), 3, 3))
        out = []
        for k, (pos, cell) in enumerate(zip(frames, cells)):
            sel = None if particles is None else particles[k]
            f = radial_structure_functions(pos, types, cell, dim, np.asarray(self.radii), self.delta,
                                           self.species, self.cutoff_widths, particles=sel)
            if self.steinhardt:
                f = np.hstack([f, steinhardt_shells(pos, cell, dim, particles=sel,
                                                    average=self._angular == "averaged")])
            out.append(f)
        self._features = np.stack(out) if particles is None else out
        return self

    @computed_property
    def features(self) -> np.ndarray:
        """``(F, N, M)`` feature vectors (a list of ``(n_f, M)`` arrays with ``particles``)."""
        return self._features

    @property
    def names(self) -> list[str]:
        """Feature names, in column order: ``G_1(0.1)``, ..., then ``q4[1.0,1.5]``, ..."""
        species = self.species or ()
        names = [f"G_{x}({r:g})" for x in species for r in self.radii]
        if self.steinhardt:
            q = "qbar" if self._angular == "averaged" else "q"
            names += [f"{q}{ell}[{s:g},{s + 0.5:g}]" for s in SHELLS for ell in LS]
        return names

    @property
    def _angular(self) -> str | None:
        """None, ``"plain"`` or ``"averaged"`` (checked)."""
        if self.steinhardt is False or self.steinhardt is None:
            return None
        mode = "plain" if self.steinhardt is True else self.steinhardt
        if mode not in ("plain", "averaged"):
            raise ValueError(f"steinhardt must be False, True, 'plain' or 'averaged', not {self.steinhardt!r}")
        return mode

    @property
    def description(self) -> dict:
        """What a classifier needs to know to refuse features of another kind (stored with it)."""
        kind = {None: "radial", "plain": "radial+steinhardt", "averaged": "radial+steinhardt_averaged"}[self._angular]
        return {"kind": kind,
                "radii": [float(r) for r in self.radii], "delta": float(self.delta),
                "species": [int(s) for s in (self.species or ())],
                "shells": list(SHELLS) if self.steinhardt else [], "ls": list(LS) if self.steinhardt else []}

    def summary(self) -> dict[str, float]:
        f = self._features
        return {"frames": float(len(f)), "features": float(f[0].shape[-1])}


__all__ = ["RADII", "StructureFeatures", "gaussian_shells", "pair_distances", "periodic_system",
           "radial_structure_functions", "steinhardt_mode", "steinhardt_shells"]
