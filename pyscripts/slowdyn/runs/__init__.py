"""Everything that drives LAMMPS from Python.

- :mod:`.nve`: NVE timestep scans of a deck or of a potential (energy conservation)
- :mod:`.brownian`: 2D Brownian ideal gas with ``fix sisf/msd`` (exact F_s)
- :mod:`.packing`: overlap-free hard-disk/sphere packings grown with ``fix edbd``
- :mod:`.sampling`: the equilibration protocol, labelled configurations over
  state-point grids (NNP training data), labels of given frames, equilibrated
  starts and MD runs of any pair style (NNP evaluation)

:mod:`slowdyn.nnp` and :mod:`slowdyn.commands` call these; post-processing never
runs LAMMPS: it lives in :mod:`slowdyn.analysis` and takes the runs' results or files.
"""
