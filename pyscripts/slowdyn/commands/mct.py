"""``slowdyn mct {sisf,critical}``: hard-disk mode-coupling theory (2D hard
disks, FMT structure factor, Brownian dynamics; Granz 2026, §4.1.3).

``sisf --packings PHI ... --out OUT`` writes the tagged-particle MCT SISFs at
q = 2..10 of each packing fraction as ``OUT/phi<PHI>_sisf.dat`` in the
``fix sisf/msd`` format (inputs of ``slowdyn kernels compute`` and
``slowdyn kernels map``, whose kernels are then known).
``critical`` bisects the glass transition, the packing fraction above which
the collective non-ergodicity parameter is non-zero (max f(q) > 1e-6), on the
wave-number grid dq (k + 1/4), k < n_q, and prints it.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = sub.add_parser("sisf", help="hard-disk MCT SISFs at q = 2..10 as fix sisf/msd-format files "
                       "(inputs of slowdyn kernels)")
    p.add_argument("--packings", type=float, nargs="+", required=True, help="packing fractions")
    p.add_argument("--out", type=Path, required=True, help="output folder: one phi<PHI>_sisf.dat per packing "
                   "fraction")

    p = sub.add_parser("critical", help="critical packing fraction phi_c of the hard-disk MCT on a q grid "
                       "(bisection of the non-ergodicity parameter)")
    p.add_argument("--dq", type=float, default=0.4, help="spacing of the grid dq (k + 1/4)")
    p.add_argument("--n-q", type=int, default=64, help="points of the grid (dq 0.4, 64 points: q < 25.4, the "
                   "grid of slowdyn kernels validate)")
    p.add_argument("--low", type=float, default=0.68, help="a liquid packing fraction (start of the bracket)")
    p.add_argument("--high", type=float, default=0.70, help="an arrested packing fraction (end of the bracket)")
    p.add_argument("--tol", type=float, default=1e-4, help="width of the final bracket")


def _sisf(args) -> list[Path]:
    from slowdyn.analysis.mct.closures.data import write_mct_sisf

    files = []
    for p in args.packings:
        files.append(write_mct_sisf(p, args.out / f"phi{p:.4f}_sisf.dat"))
        if not args.quiet:
            print(files[-1], flush=True)
    return files


def _critical(args) -> None:
    import numpy as np

    from slowdyn.analysis.mct import HardDisks2D, critical_point, default_q_grid
    from slowdyn.cli import SlowdynError

    if not 0 < args.low < args.high < 0.9:
        raise SlowdynError(f"--low {args.low:g} --high {args.high:g}: need 0 < LOW < HIGH < 0.9")
    if not args.tol > 0:
        raise SlowdynError(f"--tol {args.tol:g}: must be > 0")
    grid = default_q_grid(args.n_q, args.dq)

    def f(phi: float) -> np.ndarray:
        return HardDisks2D(phi, grid).nonergodicity()

    if np.max(f(args.low)) > 1e-6:
        raise SlowdynError(f"--low {args.low:g} is already arrested on this grid: give a lower one")
    if not np.max(f(args.high)) > 1e-6:
        raise SlowdynError(f"--high {args.high:g} is still liquid on this grid: give a higher one")
    phi_c = critical_point(f, args.low, args.high, tol=args.tol)
    print(f"# hard-disk MCT (FMT S(q)), grid dq (k + 1/4), k < n_q; bisection of max f(q) > 1e-6 to {args.tol:g}")
    print("# dq n_q q_max phi_c")
    print(f"{args.dq:g} {args.n_q} {grid[-1]:.2f} {phi_c:.5f}")


def main(args: argparse.Namespace) -> int:
    if args.action == "sisf":
        _sisf(args)
    else:
        _critical(args)
    return 0
