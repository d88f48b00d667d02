"""Everything that drives LAMMPS from Python.

- :mod:`.nve`: NVE timestep scans of a deck (energy conservation)
- :mod:`.brownian`: 2D Brownian ideal gas with ``fix sisf/msd`` (exact F_s)
- :mod:`.packing`: overlap-free hard-disk/sphere packings grown with ``fix edbd``
- :mod:`.sampling`: labelled configurations over state-point grids (NNP training data)

Post-processing never runs LAMMPS: it lives in :mod:`slowdyn.analysis`.
"""
