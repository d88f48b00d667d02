"""``slowdyn pack``: an overlap-free hard-disk/sphere configuration as a LAMMPS data file.

Grows N particles from random points to the packing fraction PHI with
event-driven Brownian dynamics (``fix edbd ... grow``), see
:func:`slowdyn.runs.packing.pack`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, required=True, help="number of particles")
    parser.add_argument("--phi", type=float, required=True, help="target packing fraction")
    parser.add_argument("--dim", type=int, default=2, choices=(2, 3), help="dimension (default 2)")
    parser.add_argument("--poly", type=float, default=0.1,
                        help="diameters uniform in mean*(1 +- POLY), mean 1 (default 0.1)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--growth-time", type=float, default=None,
                        help="Brownian time of the growth (default: longer for denser targets)")
    parser.add_argument("--out", type=Path, required=True, help="LAMMPS data file to write")


def main(args: argparse.Namespace) -> int:
    from slowdyn.runs.packing import pack

    result = pack(args.n, args.phi, dim=args.dim, poly=args.poly, seed=args.seed,
                  growth_time=args.growth_time, out=args.out)
    d = result.diameters
    print(f"{args.out}: {len(d)} particles, dim {result.dim}, phi {result.phi:.6f}, "
          f"diameters {d.min():.4f}..{d.max():.4f} (mean {d.mean():.4f}, std {d.std():.4f}), "
          f"box {result.box[0]:.6g}")
    return 0
