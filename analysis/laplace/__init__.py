"""Fourier-Laplace transforms and their inversion (Granz 2026, §2.3.2, §4.2).

- :mod:`.filon`: forward and inverse Filon transforms on non-uniform grids
- :mod:`.exponentials`: exponential sums with their exact transforms (test oracles)
- :mod:`.nnls`: Tikhonov NNLS on a log tau grid
- :mod:`.refine`: data-consistency refinement of an inversion
- :mod:`.tails`: NNLS tails below 0.1 of an inversion
- :mod:`.truncation`: cut and exponential continuation of noisy correlators
- :mod:`.metrics`: MSE, logMSE, max and RMS errors; noisy inputs
- :mod:`.pipeline`: ``invert(fhat, omega, method=...)`` for every method
"""

from .pipeline import METHODS, invert

__all__ = ["METHODS", "invert"]
