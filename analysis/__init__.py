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

Laplace transforms (issue 4), each imported on demand:

- :mod:`slowdyn.analysis.filon`: forward and inverse Filon transforms on non-uniform grids
- :mod:`slowdyn.analysis.exponentials`: analytic transforms of exponential sums (test oracles)
- :mod:`slowdyn.analysis.nnlt_data`, :mod:`slowdyn.analysis.nnlt`: NNLT training data and network
- :mod:`slowdyn.analysis.laplace_refine`: data-consistency refinement of the NNLT output
- :mod:`slowdyn.analysis.laplace_baselines`: NNLS + Tikhonov inversion on a log tau grid
- :mod:`slowdyn.analysis.correlator_tail`: truncation and exponential tail of noisy correlators
- :mod:`slowdyn.analysis.laplace_report`, :mod:`slowdyn.analysis.laplace_f12`: comparisons
"""
