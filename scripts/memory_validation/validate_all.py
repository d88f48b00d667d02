"""Table 4.3's 18 packing fractions, one KernelValidation per phi, merged and written
after each (so that an interrupted run keeps what it finished).

    python scripts/memory_validation/validate_all.py MCTCACHE OUTPREFIX

q = 2.1, 6.5, 10.1; every method with MCT's m0; iterative and q-scaling m0 for
nnlt_tails and nnls with a 5-point scan over [g/3, 3g], 3 Brent steps and 8
Nelder-Mead evaluations. Order: an already cached MCT solution first, otherwise the
next of FIRST (the MCT packing fractions the simulation mapping needs), then the densest left.
"""

import sys
import time
from pathlib import Path

from slowdyn.analysis.nnlt.model import pretrained
from slowdyn.analysis.validation.kernels import DEFAULT_Q, TABLE_4_3, KernelValidation

cache, prefix = Path(sys.argv[1]), sys.argv[2]
settings = dict(q=DEFAULT_Q, m0_methods=("nnlt_tails", "nnls"), cache_dir=cache, progress=False,
                iterative={"span": 3.0, "n_scan": 5, "refine": 3}, scaling_evals=8)
model = pretrained()
todo, parts = sorted(TABLE_4_3), []
FIRST = [0.48547, 0.62951, 0.12707, 0.33389, 0.55681, 0.66003, 0.24397, 0.41225, 0.59279, 0.64473]
while todo:
    cached = [p for p in todo if (cache / f"mct_disks_phi{p:.5f}_nq64_dq0.4_h1e-07_b40_soz.npz").exists()]
    first = [p for p in FIRST if p in todo]
    phi = cached[0] if cached else (first[0] if first else todo[-1])
    todo.remove(phi)
    t0 = time.time()
    parts.append(KernelValidation(packing=(phi,), model=model, **settings).compute())
    merged = KernelValidation.merge(sorted(parts, key=lambda v: v.packing[0]))
    Path(f"{prefix}_kernels.txt").write_text(merged.table())
    with open(f"{prefix}_progress.log", "a") as fh:
        fh.write(f"{time.strftime('%H:%M:%S')} phi {phi}: {time.time() - t0:.0f} s "
                 f"({'cached' if cached else 'new'} MCT); left: {todo}\n")
merged.plot().savefig(f"{prefix}_kernels.png", dpi=110)
merged.plot_m0().savefig(f"{prefix}_m0.png", dpi=110)
