"""slowdyn.analysis: post-processing of slow-dynamics simulations (never runs LAMMPS).

One subpackage per physics idea, each imported on demand:

- :mod:`.io`: LAMMPS dumps and ``fix sisf/msd`` files
- :mod:`.observables`: self dynamics (MSD, alpha2, F_s), structure (g(r), S(q)),
  Voronoi statistics, NVE energy conservation
- :mod:`.laplace`: Filon transforms, exponential sums, NNLS, refinement, NNLS
  tails, correlator truncation, error metrics and
  :func:`.laplace.pipeline.invert`, the one entry point of every inversion
- :mod:`.nnlt`: the neural-network inverse Laplace transform (grids, data,
  network, model, configs, training)
- :mod:`.mct`: mode-coupling models through mctpy (F12, 2D hard disks, critical points)
- :mod:`.memory`: memory kernels from SISFs (Laplace-domain Mori-Zwanzig, m0 estimators,
  time-domain check, Volterra baseline)
- :mod:`.structure_dynamics`: structure -> rearrangements (radial structure functions,
  p_hop, softness/fluidity SVMs, energy barriers, isoconfigurational regressions)
- :mod:`.validation`: the inversions checked against held-out pairs, MCT
  correlators and a simulated Brownian F_s

Heavy dependencies (torch, mctpy, numba, freud, ASE) are imported lazily.
"""
