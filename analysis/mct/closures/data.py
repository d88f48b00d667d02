"""Training data for learned memory-kernel closures: tagged-particle MCT of
Brownian hard disks (Granz 2026, §4.1.4-4.1.5 and §4.5.2).

The collective MCT equation of 2D hard disks with the fundamental-measure
structure factor (Roth, Mecke and Oettel, J. Chem. Phys. 136, 081101 (2012);
``mctpy.structurefactors.hssFMT2d``) and the tagged-particle equation with
``c^s(q) = c(q)`` are solved by mctpy's time-domain solver for Brownian
dynamics (``D_0 = 1``). In mctpy's convention the tagged equation reads
``B_q d_t phi + W_q phi + int M(t - t') d_t' phi = 0`` with ``W_q = q^2``,
``B_q = 1/D_0``; dividing by ``q^2`` gives the form of the thesis (eq. 4.21)

    tau_s(q) d_t S(q, t) + S(q, t) + int_0^t m(q, t - t') d_t' S(q, t') dt' = 0,
    tau_s(q) = 1 / (D_0 q^2),   m(q, t) = M(q, t) / q^2,

in which the non-ergodicity parameter solves ``f / (1 - f) = m[f]``. The
closure data are the tuples ``(S(q_1..q_9, t), phi) -> m(q_1..q_9, t)`` of
this normalised kernel, every stored time point an independent sample.

Why not mctpy's own ``simple_liquid_model_2d`` / ``tagged_particle_model_2d``
kernels: they capture their vertex arrays in a numba closure, so every packing
fraction compiles the kernel and mctpy's block solver again (about a minute
each on a loaded core), and they evaluate ``sum(A3 * phi, axis=-1)`` through an
``M^3`` temporary. The subclasses below keep mctpy's vertices (its
Filon-Tuck-type integration of the square-root singularity) and pass them as
kernel arguments to ONE module-level kernel that contracts them with a
matrix-vector product; ``tests/test_closures.py`` checks that the correlators
agree with mctpy's own models.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from slowdyn.common.optional import require

#: the network's wave numbers in the thesis (N_q = 9, q = 2..10, §4.5.1)
THESIS_Q = tuple(float(q) for q in range(2, 11))


def _mctpy():
    return require("mctpy", "hard-disk MCT closures", "mct", "mctpy, numba, scipy, h5py")


def _numba():
    return require("numba", "hard-disk MCT closures", "mct")


@functools.lru_cache(maxsize=None)
def _kernels():
    """The two jitted kernels (compiled once per process)."""
    nb = _numba()

    @nb.njit
    def collective(m, phi, i, t, a3, pre, wqs):
        n = m.shape[0]
        inner = np.dot(a3, np.ascontiguousarray(phi)).reshape(n, n)
        m[:] = -pre * np.dot(inner, wqs * phi)

    @nb.njit
    def tagged(ms, phis, i, t, phi, a3, cache, last, pre, wq):
        n = ms.shape[0]
        if last[0] == 0 or i != last[0]:
            cache[:, :] = np.dot(a3, np.ascontiguousarray(phi[i])).reshape(n, n)
            last[0] = i
        ms[:] = -pre * np.dot(cache, wq * phis)

    return collective, tagged


def _trapezoid_weights(q: np.ndarray) -> np.ndarray:
    w = np.zeros_like(q)
    d = np.diff(q)
    w[:-1] += d / 2
    w[1:] += d / 2
    return w


def _fast_models():
    mct = _mctpy()

    class Collective(mct.simple_liquid_model_2d):
        """mctpy's 2D simple-liquid model with a shared kernel (see module notes)."""

        def __init__(self, sq, q, D0=1.0):
            super().__init__(sq, q, D0)
            n = self.M
            self._a3 = np.ascontiguousarray(self.__A3__.reshape(n * n, n))
            self._pre = self.rho * self.sq / (8 * np.pi ** 2)
            self._wqs = _trapezoid_weights(self.q) * self.q * self.sq

        def make_kernel(self):
            return _kernels()[0]

        def kernel_extra_args(self):
            return [self._a3, self._pre, self._wqs]

    class Tagged(mct.tagged_particle_model_2d):
        """mctpy's 2D tagged-particle model with a shared kernel (see module notes)."""

        def __init__(self, base_model, cs, D0s=1.0):
            super().__init__(base_model, cs, D0s)
            n = self.M
            self._a3 = np.ascontiguousarray(self.__A3__.reshape(n * n, n))
            self._cache = np.zeros((n, n))
            self._last = np.zeros(1, dtype=np.int64)
            self._pre = np.full(n, self.base.rho / (4 * np.pi ** 2))
            self._wq = _trapezoid_weights(self.q) * self.q

        def make_kernel(self):
            return _kernels()[1]

        def kernel_extra_args(self):
            self._last[0] = 0
            return [self.base.phi, self._a3, self._cache, self._last, self._pre, self._wq]

    return Collective, Tagged


