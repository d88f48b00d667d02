"""``slowdyn mixture ACTION``: dynamics of binary mixtures from their averaged
structure (Ciarella, Chiappini, Boattini, Dijkstra & Janssen, Mach. Learn.:
Sci. Technol. 4, 025010 (2023)).

The actions come in four groups, one module each (each module has
``add_parsers(sub)``, which adds its actions with ``set_defaults(run=FUNC)``):

- :mod:`._mixture_library`: the state-point library (Kob-Andersen LJ and WCA
  runs, partial S^ab(k), F_s^aa(k_p, t); :mod:`slowdyn.analysis.io.statepoints`)
- :mod:`._mixture_mct`: multicomponent mode-coupling theory and T_mct
- :mod:`._mixture_net`: the S(k) -> F_s(k_p, t) network (train / predict / evaluate)
- :mod:`._mixture_memory`: memory functions fitted by CMA-ES (the paper's eqs. 5-7)
"""

from __future__ import annotations

import argparse
import importlib

GROUPS = ("_mixture_library", "_mixture_mct", "_mixture_net", "_mixture_memory")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name in GROUPS:
        importlib.import_module(f"slowdyn.commands.{name}").add_parsers(sub)


def main(args: argparse.Namespace) -> int:
    return args.run(args) or 0
