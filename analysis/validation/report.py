"""Side-by-side validation of inverse Laplace transforms on held-out pairs.

Methods: the NNLT (if a trained model is given) as it comes out of the
network, after the data-consistency refinement
(:mod:`slowdyn.analysis.laplace.refine`) and with NNLS tails on the refined
output (:mod:`slowdyn.analysis.laplace.tails`), the inverse Filon method
(eq. 2.48, the classical baseline of Granz 2026, §4.4.1) and Tikhonov NNLS
(:mod:`slowdyn.analysis.laplace.nnls`, with f(0) = 1 as soft
constraint, the information the NNLT builds in). Inputs (Granz 2026, §4.2.5):

* ``clean``: the exact transform of held-out exponential sums (drawn as the
  training data, other seed) on the NNLT frequency grid;
* ``noisy``: f(t) on the NNLT time grid plus Gaussian noise (1e-3), cut
  below 1e-3 and continued with a fitted exponential down to 1e-6
  (:class:`~slowdyn.analysis.laplace.truncation.TailExtrapolation`), then
  Filon-transformed onto the frequency grid.

Errors against the true f on the time grid: MSE and logMSE as the NNLT
loss (eqs. 4.42, 4.43, eps = 1e-12; negative outputs of the inverse Filon
are set to 0 for the log), max and RMS of |f - f_true|, averaged over the
functions. ``slowdyn nnlt report`` writes the table and two PNGs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from slowdyn.common.plotting import subplots
from ..laplace.metrics import METRICS, error_metrics, noisy_transform
from ..laplace.pipeline import METHOD_LABELS, invert_many
from ..laplace.truncation import TailExtrapolation
from ..nnlt.data import TrainingData
from ..nnlt.grids import NNLTGrids
from .._compute import Compute, computed_property, flat_summary

# Granz 2026, Table 4.1, validation logMSE of the 2 x 1024 network
TABLE_4_1_LOGMSE = 5.590e-5


class LaplaceReport(Compute):
    """Compare inverse-transform methods on held-out synthetic pairs.

    Parameters
    ----------
    model : NNLT or path, optional
        Trained NNLT; without it only the classical methods are compared
        (on the default :class:`NNLTGrids`).
    n_functions : int
        Number of held-out functions.
    seed : int
        Seed of the held-out set and of the noise (use one the model was not trained with).
    noise, threshold, floor : float
        Gaussian noise amplitude, truncation level and extrapolation floor.
    data : dict, optional
        Extra :class:`TrainingData` arguments (default: the model's training settings).
    nnls : dict, optional
        :class:`NNLSInversion` arguments (default: ``alpha=1e-6, f0=1``).
    methods : sequence of str, optional
        The methods to compare (default: the NNLT methods when a model is given,
        ``inverse_filon`` and ``nnls``); a subset is cheaper (the NNLT refinement
        and NNLS tails cost 1-3 s CPU per function).
    conditions : sequence of str
        ``"clean"`` and/or ``"noisy"`` inputs. The held-out set and the noise of
        every function do not depend on either selection.
    """

    def __init__(self, model=None, n_functions: int = 50, seed: int = 987654, noise: float = 1e-3,
                 threshold: float = 1e-3, floor: float = 1e-6, data: dict | None = None,
                 nnls: dict | None = None, methods: Sequence[str] | None = None,
                 conditions: Sequence[str] = ("clean", "noisy")) -> None:
        if model is not None and not hasattr(model, "grids"):
            from ..nnlt.model import NNLT

            model = NNLT.load(model)
        self.model = model
        self.grids = model.grids if model is not None else NNLTGrids()
        if data is None:
            data = dict(model.config.get("data", {})) if model is not None else {}
        self.data = {k: v for k, v in data.items() if k not in ("n_samples", "seed")}
        self.n_functions = int(n_functions)
        self.seed = int(seed)
        self.noise = float(noise)
        self.threshold = float(threshold)
        self.floor = float(floor)
        self.nnls = dict(nnls) if nnls is not None else {"alpha": 1e-6, "f0": 1.0}
        default = (["nnlt", "nnlt_refined", "nnlt_tails"] if model is not None else []) + ["inverse_filon", "nnls"]
        self.methods = list(methods) if methods is not None else default
        unknown = [c for c in conditions if c not in ("clean", "noisy")]
        if unknown or not conditions:
            raise ValueError(f"conditions must be 'clean' and/or 'noisy', not {list(conditions)}")
        self.conditions = tuple(conditions)
        self._res: dict | None = None

    def _invert(self, fhat: np.ndarray) -> dict:
        out = invert_many(fhat, self.grids.omega, self.methods, self.model, self.grids.t, self.nnls)
        return {m: f for m, (_, f) in out.items()}

    def compute(self) -> "LaplaceReport":
        g = self.grids
        td = TrainingData(self.n_functions, grids=g, seed=self.seed, **self.data).compute()
        rng = np.random.default_rng(self.seed + 1)
        noisy_f = np.empty_like(td.f)
        noisy_fhat = np.empty_like(td.fhat)
        tail = TailExtrapolation(threshold=self.threshold, floor=self.floor)
        for i, f in enumerate(td.f):   # row by row: the same draws as one (n, n_t) array
            noisy_f[i], noisy_fhat[i] = noisy_transform(g.t, f, g.omega, self.noise, rng, tail)
        res = {"t": g.t, "omega": g.omega, "f_true": td.f, "f_noisy": noisy_f,
               "fhat": {"clean": td.fhat, "noisy": noisy_fhat}, "pred": {}, "errors": {}}
        for cond in self.conditions:
            res["pred"][cond] = self._invert(res["fhat"][cond])
            res["errors"][cond] = {m: error_metrics(p, td.f) for m, p in res["pred"][cond].items()}
        # how well the Filon forward transform of the noisy data matches the exact transform
        res["noisy_fhat_relerr"] = np.median(np.abs(noisy_fhat / td.fhat - 1))
        self._res = res
        return self

    @computed_property
    def results(self) -> dict:
        """Arrays: ``t``, ``f_true``, ``pred[cond][method]``, ``errors[cond][method][metric]``."""
        return self._res

    def summary(self) -> dict[str, float]:
        """Mean of every metric over the functions: ``{"COND/METHOD/METRIC": value}``, e.g. ``"clean/nnls/mse"``."""
        return flat_summary(self._means())

    def _means(self) -> dict:
        e = self.results["errors"]
        return {c: {m: {k: float(np.mean(v[k])) for k in METRICS} for m, v in e[c].items()} for c in e}

    def table(self) -> str:
        """The summary as a text table."""
        lines = [(f"# {self.n_functions} held-out exponential sums (seed {self.seed}); noisy: "
                  f"+{self.noise:g} Gaussian noise, cut below {self.threshold:g}, exponential tail "
                  f"to {self.floor:g}, Filon"),
                 "# means over the functions; mse/logmse as eqs. 4.42/4.43 (eps 1e-12)",
                 f"{'input':8s} {'method':14s} " + " ".join(f"{k:>11s}" for k in METRICS)]
        for cond, per in self._means().items():
            for m, vals in per.items():
                lines.append(f"{cond:8s} {m:14s} " + " ".join(f"{vals[k]:11.3e}" for k in METRICS))
        return "\n".join(lines) + "\n"

    def write(self, folder: str | os.PathLike = "laplace") -> list[Path]:
        """``FOLDER/report.txt``, ``FOLDER/examples.png`` and ``FOLDER/errors.png`` (the folder is created)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = [folder / "report.txt", folder / "examples.png", folder / "errors.png"]
        files[0].write_text(self.table())
        for plot, path in ((self._plot_examples, files[1]), (self._plot_errors, files[2])):
            fig = plot()
            fig.tight_layout()
            fig.savefig(path, dpi=110)
        return files

    def _plot_examples(self):
        """Three functions: f(t) from the clean input; |ln(f + eps) - ln(f_true + eps)|
        from the clean input (the pointwise error of the logMSE, eq. 4.43: where
        the tails go wrong); f(t) from the noisy input.
        """
        res = self.results
        n_ex = min(3, self.n_functions)
        rows = (("clean", "f"), ("clean", "dlog"), ("noisy", "f"))
        fig, axes = subplots(len(rows), n_ex, figsize=(4 * n_ex, 9.5), squeeze=False)
        eps = 1e-12
        for j in range(n_ex):
            f_true = res["f_true"][j]
            for i, (cond, kind) in enumerate(rows):
                ax = axes[i, j]
                if kind == "f":
                    ax.plot(res["t"], f_true, "k-", lw=2, label="true")
                if cond == "noisy":
                    ax.plot(res["t"], res["f_noisy"][j], ",", color="0.5", label="noisy input")
                for k, (m, p) in enumerate(res["pred"][cond].items()):
                    y = p[j] if kind == "f" else np.abs(np.log(np.clip(p[j], 0, None) + eps)
                                                       - np.log(np.clip(f_true, 0, None) + eps))
                    ax.plot(res["t"], y, "--" if kind == "f" else "-", color=f"C{k}", lw=1,
                            label=METHOD_LABELS.get(m, m))
                ax.set_xscale("log")
                ax.set_xlabel("t")
                if kind == "dlog":
                    ax.set_yscale("log")
                    ax.set_ylim(1e-6, 1e2)
                    ax.set_ylabel("|Δ ln f|")
                    ax.set_title(f"{cond} input, function {j}: log error", fontsize="small")
                else:
                    ax.set_ylim(-0.1, 1.2)
                    ax.set_ylabel("f(t)")
                    ax.set_title(f"{cond} input, function {j}", fontsize="small")
        axes[0, 0].legend(fontsize="x-small")
        return fig

    def _plot_errors(self):
        """Box plots of the per-function RMS error and logMSE of every method and input."""
        res = self.results
        fig, axes = subplots(1, 2, figsize=(10, 4.2))
        for ax, key in zip(axes, ("rms", "logmse")):
            labels, data = [], []
            for cond in self.conditions:
                for m, e in res["errors"][cond].items():
                    labels.append(f"{METHOD_LABELS.get(m, m)}, {cond}")
                    data.append(np.maximum(e[key], 1e-16))
            ax.boxplot(data, showmeans=True)
            ax.set_xticks(range(1, len(labels) + 1), labels, fontsize="x-small", rotation=40, ha="right")
            ax.set_yscale("log")
            ax.set_ylabel(f"{key} per function")
            ax.plot([], [], "^", color="C2", label="mean")
        # Table 4.1 reports a mean over its validation set: compare with the triangles
        axes[1].axhline(TABLE_4_1_LOGMSE, color="k", ls=":", lw=1, label="Table 4.1 (mean, 2x1024)")
        for ax in axes:
            ax.legend(fontsize="x-small")
        return fig
