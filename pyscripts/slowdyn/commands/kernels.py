"""``slowdyn kernels SISF_FILE --D0 D0 --out PREFIX``: memory kernels m(q, t) from
self-intermediate scattering functions (Laplace-domain Mori-Zwanzig equation,
Granz 2026, §4.3/§4.4); ``slowdyn kernels validate --out PREFIX``: the same
pipeline on MCT hard-disk SISFs, where the kernel is known.

SISF_FILE is a ``fix sisf/msd`` output file (every q in it, or those given
with ``--q``; block ``--block``) or a plain two-column ``t F_s`` table (then
exactly one ``--q``). The kernels are a :class:`slowdyn.analysis.memory.KernelSet`;
its ``write`` makes ``PREFIX_kernels.txt`` (``# columns: t m_q<Q>
...``), ``PREFIX_m0.txt`` (q, m0, how it was chosen, the asymptotic and
Kramers-Kronig estimates, the RMSE of the reconstruction, and the iterative
m0 with its RMSE: with ``--m0 scaling`` the individually best values),
``PREFIX_sisf.txt`` (data and reconstructed SISFs), ``PREFIX_kernels.png``
and ``PREFIX_m0.png``.
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

    parser.add_argument("input", help="SISF file (fix sisf/msd file or 't F_s' table), or 'validate'")
    parser.add_argument("--out", required=True, help="output prefix")
    parser.add_argument("--D0", type=float, default=None, help="short-time diffusion coefficient (required for a file)")
    parser.add_argument("--q", type=float, nargs="+", default=None, help="wave numbers (default: all in the file)")
    parser.add_argument("--block", default="all", help="fix sisf/msd block: all or an atom type (default all)")
    parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                        help=f"inversion of m(omega)/m0 (default {DEFAULT_METHOD}, "
                        "the best in the hard-disk validation)")
    parser.add_argument("--m0", default="iterative", help=M0_HELP)
    parser.add_argument("--cut", type=float, default=1e-3,
                        help="noise level: the SISF is cut below it and continued by a fitted exponential")
    parser.add_argument("--noise", type=float, default=0.0,
                        help="noise of the SISF for the frequency truncation (0: sign/monotonicity tests only)")
    parser.add_argument("--model", default=None, help="NNLT model file for the NNLT methods (default: shipped)")
    parser.add_argument("--m0-search", type=float, nargs=3, default=(8.0, 13, 8), metavar=("SPAN", "SCAN", "REFINE"),
                        help="iterative m0: log scan of SCAN trials over [guess/SPAN, guess*SPAN], then at most "
                        "REFINE Brent steps (default 8 13 8)")
    parser.add_argument("--scaling-evals", type=int, default=40,
                        help="--m0 scaling: Nelder-Mead evaluations of (a, b), each one RMSE per q (default 40)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    v = parser.add_argument_group("validate")
    v.add_argument("--phi", nargs="+", default=None,
                   help="validate: packing fractions, or 'all' for Table 4.3's list (default 0.48547 0.66003)")
    v.add_argument("--methods", nargs="+", choices=METHODS, default=None,
                   help="validate: methods evaluated with MCT's m0 (default: all)")
    v.add_argument("--m0-methods", nargs="+", choices=METHODS, default=None,
                   help="validate: methods that also run the iterative and scaling m0 (default nnls nnlt_tails)")
    v.add_argument("--n-q", type=int, default=64,
                   help="validate: points of the MCT wave-number grid 0.4 (k + 1/4) (default 64: q < 25.4)")
    v.add_argument("--cache", type=Path, default=None,
                   help="validate: folder for the MCT solutions (default PREFIX_mct)")


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
    from slowdyn.analysis.io.sisf import load_sisf
    from slowdyn.analysis.memory import KernelSet

    if args.D0 is None:
        raise _error("give the short-time diffusion coefficient with --D0")
    how = _m0_choice(args.m0)
    data = load_sisf(args.input, q=args.q, block=args.block)
    if how == "scaling" and len(data) < 2:
        raise _error("--m0 scaling needs at least two wave numbers")
    span, n_scan, refine = args.m0_search
    if not (span > 1 and n_scan >= 3 and refine >= 0 and n_scan == int(n_scan) and refine == int(refine)):
        raise _error("--m0-search needs SPAN > 1, an integer SCAN >= 3 and an integer REFINE >= 0")
    if args.scaling_evals < 1:
        raise _error("--scaling-evals must be >= 1")
    ks = KernelSet(args.D0, method=args.method, m0=how, cut=args.cut, noise=args.noise, model=args.model,
                   search={"span": span, "n_scan": int(n_scan), "refine": int(refine)},
                   scaling_evals=args.scaling_evals, progress=not args.quiet)
    return ks.compute(data, source=args.input).write(args.out)


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
                           cache_dir=args.cache or Path(f"{args.out}_mct"),
                           progress=not args.quiet, **kw).compute()
    text = val.table()
    print(text, end="")
    files = [Path(f"{args.out}_kernels.txt"), Path(f"{args.out}_kernels.png")]
    files[0].write_text(text)
    val.plot().savefig(files[1], dpi=110)
    return files


def main(args: argparse.Namespace) -> int:
    files = _validate(args) if args.input == "validate" else _kernels(args)
    for path in files:
        print(path)
    return 0
