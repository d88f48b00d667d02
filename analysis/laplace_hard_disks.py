"""Self-intermediate scattering functions of Brownian hard disks from mode
coupling theory (mctpy) as a test bed for inverse Laplace transforms
(seed 000 §4.1.5, §4.2.5, Fig. 4.7).

The static structure factor of hard disks of unit diameter comes from
fundamental-measure theory (eq. 4.29, ``mctpy.structurefactors.hssFMT2d``);
the collective MCT equation (``mctpy.simple_liquid_model_2d``) and the
tagged-particle equation with ``c^s(q) = c(q)``
(``mctpy.tagged_particle_model_2d``) are solved for Brownian dynamics
(``D_0 = 1``). The tagged-particle correlator at wave number ``q`` is the
self-intermediate scattering function F_s(q, t); it is Filon-transformed
onto the NNLT frequency grid and inverted by every method.

The wave-number grid is ``q_k = dq (k + 1/4)``: the thesis' q = 6.5 lies on it
for the default ``dq = 0.4`` (k = 16).
"""

from __future__ import annotations

import numpy as np

from .laplace_correlators import CorrelatorInversion
from .laplace_f12 import _mctpy

PACKING_FRACTIONS = (0.50, 0.60, 0.65, 0.68, 0.69)


def hard_disk_sisf(packing: float, q: float = 6.5, n_q: int = 100, dq: float = 0.4,
                   h: float = 1e-9, blocksize: int = 256, blocks: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """MCT F_s(q, t) of Brownian hard disks: ``(t, phi)`` with ``t[0] = 0``, ``phi(0) = 1``.

    Parameters
    ----------
    packing : float
        Packing fraction ``phi = pi rho / 4`` (FMT structure factor).
    q : float
        Wave number (unit disk diameter); must lie on the grid ``dq (k + 1/4)``.
    n_q, dq : int, float
        Wave-number grid of the memory-kernel integrals.
    h, blocksize, blocks : see ``mctpy.correlator``
    """
    mct = _mctpy()
    qgrid = dq * (np.arange(n_q) + 0.25)
    iq = int(np.argmin(np.abs(qgrid - q)))
    if not np.isclose(qgrid[iq], q, rtol=1e-9, atol=1e-12):
        raise ValueError(f"hard_disk_sisf: q = {q} is not on the grid dq*(k + 1/4) with dq = {dq}; "
                         f"nearest {qgrid[iq]:g}")
    sq = mct.structurefactors.hssFMT2d(float(packing))
    model = mct.simple_liquid_model_2d(sq, qgrid)
    phi = mct.correlator(model=model, store=True, h=h, blocksize=blocksize, blocks=blocks,
                         motion_type="brownian")
    tagged = mct.correlator(model=mct.tagged_particle_model_2d(model, cs=sq), base=phi, store=True,
                            motion_type="brownian")
    mct.CorrelatorStack([phi, tagged]).solve_all()
    t = np.asarray(tagged.t, dtype=float)
    f = np.asarray(tagged.phi[:, iq], dtype=float)
    keep = np.concatenate([[True], np.diff(t) > 0])
    return t[keep], f[keep]


class HardDiskValidation(CorrelatorInversion):
    """Invert Filon transforms of hard-disk F_s(q, t) with NNLT, inverse Filon and NNLS.

    Parameters
    ----------
    model : NNLT or path, optional
        Trained NNLT; without it only the classical methods.
    packing : sequence of float
        Packing fractions (default 0.50-0.69; the MCT transition of this
        model lies just above 0.69).
    q : float
        Wave number (6.5 as in Fig. 4.7).
    nnls : dict, optional
        :class:`~slowdyn.analysis.laplace_baselines.NNLSInversion` arguments.
    solver : dict, optional
        :func:`hard_disk_sisf` arguments (grid and time stepping).
    noise, seed : float, int
        Second inversion from noisy data (see :class:`CorrelatorInversion`).
    """

    kind = "disks"
    title = "Brownian hard disks (MCT, FMT S(q)): F_s(q, t) from mctpy -> Filon -> inverse"

    def __init__(self, model=None, packing=PACKING_FRACTIONS, q: float = 6.5, nnls: dict | None = None,
                 solver: dict | None = None, noise: float = 0.0, seed: int = 0) -> None:
        super().__init__(model, nnls, noise=noise, seed=seed)
        self.packing = [float(p) for p in packing]
        self.q = float(q)
        self.solver = dict(solver or {})

    def _correlators(self):
        for p in self.packing:
            t, phi = hard_disk_sisf(p, self.q, **self.solver)
            yield f"phi={p:g} q={self.q:g}", {"packing": p, "q": self.q}, t, phi
