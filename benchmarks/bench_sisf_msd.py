"""Overhead of fix sisf/msd on a Kob-Andersen NVE run (N = 4000, rho = 1.2).

Runs the same NVE segment three ways from one equilibrated state and prints
the time per step and two ratios:
  fix / plain : cost of sampling fix sisf/msd every step (goal <= 1.15)
  dump / plain: cost of dumping id type xu yu zu every step instead (the
                offline analysis of that dump is not even counted)
Each variant runs REPEAT times, alternating, and the fastest run counts;
times are CPU times of the process (the machine may be shared).

    python benchmarks/bench_sisf_msd.py [--N 4000] [--steps 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import slowdyn

KA = [
    "units lj", "atom_style atomic", "boundary p p p",
    "variable L equal ({N}/1.2)^(1.0/3.0)",
    "region box block 0 ${{L}} 0 ${{L}} 0 ${{L}}", "create_box 2 box",
    "create_atoms 1 random {NA} 11 NULL overlap 0.5 maxtry 100",
    "create_atoms 2 random {NB} 12 NULL overlap 0.5 maxtry 100",
    "mass * 1.0",
    "pair_style lj/smooth/linear 2.5",
    "pair_coeff 1 1 1.0 1.0 2.5", "pair_coeff 1 2 1.5 0.8 2.0", "pair_coeff 2 2 0.5 0.88 2.2",
    "neighbor 0.3 bin", "neigh_modify every 1 delay 0 check yes",
    "min_modify dmax 0.1", "minimize 0 1e-6 2000 20000", "reset_timestep 0",
    "timestep 0.005", "velocity all create 0.8 5 dist gaussian",
    "fix nvt all nvt temp 0.8 0.8 0.5", "run 1000", "unfix nvt",
    "fix nve all nve", "thermo 0",
]


def timed_run(lmp, steps: int, setup: list[str], teardown: list[str]) -> float:
    lmp.commands_list(setup)
    # CPU time of this (single-rank) process: robust against time slicing on
    # a shared machine, unlike wall time
    t0 = time.process_time()
    lmp.command(f"run {steps}")
    dt = time.process_time() - t0
    lmp.commands_list(teardown)
    return dt / steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=4000)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--q", default="7.25")
    ap.add_argument("--fix-args", default="", help="extra fix sisf/msd keywords, e.g. 'nlen 8'")
    args = ap.parse_args()
    na = round(0.8 * args.N)
    lmp = slowdyn.lammps()
    lmp.commands_list([c.format(N=args.N, NA=na, NB=args.N - na) for c in KA])
    with tempfile.TemporaryDirectory() as tmp:
        sisf = Path(tmp) / "ka.sisf"
        dump = Path(tmp) / "ka.lammpstrj"
        variants = {
            "plain": ([], []),
            "fix": ([f"fix sm all sisf/msd 1 file {sisf} q {args.q} {args.fix_args}"], ["unfix sm"]),
            "dump": ([f"dump d all custom 1 {dump} id type xu yu zu",
                      "dump_modify d sort id format float %.17g"], ["undump d"]),
        }
        best = {k: float("inf") for k in variants}
        for _ in range(args.repeat):
            for name, (setup, teardown) in variants.items():
                best[name] = min(best[name], timed_run(lmp, args.steps, setup, teardown))
    lmp.close()
    n = args.N
    print(f"Kob-Andersen N = {n}, {args.steps} NVE steps, best of {args.repeat}; "
          f"fix sisf/msd 1 q {args.q} {args.fix_args}")
    for name, t in best.items():
        print(f"  {name:6s} {t * 1e3:8.3f} ms/step  {t / n * 1e6:7.3f} us/atom-step")
    print(f"fix sisf/msd every step / plain = {best['fix'] / best['plain']:.3f}  (goal <= 1.15)")
    print(f"dump every step         / plain = {best['dump'] / best['plain']:.3f}")


if __name__ == "__main__":
    main()
