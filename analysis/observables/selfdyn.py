"""Self dynamics from trajectories: MSD, F_s(q,t) and alpha2(t).

The lag grid and the time origins are those of ``fix sisf/msd`` (see
``doc/fix_sisf_msd.rst``): with ``p = nlen`` and ``m = ncount``, level 0
holds lags ``1..p-1`` and level ``k > 0`` holds lags ``j*m**k`` for
``j = p/m..p-1`` (in samples). Lag ``tau`` of level ``k`` is averaged over
every origin ``n0`` with ``n0 % m**k == 0`` and ``n0 + tau <= n_last``. With
``all_origins=True`` every sample is an origin instead (plain trajectory
analysis on the same grid).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from slowdyn.common.optional import require
from .._compute import Compute, computed_property


def lag_grid(nlen: int = 8, ncount: int = 2, ncorr: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Lags (in samples) and their levels, in the row order of ``fix sisf/msd``.

    Parameters
    ----------
    nlen, ncount, ncorr : int
        Samples per level, ratio between levels, number of levels.

    Returns
    -------
    lags, levels : numpy.ndarray
        Integer arrays of equal length.
    """
    if ncount < 2 or nlen % ncount or nlen < 2:
        raise ValueError("need ncount >= 2 and nlen a multiple of ncount")
    lags, levels = [], []
    for k in range(ncorr):
        for j in range(1 if k == 0 else nlen // ncount, nlen):
            lags.append(j * ncount**k)
            levels.append(k)
    return np.array(lags, dtype=np.int64), np.array(levels, dtype=np.int64)


def fs_kernel(x: np.ndarray, dim: int) -> np.ndarray:
    """Isotropic average of ``exp(-i q.r)`` at ``x = q|r|``: sin(x)/x (3D), J0(x) (2D)."""
    if dim == 3:
        out = np.ones_like(x)
        nz = x > 0
        out[nz] = np.sin(x[nz]) / x[nz]
        return out
    return require("scipy.special", "2D F_s (J0)", "analysis").j0(x)


@dataclass
class SelfDynamics(Compute):
    """MSD, alpha2 and F_s(q,t) on the ``fix sisf/msd`` lag grid.

    Parameters
    ----------
    q : sequence of float
        Wave numbers.
    dim : int
        Dimension (2 or 3); in 2D the z column is ignored.
    nlen, ncount, ncorr : int
        Lag grid (as the fix keywords).
    all_origins : bool
        Use every sample as a time origin instead of the fix's scheme.
    com : bool
        Subtract the (mass-weighted) centre of mass of every frame.
    """

    q: tuple[float, ...]
    dim: int = 3
    nlen: int = 8
    ncount: int = 2
    ncorr: int = 20
    all_origins: bool = False
    com: bool = False
    _results: dict | None = field(default=None, init=False, repr=False)

    def compute(self, positions, types: np.ndarray | None = None,
                masses: np.ndarray | None = None) -> "SelfDynamics":
        """Correlate a trajectory sampled at equal intervals.

        Parameters
        ----------
        positions : numpy.ndarray or Trajectory
            Unwrapped positions, shape ``(F, N, 3)``; frame ``n`` is sample
            ``n``. Or a :class:`~slowdyn.analysis.io.dump.Trajectory` from
            :func:`~slowdyn.analysis.io.read_dump` (its types are used when
            ``types`` is None); one with wrapped coordinates and no image
            flags, or without atom ids, is refused.
        types : numpy.ndarray
            Atom types, shape ``(N,)``.
        masses : numpy.ndarray, optional
            Per-atom masses for ``com=True`` (default: equal masses).

        Raises
        ------
        ValueError
            For a wrapped trajectory: its MSD would count every crossing of
            the periodic boundary as a jump of one box length.
        """
        if hasattr(positions, "unwrapped"):
            traj = positions
            found = " ".join(traj.columns) or "unknown"
            traj.require_unwrapped("the self dynamics need")
            if traj.columns and "id" not in traj.columns:
                raise ValueError(f"the dump has no atom ids (columns: {found}): dump 'id type xu yu zu' so "
                                 "that the frames can be matched atom by atom")
            types = traj.types if types is None else types
            positions = traj.positions
        if types is None:
            raise ValueError("types are needed with a positions array")
        pos = np.asarray(positions, dtype=np.float64)
        if self.com:
            w = np.ones(pos.shape[1]) if masses is None else np.asarray(masses, dtype=np.float64)
            pos = pos - (np.einsum("fnd,n->fd", pos, w) / w.sum())[:, None, :]
        if self.dim == 2:
            pos = pos[..., :2]
        types = np.asarray(types)
        blocks = {"all": np.ones(len(types), bool)}
        for t in np.unique(types):
            blocks[str(int(t))] = types == t
        lags, levels = lag_grid(self.nlen, self.ncount, self.ncorr)
        nframes = pos.shape[0]
        keep = lags < nframes
        lags, levels = lags[keep], levels[keep]
        qs = np.asarray(self.q, dtype=np.float64)
        res = {"lag": lags, "norigin": np.zeros(len(lags))}
        for b in blocks:
            res[f"msd_{b}"] = np.zeros(len(lags))
            res[f"alpha2_{b}"] = np.zeros(len(lags))
            res[f"fs_{b}"] = np.zeros((len(lags), len(qs)))
        c4 = self.dim / (self.dim + 2.0)
        for r, (tau, k) in enumerate(zip(lags, levels)):
            stride = 1 if self.all_origins else self.ncount ** int(k)
            origins = np.arange(0, nframes - tau, stride)
            disp = pos[origins + tau] - pos[origins]
            r2 = np.einsum("ond,ond->on", disp, disp)
            rr = np.sqrt(r2)
            fs = np.stack([fs_kernel(qv * rr, self.dim) for qv in qs], axis=-1)
            res["norigin"][r] = len(origins)
            for b, sel in blocks.items():
                msd = r2[:, sel].mean()
                r4 = (r2[:, sel] ** 2).mean()
                res[f"msd_{b}"][r] = msd
                res[f"alpha2_{b}"][r] = c4 * r4 / msd**2 - 1.0 if msd > 0 else 0.0
                res[f"fs_{b}"][r] = fs[:, sel].mean(axis=(0, 1))
        self._results = res
        return self

    @computed_property
    def results(self) -> dict:
        """Columns ``lag``, ``norigin``, ``msd_B``, ``alpha2_B``, ``fs_B`` (B = all or type)."""
        return self._results