@dataclass(frozen=True)
class HardDiskGrid:
    """Wave-number grid and time stepping of the hard-disk MCT.

    The grid is ``q_k = dq (k + offset)``, ``k = 0..n_q-1`` (unit disk
    diameter). The default ``dq = 0.5``, ``offset = 1``, ``n_q = 60``
    (q = 0.5..30) contains the network's q = 2..10; it is coarser than the
    thesis' grid, so its critical packing fraction differs slightly from
    0.69057 (:func:`slowdyn.analysis.mct.closures.critical_packing`
    measures it). Time stepping: ``h`` (first step), ``blocksize`` and
    ``blocks`` as in ``mctpy.correlator``.
    """

    dq: float = 0.5
    offset: float = 1.0
    n_q: int = 60
    h: float = 1e-7
    blocksize: int = 128
    blocks: int = 44

    def __post_init__(self):
        if not (self.dq > 0 and self.n_q >= 4 and self.offset > 0):
            raise ValueError(f"HardDiskGrid needs dq > 0, offset > 0 and n_q >= 4, got {self}")
        if not (self.h > 0 and self.blocksize >= 16 and self.blocks >= 1):
            raise ValueError(f"HardDiskGrid needs h > 0, blocksize >= 16 and blocks >= 1, got {self}")

    @property
    def q(self) -> np.ndarray:
        return self.dq * (np.arange(self.n_q) + self.offset)

    def indices(self, q_points: Sequence[float]) -> np.ndarray:
        """Grid indices of ``q_points``; a clear error for a point that is not on the grid."""
        grid = self.q
        out = []
        for qp in q_points:
            k = int(np.argmin(np.abs(grid - qp)))
            if not np.isclose(grid[k], qp, rtol=1e-9, atol=1e-12):
                raise ValueError(f"q = {qp:g} is not on the MCT grid dq*(k + offset) with dq = {self.dq:g}, "
                                 f"offset = {self.offset:g} (nearest {grid[k]:g}); choose q points on the "
                                 f"grid or change dq/offset")
            out.append(k)
        return np.asarray(out, dtype=int)


def hard_disk_models(packing: float, grid: HardDiskGrid = HardDiskGrid()):
    """``(collective, tagged)`` mctpy models of Brownian hard disks at packing fraction ``packing``."""
    if not 0.0 < float(packing) < 0.9:
        raise ValueError(f"packing fraction must lie in (0, 0.9), got {packing}")
    mct = _mctpy()
    Collective, Tagged = _fast_models()
    sq = mct.structurefactors.hssFMT2d(float(packing))
    coll = Collective(sq, grid.q)
    return coll, Tagged(coll, cs=sq)


def solve_hard_disks(packing: float, grid: HardDiskGrid = HardDiskGrid()) -> dict:
    """Collective and tagged MCT correlators and normalised kernels of hard disks.

    Returns
    -------
    dict
        ``t`` (T,), ``sisf`` and ``kernel`` (T, n_q) of the tagged particle
        (``kernel = M^s / q^2``, the thesis' normalisation), ``isf`` (T, n_q)
        of the collective correlator, ``q`` (n_q,). Times are the strictly
        increasing stored points with ``t > 0``; a liquid is solved until
        every correlator has decayed (mctpy's ``stop_on_zero``).
    """
    mct = _mctpy()
    coll, tagged = hard_disk_models(packing, grid)
    kw = dict(store=True, h=grid.h, blocksize=grid.blocksize, blocks=grid.blocks, motion_type="brownian")
    c = mct.correlator(model=coll, **kw)
    # mctpy copies h and blocks from ``base`` but takes halfblocksize from its own blocksize argument
    s = mct.correlator(model=tagged, base=c, blocksize=grid.blocksize, store=True, motion_type="brownian")
    mct.CorrelatorStack([c, s]).solve_all(stop_on_zero=True)
    t = np.asarray(s.t, dtype=float)
    n = len(t)
    # after an early stop the unsolved tail of the stored arrays is zero
    stop = 1 + int(np.flatnonzero(t > 0)[-1]) if np.any(t > 0) else 0
    keep = np.zeros(n, dtype=bool)
    keep[1:stop] = np.diff(t[:stop]) > 0
    q = grid.q
    return {"t": t[keep], "q": q, "sisf": np.asarray(s.phi)[keep], "isf": np.asarray(c.phi)[keep],
            "kernel": np.asarray(s.m)[keep] / q ** 2}


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
                            grid: HardDiskGrid = HardDiskGrid(), stride: int = 1,
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
            "grid": {k: getattr(grid, k) for k in ("dq", "offset", "n_q", "h", "blocksize", "blocks")},
            "packings": packings, "stride": int(stride)}
    return ClosureData(np.asarray(q_points, dtype=float), np.concatenate([a[0] for a in parts]),
                       np.concatenate([a[1] for a in parts]), np.concatenate([a[2] for a in parts]),
                       np.concatenate([a[3] for a in parts]), meta)


def write_mct_sisf(packing: float, path: str | Path, q_points: Sequence[float] = THESIS_Q,
                   grid: HardDiskGrid = HardDiskGrid()) -> Path:
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
