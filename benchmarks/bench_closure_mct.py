"""Hard-disk MCT data for the learned closures: slowdyn's shared-kernel models
(slowdyn.analysis.mct.hard_disks.HardDisks2D) against mctpy's own 2D models, same grid,
same packing fractions, in one run; prints the wall time per state of each and
the ratio, and the largest difference of the tagged correlators.

mctpy's models compile their kernel and the block solver again for every
packing fraction; the shared kernel compiles once per process. The first state
of each route includes that compilation; the ratio is taken over the later
states.

    python benchmarks/bench_closure_mct.py [--n-q 60] [--packings 0.60 0.64 0.66]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-q", type=int, default=60)
    ap.add_argument("--packings", type=float, nargs="+", default=[0.60, 0.64, 0.66])
    args = ap.parse_args()

    import mctpy as mct

    from slowdyn.analysis.mct.closures.data import solve_hard_disks
    from slowdyn.analysis.mct.hard_disks import HardDiskGrid

    grid = HardDiskGrid(n_q=args.n_q)
    ours, theirs, diff = [], [], []
    for p in args.packings:
        t0 = time.perf_counter()
        a = solve_hard_disks(p, grid)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sq = mct.structurefactors.hssFMT2d(p)
        model = mct.simple_liquid_model_2d(sq, grid.q)
        kw = dict(store=True, h=grid.h, blocksize=grid.blocksize, blocks=grid.blocks, motion_type="brownian")
        c = mct.correlator(model=model, **kw)
        s = mct.correlator(model=mct.tagged_particle_model_2d(model, cs=sq), base=c, blocksize=grid.blocksize,
                           store=True, motion_type="brownian")
        mct.CorrelatorStack([c, s]).solve_all(stop_on_zero=True)
        theirs.append(time.perf_counter() - t0)
        n = len(a["t"])
        t = np.asarray(s.t)
        keep = np.zeros(len(t), dtype=bool)
        stop = 1 + int(np.flatnonzero(t > 0)[-1])
        keep[1:stop] = np.diff(t[:stop]) > 0
        diff.append(float(np.max(np.abs(np.asarray(s.phi)[keep][:n] - a["sisf"]))))
        print(f"phi = {p:g}: shared kernel {ours[-1]:.2f} s, mctpy models {theirs[-1]:.2f} s, "
              f"max |F_s difference| {diff[-1]:.1e}", flush=True)
    if len(ours) > 1:
        print(f"per state after the first: shared kernel {np.mean(ours[1:]):.2f} s, mctpy models "
              f"{np.mean(theirs[1:]):.2f} s, ratio {np.mean(theirs[1:]) / np.mean(ours[1:]):.1f}")


if __name__ == "__main__":
    main()
