"""``slowdyn nnlt {train,apply,report,f12,critical,disks,brownian}``: train
the neural-network inverse Laplace transform from a YAML config, apply a
trained model to data, and compare it with the classical inversions.

``train CONFIG`` (a YAML file or an installed config name) writes
``OUT/model.pt``, ``checkpoint.pt``, ``history.json`` and ``loss.png`` and
resumes from ``checkpoint.pt``.
``apply MODEL INPUT`` reads a text table, either ``omega Re Im`` (the
Fourier-Laplace transform, checked for f(0) = 1 and Im fhat < 0) or, with
``--time-domain``, ``t f`` or the ``--column`` of a table with a
``# columns:`` header (normalised by its first value, transformed
onto the model's frequency grid by the Filon method first; with ``--cut X``
noisy data are first cut below X and continued with a fitted exponential,
§4.2.5), and writes
``OUT/nnlt.txt`` (``t f``; with ``--refine`` also ``f_refined``, the
network output corrected to match the input transform; with ``--tails``
also ``f_tails``, the output with NNLS tails below 0.1) and
``OUT/nnlt.png`` (linear and log f; ``OUT`` is the folder ``--out``). ``report [--model MODEL]`` compares the NNLT (raw,
refined, and refined with NNLS tails), the inverse Filon method and Tikhonov NNLS on
held-out clean and noisy pairs (``OUT/report.txt`` and two PNGs);
``f12``, ``critical`` and ``disks`` do the same for mctpy correlators
(needs ``pip install 'slowdyn[mct]'``): the F12 points of Figs. 4.3/4.4,
the near-critical F12 points of Tab. 4.2 with the exponents a and b
recovered from each inversion, and the F_s(q, t) of Brownian hard disks
(Fig. 4.7); ``brownian`` inverts F_s(q, t) measured in a LAMMPS run of 2D
Brownian particles (ideal gas: exact reference exp(-D q^2 t)). ``MODEL``
defaults to the NNLT shipped with slowdyn; ``--model none`` compares the
classical methods only.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

# which module of this package runs each action
ACTIONS = {"train": "train", "apply": "apply", "report": "validate", "f12": "validate", "critical": "validate",
           "disks": "validate", "brownian": "validate"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from slowdyn.analysis.laplace.refine import DEFAULT_LAM   # numpy only

    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("train", help="train an NNLT from a YAML config (resumes from its checkpoint)")
    p.add_argument("config", help="YAML file, or the name of an installed config: nnlt_2x1024 (the thesis' "
                   "network, ~50 000 pairs), nnlt_2x1024_gelu and then nnlt_2x1024_gelu_slow in the same "
                   "folder (the two runs behind the shipped model)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: out_dir of the config)")
    p.add_argument("--epochs", type=int, default=None, help="total number of epochs (overrides the config)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (overrides num_threads)")
    p.add_argument("--no-resume", action="store_true", help="start over even if a checkpoint exists")

    p = sub.add_parser("apply", help="invert Laplace-domain data (or f(t)) with a trained NNLT",
                       description="Invert a Fourier-Laplace transform fhat(omega) = int_0^inf f(t) "
                                   "exp(-i omega t) dt (table 'omega Re Im'), or with --time-domain a "
                                   "correlator f(t), with a trained NNLT. The NNLT expects f(0) = 1: a "
                                   "time-domain input is divided by its first value (--f0 auto) and the "
                                   "output multiplied by it; an omega-domain input is assumed normalised "
                                   "and refused when its high-frequency limit Re(i omega fhat) exceeds 1, "
                                   "unless --f0 gives f(0). An input with Im fhat > 0 (the exp(+i omega t) "
                                   "convention) is refused. Writes OUT/nnlt.txt, OUT/nnlt_check.txt and "
                                   "OUT/nnlt.png (f(t) and the forward-transform check "
                                   "|Filon(f) - fhat| / |fhat|).")
    p.add_argument("model", help="model.pt written by 'slowdyn nnlt train', or 'pretrained' (shipped)")
    p.add_argument("input", type=Path,
                   help="table 'omega Re Im', or with --time-domain 't f' (or a file with a '# columns:' "
                        "header and --column, e.g. a fix sisf/msd file)")
    p.add_argument("--time-domain", action="store_true",
                   help="input is f(t); Filon-transform it onto the model's omega grid first")
    p.add_argument("--column", default=None, metavar="NAME",
                   help="with --time-domain: the column of f in a table with a '# columns:' header "
                        "(fix sisf/msd: e.g. fs_all_q1; t is its 'time' column, else the first); needed "
                        "for tables of more than 2 columns")
    p.add_argument("--f0", default="auto", metavar="auto|VALUE",
                   help="f(0) of the input: it is divided by it and the output multiplied by it. auto: "
                        "the first value in the time domain; 1 in the omega domain (refused when "
                        "Re(i omega fhat) at the largest omega exceeds 1.02) (default: auto)")
    p.add_argument("--cut", type=float, default=None, metavar="X",
                   help="with --time-domain, for noisy (measured) f(t): cut below X and continue with a "
                        "fitted exponential down to --floor before the transform (thesis: 1e-3)")
    p.add_argument("--floor", type=float, default=1e-6, help="end of the fitted exponential tail (1e-6)")
    p.add_argument("--method", choices=["nnlt", "nnlt_refined", "nnlt_tails", "nnls", "inverse_filon"],
                   action="append", default=None,
                   help="inversion(s) to write, one column each (repeatable; default nnlt). --refine and "
                        "--tails are spellings of nnlt_refined and nnlt_tails")
    p.add_argument("--refine", type=float, nargs="?", const=DEFAULT_LAM, default=None, metavar="LAM",
                   help="also write the data-consistency refinement of the NNLT output (column f_refined; "
                        f"LAM: pull towards the network output, default {DEFAULT_LAM:g})")
    p.add_argument("--tails", action="store_true",
                   help="also write the output (refined, with --refine) with its values below 0.1 replaced "
                        "by NNLS tails capped by its own tail (column f_tails; for clean inputs)")
    p.add_argument("--out", type=Path, default=Path("nnlt"),
                   help="output folder (nnlt.txt, nnlt.png, nnlt_check.txt)")

    model_help = "model.pt (default: the NNLT shipped with slowdyn; 'none': classical methods only)"
    p = sub.add_parser("report", help="NNLT vs inverse Filon vs NNLS on held-out clean and noisy pairs")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--n", type=int, default=50, help="number of held-out functions")
    p.add_argument("--seed", type=int, default=987654, help="seed of the held-out set (not the training seed)")
    p.add_argument("--noise", type=float, default=1e-3, help="Gaussian noise of the noisy inputs")
    p.add_argument("--out", type=Path, default=Path("laplace"),
                   help="output folder (report.txt, examples.png, errors.png)")

    p = sub.add_parser("f12", help="mctpy F12 correlators -> Filon -> NNLT / inverse Filon / NNLS")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--noise", type=float, default=1e-3,
                   help="also invert noisy copies with this Gaussian noise (0: clean only)")
    p.add_argument("--out", type=Path, default=Path("laplace"),
                   help="output folder (f12.txt, f12.png)")

    p = sub.add_parser("critical", help="near-critical F12 (Tab. 4.2): inversion errors and exponents a, b")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--eps", type=float, default=1e-3, help="distance below the critical points")
    p.add_argument("--out", type=Path, default=Path("laplace"),
                   help="output folder (critical.txt, critical.png, critical_laws.png)")

    p = sub.add_parser("disks", help="MCT F_s(q, t) of Brownian hard disks -> Filon -> inverse")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--packing", type=float, nargs="+", default=None,
                   help="packing fractions (default 0.50 0.60 0.65 0.68 0.69)")
    p.add_argument("--q", type=float, default=6.5, help="wave number (on the grid 0.4 (k + 1/4))")
    p.add_argument("--noise", type=float, default=1e-3,
                   help="also invert noisy copies with this Gaussian noise (0: clean only)")
    p.add_argument("--out", type=Path, default=Path("laplace"),
                   help="output folder (disks.txt, disks.png)")

    p = sub.add_parser("brownian", help="F_s(q, t) of a LAMMPS Brownian run -> tail -> Filon -> inverse, "
                       "scored against exp(-D q^2 t)")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--q", type=float, nargs="+", default=[3.0, 6.5], help="wave numbers")
    p.add_argument("--atoms", type=int, default=2000, help="number of particles (2D ideal gas, density 0.5)")
    p.add_argument("--steps", type=int, default=20000, help="number of steps of size 1e-4 (D = 1)")
    p.add_argument("--seed", type=int, default=4711, help="seed of the positions and the Brownian noise")
    p.add_argument("--out", type=Path, default=Path("laplace"),
                   help="output folder (brownian.txt, brownian.png)")



def main(args: argparse.Namespace) -> int:
    from slowdyn.cli import print_files

    module = importlib.import_module(f"slowdyn.commands.nnlt.{ACTIONS[args.action]}")
    print_files(args, module.run(args))
    return 0
