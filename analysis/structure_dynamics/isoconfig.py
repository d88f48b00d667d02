"""Isoconfigurational ensembles: propensity, rearrangement probability, and regressions on structure.

One configuration, M runs with new Maxwell-Boltzmann velocities (Widmer-Cooper,
Harrowell & Fynewever, PRL 93, 135701 (2004); Obadiya, PhD thesis, Emory 2025,
sec. 1.6.1 and ch. 3). Per particle:

- propensity <|r_i(t) - r_i(0)|^2>_iso at the end of the window;
- p_r, the fraction of runs in which p_hop(i, t) > p_c at some t of the window
  (Obadiya 2025: 30 tau runs, events recorded up to 25 tau).

:class:`Regressions` fits logit p_r (Obadiya 2025, eq. 3.4; p_r clipped to
[1/(2M), 1 - 1/(2M)] so that the logit is finite) with ridge regression,
linear SVR, RBF-SVR and an MLP (scikit-learn, standardised features), and
reports on held-out particles the explained variance by the law of total
variance, Var(<Y | Y_pred>) / Var(Y) with equal-count bins of Y_pred
(Obadiya 2025, Fig. 3.4), the Pearson correlation, and for the linear models
the dot product of their normal with the softness normal (Table 3.1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from slowdyn.common.optional import require
from slowdyn.common.plotting import figure_axes
from .._compute import Compute, computed_property
from .labels import phop, unwrapped_positions

MODELS = ("ridge", "linear_svr", "rbf_svr", "mlp")


def propensity(runs) -> np.ndarray:
    """<|r_i(end) - r_i(0)|^2> over the runs; ``runs`` is a sequence of unwrapped ``(F, N, d)`` trajectories."""
    d2 = [((p[-1] - p[0]) ** 2).sum(axis=-1) for p in (unwrapped_positions(r) for r in runs)]
    return np.mean(d2, axis=0)


def rearrangement_probability(runs, half_window: int = 5, p_c: float = 0.2, last: int | None = None) -> np.ndarray:
    """Fraction of runs in which p_hop(i, t) > p_c at some frame t (up to frame ``last``)."""
    hits = []
    for r in runs:
        p = phop(r, half_window)[: None if last is None else last + 1]
        hits.append(np.nanmax(np.where(np.isfinite(p), p, -np.inf), axis=0) > p_c)
    return np.mean(hits, axis=0)


def logit(p: np.ndarray, n_runs: int) -> np.ndarray:
    """ln(p / (1 - p)) with p clipped to [1/(2M), 1 - 1/(2M)]."""
    eps = 0.5 / n_runs
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1.0 - eps)
    return np.log(p / (1.0 - p))


def explained_variance(y: np.ndarray, y_pred: np.ndarray, bins: int = 40) -> float:
    """Var(<Y | bin of Y_pred>) / Var(Y), equal-count bins of Y_pred (law of total variance)."""
    y, y_pred = np.asarray(y, float), np.asarray(y_pred, float)
    order = np.argsort(y_pred, kind="stable")
    groups = np.array_split(order, min(bins, len(y)))
    means = np.array([y[g].mean() for g in groups])
    sizes = np.array([len(g) for g in groups])
    return float((sizes * (means - y.mean()) ** 2).sum() / sizes.sum() / y.var())


def _models(names, n_train: int, seed: int):
    require("sklearn", "isoconfigurational regressions", "softness")
    from sklearn.linear_model import RidgeCV
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVR, LinearSVR

    # MLP: five hidden layers, about as many parameters as training examples (Obadiya 2025, sec. 3.3.3)
    width = 8
    while 5 * (width + 1) * width < n_train and width < 64:
        width += 4
    make = {"ridge": lambda: RidgeCV(alphas=np.logspace(-3, 4, 15)),
            "linear_svr": lambda: LinearSVR(C=1e-2, epsilon=0.0, dual="auto", max_iter=20000, random_state=seed),
            "rbf_svr": lambda: SVR(kernel="rbf", C=1.0),
            "mlp": lambda: MLPRegressor(hidden_layer_sizes=(width,) * 5, alpha=1e-2, max_iter=2000,
                                        early_stopping=True, random_state=seed)}
    unknown = set(names) - set(make)
    if unknown:
        raise ValueError(f"unknown model(s) {sorted(unknown)}; choose from {', '.join(MODELS)}")
    return {n: make_pipeline(StandardScaler(), make[n]()) for n in names}


class Regressions(Compute):
    """Regressions of logit p_r on the features, scored on held-out particles.

    Parameters
    ----------
    models : sequence of str
        Among ``ridge``, ``linear_svr``, ``rbf_svr``, ``mlp``.
    bins : int
        Equal-count bins of the explained variance.
    seed : int
        Seed of the models.
    """

    compute_hint = "compute(F_train, y_train, F_test, y_test)"

    def __init__(self, models=MODELS, bins: int = 40, seed: int = 0) -> None:
        self.models, self.bins, self.seed = tuple(models), int(bins), int(seed)

    def compute(self, F_train: np.ndarray, y_train: np.ndarray, F_test: np.ndarray, y_test: np.ndarray,
                softness=None) -> "Regressions":
        """Fit every model on the training particles and score it on the test particles.

        ``softness`` (a trained :class:`.softness.Softness`) adds the projection of each linear model's
        normal on the softness normal, both in the softness classifier's standardised feature space.
        """
        from .softness import in_standardised_space

        fitted = _models(self.models, len(y_train), self.seed)
        rows, preds = [], {}
        for name, model in fitted.items():
            model.fit(F_train, y_train)
            pred = model.predict(F_test)
            preds[name] = pred
            row = {"model": name, "explained_variance": explained_variance(y_test, pred, self.bins),
                   "pearson": float(np.corrcoef(y_test, pred)[0, 1]), "mean_pred": float(pred.mean()),
                   "std_pred": float(pred.std()), "projection": np.nan}
            est = model[-1]
            if softness is not None and hasattr(est, "coef_"):
                w = in_standardised_space(softness, np.ravel(est.coef_) / model[0].scale_)
                row["projection"] = float(w @ softness.normal)
            rows.append(row)
        self._rows, self._preds, self._y_test = rows, preds, np.asarray(y_test, float)
        return self

    @computed_property
    def rows(self) -> list[dict]:
        """One dict per model: explained_variance, pearson, mean_pred, std_pred, projection."""
        return self._rows

    def summary(self) -> dict[str, float]:
        return {f"{r['model']}/{k}": float(v) for r in self._rows for k, v in r.items() if k != "model"}

    def plot(self, ax=None):
        """Explained variance per model (Obadiya 2025, Fig. 3.4)."""
        fig, ax = figure_axes(ax)
        names = [r["model"] for r in self._rows]
        ax.bar(names, [r["explained_variance"] for r in self._rows], color="C0")
        ax.axhline(0.5, color="k", lw=0.8, ls=":")
        ax.set_ylabel("explained variance of logit p_r")
        ax.set_ylim(0, 1)
        return fig

    def write(self, folder: str | Path) -> list[Path]:
        """``regression.txt`` (one row per model) and ``regression.png``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = [folder / "regression.txt", folder / "regression.png"]
        keys = ("explained_variance", "pearson", "projection", "mean_pred", "std_pred")
        with open(out[0], "w") as fh:
            fh.write("# model " + " ".join(keys) + "\n")
            for r in self._rows:
                fh.write(r["model"] + " " + " ".join(f"{r[k]:.6g}" for k in keys) + "\n")
        self.plot().savefig(out[1], dpi=120)
        return out


__all__ = ["MODELS", "Regressions", "explained_variance", "logit", "propensity", "rearrangement_probability"]
