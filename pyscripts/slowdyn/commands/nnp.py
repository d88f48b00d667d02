"""``slowdyn nnp {data,train,evaluate}``: neural-network potentials from our decks.

``data CONFIG.yaml``      sample a training data set (extxyz + DeePMD npy), see doc/nnp.md
``train CONFIG.yaml``     train a potential (``--backend knn|deepmd|nequip``)
``evaluate DATASET``      reference vs any LAMMPS pair style on held-out frames, MD comparisons
``build-plugin``          compile ``pair_style nequip`` (slowdynnequipplugin.so) against the installed torch

``--out`` is a folder in every action (``build-plugin``: the folder of the
library, whose name the plugin loader fixes); ``--quiet`` hides the progress
bars.

Under ``mpirun -np N slowdyn nnp data ...`` the state points are shared out
over the ranks (one LAMMPS per rank).  Heavy imports happen in the chosen
subcommand only.
"""

from __future__ import annotations

import argparse
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

BACKENDS = ("knn", "deepmd", "nequip")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)

    p = sub.add_parser("data", help="sample configurations over a state-point grid")
    p.add_argument("config", type=Path, help="YAML config (system, grid, protocol, split)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: the config's name)")

    p = sub.add_parser("train", help="train a potential on a data set")
    p.add_argument("config", type=Path, help="YAML training config of the backend")
    p.add_argument("--backend", choices=BACKENDS, default="knn")
    p.add_argument("--out", type=Path, default=None, help="output folder")
    p.add_argument("--no-resume", action="store_true", help="start afresh even if a checkpoint exists")

    p = sub.add_parser("evaluate", help="reference vs a pair style on held-out frames (+ MD comparisons)")
    p.add_argument("dataset", type=Path, help="data-set folder written by `slowdyn nnp data`")
    p.add_argument("--pair-style", required=True, help="arguments of pair_style of the potential to judge")
    p.add_argument("--pair-coeff", action="append", default=None,
                   help="arguments of one pair_coeff line (repeat; default: '* *')")
    p.add_argument("--lammps-command", dest="lammps_commands", action="append", default=[],
                   help="further LAMMPS command after pair_coeff (repeat), e.g. 'plugin load ...'")
    p.add_argument("--units", default=None,
                   help="LAMMPS units of the potential (default: the data set's; pair_style deepmd "
                        "refuses 'lj': use metal, whose eV and Angstrom carry the same numbers)")
    p.add_argument("--split", default="test", choices=("train", "valid", "test"))
    p.add_argument("--max-frames", type=int, default=None, help="evaluate at most this many frames")
    p.add_argument("--label", default="NNP", help="name of the potential in plots and tables")
    p.add_argument("--md", type=float, nargs=2, metavar=("T", "RHO"), default=None,
                   help="also run MD with both potentials at this state point: g(r) and SISF figures")
    p.add_argument("--md-steps", type=int, default=20000)
    p.add_argument("--md-atoms", type=int, default=None, help="atoms of the MD runs (default: data set's)")
    p.add_argument("--q", type=float, default=7.25, help="wave number of the SISF")
    p.add_argument("--energy-dt", type=float, nargs="+", default=None,
                   help="NVE energy-fluctuation scan over these timesteps (needs --md for the state point)")
    p.add_argument("--probe", type=float, nargs=2, metavar=("RMIN", "RMAX"), default=None,
                   help="two- and three-body probes of both potentials over this distance range")
    p.add_argument("--out", type=Path, default=Path("nnp_evaluate"),
                   help="output folder (metrics, parity/histogram plots, summary.json, md/)")

    p = sub.add_parser("build-plugin", help="compile pair_style nequip against the installed torch wheel")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder of the library, whose name the plugin loader fixes (default: inside "
                        "the installed package, where lmp finds it; elsewhere set SLOWDYN_NEQUIP_PLUGIN_DIR "
                        "to it)")
    p.add_argument("--cxx", default=None, help="C++ compiler (default: $CXX, c++, g++)")


def main(args: argparse.Namespace) -> int:
    if args.action == "data":
        return _data(args)
    if args.action == "train":
        return _train(args)
    if args.action == "build-plugin":
        return _build_plugin(args)
    with _lammps_errors(f"LAMMPS stopped (evaluating pair_style {args.pair_style})"):
        return _evaluate(args)


