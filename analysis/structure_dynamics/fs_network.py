"""The S^ab(k) -> F_s^aa(k_p, t) network of binary mixtures (Ciarella, Chiappini,
Boattini, Dijkstra & Janssen, Mach. Learn.: Sci. Technol. 4, 025010 (2023), §2.1, §4.2).

A multi-layer perceptron maps one row

    [S^AA(k_1..k_n), S^AB(k_1..k_n), S^BB(k_1..k_n), T, rho, interaction, log t]

(304 inputs for the paper's 100 wave numbers; interaction 0 = LJ, 1 = WCA) to
``(F_s^AA(k_p, t), F_s^BB(k_p, t))`` in the normalisation of eq. (1)
(F_s^aa(k_p, 0) = S^aa(k_p)). Hidden layers 500-400-400-300-200 with ReLU, L1
loss plus an L1 (Lasso) penalty on the weights, Adam; trained through the
shared :class:`slowdyn.common.training.Trainer` (checkpoint/resume,
``history.json``, ``loss.png``, a CPU-time budget). The data come from a
state-point library (:mod:`slowdyn.analysis.io.statepoints`); train and test
sets are split by **state points**, never by rows (§2.1: 10 % of the
{LJ/WCA; T; rho} states are held out), or by temperature (Fig. 4) or by
potential (Fig. 5).

Two R^2 scores (:func:`r2_printed`, :func:`r2_standard`): the paper's eqs.
(2)-(4) centre the total sum of squares on the mean of the *predictions*; the
standard coefficient of determination centres it on the mean of the *targets*.
They agree when the predictions have the targets' mean and spread; the
printed one rewards a network whose predictions vary a lot and can exceed
the standard one arbitrarily (a constant prediction gives -inf instead of
<= 0).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from slowdyn.common.training import Trainer, _torch, standardized_mlp

from ..io.statepoints import StatePoint

INTERACTION = {"lj": 0.0, "wca": 1.0}
#: Table 1 of Ciarella et al. (2023): k_B T_mct / eps_AA of fit-parameter-free MCT.
TABLE1_TMCT = {("lj", 1.2): 0.90, ("lj", 1.4): 1.87, ("lj", 1.6): 3.53, ("lj", 1.8): 5.10,
               ("wca", 1.2): 0.74, ("wca", 1.4): 1.77, ("wca", 1.6): 3.49, ("wca", 1.8): 5.10}


# -- scores ----------------------------------------------------------------------------------
def _r2(prediction, truth, centre_on_prediction: bool) -> float:
    p, y = np.ravel(np.asarray(prediction, float)), np.ravel(np.asarray(truth, float))
    if p.shape != y.shape or p.size == 0:
        raise ValueError(f"prediction and truth must have the same non-zero size, got {p.size} and {y.size}")
    ref = p if centre_on_prediction else y
    ss_tot = float(np.sum((ref - ref.mean()) ** 2))
    ss_res = float(np.sum((p - y) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else -np.inf)


def r2_printed(prediction, truth) -> float:
    """R^2 as printed in Ciarella et al. (2023), eqs. (2)-(4): ``1 - SS_res / SS_tot`` with
    ``SS_tot = sum (prediction_i - mean(prediction))^2`` (centred on the predictions).
    """
    return _r2(prediction, truth, centre_on_prediction=True)


def r2_standard(prediction, truth) -> float:
    """The standard coefficient of determination: ``SS_tot = sum (truth_i - mean(truth))^2``."""
    return _r2(prediction, truth, centre_on_prediction=False)


# -- T_mct -----------------------------------------------------------------------------------
def read_tmct(path: str | os.PathLike | None) -> tuple[dict, str]:
    """``({(potential, rho): T_mct}, source label)`` from a table, or Table 1 of the paper.

    The table has a ``# columns:`` header with ``potential rho T_mct`` (words
    ``lj``/``wca`` in the first column), as :mod:`slowdyn.analysis.io.tables`
    reads; ``None`` gives the paper's Table 1 (labelled so).
    """
    if path is None:
        return dict(TABLE1_TMCT), "T_mct from Table 1 of Ciarella et al. (2023), not from our MCT"
    from ..io.tables import read_table

    _, cols = read_table(path, "T_mct table", required=("potential", "rho", "T_mct"), text=("potential",))
    out = {(str(p).lower(), round(float(r), 6)): float(t)
           for p, r, t in zip(cols["potential"], cols["rho"], cols["T_mct"]) if np.isfinite(float(t))}
    if not out:
        raise ValueError(f"{path}: no finite T_mct rows")
    return out, f"T_mct from {Path(path).name}"


def tmct_of(tmct: dict, potential: str, rho: float) -> float:
    """T_mct at (potential, rho): exact row, else linear in rho between the potential's rows
    (held at the end values outside).
    """
    rows = sorted((r, t) for (p, r), t in tmct.items() if p == potential)
    if not rows:
        raise ValueError(f"no T_mct for potential {potential!r} (the table has {sorted({p for p, _ in tmct})})")
    r, t = np.array(rows).T
    return float(np.interp(rho, r, t))


# -- data ------------------------------------------------------------------------------------
def split_states(states: Sequence[StatePoint], test_fraction: float = 0.1, seed: int = 0,
                 how: str = "states", t0: float | None = None, tmct: dict | None = None,
                 train_potential: str | None = None) -> tuple[list[str], list[str]]:
    """Names of the training and test states (a state's rows all go to one side).

    Parameters
    ----------
    states : sequence of StatePoint
    test_fraction, seed : float, int
        ``how="states"``: a seeded random ``test_fraction`` of the states (at least one) is held out.
    how : {"states", "temperature", "potential"}
        ``"temperature"``: train on T / T_mct > ``t0``, test below (Fig. 4);
        ``"potential"``: train on ``train_potential``, test on the other (Fig. 5).
    """
    names = [s.name for s in states]
    if len(set(names)) != len(names):
        raise ValueError("state names must be unique")
    if how == "states":
        if not 0 < test_fraction < 1:
            raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
        if len(names) < 2:
            raise ValueError(f"a state-wise split needs >= 2 states, the library has {len(names)}")
        n_test = min(len(names) - 1, max(1, int(round(test_fraction * len(names)))))
        order = np.random.default_rng(seed).permutation(len(names))
        test = {names[i] for i in order[:n_test]}
    elif how == "temperature":
        if t0 is None:
            raise ValueError("the temperature split needs t0 (in units of T_mct)")
        tm = tmct if tmct is not None else TABLE1_TMCT
        test = {s.name for s in states if s.T / tmct_of(tm, s.potential, s.rho) <= t0}
    elif how == "potential":
        if train_potential not in INTERACTION:
            raise ValueError(f"train_potential must be one of {sorted(INTERACTION)}, got {train_potential!r}")
        test = {s.name for s in states if s.potential != train_potential}
    else:
        raise ValueError(f"split must be 'states', 'temperature' or 'potential', got {how!r}")
    train = [n for n in names if n not in test]
    if not train or not test:
        raise ValueError(f"the {how} split leaves an empty {'training' if not train else 'test'} set "
                         f"({len(names)} states)")
    return train, [n for n in names if n in test]


def state_features(state: StatePoint, k_grid: np.ndarray) -> np.ndarray:
    """The 3 n_k + 3 time-independent inputs of a state: S^ab on ``k_grid`` (linear interpolation), T, rho, label."""
    if k_grid[0] < state.k[0] - 1e-9 or k_grid[-1] > state.k[-1] + 1e-9:
        raise ValueError(f"state {state.name}: its k grid [{state.k[0]:g}, {state.k[-1]:g}] does not cover the "
                         f"network's [{k_grid[0]:g}, {k_grid[-1]:g}]")
    s = [np.interp(k_grid, state.k, state.S[i]) for i in range(3)]
    return np.concatenate(s + [[state.T, state.rho, INTERACTION[state.potential]]])


def rows_of(states: Sequence[StatePoint], k_grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, Y, owner)``: one row per (state, time): inputs (``3 n_k + 4``), targets ``(F_s^AA, F_s^BB)``
    and the index of the state each row belongs to.
    """
    xs, ys, owner = [], [], []
    for i, s in enumerate(states):
        if not s.has_dynamics:
            raise ValueError(f"state {s.name} has no F_s (fs.dat): it cannot be used for training or scoring")
        good = s.t > 0
        f = state_features(s, k_grid)
        xs.append(np.column_stack([np.tile(f, (good.sum(), 1)), np.log(s.t[good])]))
        ys.append(s.fs[:, good].T)
        owner.append(np.full(good.sum(), i))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(owner)


# -- network ---------------------------------------------------------------------------------
@dataclass
class FsNetConfig:
    """Hyper-parameters of the network and its training (defaults: the paper's §4.2)."""

    hidden: tuple = (500, 400, 400, 300, 200)
    epochs: int = 1000
    lr: float = 1e-3
    lasso: float = 1e-6
    batch_size: int = 256
    seed: int = 0
    test_fraction: float = 0.1
    split: str = "states"
    t0: float | None = None
    train_potential: str | None = None
    max_cpu_minutes: float | None = None
    num_threads: int | None = None

    def key(self) -> dict:
        d = asdict(self)
        for k in ("epochs", "max_cpu_minutes", "num_threads"):
            d.pop(k)
        d["hidden"] = list(d["hidden"])
        return d


def build_mlp(n_in: int, hidden: Sequence[int], n_out: int = 2):
    """``Standardise -> (Linear, ReLU) x len(hidden) -> Linear``; the first module holds the input mean/std."""
    return standardized_mlp(n_in, hidden, n_out, "ReLU")


@dataclass
class FsNetwork:
    """A trained network: config, k grid, the split it was trained with, and the torch module."""

    config: dict
    k_grid: np.ndarray
    train_states: list
    test_states: list
    net: object = None
    history: dict = field(default_factory=dict)
    tmct_source: str = ""

    def predict(self, state: StatePoint, t=None) -> tuple[np.ndarray, np.ndarray]:
        """``(t, F)``: ``F`` of shape ``(2, n_t)`` (AA, BB) at ``t`` (default: the state's own times > 0)."""
        torch = _torch()
        if t is None:
            if not state.has_dynamics:
                raise ValueError(f"state {state.name} has no F_s times: give t")
            t = state.t[state.t > 0]
        t = np.asarray(t, float)
        if np.any(t <= 0):
            raise ValueError("predictions need times t > 0 (the network takes log t)")
        f = state_features(state, self.k_grid)
        x = np.column_stack([np.tile(f, (t.size, 1)), np.log(t)]).astype(np.float32)
        with torch.no_grad():
            y = self.net(torch.from_numpy(x)).numpy().T.astype(float)
        return t, y

    def save(self, path: str | os.PathLike) -> Path:
        from slowdyn.common.training import save_torch_file

        torch = _torch()
        return save_torch_file(path, {"kind": "slowdyn mixture F_s network", "config": json.dumps(self.config),
                    "k_grid": torch.from_numpy(np.asarray(self.k_grid, float)),
                    "split": json.dumps({"train": self.train_states, "test": self.test_states}),
                    "history": json.dumps(self.history), "tmct_source": self.tmct_source,
                    "net": self.net.state_dict()})

    @classmethod
    def load(cls, path: str | os.PathLike) -> "FsNetwork":
        from slowdyn.common.training import load_torch_file

        path = Path(path)
        if path.is_dir():
            path = path / "model.pt"
        blob = load_torch_file(path, "slowdyn mixture F_s network", ("kind", "config", "k_grid", "split", "net"))
        cfg = json.loads(blob["config"])
        k = blob["k_grid"].numpy()
        net = build_mlp(3 * k.size + 4, cfg["hidden"])
        net.load_state_dict(blob["net"])
        split = json.loads(blob["split"])
        return cls(config=cfg, k_grid=k, train_states=split["train"], test_states=split["test"], net=net.eval(),
                   history=json.loads(blob.get("history", "{}")), tmct_source=blob.get("tmct_source", ""))


class FsTrainer(Trainer):
    """Train the S(k) -> F_s network on a state-point library (state-wise split).

    Parameters
    ----------
    states : sequence of StatePoint
        The library (every state needs F_s).
    out_dir : path
        ``checkpoint.pt``, ``history.json``, ``loss.png``, ``model.pt``.
    config : FsNetConfig
    tmct : dict, optional
        ``{(potential, rho): T_mct}`` for the temperature split (default: Table 1).
    k_grid : array, optional
        Wave numbers of the inputs (default: the first state's grid).
    """

    def __init__(self, states: Sequence[StatePoint], out_dir: str | os.PathLike, config: FsNetConfig = FsNetConfig(),
                 tmct: dict | None = None, tmct_source: str = "", k_grid=None, resume: bool = True,
                 progress: bool = True) -> None:
        if not states:
            raise ValueError("no states to train on")
        bad = [s.name for s in states if not s.has_dynamics]
        if bad:
            raise ValueError(f"state {bad[0]} has no F_s (fs.dat)" + (f" (and {len(bad) - 1} more)" if len(bad) > 1
                                                                      else ""))
        self.states = list(states)
        self.config = config
        self.k_grid = np.asarray(k_grid if k_grid is not None else states[0].k, float)
        self.train_names, self.test_names = split_states(self.states, config.test_fraction, config.seed,
                                                         config.split, config.t0, tmct, config.train_potential)
        self.tmct_source = tmct_source
        budget = None if config.max_cpu_minutes is None else 60.0 * float(config.max_cpu_minutes)
        super().__init__(out_dir, epochs=config.epochs, lr=config.lr, weight_decay=0.0, batch_size=config.batch_size,
                         seed=config.seed, num_threads=config.num_threads, resume=resume, progress=progress,
                         desc="F_s network", max_cpu_seconds=budget)
        self._model: FsNetwork | None = None

    @property
    def model(self) -> FsNetwork:
        if self._model is None:
            raise RuntimeError("FsTrainer: call run() first")
        return self._model

    def config_key(self) -> dict:
        return {**self.config.key(), "k_grid": [round(float(k), 8) for k in self.k_grid],
                "train": self.train_names, "test": self.test_names}

    def setup(self):
        torch = _torch()
        by = {s.name: s for s in self.states}
        xtr, ytr, _ = rows_of([by[n] for n in self.train_names], self.k_grid)
        xte, yte, _ = rows_of([by[n] for n in self.test_names], self.k_grid)
        net = build_mlp(xtr.shape[1], self.config.hidden)
        net[0].mean.copy_(torch.from_numpy(xtr.mean(axis=0).astype(np.float32)))
        # an input constant over the training set (the label when training on one potential, rho at one
        # density) is only centred: dividing by a vanishing spread would blow up unseen values
        std = xtr.std(axis=0)
        std = np.where(std > 1e-6 * np.maximum(1.0, np.abs(xtr.mean(axis=0))), std, 1.0)
        net[0].std.copy_(torch.from_numpy(std.astype(np.float32)))
        f32 = lambda a: torch.from_numpy(a.astype(np.float32))  # noqa: E731
        self._model = FsNetwork(config=self.config.key() | {"epochs": self.config.epochs}, k_grid=self.k_grid,
                                train_states=self.train_names, test_states=self.test_names, net=net,
                                tmct_source=self.tmct_source)
        return net, (f32(xtr), f32(ytr)), {"test": (f32(xte), f32(yte))}

    def loss(self, net, batch):
        x, y = batch
        l1 = (net(x) - y).abs().mean()
        lasso = sum(m.weight.abs().sum() for m in net if hasattr(m, "weight"))
        return l1 + self.config.lasso * lasso, {"l1": l1.item()}

    def save_model(self, net, history: dict) -> Path:
        model = self.model
        model.net, model.history = net.eval(), history
        return model.save(self.out_dir / "model.pt")


# -- evaluation ------------------------------------------------------------------------------
def score_states(model: FsNetwork, states: Sequence[StatePoint], tmct: dict) -> list[dict]:
    """Per state: name, potential, rho, T, T/T_mct, whether trained on, R^2 printed and standard
    (over both species and all times of the state).
    """
    rows = []
    for s in states:
        if not s.has_dynamics:
            raise ValueError(f"state {s.name} has no F_s (fs.dat): it cannot be scored")
        t, pred = model.predict(s)
        truth = s.fs[:, s.t > 0]
        rows.append({"name": s.name, "potential": s.potential, "rho": s.rho, "T": s.T,
                     "T_over_Tmct": s.T / tmct_of(tmct, s.potential, s.rho),
                     "trained": s.name in model.train_states,
                     "r2_printed": r2_printed(pred, truth), "r2_standard": r2_standard(pred, truth)})
    return rows


def pooled_r2(model: FsNetwork, states: Sequence[StatePoint]) -> dict:
    """R^2 both ways over all rows of ``states`` (the paper's sum over T, rho and t_i), and per species."""
    preds, truths = [], []
    for s in states:
        preds.append(model.predict(s)[1])
        truths.append(s.fs[:, s.t > 0])
    p, y = np.concatenate(preds, axis=1), np.concatenate(truths, axis=1)
    out = {"n_states": len(states), "n_rows": int(p.shape[1]),
           "r2_printed": r2_printed(p, y), "r2_standard": r2_standard(p, y)}
    for i, sp in enumerate(("AA", "BB")):
        out[f"r2_printed_{sp}"] = r2_printed(p[i], y[i])
        out[f"r2_standard_{sp}"] = r2_standard(p[i], y[i])
    return out


def binned(rows: Sequence[dict], key: str, edges: Sequence[float]) -> list[dict]:
    """Mean and standard deviation of ``key`` in bins of T/T_mct (Fig. 3)."""
    x = np.array([r["T_over_Tmct"] for r in rows])
    v = np.array([r[key] for r in rows])
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (x >= lo) & (x < hi)
        if sel.any():
            out.append({"lo": lo, "hi": hi, "n": int(sel.sum()), "mean": float(np.mean(v[sel])),
                        "std": float(np.std(v[sel]))})
    return out


def plot_predictions(model: FsNetwork, states: Sequence[StatePoint], path, mct: dict | None = None, n_max: int = 4):
    """Fig. 2: simulated (solid) and predicted (dash-dotted) F_s^AA, F_s^BB of up to ``n_max`` states,
    hottest to coldest; ``mct`` = ``{name: (t, F (2, n_t))}`` adds dotted MCT curves.
    """
    from slowdyn.common.plotting import subplots

    chosen = sorted(states, key=lambda s: -s.T)
    if len(chosen) > n_max:
        chosen = [chosen[i] for i in np.linspace(0, len(chosen) - 1, n_max).round().astype(int)]
    fig, axes = subplots(1, 2, figsize=(9, 3.6))
    for j, s in enumerate(chosen):
        t, p = model.predict(s)
        for i, ax in enumerate(axes):
            ax.plot(s.t[s.t > 0], s.fs[i, s.t > 0], "-", color=f"C{j}",
                    label=f"{s.potential.upper()} rho={s.rho:g} T={s.T:g}")
            ax.plot(t, p[i], "-.", color=f"C{j}")
            if mct and s.name in mct:
                ax.plot(mct[s.name][0], mct[s.name][1][i], ":", color=f"C{j}")
    for i, ax in enumerate(axes):
        ax.set_xscale("log")
        ax.set_xlabel("t")
        ax.set_ylabel(f"F_s^{'AA' if i == 0 else 'BB'}(k_p, t)")
    axes[0].legend(fontsize="x-small", title="solid: simulated, dash-dot: network", title_fontsize="x-small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def plot_r2(rows: Sequence[dict], path, title: str = "", tmct_source: str = ""):
    """Figs. 3-5: R^2 (printed and standard) per state against T/T_mct; trained states filled,
    unseen ones open.
    """
    from slowdyn.common.plotting import subplots

    fig, axes = subplots(1, 2, figsize=(9, 3.6), sharey=False)
    for ax, key in zip(axes, ("r2_printed", "r2_standard")):
        for pot, marker in (("lj", "o"), ("wca", "s")):
            for trained in (True, False):
                sel = [r for r in rows if r["potential"] == pot and r["trained"] == trained]
                if sel:
                    ax.plot([r["T_over_Tmct"] for r in sel], [max(r[key], -1.0) for r in sel], marker,
                            mfc=None if trained else "none", color="C0" if pot == "lj" else "C1",
                            label=f"{pot.upper()} {'trained' if trained else 'unseen'}")
        ax.axhline(1.0, color="0.6", lw=0.8)
        ax.set_xlabel("T / T_mct")
        ax.set_ylabel("R^2 " + ("as printed (eq. 4)" if key == "r2_printed" else "standard") + " (clipped at -1)")
    axes[0].legend(fontsize="x-small")
    if title or tmct_source:
        fig.suptitle("; ".join(x for x in (title, tmct_source) if x), fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


__all__ = ["FsNetConfig", "FsNetwork", "FsTrainer", "INTERACTION", "TABLE1_TMCT", "binned", "build_mlp",
           "plot_predictions", "plot_r2", "pooled_r2", "r2_printed", "r2_standard", "read_tmct", "rows_of",
           "score_states", "split_states", "state_features", "tmct_of"]
