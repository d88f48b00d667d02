"""The ``cmaes`` and ``map`` actions of ``slowdyn kernels`` (``compute`` and
``validate`` are in :mod:`slowdyn.commands.kernels`).

``cmaes --out OUT`` fits stretched-exponential kernels by CMA-ES (Ciarella et
al., Mach. Learn.: Sci. Technol. 4, 025010 (2023)) to MCT hard-disk SISFs (and
simulation SISFs, ``--sisf``) and tabulates kernel and SISF errors next to the
memory-kernel pipeline's kernels against MCT's own kernel
(``OUT/cmaes_table.txt``, ``OUT/cmaes_fits.json``).
``map --mct FILES --sisf FILES`` prints the effective MCT packing fraction of
simulation SISFs (least squares against MCT SISFs at one q, Granz 2026,
§4.4.3), the density pair of ``slowdyn closure compare``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_cmaes(sub) -> None:
    p = sub.add_parser("cmaes", help="CMA-ES stretched-exponential kernels vs the memory-kernel pipeline's "
                       "kernels vs MCT's kernel on hard disks (and on simulation SISFs)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--packings", type=float, nargs="*", default=[0.60, 0.65, 0.675],
                   help="MCT packing fractions (liquid states; none: simulation files only)")
    p.add_argument("--q", type=float, default=6.0, help="wave number (on the closure grid / in the SISF files)")
    p.add_argument("--n-exp", type=int, default=2, help="number of stretched exponentials")
    p.add_argument("--maxfevals", type=int, default=1500, help="CMA-ES evaluations per fit")
    p.add_argument("--pipeline", nargs="*", default=["nnlt_tails"],
                   help="memory-kernel pipeline methods for their own rows (default nnlt_tails; e.g. nnls; "
                   "none: CMA-ES only)")
    p.add_argument("--pipeline-m0", nargs="+", default=["iterative", "mct"],
                   help="m0 of the pipeline rows: iterative, kk, asymptotic and, for MCT inputs, mct "
                   "(MCT's own m(q, 0)) (default iterative mct)")
    p.add_argument("--sisf", type=Path, nargs="*", default=[],
                   help="simulation SISF files (fix sisf/msd or 't F_s' tables at --q): no reference kernel, "
                   "SISF errors only")
    p.add_argument("--cut", type=float, default=1e-3,
                   help="pipeline noise level; for simulation files also the lower end of the fitted SISF")
    p.add_argument("--noise", type=float, default=0.0, help="pipeline noise of simulation SISFs")
    p.add_argument("--D0", type=float, default=1.0, help="short-time diffusion coefficient of the simulation")


def add_map(sub) -> None:
    p = sub.add_parser("map", help="effective packing fraction phi_MCT of simulation SISFs (least squares against "
                       "MCT SISFs at one q, memory.mapping, Granz 2026 §4.4.3)")
    p.add_argument("--mct", type=Path, nargs="+", required=True,
                   help="MCT SISF files phi<PHI>_sisf.dat (slowdyn mct sisf)")
    p.add_argument("--sisf", type=Path, nargs="+", required=True, help="simulation SISF files (fix sisf/msd)")
    p.add_argument("--q", type=float, default=6.0, help="wave number of the fit (in every file)")


def _map(args) -> None:
    import re

    import numpy as np

    from slowdyn.analysis.io.sisf import load_sisf
    from slowdyn.analysis.memory.mapping import PackingMapping
    from slowdyn.cli import SlowdynError

    table = {}
    for f in args.mct:
        hit = re.search(r"phi([0-9.]+?)_sisf", f.name)
        if not hit:
            raise SlowdynError(f"{f}: MCT files must be named phi<PHI>_sisf.dat (slowdyn mct sisf)")
        (t, F), = load_sisf(f, q=[args.q]).values()
        table[float(hit.group(1))] = (t, F)
    mapping = PackingMapping(table)
    lo, hi = min(table), max(table)
    print(f"# phi_MCT of simulation SISFs at q = {args.q:g}: least squares against MCT phi = {lo:g} .. {hi:g} "
          f"({len(table)} states, linear interpolation between neighbours)")
    print("# file phi_MCT rmse")
    for f in args.sisf:
        (t, F), = load_sisf(f, q=[args.q]).values()
        t, F = np.asarray(t), np.asarray(F)
        pm, r = mapping.fit(t[t > 0], F[t > 0])
        edge = "  (at the table edge)" if pm in (lo, hi) else ""
        print(f"{f} {pm:.5f} {r:.3e}{edge}")


def _cmaes_inputs(args) -> list:
    """``(label, t, sisf, kernel_ref or None, D0)`` of the MCT states and the simulation files."""
    import numpy as np

    from slowdyn.analysis.mct.closures.data import HardDiskGrid, solve_hard_disks

    out = []
    grid = HardDiskGrid()
    if args.packings:
        iq = int(grid.indices([args.q])[0])
        for p in args.packings:
            sol = solve_hard_disks(p, grid)
            t, s, m = sol["t"], sol["sisf"][:, iq], sol["kernel"][:, iq]
            sel = s > 1e-4  # the decayed tail carries no information on the kernel
            out.append((f"MCT:phi={p:.4f}", t[sel], s[sel], m[sel], 1.0))
    if args.sisf:
        from slowdyn.analysis.io.sisf import load_sisf

        for path in args.sisf:
            (t, s), = load_sisf(path, q=[args.q]).values()
            t, s = np.asarray(t, float), np.asarray(s, float)
            below = np.flatnonzero((t > 0) & (s < args.cut))
            stop = below[0] + 1 if below.size else len(t)
            sel = (t > 0) & (np.arange(len(t)) < stop)  # the measured part down to the noise level
            out.append((f"sim:{Path(path).name}", t[sel], s[sel], None, args.D0))
    return out


def _cmaes(args) -> None:
    import numpy as np

    from slowdyn.cli import print_files
    from slowdyn.analysis.mct.closures.data import HardDiskGrid
    from slowdyn.analysis.memory.cmaes import TimeGrid, compare_kernels, memory_pipeline_estimator

    grid = HardDiskGrid()
    tg = TimeGrid(grid.h, grid.blocksize, grid.blocks)
    bad = [m for m in args.pipeline_m0 if m not in ("iterative", "kk", "asymptotic", "mct")]
    if bad:
        from slowdyn.cli import SlowdynError

        raise SlowdynError(f"--pipeline-m0 takes iterative, kk, asymptotic or mct, got {bad}")
    args.out.mkdir(parents=True, exist_ok=True)
    lines = [f"# memory kernels from one SISF, q = {args.q:g}: CMA-ES sum of {args.n_exp} stretched exponentials "
             "(Ciarella et al. 2023) vs the memory-kernel pipeline (Laplace-domain MZ + inversion, m0 as named)",
             "# kernel_rmse: RMSE against MCT's own kernel over the compared times; kernel_rel: the same / "
             "m_MCT(0); sisf_rmse: RMSE of the kernel's MZ solution against the input SISF; m0: the kernel's m(0)",
             f"{'input':>24} {'method':>22} {'kernel_rmse':>12} {'kernel_rel':>11} {'sisf_rmse':>10} "
             f"{'m0':>9} {'evals':>6}"]
    out = {}
    for label, t, s, m, D0 in _cmaes_inputs(args):
        tau0 = 1.0 / (D0 * args.q ** 2)
        methods = {}
        for meth in args.pipeline:
            for how in args.pipeline_m0:
                if how == "mct" and m is None:
                    continue
                m0 = (lambda tt, ss, m00=float(m[0]): m00) if how == "mct" else how
                methods[f"{meth}/m0={how}"] = memory_pipeline_estimator(
                    args.q, D0, method=meth, m0=m0, cut=args.cut, noise=args.noise if m is None else 0.0)
        # start: amplitudes split 0.7/0.3 of m(0) (MCT's; 5 without a reference), one decade of times each
        ref0 = float(m[0]) if m is not None else 5.0
        fit = {"n_exp": args.n_exp, "grid": tg, "maxfevals": args.maxfevals,
               "x0": {"amplitudes": list(ref0 * np.array([0.7, 0.3][:args.n_exp] + [0.1] * (args.n_exp - 2))),
                      "taus": [float(t[np.argmax(s < 0.5)]) * 10.0 ** (-2 * k) for k in range(args.n_exp)],
                      "betas": [1.0] * args.n_exp}}
        rows = compare_kernels(t, s, m, tau0, methods=methods, fit=fit)
        res = {}
        for name, r in rows.items():
            ev = r["fit"].evaluations if "fit" in r else 0
            m0 = r["fit"].kernel(np.array([0.0]))[0] if "fit" in r else r.get("m0", float("nan"))
            lines.append(f"{label:>24} {name:>22} {r['kernel_rmse']:12.4e} {r['kernel_rel_rmse']:11.4e} "
                         f"{r['sisf_rmse']:10.3e} {m0:9.4g} {ev:6d}")
            res[name] = {k: v for k, v in r.items() if k != "fit"}
            if "fit" in r:
                f = r["fit"]
                res[name].update(amplitudes=f.amplitudes.tolist(), taus=f.taus.tolist(), betas=f.betas.tolist())
        if m is not None:
            lines.append(f"{label:>24} {'(MCT)':>22} {'':>12} {'':>11} {'':>10} {m[0]:9.4g}")
        out[label] = res
        print("\n".join(lines[-len(rows) - (m is not None):]), flush=True)
    (args.out / "cmaes_table.txt").write_text("\n".join(lines) + "\n")
    (args.out / "cmaes_fits.json").write_text(json.dumps(out, indent=1))
    print_files(args, [args.out / "cmaes_table.txt", args.out / "cmaes_fits.json"])


def main(args: argparse.Namespace) -> int:
    {"cmaes": _cmaes, "map": _map}[args.action](args)
    return 0
