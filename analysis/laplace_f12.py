"""F12-model correlators from mctpy as a test bed for inverse Laplace
transforms (seed 000 §4.1.6, §4.2.5, Figs. 4.3/4.4).

The schematic F12 model with Brownian dynamics (tau = 1)::

    d_t phi + phi + int_0^t m(t - t') d_t' phi(t') dt' = 0,   m = v1 phi + v2 phi^2

is solved in the time domain by mctpy; the correlator is Filon-transformed
onto the NNLT frequency grid and inverted again by each method. For the
F1 model (v2 = 0) the Laplace transform is known in closed form: with
``s = i omega`` the Laplace-domain equation
``(s Phi - 1) + Phi + v1 Phi (s Phi - 1) = 0`` is the quadratic
``v1 s Phi^2 + (s + 1 - v1) Phi - 1 = 0`` (:func:`f1_laplace`).

mctpy (and its runtime needs numba, scipy, h5py) is imported lazily: install
it with ``pip install 'slowdyn[mct]'``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._optional import require
from .filon import fourier_laplace
from .laplace_report import error_metrics, invert_all
from .nnlt_data import NNLTGrids

# the thesis' validation points: F2 (v1 = 0) and F1 (v2 = 0)
F12_POINTS = ((0.0, 2.0), (0.0, 3.0), (0.0, 3.9), (0.0, 3.99), (0.5, 0.0), (0.9, 0.0))


def _mctpy():
    return require("mctpy", "F12 correlators", "mct", "mctpy, numba, scipy, h5py")


def f12_correlator(v1: float, v2: float, h: float = 1e-9, blocksize: int = 256,
                   blocks: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Brownian F12 correlator from mctpy: ``(t, phi)`` with ``t[0] = 0``, ``phi(0) = 1``.

    Parameters
    ----------
    v1, v2 : float
        Vertices of ``m = v1 phi + v2 phi^2``.
    h, blocksize, blocks : see ``mctpy.correlator``
        First step, points per block (step doubles from block to block), blocks.
    """
    mct = _mctpy()
    phi = mct.correlator(model=mct.f12model(float(v1), float(v2)), store=True, h=h,
                         blocksize=blocksize, blocks=blocks, motion_type="brownian")
    mct.CorrelatorStack([phi]).solve_all()
    t = np.asarray(phi.t, dtype=float)
    f = np.asarray(phi.phi[:, 0], dtype=float)
    keep = np.concatenate([[True], np.diff(t) > 0])
    return t[keep], f[keep]


def f1_laplace(v1: float, omega) -> np.ndarray:
    """Exact Fourier-Laplace transform of the Brownian F1 correlator (tau = 1)."""
    s = 1j * np.asarray(omega, dtype=float)
    if v1 == 0:
        return 1.0 / (s + 1.0)
    b = s + 1.0 - v1
    disc = np.sqrt(b * b + 4.0 * v1 * s)
    r1, r2 = (-b + disc) / (2 * v1 * s), (-b - disc) / (2 * v1 * s)
    return np.where(r1.real > 0, r1, r2)  # the root with Re > 0 (positive correlator)


class F12Validation:
    """Invert Filon transforms of F12 correlators with NNLT, inverse Filon and NNLS.

    Parameters
    ----------
    model : NNLT or path, optional
        Trained NNLT (its grids are used); without it only the classical methods.
    points : sequence of (v1, v2)
        F12 parameters (default: the thesis' F2 and F1 points).
    nnls : dict, optional
        :class:`NNLSInversion` arguments (default ``alpha=1e-6, f0=1``).
    solver : dict, optional
        :func:`f12_correlator` arguments.
    """

    def __init__(self, model=None, points=F12_POINTS, nnls: dict | None = None,
                 solver: dict | None = None) -> None:
        if model is not None and not hasattr(model, "grids"):
            from .nnlt import NNLT

            model = NNLT.load(model)
        self.model = model
        self.grids = model.grids if model is not None else NNLTGrids()
        self.points = [tuple(map(float, p)) for p in points]
        self.nnls = dict(nnls) if nnls is not None else {"alpha": 1e-6, "f0": 1.0}
        self.solver = dict(solver or {})
        self._res: list | None = None

    def compute(self) -> "F12Validation":
        g = self.grids
        out = []
        for v1, v2 in self.points:
            t, phi = f12_correlator(v1, v2, **self.solver)
            fhat = fourier_laplace(t, phi, g.omega)
            true = np.interp(g.t, t, phi)
            pred = invert_all(fhat, g, self.model, self.nnls)
            err = {}
            for m, p in pred.items():
                metrics = error_metrics(p, true)
                err[m] = {"max": float(metrics["max"]), "rms": float(metrics["rms"])}
            out.append({"v1": v1, "v2": v2, "t": t, "phi": phi, "fhat": fhat, "true": true,
                        "pred": pred, "errors": err, "decayed": bool(true[-1] < 1e-3)})
        self._res = out
        return self

    @property
    def results(self) -> list:
        """One dict per point: ``v1, v2, t, phi, fhat, true, pred, errors, decayed``."""
        if self._res is None:
            raise RuntimeError("F12Validation: call compute() first")
        return self._res

    def table(self) -> str:
        lines = ["# F12 (Brownian, tau = 1) from mctpy -> Filon -> inverse; errors on the NNLT t grid",
                 f"{'v1':>5s} {'v2':>5s} {'method':14s} {'max':>10s} {'rms':>10s}  decayed in window"]
        for r in self.results:
            for m, e in r["errors"].items():
                lines.append(f"{r['v1']:5.2f} {r['v2']:5.2f} {m:14s} {e['max']:10.3e} {e['rms']:10.3e}  "
                             f"{r['decayed']}")
        return "\n".join(lines) + "\n"

    def write(self, prefix: str | os.PathLike = "f12") -> list[Path]:
        """``PREFIX_f12.txt`` and ``PREFIX_f12.png`` (Laplace domain on top, time domain below)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        files = [Path(f"{prefix}_f12.txt"), Path(f"{prefix}_f12.png")]
        files[0].write_text(self.table())
        res = self.results
        fig, axes = plt.subplots(2, len(res), figsize=(3.2 * len(res), 6), squeeze=False)
        g = self.grids
        for j, r in enumerate(res):
            ax = axes[0, j]
            ax.loglog(g.omega, r["fhat"].real, label="Re")
            ax.loglog(g.omega, -r["fhat"].imag, label="-Im")
            ax.set_title(f"v1={r['v1']:g}, v2={r['v2']:g}", fontsize="small")
            ax.set_xlabel(r"$\omega$")
            ax = axes[1, j]
            ax.plot(g.t, r["true"], "k-", lw=2, label="mctpy")
            for k, (m, p) in enumerate(r["pred"].items()):
                ax.plot(g.t, p, "--", color=f"C{k}", label=m)
            ax.set_xscale("log")
            ax.set_ylim(-0.1, 1.2)
            ax.set_xlabel("t")
        axes[0, 0].legend(fontsize="x-small")
        axes[1, 0].legend(fontsize="x-small")
        fig.tight_layout()
        fig.savefig(files[1], dpi=110)
        plt.close(fig)
        return files
