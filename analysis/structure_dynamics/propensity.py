"""Propensity data sets: snapshots, isoconfigurational propensities, baselines and their Pearson scores.

The task of Bapst et al. (Nat. Phys. 16, 448 (2020)) and Jung, Biroli & Berthier
(PRL 130, 238202 (2023)): from the structure of one equilibrated configuration,
predict each particle's propensity

    p_i(t) = < |r_i(t) - r_i(0)|^2 >_iso,

the mean over M runs from that configuration with new Maxwell-Boltzmann
velocities (Widmer-Cooper, Harrowell & Fynewever, PRL 93, 135701 (2004)), at
several times t (multiples of the alpha time). The score is the Pearson
correlation between predicted and measured propensity on held-out snapshots
(particles of one snapshot are never split between training and test).
The per-configuration species MSD at a plateau time and at a late time (the
task of Ciacchi, MSc thesis, Sapienza 2022) is stored with every snapshot.

The format (``FORMAT``) of a data folder ``DATA``::

    DATA/index.json                 system, temperatures (tau_alpha, times), snapshots (split, files, MSDs)
    DATA/snapshots/NAME.lammpstrj   one-frame LAMMPS dump, ``id type x y z`` wrapped into the box
    DATA/propensity/NAME.txt        ``# columns: id type dr2_0 dr2_1 ...`` (one row per particle, id order)
    DATA/msd/NAME.txt               ``# columns: t msd_A msd_B`` (iso- and species-averaged MSD per frame)

This module reads and writes the format (the runs that fill it are
:func:`slowdyn.runs.isoconfig.build_dataset`), computes the propensities of an
ensemble (:func:`propensity_curves`, through :func:`.isoconfig.propensity`),
the descriptors of the baselines (:func:`descriptors`: the radial structure
functions of :mod:`.features`, and their neighbour averages over lengths L
as in Jung et al. 2023), fits the baselines (:func:`fit_baselines`: ridge on
G_X, the linear softness-type model; an MLP on the coarse-grained G_X) and
scores every model (:func:`evaluate`, :func:`plot_pearson`, :func:`plot_scatter`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from slowdyn.common.optional import require
from slowdyn.common.plotting import figure_axes

FORMAT = "slowdyn-propensity/1"
BASELINES = ("ridge", "mlp")
SPECIES = {1: "A", 2: "B"}


# ----------------------------------------------------------------------------------------------- numbers

def pearson(y: np.ndarray, y_pred: np.ndarray) -> float:
    """Pearson correlation coefficient of two equally long 1D arrays (nan when either is constant)."""
    y, y_pred = np.asarray(y, dtype=np.float64).ravel(), np.asarray(y_pred, dtype=np.float64).ravel()
    if y.shape != y_pred.shape or len(y) < 2:
        raise ValueError(f"pearson: need two arrays of the same length >= 2, got {y.shape} and {y_pred.shape}")
    a, b = y - y.mean(), y_pred - y_pred.mean()
    den = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b / den) if den > 0 else float("nan")


def relaxation_time(t: np.ndarray, F: np.ndarray, level: float = math.exp(-1.0)) -> float:
    """First time at which ``F`` falls below ``level`` (linear interpolation in ln t); nan if it never does."""
    t, F = np.asarray(t, dtype=np.float64), np.asarray(F, dtype=np.float64)
    below = np.flatnonzero(F < level)
    if len(below) == 0:
        return float("nan")
    k = int(below[0])
    if k == 0 or t[k - 1] <= 0:
        return float(t[k])
    x0, x1 = math.log(t[k - 1]), math.log(t[k])
    return float(math.exp(x0 + (level - F[k - 1]) * (x1 - x0) / (F[k] - F[k - 1])))


def propensity_curves(runs, frames) -> np.ndarray:
    """Propensity of every particle at each frame of ``frames``: ``(len(frames), N)``.

    ``runs`` are the M unwrapped trajectories ``(F, N, 3)`` (or :class:`~slowdyn.analysis.io.Trajectory`) of one
    isoconfigurational ensemble; frame 0 is the configuration. Each row is :func:`.isoconfig.propensity` of the
    runs cut at that frame.
    """
    from .isoconfig import propensity
    from .labels import unwrapped_positions

    pos = [unwrapped_positions(r) for r in runs]
    return np.stack([propensity([p[: int(f) + 1] for p in pos]) if f > 0 else np.zeros(pos[0].shape[1])
                     for f in frames])


def species_msd(curves: np.ndarray, types: np.ndarray, species=(1, 2)) -> np.ndarray:
    """Mean of the propensity over the particles of each species: ``(n_frames, len(species))``."""
    types = np.asarray(types)
    return np.stack([curves[:, types == s].mean(axis=1) for s in species], axis=1)


def snapshot_split(n: int, test_fraction: float) -> list[str]:
    """``train`` / ``test`` for ``n`` snapshots of one long run: the last ceil(test_fraction n) are ``test``.

    Neighbouring snapshots of one run are the most alike, so a contiguous block is held out; at least one
    snapshot is kept for training and, with ``n >= 2`` and ``test_fraction > 0``, one for testing.
    """
    if n < 1 or not 0 <= test_fraction < 1:
        raise ValueError(f"snapshot_split: n = {n} must be >= 1 and test_fraction = {test_fraction} in [0, 1)")
    n_test = min(n - 1, math.ceil(test_fraction * n)) if n >= 2 else 0
    return ["train"] * (n - n_test) + ["test"] * n_test


# ----------------------------------------------------------------------------------------------- files

def write_snapshot(path: str | Path, positions: np.ndarray, types: np.ndarray, cell: np.ndarray, step: int = 0,
                   fmt: str = "%.6f") -> Path:
    """One-frame LAMMPS text dump ``id type x y z`` of an orthogonal box, positions wrapped into ``[0, L)``."""
    cell = np.asarray(cell, dtype=np.float64)
    if np.count_nonzero(cell - np.diag(np.diag(cell))):
        raise ValueError("write_snapshot: orthogonal boxes only")
    lengths = np.diag(cell)
    pos = np.mod(np.asarray(positions, dtype=np.float64), lengths)
    pos[pos >= lengths] = 0.0
    path = Path(path)
    with open(path, "w") as fh:
        fh.write(f"ITEM: TIMESTEP\n{int(step)}\nITEM: NUMBER OF ATOMS\n{len(pos)}\nITEM: BOX BOUNDS pp pp pp\n")
        fh.write("".join(f"0 {v:.12g}\n" for v in lengths))
        fh.write("ITEM: ATOMS id type x y z\n")
        np.savetxt(fh, np.column_stack([np.arange(1, len(pos) + 1), types, pos]), fmt=["%d", "%d"] + [fmt] * 3)
    return path


def read_snapshot(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(positions (N, 3), types (N,), cell (3, 3))`` of frame 0 of a LAMMPS dump with ``id type`` and coordinates.

    Raises
    ------
    ValueError
        No such file, not a dump, or a dump without the ``type`` column.
    """
    from slowdyn.analysis.io.dump import read_typed_dump

    traj = read_typed_dump(path, index=0)
    return traj.positions[0], traj.types, traj.cells[0]


