"""CPU seconds per (state, q) of the memory-kernel pipeline: the previous default against the new one.

One noisy SISF of the families of ``bench_memory_noisy.py`` (default: ``str_b0.6``,
m = 20 exp(-(t/3)^0.6), q = 6, the case of the measurements that motivated the change;
N log times 1e-5 ... 1e3, white noise, D0 = 1) goes, in one run, through

- ``previous``: ``KernelSet(1.0, "nnlt_tails", m0="iterative")``, i.e. ``slowdyn kernels
  compute --method nnlt_tails --m0 iterative`` with the CLI's default m0 search
  (span 8, 13 scan points, 8 Brent steps; the NNLT is loaded before the clock starts),
- ``new``: ``KernelSet(1.0)``, the defaults of ``slowdyn kernels compute`` (``spectral``,
  m0 ``auto``, a bootstrap band of 20 refits),
- ``new, no band``: ``KernelSet(1.0, bootstrap=0)``.

The time is ``time.process_time`` (CPU seconds of this process) with one BLAS/OpenMP
thread (the variables are set before numpy is imported); the kernel median error
(where m > 5 % m0 and t > 3 tau0), the m0 error and the RMSE of the reconstruction in
units of the noise are printed next to it.

Usage::

    nice python benchmarks/bench_memory_speed.py [--case str_b0.6] [--n 300] [--noise 1e-3] [--seed 0]
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memory_noisy import CASES, make_sisf  # noqa: E402


def run(name: str, make, data: dict, q: float, t, m_true, m0_true: float, tau0: float, sigma: float) -> dict:
    """Time ``make().compute(data)`` and score its kernel."""
    ks = make()
    t0 = time.process_time()
    ks.compute(data)
    sec = time.process_time() - t0
    tk, m = ks.kernel(q)
    mt = m_true(tk)
    region = (mt > 0.05 * m0_true) & (tk > 3 * tau0) & (tk <= t[-1])
    med = float(np.median(np.abs(m[region] - mt[region]) / mt[region]))
    return {"route": name, "cpu_s": sec, "m0": float(ks.m0()[0]), "m0_err": abs(float(ks.m0()[0]) / m0_true - 1),
            "kern_med": med, "rmse_noise": float(ks.rmse()[0]) / sigma, "warning": ks.rows[0]["warning"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="str_b0.6", choices=[c[0] for c in CASES])
    ap.add_argument("--n", type=int, default=300, help="number of log-spaced points")
    ap.add_argument("--noise", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-previous", action="store_true", help="time only the new default (minutes saved)")
    args = ap.parse_args()

    from slowdyn.analysis.memory import KernelSet
    from slowdyn.analysis.nnlt import pretrained

    icase, case = next((k, c) for k, c in enumerate(CASES) if c[0] == args.case)
    q = case[1]
    t, F_exact, m_true, tau0 = make_sisf(case, args.n)
    m0_true = float(m_true(np.zeros(1))[0])
    F = F_exact + args.noise * np.random.default_rng([args.seed, args.n, icase]).normal(size=t.size)
    data = {q: (t, F)}
    model = pretrained()
    routes = [("new (spectral, band of 20)", lambda: KernelSet(1.0)),
              ("new, no band", lambda: KernelSet(1.0, bootstrap=0))]
    if not args.skip_previous:
        routes.append(("previous (nnlt_tails, iterative m0)",
                       lambda: KernelSet(1.0, "nnlt_tails", m0="iterative", model=model)))
    rows = [run(name, make, data, q, t, m_true, m0_true, tau0, args.noise) for name, make in routes]
    print(f"case {args.case}: q = {q:g}, N = {args.n}, noise {args.noise:g}, seed {args.seed}, one thread")
    print("| route | CPU s per (state, q) | m0 (true %.4g) | m0 err | kernel median err | RMSE/noise | warning |"
          % m0_true)
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['route']} | {r['cpu_s']:.2f} | {r['m0']:.4g} | {r['m0_err']:.3f} | {r['kern_med']:.3f} "
              f"| {r['rmse_noise']:.2f} | {r['warning']} |")
    if not args.skip_previous:
        print(f"previous / new: {rows[2]['cpu_s'] / rows[0]['cpu_s']:.0f}x (with band), "
              f"{rows[2]['cpu_s'] / rows[1]['cpu_s']:.0f}x (no band)")


if __name__ == "__main__":
    main()
