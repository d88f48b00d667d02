"""Everything that drives LAMMPS from Python.

- :mod:`.nve`: NVE timestep scans of a deck (energy conservation)
- :mod:`.brownian`: 2D Brownian ideal gas with ``fix sisf/msd`` (exact F_s)

Post-processing never runs LAMMPS: it lives in :mod:`slowdyn.analysis`.
"""
