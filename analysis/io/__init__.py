"""Readers of simulation output.

- :func:`read_dump` (:mod:`.dump`): LAMMPS text dumps (ASE); ``x y z`` unwrapped with ``ix iy iz``
- :func:`read_sisf` (:mod:`.sisf`): the ``fix sisf/msd`` file
"""

from .dump import Trajectory, read_dump
from .sisf import read_sisf

__all__ = ["Trajectory", "read_dump", "read_sisf"]
