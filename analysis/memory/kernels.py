"""Memory kernels from self-intermediate scattering functions (Granz 2026, Fig. 4.11).

One wave number at a time (:class:`MemoryKernel`)::

    SISF (t, F) --cut, exponential tail, Filon--> S(omega)
        --eq. 4.47--> m(omega) --truncate + continue--> m(omega)/m0
        --laplace.pipeline.invert(method)--> m(t)/m0 --x m0--> m(t)
        --time-domain MZ (mctpy)--> F_rec(t) --> RMSE against F

``m0`` comes from one of the estimators of :mod:`.m0`: ``"asymptotic"``
(eq. 4.52), ``"kk"`` (eq. 4.53), ``"iterative"`` (§4.3.2, minimal RMSE), or
a number; the q-scaling fit over several wave numbers is :func:`fit_scaling`.
The RMSE is taken over the data points up to the noise cut (the measured
part of the SISF, not the fitted tail).
"""

from __future__ import annotations

import numpy as np

from .._compute import Compute, computed_property
from ..laplace.grids import TransformGrids
from ..laplace.pipeline import METHODS, NNLT_METHODS, invert
from .m0 import IterativeM0, ScalingM0, m0_asymptotic, m0_kramers_kronig
from .mz_laplace import (SISFTransform, check_correlator, continue_spectrum, kernel_laplace, tau0_of,
                         truncation_frequency)
from .mz_time import solve_mz

#: default inversion of the kernels: the method with the smallest kernel error (MCT m0) and the
#: smallest SISF RMSE (iterative and scaling m0) in the hard-disk validation (doc/memory.md);
#: NNLS had 5x the kernel error there
DEFAULT_METHOD = "nnlt_tails"
M0_CHOICES = ("asymptotic", "kk", "iterative")


