"""Memory kernels of the fix edbd ensembles as their averaged SISFs appear, MCT
hard-disk solutions (Table 4.3's packing fractions) in the gaps; one process, so
numba compiles the time-domain solver once.

    python scripts/memory_validation/kernels_queue.py SIMDIR MCTCACHE PHI [PHI ...]

Per phi: the tail noise of SISFDIR/sisf_phi<PHI>.sisf (RMS of F_s after its
first sign change, median over q), cut = max(3 noise, 3e-3), the q whose F_s
falls below the cut, then
``slowdyn kernels compute ... --m0 scaling --m0-search 3 5 3 --scaling-evals 8 --cut CUT --noise NOISE
--out SIMDIR/kernels_phi<PHI>`` (the folder of kernels.txt, m0.txt, sisf.txt).
"""

import sys
import time
from pathlib import Path

import numpy as np

from slowdyn.analysis.io.sisf import load_sisf
from slowdyn.analysis.mct.hard_disks import mct_solution
from slowdyn.analysis.validation.kernels import TABLE_4_3
from slowdyn.analysis.validation.simulation_kernels import tail_noise
from slowdyn.cli import main

simdir, cache = Path(sys.argv[1]), Path(sys.argv[2])
pending = list(sys.argv[3:])
mct_todo = sorted(TABLE_4_3)
log = open(simdir / "kernels_queue.log", "a")


def say(msg):
    print(time.strftime("%H:%M:%S"), msg, file=log, flush=True)


while pending:
    ready = [p for p in pending if (simdir / f"sisf_phi{p}.sisf").exists()]
    if not ready:
        if mct_todo:
            p = mct_todo.pop(0)
            t0 = time.time()
            sol = mct_solution(p, cache_dir=cache)
            say(f"MCT phi {p}: {time.time() - t0:.0f} s, t_end {sol['t'][-1]:.3g}, {sol['t'].size} points")
        else:
            time.sleep(20)
        continue
    p = ready[0]
    pending.remove(p)
    path = simdir / f"sisf_phi{p}.sisf"
    data = load_sisf(path)
    noise = float(np.nanmedian([tail_noise(F) for _, F in data.values()]))
    cut = max(3 * noise, 3e-3)
    qs = [q for q, (_, F) in sorted(data.items()) if np.any(F < cut)]
    say(f"phi {p}: noise {noise:.2e} cut {cut:.2e} q {qs} (left out: "
        f"{[q for q in data if q not in qs]})")
    t0 = time.time()
    main(["kernels", "compute", str(path), "--D0", "1", "--method", "nnlt_tails", "--m0", "scaling",
          "--cut", f"{cut:.3g}", "--noise", f"{noise:.3g}", "--q", *[f"{q:g}" for q in qs],
          "--m0-search", "3", "5", "3", "--scaling-evals", "8",
          "--out", str(simdir / f"kernels_phi{p}"), "--quiet"])
    say(f"phi {p}: kernels {time.time() - t0:.0f} s")
while mct_todo:
    p = mct_todo.pop(0)
    t0 = time.time()
    sol = mct_solution(p, cache_dir=cache)
    say(f"MCT phi {p}: {time.time() - t0:.0f} s, t_end {sol['t'][-1]:.3g}, {sol['t'].size} points")
say("done")
