"""Helpers shared by the deck tests."""

from __future__ import annotations


def active_pair_style(restart) -> str:
    """The pair style that ran, as LAMMPS reports it from the restart file it wrote."""
    import slowdyn

    lmp = slowdyn.lammps(cmdargs=["-log", "none", "-screen", "none"])
    try:
        lmp.command(f"read_restart {restart}")
        return lmp.extract_global("pair_style")
    finally:
        lmp.close()
