"""Neural-network potentials: training data, the kNN Deep Potential, the DeePMD and NequIP
routes, and evaluation against the reference potential (Granz 2026, ch. 3).
"""