class MemoryKernel(Compute):
    """Memory kernel of one SISF.

    Parameters
    ----------
    q : float
        Wave number (> 0).
    D0 : float
        Short-time (free) diffusion coefficient (> 0); ``tau0 = 1/(D0 q^2)``.
    method : str
        Inversion of ``m(omega)/m0``, one of ``laplace.pipeline.METHODS``.
    cut : float
        Noise level: the SISF is cut where it first falls below it and continued
        by a fitted exponential (§4.4).
    noise : float
        Absolute noise of the SISF for the truncation criterion (0: sign and
        monotonicity tests only); see :func:`.mz_laplace.truncation_frequency`.
    model : NNLT, path or None
        Trained NNLT for the NNLT methods (default: the shipped one).
    nnls : dict, optional
        ``NNLSInversion`` settings of the ``nnls`` method.
    solver : dict, optional
        :func:`.mz_time.solve_mz` settings of the reconstruction.
    """

    compute_hint = "compute(t, F)"

    def __init__(self, q: float, D0: float = 1.0, method: str = DEFAULT_METHOD, cut: float = 1e-3,
                 noise: float = 0.0, model=None, nnls: dict | None = None, solver: dict | None = None) -> None:
        self.tau0 = float(tau0_of(q, D0))
        self.q, self.D0 = float(q), float(D0)
        if method not in METHODS:
            raise ValueError(f"unknown inversion method {method!r}; choose one of {', '.join(METHODS)}")
        self.method = method
        self.cut, self.noise = float(cut), float(noise)
        self.nnls = nnls
        self.solver = dict(solver or {})
        self._model = model
        self._cache: dict = {}

    @property
    def model(self):
        """The NNLT (loaded once, on first use)."""
        if self._model is None or not hasattr(self._model, "grids"):
            from ..nnlt.model import NNLT, pretrained

            self._model = pretrained() if self._model in (None, "pretrained") else NNLT.load(self._model)
        return self._model

    def _grids(self):
        if self._model is not None or self.method in NNLT_METHODS:
            return self.model.grids
        return TransformGrids()

    def compute(self, t, F) -> "MemoryKernel":
        """Transform the SISF ``F`` sampled on ``t`` and build ``m(omega)``."""
        t, F = check_correlator(t, F)
        grids = self._grids()
        self._omega, self._t_out = grids.omega, grids.t
        st = SISFTransform(self._omega, cut=self.cut).compute(t, F)
        self._shat = st.shat
        self._mhat = kernel_laplace(st.shat, self._omega, self.tau0)
        # |dS| ~ noise * (time over which the data were integrated)
        ds = self.noise * st.t_cut
        self._keep = truncation_frequency(self._omega, self._mhat, self.tau0, ds)
        self._mhat_used = continue_spectrum(self._omega, self._mhat, self._keep)
        window = (t > 0) & (t < st.t_cut)
        if window.sum() < 4:
            raise ValueError(f"the SISF at q = {self.q:g} falls below the noise level {self.cut:g} after "
                             f"{window.sum()} points: too few to measure the reconstruction")
        self._t_data, self._F_data = t[window], F[window]
        self._cache = {}
        return self

    # --- results -----------------------------------------------------------
    @computed_property
    def omega(self) -> np.ndarray:
        """Frequency grid (the NNLT's input grid)."""
        return self._omega

    @computed_property
    def shat(self) -> np.ndarray:
        """Filon transform of the preprocessed SISF."""
        return self._shat

    @computed_property
    def mhat(self) -> np.ndarray:
        """Eq. 4.47 on the whole grid, before truncation."""
        return self._mhat

    @computed_property
    def mhat_used(self) -> np.ndarray:
        """The truncated and continued spectrum that is inverted."""
        return self._mhat_used

    @computed_property
    def keep(self) -> int:
        """Number of leading frequencies kept by the truncation criterion."""
        return self._keep

    @computed_property
    def omega_cut(self) -> float:
        """Last kept frequency."""
        return float(self._omega[max(self._keep - 1, 0)])

    @computed_property
    def t_data(self) -> np.ndarray:
        """Times of the measured part of the SISF (before the cut)."""
        return self._t_data

    @computed_property
    def F_data(self) -> np.ndarray:
        """The SISF there."""
        return self._F_data

    @computed_property
    def m0_asymptotic(self) -> float:
        """Eq. 4.52 on the kept spectrum."""
        return m0_asymptotic(self._omega, self._mhat, self._keep)

    @computed_property
    def m0_kk(self) -> float:
        """Eq. 4.53 on the kept spectrum."""
        return m0_kramers_kronig(self._omega, self._mhat, self._keep)

    @computed_property
    def nnls_settings(self) -> dict:
        """``NNLSInversion`` settings of the ``nnls`` method.

        Default: relaxation times from ``1/omega_cut`` (the shortest time the
        kept spectrum resolves) to 1e11 at 20 per decade, ``alpha = 1e-6``,
        ``sum a_k = 1`` as soft constraint (the normalised kernel starts at 1).
        Shorter times would let a wrong ``m0`` hide in an invisible fast
        spike and flatten the iterative scheme's error on the large-m0 side.
        """
        if self.nnls is not None:
            return dict(self.nnls)
        tau_min = 1.0 / self.omega_cut
        return {"alpha": 1e-6, "f0": 1.0, "tau_range": (tau_min, 1e11),
                "n_tau": int(round(20 * np.log10(1e11 / tau_min))) + 1}

    # --- kernel, reconstruction, error --------------------------------------
    def kernel(self, m0: float, method: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(t, m(t))`` for initial value ``m0`` (> 0) with ``method`` (default: the instance's)."""
        if not self._called_compute:
            raise RuntimeError("MemoryKernel: call compute(t, F) first")
        if not (np.isfinite(m0) and m0 > 0):
            raise ValueError(f"m0 must be > 0, got {m0}")
        method = method or self.method
        key = ("kernel", float(m0), method)
        if key not in self._cache:
            model = self.model if method in NNLT_METHODS else None
            t, f = invert(self._mhat_used / m0, self._omega, method=method, model=model, t=self._t_out,
                          nnls=self.nnls_settings)
            self._cache[key] = (t, m0 * np.asarray(f, dtype=float))
        return self._cache[key]

    def reconstruct(self, t_kernel, m, t_out=None) -> np.ndarray:
        """Time-domain MZ solution with kernel ``(t_kernel, m)`` on ``t_out`` (default: :attr:`t_data`)."""
        t_kernel, m = np.asarray(t_kernel, dtype=float), np.asarray(m, dtype=float)
        if t_kernel[0] > 0:
            t_kernel, m = np.concatenate([[0.0], t_kernel]), np.concatenate([[m[0]], m])
        t_out = self.t_data if t_out is None else np.asarray(t_out, dtype=float)
        return solve_mz(t_kernel, m, self.tau0, t_out=t_out, **self.solver)[1]

    def rmse(self, m0: float, method: str | None = None) -> float:
        """RMSE of the reconstructed SISF against the data for initial value ``m0``."""
        method = method or self.method
        key = ("rmse", float(m0), method)
        if key not in self._cache:
            tk, mk = self.kernel(m0, method)
            if not np.all(np.isfinite(mk)):
                self._cache[key] = np.inf
            else:
                rec = self.reconstruct(tk, mk)
                self._cache[key] = float(np.sqrt(np.mean((rec - self.F_data) ** 2)))
        return self._cache[key]

    def iterate_m0(self, guess: float | None = None, method: str | None = None, progress: bool = False,
                   **kwargs) -> IterativeM0:
        """The iterative scheme (§4.3.2) around ``guess`` (default: the larger of the
        asymptotic and Kramers-Kronig estimates). ``kwargs``: :class:`.m0.IterativeM0`.
        """
        if guess is None:
            cands = [m for m in (self.m0_asymptotic, self.m0_kk) if np.isfinite(m) and m > 0]
            if not cands:
                raise ValueError(f"no usable first guess of m0 at q = {self.q:g}; give one")
            guess = max(cands)
        return IterativeM0(lambda m0: self.rmse(m0, method), progress=progress,
                           desc=f"m0 q={self.q:g}", **kwargs).compute(guess)

    def m0(self, how: str | float, method: str | None = None, **kwargs) -> float:
        """``m0`` by name (``asymptotic``, ``kk``, ``iterative``) or a given value."""
        if isinstance(how, str):
            if how == "asymptotic":
                return self.m0_asymptotic
            if how == "kk":
                return self.m0_kk
            if how == "iterative":
                return self.iterate_m0(method=method, **kwargs).m0
            raise ValueError(f"unknown m0 estimator {how!r}; choose one of {', '.join(M0_CHOICES)} or a number")
        value = float(how)
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"m0 must be > 0, got {how}")
        return value


def fit_scaling(kernels: list[MemoryKernel], m0_individual, method: str | None = None,
                max_evals: int = 40) -> ScalingM0:
    """Fit ``m0(q) = a/q^2 (1 + b q)`` to the kernels of one state (eqs. 4.55/4.56, b of free sign)."""
    q = np.array([k.q for k in kernels])
    return ScalingM0(q, lambda i, m0: kernels[i].rmse(m0, method), max_evals=max_evals).compute(m0_individual)
