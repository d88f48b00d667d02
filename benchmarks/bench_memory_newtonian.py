"""Newtonian memory kernels from noisy SISFs: the equation-error and the output-error route.

Kernels at q = 7, k_BT/m = 1 (Omega^2 = 49), the SISF of the Newtonian MZ equation
F'' + Omega^2 F + int m F' = 0 sampled on N log-spaced times 1e-3 ... 100, white Gaussian
noise added (several seeds); each route gets the noisy table, q and kT_m only:

- ``exp_osc``: m = 400 e^{-t/0.5} (closed form, analysis/memory/exact.py; F oscillates, frequency 21)
- ``exp_fast``: m = 150 e^{-t/0.05} (F dips to -0.09)
- ``exp_slow``: m = 100 e^{-t/2}
- ``two_step``: m = 300 e^{-t/0.02} + 30 e^{-t/3} (exact, :func:`solve_newtonian`)
- ``onset``: m = 300 (2 e^{-t/0.05} - e^{-t/0.025}) + 30 e^{-t/2}: m'(0) = 0 as for a smooth
  potential, *not* a positive sum of exponentials (outside the route's kernel family;
  F by ``scipy.integrate.solve_ivp``, DOP853, rtol 1e-11)

Measured: ``rmse/noise`` (reconstruction against the noisy data, all points, in units of the
true noise), ``noise_est`` (the route's noise estimate / true), ``kern_med``/``kern_max``
(relative kernel error where m > 5 % m0), ``m0_err``, ``sec``.

Routes (:class:`slowdyn.analysis.memory.newtonian.NewtonianKernel`): ``equation``
(``refine=0``: the non-negative least-squares fit of the twice-integrated equation, its
integrals over a smoothing spline of the data) and ``output`` (the default, ``refine=6``
Gauss-Newton steps on the reconstruction error).

Usage::

    nice python benchmarks/bench_memory_newtonian.py --seeds 0 1 2 --noise 1e-3 3e-3
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def cases(t):
    from scipy.integrate import solve_ivp

    from slowdyn.analysis.laplace.exponentials import ExponentialSum
    from slowdyn.analysis.memory.exact import NewtonianExponentialKernel
    from slowdyn.analysis.memory.newtonian import solve_newtonian

    w2 = 49.0
    out = {}
    for name, (A, tm) in {"exp_osc": (400.0, 0.5), "exp_fast": (150.0, 0.05), "exp_slow": (100.0, 2.0)}.items():
        ex = NewtonianExponentialKernel(A, tm, w2)
        out[name] = (ex.phi(t), ex.m)
    k2 = ExponentialSum([300.0, 30.0], [0.02, 3.0])
    out["two_step"] = (solve_newtonian(k2, w2, t), k2.f)
    b, theta = np.array([600.0, -300.0, 30.0]), np.array([0.05, 0.025, 2.0])

    def rhs(_, x):
        return np.concatenate([[x[1], -w2 * x[0] - np.sum(x[2:])], b * x[1] - x[2:] / theta])

    sol = solve_ivp(rhs, (0.0, t[-1]), [1.0, 0.0, 0.0, 0.0, 0.0], t_eval=t, method="DOP853", rtol=1e-11, atol=1e-13)
    out["onset"] = (sol.y[0], lambda s: (np.exp(-np.multiply.outer(s, 1.0 / theta)) @ b))
    return out


def main() -> None:
    from slowdyn.analysis.memory.newtonian import NewtonianKernel

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--noise", type=float, nargs="+", default=[1e-3, 3e-3])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--tmin", type=float, default=1e-3, help="first time of the log grid")
    ap.add_argument("--tmax", type=float, default=100.0, help="last time of the log grid")
    ap.add_argument("--routes", nargs="+", default=["equation", "output"])
    ap.add_argument("--resolve", type=float, default=None, help="NewtonianKernel(resolve=...) (default: its own)")
    args = ap.parse_args()
    t = np.logspace(np.log10(args.tmin), np.log10(args.tmax), args.n)
    routes = {"equation": dict(refine=0), "output": {}, "onset": dict(onset=True)}
    if args.resolve is not None:
        routes = {k: dict(v, resolve=args.resolve) for k, v in routes.items()}
    print("| case | noise | route | rmse/noise | noise_est | kern_med | kern_max | m0_err | sec |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (F0, mfun) in cases(t).items():
        m_true = mfun(t)
        m0 = float(mfun(np.zeros(1))[0])
        sel = m_true > 0.05 * m0
        for sigma in args.noise:
            for route in args.routes:
                rows = []
                for seed in args.seeds:
                    F = F0 + sigma * np.random.default_rng(seed).standard_normal(t.size)
                    t0 = time.perf_counter()
                    nk = NewtonianKernel(7.0, 1.0, **routes[route]).compute(t, F)
                    sec = time.perf_counter() - t0
                    err = np.abs(nk.m(t[sel]) - m_true[sel]) / m_true[sel]
                    rows.append([nk.rmse / sigma, nk.noise / sigma, np.median(err), err.max(), nk.m0 / m0 - 1, sec])
                r = np.array(rows)
                worst = [r[:, 0].max(), r[:, 1].mean(), r[:, 2].max(), r[:, 3].max(),
                         r[np.argmax(np.abs(r[:, 4])), 4], r[:, 5].mean()]
                print(f"| {name} | {sigma:g} | {route} | {worst[0]:.2f} | {worst[1]:.2f} | {worst[2]:.2%} | "
                      f"{worst[3]:.1%} | {worst[4]:+.2%} | {worst[5]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
