"""The memory kernels of all wave numbers of one state (Granz 2026, §4.3-§4.4).

:class:`KernelSet` is the per-state loop of the pipeline, the one that
``slowdyn kernels``, the hard-disk validation
(:class:`~slowdyn.analysis.validation.kernels.KernelValidation`), the
simulation tables (:class:`~slowdyn.analysis.validation.simulation_kernels.SimulationKernels`)
and the CMA-ES comparison (:func:`~slowdyn.analysis.memory.cmaes.memory_pipeline_estimator`)
run. Its per-q step is one of two kinds:

- ``method="spectral"`` (the default): one *kernel estimator* per q, an object
  with ``compute(t, F)``, ``m0``, ``m(t)``, ``F_rec(t)``, ``rmse``, ``noise``,
  ``consistency`` and ``summary()``: for Brownian dynamics
  :class:`~slowdyn.analysis.memory.spectral.SpectralKernel` (the completely
  monotone fit of the SISF and the exact MZ kernel of its spectrum; it met
  goal 1 of doc/dev/memory_noisy_trials.md on 89 of 98 noisy SISFs, the
  NNLT route on 0 of 2), for Newtonian dynamics
  ``NewtonianKernel`` (module ``memory/newtonian.py``). m0 is the
  estimator's own (``m0="auto"``), the kernel comes with a bootstrap band;
- an inversion method of :data:`~slowdyn.analysis.laplace.pipeline.METHODS`:
  one :class:`~slowdyn.analysis.memory.kernels.MemoryKernel` per q, the m0
  estimators (asymptotic, Kramers-Kronig, iterative, the q-scaling fit over
  all q, or given values; ``"auto"`` is the iterative one), the kernel and its
  reconstruction with the chosen m0, and the time-domain Volterra baseline
  (:func:`volterra_baseline`).

Warnings (:attr:`KernelSet.warnings`, the ``warning`` column of ``m0.txt``;
the library never prints them, ``slowdyn kernels`` does): per q,

- ``rmse``: the reconstruction RMSE exceeds :data:`RMSE_FACTOR` times the
  model-free noise of the data
  (:func:`~slowdyn.analysis.memory.spectral.noise_from_differences`, floored
  at :data:`NOISE_FLOOR`, the residual of the fit on exact data);
- ``m0``: two m0 estimates differ by more than :data:`M0_TOLERANCE` of the
  chosen m0: for ``spectral`` the estimator's m0 and
  :meth:`~slowdyn.analysis.memory.spectral.SpectralKernel.m0_at` ``(0.3)``
  (the same fit with kernel terms down to 0.3 instead of 1 times the SISF's
  initial decay time: a difference means that m0 rests on kernel weight the
  data barely resolve), for the inversion methods the chosen, asymptotic and
  Kramers-Kronig m0;
- ``truncation`` (inversion methods): the frequency truncation discards more
  than half of the frequencies the data resolve (the grid points with
  ``1/t_max <= omega <= 1/t_min``);
- ``err_unused``: the data have standard errors that the estimator's
  ``compute`` does not take.

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

import inspect
from pathlib import Path
from typing import Mapping

import numpy as np

from .._compute import Compute, computed_property
from ..laplace.pipeline import METHODS, NNLT_METHODS
from .kernels import MemoryKernel, fit_scaling

#: per-q routes of KernelSet: the completely monotone estimator, then the inversion methods
KERNEL_METHODS = ("spectral",) + METHODS
#: the default route (doc/memory.md: the only one that reconstructs noisy SISFs to their noise)
DEFAULT_KERNEL_METHOD = "spectral"
#: dynamics of the SISF
DYNAMICS = ("brownian", "newtonian")
#: m0 estimators by name (``auto``: the method's own, iterative for the inversion methods);
#: ``given`` is a number or one value per q
ESTIMATORS = ("auto", "asymptotic", "kk", "iterative", "scaling")
#: warn when the RMSE exceeds this many times the noise
RMSE_FACTOR = 3.0
#: lower bound of the noise in that test: the spectral fit's residual on exact SISFs is about 1e-4
NOISE_FLOOR = 2e-4
#: warn when two m0 estimates differ by more than this fraction of the chosen m0
M0_TOLERANCE = 0.2
#: the resolution factor of the second spectral m0 estimate (SpectralKernel.m0_at)
M0_CHECK_RESOLVE = 0.3
#: bootstrap refits of the kernel band (spectral)
DEFAULT_BOOTSTRAP = 20
#: IterativeM0 settings of slowdyn kernels (span, scan points, Brent steps)
DEFAULT_SEARCH = {"span": 8.0, "n_scan": 13, "refine": 8}


def data_noise(F) -> float:
    """Model-free noise of an SISF (:func:`~slowdyn.analysis.memory.spectral.noise_from_differences`),
    NaN when it has too few points for it (then the ``rmse`` warning is not evaluated).
    """
    from .spectral import noise_from_differences

    F = np.asarray(F, dtype=float)
    return float(noise_from_differences(F)) if F.size >= 12 else float("nan")


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
        Short-time diffusion coefficient (``tau0 = 1/(D0 q^2)``; Brownian dynamics only).
    method : str
        Per-q route, one of :data:`KERNEL_METHODS`: ``"spectral"`` (default) or an inversion
        method (``laplace.pipeline.METHODS``).
    m0 : str, float or mapping
        The m0 of the kernels: ``"auto"`` (default: the ``spectral`` estimator's own m0; the
        iterative one for the inversion methods, which alone take the others),
        ``"asymptotic"`` (eq. 4.52), ``"kk"`` (eq. 4.53),
        ``"iterative"`` (minimal reconstruction RMSE per q, §4.3.2),
        ``"scaling"`` (iterative, then ``a/q^2 (1 + b q)`` fitted over all q,
        eqs. 4.55/4.56), a number, or ``{q: m0}`` (``given``).
    cut, noise : float
        :class:`~slowdyn.analysis.memory.kernels.MemoryKernel` noise cut and truncation noise; for
        ``spectral`` the cut is unused and ``noise > 0`` replaces the noise level estimated from the data.
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
        Also the Volterra baseline of each q (:func:`volterra_baseline`; Brownian dynamics).
    nnls, solver : dict, optional
        :class:`MemoryKernel` settings.
    progress : bool
        tqdm bars (over q and over the m0 trials).
    dynamics : str
        ``"brownian"`` (default) or ``"newtonian"`` (``spectral`` only: the estimator
        ``NewtonianKernel(q, kT_m=kT_m)`` of ``memory/newtonian.py``; D0 unused).
    kT_m : float, optional
        ``k_B T/m`` of Newtonian dynamics (``Omega_q^2 = q^2 k_B T/m``); required there.
    bootstrap : int
        ``spectral``: refits of the kernel's bootstrap band (0: no band).
    resolve : float, optional
        ``spectral``: kernel terms faster than ``resolve`` times the SISF's initial decay time
        (and than the first lag) count as instantaneous friction (row key and m0.txt column
        ``delta``: their integral, the shift of ``tau0`` in the Brownian MZ equation; the
        friction coefficient of ``F'`` in the Newtonian one) and are left out of the kernel
        table and m0. None: the estimator's default (1 Brownian, 0.1 Newtonian: m0 robust to
        noise); 0 keeps every term the data resolve, so that the kernel table alone reproduces
        the SISF (what a closure trained on the table needs).
    """

    compute_hint = "compute(data)"

    def __init__(self, D0: float = 1.0, method: str = DEFAULT_KERNEL_METHOD, m0="auto", cut: float = 1e-3,
                 noise: float = 0.0, model=None, estimators=(), search: dict | None = None, scaling_evals: int = 40,
                 volterra: bool = False, nnls: dict | None = None, solver: dict | None = None,
                 progress: bool = False, dynamics: str = "brownian", kT_m: float | None = None,
                 bootstrap: int = DEFAULT_BOOTSTRAP, resolve: float | None = None) -> None:
        if method not in KERNEL_METHODS:
            raise ValueError(f"unknown kernel method {method!r}; choose one of {', '.join(KERNEL_METHODS)}")
        if dynamics not in DYNAMICS:
            raise ValueError(f"unknown dynamics {dynamics!r}; choose one of {', '.join(DYNAMICS)}")
        if dynamics == "newtonian":
            if method != "spectral":
                raise ValueError(f"Newtonian dynamics has its own estimator: method must be 'spectral', not {method!r}")
            if kT_m is None or not (np.isfinite(kT_m) and kT_m > 0):
                raise ValueError(f"Newtonian dynamics needs kT_m = k_B T/m > 0, got {kT_m}")
        elif not (np.isfinite(D0) and D0 > 0):
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
        if method == "spectral" and m0 != "auto":
            shown = m0 if isinstance(m0, str) else "given" if isinstance(m0, Mapping) else f"{m0:g}"
            raise ValueError(f"m0 {shown} needs an inversion method ({', '.join(METHODS)}): the spectral method's "
                             "m0 is its own closed form (m0 'auto')")
        for e in estimators:
            if e not in ("iterative", "scaling"):
                raise ValueError(f"estimators may hold 'iterative' and 'scaling', not {e!r}")
            if method == "spectral":
                raise ValueError("further m0 estimators need an inversion method, not 'spectral'")
        if int(scaling_evals) < 1:
            raise ValueError(f"scaling_evals must be >= 1, got {scaling_evals}")
        if int(bootstrap) < 0 or int(bootstrap) == 1:
            raise ValueError(f"bootstrap must be 0 (no band) or >= 2 refits, got {bootstrap}")
        self.D0, self.method, self.m0_choice = float(D0), method, m0
        self.dynamics, self.kT_m = dynamics, None if kT_m is None else float(kT_m)
        self.bootstrap = int(bootstrap)
        if resolve is not None and not (np.isfinite(resolve) and resolve >= 0):
            raise ValueError(f"resolve must be >= 0, got {resolve}")
        if resolve is not None and method != "spectral":
            raise ValueError(f"resolve belongs to the spectral method, not {method!r}")
        self.resolve = None if resolve is None else float(resolve)
        self.cut, self.noise = float(cut), float(noise)
        self.estimators = tuple(estimators)
        self.search = {**DEFAULT_SEARCH, **(search or {})}
        self.scaling_evals = int(scaling_evals)
        self.use_volterra = bool(volterra)
        self.nnls, self.solver = nnls, solver
        self.progress = bool(progress)
        self.source = ""
        self._model = model
        self._kernels: dict | None = None
        self._warnings: list[str] = []

    # --- settings -----------------------------------------------------------
    @property
    def how(self) -> str:
        """Name of the chosen m0: an estimator of :data:`ESTIMATORS` or ``given`` (``auto`` of an
        inversion method is ``iterative``).
        """
        if self.m0_choice == "auto" and self.method != "spectral":
            return "iterative"
        return self.m0_choice if isinstance(self.m0_choice, str) else "given"

    @property
    def estimator_route(self) -> bool:
        """True when each q is one kernel estimator (``spectral``), False for the inversion methods."""
        return self.method == "spectral"

    def estimator(self, q: float):
        """A fresh kernel estimator of wave number ``q`` (``spectral`` route): a
        :class:`~slowdyn.analysis.memory.spectral.SpectralKernel` for Brownian dynamics,
        ``NewtonianKernel(q, kT_m=kT_m)`` for Newtonian dynamics.
        """
        if self.dynamics == "newtonian":
            from .newtonian import NewtonianKernel

            kw = {} if self.resolve is None else {"resolve": self.resolve}
            return NewtonianKernel(q, kT_m=self.kT_m, **kw)
        from .spectral import SpectralKernel

        kw = {} if self.resolve is None else {"resolve": self.resolve}
        return SpectralKernel(q, self.D0, noise=self.noise if self.noise > 0 else None, **kw)

    @property
    def model(self):
        """The NNLT the kernels use (None before the first NNLT inversion)."""
        return self._model

    def _wants(self, name: str) -> bool:
        return self.how == name or name in self.estimators or (name == "iterative" and self._wants("scaling"))

    # --- the loop -------------------------------------------------------------
    def compute(self, data: Mapping, source: str = "") -> "KernelSet":
        """Kernels of every ``{q: (t, F_s)}`` of ``data`` (one state).

        A value may also be ``(t, F_s, err)`` with the standard error of each point (or
        ``err = None``): the ``spectral`` route weights its fit by it and draws its bootstrap
        band from it; the inversion methods do not use it. ``source`` names the data in the
        tables' settings line (e.g. the file).
        """
        if not data:
            raise ValueError("KernelSet needs at least one {q: (t, F_s)}")
        if self._wants("scaling") and len(data) < 2:
            raise ValueError("the q-scaling m0 needs at least two wave numbers")
        items = []
        for k, v in sorted((float(k), v) for k, v in data.items()):
            if len(v) not in (2, 3):
                raise ValueError(f"q = {k:g}: KernelSet takes (t, F_s) or (t, F_s, err), got {len(v)} arrays")
            t, F = np.asarray(v[0], dtype=float), np.asarray(v[1], dtype=float)
            err = None if len(v) == 2 or v[2] is None else np.asarray(v[2], dtype=float)
            items.append((k, t, F, err))
        self.source = str(source)
        self._scaling, self._volterra = None, None
        rows = self._compute_estimators(items) if self.estimator_route else self._compute_inversions(items)
        if self.use_volterra and self.dynamics == "brownian":
            self._volterra = [{"q": r["q"], **volterra_baseline(r["q"], r["t"], r["F"], self.D0, self.cut)}
                              for r in rows]
        for r in rows:
            r["warning"] = self._check(r)
        self._warnings = [f"q = {r['q']:g}: {msg}" for r in rows for msg in r.pop("_messages")]
        self._rows = rows
        return self

    def _compute_estimators(self, items: list) -> list[dict]:
        """The ``spectral`` route: one estimator per q (module docstring)."""
        from tqdm.auto import tqdm

        from ..laplace.grids import TransformGrids

        grid = TransformGrids().t
        nan = float("nan")
        rows, kernels = [], {}
        for q, t, F, err in tqdm(items, desc="q", disable=not self.progress):
            est = self.estimator(q)
            unused = err is not None and "err" not in inspect.signature(est.compute).parameters
            if err is None or unused:
                est.compute(t, F)
            else:
                est.compute(t, F, err)
            pos = t > 0
            rec = np.concatenate([np.ones(int(np.sum(~pos))), np.asarray(est.F_rec(t[pos]), dtype=float)])
            r = {"q": q, "t": t, "F": F, "m0": float(est.m0), "how": "auto", "m0_asymptotic": nan, "m0_kk": nan,
                 "omega_cut": nan, "rmse": float(est.rmse), "noise": data_noise(F[pos]),
                 "t_kernel": grid, "m": np.asarray(est.m(grid), dtype=float), "F_rec": rec}
            r["m0_check"] = float(est.m0_at(M0_CHECK_RESOLVE)) if hasattr(est, "m0_at") else nan
            r["delta"] = float(getattr(est, "delta", getattr(est, "friction", nan)))
            if err is not None:
                r["err"] = err
            if unused:
                r["_note"] = f"{type(est).__name__} does not use the standard errors of the data"
            if self.bootstrap and hasattr(est, "band"):
                band = est.band(grid, n=self.bootstrap)
                r.update(m_lo=band["lo"], m_hi=band["hi"], m0_lo=band["m0_lo"], m0_hi=band["m0_hi"])
            rows.append(r)
            kernels[q] = est
        self._kernels = kernels
        return rows

    def _compute_inversions(self, items: list) -> list[dict]:
        """The inversion methods: one MemoryKernel per q and the m0 estimators (module docstring)."""
        from tqdm.auto import tqdm

        given = self.m0_choice if isinstance(self.m0_choice, Mapping) else None
        rows, kernels = [], {}
        for q, t, F, _ in tqdm(items, desc="q", disable=not self.progress):
            mk = MemoryKernel(q, self.D0, method=self.method, cut=self.cut, noise=self.noise, model=self._model,
                              nnls=self.nnls, solver=self.solver).compute(t, F)
            if self.method in NNLT_METHODS:
                self._model = mk.model    # load the network once
            r = {"q": q, "t": t, "F": F, "m0_asymptotic": mk.m0_asymptotic, "m0_kk": mk.m0_kk,
                 "omega_cut": mk.omega_cut, "noise": data_noise(F[t > 0])}
            # the part of the grid the data resolve, and how much of it the truncation kept
            tp = t[t > 0]
            seen = (mk.omega >= 1.0 / tp[-1]) & (mk.omega <= 1.0 / tp[0])
            r["_discarded"] = (float(np.sum(seen[mk.keep:])) / float(seen.sum())) if seen.any() else 0.0
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
        return rows

    def _check(self, r: dict) -> str:
        """The warnings of one row (module docstring): sets ``r["_messages"]`` and returns the
        codes joined by commas (``-`` for none), the ``warning`` column of ``m0.txt``.
        """
        codes, messages = [], []
        noise = max(r["noise"], NOISE_FLOOR)
        if np.isfinite(r["noise"]) and r["rmse"] > RMSE_FACTOR * noise:
            codes.append("rmse")
            what = "Brownian SISF with this D0 (F(0) = 1, F'(0) = -D0 q^2)" if self.dynamics == "brownian" \
                else "Newtonian SISF with this kT_m"
            messages.append(f"the reconstruction RMSE {r['rmse']:.2e} is {r['rmse'] / r['noise']:.3g} times the "
                            f"noise of the data ({r['noise']:.2e}): the data are not reproduced; are they a "
                            f"{what}?")
        others = [("m0_check", f"with resolve {M0_CHECK_RESOLVE:g}")] if self.estimator_route else \
            [("m0_asymptotic", "asymptotic"), ("m0_kk", "Kramers-Kronig")]
        far = [(name, r[key]) for key, name in others
               if np.isfinite(r.get(key, np.nan)) and abs(r[key] - r["m0"]) > M0_TOLERANCE * r["m0"]]
        if far:
            codes.append("m0")
            messages.append(f"the m0 estimates disagree by more than {M0_TOLERANCE:.0%}: m0 {r['m0']:.4g} "
                            f"({r['how']}), " + ", ".join(f"{name} {v:.4g}" for name, v in far))
        discarded = r.pop("_discarded", 0.0)
        if discarded > 0.5:
            codes.append("truncation")
            messages.append(f"the frequency truncation at omega = {r['omega_cut']:.3g} discards {discarded:.0%} of "
                            "the frequencies the data resolve (noisy data? try --method spectral)")
        note = r.pop("_note", None)
        if note:
            codes.append("err_unused")
            messages.append(note)
        r["_messages"] = messages
        return ",".join(codes) or "-"

    # --- results --------------------------------------------------------------
    @computed_property
    def q(self) -> np.ndarray:
        """The wave numbers, increasing."""
        return np.array([r["q"] for r in self._rows])

    @computed_property
    def rows(self) -> list:
        """One dict per q: ``q, t, F`` (data), ``t_kernel, m, m0, how, rmse`` (chosen m0),
        ``noise`` (model-free noise of the data), ``warning`` (codes, ``-`` for none),
        ``m0_asymptotic, m0_kk, omega_cut`` (NaN for ``spectral``) and, where evaluated,
        ``m0_iterative, rmse_iterative, trials, m0_scaling, m0_given``; ``spectral``:
        ``m0_check`` (:data:`M0_CHECK_RESOLVE`), ``err`` (if given) and the band
        ``m_lo, m_hi, m0_lo, m0_hi`` (if bootstrapped).
        """
        return self._rows

    @computed_property
    def warnings(self) -> list[str]:
        """One line per problem, ``"q = Q: what"`` (module docstring); empty when all is well."""
        return list(self._warnings)

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
        """``{q: MemoryKernel}`` (inversion methods) or ``{q: estimator}`` (``spectral``), after
        :meth:`compute` only.
        """
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
        if self.estimator_route and t_out is not None:
            return np.asarray(self.kernels[r["q"]].F_rec(np.asarray(t_out, dtype=float)), dtype=float)
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
        return settings_line(self.source, self.D0, self.method, m0, self.cut, self.noise, dynamics=self.dynamics,
                             kT_m=self.kT_m, bootstrap=self.bootstrap if self.estimator_route else None,
                             resolve=self.resolve)

    def write(self, out, plots: bool = True) -> list[Path]:
        """Write the tables (and figures) into the folder ``out`` (created; see :meth:`paths`); returns the files."""
        from ..io.kernels import write_kernels, write_m0, write_sisf_fit

        p = self.paths(out)
        p["kernels"].parent.mkdir(parents=True, exist_ok=True)
        head = self._settings()
        rows = self.rows
        band = None
        if all("m_lo" in r for r in rows):
            band = (np.column_stack([r["m_lo"] for r in rows]), np.column_stack([r["m_hi"] for r in rows]))
        write_kernels(p["kernels"], rows[0]["t_kernel"], self.q, np.column_stack([r["m"] for r in rows]), [head],
                      band=band)
        write_m0(p["m0"], rows, self.scaling, [head])
        where = "all data" if self.estimator_route else f"data before the cut {self.cut:g}"
        write_sisf_fit(p["sisf"], self.q, [r["t"] for r in rows], [r["F"] for r in rows],
                       [self.reconstruct(r["q"]) for r in rows],
                       [head] + [f"q {r['q']:g}: RMSE {r['rmse']:.4e} ({where})" for r in rows])
        files = [p["kernels"], p["m0"], p["sisf"]]
        if plots:
            self.plot().savefig(p["kernels_png"], dpi=110)
            self.plot_m0().savefig(p["m0_png"], dpi=110)
            files += [p["kernels_png"], p["m0_png"]]
        return files

    @classmethod
    def read(cls, out) -> "KernelSet":
        """The set :meth:`write` wrote to ``out`` (tables only: no MemoryKernel objects)."""
        from ..io.kernels import read_kernel_band, read_kernels, read_m0, read_sisf_fit

        p = cls.paths(out)
        t, q, m = read_kernels(p["kernels"])
        band = read_kernel_band(p["kernels"])
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
        ks = cls(s["D0"], s["method"], m0, s["cut"], s["noise"], dynamics=s["dynamics"], kT_m=s["kT_m"],
                 bootstrap=s["bootstrap"], resolve=s["resolve"])
        ks.source = s["source"]
        rows = []
        for k, v in enumerate(q):
            r = {c: float(tab[c][k]) for c in ("q", "m0", "m0_asymptotic", "m0_kk", "omega_cut", "rmse", "noise")}
            r["how"], r["warning"] = str(tab["how"][k]), str(tab["warning"][k])
            for c in ("m0_iterative", "rmse_iterative", "m0_check", "m0_lo", "m0_hi", "delta"):
                if np.isfinite(tab[c][k]):
                    r[c] = float(tab[c][k])
            if band is not None:
                r["m_lo"], r["m_hi"] = band[2][:, k], band[3][:, k]
            if r["how"] in ("scaling", "given"):
                r[f"m0_{r['how']}"] = r["m0"]
            key = min(data, key=lambda x: abs(x - v))
            r["t"], r["F"] = data[key]
            r["F_rec"] = rec[key][1]
            r["t_kernel"], r["m"] = t, m[:, k]
            rows.append(r)
        ks._rows, ks._scaling, ks._volterra, ks._kernels = rows, tab["scaling"], None, None
        ks._warnings = []   # the messages are not stored; the codes are in rows[k]["warning"]
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


__all__ = ["DEFAULT_BOOTSTRAP", "DEFAULT_KERNEL_METHOD", "DEFAULT_SEARCH", "DYNAMICS", "ESTIMATORS", "KERNEL_METHODS",
           "KernelSet", "M0_TOLERANCE", "NOISE_FLOOR", "RMSE_FACTOR", "measured_window", "volterra_baseline"]
