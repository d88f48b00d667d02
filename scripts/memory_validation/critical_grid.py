"""MCT glass transition of the 2D hard disks (FMT S(q)) against the wave-number grid:
q_k = dq (k + 1/4), k < n_q, for several dq and cut-offs q_max = dq (n_q - 3/4).

    python scripts/memory_validation/critical_grid.py OUT.txt [DQ:NQ ...]     (default 0.4:64 0.2:128 0.4:100)
"""

import sys
import time

from slowdyn.analysis.mct import HardDiskGrid, HardDisks2D, critical_point

GRIDS = [(float(a), int(b)) for a, b in (g.split(":") for g in sys.argv[2:])] or [(0.4, 64), (0.2, 128), (0.4, 100)]
with open(sys.argv[1], "w") as fh:
    fh.write("# dq n_q q_max phi_c (bisection of max f > 1e-6 on [0.68, 0.70], tol 1e-4) seconds\n")
    for dq, n_q in GRIDS:
        t0 = time.time()
        grid = HardDiskGrid(dq=dq, offset=0.25, n_q=n_q)
        phi_c = critical_point(lambda p: HardDisks2D(p, grid).nonergodicity(), 0.68, 0.70, tol=1e-4)
        fh.write(f"{dq:g} {n_q} {grid.q[-1]:.2f} {phi_c:.5f} {time.time() - t0:.0f}\n")
        fh.flush()
