"""``slowdyn propensity ACTION``: per-particle dynamics from structure, measured on
isoconfigurational ensembles (Bapst et al., Nat. Phys. 16, 448 (2020); Jung,
Biroli & Berthier, PRL 130, 238202 (2023)) with graph networks (dynamic graph
CNN, Wang et al., ACM TOG 38, 146 (2019)) and their baselines.

The actions come in two groups, one module each (``add_parsers(sub)``, each
action with ``set_defaults(run=FUNC)``):

- :mod:`._propensity_data`: the data set (snapshots, isoconfigurational propensities,
  per-configuration MSDs), the baselines (ridge on radial structure functions, an MLP
  on neighbour-averaged descriptors) and the evaluation of every model (Pearson vs time)
- :mod:`._propensity_gnn`: the periodic dynamic graph network (train / predict)
"""

from __future__ import annotations

import argparse
import importlib

GROUPS = ("_propensity_data", "_propensity_gnn")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name in GROUPS:
        importlib.import_module(f"slowdyn.commands.{name}").add_parsers(sub)


def main(args: argparse.Namespace) -> int:
    return args.run(args) or 0
