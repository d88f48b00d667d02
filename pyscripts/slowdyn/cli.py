"""The ``slowdyn`` command line.  Subcommands live in :mod:`slowdyn.commands`,
one module each, imported only when chosen.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Sequence

SUBCOMMANDS = {
    "info": "show the plugin location and the styles LAMMPS sees",
    "run": "run a LAMMPS input deck through the Python interface",
    "observe": "observables (self dynamics, g(r), S(q), Voronoi, NVE energy) as tables and PNGs",
    "nnlt": "train or apply the neural-network inverse Laplace transform",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slowdyn", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in SUBCOMMANDS.items():
        module = importlib.import_module(f"slowdyn.commands.{name}")
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``slowdyn`` console script."""
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"slowdyn.commands.{args.command}")
    return int(module.main(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
