"""Mode-coupling theory models (through mctpy), usable on their own.

- :class:`F12`, :class:`F1`, :class:`F2`: schematic models (:mod:`.schematic`)
- :class:`HardDisks2D`: Brownian hard disks with the FMT structure factor,
  collective and tagged correlators and kernels (:mod:`.hard_disks`)
- :func:`critical_point`, :func:`f12_critical`, :func:`mct_exponents` (:mod:`.critical`)

A model knows its kernel; solving is separate (mctpy's solver). mctpy,
numba, scipy and h5py are imported lazily (``pip install 'slowdyn[mct]'``).
"""

from .critical import F12_CRITICAL_POINTS, critical_point, f12_critical, mct_exponents
from .hard_disks import HardDiskSolution, HardDisks2D, default_q_grid
from .schematic import F1, F2, F12

__all__ = ["F1", "F12", "F12_CRITICAL_POINTS", "F2", "HardDiskSolution", "HardDisks2D", "critical_point",
           "default_q_grid", "f12_critical", "mct_exponents"]
