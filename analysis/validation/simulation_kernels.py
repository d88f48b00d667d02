"""Memory kernels of simulated Brownian hard disks and their effective MCT packing
fraction (Granz 2026, §4.4.2-4.4.3, Tables 4.4 and 4.5).

:class:`SimulationKernels` runs the kernel pipeline
(one :class:`~slowdyn.analysis.memory.KernelSet` per packing fraction and
method) on ``fix sisf/msd`` files of several packing fractions: per wave number
the individually best (iterative) m0, per packing fraction the q-scaling m0
``a/q^2 (1 + b q)``, for each inversion method, plus the time-domain Volterra
baseline (on the pipeline's measured window). Only wave
numbers whose F_s falls below the noise cut inside the measured window enter
(the thesis: "wave numbers where SISFs decay to zero").

:class:`PackingFractionMap` fits each simulated F_s(q = 6.5, t) by the MCT
hard-disk F_s of a packing-fraction table (least squares,
:class:`~slowdyn.analysis.memory.mapping.PackingMapping`) and the polynomial
``phi_MCT(phi_BD)`` (Table 4.5, Fig. 4.34).
"""

from __future__ import annotations

import numpy as np

from .._compute import Compute, computed_property, flat_summary
from ..mct.hard_disks import grid_index, mct_solution
from ..laplace.pipeline import METHODS, NNLT_METHODS
from ..io.sisf import load_sisf
from ..memory.kernelset import KernelSet
from ..memory.mapping import PackingMapping, mapping_function

#: Table 4.4 (Brownian-dynamics hard disks, NNLT): phi -> (RMSE_scal, RMSE_best)
TABLE_4_4 = {0.10: (2.506e-3, 2.743e-3), 0.20: (2.156e-3, 1.093e-3), 0.30: (1.341e-3, 7.940e-4),
             0.40: (1.579e-3, 9.846e-4), 0.50: (2.045e-3, 1.573e-3), 0.60: (3.107e-3, 2.847e-3),
             0.65: (3.444e-3, 3.379e-3), 0.70: (4.177e-3, 3.309e-3), 0.71: (5.441e-3, 3.942e-3),
             0.72: (8.449e-3, 6.074e-3), 0.73: (1.394e-2, 9.552e-3), 0.74: (1.236e-2, 9.163e-3),
             0.75: (9.536e-3, 8.761e-3), 0.76: (9.709e-3, 8.810e-3), 0.77: (8.026e-3, 6.798e-3),
             0.78: (6.322e-3, 5.644e-3)}
#: Table 4.5: phi_BD -> (phi_MCT, RMSE of the fit at q = 6.5)
TABLE_4_5 = {0.10: (0.12707, 3.593e-3), 0.20: (0.24397, 2.603e-3), 0.30: (0.33389, 1.356e-3),
             0.40: (0.41225, 5.465e-4), 0.50: (0.48547, 1.971e-3), 0.60: (0.55681, 4.089e-3),
             0.65: (0.59279, 5.571e-3), 0.70: (0.62951, 7.834e-3), 0.71: (0.63721, 8.619e-3),
             0.72: (0.64473, 9.453e-3), 0.73: (0.65246, 1.064e-2), 0.74: (0.66003, 1.231e-2),
             0.75: (0.66756, 1.453e-2), 0.76: (0.67487, 1.759e-2), 0.77: (0.68171, 2.151e-2),
             0.78: (0.68711, 1.943e-2), 0.79: (0.68930, 2.957e-2), 0.80: (0.68966, 7.974e-2)}


def tail_noise(F, min_points: int = 5) -> float:
    """RMS of ``F`` after its first sign change (where a decayed SISF should be 0); nan if too few points."""
    F = np.asarray(F, dtype=float)
    neg = np.nonzero(F <= 0)[0]
    if not neg.size or F.size - neg[0] < min_points:
        return float("nan")
    return float(np.sqrt(np.mean(F[neg[0]:] ** 2)))


