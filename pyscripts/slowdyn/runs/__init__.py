"""Everything that drives LAMMPS from Python: decks, Brownian runs, ensembles,
initial configurations (:mod:`slowdyn.runs.packing`)."""
