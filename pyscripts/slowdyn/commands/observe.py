"""``slowdyn observe KIND ...``: observables as text tables and PNG plots.

Kinds: ``selfdyn`` (MSD, alpha2, F_s from a dump, fix sisf/msd lag grid),
``sisf`` (plot a fix sisf/msd file), ``structure`` (g(r), S(q)),
``voronoi`` (Voronoi neighbour statistics) and ``energy`` (NVE energy
conservation over timesteps). Every kind writes ``OUT/<name>.txt`` and
``OUT/<name>.png`` into the folder ``--out`` (created if missing; default
``observe``). Heavy imports happen only in the chosen kind.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from slowdyn.cli import HelpFormatter, LammpsRunError, SlowdynError, out_folder, print_files

DIM_HELP = "dimension of the system (default: 2 if every z coordinate of frame 0 is equal, else 3)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    fmt = HelpFormatter

    p = sub.add_parser("selfdyn", formatter_class=fmt,
                       help="MSD, alpha2 and F_s(q,t) from a dump (id type xu yu zu, or x y z ix iy iz)",
                       description="MSD, alpha2(t) and F_s(q,t) of a LAMMPS text dump on the lag grid of "
                                   "fix sisf/msd. The dump needs 'id type' and unwrapped coordinates "
                                   "('xu yu zu'), or wrapped ones with image flags ('x y z ix iy iz'); its "
                                   "frames must be equally spaced in time.")
    p.add_argument("dump", type=Path, help="LAMMPS text dump (dump custom)")
    p.add_argument("--q", type=float, nargs="+", default=[7.25], help="wave numbers of F_s(q,t)")
    p.add_argument("--timestep", type=float, default=None,
                   help="timestep dt of the run: times in LJ units (default: times in steps)")
    p.add_argument("--nlen", type=int, default=8, help="lags per level of the grid (as fix sisf/msd nlen)")
    p.add_argument("--ncount", type=int, default=2, help="ratio between levels (as fix sisf/msd ncount)")
    p.add_argument("--ncorr", type=int, default=20, help="number of levels (as fix sisf/msd ncorr)")
    p.add_argument("--all-origins", action="store_true",
                   help="every frame is a time origin (default: the origins of fix sisf/msd)")
    p.add_argument("--com", action="store_true", help="remove the centre-of-mass drift of every frame")
    p.add_argument("--dim", type=int, choices=(2, 3), default=None, help=DIM_HELP)

    p = sub.add_parser("sisf", formatter_class=fmt, help="plot a fix sisf/msd output file (MSD and F_s PNGs)",
                       description="MSD(t) and F_s(q,t) plots of a fix sisf/msd output file; the dimension "
                                   "and the wave numbers come from its header.")
    p.add_argument("file", type=Path, help="file written by fix sisf/msd (with its '# columns:' header)")

    p = sub.add_parser("structure", formatter_class=fmt, help="total and partial g(r) and S(q) from a dump",
                       description="Total and partial radial distribution functions g(r) and structure "
                                   "factors S(q) (freud) of a LAMMPS text dump.")
    p.add_argument("dump", type=Path, help="LAMMPS text dump (dump custom with id type and coordinates)")
    p.add_argument("--rmax", type=float, default=4.0, help="largest distance of g(r)")
    p.add_argument("--kmax", type=float, default=20.0, help="largest wave number of S(q)")
    p.add_argument("--bins", type=int, default=200, help="number of bins of g(r) and S(q)")
    p.add_argument("--every", type=int, default=1, help="use every n-th frame")
    p.add_argument("--no-sq", action="store_true", help="g(r) only")
    p.add_argument("--dim", type=int, choices=(2, 3), default=None, help=DIM_HELP)

    p = sub.add_parser("voronoi", formatter_class=fmt, help="Voronoi neighbour count and distances per particle",
                       description="Number of Voronoi neighbours and the distances to them, per particle "
                                   "and frame, of a LAMMPS text dump.")
    p.add_argument("dump", type=Path, help="LAMMPS text dump (dump custom with id type and coordinates)")
    p.add_argument("--every", type=int, default=1, help="use every n-th frame")
    p.add_argument("--dim", type=int, choices=(2, 3), default=None, help=DIM_HELP)

    p = sub.add_parser("energy", formatter_class=fmt,
                       help="std of E_tot vs dt in NVE runs of a deck, fitted exponent",
                       description="Runs DECK once per timestep (-var dt) with lmp and fits the standard "
                                   "deviation of the total energy of its last (NVE) run to A dt^k "
                                   "(k = 2 for a symplectic integrator).")
    p.add_argument("deck", type=Path, help="LAMMPS input deck taking -var dt, ending with an NVE run")
    p.add_argument("--dt", type=float, nargs="+", required=True, help="timesteps, one run each")
    p.add_argument("-var", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="further -var settings of the deck (repeatable)")
    p.add_argument("--workdir", type=Path, default=Path("observe_energy"),
                   help="folder of the runs' logs and outputs")

    for sp in sub.choices.values():
        sp.add_argument("--out", type=Path, default=Path("observe"),
                        help="output folder (created if missing): OUT/<name>.txt and OUT/<name>.png")


def out_path(out: Path, name: str) -> Path:
    """``out/name``; the folder ``out`` is created if missing."""
    return out_folder(out) / name


def _dim(args, traj) -> int:
    if args.dim is not None:
        return args.dim
    z = traj.positions[0][:, 2]
    return 2 if z.size and z.min() == z.max() else 3


def _save_curves(path: Path, x, curves: dict, xlabel: str, ylabel: str, logx=False, logy=False, title=""):
    from slowdyn.common.plotting import subplots

    fig, ax = subplots(figsize=(5, 3.6))
    for label, y in curves.items():
        ax.plot(x, y, label=label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title, fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _selfdyn_plots(out: Path, time, blocks: list[str], msd: dict, fs: dict, q, tlabel: str = "t",
                   title: str = "") -> list[Path]:
    import numpy as np

    files = []
    pos = np.asarray(time) > 0   # log axes
    if any(b in msd for b in blocks):   # blocks without an MSD (not measured) are left out
        files.append(out_path(out, "msd.png"))
        _save_curves(files[-1], np.asarray(time)[pos],
                     {f"type {b}" if b != "all" else "all": np.asarray(msd[b])[pos] for b in blocks if b in msd},
                     tlabel, "MSD", logx=True, logy=True, title=title)
    curves = {}
    for b in blocks:
        for iq, qv in enumerate(q):
            curves[f"{b}, q={qv:g}"] = fs[b][:, iq]
    files.append(out_path(out, "fs.png"))
    _save_curves(files[-1], np.asarray(time)[pos], {k: np.asarray(v)[pos] for k, v in curves.items()},
                 tlabel, r"$F_s(q,t)$", logx=True, title=title)
    return files


def _selfdyn(args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.observables.selfdyn import SelfDynamics
    from slowdyn.analysis.io.dump import read_dump

    if any(q <= 0 for q in args.q):
        raise SlowdynError(f"--q {' '.join(map(str, args.q))}: wave numbers must be > 0")
    if args.timestep is not None and not args.timestep > 0:
        raise SlowdynError(f"--timestep {args.timestep:g}: must be > 0")
    traj = read_dump(args.dump)
    steps = np.diff(traj.steps)
    if len(steps) == 0:
        raise SlowdynError(f"{args.dump} has a single frame: the self dynamics need a trajectory")
    if np.any(steps != steps[0]) or steps[0] <= 0:
        raise SlowdynError(f"the frames of {args.dump} are not equally spaced (steps {traj.steps[0]}, "
                           f"{traj.steps[1]}, ...): dump every N steps in one run")
    res = SelfDynamics(q=tuple(args.q), dim=_dim(args, traj), nlen=args.nlen, ncount=args.ncount,
                       ncorr=args.ncorr, all_origins=args.all_origins, com=args.com).compute(traj).results
    lag_steps = res["lag"] * steps[0]
    time = lag_steps * (args.timestep if args.timestep else 1.0)
    blocks = [k[4:] for k in res if k.startswith("msd_")]
    cols, names = [lag_steps, time, res["norigin"]], ["lag", "time", "norigin"]
    for b in blocks:
        cols += [res[f"msd_{b}"], res[f"alpha2_{b}"]] + [res[f"fs_{b}"][:, i] for i in range(len(args.q))]
        names += [f"msd_{b}", f"alpha2_{b}"] + [f"fs_{b}_q{i + 1}" for i in range(len(args.q))]
    table = out_path(args.out, "selfdyn.txt")
    np.savetxt(table, np.column_stack(cols),
               header=f"self dynamics of {args.dump}\nq: {' '.join(map(str, args.q))}\n"
                      f"columns: {' '.join(names)}")
    return [table] + _selfdyn_plots(args.out, time, blocks,
                                     {b: res[f"msd_{b}"] for b in blocks},
                                     {b: res[f"fs_{b}"] for b in blocks}, args.q,
                                     "t" if args.timestep else "t (steps)", str(args.dump))


def _sisf(args) -> list[Path]:
    import numpy as np

    from slowdyn.analysis.io import read_sisf

    res = read_sisf(args.file)
    q = res["q"]
    if len(res["time"]) == 0:
        raise SlowdynError(f"{args.file} has no lag rows yet (the run ended before the first lag)")
    msd = {b: res[f"msd_{b}"] for b in res["types"] if not np.isnan(res[f"msd_{b}"]).all()}
    if len(msd) < len(res["types"]):   # read_sisf allows columns that are nan throughout (MCT SISFs carry no MSD)
        import warnings

        unmeasured = " ".join(f"msd_{b}" for b in res["types"] if b not in msd)
        warnings.warn(f"{args.file}: {unmeasured} is nan throughout (not measured): left out of the plots",
                      stacklevel=1)
    fs = {b: np.column_stack([res[f"fs_{b}_q{i + 1}"] for i in range(len(q))]) for b in res["types"]}
    return _selfdyn_plots(args.out, res["time"], res["types"], msd, fs, q, title=str(args.file))


def _structure(args) -> list[Path]:

    from slowdyn.analysis.observables.structure import Structure
    from slowdyn.analysis.io.dump import read_dump

    traj = read_dump(args.dump)
    sel = slice(None, None, args.every)
    st = Structure(r_max=args.rmax, bins=args.bins, k_max=args.kmax, dim=_dim(args, traj)).compute(
        list(traj.positions[sel]), traj.types, list(traj.cells[sel]), structure_factor=not args.no_sq)
    return st.write(out_folder(args.out))


def _voronoi(args) -> list[Path]:

    from slowdyn.analysis.io.dump import read_dump
    from slowdyn.analysis.observables.voronoi import VoronoiNeighbours

    traj = read_dump(args.dump)
    sel = slice(None, None, args.every)
    vn = VoronoiNeighbours(dim=_dim(args, traj)).compute(list(traj.positions[sel]), list(traj.cells[sel]))
    return vn.write(out_folder(args.out))


def _energy(args) -> list[Path]:

    from slowdyn.analysis.observables.energy import EnergyConservation
    from slowdyn.runs.nve import run_nve_scan

    if not args.deck.is_file():
        raise SlowdynError(f"no such input deck: {args.deck}")
    try:
        series = run_nve_scan(args.deck, args.dt, dict(args.var), args.workdir)
    except RuntimeError as err:
        raise LammpsRunError(str(err)) from err
    ec = EnergyConservation().compute(series)
    print(f"std(E_tot) ~ dt^{ec.exponent:.3f}")
    return ec.write(out_folder(args.out), source=str(args.deck))


def _check_positive(args: argparse.Namespace) -> None:
    for name in ("nlen", "ncount", "ncorr", "every", "bins", "rmax", "kmax"):
        value = getattr(args, name, None)
        if value is not None and not value > 0:
            raise SlowdynError(f"--{name} {value}: must be > 0")
    if getattr(args, "dt", None) and any(not dt > 0 for dt in args.dt):
        raise SlowdynError(f"--dt {' '.join(map(str, args.dt))}: timesteps must be > 0")


def main(args: argparse.Namespace) -> int:
    _check_positive(args)
    handlers = {"selfdyn": _selfdyn, "sisf": _sisf, "structure": _structure,
                "voronoi": _voronoi, "energy": _energy}
    print_files(args, handlers[args.kind](args))
    return 0
