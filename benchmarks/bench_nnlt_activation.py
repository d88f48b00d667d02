"""Hidden activation of the NNLT: tanh (the thesis) against GELU and others.

Trains the thesis network (2 x 1024, sigmoid output, loss MSE + W_log logMSE,
AdamW, batch 128, exponential learning-rate decay) from the same random start,
on the same pairs and batches, once per activation, and prints the validation
MSE and logMSE on held-out pairs, the wall time, and the ratios to tanh. The
loop is the one of ``NNLTTrainer.run`` without checkpoints, so that several
short runs fit in a few minutes; the pairs are those of the thesis
distribution (``TrainingData`` defaults).

    python benchmarks/bench_nnlt_activation.py [--epochs 15] [--decay 0.85]
        [--pairs 20000] [--val 3000] [--activations tanh gelu silu elu]

Measured (README, "Why GELU"): defaults with ``--activations tanh gelu``
(one thread): GELU 2.5x lower validation MSE than tanh; the same loop with 2
threads also gave SiLU 2.5x and ELU 2.0x; ``--epochs 40 --decay 0.93
--activations tanh gelu``: GELU 3.9x lower.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from slowdyn.analysis.nnlt import build_network, nnlt_loss
from slowdyn.analysis.nnlt_data import NNLTGrids, TrainingData, encode_polar

ABS_CLIP = (1e-10, 1e12)   # the shipped configs' abs_clip and std_floor
STD_FLOOR = 0.1


def pairs(n: int, seed: int, grids: NNLTGrids) -> tuple[torch.Tensor, torch.Tensor]:
    """Encoded inputs and targets of ``n`` pairs of the thesis distribution."""
    td = TrainingData(n, grids=grids, seed=seed).compute()
    x = encode_polar(td.fhat, ABS_CLIP)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(np.clip(td.f, 0, 1), dtype=torch.float32)


def train(activation: str, x, y, xv, yv, epochs: int, lr: float, decay: float, w_log: float) -> tuple[float, float]:
    """Validation (MSE, logMSE) after ``epochs`` epochs from seed-0 weights."""
    torch.manual_seed(0)
    net = build_network(x.shape[1], y.shape[1], [1024, 1024], activation, "sigmoid")
    net[0].mean.copy_(x.mean(0))
    net[0].std.copy_(torch.clamp(x.std(0), min=STD_FLOOR))
    med = torch.clamp(y.median(0).values, 1e-9, 1 - 1e-7)
    with torch.no_grad():
        net[-2].bias.copy_(torch.log(med / (1 - med)))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, decay)
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(epoch))
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            loss = nnlt_loss(net(x[idx]), y[idx], 1.0, w_log)[0]
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sched.step()
    with torch.no_grad():
        _, mse, logmse = nnlt_loss(net(xv), yv, 1.0, w_log)
    return float(mse), float(logmse)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--decay", type=float, default=0.85, help="learning rate factor per epoch")
    p.add_argument("--w-log", type=float, default=0.01)
    p.add_argument("--pairs", type=int, default=20000)
    p.add_argument("--val", type=int, default=3000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--activations", nargs="+", default=["tanh", "gelu", "silu", "elu"])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    grids = NNLTGrids()
    x, y = pairs(a.pairs, 11, grids)
    xv, yv = pairs(a.val, 12, grids)
    rows = []
    for act in a.activations:
        t0 = time.perf_counter()
        mse, logmse = train(act, x, y, xv, yv, a.epochs, a.lr, a.decay, a.w_log)
        rows.append((act, mse, logmse, time.perf_counter() - t0))
        print(f"{act:6s} MSE {mse:.3g}  logMSE {logmse:.3g}  {rows[-1][3]:.0f} s", flush=True)
    ref = {r[0]: r for r in rows}.get("tanh")
    if ref:
        print(f"\nratios to tanh ({a.pairs} pairs, {a.epochs} epochs, lr {a.lr:g} x {a.decay:g}/epoch):")
        for act, mse, logmse, wall in rows:
            print(f"{act:6s} MSE {ref[1] / mse:.2f}x lower  logMSE {ref[2] / logmse:.2f}x lower  time {wall / ref[3]:.2f}x")


if __name__ == "__main__":
    main()
