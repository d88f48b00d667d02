"""Inverse Laplace transforms of a simulated correlator (Granz 2026, §4.2.5):
F_s(q, t) of two-dimensional Brownian particles measured in a LAMMPS run.

The thesis tests the NNLT on Brownian-dynamics data, which carry their own
noise. The particles are an ideal gas (``pair_style zero``) moved by LAMMPS'
``fix brownian`` (diffusion coefficient D = kT/gamma_t), and ``fix sisf/msd``
measures F_s(q, t) during the run (:func:`slowdyn.runs.brownian.brownian_sisf`
runs it; this module only post-processes its result or file). For this system
the exact answer is known, F_s(q, t) = exp(-D q^2 t), so every inversion of
the measured correlator can be scored against it, not only against the noisy
data: the measured F_s is cut below ``threshold``, continued with a fitted
exponential (:class:`~slowdyn.analysis.laplace.truncation.TailExtrapolation`),
Filon-transformed and inverted by each method.

Interacting particles would lose the exact reference.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .correlators import CorrelatorInversion


def _measured(measured) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(q, t, fs)`` of a ``fix sisf/msd`` file or of a mapping with ``q``, ``t``, ``fs``."""
    if isinstance(measured, Mapping):
        missing = {"q", "t", "fs"} - set(measured)
        if missing:
            raise ValueError(f"measured SISFs need keys q, t, fs (as slowdyn.runs.brownian.brownian_sisf "
                             f"returns them); missing {sorted(missing)}")
        q, t, fs = (np.asarray(measured[k], dtype=float) for k in ("q", "t", "fs"))
    elif isinstance(measured, (str, os.PathLike)):
        from ..io.sisf import read_sisf

        res = read_sisf(Path(measured))
        keep = res["lag"] > 0
        q, t = np.asarray(res["q"], dtype=float), res["time"][keep]
        fs = np.array([res[f"fs_all_q{i + 1}"][keep] for i in range(len(q))])
    else:
        raise TypeError(f"measured must be a fix sisf/msd file or a mapping with q, t, fs, "
                        f"not {type(measured).__name__}")
    q, fs = np.atleast_1d(q), np.atleast_2d(fs)
    if fs.shape != (q.size, t.size):
        raise ValueError(f"measured fs has shape {fs.shape}, expected (len(q), len(t)) = ({q.size}, {t.size})")
    return q, t, fs


class BrownianSimulationInversion(CorrelatorInversion):
    """Measured F_s(q, t) of 2D Brownian particles -> tail -> Filon -> each inversion.

    Every wave number gives one correlator: the exact exp(-D q^2 t) is
    inverted as the clean input, the measured one as the noisy input
    (table rows ``noisy``); both are scored against the exact function.

    Parameters
    ----------
    measured : path or mapping
        The measured F_s: a ``fix sisf/msd`` file (wave numbers from its
        header, lag 0 dropped), or a mapping with ``q`` (n_q), ``t`` (n_t,
        without t = 0) and ``fs`` (n_q x n_t), as
        :func:`slowdyn.runs.brownian.brownian_sisf` returns it.
    D : float
        Diffusion coefficient of the run (the exact reference exp(-D q^2 t)).
    model : NNLT or path, optional
        Trained NNLT (its grids are used); without it only the classical methods.
    nnls, threshold, floor
        As in :class:`~slowdyn.analysis.validation.correlators.CorrelatorInversion`.
    """

    kind = "brownian"
    title = "2D Brownian ideal gas, LAMMPS fix brownian + fix sisf/msd -> Filon -> inverse"
    reference = "exp(-D q^2 t)"
    measured_note = "F_s measured in the LAMMPS run"

    def __init__(self, measured: str | os.PathLike | Mapping, D: float = 1.0, model=None,
                 nnls: dict | None = None, threshold: float = 1e-3, floor: float = 1e-6) -> None:
        super().__init__(model=model, nnls=nnls, noise=0.0, threshold=threshold, floor=floor)
        q, self.t_measured, self.fs_measured = _measured(measured)
        self.q = [float(v) for v in q]
        self.D = float(D)
        if not self.D > 0:
            raise ValueError(f"D must be > 0, got {D}")

    def _correlators(self):
        tm = self.t_measured
        t = np.concatenate([[0.0], np.logspace(np.log10(self.grids.t_min), np.log10(self.grids.t_max), 4000)])
        for qv, fm in zip(self.q, self.fs_measured):
            yield f"q={qv:g} D={self.D:g}", {"q": qv}, t, np.exp(-self.D * qv**2 * t), (tm, fm)
