"""A trained neural-network inverse Laplace transform (NNLT; Granz 2026, §4.2).

``NNLT.load(path)(fhat)`` maps a Fourier-Laplace transform on the model's
frequency grid to ``f`` on its time grid; it does inference only. The
refinement and the NNLS tails that improve its output, and the classical
inversions, are methods of :func:`slowdyn.analysis.laplace.pipeline.invert`.

A saved model (``model.pt``, ``torch.save``) holds the state dict, the grids,
the input normalisation and the full training config.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..laplace.refine import DEFAULT_LAM, ConsistencyRefinement
from .config import NNLTConfig
from .grids import NNLTGrids, encode_polar
from .network import _torch, build_network

FORMAT = "slowdyn.nnlt/1"


class NNLTInputWarning(UserWarning):
    """The input of an NNLT lies far outside the inputs it was trained on."""


class NNLT:
    """A trained inverse Laplace transform: ``NNLT.load(path)(fhat) -> f(t)``.

    Parameters
    ----------
    network : torch.nn.Module
        From :func:`build_network`, weights loaded.
    grids : NNLTGrids
    config : dict
        Training config (:class:`NNLTConfig` as a dict).
    history : dict, optional
        Per-epoch losses of the training run.

    Notes
    -----
    Every call checks that the input is the transform of a function that has
    decayed inside the time window, as every training function had
    (``f(t_max) <= f_end_max``). At ``omega <= 1/t_max`` the phase lag gives
    the slowest relaxation time, ``tau_slow = tan(-arg f(omega)) / omega``
    (``<tau^2>/<tau>`` for an exponential sum); a single exponential decays
    to ``f_end_max`` by ``t_max`` if ``tau <= tau_c = t_max / ln(1/f_end_max)``
    (5.4e8 for the shipped model). Above ``max_slow_tau * tau_c`` an
    :class:`NNLTInputWarning` is raised. For the shipped model the largest
    ``tau_slow / tau_c`` of 5000 fresh training pairs is 1.3, of mctpy's F12
    transforms (clean or noisy) below 2e-4, and 1000 for the Filon transform
    of an mctpy F1 correlator that keeps a solver residual of 3e-7 to t = 1e10.
    """

    max_slow_tau = 2.0

    def __init__(self, network, grids: NNLTGrids, config: dict, history: dict | None = None) -> None:
        self.network = network.eval()
        self.grids = grids
        self.config = dict(config)
        self.history = history or {}
        self._operator: np.ndarray | None = None   # forward operator of refinement(), built once

    @property
    def omega(self) -> np.ndarray:
        """Input frequency grid."""
        return self.grids.omega

    @property
    def t(self) -> np.ndarray:
        """Output time grid."""
        return self.grids.t

    @property
    def f_end_max(self) -> float:
        """Every training function was below this at ``t_max`` (decayed inside the window):
        the loosest bound over ``data`` and ``extra_data``.
        """
        sets = [self.config.get("data", {})] + list(self.config.get("extra_data", []))
        return max(float(d.get("f_end_max", 1e-8)) for d in sets)

    @classmethod
    def from_config(cls, config: NNLTConfig):
        grids = NNLTGrids(**config.grids)
        net = build_network(2 * grids.n_omega, grids.n_t, config.hidden, config.activation, config.output)
        return cls(net, grids, config.to_dict())

    def state(self) -> dict:
        """The saved form: state dict + grid metadata + config (+ loss history)."""
        return {"format": FORMAT, "state_dict": self.network.state_dict(), "grids": self.grids.to_dict(),
                "config": self.config, "history": self.history}

    def save(self, path: str | os.PathLike) -> Path:
        from slowdyn.common.training import save_torch_file

        return save_torch_file(path, self.state())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "NNLT":
        """Load a ``model.pt`` written by :meth:`save` (or the model part of a checkpoint)."""
        from slowdyn.common.training import load_torch_file

        blob = load_torch_file(path, "slowdyn NNLT model")
        if blob.get("format") != FORMAT:
            raise ValueError(f"{path}: not a slowdyn NNLT file (format {blob.get('format')!r}, "
                             f"expected {FORMAT!r})")
        try:
            cfg = NNLTConfig.from_dict(blob["config"])
            grids = NNLTGrids(**blob["grids"])
            net = build_network(2 * grids.n_omega, grids.n_t, cfg.hidden, cfg.activation, cfg.output)
            net.load_state_dict(blob["state_dict"])
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(f"{path}: a damaged slowdyn NNLT file (its config, grids and weights do not fit "
                             f"together: {type(exc).__name__} {' '.join(str(exc).split())[:160]}...)") from exc
        return cls(net, grids, blob["config"], blob.get("history", {}))

    def to_grid(self, fhat, omega) -> np.ndarray:
        """Resample ``fhat`` given on another increasing ``omega`` grid onto :attr:`omega`.

        ``log|f|`` and the unwrapped phase are interpolated linearly in
        ``log omega``. Outside the given range the asymptotics of a
        normalised decaying function are used: above it ``|f| ~ 1/omega``
        with the phase relaxing to -pi/2 like 1/omega (``f ~ 1/(i omega)``);
        below it ``|f|`` is constant and the phase goes to 0 like omega.
        """
        omega = np.asarray(omega, dtype=float)
        fhat = np.asarray(fhat, dtype=complex)
        if omega.ndim != 1 or np.any(np.diff(omega) <= 0) or omega[0] <= 0:
            raise ValueError("omega must be positive and strictly increasing")
        if fhat.shape[-1] != omega.size:
            raise ValueError("fhat and omega differ in length")
        lw, lg = np.log(omega), np.log(self.omega)
        mag = np.log(np.maximum(np.abs(fhat), 1e-300))
        ph = np.unwrap(np.angle(fhat), axis=-1)
        flat_m = mag.reshape(-1, omega.size)
        flat_p = ph.reshape(-1, omega.size)
        out = np.empty((flat_m.shape[0], lg.size), dtype=complex)
        hi, lo = self.omega > omega[-1], self.omega < omega[0]
        for i in range(flat_m.shape[0]):
            m = np.interp(lg, lw, flat_m[i])
            p = np.interp(lg, lw, flat_p[i])
            m[hi] = flat_m[i, -1] - (lg[hi] - lw[-1])
            p[hi] = -np.pi / 2 + (flat_p[i, -1] + np.pi / 2) * omega[-1] / self.omega[hi]
            m[lo] = flat_m[i, 0]
            p[lo] = flat_p[i, 0] * self.omega[lo] / omega[0]
            out[i] = np.exp(m + 1j * p)
        return out.reshape(fhat.shape[:-1] + (lg.size,))

    def encode(self, fhat) -> np.ndarray:
        """Network input for ``fhat`` on :attr:`omega` (eq. 4.36, clipped)."""
        return encode_polar(fhat, tuple(self.config.get("abs_clip", (1e-10, 1e12))))

    def __call__(self, fhat: Any, omega=None) -> np.ndarray:
        """Network output for ``fhat``.

        Parameters
        ----------
        fhat : array_like (..., M) complex, or callable
            ``f(omega)`` on :attr:`omega` (``M = grids.n_omega``), on
            ``omega`` if given, or a function evaluated on :attr:`omega`.
        omega : array_like, optional
            Grid of ``fhat`` when it is not the model's grid (see :meth:`to_grid`).

        Returns
        -------
        numpy.ndarray, shape (..., N)
            ``f`` on :attr:`t`. The refined output and NNLS tails:
            :func:`slowdyn.analysis.laplace.pipeline.invert`.
        """
        torch = _torch()
        if callable(fhat):
            fhat = np.asarray(fhat(self.omega), dtype=complex)
        elif omega is not None:
            fhat = self.to_grid(fhat, omega)
        fhat = np.asarray(fhat, dtype=complex)
        if fhat.shape[-1] != self.grids.n_omega:
            raise ValueError(f"fhat has {fhat.shape[-1]} frequencies, the NNLT expects "
                             f"{self.grids.n_omega} (pass omega= to resample)")
        self._check_input(fhat)
        x = torch.as_tensor(self.encode(fhat).reshape(-1, 2 * self.grids.n_omega), dtype=torch.float32)
        with torch.no_grad():
            y = self.network(x).double().numpy().reshape(fhat.shape[:-1] + (self.grids.n_t,))
        return y

    def refinement(self, lam: float = DEFAULT_LAM) -> ConsistencyRefinement:
        """The data-consistency refinement on this model's grids (its forward operator is built
        once per model, about 1 s).
        """
        ref = ConsistencyRefinement(self.t, self.omega, lam, operator=self._operator)
        self._operator = ref.operator
        return ref

    def slow_tau(self, fhat) -> np.ndarray:
        """Slowest relaxation time of ``fhat`` (..., M) seen at ``omega <= 1/t_max``:
        ``max tan(-arg f(omega)) / omega`` (a phase lag of pi/2 or more counts as infinite).
        """
        low = self.omega <= 1.0 / self.grids.t_max
        lag = -np.angle(np.asarray(fhat, dtype=complex)[..., low])
        with np.errstate(over="ignore"):
            tau = np.where(lag < np.pi / 2, np.tan(np.clip(lag, 0.0, None)), np.inf) / self.omega[low]
        return np.max(tau, axis=-1, initial=0.0)

    def _check_input(self, fhat) -> None:
        end = self.f_end_max
        tau_c = self.grids.t_max / np.log(1.0 / end)
        tau = float(np.max(self.slow_tau(fhat)))
        if tau <= self.max_slow_tau * tau_c:
            return
        tau_txt = f"{tau:.3g}" if np.isfinite(tau) else "infinite: phase lag of 90 degrees or more"
        warnings.warn(f"NNLT: the input still relaxes at the lowest frequencies (relaxation time "
                      f"{tau_txt} from the phase at omega <= 1/t_max); the training functions decayed below "
                      f"{end:g} by t_max = {self.grids.t_max:g} (tau <= {tau_c:.3g}), so the output is "
                      "unreliable. Check that the correlator decays inside the time window and that its "
                      "transform is accurate at low frequencies", NNLTInputWarning, stacklevel=3)


def pretrained_path() -> Path:
    """Path of the model shipped with slowdyn, ``models/nnlt_2x1024.pt``.

    Trained with ``slowdyn nnlt train`` on :func:`pretrained_config`; its
    training history is stored in the file (``NNLT.load(...).history``).
    """
    return Path(__file__).with_name("models") / "nnlt_2x1024.pt"


def pretrained() -> NNLT:
    """The NNLT shipped with slowdyn (see :func:`pretrained_path`)."""
    path = pretrained_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: this slowdyn installation has no pretrained NNLT; train one "
                                "with 'slowdyn nnlt train' and pass its model.pt")
    return NNLT.load(path)


__all__ = ["FORMAT", "NNLT", "NNLTInputWarning", "pretrained", "pretrained_path"]
