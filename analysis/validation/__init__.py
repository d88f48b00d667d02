"""Validations of the inverse Laplace transforms (Granz 2026, §4.2.5).

- :mod:`.report`: held-out exponential-sum pairs, clean and noisy (Table 4.1)
- :mod:`.correlators`: the shared Filon-and-back machinery of the correlator validations
- :mod:`.f12`: F12 correlators (Figs. 4.3, 4.4)
- :mod:`.critical`: near-critical F12 correlators and the MCT exponents (Table 4.2)
- :mod:`.hard_disks`: MCT F_s(q, t) of Brownian hard disks (Fig. 4.7)
- :mod:`.brownian`: F_s of a simulated 2D Brownian ideal gas (exact reference)

Physics subpackages never import this one.
"""
