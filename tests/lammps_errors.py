"""Run input commands that must fail and return LAMMPS' error message."""

from __future__ import annotations

import pytest

import slowdyn


def error_of(commands: list[str]) -> str:
    """The message of the LAMMPS error these commands raise (the test fails if none)."""
    lmp = slowdyn.lammps()
    try:
        with pytest.raises(Exception) as info:
            lmp.commands_list(commands)
        return str(info.value)
    finally:
        lmp.close()
