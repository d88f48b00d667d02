"""Effective packing-fraction mapping between simulation and MCT (Granz 2026, §4.4.3).

MCT's glass transition lies at a lower packing fraction than the simulated
one, so simulated SISFs are compared with MCT SISFs at an effective packing
fraction: the one whose MCT SISF at one wave number (q = 6.5, near the first
peak of S(q)) fits the simulated SISF best in the least-squares sense
(Table 4.5). :class:`PackingMapping` holds a dense table of MCT SISFs
``phi_MCT -> F_s(q, t)``; :meth:`PackingMapping.fit` returns the best
``phi_MCT`` of a measured SISF, refined between table entries by linear
interpolation of the SISFs in ``phi``; :func:`mapping_function` fits
``phi_MCT(phi_BD)`` by a polynomial (linear near arrest, at least parabolic
over the whole range, Fig. 4.34).
"""

from __future__ import annotations

import numpy as np

from .mz_laplace import check_correlator


class PackingMapping:
    """Least-squares ``phi_MCT`` of measured SISFs from a table of MCT SISFs.

    Parameters
    ----------
    table : dict
        ``{phi_MCT: (t, F_s)}`` at the wave number of the fit (at least two entries).
    """

    def __init__(self, table: dict) -> None:
        if len(table) < 2:
            raise ValueError("the MCT table needs at least two packing fractions")
        self.phis = np.array(sorted(float(p) for p in table))
        self.table = {float(p): (np.asarray(t, dtype=float), np.asarray(f, dtype=float)) for p, (t, f) in table.items()}

    def _on(self, t) -> np.ndarray:
        return np.array([np.interp(t, *self.table[p]) for p in self.phis])

    def fit(self, t, F, n_sub: int = 50) -> tuple[float, float]:
        """``(phi_MCT, RMSE)`` of the SISF ``F`` on ``t``.

        The RMSE is evaluated on every table entry and on ``n_sub`` linear
        interpolations between neighbours (in ``phi``) around the best entry.
        """
        t, F = check_correlator(t, F, min_points=2)
        curves = self._on(t)
        rmse = np.sqrt(np.mean((curves - F) ** 2, axis=1))
        k = int(np.argmin(rmse))
        best = (float(self.phis[k]), float(rmse[k]))
        for j in (k - 1, k + 1):
            if 0 <= j < self.phis.size:
                for w in np.linspace(0.0, 1.0, n_sub + 1)[1:-1]:
                    c = (1 - w) * curves[k] + w * curves[j]
                    r = float(np.sqrt(np.mean((c - F) ** 2)))
                    if r < best[1]:
                        best = (float((1 - w) * self.phis[k] + w * self.phis[j]), r)
        return best


    def curve(self, phi: float, t) -> np.ndarray:
        """The table's SISF at packing fraction ``phi`` on ``t``: linear interpolation in ``phi``
        between the neighbouring entries, the model :meth:`fit` uses (clamped to the table's range).
        """
        j = int(np.clip(np.searchsorted(self.phis, phi), 1, self.phis.size - 1))
        lo, hi = self.phis[j - 1], self.phis[j]
        w = float(np.clip((phi - lo) / (hi - lo), 0.0, 1.0))
        return (1 - w) * np.interp(t, *self.table[lo]) + w * np.interp(t, *self.table[hi])


def mapping_function(phi_bd, phi_mct, degree: int = 2) -> np.poly1d:
    """Polynomial fit ``phi_MCT(phi_BD)`` (least squares), usable on new simulation packing fractions."""
    phi_bd = np.asarray(phi_bd, dtype=float)
    phi_mct = np.asarray(phi_mct, dtype=float)
    if phi_bd.shape != phi_mct.shape or phi_bd.size <= degree:
        raise ValueError(f"a degree-{degree} mapping needs more than {degree} (phi_BD, phi_MCT) pairs")
    return np.poly1d(np.polyfit(phi_bd, phi_mct, degree))
