"""Training data and input encoding of the NNLT (Granz 2026, §4.2.1, §4.2.2, §4.2.4).

Every training function is a sum of decaying exponentials (eq. 4.40) with
its exact Fourier-Laplace transform (eq. 4.41)::

    f(t) = sum_k a_k exp(-t/tau_k),   f(omega) = sum_k a_k / (i omega + 1/tau_k)

sampled as in §4.2.2:

* the number of terms N is uniform in ``[n_terms[0], n_terms[1]]`` ([1, 200]);
* the amplitudes are uniform on the simplex ``sum_k a_k = 1`` (so f(0) = 1);
* ``log10 tau_k`` follows a bimodal normal distribution with modes at
  ``log10 modes`` (tau = 1, the Brownian time, and tau = 1e4). Each function
  draws its own widths ``sigma_1, sigma_2`` uniformly from ``widths`` (in
  decades: the thesis samples them "in the order of m_i", which we read as
  up to a couple of decades around each mode) and its own mixing fraction
  ``p ~ U(0, 1)``; each term belongs to mode 1 with probability p. Terms
  outside ``tau_range`` are redrawn. ``tau_scale="linear"`` takes the
  literal reading instead, ``tau ~ |N(m_i, sigma_i m_i)|`` (doc/nnlt.md:
  easier in logMSE, but no tau beyond a few 1e4, and its networks fail on
  slower correlators);
* optionally (``slow_mode``, an extension not in §4.2.2, off by default)
  each function draws its second mode log-uniformly from a range instead of
  the fixed ``modes[1]``: two-step functions whose plateau lasts up to the
  end of the window, which the thesis names as underrepresented in its
  training set (§4.2.5, the F2 model at v2 = 3.999);
* functions that do not decay inside the window are rejected: f(t_min) must
  be >= ``f_start_min`` (not decayed before the first time point) and
  f(t_max) <= ``f_end_max`` (decayed by the last one).

Grids (§4.2.4): 500 log points omega in [1e-12, 1e2] (input) and 500 log
points t in [1e-6, 1e10] (output). The input is the polar encoding of eq.
4.36, ``{log10 |f(omega_i)|, arg f(omega_i)}``, with unphysical values
clipped: ``|f|`` to ``abs_clip`` and the angle to [-pi/2, 0], the range of
completely monotone functions (Re f > 0, Im f < 0, eq. 4.35).
"""

from __future__ import annotations


import numpy as np

from ..laplace.exponentials import ExponentialSum
from .grids import NNLTGrids, encode_polar
from .._compute import Compute, computed_property


