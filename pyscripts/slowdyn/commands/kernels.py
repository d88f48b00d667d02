"""``slowdyn kernels {compute,validate,cmaes,map}``: memory kernels m(q, t) from
self-intermediate scattering functions (Laplace-domain Mori-Zwanzig equation,
Granz 2026, §4.3/§4.4), their validation on MCT hard disks, the CMA-ES
stretched-exponential kernel fit and the effective MCT packing fraction.

``compute SISF_FILE --D0 D0 --out OUT``: SISF_FILE is a ``fix sisf/msd``
output file (every q in it, or those given with ``--q``; block ``--block``) or
a plain two-column ``t F_s`` table (then exactly one ``--q``). Writes into the
folder OUT ``kernels.txt`` (``# columns: t m_q<Q> ...``), ``m0.txt`` (q, m0,
how it was chosen, the asymptotic and Kramers-Kronig estimates, the RMSE of
the reconstruction, and the iterative m0 with its RMSE: with ``--m0 scaling``
the individually best values), ``sisf.txt`` (data and reconstructed SISFs),
``kernels.png`` and ``m0.png``.

``validate --out OUT``: the same pipeline on MCT hard-disk SISFs, where the
kernel is known (``OUT/kernels.txt``, ``OUT/kernels.png``, MCT cache
``OUT/mct``). ``cmaes`` and ``map``: see :mod:`slowdyn.commands._kernel_actions`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

M0_HELP = ("initial value m0 = m(q, 0): 'asymptotic' (eq. 4.52), 'kk' (Kramers-Kronig, eq. 4.53), 'iterative' "
           "(minimal reconstruction RMSE per q, §4.3.2), 'scaling' (iterative, then a/q^2 (1 + b q) fitted over "
           "all q, b of free sign) or a number")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from slowdyn.analysis.laplace.pipeline import METHODS   # numpy only
    from slowdyn.analysis.memory.kernels import DEFAULT_METHOD

    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = sub.add_parser("compute", help="memory kernels of the SISFs of one state (fix sisf/msd file or 't F_s' "
                       "table)")
    p.add_argument("input", metavar="SISF_FILE", help="fix sisf/msd file or 't F_s' table")
    p.add_argument("--out", type=Path, required=True,
                   help="output folder (kernels.txt, m0.txt, sisf.txt, kernels.png, m0.png)")
    p.add_argument("--D0", type=float, required=True, help="short-time diffusion coefficient")
    p.add_argument("--q", type=float, nargs="+", default=None, help="wave numbers (default: all in the file)")
    p.add_argument("--block", default="all", help="fix sisf/msd block: all or an atom type")
    p.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                   help="inversion of m(omega)/m0 (the default is the best in the hard-disk validation)")
    p.add_argument("--m0", default="iterative", help=M0_HELP)
    p.add_argument("--cut", type=float, default=1e-3,
                   help="noise level: the SISF is cut below it and continued by a fitted exponential")
    p.add_argument("--noise", type=float, default=0.0,
                   help="noise of the SISF for the frequency truncation (0: sign/monotonicity tests only)")
    p.add_argument("--model", default=None, help="NNLT model file for the NNLT methods (default: shipped)")
    p.add_argument("--m0-search", type=float, nargs=3, default=(8.0, 13, 8), metavar=("SPAN", "SCAN", "REFINE"),
                   help="iterative m0: log scan of SCAN trials over [guess/SPAN, guess*SPAN], then at most "
                   "REFINE Brent steps")
    p.add_argument("--scaling-evals", type=int, default=40,
                   help="--m0 scaling: Nelder-Mead evaluations of (a, b), each one RMSE per q")

    p = sub.add_parser("validate", help="the same pipeline on MCT hard-disk SISFs, where the kernel is known "
                       "(Table 4.3)")
    p.add_argument("--out", type=Path, required=True,
                   help="output folder (kernels.txt: the table, kernels.png; mct/: the MCT solutions)")
    p.add_argument("--phi", nargs="+", default=None,
                   help="packing fractions, or 'all' for Table 4.3's list (default 0.48547 0.66003)")
    p.add_argument("--q", type=float, nargs="+", default=None, help="wave numbers (default 3.4 7.4)")
    p.add_argument("--methods", nargs="+", choices=METHODS, default=None,
                   help="methods evaluated with MCT's m0 (default: all)")
    p.add_argument("--m0-methods", nargs="+", choices=METHODS, default=None,
                   help="methods that also run the iterative and scaling m0 (default nnls nnlt_tails)")
    p.add_argument("--model", default=None, help="NNLT model file for the NNLT methods (default: shipped)")
    p.add_argument("--n-q", type=int, default=64,
                   help="points of the MCT wave-number grid 0.4 (k + 1/4) (64: q < 25.4)")
    p.add_argument("--cache", type=Path, default=None,
                   help="folder for the MCT solutions (default OUT/mct)")

    from slowdyn.commands import _kernel_actions

    _kernel_actions.add_cmaes(sub)
    _kernel_actions.add_map(sub)


def _error(message: str):
    from slowdyn.cli import SlowdynError

    return SlowdynError(message)


def _m0_choice(text: str):
    if text in ("asymptotic", "kk", "iterative", "scaling"):
        return text
    try:
        value = float(text)
    except ValueError:
        raise _error(f"--m0 must be asymptotic, kk, iterative, scaling or a number, not {text!r}") from None
    if not value > 0:
        raise _error(f"--m0 must be > 0, got {value}")
    return value


def _kernels(args) -> list[Path]:
    import numpy as np
    from tqdm.auto import tqdm

    from slowdyn.analysis.laplace.pipeline import NNLT_METHODS
    from slowdyn.analysis.memory.inputs import load_sisf
    from slowdyn.analysis.memory.kernels import MemoryKernel, fit_scaling

    how = _m0_choice(args.m0)
    data = load_sisf(args.input, q=args.q, block=args.block)
    if how == "scaling" and len(data) < 2:
        raise _error("--m0 scaling needs at least two wave numbers")
    span, n_scan, refine = args.m0_search
    if not (span > 1 and n_scan >= 3 and refine >= 0 and n_scan == int(n_scan) and refine == int(refine)):
        raise _error("--m0-search needs SPAN > 1, an integer SCAN >= 3 and an integer REFINE >= 0")
    if args.scaling_evals < 1:
        raise _error("--scaling-evals must be >= 1")
    search = {"span": span, "n_scan": int(n_scan), "refine": int(refine)}
    model = args.model
    results, kernels = [], []
    for q, (t, F) in tqdm(sorted(data.items()), desc="q", disable=args.quiet):
        mk = MemoryKernel(q, args.D0, method=args.method, cut=args.cut, noise=args.noise, model=model)
        mk.compute(t, F)
        if args.method in NNLT_METHODS:
            model = mk.model    # load the network once
        r = {"q": q, "t": t, "F": F, "m0_asymptotic": mk.m0_asymptotic, "m0_kk": mk.m0_kk,
             "omega_cut": mk.omega_cut}
        if how in ("iterative", "scaling"):
            it = mk.iterate_m0(progress=not args.quiet, **search)
            r.update(m0=it.m0, m0_iterative=it.m0, rmse_iterative=it.rmse, trials=it.trials, how="iterative")
        elif isinstance(how, float):
            r.update(m0=how, how="given")
        else:
            r.update(m0=mk.m0(how), how=how)
        results.append(r)
        kernels.append(mk)
    scaling = None
    if how == "scaling":
        fit = fit_scaling(kernels, [r["m0"] for r in results], max_evals=args.scaling_evals)
        scaling = fit.result
        for r, m0 in zip(results, fit.m0()):
            r.update(m0=float(m0), how="scaling")
    for r, mk in zip(results, kernels):
        if not (np.isfinite(r["m0"]) and r["m0"] > 0):
            raise _error(f"the {r['how']} m0 at q = {r['q']:g} is {r['m0']:.3g}; "
                             "choose another --m0")
        r["t_kernel"], r["m"] = mk.kernel(r["m0"])
        r["F_rec"] = mk.reconstruct(r["t_kernel"], r["m"], t_out=r["t"][r["t"] > 0] if r["t"][0] == 0 else r["t"])
        if r["t"][0] == 0:
            r["F_rec"] = np.concatenate([[1.0], r["F_rec"]])
        r["rmse"] = mk.rmse(r["m0"])
    return _write(args.out, results, scaling, args)


def _write(out: Path, results: list, scaling, args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.memory.plots import plot_kernels, plot_m0

    out.mkdir(parents=True, exist_ok=True)
    files = [out / name for name in ("kernels.txt", "m0.txt", "sisf.txt", "kernels.png", "m0.png")]
    head = (f"# slowdyn kernels {args.input}: D0 {args.D0:g} method {args.method} m0 {args.m0} cut {args.cut:g}\n")
    t = results[0]["t_kernel"]
    cols = " ".join(f"m_q{r['q']:g}" for r in results)
    np.savetxt(files[0], np.column_stack([t] + [r["m"] for r in results]),
               header=head[2:] + f"columns: t {cols}", comments="# ", fmt="%.8e")
    with open(files[1], "w") as fh:
        fh.write(head)
        if scaling is not None:
            fh.write(f"# scaling m0(q) = a/q^2 (1 + b q): a {scaling['a']:.6g} b {scaling['b']:.6g} "
                     f"mean RMSE {scaling['mean_rmse']:.4g}\n")
        fh.write("# columns: q m0 how m0_asymptotic m0_kk omega_cut rmse m0_iterative rmse_iterative\n")
        for r in results:
            fh.write(f"{r['q']:g} {r['m0']:.6g} {r['how']} {r['m0_asymptotic']:.6g} {r['m0_kk']:.6g} "
                     f"{r['omega_cut']:.4g} {r['rmse']:.4e} {r.get('m0_iterative', float('nan')):.6g} "
                     f"{r.get('rmse_iterative', float('nan')):.4e}\n")
    with open(files[2], "w") as fh:
        fh.write(head)
        for r in results:
            fh.write(f"# q {r['q']:g}: RMSE {r['rmse']:.4e} (data before the cut {args.cut:g})\n")
        same = all(np.array_equal(r["t"], results[0]["t"]) for r in results)
        if same:
            fh.write("# columns: t " + " ".join(f"F_q{r['q']:g} Frec_q{r['q']:g}" for r in results) + "\n")
            np.savetxt(fh, np.column_stack([results[0]["t"]] + [c for r in results for c in (r["F"], r["F_rec"])]),
                       fmt="%.8e")
        else:
            for r in results:
                fh.write(f"# columns: t F_q{r['q']:g} Frec_q{r['q']:g}\n")
                np.savetxt(fh, np.column_stack([r["t"], r["F"], r["F_rec"]]), fmt="%.8e")
    plot_kernels(results).savefig(files[3], dpi=110)
    plot_m0(results, scaling).savefig(files[4], dpi=110)
    return files


def _validate(args) -> list[Path]:
    from slowdyn.analysis.laplace.pipeline import METHODS
    from slowdyn.analysis.validation.kernels import DEFAULT_PACKING, DEFAULT_Q, TABLE_4_3, KernelValidation

    if args.phi is None:
        phis = DEFAULT_PACKING
    elif args.phi == ["all"]:
        phis = tuple(TABLE_4_3)
    else:
        phis = tuple(float(p) for p in args.phi)
    kw = {}
    if args.m0_methods is not None:
        kw["m0_methods"] = args.m0_methods
    val = KernelValidation(packing=phis, q=args.q or DEFAULT_Q, methods=args.methods or METHODS,
                           model=args.model, mct={"n_q": args.n_q},
                           cache_dir=args.cache or args.out / "mct",
                           progress=not args.quiet, **kw).compute()
    print(val.table(), end="")
    return val.write(args.out)


def main(args: argparse.Namespace) -> int:
    from slowdyn.cli import print_files
    from slowdyn.commands import _kernel_actions

    if args.action in ("cmaes", "map"):
        return _kernel_actions.main(args)
    print_files(args, _validate(args) if args.action == "validate" else _kernels(args))
    return 0
