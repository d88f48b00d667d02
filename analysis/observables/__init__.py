"""Observables of simulation data.

- :mod:`.selfdyn`: MSD, alpha2(t), F_s(q, t) on the ``fix sisf/msd`` lag grid
- :mod:`.structure`: partial and total g(r), S(q) (freud)
- :mod:`.voronoi`: Voronoi neighbour counts and distances (pyvoro2)
- :mod:`.energy`: NVE energy conservation against the timestep (the runs: :mod:`slowdyn.runs.nve`)
"""
