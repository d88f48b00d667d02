"""The default frequency and time grids of the transforms (Granz 2026, §4.2.4).

500 log points omega in [1e-12, 1e2] and 500 log points t in [1e-6, 1e10]:
the grids of the thesis' neural-network inverse Laplace transform, which the
classical inversions (:mod:`.pipeline`) and the memory-kernel pipeline use
by default so that every method is compared on the same points. The NNLT
reuses this class as its fixed input/output grids
(:class:`slowdyn.analysis.nnlt.grids.NNLTGrids`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class TransformGrids:
    """Logarithmic frequency (omega) and time (t) grids of the transforms."""

    omega_min: float = 1e-12
    omega_max: float = 1e2
    n_omega: int = 500
    t_min: float = 1e-6
    t_max: float = 1e10
    n_t: int = 500

    def __post_init__(self) -> None:
        if not (0 < self.omega_min < self.omega_max and 0 < self.t_min < self.t_max):
            raise ValueError("transform grids: need 0 < omega_min < omega_max and 0 < t_min < t_max")
        if self.n_omega < 2 or self.n_t < 2:
            raise ValueError("transform grids: need at least 2 points per grid")

    @property
    def omega(self) -> np.ndarray:
        return np.logspace(np.log10(self.omega_min), np.log10(self.omega_max), self.n_omega)

    @property
    def t(self) -> np.ndarray:
        return np.logspace(np.log10(self.t_min), np.log10(self.t_max), self.n_t)

    def to_dict(self) -> dict:
        return asdict(self)


__all__ = ["TransformGrids"]
