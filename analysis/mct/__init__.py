"""Mode-coupling theory models (through mctpy), usable on their own.

- :class:`F12`, :class:`F1`, :class:`F2`: schematic models (:mod:`.schematic`)
- :class:`HardDisks2D`: Brownian hard disks with the FMT structure factor on a
  :class:`HardDiskGrid` (``q_k = dq (k + offset)``), collective and tagged
  correlators, kernels and non-ergodicity parameters; :func:`mct_solution`
  (solve and cache) (:mod:`.hard_disks`)
- :func:`critical_point`, :func:`nonergodicity_parameter`, :func:`f12_critical`,
  :func:`mct_exponents` (:mod:`.critical`)
- :mod:`.closures`: learned memory-kernel closures

A model knows its kernel; solving is mctpy's solver. mctpy, numba, scipy and
h5py are imported lazily (``pip install 'slowdyn[mct]'``), through the one
accessor :func:`slowdyn.analysis.mct._mctpy.mctpy`.
"""

from .critical import F12_CRITICAL_POINTS, critical_point, f12_critical, mct_exponents, nonergodicity_parameter
from .hard_disks import (CLOSURE_GRID, QUARTER_GRID, VALIDATION_GRID, HardDiskGrid, HardDiskSolution, HardDisks2D,
                         mct_solution)
from .schematic import F1, F2, F12

__all__ = ["CLOSURE_GRID", "F1", "F12", "F12_CRITICAL_POINTS", "F2", "QUARTER_GRID", "VALIDATION_GRID",
           "HardDiskGrid", "HardDiskSolution", "HardDisks2D", "critical_point", "f12_critical", "mct_exponents",
           "mct_solution", "nonergodicity_parameter"]
