"""``slowdyn nnlt apply MODEL INPUT``: invert a transform (or a time-domain correlator) with a
trained NNLT and, on request, the other methods of :func:`slowdyn.analysis.laplace.pipeline.invert`.

The NNLT is trained on normalised correlators, ``f(0) = 1``, and on the
transform ``fhat(omega) = int_0^inf f(t) exp(-i omega t) dt`` (Granz 2026,
§4.2). The input is checked against both before it reaches a method:

- amplitude: ``--f0`` (default ``auto``). In the time domain ``auto`` takes
  f(0) as the first value of the table; the input is divided by it and every
  output column multiplied by it (said on stdout and in the table header).
  In the omega domain ``auto`` assumes ``f(0) = 1`` and refuses an input whose
  high-frequency limit ``Re(i omega fhat)`` (= f(0) for a decaying f) exceeds
  1 by more than 2 %: give ``--f0 VALUE`` to have it normalised and scaled
  back. (A limit below 1 cannot be told apart from components faster than
  1/omega_max, which a normalised input may have.)
- sign convention: a decaying ``f`` has ``Im fhat < 0``; an input with
  ``Im fhat > 0`` at most frequencies is the transform with ``exp(+i omega t)``
  and is refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from slowdyn.cli import SlowdynError

# time-domain input must end below this fraction of its first value
# (the thesis' cut of noisy correlators, §4.2.5), unless --cut continues it
UNDECAYED = 1e-3
# omega-domain input: tolerance on the high-frequency limit Re(i omega fhat) = f(0) = 1
F0_TOLERANCE = 0.02


def read_table(path: Path) -> tuple[np.ndarray, list[str] | None]:
    """A numeric text table and the names of its ``# columns:`` header line (None without one)."""
    from slowdyn.analysis.io.tables import read_header

    names = read_header(path)["columns"]
    try:
        data = np.loadtxt(path, ndmin=2)
    except ValueError as err:
        raise SlowdynError(f"{path}: not a numeric table ({' '.join(str(err).split())})") from err
    if data.size == 0:
        raise SlowdynError(f"{path}: no data rows")
    if not np.all(np.isfinite(data)):
        raise SlowdynError(f"{path}: the table has nan or inf values")
    if names is not None and len(names) != data.shape[1]:
        raise SlowdynError(f"{path}: the '# columns:' header names {len(names)} columns, the rows have "
                           f"{data.shape[1]}")
    return data, names


def time_domain_input(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, str]:
    """``t, f`` of a time-domain table, and a description of the columns used."""
    data, names = read_table(args.input)
    if args.column is not None:
        if names is None:
            raise SlowdynError(f"--column {args.column}: {args.input} has no '# columns:' header line "
                               "(fix sisf/msd files have one); give a two-column table 't f' instead")
        if args.column not in names:
            raise SlowdynError(f"--column {args.column}: not a column of {args.input}; "
                               f"its columns: {' '.join(names)}")
        tname = "time" if "time" in names else names[0]
        t, f = data[:, names.index(tname)], data[:, names.index(args.column)]
        used = f"columns {tname} and {args.column}"
    else:
        if data.shape[1] != 2:
            hint = (f"; its columns: {' '.join(names)}; choose f with --column NAME (e.g. --column "
                    f"{next((n for n in names if n.startswith('fs_')), names[-1])})") if names else ""
            raise SlowdynError(f"{args.input} has {data.shape[1]} columns; --time-domain reads 't f' "
                               f"(2 columns) or, with --column NAME, a table with a '# columns:' header{hint}")
        t, f = data[:, 0], data[:, 1]
        used = "columns 1 (t) and 2 (f)"
    if t[0] < 0 or np.any(np.diff(t) <= 0):
        raise SlowdynError(f"{args.input}: the times must be non-negative and strictly increasing")
    check_time_origin(t, f, args.input)
    return t, f, used


def check_time_origin(t: np.ndarray, f: np.ndarray, src: Path) -> None:
    """Refuse a table that misses the start of the decay.

    The transform integrates from the first time on and ``--f0 auto`` takes the
    first value as f(0): a table may start after t = 0 (a fix sisf/msd lag grid,
    ``time`` = lag dt, or a log grid from 1e-6) only where f has not yet changed
    by more than F0_TOLERANCE: the slope of its first two points times t[0].
    """
    if t[0] == 0:
        return
    drop = abs(f[1] - f[0]) / (t[1] - t[0]) * t[0] / abs(f[0]) if t.size > 1 and f[0] != 0 else np.inf
    if not drop <= F0_TOLERANCE:
        raise SlowdynError(f"{src}: the table starts at t = {t[0]:.4g} (f = {f[0]:.4g}), and f changes by about "
                           f"{min(drop, 9.99):.0%} between t = 0 and there (its initial slope times t), more than "
                           f"{F0_TOLERANCE:.0%}: it misses the start of the decay, so f(0) and the transform would "
                           "be wrong; give the table from t = 0 or sample it more often")


