"""Trial: MD with a trained kNN Deep Potential against pair_style voronoi.

Same start (random, NVT at T = 5, then NVT at T), then NVT at T with either
``pair_style voronoi 1000 3.5`` or ``pair_style knn/nnp MODEL RMAX``; prints
g(r) of both (LAMMPS ``compute rdf``, averaged over the production run), the
largest |g_nnp - g_ref| and the mean potential energy per atom, and writes
``OUT/gr.txt`` and ``OUT/gr.png``.

    python scripts/knn_nnp/knn_voronoi_md.py --model /tmp/knn_voronoi/k96_float32/model.knn --out /tmp/knn_md
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import slowdyn


def run(pair: str, n: int, temp: float, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray, float, float]:
    lmp = slowdyn.lammps(["-log", "none"])
    lmp.commands_string(f"""
units lj
atom_style atomic
variable L equal ({n}/1.0)^(1.0/3.0)
region box block 0 $L 0 $L 0 $L
create_box 1 box
create_atoms 1 random {n} {seed} NULL overlap 0.5 maxtry 200
mass * 1.0
pair_style voronoi 1000 3.5
pair_coeff * *
neighbor 0.3 bin
timestep 0.001
velocity all create 5.0 {seed + 1} loop geom
fix 1 all nvt temp 5.0 5.0 0.1
run 1000
unfix 1
fix 1 all nvt temp {temp} {temp} 0.1
run 2000
{pair}
reset_timestep 0
compute rdf all rdf 100 cutoff 2.5
fix gr all ave/time 10 {steps // 10} {steps} c_rdf[*] mode vector
thermo_style custom step pe
thermo_modify norm yes
run 0
""")
    t0 = time.process_time()
    pes = []
    for _ in range(10):
        lmp.command(f"run {steps // 10} pre no post no")
        pes.append(lmp.get_thermo("pe"))
    cpu = time.process_time() - t0
    r = np.array([lmp.extract_fix("gr", 0, 2, i, 0) for i in range(100)])
    g = np.array([lmp.extract_fix("gr", 0, 2, i, 1) for i in range(100)])
    lmp.close()
    return r, g, float(np.mean(pes)), cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--rmax", type=float, default=3.6)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--temp", type=float, default=2.0)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    r, g_ref, pe_ref, c_ref = run("pair_style voronoi 1000 3.5\npair_coeff * *", args.n, args.temp,
                                  args.steps, args.seed)
    _, g_nnp, pe_nnp, c_nnp = run(f"pair_style knn/nnp {args.model} {args.rmax}\npair_coeff * * V",
                                  args.n, args.temp, args.steps, args.seed)
    np.savetxt(args.out / "gr.txt", np.column_stack([r, g_ref, g_nnp]), header="r g_voronoi g_knn_nnp")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot()
    ax.plot(r, g_ref, label="pair voronoi")
    ax.plot(r, g_nnp, "--", label="pair knn/nnp")
    ax.set_xlabel("r")
    ax.set_ylabel("g(r)")
    ax.set_title(f"N = {args.n}, rho = 1, T = {args.temp}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "gr.png", dpi=120)
    print(f"T = {args.temp}, N = {args.n}, {args.steps} NVT steps each")  # noqa: T201
    print(f"max |g_knn - g_voronoi| = {np.abs(g_nnp - g_ref).max():.3f} (peak g = {g_ref.max():.3f})")  # noqa: T201
    print(f"<pe>/N: voronoi {pe_ref:.3f}, knn/nnp {pe_nnp:.3f}")  # noqa: T201
    print(f"CPU: voronoi {c_ref:.1f} s, knn/nnp {c_nnp:.1f} s")  # noqa: T201


if __name__ == "__main__":
    main()
