"""slowdyn.analysis: post-processing of slow-dynamics simulations.

Observables, Laplace/Filon transforms, NNLT, memory kernels and MCT live here
(see DESIGN.md sections 5 and 6); modules are added issue by issue.

Observables (issue 3), each imported on demand:

- :mod:`slowdyn.analysis.trajectory`: LAMMPS dumps with unwrapped coordinates (ASE reader)
- :mod:`slowdyn.analysis.dynamics`: MSD, alpha2, F_s(q,t) on the fix sisf/msd lag grid;
  reading fix sisf/msd files
- :mod:`slowdyn.analysis.structure`: partial and total g(r), S(q) (freud)
- :mod:`slowdyn.analysis.voronoi_stats`: Voronoi neighbour count and distances (pyvoro2)
- :mod:`slowdyn.analysis.energy`: NVE energy conservation against the timestep
"""
