"""Memory kernels of Brownian hard disks recovered from their MCT SISFs
(Granz 2026, §4.3, Table 4.3).

For each packing fraction the 2D hard-disk MCT (FMT structure factor,
:class:`~slowdyn.analysis.mct.HardDisks2D` on the grid 0.4 (k + 1/4), k < 64,
:func:`~slowdyn.analysis.mct.hard_disks.mct_solution`) is solved once; at each wave
number the tagged correlator F_s(q, t) goes through the kernel pipeline, one
:class:`~slowdyn.analysis.memory.KernelSet` per method, with every m0 choice:

- ``exact``: MCT's own ``m0`` (the kernel error of the inversion alone),
- ``iterative``: the m0 with the smallest reconstruction RMSE at this q (Table 4.3, RMSE_best),
- ``scaling``: ``m0(q) = a/q^2 (1 + b q)`` fitted over all q of the packing fraction (RMSE_scal).

The ``spectral`` method (the default of ``slowdyn kernels compute``,
:class:`~slowdyn.analysis.memory.spectral.SpectralKernel`) has no m0 to give:
its m0 is its own closed form. It fills the columns of a method's own m0
(the ``iterative`` entry of its rows, the ``best`` columns of the tables) and
is NaN in the MCT-m0 (``exact``) and scaling columns; its RMSE is taken on the
same measured window as the inversion methods'.

The classical time-domain baseline comes with them (:func:`~slowdyn.analysis.memory.kernelset.volterra_baseline`,
on the same measured window as the pipeline's RMSE), from the first method's loop.
The MCT kernels are those of eq. 4.21 (``tau0 = 1/(D0 q^2)``), the convention of
:mod:`slowdyn.analysis.mct.hard_disks` (tested: the time-domain solution with
them reproduces MCT's F_s to 1e-5).

Errors: the SISF RMSE over the measured window (log-spaced points from
``t_min`` to where F_s falls below the cut, the fitted tail excluded), and the
kernel error ``RMS[(m - m_MCT)/m0_MCT]`` on the NNLT time grid where
``1e-3 < m_MCT/m0_MCT < 0.9`` (intermediate and long times; Table 4.3 has no
kernel error). The MCT solutions are cached as ``.npz`` files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._compute import Compute, computed_property, flat_summary
from ..laplace.pipeline import METHODS, NNLT_METHODS
from ..mct.hard_disks import grid_index, mct_solution
from ..memory.kernelset import KERNEL_METHODS, KernelSet, measured_window
from ..memory.mapping import PackingMapping

#: packing fractions of Table 4.3 and its RMSE (scaling, best)
TABLE_4_3 = {0.12707: (1.542e-3, 5.305e-4), 0.24397: (6.751e-4, 1.606e-4), 0.33389: (7.768e-4, 1.840e-4),
             0.41225: (7.658e-4, 2.373e-4), 0.48547: (8.986e-4, 3.528e-4), 0.55681: (1.382e-3, 5.932e-4),
             0.59279: (1.991e-3, 7.532e-4), 0.62951: (3.318e-3, 8.902e-4), 0.63721: (2.680e-3, 9.892e-4),
             0.64473: (2.355e-3, 9.766e-4), 0.65246: (3.299e-3, 1.998e-3), 0.66003: (8.563e-3, 4.264e-3),
             0.66756: (1.039e-2, 3.623e-3), 0.67487: (4.218e-3, 3.695e-3), 0.68171: (1.646e-3, 1.170e-3),
             0.68711: (1.593e-3, 9.987e-4), 0.68930: (1.077e-3, 9.141e-4), 0.68966: (1.571e-3, 1.269e-3)}
TABLE_4_3_OVERALL = (3.752e-3, 1.794e-3)
#: an affordable subset of Table 4.3's list (each (phi, q) costs about a minute of one core)
DEFAULT_PACKING = (0.48547, 0.66003)
#: wave numbers on the MCT grid 0.4 (k + 1/4) spanning the thesis' q = 2 ... 10
DEFAULT_Q = (2.1, 6.5, 10.1)


def kernel_error(t, m, t_ref, m_ref) -> float:
    """``RMS[(m - m_ref)/m_ref(0)]`` where ``1e-3 < m_ref/m_ref(0) < 0.9`` (on ``t``)."""
    ref = np.interp(t, t_ref, m_ref)
    m0 = m_ref[0]
    sel = (ref > 1e-3 * m0) & (ref < 0.9 * m0)
    if not sel.any():
        return float("nan")
    return float(np.sqrt(np.mean(((np.asarray(m)[sel] - ref[sel]) / m0) ** 2)))


class KernelValidation(Compute):
    """Hard-disk kernels from MCT SISFs with every method and m0 choice.

    Parameters
    ----------
    packing : sequence of float
        Packing fractions (default :data:`DEFAULT_PACKING`; Table 4.3's list is :data:`TABLE_4_3`).
    q : sequence of float
        Wave numbers on the MCT grid.
    methods : sequence of str
        Methods (default: all of ``memory.kernelset.KERNEL_METHODS``): the inversion methods
        (``laplace.pipeline.METHODS``) are evaluated with MCT's exact m0, ``spectral`` with its own m0.
    m0_methods : sequence of str
        Methods that also run the iterative and the q-scaling m0 (each costs
        tens of inversions and time-domain solutions per SISF).
    model : NNLT, path or None
        NNLT for the NNLT methods (default: the shipped model).
    mct : dict, optional
        :func:`~slowdyn.analysis.mct.hard_disks.mct_solution` settings (``HardDiskGrid`` fields
        ``n_q``, ``dq``, ``h``, ``blocks``, ... replacing those of its grid).
    cache_dir : path, optional
        Where the MCT solutions are cached.
    n_points, t_min, cut : int, float, float
        The SISF handed to the pipeline: ``n_points`` log-spaced samples from
        ``t_min``; data below ``cut`` are replaced by the fitted tail.
    iterative : dict, optional
        :class:`~slowdyn.analysis.memory.m0.IterativeM0` settings.
    resolve : float, optional
        ``spectral``: :class:`~slowdyn.analysis.memory.KernelSet`'s ``resolve`` (None: the
        estimator's default 1, that of ``slowdyn kernels compute``; 0: every kernel term the
        data resolve, none counted as instantaneous friction).
    scaling_evals : int
        Nelder-Mead budget of each q-scaling fit.
    progress : bool
        tqdm bars.
    """

    compute_hint = "compute()"

    def __init__(self, packing=DEFAULT_PACKING, q=DEFAULT_Q, methods=KERNEL_METHODS, m0_methods=("nnls", "nnlt_tails"),
                 model=None, mct: dict | None = None,
                 cache_dir=None, n_points: int = 300, t_min: float = 1e-5, cut: float = 1e-5,
                 iterative: dict | None = None, scaling_evals: int = 12, progress: bool = True,
                 resolve: float | None = None) -> None:
        self.packing = [float(p) for p in packing]
        self.q = [float(v) for v in q]
        self.methods = list(methods)
        self.m0_methods = [m for m in m0_methods if m in self.methods and m in METHODS]
        for m in self.methods:
            if m not in KERNEL_METHODS:
                raise ValueError(f"unknown method {m!r}; choose from {', '.join(KERNEL_METHODS)}")
        self._model = model
        self.mct = dict(mct or {})
        self.cache_dir = cache_dir
        self.n_points, self.t_min, self.cut = int(n_points), float(t_min), float(cut)
        self.iterative = {"span": 4.0, "n_scan": 7, "refine": 4, **(iterative or {})}
        self.scaling_evals = int(scaling_evals)
        self.progress = bool(progress)
        if resolve is not None and not (np.isfinite(resolve) and resolve >= 0):
            raise ValueError(f"resolve must be >= 0, got {resolve}")
        self.resolve = None if resolve is None else float(resolve)

    def _nnlt(self):
        if self._model is None or not hasattr(self._model, "grids"):
            from ..nnlt.model import NNLT, pretrained

            self._model = pretrained() if self._model in (None, "pretrained") else NNLT.load(self._model)
        return self._model

    def _sample(self, t, f):
        end = t[np.argmax(f < self.cut * 1e-2)] if np.any(f < self.cut * 1e-2) else t[-1]
        ts = np.logspace(np.log10(self.t_min), np.log10(end), self.n_points)
        return ts, np.interp(ts, t, f)

    def compute(self) -> "KernelValidation":
        from tqdm.auto import tqdm

        model = self._nnlt() if any(m in NNLT_METHODS for m in self.methods) else None
        rows, scaling, volterra, sisf_q65 = [], [], [], {}
        bar = tqdm(total=len(self.packing) * len(self.methods), desc="phi, method", disable=not self.progress)
        for phi in self.packing:
            sol = mct_solution(phi, cache_dir=self.cache_dir, **self.mct)
            data, refs = {}, {}
            for qv in self.q:
                iq = grid_index(sol["q"], qv)
                t_ref, f_ref = sol["t"], sol["tagged"][:, iq]
                refs[qv] = (t_ref, sol["tagged_kernel"][:, iq])
                data[qv] = self._sample(t_ref, f_ref)
                if abs(qv - 6.5) < 1e-9:
                    sisf_q65[phi] = data[qv]
            m0_mct = {qv: float(m_ref[0]) for qv, (_, m_ref) in refs.items()}
            per_q = {qv: [] for qv in self.q}
            for k, meth in enumerate(self.methods):
                if meth == "spectral":
                    ks = KernelSet(1.0, meth, cut=self.cut, bootstrap=0, volterra=k == 0,
                                   resolve=self.resolve).compute(data)
                    for r in ks.rows:
                        per_q[r["q"]].append(self._own_row(phi, r, ks, refs[r["q"]], data[r["q"]], m0_mct))
                    self._add_volterra(volterra, ks, phi, refs, m0_mct)
                    bar.update(1)
                    continue
                extra = ("iterative", "scaling") if meth in self.m0_methods else ()
                if len(self.q) < 2:
                    extra = tuple(e for e in extra if e != "scaling")
                ks = KernelSet(1.0, meth, m0=m0_mct, cut=self.cut, model=model, estimators=extra,
                               search=self.iterative, scaling_evals=self.scaling_evals, volterra=k == 0).compute(data)
                model = ks.model if meth in NNLT_METHODS else model
                for r in ks.rows:
                    qv = r["q"]
                    t_ref, m_ref = refs[qv]
                    tk, m = r["t_kernel"], r["m"]
                    ts, fs = data[qv]
                    row = {"phi": phi, "q": qv, "method": meth, "m0_mct": m0_mct[qv],
                           **({"sisf_q65": (ts, fs)} if abs(qv - 6.5) < 1e-9 else {}),
                           "m0_asymptotic": r["m0_asymptotic"], "m0_kk": r["m0_kk"], "omega_cut": r["omega_cut"],
                           "curves": {"t_ref": t_ref, "m_ref": m_ref, "t": tk, "m_exact": m},
                           "exact": {"m0": m0_mct[qv], "rmse": r["rmse"], "kernel": kernel_error(tk, m, t_ref, m_ref)}}
                    if "iterative" in extra:
                        tk, m = ks.kernel(qv, "iterative")
                        row["curves"]["m_iterative"] = m
                        row["iterative"] = {"m0": r["m0_iterative"], "rmse": r["rmse_iterative"],
                                            "kernel": kernel_error(tk, m, t_ref, m_ref)}
                    per_q[qv].append(row)
                if "scaling" in extra:
                    entries = []
                    for r, rmse in zip(ks.rows, ks.rmse("scaling")):
                        t_ref, m_ref = refs[r["q"]]
                        tk, m = ks.kernel(r["q"], "scaling")
                        entries.append({"q": r["q"], "m0": r["m0_scaling"], "rmse": float(rmse),
                                        "kernel": kernel_error(tk, m, t_ref, m_ref)})
                    scaling.append({"phi": phi, "method": meth, **ks.scaling, "per_q": entries})
                self._add_volterra(volterra, ks, phi, refs, m0_mct)
                bar.update(1)
            rows += [x for qv in self.q for x in per_q[qv]]
        bar.close()
        self._rows, self._scaling, self._volterra = rows, scaling, volterra
        self._mapping = self._leave_one_out(sisf_q65)
        return self

    def _own_row(self, phi: float, r: dict, ks: KernelSet, ref: tuple, sample: tuple, m0_mct: dict) -> dict:
        """The row of a method with its own m0 (``spectral``): the ``iterative`` entry holds it,
        ``exact`` is NaN; the RMSE is on the measured window (points ``t > 0`` before the cut).
        """
        nan = float("nan")
        qv = r["q"]
        t_ref, m_ref = ref
        ts, fs = sample
        end = measured_window(ts, fs, self.cut)
        tw, fw = ts[:end], fs[:end]
        pos = tw > 0
        rmse = float(np.sqrt(np.mean((ks.reconstruct(qv, tw[pos]) - fw[pos]) ** 2)))
        tk, m = r["t_kernel"], r["m"]
        return {"phi": phi, "q": qv, "method": ks.method, "m0_mct": m0_mct[qv],
                **({"sisf_q65": sample} if abs(qv - 6.5) < 1e-9 else {}),
                "m0_asymptotic": nan, "m0_kk": nan, "omega_cut": nan,
                "curves": {"t_ref": t_ref, "m_ref": m_ref, "t": tk, "m_iterative": m},
                "exact": {"m0": nan, "rmse": nan, "kernel": nan},
                "iterative": {"m0": r["m0"], "rmse": rmse, "kernel": kernel_error(tk, m, t_ref, m_ref)}}

    def _add_volterra(self, volterra: list, ks: KernelSet, phi: float, refs: dict, m0_mct: dict) -> None:
        if ks.volterra is None:
            return
        for qv in self.q:
            v = next(x for x in ks.volterra if x["q"] == qv)
            t_ref, m_ref = refs[qv]
            volterra.append({"phi": phi, "q": qv, "rmse": v["rmse"],
                             "kernel": kernel_error(v["t"], v["m"], t_ref, m_ref), "m0": v["m0"],
                             "m0_mct": m0_mct[qv]})

    @classmethod
    def merge(cls, parts: list) -> "KernelValidation":
        """One validation from computed ones of the same settings over different packing
        fractions (e.g. one per phi, so that a long run keeps what it finished).
        """
        if not parts:
            raise ValueError("merge needs at least one computed KernelValidation")
        first = parts[0]
        for v in parts:
            if not v._called_compute:
                raise RuntimeError("merge: call compute() on every part first")
            if v.q != first.q or v.methods != first.methods or v.m0_methods != first.m0_methods \
                    or v.resolve != first.resolve:
                raise ValueError("merge: the parts differ in q, methods, m0_methods or resolve")
        out = cls.__new__(cls)
        out.__dict__.update({k: v for k, v in first.__dict__.items() if not k.startswith("_")})
        out._model = first._model
        out.packing = [p for v in parts for p in v.packing]
        out._rows = [x for v in parts for x in v.rows]
        out._scaling = [x for v in parts for x in v.scaling]
        out._volterra = [x for v in parts for x in v.volterra]
        sisf = {x["phi"]: x["sisf_q65"] for x in out._rows if "sisf_q65" in x}
        out._mapping = cls._leave_one_out(sisf)
        return out._computed()

    def plot_m0(self, ax=None):
        """m0 against phi (Fig. 4.20): q^2 m0 of MCT, best and scaling per q (left), and
        the scaling parameters a and b (right), for each method with the m0 search; ``ax``: two Axes
        (default: a new Figure). Returns the Figure.
        """
        from slowdyn.common.plotting import figure_axes

        fig, axes = figure_axes(ax, 1, 2, figsize=(10, 4))
        ax = axes[0]
        for k, qv in enumerate(self.q):
            r = sorted((x for x in self.rows if x["q"] == qv and x["method"] == self.methods[0]),
                       key=lambda x: x["phi"])
            ax.semilogy([x["phi"] for x in r], [qv**2 * x["m0_mct"] for x in r], "-", color=f"C{k}",
                        label=f"MCT q={qv:g}")
            for meth, mark in zip(self.m0_methods, ("o", "s", "^", "v")):
                r = sorted((x for x in self.rows if x["q"] == qv and x["method"] == meth), key=lambda x: x["phi"])
                ax.semilogy([x["phi"] for x in r], [qv**2 * x["iterative"]["m0"] for x in r], mark, color=f"C{k}",
                            mfc="none", label=f"best {meth}" if k == 0 else None)
                sc = sorted((x for x in self.scaling if x["method"] == meth), key=lambda x: x["phi"])
                ax.semilogy([x["phi"] for x in sc], [qv**2 * next(p["m0"] for p in x["per_q"] if p["q"] == qv)
                                                     for x in sc], mark + "--", color=f"C{k}", ms=3,
                            label=f"scaling {meth}" if k == 0 else None)
        ax.set_xlabel("phi")
        ax.set_ylabel("q^2 m0")
        ax.legend(fontsize="xx-small", ncol=2)
        ax = axes[1]
        for meth, mark in zip(self.m0_methods, ("o", "s", "^", "v")):
            # fits that degenerated to a -> 0, b -> inf (m0 = ab/q) are left out of the a, b panel
            sc = sorted((x for x in self.scaling if x["method"] == meth and x["a"] > 1e-6), key=lambda x: x["phi"])
            ax.semilogy([x["phi"] for x in sc], [x["a"] for x in sc], mark + "-", label=f"a ({meth})")
        ax.set_xlabel("phi")
        ax.set_ylabel("a (log)")
        twin = ax.twinx()
        for meth, mark in zip(self.m0_methods, ("o", "s", "^", "v")):
            sc = sorted((x for x in self.scaling if x["method"] == meth and x["a"] > 1e-6), key=lambda x: x["phi"])
            twin.plot([x["phi"] for x in sc], [x["b"] for x in sc], mark + ":", color="gray", label=f"b ({meth})")
        twin.set_ylabel("b (dotted)")
        ax.legend(fontsize="x-small", loc="upper left")
        twin.legend(fontsize="x-small", loc="lower right")
        fig.tight_layout()
        return fig

    @staticmethod
    def _leave_one_out(table: dict) -> list:
        """The phi_MCT fit at q = 6.5 of each MCT SISF against the others (self-consistency)."""
        out = []
        if len(table) < 3:
            return out
        for phi, (t, f) in table.items():
            others = {p: v for p, v in table.items() if p != phi}
            fit_phi, rmse = PackingMapping(others).fit(t, f)
            out.append({"phi": phi, "phi_fit": fit_phi, "rmse": rmse})
        return out

    def plot(self, q: float | None = None, ax=None):
        """Kernels at one wave number (default: the one nearest 6.5): MCT against each
        method with MCT's m0 (top) and with its own m0 (bottom: iterative; spectral's closed form),
        one column per phi;
        ``ax``: 2 x n_phi Axes (default: a new Figure). Returns the Figure.
        """
        from slowdyn.common.plotting import figure_axes

        qs = sorted({x["q"] for x in self.rows})
        q = min(qs, key=lambda v: abs(v - 6.5)) if q is None else q
        n = len(self.packing)
        fig, axes = figure_axes(ax, 2, n, figsize=(3.4 * n, 6.5), squeeze=False)
        for j, phi in enumerate(self.packing):
            rows = [x for x in self.rows if x["phi"] == phi and abs(x["q"] - q) < 1e-9]
            for i, key in enumerate(("m_exact", "m_iterative")):
                ax = axes[i, j]
                if rows:
                    c = rows[0]["curves"]
                    ax.loglog(c["t_ref"][1:], c["m_ref"][1:], "k-", lw=2.5, label="MCT")
                for k, x in enumerate(rows):
                    m = x["curves"].get(key)
                    if m is not None:
                        ok = m > 0
                        ax.loglog(x["curves"]["t"][ok], m[ok], "--", color=f"C{k}", label=x["method"])
                ax.set_ylim(1e-4 * rows[0]["m0_mct"] if rows else 1e-6, 3 * rows[0]["m0_mct"] if rows else 1)
                ax.set_xlim(1e-6, 1e6)
                ax.set_title(f"phi = {phi:g}, q = {q:g}, " + ("MCT m0" if i == 0 else "own m0"), fontsize="small")
                ax.set_xlabel("t")
        axes[0, 0].set_ylabel("m(q, t)")
        axes[0, 0].legend(fontsize="x-small")
        fig.tight_layout()
        return fig

    @computed_property
    def rows(self) -> list:
        """One dict per (phi, q, method): m0 estimates, ``exact`` and ``iterative`` results."""
        return self._rows

    @computed_property
    def scaling(self) -> list:
        """One dict per (phi, method): ``a``, ``b``, ``mean_rmse`` and per-q results."""
        return self._scaling

    @computed_property
    def volterra(self) -> list:
        """The time-domain baseline per (phi, q)."""
        return self._volterra

    @computed_property
    def mapping(self) -> list:
        """Leave-one-out phi_MCT fits at q = 6.5."""
        return self._mapping

    def summary(self) -> dict[str, float]:
        """Per method: mean RMSE (exact m0, iterative = best, scaling) and mean kernel error,
        ``{"METHOD/rmse_exact": ..., ..., "volterra/m0_over_mct": ...}``.
        """
        return flat_summary(self._per_method())

    def _per_method(self) -> dict:
        out = {}
        nan = float("nan")
        rms = lambda v: float(np.sqrt(np.mean(np.square(v))))  # noqa: E731 (overall RMSE as the thesis)
        for meth in self.methods:
            r = [x for x in self.rows if x["method"] == meth]
            s = [p for x in self.scaling if x["method"] == meth for p in x["per_q"]]
            if meth not in METHODS:      # spectral: its own m0 in the best columns
                out[meth] = {"rmse_exact": nan, "rmse_best": rms([x["iterative"]["rmse"] for x in r]),
                             "rmse_scal": nan, "kernel_exact": nan,
                             "kernel_best": float(np.nanmean([x["iterative"]["kernel"] for x in r])),
                             "kernel_scal": nan,
                             "m0_best_over_mct": float(np.median([x["iterative"]["m0"] / x["m0_mct"] for x in r])),
                             "m0_asym_over_mct": nan, "m0_kk_over_mct": nan}
                continue
            if meth not in self.m0_methods:
                out[meth] = {"rmse_exact": float(np.sqrt(np.mean([x["exact"]["rmse"] ** 2 for x in r]))),
                             "kernel_exact": float(np.nanmean([x["exact"]["kernel"] for x in r])),
                             "rmse_best": nan, "rmse_scal": nan, "kernel_best": nan, "kernel_scal": nan,
                             "m0_best_over_mct": nan,
                             "m0_asym_over_mct": float(np.median([x["m0_asymptotic"] / x["m0_mct"] for x in r])),
                             "m0_kk_over_mct": float(np.median([x["m0_kk"] / x["m0_mct"] for x in r]))}
                continue
            out[meth] = {"rmse_exact": rms([x["exact"]["rmse"] for x in r]),
                         "rmse_best": rms([x["iterative"]["rmse"] for x in r]),
                         "rmse_scal": rms([p["rmse"] for p in s]),
                         "kernel_exact": float(np.nanmean([x["exact"]["kernel"] for x in r])),
                         "kernel_best": float(np.nanmean([x["iterative"]["kernel"] for x in r])),
                         "kernel_scal": float(np.nanmean([p["kernel"] for p in s])),
                         "m0_best_over_mct": float(np.median([x["iterative"]["m0"] / x["m0_mct"] for x in r])),
                         "m0_asym_over_mct": float(np.median([x["m0_asymptotic"] / x["m0_mct"] for x in r])),
                         "m0_kk_over_mct": float(np.median([x["m0_kk"] / x["m0_mct"] for x in r]))}
        v = self.volterra
        out["volterra"] = {"rmse_exact": float(np.sqrt(np.mean([x["rmse"] ** 2 for x in v]))),
                           "kernel_exact": float(np.nanmean([x["kernel"] for x in v])),
                           "m0_over_mct": float(np.median([x["m0"] / x["m0_mct"] for x in v]))}
        return out

    def table(self) -> str:
        """Text tables: summary per method, per-phi RMSE next to Table 4.3, details, mapping."""
        lines = ["# memory kernels of Brownian hard disks from MCT F_s(q, t) (FMT S(q)), "
                 f"phi = {', '.join(f'{p:g}' for p in self.packing)}, q = {', '.join(f'{v:g}' for v in self.q)}",
                 "# RMSE: reconstructed vs MCT F_s (overall = RMS over phi and q); kernel: RMS[(m - m_MCT)/m0_MCT] "
                 "where 1e-3 < m_MCT/m0 < 0.9",
                 f"# Table 4.3 overall: RMSE_scal {TABLE_4_3_OVERALL[0]:.3e}, RMSE_best {TABLE_4_3_OVERALL[1]:.3e}",
                 *([f"# spectral (resolve {'default' if self.resolve is None else f'{self.resolve:g}'}): its own m0 "
                    "(closed form) in the best columns; no MCT-m0 or scaling variant"]
                   if "spectral" in self.methods else []),
                 f"{'method':14s} {'RMSE_exact':>10s} {'RMSE_best':>10s} {'RMSE_scal':>10s} {'kern_exact':>10s} "
                 f"{'kern_best':>10s} {'kern_scal':>10s} {'m0best/mct':>10s} {'m0asy/mct':>10s} {'m0kk/mct':>10s}"]
        summ = self._per_method()
        for meth in self.methods:
            s = summ[meth]
            lines.append(f"{meth:14s} {s['rmse_exact']:10.3e} {s['rmse_best']:10.3e} {s['rmse_scal']:10.3e} "
                         f"{s['kernel_exact']:10.3e} {s['kernel_best']:10.3e} {s['kernel_scal']:10.3e} "
                         f"{s['m0_best_over_mct']:10.3f} {s['m0_asym_over_mct']:10.3f} {s['m0_kk_over_mct']:10.3f}")
        v = summ["volterra"]
        lines.append(f"{'volterra':14s} {v['rmse_exact']:10.3e} {'-':>10s} {'-':>10s} {v['kernel_exact']:10.3e} "
                     f"{'-':>10s} {'-':>10s} {'-':>10s} {'-':>10s} {'-':>10s}  (m0 from the data: "
                     f"{v['m0_over_mct']:.3f} x MCT)")
        lines += ["", "# per phi: RMSE_scal / RMSE_best (RMS over q) next to Table 4.3",
                  f"{'phi':>8s} {'method':14s} {'scal':>10s} {'best':>10s} {'T4.3 scal':>10s} {'T4.3 best':>10s} "
                  f"{'a':>9s} {'b':>9s}"]
        nan = float("nan")
        for phi in self.packing:
            for meth in self.methods:
                sc = next((x for x in self.scaling if x["phi"] == phi and x["method"] == meth), None)
                if sc is None and meth in METHODS:
                    continue
                best = [x["iterative"]["rmse"] for x in self.rows if x["phi"] == phi and x["method"] == meth]
                ref = TABLE_4_3.get(round(phi, 5), (nan, nan))
                scal = np.sqrt(np.mean([p["rmse"] ** 2 for p in sc["per_q"]])) if sc else nan
                a, b = (sc["a"], sc["b"]) if sc else (nan, nan)
                lines.append(f"{phi:8.5f} {meth:14s} {scal:10.3e} {np.sqrt(np.mean(np.square(best))):10.3e} "
                             f"{ref[0]:10.3e} {ref[1]:10.3e} {a:9.3g} {b:9.3g}")
        lines += ["", "# per (phi, q, method): m0 (MCT, asymptotic, Kramers-Kronig, iterative; spectral: its own), "
                  "RMSE and kernel error with exact and iterative (spectral: own) m0",
                  f"{'phi':>8s} {'q':>5s} {'method':14s} {'m0_mct':>9s} {'m0_asym':>9s} {'m0_kk':>9s} {'m0_iter':>9s} "
                  f"{'rmse_ex':>9s} {'rmse_it':>9s} {'kern_ex':>9s} {'kern_it':>9s} {'w_cut':>8s}"]
        for x in self.rows:
            it = x.get("iterative", {"m0": float("nan"), "rmse": float("nan"), "kernel": float("nan")})
            lines.append(f"{x['phi']:8.5f} {x['q']:5.2f} {x['method']:14s} {x['m0_mct']:9.4g} "
                         f"{x['m0_asymptotic']:9.4g} {x['m0_kk']:9.4g} {it['m0']:9.4g} {x['exact']['rmse']:9.2e} "
                         f"{it['rmse']:9.2e} {x['exact']['kernel']:9.2e} {it['kernel']:9.2e} "
                         f"{x['omega_cut']:8.3g}")
        lines += ["", "# Volterra baseline (time domain, uniform grid) per (phi, q)",
                  f"{'phi':>8s} {'q':>5s} {'m0_mct':>9s} {'m0_volt':>9s} {'rmse':>9s} {'kernel':>9s}"]
        for x in self.volterra:
            lines.append(f"{x['phi']:8.5f} {x['q']:5.2f} {x['m0_mct']:9.4g} {x['m0']:9.4g} {x['rmse']:9.2e} "
                         f"{x['kernel']:9.2e}")
        if self.mapping:
            lines += ["", "# phi_MCT mapping at q = 6.5, leave-one-out self-consistency (each MCT SISF fitted "
                      "against the other packing fractions)", f"{'phi':>8s} {'phi_fit':>8s} {'rmse':>9s}"]
            for x in self.mapping:
                lines.append(f"{x['phi']:8.5f} {x['phi_fit']:8.5f} {x['rmse']:9.2e}")
        return "\n".join(lines) + "\n"

    def write(self, folder: str | Path = "kernel_validation") -> list[Path]:
        """``FOLDER/kernels.txt`` (:meth:`table`) and ``FOLDER/kernels.png`` (:meth:`plot`); the folder
        is created.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = [folder / "kernels.txt", folder / "kernels.png"]
        files[0].write_text(self.table())
        self.plot().savefig(files[1], dpi=110)
        return files
