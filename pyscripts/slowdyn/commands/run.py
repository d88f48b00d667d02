"""``slowdyn run DECK``: run an input deck through the LAMMPS Python interface.

Equivalent to ``lmp -in DECK`` but usable from a plain Python environment and
under ``mpirun -np N slowdyn run DECK`` (mpi4py).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("deck", type=Path, help="LAMMPS input file")
    parser.add_argument(
        "-var", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="define an index variable, as lmp -var NAME VALUE (repeatable)",
    )
    parser.add_argument("--log", default="none", help="LAMMPS log file (default: none)")
    parser.add_argument("--quiet", action="store_true", help="no LAMMPS screen output")


def main(args: argparse.Namespace) -> int:
    from slowdyn import lammps

    if not args.deck.is_file():
        raise SystemExit(f"slowdyn run: no such input deck: {args.deck}")
    cmdargs = ["-log", args.log]
    for name, value in args.var:
        cmdargs += ["-var", name, value]
    lmp = lammps(cmdargs=cmdargs, screen=not args.quiet)
    # decks use paths relative to their own folder
    cwd = os.getcwd()
    os.chdir(args.deck.resolve().parent)
    try:
        lmp.file(args.deck.name)
    finally:
        os.chdir(cwd)
        lmp.close()
    return 0
