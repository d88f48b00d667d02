"""Neural-network potentials: training data, the kNN Deep Potential, the DeePMD and NequIP
routes, and evaluation against the reference potential (Granz 2026, ch. 3).

Import-light: importing :mod:`slowdyn.nnp` loads no torch.  Modules:

``slowdyn.nnp.data``
    data sets sampled from LAMMPS decks (extxyz, DeePMD npy), ``slowdyn nnp data``.
``slowdyn.nnp.knn``
    the k-nearest-neighbour Deep Potential (se_e2_a descriptor of Zhang et
    al., NeurIPS 2018, on the k nearest neighbours instead of a radial
    cut-off; Granz 2026, sec. 3.3.2): ``knn.model`` (PyTorch model),
    ``knn.neighbors`` (periodic k nearest neighbours through vesin),
    ``knn.export`` (the versioned model file read by ``pair_style knn/nnp``),
    ``knn.train`` (training on the extxyz data sets).
``slowdyn.nnp.deepmd``, ``slowdyn.nnp.nequip``
    the DeePMD-kit and NequIP training routes.
``slowdyn.nnp.evaluate``
    errors, parity plots and side-by-side MD against the reference potential.
``slowdyn.nnp.config``
    the one reader of the YAML files (data-set recipes, training configs of
    every backend with their shared key ``dataset``, ``dataset.yaml``).

The LAMMPS runs themselves (sampling, labelling, equilibrated starts, MD, NVE
scans) are in :mod:`slowdyn.runs`.
"""
