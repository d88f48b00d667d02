"""``slowdyn observe KIND ...``: observables as text tables and PNG plots.

Kinds: ``selfdyn`` (MSD, alpha2, F_s from a dump, fix sisf/msd lag grid),
``sisf`` (plot a fix sisf/msd file), ``structure`` (g(r), S(q)),
``voronoi`` (Voronoi neighbour statistics) and ``energy`` (NVE energy
conservation over timesteps). Every kind writes ``PREFIX_<name>.txt`` and
``PREFIX_<name>.png``. Heavy imports happen only in the chosen kind.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kind", required=True)

    p = sub.add_parser("selfdyn", help="MSD, alpha2 and F_s(q,t) from a dump (xu yu zu)")
    p.add_argument("dump", type=Path)
    p.add_argument("--q", type=float, nargs="+", default=[7.25])
    p.add_argument("--timestep", type=float, default=None, help="dt (default: time in steps)")
    p.add_argument("--nlen", type=int, default=8)
    p.add_argument("--ncount", type=int, default=2)
    p.add_argument("--ncorr", type=int, default=20)
    p.add_argument("--all-origins", action="store_true", help="every frame is a time origin")
    p.add_argument("--com", action="store_true", help="remove the centre-of-mass drift")

    p = sub.add_parser("sisf", help="plot a fix sisf/msd output file")
    p.add_argument("file", type=Path)

    p = sub.add_parser("structure", help="total and partial g(r) and S(q) from a dump")
    p.add_argument("dump", type=Path)
    p.add_argument("--rmax", type=float, default=4.0)
    p.add_argument("--kmax", type=float, default=20.0)
    p.add_argument("--bins", type=int, default=200)
    p.add_argument("--every", type=int, default=1, help="use every n-th frame")
    p.add_argument("--no-sq", action="store_true", help="g(r) only")

    p = sub.add_parser("voronoi", help="Voronoi neighbour count and distances per particle")
    p.add_argument("dump", type=Path)
    p.add_argument("--every", type=int, default=1)

    p = sub.add_parser("energy", help="std of E_tot vs dt in NVE runs of a deck, fitted exponent")
    p.add_argument("deck", type=Path)
    p.add_argument("--dt", type=float, nargs="+", required=True)
    p.add_argument("-var", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    p.add_argument("--workdir", type=Path, default=Path("observe_energy"))

    for name, sp in sub.choices.items():
        sp.add_argument("--out", default="observe", help="prefix of the output files")
        sp.add_argument("--dim", type=int, choices=(2, 3), default=3)


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("slowdyn observe needs matplotlib: pip install 'slowdyn[analysis]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save_curves(path: Path, x, curves: dict, xlabel: str, ylabel: str, logx=False, logy=False):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for label, y in curves.items():
        ax.plot(x, y, label=label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _selfdyn_plots(out: str, time, blocks: list[str], msd: dict, fs: dict, q) -> list[Path]:
    files = [Path(f"{out}_msd.png"), Path(f"{out}_fs.png")]
    _save_curves(files[0], time, {f"type {b}" if b != "all" else "all": msd[b] for b in blocks},
                 "t", "MSD", logx=True, logy=True)
    curves = {}
    for b in blocks:
        for iq, qv in enumerate(q):
            curves[f"{b}, q={qv:g}"] = fs[b][:, iq]
    _save_curves(files[1], time, curves, "t", r"$F_s(q,t)$", logx=True)
    return files


def _selfdyn(args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.observables.selfdyn import SelfDynamics
    from slowdyn.analysis.io.dump import read_dump

    traj = read_dump(args.dump)
    steps = np.diff(traj.steps)
    if len(steps) == 0 or np.any(steps != steps[0]):
        raise SystemExit("slowdyn observe selfdyn: the dump frames must be equally spaced")
    res = SelfDynamics(q=tuple(args.q), dim=args.dim, nlen=args.nlen, ncount=args.ncount,
                       ncorr=args.ncorr, all_origins=args.all_origins, com=args.com).compute(
        traj.positions, traj.types).results
    lag_steps = res["lag"] * steps[0]
    time = lag_steps * (args.timestep if args.timestep else 1.0)
    blocks = [k[4:] for k in res if k.startswith("msd_")]
    cols, names = [lag_steps, time, res["norigin"]], ["lag", "time", "norigin"]
    for b in blocks:
        cols += [res[f"msd_{b}"], res[f"alpha2_{b}"]] + [res[f"fs_{b}"][:, i] for i in range(len(args.q))]
        names += [f"msd_{b}", f"alpha2_{b}"] + [f"fs_{b}_q{i + 1}" for i in range(len(args.q))]
    table = Path(f"{args.out}_selfdyn.txt")
    np.savetxt(table, np.column_stack(cols),
               header=f"self dynamics of {args.dump}\nq: {' '.join(map(str, args.q))}\n"
                      f"columns: {' '.join(names)}")
    return [table] + _selfdyn_plots(args.out, time, blocks,
                                     {b: res[f"msd_{b}"] for b in blocks},
                                     {b: res[f"fs_{b}"] for b in blocks}, args.q)


def _sisf(args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.io import read_sisf

    res = read_sisf(args.file)
    q = res["q"]
    table = Path(f"{args.out}_sisf.txt")
    table.write_text(Path(args.file).read_text())
    fs = {b: np.column_stack([res[f"fs_{b}_q{i + 1}"] for i in range(len(q))]) for b in res["types"]}
    return [table] + _selfdyn_plots(args.out, res["time"], res["types"],
                                     {b: res[f"msd_{b}"] for b in res["types"]}, fs, q)


def _structure(args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.observables.structure import Structure
    from slowdyn.analysis.io.dump import read_dump

    traj = read_dump(args.dump)
    sel = slice(None, None, args.every)
    st = Structure(r_max=args.rmax, bins=args.bins, k_max=args.kmax, dim=args.dim).compute(
        list(traj.positions[sel]), traj.types, list(traj.cells[sel]), structure_factor=not args.no_sq)
    label = {k: ("all" if k == "all" else f"{k[0]}-{k[1]}") for k in st.rdf}
    files = [Path(f"{args.out}_gr.txt"), Path(f"{args.out}_gr.png")]
    np.savetxt(files[0], np.column_stack([st.r] + [st.rdf[k] for k in st.rdf]),
               header="columns: r " + " ".join(f"g_{label[k]}" for k in st.rdf))
    _save_curves(files[1], st.r, {label[k]: v for k, v in st.rdf.items()}, "r", "g(r)")
    if not args.no_sq:
        files += [Path(f"{args.out}_sq.txt"), Path(f"{args.out}_sq.png")]
        np.savetxt(files[2], np.column_stack([st.k] + [st.sq[k] for k in st.sq]),
                   header="columns: q " + " ".join(f"S_{label[k]}" for k in st.sq))
        _save_curves(files[3], st.k, {label[k]: v for k, v in st.sq.items()}, "q", "S(q)")
    return files


def _voronoi(args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.io.dump import read_dump
    from slowdyn.analysis.observables.voronoi import VoronoiNeighbours

    traj = read_dump(args.dump)
    sel = slice(None, None, args.every)
    vn = VoronoiNeighbours(dim=args.dim).compute(list(traj.positions[sel]), list(traj.cells[sel]))
    d = vn.per_particle
    summary = vn.summary()
    head = "\n".join(f"{k}: mean {v['mean']:.6g} std {v['std']:.6g} min {v['min']:.6g} "
                     f"max {v['max']:.6g}" for k, v in summary.items())
    files = [Path(f"{args.out}_voronoi.txt"), Path(f"{args.out}_voronoi.png")]
    np.savetxt(files[0], np.column_stack([d["count"], d["dmin"], d["dmean"], d["dmax"]]),
               header=head + "\ncolumns: count dmin dmean dmax (one row per particle and frame)")
    values, freq = vn.count_histogram()
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    axes[0].bar(values, freq)
    axes[0].set_xlabel("Voronoi neighbours")
    axes[0].set_ylabel("fraction")
    for key in ("dmin", "dmean", "dmax"):
        axes[1].hist(d[key], bins=50, histtype="step", density=True, label=key)
    axes[1].set_xlabel("neighbour distance")
    axes[1].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(files[1], dpi=120)
    plt.close(fig)
    return files


def _energy(args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.observables.energy import EnergyConservation
    from slowdyn.runs.nve import run_nve_scan

    series = run_nve_scan(args.deck, args.dt, dict(args.var), args.workdir)
    ec = EnergyConservation().compute(series)
    files = [Path(f"{args.out}_energy.txt"), Path(f"{args.out}_energy.png")]
    np.savetxt(files[0], ec.table, header=f"NVE runs of {args.deck}\n"
               f"fit: std(E_tot) = {ec.prefactor:.6g} dt^{ec.exponent:.4f}\ncolumns: dt std_etotal")
    ec.plot().savefig(files[1], dpi=120)
    print(f"std(E_tot) ~ dt^{ec.exponent:.3f}")
    return files


def main(args: argparse.Namespace) -> int:
    handlers = {"selfdyn": _selfdyn, "sisf": _sisf, "structure": _structure,
                "voronoi": _voronoi, "energy": _energy}
    for path in handlers[args.kind](args):
        print(path)
    return 0
