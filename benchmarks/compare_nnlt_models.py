"""Accuracy of trained NNLTs side by side: synthetic pairs, single exponentials
and the mctpy correlators (hard disks at q = 6.5, F12).

For each model the network output (no refinement) is scored against the exact
function on the model's time grid: mean MSE and logMSE of fresh pairs of the
thesis distribution and of a fast-mode distribution (both modes at tau <= 10,
the pairs of ``configs/nnlt_2x1024_gelu_fast.yaml``), the RMS error for
exp(-t/tau), and for the Filon transforms of the hard-disk F_s and the F12
correlators of ``slowdyn nnlt disks`` and ``slowdyn nnlt f12``. The mctpy
solutions take ~6 min; ``--cache FILE.npz`` keeps them for the next call.

    python benchmarks/compare_nnlt_models.py pretrained DIR/model.pt [...] [--cache corr.npz]

Measured (doc/nnlt.md, "Tried and not adopted: fast decays"): the shipped model
against its fine-tuning on fast-mode pairs (``nnlt_2x1024_gelu_fast``) and
against the same three distributions trained from the start.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from slowdyn.analysis.filon import fourier_laplace
from slowdyn.analysis.laplace_f12 import F12_POINTS, f12_correlator
from slowdyn.analysis.laplace_hard_disks import PACKING_FRACTIONS, hard_disk_sisf
from slowdyn.analysis.laplace_report import error_metrics
from slowdyn.analysis.nnlt import NNLT, NNLTConfig, example_config, pretrained_path
from slowdyn.analysis.nnlt_data import TrainingData

TAUS = (1e-4, 1e-2, 1.0, 1e2, 1e4, 1e8)


def correlators(cache: str | None) -> dict:
    """``{label: (t, phi)}`` of the hard disks and the F12 points (from ``cache`` if it exists)."""
    if cache and os.path.exists(cache):
        z = np.load(cache)
        return {k[:-2]: (z[k], z[k[:-2] + "_f"]) for k in z.files if k.endswith("_t")}
    out = {f"disks phi={p}": hard_disk_sisf(p) for p in PACKING_FRACTIONS}
    for v1, v2 in F12_POINTS:
        out[f"F12 v1={v1:g} v2={v2:g}"] = f12_correlator(v1, v2)
    if cache:
        np.savez(cache, **{f"{k}_t": t for k, (t, _) in out.items()}, **{f"{k}_f": f for k, (_, f) in out.items()})
    return out


def scorecard(model: NNLT, pairs: dict, corr: dict) -> dict:
    """``{row: value}``: pair means (MSE, logMSE) and RMS errors of one model."""
    g = model.grids
    rows = {}
    for name, data in pairs.items():
        e = error_metrics(model(data.fhat), data.f)
        rows[f"{name} MSE"] = e["mse"].mean()
        rows[f"{name} logMSE"] = e["logmse"].mean()
    for tau in TAUS:
        exact = np.exp(-g.t / tau)
        rows[f"exp tau={tau:g} RMS"] = error_metrics(model(1 / (1j * g.omega + 1 / tau)), exact)["rms"]
    for label, (t, phi) in corr.items():
        pred = model(fourier_laplace(t, phi, g.omega))
        rows[f"{label} RMS"] = error_metrics(pred, np.interp(g.t, t, phi))["rms"]
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="+", help="model.pt files, or 'pretrained'")
    p.add_argument("--pairs", type=int, default=1000, help="fresh pairs per distribution")
    p.add_argument("--cache", help="npz file for the mctpy correlators")
    a = p.parse_args()
    paths = [str(pretrained_path()) if m == "pretrained" else m for m in a.models]
    models = [NNLT.load(m) for m in paths]
    grids = models[0].grids
    if any(m.grids != grids for m in models):
        raise SystemExit("compare_nnlt_models: the models must share their grids")
    fast = NNLTConfig.from_yaml(example_config("nnlt_2x1024_gelu_fast")).extra_data[-1]
    pairs = {"thesis pairs": TrainingData(a.pairs, grids, seed=12345).compute(),
             "fast-mode pairs": TrainingData(grids=grids, **{**fast, "n_samples": a.pairs, "seed": 12346}).compute()}
    corr = correlators(a.cache)
    cards = [scorecard(m, pairs, corr) for m in models]
    width = max(len(r) for r in cards[0])
    print(f"{'':{width}s}  " + "  ".join(f"model {i + 1:<4d}" for i in range(len(models))))
    for row in cards[0]:
        print(f"{row:{width}s}  " + "  ".join(f"{c[row]:10.3g}" for c in cards))
    for i, path in enumerate(paths):
        print(f"model {i + 1}: {path}")


if __name__ == "__main__":
    main()
