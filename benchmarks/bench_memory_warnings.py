"""How often the warnings of ``slowdyn kernels`` fire on correct noisy Brownian SISFs.

The families of ``bench_memory_noisy.py`` (seven completely monotone kernels, N = 300 log
times 1e-5 ... 1e3, white noise 1e-3 and 3e-3, seeds 0, 1, 2; a different realisation per
case) go through ``KernelSet(1.0, bootstrap=0)`` (the defaults of ``slowdyn kernels
compute`` without the band, which does not change the warnings). Printed per SISF: the
warning codes, m0, the second m0 estimate ``m0_at(0.3)``, the true m0 and the RMSE in
units of the model-free noise; then the counts.

Usage::

    nice python benchmarks/bench_memory_warnings.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memory_noisy import CASES, make_sisf  # noqa: E402


def main() -> None:
    from slowdyn.analysis.memory import KernelSet

    codes = []
    print("case noise seed warning m0 m0_check m0_true rmse/noise")
    for icase, case in enumerate(CASES):
        t, F0, m_true, _ = make_sisf(case, 300)
        m0_true = float(m_true(np.zeros(1))[0])
        for sigma in (1e-3, 3e-3):
            for seed in (0, 1, 2):
                F = F0 + sigma * np.random.default_rng([seed, 300, icase]).normal(size=t.size)
                r = KernelSet(1.0, bootstrap=0).compute({case[1]: (t, F)}).rows[0]
                codes.append(r["warning"])
                print(f"{case[0]} {sigma:g} {seed} {r['warning']} {r['m0']:.4g} {r['m0_check']:.4g} {m0_true:g} "
                      f"{r['rmse'] / r['noise']:.2f}", flush=True)
    print(f"no warning: {sum(c == '-' for c in codes)} of {len(codes)}; rmse: {sum('rmse' in c for c in codes)}; "
          f"m0: {sum('m0' in c.split(',') for c in codes)}")


if __name__ == "__main__":
    main()