class TrainingData(Compute):
    """Random exponential-sum pairs ``(f(omega), f(t))`` for the NNLT (§4.2.2).

    Parameters
    ----------
    n_samples : int
        Number of accepted functions.
    grids : NNLTGrids, optional
        Input/output grids (default: the thesis grids).
    n_terms : (int, int)
        Inclusive range of the number of exponentials.
    modes : (float, float)
        Modes of the bimodal relaxation-time distribution (in tau).
    widths : (float, float)
        Range of the per-function widths of both modes: in decades of tau
        (``tau_scale="log"``) or in units of the mode (``"linear"``).
    tau_scale : {"log", "linear"}
        ``"log"`` (default): ``log10 tau ~ N(log10 m_i, sigma_i)``. ``"linear"``:
        ``tau ~ |N(m_i, sigma_i m_i)|``, the literal reading of the thesis'
        "widths in the order of m_i" (no tau beyond a few m_2; doc/nnlt.md).
    tau_range : (float, float)
        Allowed relaxation times; terms outside are redrawn.
    slow_mode : (float, float), optional
        Draw each function's second mode log-uniformly in this tau range
        instead of using ``modes[1]`` (None: the thesis distribution).
    f_start_min, f_end_max : float
        Rejection thresholds on f(t_min) and f(t_max).
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same data.
    batch : int
        Candidates drawn per vectorised step.
    """

    def __init__(self, n_samples: int, grids: NNLTGrids | None = None,
                 n_terms: tuple[int, int] = (1, 200), modes: tuple[float, float] = (1.0, 1e4),
                 widths: tuple[float, float] = (0.1, 2.0), tau_range: tuple[float, float] = (1e-6, 1e10),
                 f_start_min: float = 0.99, f_end_max: float = 1e-8, seed: int = 0,
                 batch: int = 512, slow_mode: tuple[float, float] | None = None,
                 tau_scale: str = "log") -> None:
        if n_samples < 1:
            raise ValueError("TrainingData: n_samples must be >= 1")
        if not 1 <= n_terms[0] <= n_terms[1]:
            raise ValueError("TrainingData: need 1 <= n_terms[0] <= n_terms[1]")
        self.n_samples = int(n_samples)
        self.grids = grids or NNLTGrids()
        self.n_terms = (int(n_terms[0]), int(n_terms[1]))
        self.modes = tuple(float(m) for m in modes)
        self.widths = tuple(float(w) for w in widths)
        self.tau_range = tuple(float(x) for x in tau_range)
        if slow_mode is not None and not 0 < float(slow_mode[0]) <= float(slow_mode[1]):
            raise ValueError("TrainingData: slow_mode must be a range 0 < lo <= hi of relaxation times")
        self.slow_mode = None if slow_mode is None else tuple(float(x) for x in slow_mode)
        if tau_scale not in ("log", "linear"):
            raise ValueError(f"TrainingData: tau_scale must be 'log' or 'linear', not {tau_scale!r}")
        self.tau_scale = tau_scale
        self.f_start_min = float(f_start_min)
        self.f_end_max = float(f_end_max)
        self.seed = int(seed)
        self.batch = int(batch)
        self._a = self._tau = self._f = self._fhat = None
        self._n_rejected = 0

    def params(self) -> dict:
        """Constructor arguments as plain types (for configs and saved models)."""
        return {"n_samples": self.n_samples, "n_terms": list(self.n_terms), "modes": list(self.modes),
                "widths": list(self.widths), "tau_range": list(self.tau_range),
                "f_start_min": self.f_start_min, "f_end_max": self.f_end_max, "seed": self.seed,
                "batch": self.batch, "slow_mode": None if self.slow_mode is None else list(self.slow_mode),
                "tau_scale": self.tau_scale}

    def _draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` candidate functions: amplitudes and times, padded to n_terms[1]."""
        kmax = self.n_terms[1]
        nterm = rng.integers(self.n_terms[0], self.n_terms[1] + 1, size=n)
        used = np.arange(kmax)[None, :] < nterm[:, None]
        # uniform on the simplex: normalised exponential variates
        a = rng.exponential(size=(n, kmax)) * used
        a /= a.sum(axis=1, keepdims=True)
        mu = np.broadcast_to(np.log10(self.modes), (n, 2)).copy()
        sig = rng.uniform(*self.widths, size=(n, 2))
        p1 = rng.uniform(size=(n, 1))
        mode = (rng.uniform(size=(n, kmax)) >= p1).astype(int)  # 0: first mode
        if self.slow_mode is not None:
            mu[:, 1] = rng.uniform(*np.log10(self.slow_mode), size=n)
        rows = np.arange(n)[:, None]
        loc, scale = mu[rows, mode], sig[rows, mode]
        if self.tau_scale == "log":
            lo, hi = np.log10(self.tau_range)
            draw = rng.normal
        else:  # |N(m, sigma m)| in tau itself
            loc = 10.0**loc
            scale = scale * loc
            lo, hi = self.tau_range
            def draw(m, s):
                return np.abs(rng.normal(m, s))
        x = draw(loc, scale)
        for _ in range(50):
            bad = (x < lo) | (x > hi)
            if not bad.any():
                break
            x[bad] = draw(loc[bad], scale[bad])
        x = np.clip(x, lo, hi)
        tau = 10.0**x if self.tau_scale == "log" else x
        return a, np.where(used, tau, 1.0)  # padding terms: a = 0, tau = 1

    def compute(self) -> "TrainingData":
        """Draw, reject and evaluate ``n_samples`` function pairs."""
        rng = np.random.default_rng(self.seed)
        edges = np.array([self.grids.t_min, self.grids.t_max])
        a_acc, tau_acc, n_acc, n_rej = [], [], 0, 0
        while n_acc < self.n_samples:
            a, tau = self._draw(rng, self.batch)
            fe = ExponentialSum(a, tau).f(edges)
            ok = (fe[:, 0] >= self.f_start_min) & (fe[:, 1] <= self.f_end_max)
            n_rej += int((~ok).sum())
            a_acc.append(a[ok])
            tau_acc.append(tau[ok])
            n_acc += int(ok.sum())
            if n_rej > 1000 * max(self.n_samples, self.batch):
                raise RuntimeError("TrainingData: almost every candidate is rejected; widen "
                                   "f_start_min/f_end_max or move the modes into the time window")
        self._a = np.concatenate(a_acc)[:self.n_samples]
        self._tau = np.concatenate(tau_acc)[:self.n_samples]
        self._n_rejected = n_rej
        self._f = np.empty((self.n_samples, self.grids.n_t))
        self._fhat = np.empty((self.n_samples, self.grids.n_omega), dtype=complex)
        t, omega = self.grids.t, self.grids.omega
        for i in range(0, self.n_samples, 256):
            es = ExponentialSum(self._a[i:i + 256], self._tau[i:i + 256])
            self._f[i:i + 256] = es.f(t)
            self._fhat[i:i + 256] = es.fhat(omega)
        return self

    @computed_property
    def amplitudes(self) -> np.ndarray:
        """Amplitudes, shape (n_samples, n_terms[1]); padding terms are 0."""
        return self._a

    @computed_property
    def tau(self) -> np.ndarray:
        """Relaxation times, shape (n_samples, n_terms[1]) (padding terms: 1)."""
        return self._tau

    @computed_property
    def f(self) -> np.ndarray:
        """Targets f(t) on ``grids.t``, shape (n_samples, n_t)."""
        return self._f

    @computed_property
    def fhat(self) -> np.ndarray:
        """Exact transforms on ``grids.omega``, shape (n_samples, n_omega), complex."""
        return self._fhat

    @property
    def n_rejected(self) -> int:
        """Candidates rejected because they did not decay inside the window."""
        return self._n_rejected

    def inputs(self, abs_clip: tuple[float, float] = (1e-10, 1e12)) -> np.ndarray:
        """Polar-encoded network inputs, shape (n_samples, 2 n_omega)."""
        return encode_polar(self.fhat, abs_clip)
