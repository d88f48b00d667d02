"""Hidden activation of the NNLT: tanh (the thesis) against GELU and others.

Trains the shipped model's network (its config: 2 x 1024, sigmoid output,
loss MSE + 0.01 logMSE, AdamW, batch 128, exponential learning-rate decay)
with ``NNLTTrainer``, once per activation, from the same random start on the
same pairs and batches of the thesis distribution, for a short run, and prints
the validation MSE and logMSE, the wall time (data included), and the ratios
to tanh.

    python benchmarks/bench_nnlt_activation.py [--epochs 15] [--decay 0.85]
        [--pairs 20000] [--val 3000] [--activations tanh gelu silu elu]

Measured (doc/nnlt.md, "Why GELU, W_log = 0.01 and 250 000 pairs"),
``--activations tanh gelu``, 2 threads:
validation MSE 3.5e-4 (tanh) and 1.0e-4 (GELU), 3.4x lower; logMSE 0.38
and 0.35; GELU 1.2x the time.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from slowdyn.analysis.nnlt import NNLTConfig, NNLTTrainer, pretrained_config


def short_run(activation: str, a: argparse.Namespace, out_dir: str) -> dict:
    """Last-epoch history of a short run of the shipped config with ``activation``."""
    cfg = NNLTConfig.from_yaml(pretrained_config()).to_dict()
    cfg.update(activation=activation, init=None, extra_data=[], epochs=a.epochs, lr=a.lr, lr_decay=a.decay,
               data={**cfg["data"], "n_samples": a.pairs + a.val, "seed": 11},
               val_fraction=a.val / (a.pairs + a.val), num_threads=a.threads, out_dir=out_dir)
    hist = NNLTTrainer(NNLTConfig.from_dict(cfg), resume=False, progress=False).run().history
    return {k: v[-1] for k, v in hist.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--decay", type=float, default=0.85, help="learning rate factor per epoch")
    p.add_argument("--pairs", type=int, default=20000, help="training pairs")
    p.add_argument("--val", type=int, default=3000, help="held-out pairs")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--activations", nargs="+", default=["tanh", "gelu", "silu", "elu"])
    a = p.parse_args()
    rows = []
    for act in a.activations:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            last = short_run(act, a, tmp)
        rows.append((act, last["val_mse"], last["val_logmse"], time.perf_counter() - t0))
        print(f"{act:6s} MSE {rows[-1][1]:.3g}  logMSE {rows[-1][2]:.3g}  {rows[-1][3]:.0f} s", flush=True)
    ref = {r[0]: r for r in rows}.get("tanh")
    if ref:
        print(f"\nratios to tanh ({a.pairs} pairs, {a.epochs} epochs, lr {a.lr:g} x {a.decay:g}/epoch):")
        for act, mse, logmse, wall in rows:
            print(f"{act:6s} MSE {ref[1] / mse:.2f}x lower  logMSE {ref[2] / logmse:.2f}x lower  time {wall / ref[3]:.2f}x")


if __name__ == "__main__":
    main()