def _rms(values) -> float:
    v = np.asarray(values, dtype=float)
    return float(np.sqrt(np.mean(v**2))) if v.size else float("nan")


class SimulationKernels(Compute):
    """Table 4.4 for ``fix sisf/msd`` files: reconstruction RMSE per packing fraction,
    wave number and method, with the individually best and the q-scaling m0.

    Parameters
    ----------
    files : dict
        ``{phi: path}`` of ``fix sisf/msd`` files (block ``all``).
    q : sequence of float, optional
        Wave numbers (default: all in each file); those that do not decay below
        ``cut`` are left out and listed in :attr:`excluded`.
    D0 : float
        Short-time diffusion coefficient.
    methods : sequence of str
        Inversion methods (``laplace.pipeline.METHODS``), each with iterative and scaling m0.
    cut, noise : float or dict
        :class:`~slowdyn.analysis.memory.kernels.MemoryKernel` noise cut and
        truncation noise (use about 3x and 1x the tail noise of the data);
        a dict gives one value per phi.
    volterra : bool
        Also the time-domain baseline (m0 from the data, no search).
    iterative : dict, optional
        :class:`~slowdyn.analysis.memory.m0.IterativeM0` settings.
    scaling_evals : int
        Nelder-Mead budget of each q-scaling fit.
    model : NNLT, path or None
        NNLT of the NNLT methods (default: the shipped one).
    progress : bool
        tqdm bar.
    """

    compute_hint = "compute()"

    def __init__(self, files: dict, q=None, D0: float = 1.0, methods=("nnlt_tails", "nnls"), cut: float = 1e-2,
                 noise: float = 0.0, volterra: bool = True, iterative: dict | None = None, scaling_evals: int = 12,
                 model=None, progress: bool = True) -> None:
        if not files:
            raise ValueError("SimulationKernels needs at least one {phi: fix sisf/msd file}")
        for m in methods:
            if m not in METHODS:
                raise ValueError(f"unknown method {m!r}; choose from {', '.join(METHODS)}")
        self.files = {float(p): f for p, f in sorted(files.items())}
        self.q = None if q is None else [float(v) for v in q]
        self.D0, self.methods = float(D0), list(methods)
        self.cut, self.noise = self._per_phi(cut, "cut"), self._per_phi(noise, "noise")
        self.use_volterra = bool(volterra)
        self.iterative = {"span": 4.0, "n_scan": 7, "refine": 4, **(iterative or {})}
        self.scaling_evals = int(scaling_evals)
        self._model = model
        self.progress = bool(progress)

    def _per_phi(self, value, name: str) -> dict:
        if isinstance(value, dict):
            out = {float(p): float(v) for p, v in value.items()}
            missing = [p for p in self.files if p not in out]
            if missing:
                raise ValueError(f"{name} has no value for phi = {', '.join(f'{p:g}' for p in missing)}")
            return out
        return {p: float(value) for p in self.files}

    def compute(self) -> "SimulationKernels":
        from tqdm.auto import tqdm

        model = self._model
        rows, scaling, volterra, excluded, noise = [], [], [], [], {}
        for phi, path in tqdm(self.files.items(), desc="phi", disable=not self.progress):
            data = load_sisf(path, q=self.q)
            levels = [v for v in (tail_noise(F) for _, F in data.values()) if np.isfinite(v)]
            noise[phi] = float(np.median(levels)) if levels else float("nan")
            cut = self.cut[phi]
            decayed = {}
            for qv, (t, F) in sorted(data.items()):
                if np.any(F < cut):
                    decayed[qv] = (t, F)
                else:
                    excluded.append((phi, qv))
            if not decayed:
                continue
            per_q = {qv: [] for qv in decayed}
            for k, meth in enumerate(self.methods):
                ks = KernelSet(self.D0, meth, m0="scaling" if len(decayed) >= 2 else "iterative", cut=cut,
                               noise=self.noise[phi], model=model, search=self.iterative,
                               scaling_evals=self.scaling_evals, volterra=self.use_volterra and k == 0).compute(decayed)
                model = ks.model if meth in NNLT_METHODS else model
                for r in ks.rows:
                    per_q[r["q"]].append({"phi": phi, "q": r["q"], "method": meth,
                                          "m0_asymptotic": r["m0_asymptotic"], "m0_kk": r["m0_kk"],
                                          "omega_cut": r["omega_cut"], "m0_best": r["m0_iterative"],
                                          "rmse_best": r["rmse_iterative"]})
                if ks.scaling is not None:
                    entries = [{"q": r["q"], "m0": r["m0_scaling"], "rmse": r["rmse"]} for r in ks.rows]
                    scaling.append({"phi": phi, "method": meth, **ks.scaling, "per_q": entries})
                if ks.volterra is not None:
                    volterra += [{"phi": phi, "q": v["q"], "m0": v["m0"], "rmse": v["rmse"],
                                  **({"error": v["error"]} if "error" in v else {})} for v in ks.volterra]
            rows += [x for qv in per_q for x in per_q[qv]]
        self._rows, self._scaling, self._volterra, self._excluded, self._noise = (rows, scaling, volterra,
                                                                                   excluded, noise)
        return self

    @computed_property
    def rows(self) -> list:
        """One dict per (phi, q, method): m0 estimates, best m0 and its RMSE."""
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
    def excluded(self) -> list:
        """(phi, q) whose F_s never fell below the cut."""
        return self._excluded

    @computed_property
    def data_noise(self) -> dict:
        """Per phi: median over q of :func:`tail_noise`."""
        return self._noise

    def summary(self) -> dict[str, float]:
        """Per (phi, method): RMS over q of the RMSE with scaling and with best m0, a, b, number of q:
        ``{"PHI/METHOD/rmse_best": ..., "PHI/METHOD/rmse_scal": ..., "PHI/METHOD/a": ..., ...}``.
        """
        return flat_summary(self._rows_per_state(), keys=("phi", "method"))

    def _rows_per_state(self) -> list:
        out = []
        for phi in self.files:
            for meth in self.methods:
                best = [x["rmse_best"] for x in self.rows if x["phi"] == phi and x["method"] == meth]
                sc = next((s for s in self.scaling if s["phi"] == phi and s["method"] == meth), None)
                out.append({"phi": phi, "method": meth, "n_q": len(best), "rmse_best": _rms(best),
                            "rmse_scal": _rms([p["rmse"] for p in sc["per_q"]]) if sc else float("nan"),
                            "a": sc["a"] if sc else float("nan"), "b": sc["b"] if sc else float("nan")})
            if self.use_volterra:
                v = [x["rmse"] for x in self.volterra if x["phi"] == phi]
                out.append({"phi": phi, "method": "volterra", "n_q": len(v), "rmse_best": _rms(v),
                            "rmse_scal": float("nan"), "a": float("nan"), "b": float("nan")})
        return out

    def table(self) -> str:
        """Text tables: Table 4.4-style rows per (phi, method) next to the thesis, then per (phi, q, method)."""
        nan = (float("nan"), float("nan"))
        lines = ["# memory kernels of simulated Brownian hard disks (fix sisf/msd files), D0 "
                 f"{self.D0:g}, cut (per phi) " + ", ".join(f"{p:g}: {c:.3g}" for p, c in self.cut.items()),
                 "# RMSE = RMS over q of the reconstructed-vs-data F_s RMSE (data before the cut); volterra: "
                 "m0 from the data (its 'best' column)",
                 f"{'phi':>6s} {'method':12s} {'n_q':>3s} {'noise':>9s} {'RMSE_scal':>10s} {'RMSE_best':>10s} "
                 f"{'T4.4 scal':>10s} {'T4.4 best':>10s} {'a':>9s} {'b':>9s}"]
        for s in self._rows_per_state():
            ref = TABLE_4_4.get(round(s["phi"], 2), nan)
            lines.append(f"{s['phi']:6.3f} {s['method']:12s} {s['n_q']:3d} {self.data_noise[s['phi']]:9.2e} "
                         f"{s['rmse_scal']:10.3e} {s['rmse_best']:10.3e} {ref[0]:10.3e} {ref[1]:10.3e} "
                         f"{s['a']:9.4g} {s['b']:9.3g}")
        if self.excluded:
            lines.append("# left out (F_s never below the cut): "
                         + ", ".join(f"phi {p:g} q {q:g}" for p, q in self.excluded))
        lines += ["", "# per (phi, q, method): m0 (asymptotic, Kramers-Kronig, best, scaling) and RMSE (best, scaling)",
                  f"{'phi':>6s} {'q':>5s} {'method':12s} {'m0_asym':>9s} {'m0_kk':>9s} {'m0_best':>9s} "
                  f"{'m0_scal':>9s} {'rmse_best':>9s} {'rmse_scal':>9s} {'w_cut':>8s}"]
        for x in self.rows:
            sc = next((p for s in self.scaling if s["phi"] == x["phi"] and s["method"] == x["method"]
                       for p in s["per_q"] if p["q"] == x["q"]), {"m0": float("nan"), "rmse": float("nan")})
            lines.append(f"{x['phi']:6.3f} {x['q']:5.2f} {x['method']:12s} {x['m0_asymptotic']:9.4g} "
                         f"{x['m0_kk']:9.4g} {x['m0_best']:9.4g} {sc['m0']:9.4g} {x['rmse_best']:9.2e} "
                         f"{sc['rmse']:9.2e} {x['omega_cut']:8.3g}")
        for x in self.volterra:
            lines.append(f"{x['phi']:6.3f} {x['q']:5.2f} {'volterra':12s} {'-':>9s} {'-':>9s} {x['m0']:9.4g} "
                         f"{'-':>9s} {x['rmse']:9.2e} {'-':>9s} {'-':>8s}")
        return "\n".join(lines) + "\n"


