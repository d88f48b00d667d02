"""``slowdyn propensity`` actions of the group 'gnn' (see :mod:`slowdyn.commands.propensity`)."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this group's actions to ``slowdyn propensity`` (each with ``set_defaults(run=FUNC)``)."""
