"""``slowdyn nnlt apply MODEL INPUT``: invert a transform (or a time-domain correlator) with a
trained NNLT and, on request, the other methods of :func:`slowdyn.analysis.laplace.pipeline.invert`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

# time-domain input must end below this fraction of its first value
# (the thesis' cut of noisy correlators, §4.2.5), unless --cut continues it
UNDECAYED = 1e-3


def run(args: argparse.Namespace) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.nnlt import NNLT

    if args.model == "pretrained":
        from slowdyn.analysis.nnlt import pretrained_path

        args.model = pretrained_path()
    nnlt = NNLT.load(args.model)
    data = np.loadtxt(args.input, ndmin=2)
    if args.time_domain:
        from slowdyn.analysis.laplace.filon import fourier_laplace

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
            from slowdyn.analysis.laplace.truncation import TailExtrapolation
            from slowdyn.analysis.laplace.metrics import tail_transform

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
    from slowdyn.analysis.laplace.pipeline import METHOD_LABELS, invert
    from slowdyn.analysis.laplace.refine import DEFAULT_LAM

    methods = list(dict.fromkeys(args.method or ["nnlt"]))
    if args.refine is not None and not args.refine > 0:
        raise SystemExit(f"slowdyn nnlt apply --refine {args.refine:g}: the weight LAM must be > 0")
    if args.refine is not None and "nnlt_refined" not in methods:
        methods.append("nnlt_refined")
    if args.tails and "nnlt_tails" not in methods:
        methods.append("nnlt_tails")
    lam = DEFAULT_LAM if args.refine is None else args.refine
    names = {m: "f" if m == "nnlt" else "f_" + m.removeprefix("nnlt_") for m in methods}
    columns = {names[m]: invert(fhat, method=m, model=nnlt, lam=lam)[1] for m in methods}
    files = [Path(f"{args.out}_nnlt.txt"), Path(f"{args.out}_nnlt.png")]
    np.savetxt(files[0], np.column_stack([nnlt.t, *columns.values()]),
               header=f"NNLT {args.model} applied to {args.input}\ncolumns: t " + " ".join(columns))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {names[m]: METHOD_LABELS[m] for m in methods}
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


