"""Table 4.4 and Table 4.5 for the fix edbd ensembles.

    [PARTS="nnlt map nnls"] python scripts/memory_validation/simulation_tables.py SIMDIR MCTCACHE PREFIX PHI [PHI ...]

nnlt_tails rows: from the `slowdyn kernels compute --m0 scaling` outputs SIMDIR/kernels_phi<PHI>/m0.txt
(scaling m0 and the individually best m0 of each q). nnls and Volterra rows: SimulationKernels
with the same cut, noise and q per phi (from SIMDIR/kernels_queue.log's choices, recomputed here the
same way). Mapping: F_s(q = 6.5) of each phi against MCT at those of Table 4.3's packing fractions
whose solution MCTCACHE holds (linear interpolation in between), polynomial of degree 2.
"""

import os
import sys
from pathlib import Path

import numpy as np

from slowdyn.analysis.io.kernels import read_m0
from slowdyn.analysis.io.sisf import load_sisf
from slowdyn.analysis.validation.kernels import TABLE_4_3
from slowdyn.analysis.validation.simulation_kernels import (TABLE_4_4, PackingFractionMap, SimulationKernels,
                                                            tail_noise)

simdir, cache, prefix = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
phis = sys.argv[4:]
parts = os.environ.get("PARTS", "nnlt map nnls").split()
files, cut, noise = {}, {}, {}
lines = ["# nnlt_tails (slowdyn kernels --m0 scaling): RMS over q of the reconstruction RMSE",
         f"{'phi':>6s} {'n_q':>3s} {'noise':>9s} {'cut':>9s} {'RMSE_scal':>10s} {'RMSE_best':>10s} {'T4.4 scal':>10s} "
         f"{'T4.4 best':>10s} {'a':>9s} {'b':>9s}"]
for p in phis:
    path = simdir / f"sisf_phi{p}.sisf"
    data = load_sisf(path)
    n = float(np.nanmedian([tail_noise(F) for _, F in data.values()]))
    c = max(3 * n, 3e-3)
    files[float(p)], cut[float(p)], noise[float(p)] = path, c, n
    if "nnlt" not in parts:
        continue
    m0file = simdir / f"kernels_phi{p}" / "m0.txt"    # slowdyn kernels compute --out SIMDIR/kernels_phi<PHI>
    tab = read_m0(m0file)
    a, b = tab["scaling"]["a"], tab["scaling"]["b"]
    ref = TABLE_4_4.get(round(float(p), 2), (np.nan, np.nan))
    rms = lambda v: float(np.sqrt(np.mean(np.square(v))))  # noqa: E731
    lines.append(f"{float(p):6.3f} {len(tab['q']):3d} {n:9.2e} {c:9.2e} {rms(tab['rmse']):10.3e} "
                 f"{rms(tab['rmse_iterative']):10.3e} "
                 f"{ref[0]:10.3e} {ref[1]:10.3e} {a:9.4g} {b:9.3g}")
if "nnlt" in parts:
    Path(f"{prefix}_nnlt_tails.txt").write_text("\n".join(lines) + "\n")
    sys.stdout.write("\n".join(lines) + "\n")

if "map" in parts:
    q65 = {float(p): load_sisf(files[float(p)], q=6.5)[6.5] for p in phis}
    # the MCT table: Table 4.3's packing fractions already solved (cached) by validate_all.py
    mct_phis = [p for p in sorted(TABLE_4_3)
                if (cache / f"mct_disks_phi{p:.5f}_nq64_dq0.4_h1e-07_b40_soz.npz").exists()]
    pm = PackingFractionMap(q65, mct_phis, mct={"cache_dir": cache}).compute()
    Path(f"{prefix}_mapping.txt").write_text(pm.table())
    pm.plot().savefig(f"{prefix}_mapping.png", dpi=110)
    sys.stdout.write(pm.table())

# nnls + Volterra on the q that decay below each phi's cut
if "nnls" in parts:
    sk = SimulationKernels(files, methods=("nnls",), cut=cut, noise=noise, progress=False,
                           iterative={"span": 3.0, "n_scan": 5, "refine": 3}, scaling_evals=8).compute()
    Path(f"{prefix}_nnls_volterra.txt").write_text(sk.table())
    sys.stdout.write(sk.table())
