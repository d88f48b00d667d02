"""Known correlators through the Filon transform and back again: the shared
part of the mctpy validations of the inverse Laplace transforms (Granz 2026,
§4.2.5: F12 model, near-critical F12, Brownian hard disks).

A subclass of :class:`CorrelatorInversion` yields time-domain correlators
``(label, parameters, t, phi)``; :meth:`CorrelatorInversion.compute`
Filon-transforms each onto the NNLT frequency grid, inverts it with every
method of :func:`~slowdyn.analysis.laplace.pipeline.invert_all` (NNLT if a
model is given, inverse Filon, Tikhonov NNLS) and measures max and RMS of
``|f - phi|`` on the NNLT time grid. With ``noise > 0`` every correlator
is inverted a second time from noisy data as in §4.2.5: phi on the NNLT time
grid plus Gaussian noise, cut below ``threshold``, continued with a fitted
exponential down to ``floor``
(:class:`~slowdyn.analysis.laplace.truncation.TailExtrapolation`), then
Filon-transformed. A subclass may instead yield measured data, e.g. from a
simulation, as a fifth item ``(t_measured, f_measured)``: that is then the
noisy input (cut, exponential tail, Filon) and phi the exact reference.
:meth:`~CorrelatorInversion.write` saves a text table and a PNG (Laplace
domain on top, time domain below).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from slowdyn.common.plotting import subplots
from ..laplace.filon import fourier_laplace
from ..laplace.metrics import error_metrics, noisy_transform, tail_transform
from ..laplace.pipeline import METHOD_LABELS, invert_all
from ..laplace.truncation import TailExtrapolation
from ..nnlt.grids import NNLTGrids
from .._compute import Compute, computed_property


class CorrelatorInversion(Compute):
    """Invert Filon transforms of known correlators with NNLT, inverse Filon and NNLS.

    Parameters
    ----------
    model : NNLT or path, optional
        Trained NNLT (its grids are used); without it only the classical methods.
    nnls : dict, optional
        :class:`~slowdyn.analysis.laplace.nnls.NNLSInversion` arguments
        (default ``alpha=1e-6, f0=1``).
    noise : float
        Amplitude of the Gaussian noise of the second, noisy inversion (0: none).
    threshold, floor : float
        Truncation level and extrapolation floor of the noisy inputs.
    seed : int
        Seed of the noise.
    """

    kind = "correlators"    # file suffix: PREFIX_KIND.txt / .png
    title = "correlators -> Filon -> inverse"
    reference = "mctpy"     # legend of phi in the PNG
    measured_note = "measured data"  # table header of the measured inputs, if any

    def __init__(self, model=None, nnls: dict | None = None, noise: float = 0.0, threshold: float = 1e-3,
                 floor: float = 1e-6, seed: int = 0) -> None:
        self.noise, self.threshold, self.floor, self.seed = float(noise), float(threshold), float(floor), int(seed)
        if model is not None and not hasattr(model, "grids"):
            from ..nnlt.model import NNLT

            model = NNLT.load(model)
        self.model = model
        self.grids = model.grids if model is not None else NNLTGrids()
        self.nnls = dict(nnls) if nnls is not None else {"alpha": 1e-6, "f0": 1.0}
        # "decayed in window": the reference is as small at t_max as the training functions were
        self.decayed_below = model.f_end_max if model is not None else 1e-8
        self._res: list | None = None

    def _correlators(self):
        """Yield ``(label, parameters, t, phi)`` with ``t`` increasing from 0."""
        raise NotImplementedError

    def _transform(self, params: dict, t: np.ndarray, phi: np.ndarray) -> np.ndarray:
        """The clean Laplace-domain input: Filon of ``phi`` on the NNLT grid (a subclass may
        know the transform in closed form).
        """
        return fourier_laplace(t, phi, self.grids.omega)

    def _errors(self, pred: dict, true: np.ndarray) -> dict:
        err = {}
        for m, p in pred.items():
            metrics = error_metrics(p, true)
            err[m] = {"max": float(metrics["max"]), "rms": float(metrics["rms"])}
        return err

    def compute(self) -> "CorrelatorInversion":
        g = self.grids
        rng = np.random.default_rng(self.seed)
        tail = TailExtrapolation(threshold=self.threshold, floor=self.floor)
        out = []
        for label, params, t, phi, *measured in self._correlators():
            fhat = self._transform(params, t, phi)
            true = np.interp(g.t, t, phi)
            pred = invert_all(fhat, g, self.model, self.nnls)
            r = {"label": label, **params, "t": t, "phi": phi, "fhat": fhat, "true": true, "pred": pred,
                 "errors": self._errors(pred, true), "decayed": bool(abs(true[-1]) <= self.decayed_below)}
            if measured:
                tm, fm = (np.asarray(x, dtype=float) for x in measured[0])
                r["measured"] = (tm, fm)
                r["noisy_fhat"] = tail_transform(tm, fm, g.omega, tail)
            elif self.noise > 0:
                _, r["noisy_fhat"] = noisy_transform(g.t, true, g.omega, self.noise, rng, tail)
            if "noisy_fhat" in r:
                r["noisy_pred"] = invert_all(r["noisy_fhat"], g, self.model, self.nnls)
                r["noisy_errors"] = self._errors(r["noisy_pred"], true)
            out.append(r)
        self._res = out
        return self

    @computed_property
    def results(self) -> list:
        """One dict per correlator: ``label``, its parameters, ``t, phi, fhat, true, pred, errors, decayed``."""
        return self._res

    def table(self) -> str:
        lines = [f"# {self.title}; errors |f - phi| on the NNLT t grid"]
        if any("measured" in r for r in self.results):
            lines.append(f"# noisy: {self.measured_note}, cut below {self.threshold:g}, "
                         f"exponential tail to {self.floor:g}, Filon")
        elif self.noise > 0:
            lines.append(f"# noisy: +{self.noise:g} Gaussian noise on the t grid, cut below {self.threshold:g}, "
                         f"exponential tail to {self.floor:g}, Filon")
        lines.append(f"{'correlator':22s} {'input':6s} {'method':14s} {'max':>10s} {'rms':>10s}  "
                     f"decayed in window (|phi(t_max)| <= {self.decayed_below:g})")
        for r in self.results:
            for cond, key in (("clean", "errors"), ("noisy", "noisy_errors")):
                for m, e in r.get(key, {}).items():
                    lines.append(f"{r['label']:22s} {cond:6s} {m:14s} {e['max']:10.3e} {e['rms']:10.3e}  "
                                 f"{r['decayed']}")
        return "\n".join(lines) + "\n"

    def write(self, folder: str | os.PathLike = "laplace") -> list[Path]:
        """``FOLDER/KIND.txt`` and ``FOLDER/KIND.png`` (the folder is created): per correlator the
        Laplace domain (top), the time domain (middle) and each method's |f - phi| (bottom).
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = [folder / f"{self.kind}.txt", folder / f"{self.kind}.png"]
        files[0].write_text(self.table())
        res = self.results
        fig, axes = subplots(3, len(res), figsize=(3.2 * len(res), 8.6), squeeze=False)
        g = self.grids
        for j, r in enumerate(res):
            ax = axes[0, j]
            ax.loglog(g.omega, r["fhat"].real, label="Re")
            ax.loglog(g.omega, -r["fhat"].imag, label="-Im")
            ax.set_title(r["label"], fontsize="small")
            ax.set_xlabel(r"$\omega$")
            ax = axes[1, j]
            ax.plot(g.t, r["true"], "k-", lw=2, label=self.reference)
            if "measured" in r:
                ax.plot(*r["measured"], ".", color="0.6", ms=3, label="measured")
            # with measured data, show what each method makes of them
            pred = r["noisy_pred"] if "measured" in r else r["pred"]
            for k, (m, p) in enumerate(pred.items()):
                axes[1, j].plot(g.t, p, "--", color=f"C{k}", label=METHOD_LABELS.get(m, m))
                axes[2, j].plot(g.t, np.maximum(np.abs(p - r["true"]), 1e-12), "-", lw=1, color=f"C{k}")
            ax.set_xscale("log")
            ax.set_ylim(-0.1, 1.2)
            ax.set_xlabel("t")
            ax = axes[2, j]
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_ylim(1e-7, 2.0)
            ax.set_xlabel("t")
        axes[0, 0].legend(fontsize="x-small")
        axes[1, 0].legend(fontsize="x-small")
        axes[2, 0].set_ylabel(f"|f - {self.reference}|")
        fig.tight_layout()
        fig.savefig(files[1], dpi=110)
        return files