@contextmanager
def _lammps_errors(what: str) -> Iterator[None]:
    """A LAMMPS error inside (the lammps module raises a plain ``Exception("ERROR: ...")``) as one line
    ``WHAT: MESSAGE`` with exit status 1, as ``slowdyn run``; any other exception passes unchanged.
    """
    try:
        yield
    except Exception as exc:
        if type(exc).__name__ not in ("Exception", "MPIAbortException") or not str(exc).lstrip().startswith("ERROR"):
            raise
        from slowdyn.cli import LammpsRunError
        from slowdyn.commands.run import lammps_error_line

        raise LammpsRunError(f"{what}: {lammps_error_line(exc)}") from exc


def _mpi_comm():
    """COMM_WORLD when started under mpirun with several ranks, else None."""
    if int(os.environ.get("PMI_SIZE", os.environ.get("OMPI_COMM_WORLD_SIZE", "1"))) <= 1:
        return None
    from slowdyn.session import preload_mpi

    preload_mpi()
    from mpi4py import MPI

    return MPI.COMM_WORLD


def _data(args) -> int:
    from slowdyn.nnp.data import DatasetConfig, build_dataset

    config = DatasetConfig.from_yaml(args.config)
    out = args.out or Path(config.raw.get("name") or args.config.stem)
    comm = _mpi_comm()
    with _lammps_errors(f"LAMMPS stopped while sampling {args.config}"):
        build_dataset(config, out, progress=not args.quiet, comm=comm)
    if (comm is None or comm.Get_rank() == 0) and not args.quiet:
        print(out)
    return 0


def _train(args) -> int:
    progress = not args.quiet
    if args.backend == "knn":
        from slowdyn.nnp.knn.train import train
    elif args.backend == "deepmd":
        from slowdyn.nnp.deepmd import train
    else:
        from slowdyn.nnp.nequip import train
    path = train(args.config, out_dir=args.out, resume=not args.no_resume, progress=progress)
    if not args.quiet:
        print(path)
    return 0


def _build_plugin(args) -> int:
    from slowdyn.nnp.nequip_plugin import build, require_backend

    require_backend()   # a missing nequip/torch is a one-line error before anything is printed or compiled
    if not args.quiet:
        print("compiling pair_style nequip against the installed torch (1-2 min) ...", flush=True)
    lib = build(args.out, cxx=args.cxx)
    print(f"built {lib}; 'lmp' loads it automatically"
          + ("" if args.out is None else f" when SLOWDYN_NEQUIP_PLUGIN_DIR={lib.parent}"))
    return 0


def _evaluate(args) -> int:
    from slowdyn.nnp import evaluate as ev
    from slowdyn.nnp.data import load_dataset_meta, reference_potential
    from slowdyn.runs.sampling import Potential

    meta = load_dataset_meta(args.dataset)
    ref = reference_potential(meta)
    nnp = Potential(pair_style=args.pair_style, pair_coeff=tuple(args.pair_coeff or ["* *"]),
                    type_names=ref.type_names, masses=ref.masses, units=args.units or ref.units,
                    commands=tuple(args.lammps_commands), neighbor=ref.neighbor)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    progress = not args.quiet
    report = ev.evaluate_dataset(args.dataset, nnp, split=args.split, max_frames=args.max_frames,
                                 progress=progress)
    report.write(out, label=args.label)
    summary = {"metrics": report.metrics}
    if args.md is not None:
        T, rho = args.md
        n_atoms = args.md_atoms or int(meta["n_atoms"])
        md = ev.compare_md(ref, nnp, temperature=T, density=rho, n_atoms=n_atoms, steps=args.md_steps,
                           q=args.q, workdir=out / "md", label=args.label, progress=progress)
        md.write(out)
        summary["md"] = {"temperature": T, "density": rho, "steps": args.md_steps}
        if args.energy_dt:
            scan = ev.energy_scan({"reference": ref, args.label: nnp}, args.energy_dt, temperature=T,
                                  density=rho, n_atoms=n_atoms, progress=progress)
            scan.write(out)
            summary["energy_exponents"] = scan.exponents
    if args.probe is not None:
        probes = ev.probe({"reference": ref, args.label: nnp}, r=ev.probe_distances(*args.probe))
        probes.write(out)
    with open(out / "summary.json", "w") as fh:
        json.dump(summary, fh, indent=2)
    print(json.dumps(report.metrics, indent=2))
    return 0
