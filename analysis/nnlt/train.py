"""Training an NNLT from a config (Granz 2026, §4.2.3-4.2.4).

Exact exponential-sum pairs (:class:`~slowdyn.analysis.nnlt.data.TrainingData`)
are encoded (eq. 4.36), split into training and validation pairs, and the
network is trained with the loss of eqs. 4.42-4.44 through the shared
:class:`slowdyn.common.training.Trainer` (AdamW, exponential decay per epoch,
mini-batches of 128, checkpoint/resume, ``history.json``, ``loss.png``)::

    run = NNLTTrainer(NNLTConfig.from_yaml(example_config("nnlt_2x1024"))).run()
    nnlt = NNLT.load(run.model_path)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from slowdyn.common.training import Trainer

from .config import INIT_KEYS, NNLTConfig
from .data import TrainingData
from .grids import NNLTGrids, encode_polar
from .model import NNLT
from .network import _torch, nnlt_loss


class NNLTTrainer(Trainer):
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
        super().__init__(out_dir if out_dir is not None else config.out_dir, epochs=config.epochs, lr=config.lr,
                         weight_decay=config.weight_decay, batch_size=config.batch_size, seed=config.seed,
                         schedule="exponential", lr_decay=config.lr_decay, num_threads=config.num_threads,
                         resume=resume, progress=progress, desc="NNLT")
        self._model: NNLT | None = None

    @property
    def model(self) -> NNLT:
        """The trained :class:`NNLT` (after :meth:`run`)."""
        if self._model is None:
            raise RuntimeError("NNLTTrainer: call run() first")
        return self._model

    def config_key(self) -> dict:
        return self.config.model_key()

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

    def setup(self):
        """The network (random or ``init``) and the pairs of ``data`` + ``extra_data``.

        Validation sets: ``""`` (the held-out pairs of ``data``, Table 4.1's
        distribution) and ``"extra"`` (those of ``extra_data``, if any).
        """
        torch = _torch()
        cfg = self.config
        init = self._load_init()
        grids = NNLTGrids(**cfg.grids)
        sets = [self._split(d, grids, cfg.seed + i) for i, d in enumerate([cfg.data] + cfg.extra_data)]
        xtr = torch.from_numpy(np.concatenate([s[0] for s in sets]))
        ytr = torch.from_numpy(np.concatenate([s[1] for s in sets]))
        val = {"": (torch.from_numpy(sets[0][2]), torch.from_numpy(sets[0][3]))}
        if len(sets) > 1:
            val["extra"] = (torch.from_numpy(np.concatenate([s[2] for s in sets[1:]])),
                            torch.from_numpy(np.concatenate([s[3] for s in sets[1:]])))
        self._model = init or self._initial_model(xtr, ytr)
        return self._model.network, (xtr, ytr), val

    def batches(self, data, generator=None):
        if generator is None:   # evaluation: fixed chunks of 1024
            for i in range(0, len(data[0]), 1024):
                yield data[0][i:i + 1024], data[1][i:i + 1024]
            return
        yield from super().batches(data, generator)

    def loss(self, net, batch):
        cfg = self.config
        x, y = batch
        loss, mse, logmse = nnlt_loss(net(x), y, cfg.w_mse, cfg.w_log, cfg.eps)
        return loss, {"mse": mse.item(), "logmse": logmse.item()}

    def save_model(self, net, history: dict) -> Path:
        model = self.model
        model.network = net.eval()
        model.history = history
        return model.save(self.out_dir / "model.pt")


__all__ = ["NNLTTrainer"]
