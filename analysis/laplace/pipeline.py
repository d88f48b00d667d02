"""One entry point for every inverse Fourier-Laplace transform.

``invert(fhat, omega, method=...)`` returns ``(t, f)`` for

* ``"nnlt"``: the neural-network inverse Laplace transform (Granz 2026, §4.2)
  as it comes out of the network;
* ``"nnlt_refined"``: its output corrected so that its forward transform
  matches ``fhat`` (:class:`~slowdyn.analysis.laplace.refine.ConsistencyRefinement`);
* ``"nnlt_tails"``: the refined output with NNLS tails below 0.1
  (:class:`~slowdyn.analysis.laplace.tails.SpectralTails`);
* ``"nnls"``: Tikhonov non-negative least squares on a log tau grid
  (:class:`~slowdyn.analysis.laplace.nnls.NNLSInversion`);
* ``"inverse_filon"``: the inverse Filon method (eq. 2.48,
  :class:`~slowdyn.analysis.laplace.filon.InverseFourierLaplace`).

The NNLT methods need a trained model object (``model=``, e.g. the shipped
one, :func:`slowdyn.analysis.nnlt.pretrained`; this package does not load
it, so that the classical side never depends on the network side); every
method returns ``f`` on the model's time grid (without a model, on the
default :class:`~slowdyn.analysis.laplace.grids.TransformGrids`, the same
numbers) unless ``t`` is given for the classical ones.
"""

from __future__ import annotations

import numpy as np

from .filon import InverseFourierLaplace
from .grids import TransformGrids
from .nnls import NNLSInversion
from .refine import DEFAULT_LAM
from .tails import SpectralTails

METHODS = ("nnlt", "nnlt_refined", "nnlt_tails", "nnls", "inverse_filon")
NNLT_METHODS = ("nnlt", "nnlt_refined", "nnlt_tails")
# plot labels
METHOD_LABELS = {"nnlt": "NNLT", "nnlt_refined": "NNLT refined", "nnlt_tails": "NNLT + NNLS tails",
                 "inverse_filon": "inverse Filon", "nnls": "NNLS"}
# default NNLS settings of the comparisons: f(0) = 1 as soft constraint, the information the NNLT builds in
DEFAULT_NNLS = {"alpha": 1e-6, "f0": 1.0}


def _grids(model):
    return model.grids if model is not None else TransformGrids()


def _check_model(model, methods) -> None:
    if model is not None and not hasattr(model, "grids"):
        raise ValueError(f"model must be a trained NNLT object, got {model!r}: load it first "
                         f"(slowdyn.analysis.nnlt.pretrained() or slowdyn.analysis.nnlt.NNLT.load(path))")
    if model is None and any(m in NNLT_METHODS for m in methods):
        raise ValueError(f"the NNLT methods ({', '.join(m for m in methods if m in NNLT_METHODS)}) need a trained "
                         f"model: pass model=slowdyn.analysis.nnlt.pretrained() (the shipped one) or an NNLT")


def invert(fhat, omega=None, method: str = "nnlt_tails", model=None, t=None, nnls: dict | None = None,
           lam: float = DEFAULT_LAM) -> tuple[np.ndarray, np.ndarray]:
    """Invert a Fourier-Laplace transform ``fhat(omega) = int_0^inf f(t) exp(-i omega t) dt``.

    Parameters
    ----------
    fhat : array_like (..., M) complex
        The transform on ``omega`` (default: the model's frequency grid).
    omega : array_like (M,), optional
        Its increasing, positive frequency grid (resampled onto the NNLT grid for the NNLT methods).
    method : str
        One of :data:`METHODS`.
    model : NNLT, optional
        Trained NNLT, required by the NNLT methods (e.g. :func:`slowdyn.analysis.nnlt.pretrained`).
    t : array_like, optional
        Output times of ``nnls`` and ``inverse_filon`` (default: the NNLT time grid).
    nnls : dict, optional
        :class:`NNLSInversion` arguments (default :data:`DEFAULT_NNLS`).
    lam : float
        Pull of the refinement towards the network output (``nnlt_refined``, ``nnlt_tails``).

    Returns
    -------
    t, f : numpy.ndarray
    """
    return invert_many(fhat, omega, (method,), model, t, nnls, lam)[method]


def invert_many(fhat, omega=None, methods=METHODS, model=None, t=None, nnls: dict | None = None,
                lam: float = DEFAULT_LAM) -> dict:
    """:func:`invert` with several methods at once: ``{method: (t, f)}``.

    The NNLT methods build on each other (network output, its refinement, NNLS
    tails on the refined output); each step is computed once. Arguments as
    :func:`invert`, ``methods`` a sequence of :data:`METHODS`.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown inversion method {unknown[0]!r}; choose one of {', '.join(METHODS)}")
    _check_model(model, methods)
    grids = _grids(model)
    fhat = np.asarray(fhat, dtype=complex)
    if omega is None:
        omega = grids.omega
    omega = np.asarray(omega, dtype=float)
    if omega.ndim != 1 or omega.size < 2 or omega[0] <= 0 or np.any(np.diff(omega) <= 0):
        raise ValueError("omega must be a positive, strictly increasing 1D grid")
    if fhat.shape[-1] != omega.size:
        raise ValueError(f"fhat has {fhat.shape[-1]} values, omega {omega.size}")
    out = {}
    if any(m in NNLT_METHODS for m in methods):
        on_grid = fhat if np.array_equal(omega, model.omega) else model.to_grid(fhat, omega)
        f = model(on_grid)
        out["nnlt"] = (model.t, f)
        if "nnlt_refined" in methods or "nnlt_tails" in methods:
            f = model.refinement(lam).compute(on_grid, f).f
            out["nnlt_refined"] = (model.t, f)
        if "nnlt_tails" in methods:
            out["nnlt_tails"] = (model.t, SpectralTails().compute(model.omega, on_grid, model.t, f).f)
    t = grids.t if t is None else np.asarray(t, dtype=float)
    if "nnls" in methods:
        out["nnls"] = (t, NNLSInversion(**(DEFAULT_NNLS if nnls is None else nnls)).compute(omega, fhat).f(t))
    if "inverse_filon" in methods:
        out["inverse_filon"] = (t, InverseFourierLaplace(omega, t).compute(fhat).f)
    return {m: out[m] for m in methods}


def invert_all(fhat: np.ndarray, grids, model=None, nnls: dict | None = None) -> dict:
    """Invert ``fhat`` (on ``grids.omega``) onto ``grids.t`` with every method.

    Returns ``{method: f}`` for the NNLT methods (only when a trained model is
    given), ``inverse_filon`` and ``nnls`` (``nnls``: NNLSInversion settings,
    its own defaults when None), in that order: the validations' table order.
    """
    methods = (NNLT_METHODS if model is not None else ()) + ("inverse_filon", "nnls")
    out = invert_many(fhat, grids.omega, methods, model, grids.t, nnls or {})
    return {m: f for m, (_, f) in out.items()}


__all__ = ["METHODS", "METHOD_LABELS", "invert", "invert_all", "invert_many"]
