"""Training data for learned memory-kernel closures: tagged-particle MCT of
Brownian hard disks (Granz 2026, §4.1.4-4.1.5 and §4.5.2).

The samples come from the tagged-particle hard-disk MCT of
:class:`~slowdyn.analysis.mct.hard_disks.HardDisks2D` (FMT structure factor,
Brownian, ``D_0 = 1``) on the closures' grid
:data:`~slowdyn.analysis.mct.hard_disks.CLOSURE_GRID` (``q = 0.5 (k + 1)``,
which contains the network's q = 2 .. 10), in the kernel convention of that
module: the thesis' form (eq. 4.21)

    tau_s(q) d_t S(q, t) + S(q, t) + int_0^t m(q, t - t') d_t' S(q, t') dt' = 0,
    tau_s(q) = 1 / (D_0 q^2),   m(q, t) = M(q, t) / q^2,

in which the non-ergodicity parameter solves ``f / (1 - f) = m[f]``. The
closure data are the tuples ``(S(q_1..q_9, t), phi) -> m(q_1..q_9, t)`` of
this normalised kernel, every stored time point an independent sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..hard_disks import CLOSURE_GRID, HardDiskGrid, HardDisks2D

#: the network's wave numbers in the thesis (N_q = 9, q = 2..10, §4.5.1)
THESIS_Q = tuple(float(q) for q in range(2, 11))


def solve_hard_disks(packing: float, grid: HardDiskGrid = CLOSURE_GRID) -> dict:
    """The tagged-particle correlators and kernels of :class:`HardDisks2D` as closure samples need them.

    Returns
    -------
    dict
        ``t`` (T,), ``sisf`` and ``kernel`` (T, n_q) of the tagged particle
        (``kernel = M^s / q^2``), ``isf`` (T, n_q) of the collective correlator,
        ``q`` (n_q,). Times are the strictly increasing stored points with
        ``t > 0``; a liquid is solved until every correlator has decayed
        (mctpy's ``stop_on_zero``).
    """
    sol = HardDisks2D(packing, grid).solve(stop_on_zero=True)
    return {"t": sol.t[1:], "q": sol.q, "sisf": sol.tagged[1:], "isf": sol.collective[1:],
            "kernel": sol.tagged_kernel[1:]}


@dataclass
class ClosureData:
    """Closure samples ``(S_t(q), state) -> m_t(q)``, one row per (state, time).

    Attributes
    ----------
    q : (n_q,) array
        Wave numbers of the network input and output.
    sisf, kernel : (N, n_q) arrays
        Correlator and normalised kernel (``f / (1 - f) = m[f]`` convention).
    state : (N, n_state) array
        Control parameters of every sample: the packing fraction for hard
        disks (``n_state = 1``), ``(v1, v2)`` for the F12 model.
    t : (N,) array
        Time of every sample (NaN where the sample is not from a correlator).
    meta : dict
        Where the data came from (grid, states, ``state_names``).
    """

    q: np.ndarray
    sisf: np.ndarray
    kernel: np.ndarray
    state: np.ndarray
    t: np.ndarray
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.q = np.asarray(self.q, dtype=float)
        self.sisf = np.asarray(self.sisf, dtype=float)
        self.kernel = np.asarray(self.kernel, dtype=float)
        self.state = np.asarray(self.state, dtype=float)
        if self.state.ndim == 1:
            self.state = self.state[:, None]
        self.t = np.asarray(self.t, dtype=float)
        n = len(self.state)
        if self.sisf.shape != (n, len(self.q)) or self.kernel.shape != self.sisf.shape or len(self.t) != n:
            raise ValueError(f"ClosureData: inconsistent shapes sisf {self.sisf.shape}, kernel "
                             f"{self.kernel.shape}, state {self.state.shape}, t {self.t.shape}, "
                             f"q {self.q.shape}")

    def __len__(self) -> int:
        return len(self.state)

    @property
    def n_state(self) -> int:
        return self.state.shape[1]

    @property
    def packing(self) -> np.ndarray:
        """The first state column (the packing fraction of hard-disk data)."""
        return self.state[:, 0]

    def inputs(self) -> np.ndarray:
        """Network inputs ``(S_t(q_1..q_n), state)``, shape (N, n_q + n_state)."""
        return np.concatenate([self.sisf, self.state], axis=1)

    def select(self, mask: np.ndarray) -> "ClosureData":
        """The samples where ``mask`` is true."""
        return ClosureData(self.q, self.sisf[mask], self.kernel[mask], self.state[mask], self.t[mask],
                           dict(self.meta))

    def states(self) -> np.ndarray:
        """The distinct states, shape (k, n_state)."""
        return np.unique(self.state, axis=0)

    def save(self, path: str | Path) -> Path:
        import json

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, q=self.q, sisf=self.sisf, kernel=self.kernel, state=self.state,
                            t=self.t, meta=json.dumps(self.meta))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "ClosureData":
        import json

        with np.load(Path(path), allow_pickle=False) as z:
            state = z["state"] if "state" in z.files else z["packing"]
            return cls(z["q"], z["sisf"], z["kernel"], state, z["t"], json.loads(str(z["meta"])))


def f12_data(v1: Sequence[float], v2: Sequence[float], n_s: int = 64) -> ClosureData:
    """Samples of the analytic F12 closure ``m = v1 S + v2 S^2`` (eq. 4.30).

    One correlator (``q = [1]``), states ``(v1, v2)`` on the product of the
    two lists, correlator values ``S`` uniform on [0, 1] (``n_s`` points).
    """
    s = np.linspace(0.0, 1.0, int(n_s))
    a, b = np.meshgrid(np.asarray(v1, float), np.asarray(v2, float), indexing="ij")
    a, b = a.ravel(), b.ravel()
    ss = np.tile(s, len(a))
    aa, bb = np.repeat(a, len(s)), np.repeat(b, len(s))
    return ClosureData(np.array([1.0]), ss[:, None], (aa * ss + bb * ss ** 2)[:, None],
                       np.stack([aa, bb], axis=1), np.full(len(ss), np.nan),
                       {"source": "F12 closure m = v1 S + v2 S^2", "state_names": ["v1", "v2"]})


def generate_hard_disk_data(packings: Iterable[float], q_points: Sequence[float] = THESIS_Q,
                            grid: HardDiskGrid = CLOSURE_GRID, stride: int = 1,
                            progress: bool = False) -> ClosureData:
    """Closure samples from tagged-particle hard-disk MCT at every packing fraction.

    Parameters
    ----------
    packings : iterable of float
        Packing fractions (liquid and glass states; a glass contributes its
        plateau, where ``f / (1 - f) = m[f]``).
    q_points : sequence of float
        Network wave numbers; each must lie on ``grid`` (clear error otherwise).
    grid : HardDiskGrid
        MCT wave-number grid and time stepping.
    stride : int
        Keep every ``stride``-th stored time point.
    progress : bool
        tqdm bar over the packing fractions.
    """
    packings = [float(p) for p in packings]
    if not packings:
        raise ValueError("generate_hard_disk_data: no packing fractions given")
    if int(stride) < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    idx = grid.indices(q_points)
    it = packings
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(packings, desc="MCT hard disks")
    parts = []
    for p in it:
        sol = solve_hard_disks(p, grid)
        sel = slice(None, None, int(stride))
        s, m, t = sol["sisf"][sel][:, idx], sol["kernel"][sel][:, idx], sol["t"][sel]
        parts.append((s, m, np.full(len(t), p), t))
    meta = {"source": "hard-disk MCT (mctpy, FMT S(q), tagged particle, Brownian D0 = 1)",
            "state_names": ["phi"],
            "grid": grid.settings(),
            "packings": packings, "stride": int(stride)}
    return ClosureData(np.asarray(q_points, dtype=float), np.concatenate([a[0] for a in parts]),
                       np.concatenate([a[1] for a in parts]), np.concatenate([a[2] for a in parts]),
                       np.concatenate([a[3] for a in parts]), meta)


def write_mct_sisf(packing: float, path: str | Path, q_points: Sequence[float] = THESIS_Q,
                   grid: HardDiskGrid = CLOSURE_GRID) -> Path:
    """The tagged-particle MCT SISFs of hard disks at ``q_points`` as a ``fix sisf/msd``-format file
    (input of ``slowdyn kernels``; the MCT kernels are then known for comparison).
    """
    sol = solve_hard_disks(packing, grid)
    idx = grid.indices(q_points)
    from ...io.sisf import write_sisf

    return write_sisf(path, sol["t"], np.asarray(q_points, float), sol["sisf"][:, idx],
                           f"hard-disk MCT phi {float(packing):g} (tagged particle, FMT S(q), Brownian D0 1)")


# ---------------------------------------------------------------------------------------------
# closure samples from the memory-kernel pipeline's files (simulation kernels, Granz 2026, §4.5.3)
# ---------------------------------------------------------------------------------------------
def _match_q(available: np.ndarray, q_points: Sequence[float], what: str, tol: float = 1e-6) -> np.ndarray:
    idx = []
    for qp in q_points:
        hit = np.flatnonzero(np.isclose(available, qp, rtol=tol, atol=0))
        if not hit.size:
            raise ValueError(f"q = {qp:g} is not in {what} (its q: {' '.join(f'{x:g}' for x in available)}); "
                             f"the closure needs every network wave number: compute the kernels at these q "
                             f"(slowdyn kernels --q ...) or change data.q")
        idx.append(int(hit[0]))
    return np.asarray(idx, dtype=int)


def read_sisf_table(path: str | Path, q_points: Sequence[float], column: str = "data") -> dict:
    """``{q: (t, S)}`` at ``q_points`` from a ``OUT/sisf.txt`` file of ``slowdyn kernels``
    (:func:`slowdyn.analysis.io.kernels.read_sisf_fit`) or a ``fix sisf/msd`` file
    (:func:`slowdyn.analysis.io.sisf.load_sisf`).

    ``column`` selects, in a ``OUT/sisf.txt`` file, the input SISF
    (``data``: columns ``F_q<Q>``) or the MZ reconstruction with the
    kernel (``reconstructed``: ``Frec_q<Q>``); a ``fix sisf/msd`` file holds
    the data only.
    """
    from ...io.kernels import read_sisf_fit
    from ...io.sisf import load_sisf
    from ...io.tables import read_header

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"SISF file {path} does not exist")
    if column not in ("data", "reconstructed"):
        raise ValueError(f"sisf column must be 'data' or 'reconstructed', got {column!r}")
    if read_header(path)["q"] is not None:  # a fix sisf/msd file
        if column != "data":
            raise ValueError(f"{path} is a fix sisf/msd file: it holds the data only (sisf_column: data)")
        found = load_sisf(path)
    else:
        found = read_sisf_fit(path, column)
    keys = np.array(sorted(found))
    return {float(q): found[float(keys[k])] for q, k in zip(q_points, _match_q(keys, q_points, str(path)))}


def kernel_file_samples(kernels: str | Path, sisf: str | Path, phi: float, q_points: Sequence[float] = THESIS_Q,
                        column: str = "data", stride: int = 1) -> ClosureData:
    """Closure samples ``(S_t(q), phi) -> m_t(q)`` of one state from the memory-kernel pipeline's files.

    Parameters
    ----------
    kernels : path
        ``OUT/kernels.txt`` of ``slowdyn kernels`` (kernel on the NNLT time grid).
    sisf : path
        The SISF the kernels were computed from: ``OUT/sisf.txt`` or the ``fix sisf/msd`` file.
    phi : float
        Packing fraction of the state.
    q_points : sequence of float
        Network wave numbers; each must be in both files (clear error otherwise).
    column : str
        ``data`` (the measured SISF) or ``reconstructed`` (its MZ reconstruction, ``OUT/sisf.txt`` only).
    stride : int
        Keep every ``stride``-th sample time.

    Notes
    -----
    The samples are the kernel file's times inside the time window the SISF
    covers at every q; the SISF is interpolated there linearly in ``log t``.
    """
    if not 0.0 < float(phi) < 0.9:
        raise ValueError(f"packing fraction must lie in (0, 0.9), got {phi}")
    if int(stride) < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    from ...io.kernels import read_kernels

    tk, qk, mk = read_kernels(kernels)
    mk = mk[:, _match_q(qk, q_points, str(kernels))]
    sis = read_sisf_table(sisf, q_points, column)
    lo = max(float(np.min(t[t > 0])) for t, _ in sis.values())
    hi = min(float(np.max(t)) for t, _ in sis.values())
    sel = np.flatnonzero((tk >= lo) & (tk <= hi))[::int(stride)]
    if sel.size < 2:
        raise ValueError(f"the kernel times of {kernels} ({tk[0]:.3g}..{tk[-1]:.3g}) overlap the SISF times of "
                         f"{sisf} ({lo:.3g}..{hi:.3g}) in {sel.size} point(s): not the files of one run?")
    t = tk[sel]
    s = np.empty((len(t), len(q_points)))
    for j, q in enumerate(q_points):
        ts, fs = sis[float(q)]
        ok = ts > 0
        s[:, j] = np.interp(np.log(t), np.log(ts[ok]), fs[ok])
    return ClosureData(np.asarray(q_points, dtype=float), s, mk[sel], np.full(len(t), float(phi)), t,
                       {"source": "memory-kernel pipeline files (slowdyn kernels)", "state_names": ["phi"],
                        "files": [{"phi": float(phi), "kernels": str(kernels), "sisf": str(sisf)}],
                        "sisf_column": column})


def kernel_file_data(states: Sequence[dict], q_points: Sequence[float] = THESIS_Q, phi_max: float | None = None,
                     column: str = "data", stride: int = 1) -> ClosureData:
    """Closure samples of several states from the memory-kernel pipeline's files.

    Parameters
    ----------
    states : sequence of dict
        ``{"phi", "kernels", "sisf"}`` per state (paths as in :func:`kernel_file_samples`).
    phi_max : float, optional
        Densest packing fraction used: states with ``phi > phi_max`` are left
        out (the thesis excludes the simulated states above 0.76, where the
        density scaling of m0 breaks, §4.5.3) and listed in ``meta["excluded"]``.
    q_points, column, stride
        As in :func:`kernel_file_samples`.
    """
    states = list(states)
    if not states:
        raise ValueError("kernel_file_data: no states given")
    use = [st for st in states if phi_max is None or float(st["phi"]) <= float(phi_max)]
    excluded = sorted(float(st["phi"]) for st in states if st not in use)
    if not use:
        raise ValueError(f"phi_max = {phi_max} excludes every state (packing fractions "
                         f"{sorted(float(st['phi']) for st in states)}); raise phi_max")
    parts = [kernel_file_samples(st["kernels"], st["sisf"], st["phi"], q_points, column, stride) for st in use]
    return ClosureData(parts[0].q, np.concatenate([p.sisf for p in parts]), np.concatenate([p.kernel for p in parts]),
                       np.concatenate([p.state for p in parts]), np.concatenate([p.t for p in parts]),
                       {"source": parts[0].meta["source"], "state_names": ["phi"], "sisf_column": column,
                        "files": [f for p in parts for f in p.meta["files"]], "phi_max": phi_max,
                        "excluded": excluded, "packings": [float(st["phi"]) for st in use]})
