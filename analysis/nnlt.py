"""Neural-network inverse Laplace transform (NNLT, seed 000 §4.2).

A feed-forward network maps the polar-encoded Fourier-Laplace transform
``{log10|f(omega_i)|, arg f(omega_i)}`` on a fixed log grid (eq. 4.36) to
``f(t_j)`` on a fixed log time grid, with a sigmoid output (f in [0, 1],
f(0) = 1 built in). It is trained on exact exponential-sum pairs
(:mod:`slowdyn.analysis.nnlt_data`) with the loss of eqs. 4.42-4.44::

    L = W_MSE mean((y - y_true)^2) + W_log mean((log(y + eps) - log(y_true + eps))^2)

AdamW, an exponentially decaying learning rate (per epoch), mini-batches of
128, a train/validation split, a checkpoint after every epoch (resumed
automatically), tqdm progress and the loss curves as a PNG.

Usage::

    run = NNLTTrainer(NNLTConfig.from_yaml("nnlt_2x1024.yaml")).run()   # or: slowdyn nnlt train
    nnlt = NNLT.load("nnlt_run/model.pt")
    f_t = nnlt(fhat_on_nnlt_omega)            # f on nnlt.t
    f_t = nnlt(fhat, omega=my_omega)          # any increasing omega grid (interpolated)
    f_t = nnlt(lambda w: 1 / (1j * w + 1))    # a callable of omega

A saved model (``model.pt``, ``torch.save``) holds the state dict, the grids,
the input normalisation and the full training config.

PyTorch is imported lazily; without it every entry point raises an
ImportError that says ``pip install 'slowdyn[nnlt]'``.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ._optional import require
from .laplace_refine import DEFAULT_LAM, ConsistencyRefinement
from .laplace_tails import SpectralTails
from .nnlt_data import NNLTGrids, TrainingData, encode_polar

FORMAT = "slowdyn.nnlt/1"
# config entries a fine-tuning (``init``) must share with its start model: the network and the encoding
INIT_KEYS = ("hidden", "activation", "output", "grids", "abs_clip")


class NNLTInputWarning(UserWarning):
    """The input of an NNLT lies far outside the inputs it was trained on."""


def _torch():
    return require("torch", "the NNLT", "nnlt", "CPU build: pip install torch==2.13.0")


@dataclass
class NNLTConfig:
    """Everything that defines a trained NNLT (read from YAML by ``slowdyn nnlt train``).

    Parameters
    ----------
    hidden : list of int
        Hidden layer widths (thesis: [1024, 1024]).
    activation : {"tanh", "relu", "elu", "gelu", "silu", "sigmoid"}
        Hidden activation (the thesis: tanh).
    output : {"sigmoid", "tanh"}
        Output activation: sigmoid for f in [0, 1], tanh for [-1, 1].
    grids : dict
        :class:`NNLTGrids` fields.
    data : dict
        :class:`TrainingData` arguments (``n_samples``, ``seed``, ...): the
        training distribution, and the one ``val_*`` in the history is
        measured on (Table 4.1).
    extra_data : list of dict
        More :class:`TrainingData` sets added to the training pairs (e.g.
        ``slow_mode`` functions); each is split by ``val_fraction`` as well
        and its held-out part reported as ``val_extra_*``.
    init : str, optional
        A ``model.pt`` to start from instead of random weights (fine-tuning;
        a relative path is taken from the working directory). Its network,
        grids and encoding must equal this config's; its input
        standardisation is kept.
    abs_clip : [float, float]
        Clip of ``|f(omega)|`` in the encoding.
    std_floor : float
        Lower bound of the per-feature input standard deviation (features that
        hardly vary in the training set, e.g. the angle at omega = 1e-12, must
        not amplify noise).
    val_fraction : float
        Fraction of the pairs held out for validation.
    batch_size, epochs : int
    lr, lr_decay, weight_decay : float
        AdamW learning rate, per-epoch factor of the exponential decay, decoupled weight decay.
    w_mse, w_log, eps : float
        Loss weights and log offset (eq. 4.44; W = 1, 1 reproduces the sums of Table 4.1).
    seed : int
        Seed of the weight initialisation and of the per-epoch shuffling.
    out_dir : str
        Where checkpoint.pt, model.pt, history.json and loss.png go.
    num_threads : int or None
        ``torch.set_num_threads`` during training (None: leave torch's default).
    """

    hidden: list = field(default_factory=lambda: [1024, 1024])
    activation: str = "tanh"
    output: str = "sigmoid"
    grids: dict = field(default_factory=lambda: NNLTGrids().to_dict())
    data: dict = field(default_factory=lambda: {"n_samples": 50000, "seed": 0})
    extra_data: list = field(default_factory=list)
    init: str | None = None
    abs_clip: list = field(default_factory=lambda: [1e-10, 1e12])
    std_floor: float = 0.1
    val_fraction: float = 0.1
    batch_size: int = 128
    epochs: int = 300
    lr: float = 1e-3
    lr_decay: float = 0.985
    weight_decay: float = 1e-2
    w_mse: float = 1.0
    w_log: float = 1.0
    eps: float = 1e-12
    seed: int = 0
    out_dir: str = "nnlt_run"
    num_threads: int | None = None

    @classmethod
    def from_dict(cls, d: dict) -> "NNLTConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown NNLT config keys {sorted(unknown)}; known: {sorted(known)}")
        cfg = cls(**d)
        cfg.validate()
        return cfg

    @classmethod
    def from_yaml(cls, path: str | os.PathLike) -> "NNLTConfig":
        yaml = require("yaml", "reading NNLT configs", "nnlt")
        with open(path) as fh:
            return cls.from_dict(yaml.safe_load(fh) or {})

    def to_dict(self) -> dict:
        return asdict(self)

    def validate(self) -> None:
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {self.activation!r}")
        if self.output not in ("sigmoid", "tanh"):
            raise ValueError(f"output must be 'sigmoid' or 'tanh', got {self.output!r}")
        if not self.hidden or any(int(h) < 1 for h in self.hidden):
            raise ValueError("hidden must list at least one positive layer width")
        if not 0 < self.val_fraction < 1:
            raise ValueError("val_fraction must be in (0, 1)")
        if self.batch_size < 1 or self.epochs < 0:
            raise ValueError("batch_size must be >= 1 and epochs >= 0")
        NNLTGrids(**self.grids)
        if not isinstance(self.extra_data, list) or not all(isinstance(d, dict) for d in self.extra_data):
            raise ValueError("extra_data must be a list of TrainingData settings (dicts)")

    def model_key(self) -> dict:
        """The entries a checkpoint must agree on to be resumed (all but the run length/location)."""
        d = self.to_dict()
        for k in ("epochs", "out_dir", "num_threads"):
            d.pop(k)
        return d


_ACTIVATIONS = {"tanh": "Tanh", "relu": "ReLU", "elu": "ELU", "gelu": "GELU", "silu": "SiLU", "sigmoid": "Sigmoid"}


def build_network(n_in: int, n_out: int, hidden, activation: str = "tanh", output: str = "sigmoid"):
    """``torch.nn.Sequential``: input standardisation, hidden layers, output activation.

    The first module holds the buffers ``mean`` and ``std`` of the input
    features (set from the training set), so a state dict is self-contained.
    """
    torch = _torch()
    nn = torch.nn

    class Standardize(nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.register_buffer("mean", torch.zeros(n))
            self.register_buffer("std", torch.ones(n))

        def forward(self, x):
            return (x - self.mean) / self.std

    layers: list = [Standardize(n_in)]
    width = n_in
    for h in hidden:
        layers += [nn.Linear(width, int(h)), getattr(nn, _ACTIVATIONS[activation])()]
        width = int(h)
    layers += [nn.Linear(width, n_out), nn.Sigmoid() if output == "sigmoid" else nn.Tanh()]
    return nn.Sequential(*layers)


def nnlt_loss(pred, target, w_mse: float = 1.0, w_log: float = 1.0, eps: float = 1e-12):
    """Loss of eqs. 4.42-4.44; returns ``(total, mse, logmse)`` (torch scalars)."""
    torch = _torch()
    mse = torch.mean((pred - target) ** 2)
    logmse = torch.mean((torch.log(pred + eps) - torch.log(target + eps)) ** 2)
    return w_mse * mse + w_log * logmse, mse, logmse


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
        the loosest bound over ``data`` and ``extra_data``."""
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
        torch = _torch()
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        torch.save(self.state(), tmp)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "NNLT":
        """Load a ``model.pt`` written by :meth:`save` (or the model part of a checkpoint)."""
        torch = _torch()
        blob = torch.load(path, map_location="cpu", weights_only=True)
        if blob.get("format") != FORMAT:
            raise ValueError(f"{path}: not a slowdyn NNLT file (format {blob.get('format')!r}, "
                             f"expected {FORMAT!r})")
        cfg = NNLTConfig.from_dict(blob["config"])
        grids = NNLTGrids(**blob["grids"])
        net = build_network(2 * grids.n_omega, grids.n_t, cfg.hidden, cfg.activation, cfg.output)
        net.load_state_dict(blob["state_dict"])
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

    def __call__(self, fhat: Any, omega=None, refine: bool = False, lam: float = DEFAULT_LAM,
                 tails: bool = False) -> np.ndarray:
        """Inverse transform.

        Parameters
        ----------
        fhat : array_like (..., M) complex, or callable
            ``f(omega)`` on :attr:`omega` (``M = grids.n_omega``), on
            ``omega`` if given, or a function evaluated on :attr:`omega`.
        omega : array_like, optional
            Grid of ``fhat`` when it is not the model's grid (see :meth:`to_grid`).
        refine : bool
            Correct the network output so that its forward transform matches
            ``fhat`` (:class:`~slowdyn.analysis.laplace_refine.ConsistencyRefinement`,
            about 0.1 s per function).
        lam : float
            Pull of the refinement towards the network output.
        tails : bool
            Replace the small values of the output (below 0.1, fully below
            1e-3) by NNLS tails capped by the output's own tail
            (:class:`~slowdyn.analysis.laplace_tails.SpectralTails`, about
            1 s per function): for clean inputs, whose transform holds the tails.

        Returns
        -------
        numpy.ndarray, shape (..., N)
            ``f`` on :attr:`t`.
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
        if refine:
            y = self.refinement(lam).compute(fhat, y).f
        return SpectralTails().compute(self.omega, fhat, self.t, y).f if tails else y

    def refinement(self, lam: float = DEFAULT_LAM) -> ConsistencyRefinement:
        """The data-consistency refinement on this model's grids (its forward operator is built
        once per model, about 1 s)."""
        ref = ConsistencyRefinement(self.t, self.omega, lam, operator=self._operator)
        self._operator = ref.operator
        return ref

    def slow_tau(self, fhat) -> np.ndarray:
        """Slowest relaxation time of ``fhat`` (..., M) seen at ``omega <= 1/t_max``:
        ``max tan(-arg f(omega)) / omega`` (a phase lag of pi/2 or more counts as infinite)."""
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


class NNLTTrainer:
    """Train an NNLT from a config, with checkpoint/resume.

    Parameters
    ----------
    config : NNLTConfig
    out_dir : path, optional
        Overrides ``config.out_dir``.
    resume : bool
        Continue from ``out_dir/checkpoint.pt`` if it exists (its config
        must match apart from ``epochs``/``out_dir``/``num_threads``).
    progress : bool
        tqdm progress bar over the epochs.
    """

    def __init__(self, config: NNLTConfig, out_dir: str | os.PathLike | None = None,
                 resume: bool = True, progress: bool = True) -> None:
        config.validate()
        self.config = config
        self.out_dir = Path(out_dir if out_dir is not None else config.out_dir)
        self.resume = resume
        self.progress = progress
        self._model: NNLT | None = None
        self._history: dict | None = None
        self.start_epoch = 0

    @property
    def checkpoint_path(self) -> Path:
        return self.out_dir / "checkpoint.pt"

    @property
    def model_path(self) -> Path:
        return self.out_dir / "model.pt"

    @property
    def model(self) -> NNLT:
        if self._model is None:
            raise RuntimeError("NNLTTrainer: call run() first")
        return self._model

    @property
    def history(self) -> dict:
        """Per-epoch ``train_loss``, ``train_mse``, ``train_logmse``, ``val_*`` and ``lr``."""
        if self._history is None:
            raise RuntimeError("NNLTTrainer: call run() first")
        return self._history

    def _split(self, data: dict, grids: NNLTGrids, seed: int):
        """Encoded pairs of one TrainingData set, split into (x_train, y_train, x_val, y_val)."""
        cfg = self.config
        td = TrainingData(grids=grids, **data).compute()
        x = encode_polar(td.fhat, tuple(cfg.abs_clip)).astype(np.float32)
        y = np.clip(td.f, 0.0, 1.0).astype(np.float32)
        n_val = max(1, round(cfg.val_fraction * len(x)))
        if n_val >= len(x):
            raise ValueError("NNLT: too few samples for a train/validation split")
        perm = np.random.default_rng(seed).permutation(len(x))
        return x[perm[n_val:]], y[perm[n_val:]], x[perm[:n_val]], y[perm[:n_val]]

    def _data(self):
        """Training pairs (``data`` + ``extra_data``), validation pairs of ``data``, of ``extra_data``."""
        cfg = self.config
        grids = NNLTGrids(**cfg.grids)
        sets = [self._split(d, grids, cfg.seed + i) for i, d in enumerate([cfg.data] + cfg.extra_data)]
        xtr = np.concatenate([s[0] for s in sets])
        ytr = np.concatenate([s[1] for s in sets])
        extra = (np.concatenate([s[2] for s in sets[1:]]), np.concatenate([s[3] for s in sets[1:]])) \
            if len(sets) > 1 else None
        return xtr, ytr, sets[0][2], sets[0][3], extra

    def _load_init(self) -> NNLT | None:
        """The ``init`` model, checked against the config (before any data are drawn)."""
        cfg = self.config
        if not cfg.init:
            return None
        if not Path(cfg.init).is_file():
            raise FileNotFoundError(f"init model {cfg.init} not found (relative to {Path.cwd()}); train it "
                                    "first or give its path")
        model = NNLT.load(cfg.init)
        mine, theirs = cfg.to_dict(), model.config
        for key in INIT_KEYS:
            if mine[key] != theirs.get(key):
                raise ValueError(f"init model {cfg.init}: {key} = {theirs.get(key)!r} differs from the "
                                 f"config's {mine[key]!r}; fine-tuning needs the same network and encoding")
        model.config, model.history = mine, {}
        return model

    def _initial_model(self, xtr, ytr) -> NNLT:
        """Random weights with the input standardisation of ``xtr`` and the median output."""
        torch = _torch()
        cfg = self.config
        torch.manual_seed(cfg.seed)
        model = NNLT.from_config(cfg)
        net = model.network
        std = torch.clamp(xtr.std(dim=0), min=cfg.std_floor)
        net[0].mean.copy_(xtr.mean(dim=0))
        net[0].std.copy_(std)
        if cfg.output == "sigmoid":
            # start from the median training target (logit), not from f = 1/2 everywhere
            med = torch.clamp(ytr.median(dim=0).values, 1e-9, 1 - 1e-7)
            with torch.no_grad():
                net[-2].bias.copy_(torch.log(med / (1 - med)))
        return model

    def _evaluate(self, net, x, y) -> tuple[float, float, float]:
        torch = _torch()
        cfg = self.config
        tot = np.zeros(3)
        with torch.no_grad():
            for i in range(0, len(x), 1024):
                xb, yb = x[i:i + 1024], y[i:i + 1024]
                parts = nnlt_loss(net(xb), yb, cfg.w_mse, cfg.w_log, cfg.eps)
                tot += np.array([float(p) for p in parts]) * len(xb)
        return tuple(tot / len(x))

    def run(self) -> "NNLTTrainer":
        """Train for ``config.epochs`` epochs in total (resuming if possible)."""
        torch = _torch()
        cfg = self.config
        if cfg.num_threads:
            torch.set_num_threads(int(cfg.num_threads))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        init = self._load_init()
        xtr, ytr, xva, yva, extra = self._data()
        xtr, ytr, xva, yva = (torch.from_numpy(a) for a in (xtr, ytr, xva, yva))
        extra = tuple(torch.from_numpy(a) for a in extra) if extra else None
        model = init or self._initial_model(xtr, ytr)
        net = model.network
        opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=cfg.lr_decay)
        keys = ["epoch", "lr", "train_loss", "train_mse", "train_logmse", "val_loss", "val_mse", "val_logmse"]
        if extra:
            keys += ["val_extra_loss", "val_extra_mse", "val_extra_logmse"]
        hist: dict = {k: [] for k in keys}
        self.start_epoch = 0
        if self.resume and self.checkpoint_path.exists():
            ck = torch.load(self.checkpoint_path, map_location="cpu", weights_only=True)
            if NNLTConfig.from_dict(ck["model"]["config"]).model_key() != cfg.model_key():
                raise ValueError(f"{self.checkpoint_path} was written with another config; "
                                 "use another out_dir or resume=False (--no-resume)")
            net.load_state_dict(ck["model"]["state_dict"])
            opt.load_state_dict(ck["optimizer"])
            sched.load_state_dict(ck["scheduler"])
            hist = {k: list(v) for k, v in ck["model"]["history"].items()}
            self.start_epoch = int(ck["epoch"])

        from tqdm.auto import tqdm

        bar = tqdm(range(self.start_epoch, cfg.epochs), initial=self.start_epoch, total=cfg.epochs,
                   disable=not self.progress, desc="NNLT", unit="epoch")
        for epoch in bar:
            net.train()
            gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + epoch)
            perm = torch.randperm(len(xtr), generator=gen)
            acc, n = np.zeros(3), 0
            lr = opt.param_groups[0]["lr"]
            for i in range(0, len(xtr), cfg.batch_size):
                idx = perm[i:i + cfg.batch_size]
                loss, mse, logmse = nnlt_loss(net(xtr[idx]), ytr[idx], cfg.w_mse, cfg.w_log, cfg.eps)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                acc += np.array([loss.item(), mse.item(), logmse.item()]) * len(idx)
                n += len(idx)
            sched.step()
            net.eval()
            val = self._evaluate(net, xva, yva)
            for k, v in zip(("train_loss", "train_mse", "train_logmse"), acc / n):
                hist[k].append(float(v))
            for k, v in zip(("val_loss", "val_mse", "val_logmse"), val):
                hist[k].append(float(v))
            if extra:
                for k, v in zip(("val_extra_loss", "val_extra_mse", "val_extra_logmse"), self._evaluate(net, *extra)):
                    hist[k].append(float(v))
            hist["epoch"].append(epoch + 1)
            hist["lr"].append(lr)
            bar.set_postfix(loss=f"{hist['train_loss'][-1]:.3e}", val=f"{val[0]:.3e}")
            model.history = hist
            self._save_checkpoint(model, opt, sched, epoch + 1)
        bar.close()
        net.eval()
        model.history = hist
        model.save(self.model_path)
        (self.out_dir / "history.json").write_text(json.dumps(hist, indent=1))
        if hist["epoch"]:
            plot_history(hist, self.out_dir / "loss.png")
        self._model, self._history = model, hist
        return self

    def _save_checkpoint(self, model: NNLT, opt, sched, epoch: int) -> None:
        torch = _torch()
        tmp = self.checkpoint_path.with_suffix(".tmp")
        torch.save({"model": model.state(), "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict(), "epoch": epoch}, tmp)
        os.replace(tmp, self.checkpoint_path)


def example_config(name: str = "nnlt_2x1024") -> Path:
    """Path of an installed config, ``configs/NAME.yaml``.

    ``nnlt_2x1024`` is the thesis setup (§4.2.4: ~50 000 pairs);
    ``nnlt_2x1024_250k`` the same network and loss on 250 000 pairs (the
    model before last); ``nnlt_2x1024_250k_w001`` that with the loss
    weight ``W_log = 0.01``; ``nnlt_2x1024_slow`` that model fine-tuned on
    fresh pairs plus slow-mode pairs (the previous shipped model);
    ``nnlt_2x1024_gelu`` and ``nnlt_2x1024_gelu_slow`` the same two runs
    with GELU hidden units (100 instead of 150 epochs in the first), the
    runs behind :func:`pretrained_path`; ``nnlt_2x1024_gelu_fast`` a third
    run on top of them with fast-mode pairs (tried, not shipped: doc/nnlt.md).
    """
    path = Path(__file__).with_name("configs") / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise FileNotFoundError(f"no installed NNLT config '{name}'; known: {', '.join(known)}")
    return path


def pretrained_config() -> Path:
    """Config of the shipped model, ``configs/nnlt_2x1024_gelu_slow.yaml`` (its ``init`` is
    the model of ``configs/nnlt_2x1024_gelu.yaml``)."""
    return example_config("nnlt_2x1024_gelu_slow")


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


def plot_history(history: dict, path: str | os.PathLike) -> Path:
    """Loss curves (total, MSE, logMSE; training, validation, validation of ``extra_data``) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ep = history["epoch"]
    for key, style in (("loss", "-"), ("mse", "--"), ("logmse", ":")):
        ax.plot(ep, history[f"train_{key}"], style, color="C0", label=f"train {key}")
        ax.plot(ep, history[f"val_{key}"], style, color="C1", label=f"val {key}")
        if f"val_extra_{key}" in history:
            ax.plot(ep, history[f"val_extra_{key}"], style, color="C2", label=f"val extra {key}")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def invert(model: NNLT | str | os.PathLike, fhat, omega=None) -> tuple[np.ndarray, np.ndarray]:
    """Convenience: ``(t, f)`` from a model (or its path) and ``fhat``."""
    nnlt = model if isinstance(model, NNLT) else NNLT.load(model)
    return nnlt.t, nnlt(fhat, omega=omega)


__all__ = ["NNLT", "NNLTConfig", "NNLTInputWarning", "NNLTTrainer", "build_network", "example_config", "invert",
           "nnlt_loss", "plot_history", "pretrained", "pretrained_path"]
