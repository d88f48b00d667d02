"""Configuration of an NNLT training run (read from YAML by ``slowdyn nnlt train``).

Two configs are installed (``configs/``): ``nnlt_2x1024``, the thesis setup
(Granz 2026, §4.2.4: 2 x 1024 tanh, ~50 000 pairs), and the chain behind the
shipped model, ``nnlt_2x1024_gelu`` (GELU units, 250 000 pairs) and
``nnlt_2x1024_gelu_slow``, which fine-tunes it on fresh and slow-mode pairs.
A config may name a ``base`` config whose entries it overrides.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .grids import NNLTGrids

# config entries a fine-tuning (``init``) must share with its start model: the network and the encoding
INIT_KEYS = ("hidden", "activation", "output", "grids", "abs_clip")
ACTIVATIONS = {"tanh": "Tanh", "relu": "ReLU", "elu": "ELU", "gelu": "GELU", "silu": "SiLU", "sigmoid": "Sigmoid"}
CONFIG_DIR = Path(__file__).with_name("configs")


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
        """Read a YAML config; a ``base`` entry names a config (installed name or path relative to
        this file) whose entries this one overrides (``data`` entry by entry).
        """
        return cls.from_dict(_read_yaml(Path(path)))

    def to_dict(self) -> dict:
        return asdict(self)

    def validate(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")
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


def _read_yaml(path: Path, depth: int = 0) -> dict:
    """A config file as a dict, with its ``base`` chain resolved."""
    from slowdyn.common.config import read_yaml

    d = read_yaml(path, "NNLT config", "nnlt")
    base = d.pop("base", None)
    if base is None:
        return d
    if depth > 8:
        raise ValueError(f"{path}: the chain of 'base' configs is too long (a cycle?)")
    local = path.parent / (base if str(base).endswith((".yaml", ".yml")) else f"{base}.yaml")
    merged = _read_yaml(local if local.is_file() else example_config(str(base)), depth + 1)
    for key, value in d.items():
        if key == "data" and isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


def example_config(name: str = "nnlt_2x1024") -> Path:
    """Path of an installed config, ``configs/NAME.yaml``.

    ``nnlt_2x1024`` is the thesis setup (§4.2.4: ~50 000 pairs);
    ``nnlt_2x1024_gelu`` and ``nnlt_2x1024_gelu_slow`` (which takes the first
    as its ``base`` and fine-tunes its model) are the two runs behind
    :func:`~slowdyn.analysis.nnlt.model.pretrained_path`.
    """
    path = CONFIG_DIR / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise FileNotFoundError(f"no installed NNLT config '{name}'; known: {', '.join(known)}")
    return path


def pretrained_config() -> Path:
    """Config of the shipped model, ``configs/nnlt_2x1024_gelu_slow.yaml`` (its ``init`` is
    the model of ``configs/nnlt_2x1024_gelu.yaml``).
    """
    return example_config("nnlt_2x1024_gelu_slow")


__all__ = ["ACTIVATIONS", "INIT_KEYS", "NNLTConfig", "example_config", "pretrained_config"]
