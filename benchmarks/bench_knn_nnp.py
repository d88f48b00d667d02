"""Speed of pair_style knn/nnp against the PyTorch-in-the-loop route and pair_style voronoi.

One process, one core, N = 500 one-component Voronoi liquid at rho = 1,
k = 128 and the thesis' network sizes (embedding 3 x 40, 16 axis neurons,
fitting 25-50-100; Granz 2026, sec. 3.3.2).  The model has random weights
(speed does not depend on them) with descriptor statistics taken from the
configuration.  Three routes on the same configuration:

1. ``pair_style knn/nnp`` (this plugin; embedding tables, and ``table no``);
2. the thesis' route: the same PyTorch model (float64, and float32) evaluated
   from Python every step (k-nearest neighbours with vesin, forces by
   autograd) and handed to LAMMPS through ``fix external``;
3. ``pair_style voronoi`` (the reference potential itself).

Prints microseconds (CPU time of this single-threaded process) per atom-step
of each and the ratios.

    python benchmarks/bench_knn_nnp.py
    python benchmarks/bench_knn_nnp.py --n 500 --k 128 --steps 50 --torch-steps 10

Goal: knn/nnp >= 10x faster than the PyTorch-in-the-loop route.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

import slowdyn

DECK = """
units           lj
atom_style      atomic
boundary        p p p
variable        L equal ({n}/1.0)^(1.0/3.0)
region          box block 0 $L 0 $L 0 $L
create_box      1 box
create_atoms    1 random {n} 101 NULL overlap 0.6 maxtry 200
mass            * 1.0
pair_style      voronoi 1000 3.5
pair_coeff      * *
neighbor        0.3 bin
velocity        all create 1.0 7 loop geom
fix             1 all nvt temp 1.0 1.0 0.1
timestep        0.001
thermo          0
run             {warm}
unfix           1
fix             1 all nve
"""


def cell_of(lmp) -> np.ndarray:
    lo, hi, xy, yz, xz = lmp.extract_box()[:5]
    lx, ly, lz = (h - l_ for h, l_ in zip(hi, lo))
    return np.array([[lx, 0, 0], [xy, ly, 0], [xz, yz, lz]], dtype=float)


def timed_run(lmp, steps: int) -> float:
    """CPU seconds of this process for ``steps`` steps (not wall time: the
    benchmark machine may be shared; everything runs on one thread)."""
    lmp.command("run 2")          # set-up (neighbour lists, tables) outside the timing
    t0 = time.process_time()
    lmp.command(f"run {steps}")
    return time.process_time() - t0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--k", type=int, default=128)
    ap.add_argument("--rmax", type=float, default=3.6)
    ap.add_argument("--steps", type=int, default=40, help="timed steps of knn/nnp")
    ap.add_argument("--torch-steps", type=int, default=8, help="timed steps of the PyTorch route")
    ap.add_argument("--voronoi-steps", type=int, default=400)
    ap.add_argument("--warm", type=int, default=300, help="untimed Voronoi steps from the random start")
    args = ap.parse_args(argv)

    import torch

    from slowdyn.nnp.knn.export import write_model
    from slowdyn.nnp.knn.model import build_model, energy_and_forces
    from slowdyn.nnp.knn.neighbors import knn_list

    torch.set_num_threads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    n, k, rmax = args.n, args.k, args.rmax
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lmp = slowdyn.lammps(["-log", "none"])
        lmp.commands_string(DECK.format(n=n, warm=args.warm))
        results["pair voronoi"] = timed_run(lmp, args.voronoi_steps) / (n * args.voronoi_steps) * 1e6
        lmp.command(f"write_data {tmp / 'start.data'}")
        x0 = lmp.numpy.extract_atom("x")[:n].copy()
        cell = cell_of(lmp)
        lmp.close()

        # model with statistics of this configuration
        nl = knn_list(x0, cell, k, rmax)
        model = build_model(["V"], k=k, rmax=rmax, seed=3)
        with torch.no_grad():
            model.avg.fill_(float(nl.distance.mean()))
            model.std_r.fill_(float(nl.distance.std()))
            model.std_a.fill_(float(np.sqrt((nl.distance ** 2).mean() / 3)))
            model.e_shift.fill_(132.0)
            model.e_scale.fill_(10.0)
        path = write_model(model, tmp / "bench.knn")

        def lammps_at_start():
            lmp = slowdyn.lammps(["-log", "none"])
            lmp.commands_string(f"""
units lj
atom_style atomic
boundary p p p
read_data {tmp / 'start.data'}
neighbor 0.3 bin
timestep 0.001
fix 1 all nve
thermo 0
""")
            return lmp

        for label, table in (("pair knn/nnp", "yes"), ("pair knn/nnp table no", "no")):
            lmp = lammps_at_start()
            lmp.commands_string(f"pair_style knn/nnp {path} {rmax} table {table}\npair_coeff * * V")
            steps = args.steps if table == "yes" else max(args.steps // 4, 4)
            results[label] = timed_run(lmp, steps) / (n * steps) * 1e6
            lmp.close()

        for dtype in ("float64", "float32"):
            net = model if dtype == "float64" else build_model(["V"], k=k, rmax=rmax, dtype="float32")
            if dtype == "float32":
                net.load_state_dict({key: v.float() for key, v in model.state_dict().items()})
            lmp = lammps_at_start()
            lmp.commands_string("pair_style zero 3.0\npair_coeff * *\nfix ext all external pf/callback 1 1")
            box = {"cell": cell_of(lmp)}

            def callback(caller, step, nlocal, tag, x, fext, net=net, lmp=lmp, box=box):
                e, f, _ = energy_and_forces(net, np.asarray(x[:nlocal], dtype=np.float64),
                                            np.zeros(nlocal, dtype=np.int64), box["cell"], rmax)
                fext[:nlocal] = f
                lmp.fix_external_set_energy_global("ext", e)

            lmp.set_fix_external_callback("ext", callback, None)
            results[f"PyTorch + fix external ({dtype})"] = (
                timed_run(lmp, args.torch_steps) / (n * args.torch_steps) * 1e6)
            lmp.close()

    ref = results["pair knn/nnp"]
    print(f"N = {n}, k = {k}, RMAX = {rmax}, embedding 3x40, 16 axis neurons, fitting 25-50-100, "
          f"one core (torch threads = {torch.get_num_threads()})")
    print(f"{'route':40s} {'us/atom-step':>14s} {'ratio to knn/nnp':>18s}")
    for name, us in results.items():
        print(f"{name:40s} {us:14.2f} {us / ref:18.2f}")
    t64 = results["PyTorch + fix external (float64)"]
    print(f"knn/nnp is {t64 / ref:.1f}x faster than the PyTorch-in-the-loop route (float64), "
          f"{results['PyTorch + fix external (float32)'] / ref:.1f}x (float32); goal >= 10x")


if __name__ == "__main__":
    main()
