"""Neural-network potentials (NNPs) for the model liquids of slowdyn.

Import-light: importing :mod:`slowdyn.nnp` loads no torch.  Modules:

``slowdyn.nnp.knn``
    The k-nearest-neighbour Deep Potential (se_e2_a descriptor of Zhang et
    al., NeurIPS 2018, built from the k nearest neighbours instead of a
    radial cut-off; Granz, PhD thesis, HHU Duesseldorf 2026, sec. 3.3.2):
    ``knn.model`` (PyTorch model), ``knn.neighbors`` (periodic k-nearest
    neighbours through vesin), ``knn.export`` (the versioned model file read
    by ``pair_style knn/nnp``), ``knn.train`` (training on extxyz data sets).
"""