def amplitude_time(f: np.ndarray, f0_opt: str, src: Path) -> float:
    f0 = float(f[0]) if f0_opt == "auto" else float(f0_opt)
    if not (np.isfinite(f0) and f0 > 0):
        raise SlowdynError(f"{src}: f(0) = {f0:g} (the first value): the input must be a correlator "
                           "with f(0) > 0")
    return f0


def check_omega_input(omega: np.ndarray, fhat: np.ndarray, f0_opt: str, src: Path) -> float:
    """Check the sign convention and the amplitude of an omega-domain input; return f(0)."""
    if omega[0] <= 0 or np.any(np.diff(omega) <= 0):
        raise SlowdynError(f"{src}: the frequencies must be positive and strictly increasing "
                           f"(first {omega[0]:g}); the transform at omega = 0 is not used")
    im = fhat.imag
    if not np.any(np.abs(im) > 1e-9 * np.abs(fhat).max()):
        raise SlowdynError(f"{src}: Im fhat = 0 at every frequency, as for the real Laplace transform F(s) = "
                           "int f(t) exp(-s t) dt; slowdyn reads the Fourier-Laplace transform fhat(omega) = "
                           "int f(t) exp(-i omega t) dt ('omega Re Im', Im fhat < 0 for a decaying f), or f(t) "
                           "with --time-domain")
    big = np.abs(im) > 1e-12 * np.abs(im).max() if np.abs(im).max() > 0 else np.zeros(im.shape, bool)
    if np.count_nonzero(im[big] > 0) > np.count_nonzero(im[big] < 0):
        raise SlowdynError(f"{src}: Im fhat > 0 at most frequencies, the transform int f(t) exp(+i omega t) "
                           "dt; slowdyn uses fhat(omega) = int f(t) exp(-i omega t) dt (Im fhat < 0 for a "
                           "decaying f): negate the third column")
    limit = float(-omega[-1] * im[-1])   # Re(i omega fhat) at the largest omega -> f(0)
    if f0_opt != "auto":
        f0 = float(f0_opt)
        if not (np.isfinite(f0) and f0 > 0):
            raise SlowdynError(f"--f0 {f0_opt}: must be > 0")
        return f0
    if limit > 1 + F0_TOLERANCE:
        raise SlowdynError(f"{src}: the input is not normalised: Re(i omega fhat) = {limit:.4g} at omega = "
                           f"{omega[-1]:g}, the high-frequency limit f(0) must be 1; divide by f(0) or pass "
                           f"--f0 {limit:.4g} (the output is then scaled back)")
    return 1.0


