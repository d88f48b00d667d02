"""Readers and writers of simulation output and of slowdyn's tables (one module per format).

- :func:`read_dump` (:mod:`.dump`): LAMMPS text dumps (ASE); ``x y z`` unwrapped with ``ix iy iz``
- :mod:`.sisf`: the ``fix sisf/msd`` file: :func:`read_sisf` (columns checked), :func:`load_sisf`
  (``{q: (t, F_s)}``, also of a plain ``t F_s`` table), :func:`write_sisf`, :func:`~.sisf.average_sisf`
- :mod:`.kernels`: the tables of ``slowdyn kernels`` (kernels, m0, SISF and reconstruction)
- :mod:`.tables`: the one header parser (``# columns:``, ``# q:``, ``# types:``) and the table
  reader/writer under all of them
"""

from .dump import Trajectory, read_dump
from .sisf import load_sisf, read_sisf, write_sisf

__all__ = ["Trajectory", "load_sisf", "read_dump", "read_sisf", "write_sisf"]
