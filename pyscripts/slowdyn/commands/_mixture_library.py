"""``slowdyn mixture`` actions of the group 'library' (see :mod:`slowdyn.commands.mixture`).

- ``library GRID.yaml --out LIB [--partition M] [--only NAME ...]``: run the grid's
  unfinished states (Kob-Andersen LJ / WCA) and write LIB/<state>/{state.json, sk.dat, fs.dat}
  (:mod:`slowdyn.runs.statepoints`);
- ``library-show LIB [--need-fs] [--all]``: one line per state of a library (checks it reads).
"""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this group's actions to ``slowdyn mixture`` (each with ``set_defaults(run=FUNC)``)."""
    from slowdyn.cli import HelpFormatter  # noqa: PLC0415

    p = sub.add_parser("library", formatter_class=HelpFormatter,
                       help="build the state-point library (KA LJ / WCA runs, S^ab(k), F_s(k_p, t)) from a YAML grid",
                       description="Run every state of GRID that LIB does not hold yet with "
                                   "inputs/kob_andersen/in.kob_andersen and write LIB/<state>/state.json, sk.dat "
                                   "(partial S^ab(k), 100 wave numbers up to 40) and fs.dat (F_s^aa(k_p, t), "
                                   "F_s(k_p, 0) = S^aa(k_p)). Crystallised states (ten Wolde-Frenkel solid "
                                   "fraction of the A particles above solid_max) are written with status "
                                   "'crystallised' and left out by readers. Grid keys: see "
                                   "inputs/kob_andersen/grids/small.yaml.")
    p.add_argument("grid", help="YAML grid file (potentials, densities, temperatures, N, neq, nrun, dt, seed, ...)")
    p.add_argument("--out", required=True, help="library folder (created; finished states are skipped)")
    p.add_argument("--partition", type=int, default=1, metavar="M",
                   help="run M states at a time as 'mpirun -np M lmp -partition Mx1' (1: one after the other)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only the states whose name contains one of these")
    p.add_argument("--work", help="folder of the LAMMPS runs (default: LIB/.work)")
    p.add_argument("--keep", action="store_true", help="keep the runs' files (trajectory, sisf.dat, log)")
    p.add_argument("--deck", help="the Kob-Andersen deck (default: inputs/kob_andersen/in.kob_andersen)")
    p.add_argument("--list", action="store_true", help="only list the grid's states and whether LIB holds them")
    p.set_defaults(run=run_library)

    p = sub.add_parser("library-show", formatter_class=HelpFormatter, help="list the states of a library",
                       description="One line per state of LIB (potential, rho, T, N, k_p, S_AA(k_p), "
                                   "whether F_s decayed); an unreadable state is a one-line error.")
    p.add_argument("lib", help="library folder")
    p.add_argument("--need-fs", action="store_true", help="error if a state has no fs.dat")
    p.add_argument("--all", action="store_true", help="also crystallised (not ok) states")
    p.add_argument("--plot", metavar="PNG", help="also draw S^AA(k) and F_s^AA(k_p, t) / S^AA(k_p) of every state, "
                                                   "one row per potential and density")
    p.set_defaults(run=run_show)


def run_library(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from slowdyn.cli import LammpsRunError  # noqa: PLC0415
    from slowdyn.runs.statepoints import build_library, is_done, read_grid  # noqa: PLC0415

    grid = read_grid(args.grid)
    if args.list:
        for s in grid.states:
            done = "done" if is_done(Path(args.out), s.name) else "todo"
            print(f"{s.name:28s} N {s.N:5d} neq {s.neq:8d} nrun {s.nrun:8d} dt {s.dt:g}  {done}")
        return 0
    print(f"{grid.path}: {len(grid.states)} states -> {args.out}", flush=True)
    try:
        written = build_library(grid, args.out, work=args.work, partition=args.partition, only=args.only,
                                deck=args.deck, keep=args.keep, progress=lambda msg: print(msg, flush=True))
    except RuntimeError as err:
        raise LammpsRunError(str(err)) from None
    print(f"wrote {len(written)} states to {args.out}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from slowdyn.analysis.io.statepoints import load_library  # noqa: PLC0415

    states = load_library(args.lib, all_states=args.all, need_dynamics=args.need_fs)
    for s in states:
        ip = int(abs(s.k - s.kp).argmin())
        decayed = s.meta.get("decayed")
        fs = "no F_s" if not s.has_dynamics else f"F_s decayed: {decayed}"
        print(f"{s.name:28s} {s.potential:3s} rho {s.rho:5.2f} T {s.T:7.4f} N {s.N:5d} k_p {s.kp:5.2f} "
              f"S_AA(k_p) {s.S[0, ip]:6.3f} {s.status:12s} {fs}")
    print(f"{len(states)} states in {args.lib}")
    if args.plot:
        print(f"wrote {plot_library(states, args.plot)}")
    return 0


def plot_library(states: list, path: str) -> str:
    """S^AA(k) (left) and phi_s^A(k_p, t) = F_s^AA / S^AA(k_p) (right) per (potential, rho), colour = T."""
    import numpy as np  # noqa: PLC0415

    from slowdyn.common.plotting import subplots  # noqa: PLC0415

    groups = sorted({(s.potential, s.rho) for s in states})
    fig, axes = subplots(len(groups), 2, figsize=(8, 2.4 * len(groups)), squeeze=False)
    for row, (pot, rho) in zip(axes, groups):
        members = sorted((s for s in states if (s.potential, s.rho) == (pot, rho)), key=lambda s: s.T)
        colours = [(0.1 + 0.8 * i / max(1, len(members) - 1), 0.2, 0.9 - 0.8 * i / max(1, len(members) - 1))
                   for i in range(len(members))]
        for s, c in zip(members, colours):
            row[0].plot(s.k, s.S[0], color=c, lw=1, label=f"T = {s.T:g}")
            if s.has_dynamics:
                ip = int(np.argmin(abs(s.k - s.kp)))
                row[1].semilogx(s.t, s.fs[0] / s.S[0, ip], color=c, lw=1)
        row[0].set_xlim(0, 20)
        row[0].set_ylabel(f"{pot.upper()} rho {rho:g}\nS_AA(k)")
        row[1].set_ylabel("F_s^AA(k_p,t) / S_AA(k_p)")
        row[0].legend(fontsize="x-small", ncol=2)
    axes[-1, 0].set_xlabel("k")
    axes[-1, 1].set_xlabel("t")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    return path