def write_propensity(path: str | Path, types: np.ndarray, values: np.ndarray, times, T: float) -> Path:
    """``propensity/NAME.txt``: ``id type dr2_0 ...`` with the times in a ``# times:`` comment."""
    from slowdyn.analysis.io.tables import write_table

    values = np.asarray(values).reshape(len(types), -1)
    cols = ["id", "type"] + [f"dr2_{k}" for k in range(values.shape[1])]
    data = np.column_stack([np.arange(1, len(types) + 1), types, values])
    write_table(path, cols, data, comments=[f"T: {T:g}", "times: " + " ".join(f"{t:.6g}" for t in times),
                                             "dr2_k = <|r_i(t_k) - r_i(0)|^2> over the isoconfigurational runs"],
                fmt=["%d", "%d"] + ["%.5g"] * values.shape[1])
    return Path(path)


def read_propensity(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``(types (N,), propensity (N, K))`` of a ``propensity/NAME.txt`` table."""
    from slowdyn.analysis.io.tables import read_table

    _, cols = read_table(path, "propensity table", required=("id", "type", "dr2_0"))
    keys = sorted((c for c in cols if c.startswith("dr2_")), key=lambda c: int(c[4:]))
    order = np.argsort(cols["id"], kind="stable")
    return cols["type"][order].astype(np.int64), np.column_stack([cols[k][order] for k in keys])


def write_msd(path: str | Path, t: np.ndarray, msd: np.ndarray, species=(1, 2)) -> Path:
    """``msd/NAME.txt``: ``t msd_A msd_B`` (iso- and species-averaged MSD of the configuration)."""
    from slowdyn.analysis.io.tables import write_table

    cols = ["t"] + [f"msd_{SPECIES.get(int(s), s)}" for s in species]
    write_table(path, cols, np.column_stack([t, msd]), fmt="%.6g")
    return Path(path)


def interpolate(t: np.ndarray, y: np.ndarray, t0: float) -> float:
    """``y(t0)`` by linear interpolation (``t0`` inside ``[t[0], t[-1]]``, else nan)."""
    t, y = np.asarray(t, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if not t[0] <= t0 <= t[-1] * (1 + 1e-9):
        return float("nan")
    return float(np.interp(t0, t, y))


def write_index(folder: str | Path, index: dict) -> Path:
    """``index.json`` of a data folder (with ``format`` set)."""
    path = Path(folder) / "index.json"
    path.write_text(json.dumps({"format": FORMAT, **index}, indent=1) + "\n")
    return path


@dataclass
class Snapshot:
    """One configuration of a data set and its targets (read lazily from the folder)."""

    name: str
    T: float
    split: str
    times: np.ndarray
    tau_alpha: float
    folder: Path
    entry: dict = field(repr=False, default_factory=dict)
    _cache: dict = field(repr=False, default_factory=dict)

    def _config(self):
        if "config" not in self._cache:
            self._cache["config"] = read_snapshot(self.folder / self.entry["config"])
        return self._cache["config"]

    @property
    def positions(self) -> np.ndarray:
        return self._config()[0]

    @property
    def types(self) -> np.ndarray:
        return self._config()[1]

    @property
    def cell(self) -> np.ndarray:
        return self._config()[2]

    @property
    def propensity(self) -> np.ndarray:
        """``(N, K)``: column k at ``times[k]``."""
        if "propensity" not in self._cache:
            types, p = read_propensity(self.folder / self.entry["propensity"])
            if p.shape[1] != len(self.times) or not np.array_equal(types, self.types):
                raise ValueError(f"{self.entry['propensity']}: {p.shape[1]} time columns and types that do not "
                                 f"match the index ({len(self.times)} times) and the snapshot")
            self._cache["propensity"] = p
        return self._cache["propensity"]

    @property
    def msd_plateau(self) -> dict:
        return self.entry.get("msd_plateau", {})

    @property
    def msd_late(self) -> dict:
        return self.entry.get("msd_late", {})


@dataclass
class PropensityData:
    """A data folder: the index and its snapshots (:func:`load_dataset`)."""

    folder: Path
    index: dict
    snapshots: list

    @property
    def temperatures(self) -> list[float]:
        return [float(e["T"]) for e in self.index["temperatures"]]

    def state(self, T: float) -> dict:
        """The index entry of temperature ``T`` (tau_alpha, times, replicas, t_plateau, t_late)."""
        for e in self.index["temperatures"]:
            if math.isclose(float(e["T"]), T, rel_tol=1e-9):
                return e
        raise ValueError(f"no temperature {T:g} in {self.folder} (it has {self.temperatures})")

    def select(self, split: str | None = None, T: float | None = None) -> list[Snapshot]:
        """The snapshots of one split (``train``/``test``) and/or one temperature, in index order."""
        return [s for s in self.snapshots if (split is None or s.split == split)
                and (T is None or math.isclose(s.T, T, rel_tol=1e-9))]


def load_dataset(folder: str | Path) -> PropensityData:
    """Read a data folder's ``index.json`` (files are read when a snapshot's property is used).

    Raises
    ------
    ValueError
        No folder, no index, another format, or an index naming a missing file (one line each).
    """
    folder = Path(folder)
    path = folder / "index.json"
    if not path.is_file():
        raise ValueError(f"{folder}: not a propensity data folder (no index.json; write one with "
                         "'slowdyn propensity data')")
    try:
        index = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise ValueError(f"{path}: format {index.get('format') if isinstance(index, dict) else None!r}, "
                         f"expected {FORMAT!r}")
    states = {float(e["T"]): e for e in index.get("temperatures", [])}
    snaps = []
    for e in index.get("snapshots", []):
        T = float(e["T"])
        if T not in states:
            raise ValueError(f"{path}: snapshot {e.get('name')} at T = {T:g}, which has no 'temperatures' entry")
        if e.get("split") not in ("train", "test"):
            raise ValueError(f"{path}: snapshot {e.get('name')} has split {e.get('split')!r} (train or test)")
        for key in ("config", "propensity"):
            if not (folder / e[key]).is_file():
                raise ValueError(f"{path}: {e[key]} of snapshot {e['name']} is missing")
        snaps.append(Snapshot(name=e["name"], T=T, split=e["split"], times=np.asarray(states[T]["times"], float),
                              tau_alpha=float(states[T]["tau_alpha"]), folder=folder, entry=e))
    if not snaps:
        raise ValueError(f"{path}: no snapshots")
    return PropensityData(folder=folder, index=index, snapshots=snaps)


# ----------------------------------------------------------------------------------------------- descriptors

def coarse_grain(values: np.ndarray, positions: np.ndarray, cell: np.ndarray, length: float,
                 r_cut: float | None = None) -> np.ndarray:
    """Neighbour average of per-particle ``values`` (Jung, Biroli & Berthier 2023, eq. 2):

        xbar_i = sum_j w_ij x_j / sum_j w_ij,   w_ij = exp(-R_ij / L),   R_ij < r_cut (the particle itself included),

    minimum image in an orthogonal periodic box; ``r_cut`` defaults to ``2.5 L``, at most 0.499 of the
    smallest box length.
    """
    sp = require("scipy.spatial", "coarse-grained descriptors", "softness")
    sparse = require("scipy.sparse", "coarse-grained descriptors", "softness")
    cell = np.asarray(cell, dtype=np.float64)
    if np.count_nonzero(cell - np.diag(np.diag(cell))):
        raise ValueError("coarse_grain: orthogonal boxes only")
    lengths = np.diag(cell)
    r_cut = min(2.5 * length if r_cut is None else r_cut, 0.499 * lengths.min())
    x = np.mod(np.asarray(positions, dtype=np.float64), lengths)
    x[x >= lengths] = 0.0
    tree = sp.cKDTree(x, boxsize=lengths)
    pairs = tree.query_pairs(r_cut, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    d = x[j] - x[i]
    d -= lengths * np.rint(d / lengths)
    w = np.exp(-np.linalg.norm(d, axis=1) / length)
    n = len(x)
    W = sparse.coo_matrix((np.concatenate([w, w, np.ones(n)]),
                           (np.concatenate([i, j, np.arange(n)]), np.concatenate([j, i, np.arange(n)]))),
                          shape=(n, n)).tocsr()
    values = np.asarray(values, dtype=np.float64).reshape(n, -1)
    return (W @ values) / np.asarray(W.sum(axis=1))


def descriptors(positions: np.ndarray, types: np.ndarray, cell: np.ndarray, kinds=("radial",),
                lengths=(1.0, 2.0), kernel: str = "auto") -> dict:
    """Per-particle descriptors of one configuration, ``{kind: (N, F)}`` for each kind of ``kinds``.

    ``radial``: the radial structure functions G_X(r), r = 0.1 ... 5.0, delta = 0.2, per species
    (:func:`.features.radial_structure_functions`, 100 columns for KA; the softness features);
    ``coarse``: those columns followed by their neighbour averages (:func:`coarse_grain`) at each length L of
    ``lengths`` (Jung et al. 2023 coarse-grain their descriptors the same way). ``kernel``: that of
    :func:`.features.radial_structure_functions` (``numpy`` saves numba's compilation, which costs more than
    the numpy sums for a few small configurations).
    """
    from .features import radial_structure_functions

    unknown = set(kinds) - {"radial", "coarse"}
    if unknown:
        raise ValueError(f"descriptor kinds must be radial or coarse, not {sorted(unknown)}")
    species = np.array(sorted(SPECIES)) if set(np.unique(types)) <= set(SPECIES) else None
    G = radial_structure_functions(positions, types, cell, species=species, kernel=kernel)
    out = {"radial": G} if "radial" in kinds else {}
    if "coarse" in kinds:
        out["coarse"] = np.hstack([G] + [coarse_grain(G, positions, cell, L) for L in lengths])
    return out


# ----------------------------------------------------------------------------------------------- baselines

def _estimator(name: str, seed: int):
    require("sklearn", "the propensity baselines", "softness")
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import RidgeCV
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "ridge":
        return make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 4, 15)))
    if name == "mlp":
        # standardised target, strong L2 (alpha = 10): with 300 inputs and a few thousand particles the weakly
        # regularised (64, 32) net overfits (Pearson 0.29 against 0.44 on training snapshots held out, T = 0.8)
        net = MLPRegressor(hidden_layer_sizes=(32, 16), alpha=10.0, learning_rate_init=1e-3, max_iter=300,
                           early_stopping=True, n_iter_no_change=15, random_state=seed)
        return TransformedTargetRegressor(make_pipeline(StandardScaler(), net), transformer=StandardScaler())
    raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")


BASELINE_FEATURES = {"ridge": "radial", "mlp": "coarse"}


def fit_baselines(train: dict, test: dict, models=BASELINES, types=(1,), seed: int = 0) -> dict:
    """Fit each baseline per time column on the training snapshots and predict the test snapshots.

    Parameters
    ----------
    train, test : dict
        ``{name: (features_by_kind, types (N,), propensity (N, K))}``, ``features_by_kind`` a dict
        ``{"radial": (N, F), "coarse": (N, F')}``; one temperature.
    models : sequence of str
        Among ``ridge`` (on G_X) and ``mlp`` (on the coarse-grained G_X).
    types : sequence of int
        The particle types trained on and predicted (the others get nan).

    Returns
    -------
    dict
        ``{model: {test name: (N, K) predictions}}``.
    """
    if set(train) & set(test):
        raise ValueError(f"snapshots {sorted(set(train) & set(test))} are in both the training and the test set")
    threadpool_limits = require("threadpoolctl", "the propensity baselines", "softness").threadpool_limits
    out = {}
    K = next(iter(train.values()))[2].shape[1]
    for name in models:
        kind = BASELINE_FEATURES.get(name)
        if kind is None:
            raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
        X = np.concatenate([f[kind][np.isin(t, types)] for f, t, _ in train.values()])
        Y = np.concatenate([p[np.isin(t, types)] for _, t, p in train.values()])
        preds = {s: np.full((len(t), K), np.nan) for s, (_, t, _) in test.items()}
        for k in range(K):
            with threadpool_limits(1):       # small matrices: BLAS threads cost more than they give here
                est = _estimator(name, seed).fit(X, Y[:, k])
            for s, (f, t, _) in test.items():
                m = np.isin(t, types)
                preds[s][m, k] = est.predict(f[kind][m])
        out[name] = preds
    return out


def baseline_predictions(data: PropensityData, models=BASELINES, types=(1,), seed: int = 0,
                         progress=None, kernel: str = "auto") -> dict:
    """:func:`fit_baselines` at every temperature of ``data``: ``{model: {test snapshot: (N, K)}}``
    (``kernel``: that of :func:`descriptors`).
    """
    say = progress or (lambda _line: None)
    kinds = sorted({BASELINE_FEATURES[m] for m in models if m in BASELINE_FEATURES})
    out: dict = {m: {} for m in models}
    for T in data.temperatures:
        sets = {}
        for split in ("train", "test"):
            sets[split] = {}
            for s in data.select(split, T):
                feats = descriptors(s.positions, s.types, s.cell, kinds, kernel=kernel)
                sets[split][s.name] = (feats, s.types, s.propensity)
        if not sets["train"] or not sets["test"]:
            say(f"T = {T:g}: no training or no test snapshots; skipped")
            continue
        preds = fit_baselines(sets["train"], sets["test"], models, types, seed)
        for m in models:
            out[m].update(preds[m])
        say(f"T = {T:g}: {len(sets['train'])} training and {len(sets['test'])} test snapshots fitted")
    return out


def evaluate(data: PropensityData, predictions: dict, types=(1,)) -> list[dict]:
    """Pearson r per model, temperature and time on the test snapshots.

    ``predictions`` is ``{model: {snapshot name: (N, K) or (N,) array}}`` (a missing test snapshot is an error;
    a time column with nan, e.g. a model trained at another temperature, gives no row).
    Each row: model, T, k, t, t_over_tau (t / tau_alpha), pearson (mean over the test snapshots of the
    per-snapshot Pearson r of the particles of ``types``), pearson_std (their standard deviation),
    pooled (one Pearson r over all those particles), n_snapshots.
    """
    rows = []
    for model, preds in predictions.items():
        for T in data.temperatures:
            snaps = data.select("test", T)
            if not snaps:
                continue
            state = data.state(T)
            times = np.asarray(state["times"], float)
            for k, t in enumerate(times):
                rs, ys, ps = [], [], []
                for s in snaps:
                    if s.name not in preds:
                        raise ValueError(f"model {model}: no prediction for test snapshot {s.name}")
                    p = np.asarray(preds[s.name], dtype=np.float64)
                    p = p[:, k] if p.ndim == 2 else p
                    m = np.isin(s.types, types)
                    if not np.isfinite(p[m]).all():          # the model does not predict this time / temperature
                        break
                    rs.append(pearson(s.propensity[m, k], p[m]))
                    ys.append(s.propensity[m, k])
                    ps.append(p[m])
                if len(rs) < len(snaps):
                    continue
                rows.append({"model": model, "T": T, "k": k, "t": float(t), "t_over_tau": float(t / s.tau_alpha),
                             "pearson": float(np.mean(rs)), "pearson_std": float(np.std(rs)),
                             "pooled": pearson(np.concatenate(ys), np.concatenate(ps)), "n_snapshots": len(rs)})
    return rows


TABLE_COLUMNS = ("model", "T", "k", "t", "t_over_tau", "pearson", "pearson_std", "pooled", "n_snapshots")


def write_pearson_table(path: str | Path, rows: list[dict]) -> Path:
    """``pearson.txt``: numeric columns (``numpy.loadtxt``), the model as an index named in a comment line."""
    from slowdyn.analysis.io.tables import write_table

    models = list(dict.fromkeys(r["model"] for r in rows))
    data = [[models.index(r["model"])] + [r[c] for c in TABLE_COLUMNS[1:]] for r in rows]
    write_table(path, TABLE_COLUMNS, np.array(data, dtype=np.float64).reshape(-1, len(TABLE_COLUMNS)),
                comments=["models: " + " ".join(f"{k}={m}" for k, m in enumerate(models)),
                          "pearson: mean over the test snapshots of the per-snapshot Pearson r; pooled: over all"],
                fmt=["%d", "%g", "%d", "%.6g", "%.4g", "%.4f", "%.4f", "%.4f", "%d"])
    return Path(path)


def plot_pearson(rows: list[dict], ax=None):
    """Pearson r vs t / tau_alpha, one line per model and temperature (Bapst et al. 2020, Fig. 2)."""
    fig, ax = figure_axes(ax)
    models = list(dict.fromkeys(r["model"] for r in rows))
    temps = sorted({r["T"] for r in rows})
    styles = ["-", "--", ":", "-."]
    for a, model in enumerate(models):
        for b, T in enumerate(temps):
            sel = sorted((r for r in rows if r["model"] == model and r["T"] == T), key=lambda r: r["t"])
            if sel:
                ax.errorbar([r["t_over_tau"] for r in sel], [r["pearson"] for r in sel],
                            yerr=[r["pearson_std"] for r in sel], color=f"C{a}", ls=styles[b % 4], marker="o",
                            ms=3, capsize=2, label=f"{model}, T = {T:g}")
    ax.set_xscale("log")
    ax.set_xlabel(r"$t / \tau_\alpha$")
    ax.set_ylabel("Pearson r (test snapshots)")
    ax.set_ylim(min(0.0, min((r["pearson"] for r in rows), default=0)), 1)
    ax.legend(fontsize=7)
    return fig


def plot_scatter(data: PropensityData, predictions: dict, k: int, types=(1,), ax=None):
    """Predicted vs measured propensity at time column ``k``, one panel per model (test snapshots)."""
    models = list(predictions)
    fig, axes = figure_axes(ax, 1, len(models), figsize=(3.2 * len(models), 3.2), squeeze=False)
    for a, model in enumerate(models):
        axis = axes[0, a]
        for b, T in enumerate(data.temperatures):
            ys, ps = [], []
            for s in data.select("test", T):
                p = np.asarray(predictions[model][s.name], dtype=np.float64)
                p = p[:, k] if p.ndim == 2 else p
                m = np.isin(s.types, types)
                ys.append(s.propensity[m, k])
                ps.append(p[m])
            if ys:
                y, p = np.concatenate(ys), np.concatenate(ps)
                axis.scatter(y, p, s=2, alpha=0.3, color=f"C{b}", label=f"T = {T:g}, r = {pearson(y, p):.2f}")
        fr = data.index.get("time_fractions", [])
        when = f"t = {fr[k]:g} " + r"$\tau_\alpha$" if k < len(fr) else f"column {k}"
        axis.set_xlabel(f"measured propensity, {when}")
        axis.set_title(model, fontsize=8)
        axis.legend(fontsize=6, markerscale=4)
    axes[0, 0].set_ylabel("predicted propensity")
    fig.tight_layout()
    return fig


__all__ = ["BASELINES", "FORMAT", "PropensityData", "Snapshot", "baseline_predictions", "coarse_grain",
           "descriptors", "evaluate", "fit_baselines", "interpolate", "load_dataset", "pearson", "plot_pearson",
           "plot_scatter", "propensity_curves", "read_propensity", "read_snapshot", "relaxation_time",
           "snapshot_split", "species_msd", "write_index", "write_msd", "write_pearson_table", "write_propensity",
           "write_snapshot"]