def run(args: argparse.Namespace) -> list[Path]:
    from slowdyn.analysis.nnlt import NNLT

    if args.model == "pretrained":
        from slowdyn.analysis.nnlt import pretrained_path

        args.model = pretrained_path()
    elif not Path(args.model).is_file():
        raise SlowdynError(f"model {args.model!r}: no such file (give a model.pt written by 'slowdyn nnlt "
                           "train', or 'pretrained' for the model shipped with slowdyn)")
    if not args.input.is_file():
        raise SlowdynError(f"no such input file: {args.input}")
    if args.refine is not None and not args.refine > 0:
        raise SlowdynError(f"--refine {args.refine:g}: the weight LAM must be > 0")
    if args.f0 != "auto":
        try:
            float(args.f0)
        except ValueError:
            raise SlowdynError(f"--f0 {args.f0}: give 'auto' or a number") from None
    if args.column is not None and not args.time_domain:
        raise SlowdynError("--column needs --time-domain (it chooses f(t) in a table with a '# columns:' header)")
    if args.cut is not None and not args.time_domain:
        raise SlowdynError("--cut needs --time-domain input 't f'")
    nnlt = NNLT.load(args.model)
    data = None
    if args.time_domain:
        from slowdyn.analysis.laplace.filon import fourier_laplace

        t_in, f_in, used = time_domain_input(args)
        f0 = amplitude_time(f_in, args.f0, args.input)
        fn = f_in / f0
        if args.cut is None:
            if abs(fn[-1]) > UNDECAYED:
                raise SlowdynError(f"f ends at {f_in[-1]:.3g} (t = {t_in[-1]:.3g}), above {UNDECAYED:g} f(0) = "
                                   f"{UNDECAYED * f0:.3g}: the data stop before the decay and their transform "
                                   "would miss the tail; give longer data or --cut X to continue them with "
                                   "a fitted exponential below X")
            fhat = fourier_laplace(t_in, fn, nnlt.omega)
        else:
            from slowdyn.analysis.laplace.metrics import tail_transform
            from slowdyn.analysis.laplace.truncation import TailExtrapolation

            try:
                fhat = tail_transform(t_in, fn, nnlt.omega, TailExtrapolation(threshold=args.cut, floor=args.floor))
            except ValueError as err:
                raise SlowdynError(f"--cut {args.cut:g}: {err}") from err
        data = (t_in, f_in)
    else:
        table, _ = read_table(args.input)
        if table.shape[1] != 3:
            raise SlowdynError(f"{args.input} has {table.shape[1]} columns; the omega domain reads "
                               "'omega Re Im' (3 columns); for f(t) add --time-domain")
        omega_in, fhat_in = table[:, 0], table[:, 1] + 1j * table[:, 2]
        f0 = check_omega_input(omega_in, fhat_in, args.f0, args.input)
        used = "columns omega Re Im"
        fhat = nnlt.to_grid(fhat_in / f0, omega_in)
    if f0 != 1.0:
        print(f"# f(0) = {f0:.6g}: the input was divided by it and the output multiplied by it")
    from slowdyn.analysis.laplace.filon import fourier_laplace
    from slowdyn.analysis.laplace.pipeline import METHOD_LABELS, invert_many
    from slowdyn.analysis.laplace.refine import DEFAULT_LAM

    methods = list(dict.fromkeys(args.method or ["nnlt"]))
    if args.refine is not None and "nnlt_refined" not in methods:
        methods.append("nnlt_refined")
    if args.tails and "nnlt_tails" not in methods:
        methods.append("nnlt_tails")
    lam = DEFAULT_LAM if args.refine is None else args.refine
    names = {m: "f" if m == "nnlt" else "f_" + m.removeprefix("nnlt_") for m in methods}
    inverted = invert_many(fhat, methods=methods, model=nnlt, lam=lam)
    normalised = {names[m]: inverted[m][1] for m in methods}
    columns = {name: f0 * f for name, f in normalised.items()}
    from slowdyn.cli import out_folder

    out = out_folder(args.out)
    files = [out / "nnlt.txt", out / "nnlt.png"]
    np.savetxt(files[0], np.column_stack([nnlt.t, *columns.values()]),
               header=f"NNLT {args.model} applied to {args.input} ({used})\n"
                      f"f(0) = {f0:.10g} ({'given' if args.f0 != 'auto' else 'auto'}; input divided by it, "
                      "output multiplied by it)\ncolumns: t " + " ".join(columns))
    # the forward transform of each output against the (normalised) input: a mismatch is visible
    check = {name: np.abs(fourier_laplace(nnlt.t, f, nnlt.omega) - fhat) / np.abs(fhat)
             for name, f in normalised.items()}
    files.append(out / "nnlt_check.txt")
    np.savetxt(files[-1], np.column_stack([nnlt.omega, fhat.real, fhat.imag, *check.values()]),
               header=f"forward-transform check of {files[0]}: |Filon(f / f(0)) - fhat| / |fhat| on the model's "
                      "omega grid (fhat: the normalised input there)\ncolumns: omega Re_fhat Im_fhat "
                      + " ".join(f"check_{name}" for name in check))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {names[m]: METHOD_LABELS[m] for m in methods}
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
    for ax, scale in zip(axes, ("linear", "log")):   # middle: the tails
        for name, f in columns.items():
            ax.plot(nnlt.t, np.maximum(f, 1e-300), label=labels[name])
        if data is not None:
            ax.plot(data[0], data[1], "--", label="input")
        ax.set_xscale("log")
        ax.set_yscale(scale)
        if scale == "log":
            ax.set_ylim(1e-14 * f0, 2.0 * f0)
        ax.set_xlabel("t")
        ax.set_ylabel("f(t)")
    axes[0].legend(fontsize="small")
    for name, err in check.items():
        axes[2].plot(nnlt.omega, np.maximum(err, 1e-16), label=labels[name])
    axes[2].set_xscale("log")
    axes[2].set_yscale("log")
    axes[2].set_xlabel(r"$\omega$")
    axes[2].set_ylabel(r"$|\mathrm{Filon}(f) - \hat f\,| / |\hat f\,|$")
    axes[2].set_title("forward-transform check", fontsize="small")
    fig.tight_layout()
    fig.savefig(files[1], dpi=120)
    plt.close(fig)
    return files