class PackingFractionMap(Compute):
    """Effective MCT packing fraction of simulated SISFs (Table 4.5).

    Parameters
    ----------
    sims : dict
        ``{phi_BD: (t, F_s)}`` at wave number ``q``.
    mct_packing : sequence of float
        MCT packing fractions of the table (a dense grid below the MCT transition).
    q : float
        Wave number on the MCT grid (6.5, as the thesis).
    mct : dict, optional
        :func:`~slowdyn.analysis.mct.hard_disks.mct_solution` settings
        (``n_q``, ``dq``, ``h``, ``blocks``, ``cache_dir``).
    degree : int
        Degree of the polynomial ``phi_MCT(phi_BD)``.
    """

    compute_hint = "compute()"

    def __init__(self, sims: dict, mct_packing, q: float = 6.5, mct: dict | None = None, degree: int = 2) -> None:
        if not sims:
            raise ValueError("PackingFractionMap needs at least one simulated SISF {phi_BD: (t, F_s)}")
        if len(mct_packing) < 2:
            raise ValueError("the MCT table needs at least two packing fractions")
        self.sims = {float(p): v for p, v in sorted(sims.items())}
        self.mct_packing = sorted(float(p) for p in mct_packing)
        self.q, self.mct, self.degree = float(q), dict(mct or {}), int(degree)

    def compute(self) -> "PackingFractionMap":
        table = {}
        for p in self.mct_packing:
            sol = mct_solution(p, **self.mct)
            table[p] = (sol["t"], sol["tagged"][:, grid_index(sol["q"], self.q)])
        mapping = PackingMapping(table)
        rows = []
        for phi_bd, (t, F) in self.sims.items():
            t, F = np.asarray(t, dtype=float), np.asarray(F, dtype=float)
            phi_mct, rmse = mapping.fit(t[t > 0], F[t > 0])
            edge = phi_mct <= self.mct_packing[0] or phi_mct >= self.mct_packing[-1]
            rows.append({"phi_bd": phi_bd, "phi_mct": phi_mct, "rmse": rmse, "at_table_edge": edge})
        self._rows = rows
        self._poly = None
        if len(rows) > self.degree:
            self._poly = mapping_function([r["phi_bd"] for r in rows], [r["phi_mct"] for r in rows], self.degree)
        self._mapping = mapping
        return self

    @computed_property
    def rows(self) -> list:
        """Per phi_BD: ``phi_mct``, ``rmse``, ``at_table_edge``."""
        return self._rows

    @computed_property
    def polynomial(self):
        """``numpy.poly1d`` phi_MCT(phi_BD), or None with too few packing fractions."""
        return self._poly

    def table(self) -> str:
        """phi_BD, phi_MCT, RMSE next to Table 4.5, and the polynomial."""
        nan = (float("nan"), float("nan"))
        lines = [f"# effective MCT packing fraction at q = {self.q:g}: least squares against "
                 f"{len(self.mct_packing)} MCT SISFs, phi_MCT = {self.mct_packing[0]:g} ... {self.mct_packing[-1]:g}",
                 f"{'phi_BD':>7s} {'phi_MCT':>8s} {'RMSE':>9s} {'T4.5 phi':>8s} {'T4.5 RMSE':>9s}"]
        for r in self.rows:
            ref = TABLE_4_5.get(round(r["phi_bd"], 2), nan)
            lines.append(f"{r['phi_bd']:7.3f} {r['phi_mct']:8.5f} {r['rmse']:9.3e} {ref[0]:8.5f} {ref[1]:9.3e}"
                         + ("  (at the edge of the MCT table)" if r["at_table_edge"] else ""))
        if self.polynomial is not None:
            c = ", ".join(f"{v:.4g}" for v in self.polynomial.coeffs)
            lines.append(f"# phi_MCT(phi_BD) degree {self.degree}, coefficients (highest first): {c}")
        return "\n".join(lines) + "\n"

    def plot(self, ax=None):
        """Simulated SISFs and their best MCT fits (left), phi_MCT(phi_BD) with Table 4.5 (right);
        ``ax``: two Axes (default: a new Figure). Returns the Figure.
        """
        from slowdyn.common.plotting import figure_axes

        fig, axes = figure_axes(ax, 1, 2, figsize=(10, 4))
        for k, r in enumerate(self.rows):
            t, F = self.sims[r["phi_bd"]]
            t, F = np.asarray(t, dtype=float), np.asarray(F, dtype=float)
            fit = self._mapping.curve(r["phi_mct"], t)
            axes[0].semilogx(t[t > 0], F[t > 0], "-", color=f"C{k}", label=f"BD {r['phi_bd']:g}")
            axes[0].semilogx(t[t > 0], fit[t > 0], ":", color=f"C{k}")
        axes[0].set_xlabel("t")
        axes[0].set_ylabel(f"F_s(q = {self.q:g}, t)")
        axes[0].legend(fontsize="x-small", title="solid BD, dotted MCT fit", title_fontsize="x-small")
        pb = np.array([r["phi_bd"] for r in self.rows])
        axes[1].plot(pb, [r["phi_mct"] for r in self.rows], "o", label="this fit")
        ref = sorted(TABLE_4_5.items())
        axes[1].plot([p for p, _ in ref], [v[0] for _, v in ref], "k+", label="Table 4.5")
        if self.polynomial is not None:
            x = np.linspace(pb.min(), pb.max(), 100)
            axes[1].plot(x, self.polynomial(x), "-", label=f"degree {self.degree}")
        axes[1].set_xlabel("phi_BD")
        axes[1].set_ylabel("phi_MCT")
        axes[1].legend(fontsize="x-small")
        fig.tight_layout()
        return fig
