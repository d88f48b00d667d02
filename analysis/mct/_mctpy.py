"""Lazy import of mctpy (and, through it, numba, scipy and h5py)."""

from __future__ import annotations

from slowdyn.common.optional import require


def mctpy():
    """The mctpy module, or an ImportError naming the ``mct`` extra."""
    return require("mctpy", "mode-coupling theory", "mct", "mctpy, numba, scipy, h5py")


def solve_correlators(*correlators, stop_on_zero: bool = False) -> None:
    """Solve mctpy correlators in order (a tagged correlator after its base); ``stop_on_zero``:
    stop after the first block in which every correlator is zero (mctpy: within 1e-8).
    """
    mctpy().CorrelatorStack(list(correlators)).solve_all(stop_on_zero=stop_on_zero)


def strictly_increasing(t, phi) -> tuple:
    """Drop repeated times of an mctpy time grid (its blocks overlap by one point)."""
    import numpy as np

    t = np.asarray(t, dtype=float)
    keep = np.concatenate([[True], np.diff(t) > 0])
    return t[keep], np.asarray(phi, dtype=float)[keep]
