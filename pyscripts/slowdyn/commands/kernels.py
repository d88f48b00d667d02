"""``slowdyn kernels {compute,validate,cmaes,map}``: memory kernels m(q, t) from
self-intermediate scattering functions (Laplace-domain Mori-Zwanzig equation,
Granz 2026, §4.3/§4.4), their validation on MCT hard disks, the CMA-ES
stretched-exponential kernel fit and the effective MCT packing fraction.

``compute SISF_FILE --D0 D0 --out OUT`` (Brownian dynamics; Newtonian:
``--dynamics newtonian --kT-m KT_M``): SISF_FILE is a ``fix sisf/msd`` output
file (every q in it, or those given with ``--q``; block ``--block``; its
``fserr_`` columns, written by ``average_sisf`` of several replicas, are the
standard errors) or a plain ``t F_s`` or ``t F_s err`` table (then exactly one
``--q``). The kernels are a :class:`slowdyn.analysis.memory.KernelSet` (default
method ``spectral``, m0 ``auto``); its ``write`` puts into the folder OUT
``kernels.txt`` (``# columns: t m_q<Q> ...`` and, for ``spectral``, the
bootstrap band ``mlo_q<Q> ... mhi_q<Q> ...``), ``m0.txt`` (q, m0, how it was
chosen, the asymptotic and Kramers-Kronig estimates, the RMSE of the
reconstruction, the iterative m0 with its RMSE: with ``--m0 scaling`` the
individually best values, the noise of the data, the second m0 estimate, the
m0 band and the warning codes), ``sisf.txt`` (data and reconstructed SISFs),
``kernels.png`` and ``m0.png``. Each warning is also one line on stderr,
``slowdyn kernels: warning: q = Q: ...``.

``validate --out OUT``: the same pipeline on MCT hard-disk SISFs, where the
kernel is known (``OUT/kernels.txt``, ``OUT/kernels.png``, MCT cache
``OUT/mct``). ``cmaes`` and ``map``: see :mod:`slowdyn.commands._kernel_actions`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

M0_HELP = ("initial value m0 = m(q, 0): 'auto' (default: the spectral method's own closed form, the iterative one "
           "for the inversion methods); inversion methods only: 'asymptotic' (eq. 4.52), 'kk' (Kramers-Kronig, "
           "eq. 4.53), 'iterative' (minimal reconstruction RMSE per q, §4.3.2), 'scaling' (iterative, then "
           "a/q^2 (1 + b q) fitted over all q, b of free sign) or a number")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from slowdyn.analysis.laplace.pipeline import METHODS   # numpy only
    from slowdyn.analysis.memory.kernelset import DEFAULT_BOOTSTRAP, DEFAULT_KERNEL_METHOD, DYNAMICS, KERNEL_METHODS

    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = sub.add_parser("compute", help="memory kernels of the SISFs of one state (fix sisf/msd file or 't F_s' "
                       "table)")
    p.add_argument("input", metavar="SISF_FILE", help="fix sisf/msd file or 't F_s [err]' table")
    p.add_argument("--out", type=Path, required=True,
                   help="output folder (kernels.txt, m0.txt, sisf.txt, kernels.png, m0.png)")
    p.add_argument("--D0", type=float, default=None,
                   help="short-time diffusion coefficient (Brownian dynamics: required)")
    p.add_argument("--dynamics", choices=DYNAMICS, default="brownian",
                   help="Brownian (fix edbd, default) or Newtonian (MD) dynamics")
    p.add_argument("--kT-m", type=float, default=None, dest="kT_m",
                   help="k_B T/m (Newtonian dynamics: required; Omega_q^2 = q^2 k_B T/m)")
    p.add_argument("--q", type=float, nargs="+", default=None, help="wave numbers (default: all in the file)")
    p.add_argument("--block", default="all", help="fix sisf/msd block: all or an atom type")
    p.add_argument("--method", choices=KERNEL_METHODS, default=DEFAULT_KERNEL_METHOD,
                   help="spectral (default: completely monotone fit of the SISF and its exact kernel; the only "
                   "method that reconstructs noisy SISFs to their noise) or an inversion of m(omega)/m0")
    p.add_argument("--m0", default="auto", help=M0_HELP)
    p.add_argument("--bootstrap", type=int, default=DEFAULT_BOOTSTRAP,
                   help="spectral: refits of the kernel's bootstrap band (0: no band)")
    p.add_argument("--resolve", type=float, default=None,
                   help="spectral: kernel terms faster than RESOLVE x the SISF's initial decay time count as "
                   "instantaneous friction (m0.txt column delta), not in the kernel table and m0 (default: 1 "
                   "Brownian, 0.1 Newtonian; 0: keep every term the data resolve, so that the table alone "
                   "reproduces the SISF)")
    p.add_argument("--cut", type=float, default=1e-3,
                   help="inversion methods: noise level; the SISF is cut below it and continued by a fitted "
                   "exponential")
    p.add_argument("--noise", type=float, default=0.0,
                   help="noise of the SISF (0: estimated from the data by spectral; sign/monotonicity tests only "
                   "in the truncation of the inversion methods)")
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
    p.add_argument("--q", type=float, nargs="+", default=None, help="wave numbers (default 2.1 6.5 10.1)")
    p.add_argument("--methods", nargs="+", choices=KERNEL_METHODS, default=None,
                   help="methods (default: all): the inversion methods with MCT's m0, spectral with its own")
    p.add_argument("--m0-methods", nargs="+", choices=METHODS, default=None,
                   help="methods that also run the iterative and scaling m0 (default nnls nnlt_tails)")
    p.add_argument("--model", default=None, help="NNLT model file for the NNLT methods (default: shipped)")
    p.add_argument("--n-q", type=int, default=64,
                   help="points of the MCT wave-number grid 0.4 (k + 1/4) (64: q < 25.4)")
    p.add_argument("--cache", type=Path, default=None,
                   help="folder for the MCT solutions (default OUT/mct)")
    p.add_argument("--resolve", type=float, default=None,
                   help="spectral: as for compute (default 1; 0: every kernel term the data resolve, none "
                   "counted as instantaneous friction)")

    from slowdyn.commands import _kernel_actions

    _kernel_actions.add_cmaes(sub)
    _kernel_actions.add_map(sub)


def _error(message: str):
    from slowdyn.cli import SlowdynError

    return SlowdynError(message)


def _m0_choice(text: str, method: str):
    if text in ("auto", "asymptotic", "kk", "iterative", "scaling"):
        value = text
    else:
        try:
            value = float(text)
        except ValueError:
            raise _error(f"--m0 must be auto, asymptotic, kk, iterative, scaling or a number, not {text!r}") from None
        if not value > 0:
            raise _error(f"--m0 must be > 0, got {value}")
    if method == "spectral" and value != "auto":
        raise _error(f"--m0 {text} needs an inversion --method (nnlt_tails, nnls, ...): the spectral method's m0 "
                     "is its own closed form (--m0 auto)")
    return value


def _kernels(args) -> list[Path]:
    import sys

    from slowdyn.analysis.io.sisf import load_sisf
    from slowdyn.analysis.memory import KernelSet

    if args.dynamics == "brownian" and args.D0 is None:
        raise _error("Brownian dynamics needs --D0 (the short-time diffusion coefficient)")
    if args.dynamics == "newtonian":
        if args.kT_m is None:
            raise _error("--dynamics newtonian needs --kT-m (k_B T/m)")
        if args.method != "spectral":
            raise _error(f"--dynamics newtonian has its own estimator: leave --method at spectral, not {args.method}")
    elif args.kT_m is not None:
        raise _error("--kT-m is for --dynamics newtonian; Brownian dynamics takes --D0")
    if args.bootstrap < 0 or args.bootstrap == 1:
        raise _error("--bootstrap must be 0 (no band) or >= 2")
    if args.resolve is not None and not args.resolve >= 0:
        raise _error(f"--resolve must be >= 0, got {args.resolve:g}")
    if args.resolve is not None and args.method != "spectral":
        raise _error(f"--resolve belongs to --method spectral, not {args.method}")
    how = _m0_choice(args.m0, args.method)
    data = load_sisf(args.input, q=args.q, block=args.block, errors=True)
    if how == "scaling" and len(data) < 2:
        raise _error("--m0 scaling needs at least two wave numbers")
    span, n_scan, refine = args.m0_search
    if not (span > 1 and n_scan >= 3 and refine >= 0 and n_scan == int(n_scan) and refine == int(refine)):
        raise _error("--m0-search needs SPAN > 1, an integer SCAN >= 3 and an integer REFINE >= 0")
    if args.scaling_evals < 1:
        raise _error("--scaling-evals must be >= 1")
    ks = KernelSet(1.0 if args.D0 is None else args.D0, method=args.method, m0=how, cut=args.cut, noise=args.noise,
                   model=args.model, search={"span": span, "n_scan": int(n_scan), "refine": int(refine)},
                   scaling_evals=args.scaling_evals, progress=not args.quiet, dynamics=args.dynamics,
                   kT_m=args.kT_m, bootstrap=args.bootstrap, resolve=args.resolve).compute(data, source=args.input)
    for line in ks.warnings:
        print(f"slowdyn kernels: warning: {line}", file=sys.stderr)
    return ks.write(args.out)


def _validate(args) -> list[Path]:
    from slowdyn.analysis.memory.kernelset import KERNEL_METHODS
    from slowdyn.analysis.validation.kernels import DEFAULT_PACKING, DEFAULT_Q, TABLE_4_3, KernelValidation

    if args.phi is None:
        phis = DEFAULT_PACKING
    elif args.phi == ["all"]:
        phis = tuple(TABLE_4_3)
    else:
        phis = tuple(float(p) for p in args.phi)
    if args.resolve is not None and not args.resolve >= 0:
        raise _error(f"--resolve must be >= 0, got {args.resolve:g}")
    kw = {} if args.resolve is None else {"resolve": args.resolve}
    if args.m0_methods is not None:
        kw["m0_methods"] = args.m0_methods
    val = KernelValidation(packing=phis, q=args.q or DEFAULT_Q, methods=args.methods or KERNEL_METHODS,
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
