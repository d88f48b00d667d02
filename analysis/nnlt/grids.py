"""The NNLT's fixed grids and its input encoding (Granz 2026, §4.2.4, eq. 4.36).

Grids (:class:`~slowdyn.analysis.laplace.grids.TransformGrids`): 500 log
points omega in [1e-12, 1e2] (input) and 500 log points t in [1e-6, 1e10] (output).
The input is the polar encoding of eq. 4.36,
``{log10 |f(omega_i)|, arg f(omega_i)}``, with unphysical values clipped:
``|f|`` to ``abs_clip`` and the angle to [-pi/2, 0], the range of completely
monotone functions (Re f > 0, Im f < 0, eq. 4.35).
"""

from __future__ import annotations

import numpy as np

from ..laplace.grids import TransformGrids

#: the NNLT's grids are the transforms' default grids (one definition, in :mod:`slowdyn.analysis.laplace.grids`)
NNLTGrids = TransformGrids


def encode_polar(fhat, abs_clip: tuple[float, float] = (1e-10, 1e12)) -> np.ndarray:
    """Polar network input ``[log10|f| (M values), arg f (M values)]`` (eq. 4.36).

    Parameters
    ----------
    fhat : array_like, shape (..., M), complex
        Fourier-Laplace transform on the input grid.
    abs_clip : (float, float)
        Bounds for ``|f|`` before the logarithm (zeros, NaN from noise).

    Returns
    -------
    numpy.ndarray, shape (..., 2 M)
        ``arg f`` is clipped to [-pi/2, 0] (Re f > 0, Im f < 0 for
        completely monotone functions); NaN inputs become the clip values.
    """
    fhat = np.asarray(fhat, dtype=complex)
    mag = np.nan_to_num(np.abs(fhat), nan=abs_clip[0], posinf=abs_clip[1])
    logabs = np.log10(np.clip(mag, *abs_clip))
    ang = np.nan_to_num(np.angle(fhat), nan=0.0)
    # Re f < 0 would give |angle| > pi/2: clip into the physical quadrant
    ang = np.clip(ang, -np.pi / 2, 0.0)
    return np.concatenate([logabs, ang], axis=-1)


__all__ = ["NNLTGrids", "encode_polar"]
