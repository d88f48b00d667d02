"""k-nearest-neighbour Deep Potential: model, neighbours, export, training.

Heavy dependencies (torch, vesin, ase) are imported inside the submodules'
functions; ``import slowdyn.nnp.knn`` stays light.
"""
