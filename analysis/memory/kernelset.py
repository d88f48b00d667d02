"""The memory kernels of all wave numbers of one state (Granz 2026, §4.3-§4.4).

:class:`KernelSet` is the per-state loop of the pipeline, the one that
``slowdyn kernels``, the hard-disk validation
(:class:`~slowdyn.analysis.validation.kernels.KernelValidation`), the
simulation tables (:class:`~slowdyn.analysis.validation.simulation_kernels.SimulationKernels`)
and the CMA-ES comparison (:func:`~slowdyn.analysis.memory.cmaes.memory_pipeline_estimator`)
run: one :class:`~slowdyn.analysis.memory.kernels.MemoryKernel` per q, the m0
estimators (asymptotic, Kramers-Kronig, iterative, the q-scaling fit over all
q, or given values), the kernel and its reconstruction with the chosen m0,
and the time-domain Volterra baseline (:func:`volterra_baseline`).

Window convention (one for the pipeline and the baseline): the *measured
window* of an SISF is its points with ``t > 0`` before the first point below
the noise cut. The pipeline's RMSE is taken there
(:attr:`MemoryKernel.t_data`); the Volterra kernel is computed from the data
up to the same point (``phi(0) = 1`` prepended) and its RMSE is taken on the
same points.

:meth:`KernelSet.write` writes the tables of :mod:`slowdyn.analysis.io.kernels`
and the two figures; :meth:`KernelSet.read` reads the tables back (the kernels
with the chosen m0, the m0 table and the SISFs; the MemoryKernel objects,
and so other m0 choices, exist only after :meth:`KernelSet.compute`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from .._compute import Compute, computed_property
from ..laplace.pipeline import METHODS, NNLT_METHODS
from .kernels import DEFAULT_METHOD, MemoryKernel, fit_scaling

#: m0 estimators by name; ``given`` is a number or one value per q
ESTIMATORS = ("asymptotic", "kk", "iterative", "scaling")
#: IterativeM0 settings of slowdyn kernels (span, scan points, Brent steps)
DEFAULT_SEARCH = {"span": 8.0, "n_scan": 13, "refine": 8}


def measured_window(t, F, cut: float) -> int:
    """Number of leading points of ``F`` before the first one below ``cut`` (all if none)."""
    below = np.nonzero(np.asarray(F) < cut)[0]
    return int(below[0]) if below.size else len(F)


def volterra_baseline(q: float, t, F, D0: float = 1.0, cut: float = 1e-3, n: int = 4000) -> dict:
    """The time-domain baseline (:class:`~slowdyn.analysis.memory.volterra.VolterraKernel`) of one SISF.

    The kernel is computed from the data before the first point below ``cut``
    and its MZ reconstruction compared with the data there (points ``t > 0``:
    the measured window of the pipeline, module docstring).

    Returns
    -------
    dict
        ``m0`` (the kernel's first value), ``rmse``, ``t`` and ``m`` (the kernel;
        empty and NaN with an ``error`` entry where the recursion failed).
    """
    from .volterra import VolterraKernel

    t, F = np.asarray(t, dtype=float), np.asarray(F, dtype=float)
    end = measured_window(t, F, cut)
    tw, fw = t[:end], F[:end]
    try:
        vk = VolterraKernel(1.0 / (D0 * q**2), n=n).compute(tw, fw)
        pos = tw > 0
        rec = vk.reconstruct(tw[pos])
        return {"m0": float(vk.m[0]), "rmse": float(np.sqrt(np.mean((rec - fw[pos]) ** 2))), "t": vk.t, "m": vk.m}
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        return {"m0": float("nan"), "rmse": float("nan"), "t": np.zeros(0), "m": np.zeros(0), "error": str(exc)}


class KernelSet(Compute):
    """Memory kernels of all wave numbers of one state, with every m0 estimator.

    Parameters
    ----------
    D0 : float
        Short-time diffusion coefficient (``tau0 = 1/(D0 q^2)``).
    method : str
        Inversion method (``laplace.pipeline.METHODS``).
    m0 : str, float or mapping
        The m0 of the kernels: ``"asymptotic"`` (eq. 4.52), ``"kk"`` (eq. 4.53),
        ``"iterative"`` (minimal reconstruction RMSE per q, §4.3.2),
        ``"scaling"`` (iterative, then ``a/q^2 (1 + b q)`` fitted over all q,
        eqs. 4.55/4.56), a number, or ``{q: m0}`` (``given``).
    cut, noise : float
        :class:`~slowdyn.analysis.memory.kernels.MemoryKernel` noise cut and truncation noise.
    model : NNLT, path or None
        NNLT of the NNLT methods (default: the shipped one; loaded once for all q).
    estimators : sequence of str
        Further m0 estimators to evaluate besides ``m0`` (``"iterative"``,
        ``"scaling"``): e.g. a validation with MCT's m0 that also wants the
        iterative and the scaling m0. The asymptotic and Kramers-Kronig
        estimates are always there.
    search : dict, optional
        :class:`~slowdyn.analysis.memory.m0.IterativeM0` settings (default :data:`DEFAULT_SEARCH`).
    scaling_evals : int
        Nelder-Mead budget of the q-scaling fit.
    volterra : bool
        Also the Volterra baseline of each q (:func:`volterra_baseline`).
    nnls, solver : dict, optional
        :class:`MemoryKernel` settings.
    progress : bool
        tqdm bars (over q and over the m0 trials).
    """

    compute_hint = "compute(data)"

    def __init__(self, D0: float = 1.0, method: str = DEFAULT_METHOD, m0="iterative", cut: float = 1e-3,
                 noise: float = 0.0, model=None, estimators=(), search: dict | None = None, scaling_evals: int = 40,
                 volterra: bool = False, nnls: dict | None = None, solver: dict | None = None,
                 progress: bool = False) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown inversion method {method!r}; choose one of {', '.join(METHODS)}")
        if not (np.isfinite(D0) and D0 > 0):
            raise ValueError(f"D0 must be > 0, got {D0}")
        if isinstance(m0, str):
            if m0 not in ESTIMATORS:
                raise ValueError(f"unknown m0 estimator {m0!r}; choose one of {', '.join(ESTIMATORS)}, "
                                 "a number or {q: m0}")
        elif isinstance(m0, Mapping):
            m0 = {float(q): float(v) for q, v in m0.items()}
        else:
            m0 = float(m0)
            if not (np.isfinite(m0) and m0 > 0):
                raise ValueError(f"m0 must be > 0, got {m0}")
        for e in estimators:
            if e not in ("iterative", "scaling"):
                raise ValueError(f"estimators may hold 'iterative' and 'scaling', not {e!r}")
        if int(scaling_evals) < 1:
            raise ValueError(f"scaling_evals must be >= 1, got {scaling_evals}")
        self.D0, self.method, self.m0_choice = float(D0), method, m0
        self.cut, self.noise = float(cut), float(noise)
        self.estimators = tuple(estimators)
        self.search = {**DEFAULT_SEARCH, **(search or {})}
        self.scaling_evals = int(scaling_evals)
        self.use_volterra = bool(volterra)
        self.nnls, self.solver = nnls, solver
        self.progress = bool(progress)
        self.source = ""
        self._model = model
        self._kernels: dict[float, MemoryKernel] | None = None

    # --- settings -----------------------------------------------------------
    @property
    def how(self) -> str:
        """Name of the chosen m0: an estimator of :data:`ESTIMATORS` or ``given``."""
        return self.m0_choice if isinstance(self.m0_choice, str) else "given"

    @property
    def model(self):
        """The NNLT the kernels use (None before the first NNLT inversion)."""
        return self._model

    def _wants(self, name: str) -> bool:
        return self.how == name or name in self.estimators or (name == "iterative" and self._wants("scaling"))

    # --- the loop -------------------------------------------------------------
    def compute(self, data: Mapping, source: str = "") -> "KernelSet":
        """Kernels of every ``{q: (t, F_s)}`` of ``data`` (one state).

        ``source`` names the data in the tables' settings line (e.g. the file).
        """
        from tqdm.auto import tqdm

        if not data:
            raise ValueError("KernelSet needs at least one {q: (t, F_s)}")
        if self._wants("scaling") and len(data) < 2:
            raise ValueError("the q-scaling m0 needs at least two wave numbers")
        given = self.m0_choice if isinstance(self.m0_choice, Mapping) else None
        self.source = str(source)
        rows, kernels = [], {}
        for q, (t, F) in tqdm(sorted((float(k), v) for k, v in data.items()), desc="q", disable=not self.progress):
            mk = MemoryKernel(q, self.D0, method=self.method, cut=self.cut, noise=self.noise, model=self._model,
                              nnls=self.nnls, solver=self.solver).compute(t, F)
            if self.method in NNLT_METHODS:
                self._model = mk.model    # load the network once
            r = {"q": q, "t": np.asarray(t, dtype=float), "F": np.asarray(F, dtype=float),
                 "m0_asymptotic": mk.m0_asymptotic, "m0_kk": mk.m0_kk, "omega_cut": mk.omega_cut}
            if self._wants("iterative"):
                it = mk.iterate_m0(progress=self.progress, **self.search)
                r.update(m0_iterative=it.m0, rmse_iterative=it.rmse, trials=it.trials)
            if given is not None:
                hit = [v for k, v in given.items() if np.isclose(k, q, rtol=1e-6, atol=0)]
                if not hit:
                    raise ValueError(f"m0 has no value for q = {q:g}")
                r["m0_given"] = hit[0]
            elif self.how == "given":
                r["m0_given"] = self.m0_choice
            elif self.how in ("asymptotic", "kk"):
                r["m0"] = mk.m0(self.how)
            rows.append(r)
            kernels[q] = mk
        self._kernels = kernels
        self._scaling = None
        if self._wants("scaling"):
            fit = fit_scaling(list(kernels.values()), [r["m0_iterative"] for r in rows], max_evals=self.scaling_evals)
            self._scaling = dict(fit.result)
            for r, m0 in zip(rows, fit.m0()):
                r["m0_scaling"] = float(m0)
        key = {"iterative": "m0_iterative", "scaling": "m0_scaling", "given": "m0_given"}.get(self.how, "m0")
        for r in rows:
            mk = kernels[r["q"]]
            r["m0"], r["how"] = float(r[key]), self.how
            if not (np.isfinite(r["m0"]) and r["m0"] > 0):
                raise ValueError(f"the {self.how} m0 at q = {r['q']:g} is {r['m0']:.3g}; choose another m0")
            r["t_kernel"], r["m"] = mk.kernel(r["m0"])
            r["rmse"] = mk.rmse(r["m0"])
        self._volterra = None
        if self.use_volterra:
            self._volterra = [{"q": r["q"], **volterra_baseline(r["q"], r["t"], r["F"], self.D0, self.cut)}
                              for r in rows]
        self._rows = rows
        return self

    # --- results --------------------------------------------------------------
    @computed_property
    def q(self) -> np.ndarray:
        """The wave numbers, increasing."""
        return np.array([r["q"] for r in self._rows])

    @computed_property
    def rows(self) -> list:
        """One dict per q: ``q, t, F`` (data), ``t_kernel, m, m0, how, rmse`` (chosen m0),
        ``m0_asymptotic, m0_kk, omega_cut`` and, where evaluated, ``m0_iterative,
        rmse_iterative, trials, m0_scaling, m0_given``.
        """
        return self._rows

    @computed_property
    def scaling(self) -> dict | None:
        """The q-scaling fit: ``a, b, alpha, beta, mean_rmse`` (and the start values), or None."""
        return self._scaling

    @computed_property
    def volterra(self) -> list | None:
        """The Volterra baseline per q (:func:`volterra_baseline` plus ``q``), or None."""
        return self._volterra

    @computed_property
    def kernels(self) -> dict:
        """``{q: MemoryKernel}`` (after :meth:`compute` only)."""
        if self._kernels is None:
            raise RuntimeError("KernelSet: a set read from files has no MemoryKernel objects; compute() it")
        return self._kernels

    def _row(self, q: float) -> dict:
        for r in self.rows:
            if np.isclose(r["q"], q, rtol=1e-6, atol=0):
                return r
        raise ValueError(f"q = {q:g} is not in this KernelSet (its q: {' '.join(f'{v:g}' for v in self.q)})")

    def m0(self, how: str | None = None) -> np.ndarray:
        """m0 per q of estimator ``how`` (:data:`ESTIMATORS` or ``given``; default: the chosen one)."""
        if how is None:
            return np.array([r["m0"] for r in self.rows])
        key = {"asymptotic": "m0_asymptotic", "kk": "m0_kk"}.get(how, f"m0_{how}")
        if how == self.how:
            key = "m0"
        if not all(key in r for r in self.rows):
            raise ValueError(f"the {how} m0 was not evaluated in this KernelSet (ask for it with estimators=)")
        return np.array([r[key] for r in self.rows])

    def rmse(self, how: str | None = None) -> np.ndarray:
        """Reconstruction RMSE per q with the m0 of ``how`` (default: the chosen one)."""
        if how is None or how == self.how:
            return np.array([r["rmse"] for r in self.rows])
        if how == "iterative" and all("rmse_iterative" in r for r in self.rows):
            return np.array([r["rmse_iterative"] for r in self.rows])
        return np.array([self.kernels[r["q"]].rmse(float(m0)) for r, m0 in zip(self.rows, self.m0(how))])

    def kernel(self, q: float, how: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(t, m(q, t))`` with the m0 of ``how`` (default: the chosen one)."""
        r = self._row(q)
        if how is None or how == self.how:
            return r["t_kernel"], r["m"]
        k = list(self.rows).index(r)
        return self.kernels[r["q"]].kernel(float(self.m0(how)[k]))

    def reconstruct(self, q: float, t_out=None) -> np.ndarray:
        """MZ solution with the chosen kernel on ``t_out`` (default: the data times, ``F(0) = 1`` kept)."""
        r = self._row(q)
        if t_out is None:
            if "F_rec" not in r:
                t = r["t"]
                rec = self.kernels[r["q"]].reconstruct(r["t_kernel"], r["m"], t_out=t[t > 0])
                r["F_rec"] = np.concatenate([np.ones(int(np.sum(t <= 0))), rec])
            return r["F_rec"]
        return self.kernels[r["q"]].reconstruct(r["t_kernel"], r["m"], t_out=np.asarray(t_out, dtype=float))

    # --- files ------------------------------------------------------------------
    @staticmethod
    def paths(out) -> dict:
        """The files of :meth:`write` in the folder ``out``: ``kernels.txt, m0.txt, sisf.txt,
        kernels.png, m0.png``.
        """
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{folder} is a file: the kernels of a state go into a folder")
        name = lambda s: folder / s  # noqa: E731
        return {k: name(f"{k}.{ext}") for k, ext in (("kernels", "txt"), ("m0", "txt"), ("sisf", "txt"))} | {
            "kernels_png": name("kernels.png"), "m0_png": name("m0.png")}

    def _settings(self) -> str:
        from ..io.kernels import settings_line

        m0 = self.m0_choice if not isinstance(self.m0_choice, Mapping) else "given"
        return settings_line(self.source, self.D0, self.method, m0, self.cut, self.noise)

    def write(self, out, plots: bool = True) -> list[Path]:
        """Write the tables (and figures) into the folder ``out`` (created; see :meth:`paths`); returns the files."""
        from ..io.kernels import write_kernels, write_m0, write_sisf_fit

        p = self.paths(out)
        p["kernels"].parent.mkdir(parents=True, exist_ok=True)
        head = self._settings()
        rows = self.rows
        write_kernels(p["kernels"], rows[0]["t_kernel"], self.q, np.column_stack([r["m"] for r in rows]), [head])
        write_m0(p["m0"], rows, self.scaling, [head])
        write_sisf_fit(p["sisf"], self.q, [r["t"] for r in rows], [r["F"] for r in rows],
                       [self.reconstruct(r["q"]) for r in rows],
                       [head] + [f"q {r['q']:g}: RMSE {r['rmse']:.4e} (data before the cut {self.cut:g})"
                                 for r in rows])
        files = [p["kernels"], p["m0"], p["sisf"]]
        if plots:
            self.plot().savefig(p["kernels_png"], dpi=110)
            self.plot_m0().savefig(p["m0_png"], dpi=110)
            files += [p["kernels_png"], p["m0_png"]]
        return files

    @classmethod
    def read(cls, out) -> "KernelSet":
        """The set :meth:`write` wrote to ``out`` (tables only: no MemoryKernel objects)."""
        from ..io.kernels import read_kernels, read_m0, read_sisf_fit

        p = cls.paths(out)
        t, q, m = read_kernels(p["kernels"])
        tab = read_m0(p["m0"])
        data, rec = read_sisf_fit(p["sisf"], "data"), read_sisf_fit(p["sisf"], "reconstructed")
        s = tab["settings"]
        if not s:
            raise ValueError(f"{p['m0']} has no 'slowdyn kernels ...' settings line")
        if not np.allclose(tab["q"], q, rtol=1e-6, atol=0):
            raise ValueError(f"{p['m0']} and {p['kernels']} hold different wave numbers")
        m0 = s["m0"]
        if m0 not in ESTIMATORS:
            m0 = {float(v): float(x) for v, x in zip(q, tab["m0"])} if m0 == "given" else float(m0)
        ks = cls(s["D0"], s["method"], m0, s["cut"], s["noise"])
        ks.source = s["source"]
        rows = []
        for k, v in enumerate(q):
            r = {c: float(tab[c][k]) for c in ("q", "m0", "m0_asymptotic", "m0_kk", "omega_cut", "rmse")}
            r["how"] = str(tab["how"][k])
            for c in ("m0_iterative", "rmse_iterative"):
                if np.isfinite(tab[c][k]):
                    r[c] = float(tab[c][k])
            if r["how"] in ("scaling", "given"):
                r[f"m0_{r['how']}"] = r["m0"]
            key = min(data, key=lambda x: abs(x - v))
            r["t"], r["F"] = data[key]
            r["F_rec"] = rec[key][1]
            r["t_kernel"], r["m"] = t, m[:, k]
            rows.append(r)
        ks._rows, ks._scaling, ks._volterra, ks._kernels = rows, tab["scaling"], None, None
        return ks._computed()

    # --- figures ----------------------------------------------------------------
    def plot(self, ax=None):
        """Kernels (log t) and reconstructed SISFs against the data, one colour per q, on two Axes ``ax``
        (default: a new Figure); returns the Figure.
        """
        from .plots import plot_kernels

        for r in self.rows:
            self.reconstruct(r["q"])
        return plot_kernels(self.rows, ax=ax)

    def plot_m0(self, ax=None):
        """``q^2 m0`` of every estimator against q, and the iterative error curves, on two Axes ``ax``
        (default: a new Figure); returns the Figure.
        """
        from .plots import plot_m0

        return plot_m0(self.rows, self.scaling, ax=ax)


__all__ = ["DEFAULT_SEARCH", "ESTIMATORS", "KernelSet", "measured_window", "volterra_baseline"]
