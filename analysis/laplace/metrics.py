"""Error measures of inverse transforms and the noisy inputs they are judged on.

``error_metrics`` gives the NNLT loss terms (Granz 2026, eqs. 4.42, 4.43)
and the max/RMS errors of a prediction; ``noisy_transform`` and
``tail_transform`` build the noisy Laplace-domain inputs of §4.2.5
(noise, cut, exponential continuation, Filon transform).
"""

from __future__ import annotations

import numpy as np

from .filon import fourier_laplace
from .truncation import TailExtrapolation

METRICS = ("mse", "logmse", "max", "rms")


def error_metrics(pred, true, eps: float = 1e-12) -> dict:
    """Per-function ``mse``, ``logmse`` (eqs. 4.42/4.43), ``max`` and ``rms`` errors.

    Parameters
    ----------
    pred, true : array_like (..., N)
        Prediction and reference on the same grid; negative predictions count as 0 in the log.
    eps : float
        Offset of the logarithm.
    """
    pred = np.asarray(pred, dtype=float)
    true = np.asarray(true, dtype=float)
    d = pred - true
    logd = np.log(np.maximum(pred, 0.0) + eps) - np.log(true + eps)
    return {"mse": np.mean(d**2, axis=-1), "logmse": np.mean(logd**2, axis=-1),
            "max": np.max(np.abs(d), axis=-1), "rms": np.sqrt(np.mean(d**2, axis=-1))}


def noisy_transform(t, f, omega, noise: float, rng: np.random.Generator,
                    tail: TailExtrapolation) -> tuple[np.ndarray, np.ndarray]:
    """Noisy input of §4.2.5: ``f(t)`` plus Gaussian noise, cut and continued
    with ``tail``, then Filon-transformed onto ``omega``; returns ``(noisy f, fhat)``.
    """
    noisy = np.asarray(f, dtype=float) + noise * rng.normal(size=np.shape(f))
    return noisy, tail_transform(t, noisy, omega, tail)


def tail_transform(t, f, omega, tail: TailExtrapolation) -> np.ndarray:
    """Filon transform onto ``omega`` of ``f(t)`` cut and continued with ``tail`` (§4.2.5)."""
    te = tail.compute(t, f)
    return fourier_laplace(te.t, te.f, omega)


__all__ = ["METRICS", "error_metrics", "noisy_transform", "tail_transform"]
