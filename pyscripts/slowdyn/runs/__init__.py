"""Everything that drives LAMMPS from Python: decks, NVE timestep scans, ensembles,
training-data sampling."""
