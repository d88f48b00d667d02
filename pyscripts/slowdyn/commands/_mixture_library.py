"""``slowdyn mixture`` actions of the group 'library' (see :mod:`slowdyn.commands.mixture`)."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this group's actions to ``slowdyn mixture`` (each with ``set_defaults(run=FUNC)``)."""
