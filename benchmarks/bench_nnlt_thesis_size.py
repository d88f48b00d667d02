"""The NNLT at the thesis' size: 45 000 + 5 000 pairs, two readings of §4.2.2.

Trains the shipped model's network (its config: 2 x 1024 GELU, sigmoid output,
AdamW, batch 128) from scratch with ``NNLTTrainer`` on 50 000 pairs (10 %
held out), the number of §4.2.4, for each relaxation-time distribution and
each logMSE weight asked for, and prints the last epoch's validation MSE and
logMSE next to Table 4.1's (8.4e-6 and 5.6e-5 for 2 x 1024):

* ``log``: our reading, ``log10 tau ~ N(log10 m_i, sigma_i)``, sigma_i in
  [0.1, 2] decades (the shipped model's distribution);
* ``linear``: the literal reading of "widths in the order of m_i",
  ``tau ~ |N(m_i, sigma_i m_i)|`` with sigma_i in [0.1, 1].

``--w-log 1`` is the thesis' loss as Table 4.1's sums imply
(L = MSE + logMSE); 0.01 is the shipped one.

    python benchmarks/bench_nnlt_thesis_size.py [--distributions log linear]
        [--w-log 1 0.01] [--epochs 100] [--lr 1e-3] [--decay 0.955]

Measured (doc/nnlt.md, "Tried and not adopted: the logMSE of Table 4.1"),
defaults, 2 threads, 58 min:
validation MSE / logMSE 8.9e-5 / 0.094 (log, W_log = 1), 1.7e-5 / 0.094
(log, 0.01), 1.3e-5 / 0.015 (linear, 1), 2.2e-6 / 0.015 (linear, 0.01):
Table 4.1's MSE is met on the literal reading, its logMSE by no run (270x).
"""

from __future__ import annotations

import argparse
import tempfile
import time

from slowdyn.analysis.nnlt import NNLTConfig, NNLTTrainer, pretrained_config

TABLE_4_1 = {"val_mse": 8.444e-6, "val_logmse": 5.590e-5}
WIDTHS = {"log": [0.1, 2.0], "linear": [0.1, 1.0]}


def thesis_size_run(scale: str, w_log: float, a: argparse.Namespace, out_dir: str) -> dict:
    """Last-epoch history of a from-scratch run on 50 000 pairs of one distribution."""
    cfg = NNLTConfig.from_yaml(pretrained_config()).to_dict()
    data = {**cfg["data"], "n_samples": a.pairs, "seed": a.seed, "tau_scale": scale, "widths": WIDTHS[scale]}
    cfg.update(init=None, extra_data=[], data=data, epochs=a.epochs, lr=a.lr, lr_decay=a.decay, w_log=w_log,
               val_fraction=0.1, num_threads=a.threads, out_dir=out_dir)
    hist = NNLTTrainer(NNLTConfig.from_dict(cfg), resume=False, progress=False).run().history
    return {k: v[-1] for k, v in hist.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--distributions", nargs="+", choices=sorted(WIDTHS), default=["log", "linear"])
    p.add_argument("--w-log", nargs="+", type=float, default=[1.0, 0.01])
    p.add_argument("--pairs", type=int, default=50000, help="pairs, 10 %% of them held out")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--decay", type=float, default=0.955, help="learning rate factor per epoch")
    p.add_argument("--seed", type=int, default=21, help="data seed")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    print(f"{'distribution':12s} {'W_log':>6s} {'val MSE':>9s} {'val logMSE':>10s} {'train loss':>10s}  "
          "x Table 4.1 (MSE, logMSE)  wall", flush=True)
    for scale in a.distributions:
        for w_log in a.w_log:
            t0 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                last = thesis_size_run(scale, w_log, a, tmp)
            mse, logmse = last["val_mse"], last["val_logmse"]
            print(f"{scale:12s} {w_log:6g} {mse:9.3g} {logmse:10.3g} {last['train_loss']:10.3g}  "
                  f"{mse / TABLE_4_1['val_mse']:8.2f}x {logmse / TABLE_4_1['val_logmse']:8.0f}x        "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
