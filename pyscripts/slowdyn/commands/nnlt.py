"""``slowdyn nnlt {train,apply,report,f12,critical,disks,brownian}``: train
the neural-network inverse Laplace transform from a YAML config, apply a
trained model to data, and compare it with the classical inversions.

``train CONFIG`` (a YAML file or an installed config name) writes
``OUT/model.pt``, ``checkpoint.pt``, ``history.json`` and ``loss.png`` and
resumes from ``checkpoint.pt``.
``apply MODEL INPUT`` reads a text table, either ``omega Re Im`` (the
Fourier-Laplace transform) or, with ``--time-domain``, ``t f`` (transformed
onto the model's frequency grid by the Filon method first; with ``--cut X``
noisy data are first cut below X and continued with a fitted exponential,
§4.2.5), and writes
``PREFIX_nnlt.txt`` (``t f``; with ``--refine`` also ``f_refined``, the
network output corrected to match the input transform; with ``--tails``
also ``f_tails``, the output with NNLS tails below 0.1) and
``PREFIX_nnlt.png`` (linear and log f). ``report [--model MODEL]`` compares the NNLT (raw,
refined, and refined with NNLS tails), the inverse Filon method and Tikhonov NNLS on
held-out clean and noisy pairs (``PREFIX_report.txt`` and two PNGs);
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
from pathlib import Path

# time-domain input to 'apply' must end below this fraction of its first value
# (the thesis' cut of noisy correlators, §4.2.5), unless --cut continues it
UNDECAYED = 1e-3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from slowdyn.analysis.laplace_refine import DEFAULT_LAM   # numpy only

    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("train", help="train an NNLT from a YAML config (resumes from its checkpoint)")
    p.add_argument("config", help="YAML file, or the name of an installed config: nnlt_2x1024 (thesis, "
                   "~50 000 pairs), nnlt_2x1024_250k (250 000 pairs), nnlt_2x1024_250k_w001 (W_log = 0.01), "
                   "nnlt_2x1024_slow (that one fine-tuned, run it after it in the same folder), "
                   "nnlt_2x1024_gelu and nnlt_2x1024_gelu_slow (the same two with GELU units: the shipped "
                   "model), nnlt_2x1024_gelu_fast (that one fine-tuned on fast-mode pairs; not shipped)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: out_dir of the config)")
    p.add_argument("--epochs", type=int, default=None, help="total number of epochs (overrides the config)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (overrides num_threads)")
    p.add_argument("--no-resume", action="store_true", help="start over even if a checkpoint exists")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("apply", help="invert Laplace-domain data with a trained NNLT")
    p.add_argument("model", help="model.pt written by 'slowdyn nnlt train', or 'pretrained' (shipped)")
    p.add_argument("input", type=Path, help="table 'omega Re Im' (or 't f' with --time-domain)")
    p.add_argument("--time-domain", action="store_true",
                   help="input is f(t); Filon-transform it onto the model's omega grid first")
    p.add_argument("--cut", type=float, default=None, metavar="X",
                   help="with --time-domain, for noisy (measured) f(t): cut below X and continue with a "
                        "fitted exponential down to --floor before the transform (thesis: 1e-3)")
    p.add_argument("--floor", type=float, default=1e-6, help="end of the fitted exponential tail (1e-6)")
    p.add_argument("--refine", type=float, nargs="?", const=DEFAULT_LAM, default=None, metavar="LAM",
                   help="also write the data-consistency refinement of the NNLT output (column f_refined; "
                        f"LAM: pull towards the network output, default {DEFAULT_LAM:g})")
    p.add_argument("--tails", action="store_true",
                   help="also write the output (refined, with --refine) with its values below 0.1 replaced "
                        "by NNLS tails capped by its own tail (column f_tails; for clean inputs)")
    p.add_argument("--out", default="nnlt", help="prefix of PREFIX_nnlt.txt / PREFIX_nnlt.png")

    model_help = "model.pt (default: the NNLT shipped with slowdyn; 'none': classical methods only)"
    p = sub.add_parser("report", help="NNLT vs inverse Filon vs NNLS on held-out clean and noisy pairs")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--n", type=int, default=50, help="number of held-out functions")
    p.add_argument("--seed", type=int, default=987654, help="seed of the held-out set (not the training seed)")
    p.add_argument("--noise", type=float, default=1e-3, help="Gaussian noise of the noisy inputs")
    p.add_argument("--out", default="laplace", help="prefix of PREFIX_report.txt and the PNGs")

    p = sub.add_parser("f12", help="mctpy F12 correlators -> Filon -> NNLT / inverse Filon / NNLS")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--noise", type=float, default=1e-3,
                   help="also invert noisy copies with this Gaussian noise (0: clean only)")
    p.add_argument("--out", default="laplace", help="prefix of PREFIX_f12.txt and PREFIX_f12.png")

    p = sub.add_parser("critical", help="near-critical F12 (Tab. 4.2): inversion errors and exponents a, b")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--eps", type=float, default=1e-3, help="distance below the critical points")
    p.add_argument("--out", default="laplace", help="prefix of PREFIX_critical.txt and the PNGs")

    p = sub.add_parser("disks", help="MCT F_s(q, t) of Brownian hard disks -> Filon -> inverse")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--packing", type=float, nargs="+", default=None,
                   help="packing fractions (default 0.50 0.60 0.65 0.68 0.69)")
    p.add_argument("--q", type=float, default=6.5, help="wave number (on the grid 0.4 (k + 1/4))")
    p.add_argument("--noise", type=float, default=1e-3,
                   help="also invert noisy copies with this Gaussian noise (0: clean only)")
    p.add_argument("--out", default="laplace", help="prefix of PREFIX_disks.txt and PREFIX_disks.png")

    p = sub.add_parser("brownian", help="F_s(q, t) of a LAMMPS Brownian run -> tail -> Filon -> inverse, "
                       "scored against exp(-D q^2 t)")
    p.add_argument("--model", default=None, help=model_help)
    p.add_argument("--q", type=float, nargs="+", default=[3.0, 6.5], help="wave numbers")
    p.add_argument("--atoms", type=int, default=2000, help="number of particles (2D ideal gas, density 0.5)")
    p.add_argument("--steps", type=int, default=20000, help="number of steps of size 1e-4 (D = 1)")
    p.add_argument("--seed", type=int, default=4711, help="seed of the positions and the Brownian noise")
    p.add_argument("--out", default="laplace", help="prefix of PREFIX_brownian.txt and PREFIX_brownian.png")


def _model(args):
    """The NNLT to compare: --model PATH, the shipped one by default, None for 'none'."""
    if args.model is not None:
        return None if args.model.lower() == "none" else Path(args.model)
    from slowdyn.analysis.nnlt import pretrained_path

    if not pretrained_path().exists():
        print(f"# no pretrained NNLT in this installation ({pretrained_path()}): classical methods only")
        return None
    return pretrained_path()


def _validate(val, out: str) -> list[Path]:
    val.compute()
    print(val.table(), end="")
    return val.write(out)


def _f12(args) -> list[Path]:
    from slowdyn.analysis.laplace_f12 import F12Validation

    return _validate(F12Validation(model=_model(args), noise=args.noise), args.out)


def _critical(args) -> list[Path]:
    from slowdyn.analysis.laplace_critical import CriticalF12Validation

    return _validate(CriticalF12Validation(model=_model(args), eps=args.eps), args.out)


def _disks(args) -> list[Path]:
    from slowdyn.analysis.laplace_hard_disks import PACKING_FRACTIONS, HardDiskValidation

    return _validate(HardDiskValidation(model=_model(args), packing=args.packing or PACKING_FRACTIONS,
                                        q=args.q, noise=args.noise), args.out)


def _brownian(args) -> list[Path]:
    from slowdyn.analysis.laplace_brownian import BrownianSimulationInversion

    sim = {"n_atoms": args.atoms, "steps": args.steps, "seed": args.seed}
    return _validate(BrownianSimulationInversion(model=_model(args), q=args.q, simulation=sim), args.out)


def _report(args) -> list[Path]:
    from slowdyn.analysis.laplace_report import LaplaceReport

    rep = LaplaceReport(model=_model(args), n_functions=args.n, seed=args.seed, noise=args.noise).compute()
    print(rep.table(), end="")
    return rep.write(args.out)


def _train(args) -> list[Path]:
    from slowdyn.analysis.nnlt import NNLTConfig, NNLTTrainer, example_config

    path = Path(args.config)
    cfg = NNLTConfig.from_yaml(path if path.suffix in (".yaml", ".yml") or path.exists()
                               else example_config(args.config))
    if args.epochs is not None:
        cfg.epochs = args.epochs
    if args.threads is not None:
        cfg.num_threads = args.threads
    tr = NNLTTrainer(cfg, out_dir=args.out, resume=not args.no_resume, progress=not args.quiet).run()
    h = tr.history
    if h["epoch"]:
        print(f"epoch {h['epoch'][-1]}: train loss {h['train_loss'][-1]:.4e} "
              f"(MSE {h['train_mse'][-1]:.4e}, logMSE {h['train_logmse'][-1]:.4e}), "
              f"validation loss {h['val_loss'][-1]:.4e} "
              f"(MSE {h['val_mse'][-1]:.4e}, logMSE {h['val_logmse'][-1]:.4e})")
        if "val_extra_mse" in h:
            print(f"extra_data validation: MSE {h['val_extra_mse'][-1]:.4e}, logMSE {h['val_extra_logmse'][-1]:.4e}")
    return [tr.model_path, tr.checkpoint_path, tr.out_dir / "history.json", tr.out_dir / "loss.png"]


def _apply(args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.nnlt import NNLT

    if args.model == "pretrained":
        from slowdyn.analysis.nnlt import pretrained_path

        args.model = pretrained_path()
    nnlt = NNLT.load(args.model)
    data = np.loadtxt(args.input, ndmin=2)
    if args.time_domain:
        from slowdyn.analysis.filon import fourier_laplace

        if data.shape[1] < 2:
            raise SystemExit("slowdyn nnlt apply --time-domain: INPUT needs columns 't f'")
        if args.cut is None:
            if abs(data[-1, 1]) > UNDECAYED * abs(data[0, 1]):
                raise SystemExit(f"slowdyn nnlt apply --time-domain: f ends at {data[-1, 1]:.3g} (t = "
                                 f"{data[-1, 0]:.3g}), above {UNDECAYED:g} f(t0): the data stop before the "
                                 "decay and their transform would miss the tail; give longer data or "
                                 "--cut X to continue them with a fitted exponential below X")
            fhat = fourier_laplace(data[:, 0], data[:, 1], nnlt.omega)
        else:
            from slowdyn.analysis.correlator_tail import TailExtrapolation
            from slowdyn.analysis.laplace_report import tail_transform

            try:
                fhat = tail_transform(data[:, 0], data[:, 1], nnlt.omega,
                                      TailExtrapolation(threshold=args.cut, floor=args.floor))
            except ValueError as err:
                raise SystemExit(f"slowdyn nnlt apply --cut {args.cut:g}: {err}") from err
    else:
        if args.cut is not None:
            raise SystemExit("slowdyn nnlt apply: --cut needs --time-domain input 't f'")
        if data.shape[1] < 3:
            raise SystemExit("slowdyn nnlt apply: INPUT needs columns 'omega Re Im'")
        fhat = nnlt.to_grid(data[:, 1] + 1j * data[:, 2], data[:, 0])
    columns = {"f": nnlt(fhat)}
    if args.refine is not None:
        if not args.refine > 0:
            raise SystemExit(f"slowdyn nnlt apply --refine {args.refine:g}: the weight LAM must be > 0")
        columns["f_refined"] = nnlt.refinement(args.refine).compute(fhat, columns["f"]).f
    if args.tails:
        from slowdyn.analysis.laplace_tails import SpectralTails

        prior = columns.get("f_refined", columns["f"])
        columns["f_tails"] = SpectralTails().compute(nnlt.omega, fhat, nnlt.t, prior).f
    files = [Path(f"{args.out}_nnlt.txt"), Path(f"{args.out}_nnlt.png")]
    np.savetxt(files[0], np.column_stack([nnlt.t, *columns.values()]),
               header=f"NNLT {args.model} applied to {args.input}\ncolumns: t " + " ".join(columns))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {"f": "NNLT", "f_refined": "NNLT refined", "f_tails": "NNLT + NNLS tails"}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, scale in zip(axes, ("linear", "log")):   # right: the tails
        for name, f in columns.items():
            ax.plot(nnlt.t, np.maximum(f, 1e-300), label=labels[name])
        if args.time_domain:
            ax.plot(data[:, 0], data[:, 1], "--", label="input")
        ax.set_xscale("log")
        ax.set_yscale(scale)
        if scale == "log":
            ax.set_ylim(1e-14, 2.0)
        ax.set_xlabel("t")
        ax.set_ylabel("f(t)")
    axes[0].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(files[1], dpi=120)
    plt.close(fig)
    return files


def main(args: argparse.Namespace) -> int:
    actions = {"train": _train, "apply": _apply, "report": _report, "f12": _f12, "critical": _critical,
               "disks": _disks, "brownian": _brownian}
    for path in actions[args.action](args):
        print(path)
    return 0
