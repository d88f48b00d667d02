"""The training loop shared by every network slowdyn trains.

The NNLT (:mod:`slowdyn.analysis.nnlt.train`), the learned MCT closures and
the neural-network potentials all train the same way: AdamW, a learning
rate that decays per epoch (exponentially) or on a plateau of the first
validation loss, deterministic per-epoch shuffling, a checkpoint after every
epoch that a later run resumes from, ``history.json``, a tqdm bar and the
loss curves as a PNG. A model subclasses :class:`Trainer` and supplies what
differs: the network and data (:meth:`Trainer.setup`), the loss of one batch
(:meth:`Trainer.loss`), how the data are cut into batches
(:meth:`Trainer.batches`), what a checkpoint must agree on to be resumed
(:meth:`Trainer.config_key`) and how the final model is written
(:meth:`Trainer.save_model`).

PyTorch is imported lazily.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Iterable, Iterator



def _torch():
    from slowdyn.common.optional import require

    return require("torch", "training a network", "nnlt", "CPU build: pip install torch==2.13.0")


def standardized_mlp(n_in: int, hidden: Iterable[int], n_out: int, activation: str = "ReLU",
                     output: str | None = None):
    """``torch.nn.Sequential``: input standardisation, ``(Linear, activation)`` per hidden layer, ``Linear``
    and an optional output activation (``torch.nn`` class names, e.g. ``"Tanh"``, ``"Sigmoid"``).

    The first module holds the buffers ``mean`` and ``std`` of the input features (set from the training
    set), so a state dict is self-contained (keys ``0.mean``, ``0.std``, ``1.weight``, ...).
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
        layers += [nn.Linear(width, int(h)), getattr(nn, activation)()]
        width = int(h)
    layers.append(nn.Linear(width, n_out))
    if output is not None:
        layers.append(getattr(nn, output)())
    return nn.Sequential(*layers)


def save_torch_file(path: str | os.PathLike, blob: dict) -> Path:
    """``torch.save(blob)`` to ``path`` through a temporary file and an atomic rename, so that an
    interrupted write never leaves a truncated model or checkpoint; the counterpart of :func:`load_torch_file`.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    _torch().save(blob, tmp)
    os.replace(tmp, path)
    return path


def load_torch_file(path: str | os.PathLike, what: str, keys: Iterable[str] = ()) -> dict:
    """The dict that ``torch.save`` wrote to ``path`` (tensors and plain data only).

    Parameters
    ----------
    path : path
        The file.
    what : str
        What it should be, for the error message (e.g. ``"slowdyn NNLT model"``).
    keys : iterable of str
        Entries the dict must have.

    Raises
    ------
    ValueError
        When torch cannot read the file (corrupt, truncated, not written by
        ``torch.save``) or it is not a dict with ``keys``.
    OSError
        When the file cannot be opened.
    """
    torch = _torch()
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except OSError:
        raise
    except Exception as exc:   # torch raises UnpicklingError, RuntimeError, EOFError, ... on a broken file
        raise ValueError(f"{path}: not a readable {what} ({type(exc).__name__} from torch.load: the file is "
                         "corrupt, truncated or not written by torch.save)") from exc
    missing = [k for k in keys if not isinstance(blob, dict) or k not in blob]
    if not isinstance(blob, dict) or missing:
        raise ValueError(f"{path}: not a {what}" + (f" (it has no {', '.join(missing)})" if missing else ""))
    return blob


class Trainer:
    """Epoch loop with AdamW, learning-rate schedule, checkpoint/resume and history.

    Parameters
    ----------
    out_dir : path
        Where ``checkpoint.pt``, ``history.json``, ``loss.png`` and the model go.
    epochs : int
        Total number of epochs (a resumed run continues up to this number).
    lr, weight_decay : float
        AdamW learning rate and decoupled weight decay.
    batch_size : int, optional
        Mini-batch size of the default :meth:`batches` (None: the whole set).
    seed : int
        Seed of the weight initialisation (set before :meth:`setup`) and of the
        per-epoch shuffling (epoch ``e`` uses ``seed * 1000003 + e``, so a
        resumed run draws the same batches as an uninterrupted one).
    schedule : {"exponential", "plateau"}
        ``ExponentialLR(lr_decay)`` stepped every epoch, or
        ``ReduceLROnPlateau(factor=lr_decay, patience)`` on the first validation loss.
    lr_decay, patience, min_lr : float, int, float
        Schedule parameters.
    num_threads : int, optional
        ``torch.set_num_threads`` while :meth:`run` trains (restored afterwards).
    max_cpu_seconds : float, optional
        CPU-time budget of one :meth:`run` (``time.process_time``: this process,
        all threads, set-up included, so that budgets compare on a shared
        machine): no new epoch starts once it is spent (the epoch under way is
        finished and checkpointed; a resumed run gets a fresh budget).
        ``stopped_early`` tells whether it cut the run short.
    resume : bool
        Continue from ``checkpoint.pt`` when it exists and its :meth:`config_key` matches.
    progress : bool
        Show a tqdm bar over the epochs.
    desc : str
        Label of the bar.
    """

    def __init__(self, out_dir: str | os.PathLike, *, epochs: int, lr: float, weight_decay: float = 0.0,
                 batch_size: int | None = None, seed: int = 0, schedule: str = "exponential",
                 lr_decay: float = 1.0, patience: int = 10, min_lr: float = 0.0,
                 num_threads: int | None = None, resume: bool = True, progress: bool = True,
                 desc: str = "train", max_cpu_seconds: float | None = None) -> None:
        if schedule not in ("exponential", "plateau"):
            raise ValueError(f"schedule must be 'exponential' or 'plateau', got {schedule!r}")
        if int(epochs) < 0 or (batch_size is not None and int(batch_size) < 1):
            raise ValueError("epochs must be >= 0 and batch_size >= 1")
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        if max_cpu_seconds is not None and not float(max_cpu_seconds) > 0:
            raise ValueError(f"max_cpu_seconds must be > 0 (or None for no budget), got {max_cpu_seconds}")
        self.out_dir = Path(out_dir)
        self.epochs, self.lr, self.weight_decay = int(epochs), float(lr), float(weight_decay)
        self.batch_size = None if batch_size is None else int(batch_size)
        self.seed, self.schedule, self.lr_decay = int(seed), schedule, float(lr_decay)
        self.patience, self.min_lr = int(patience), float(min_lr)
        self.num_threads, self.resume, self.progress, self.desc = num_threads, resume, progress, desc
        self.max_cpu_seconds = None if max_cpu_seconds is None else float(max_cpu_seconds)
        self.stopped_early = False
        self.start_epoch = 0
        self._net = None
        self._history: dict | None = None
        self._model_path: Path | None = None

    # -- what a model supplies ------------------------------------------------------------
    def config_key(self) -> dict:
        """Everything a checkpoint must agree on to be resumed (JSON-serialisable)."""
        raise NotImplementedError(f"{type(self).__name__} must define config_key()")

    def setup(self) -> tuple[Any, Any, dict]:
        """Return ``(net, train_data, {name: val_data})``; called once per :meth:`run`."""
        raise NotImplementedError(f"{type(self).__name__} must define setup()")

    def loss(self, net, batch) -> tuple[Any, dict]:
        """``(loss tensor, {metric: float})`` of one batch."""
        raise NotImplementedError(f"{type(self).__name__} must define loss()")

    def save_model(self, net, history: dict) -> Path:
        """Write the final model; return its path."""
        raise NotImplementedError(f"{type(self).__name__} must define save_model()")

    def batches(self, data, generator=None) -> Iterator:
        """Mini-batches of a tuple of tensors along dim 0, shuffled with ``generator`` (None: in order)."""
        torch = _torch()
        n = len(data[0])
        order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
        size = self.batch_size or n
        for i in range(0, n, size):
            idx = order[i:i + size]
            yield tuple(d[idx] for d in data)

    def batch_size_of(self, batch) -> int:
        """Weight of a batch in the epoch means (default: length of its first tensor)."""
        return len(batch[0])

    # -- results --------------------------------------------------------------------------
    @property
    def checkpoint_path(self) -> Path:
        return self.out_dir / "checkpoint.pt"

    @property
    def net(self):
        """The trained network (after :meth:`run`)."""
        if self._net is None:
            raise RuntimeError(f"{type(self).__name__}: call run() first")
        return self._net

    @property
    def history(self) -> dict:
        """Per epoch: ``epoch``, ``lr``, ``train_loss``, ``train_<metric>``, ``val_<name>_loss``, ..."""
        if self._history is None:
            raise RuntimeError(f"{type(self).__name__}: call run() first")
        return self._history

    @property
    def model_path(self) -> Path:
        """The file :meth:`save_model` wrote (after :meth:`run`)."""
        if self._model_path is None:
            raise RuntimeError(f"{type(self).__name__}: call run() first")
        return self._model_path

    # -- the loop -------------------------------------------------------------------------
    def _mean_metrics(self, net, data) -> dict:
        torch = _torch()
        acc: dict = {}
        total = 0
        with torch.no_grad():
            for batch in self.batches(data):
                loss, metrics = self.loss(net, batch)
                w = self.batch_size_of(batch)
                for k, v in {"loss": float(loss), **metrics}.items():
                    acc[k] = acc.get(k, 0.0) + float(v) * w
                total += w
        return {k: v / max(total, 1) for k, v in acc.items()}

    def _optimizer(self, net):
        torch = _torch()
        opt = torch.optim.AdamW(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        if self.schedule == "exponential":
            sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=self.lr_decay)
        else:
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=self.lr_decay, patience=self.patience,
                                                               min_lr=self.min_lr)
        return opt, sched

    def _resume(self, net, opt, sched) -> dict:
        ck = load_torch_file(self.checkpoint_path, "training checkpoint",
                             ("config_key", "net", "optimizer", "scheduler", "epoch", "history"))
        if json.loads(ck["config_key"]) != json.loads(json.dumps(self.config_key())):
            raise ValueError(f"{self.checkpoint_path} was written with another config; use another out_dir "
                             "or resume=False (--no-resume)")
        net.load_state_dict(ck["net"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        self.start_epoch = int(ck["epoch"])
        return json.loads(ck["history"])

    def _save_checkpoint(self, net, opt, sched, epoch: int, history: dict) -> None:
        save_torch_file(self.checkpoint_path, {
            "net": net.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "epoch": epoch,
            "history": json.dumps(history), "config_key": json.dumps(self.config_key())})

    def run(self) -> "Trainer":
        """Train up to ``epochs`` epochs (resuming if possible), then save the model and the history."""
        torch = _torch()
        threads = torch.get_num_threads()
        if self.num_threads:
            torch.set_num_threads(int(self.num_threads))
        try:
            self._run(torch)
        finally:
            torch.set_num_threads(threads)
        return self

    def _run(self, torch) -> None:
        cpu_start = time.process_time()
        self.stopped_early = False
        self.out_dir.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(self.seed)
        net, train, val = self.setup()
        opt, sched = self._optimizer(net)
        history: dict = {"epoch": [], "lr": []}
        self.start_epoch = 0
        if self.resume and self.checkpoint_path.exists():
            history = self._resume(net, opt, sched)

        from tqdm.auto import tqdm

        bar = tqdm(range(self.start_epoch, self.epochs), initial=self.start_epoch, total=self.epochs,
                   disable=not self.progress, desc=self.desc, unit="epoch")
        for epoch in bar:
            net.train()
            lr = opt.param_groups[0]["lr"]
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            acc: dict = {}
            total = 0
            for batch in self.batches(train, gen):
                loss, metrics = self.loss(net, batch)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                w = self.batch_size_of(batch)
                for k, v in {"loss": loss.item(), **metrics}.items():
                    acc[k] = acc.get(k, 0.0) + float(v) * w
                total += w
            net.eval()
            row = {f"train_{k}": v / max(total, 1) for k, v in acc.items()}
            for name, data in val.items():
                row.update({f"val_{name}_{k}" if name else f"val_{k}": v
                            for k, v in self._mean_metrics(net, data).items()})
            if self.schedule == "exponential":
                sched.step()
            else:
                first = next(iter(val))
                sched.step(row[f"val_{first}_loss" if first else "val_loss"])
            history["epoch"].append(epoch + 1)
            history["lr"].append(lr)
            for k, v in row.items():
                history.setdefault(k, []).append(float(v))
            bar.set_postfix(loss=f"{row['train_loss']:.3e}")
            self._save_checkpoint(net, opt, sched, epoch + 1, history)
            if (self.max_cpu_seconds is not None and epoch + 1 < self.epochs
                    and time.process_time() - cpu_start >= self.max_cpu_seconds):
                self.stopped_early = True
                break
        bar.close()
        net.eval()
        self._net, self._history = net, history
        self._model_path = self.save_model(net, history)
        (self.out_dir / "history.json").write_text(json.dumps(history, indent=1))
        if history["epoch"]:
            fig = plot_history(history)
            fig.savefig(self.out_dir / "loss.png", dpi=120)


def plot_history(history: dict, ax=None, keys: Iterable[str] | None = None):
    """Loss curves of a training history on a log scale; returns the Figure.

    Parameters
    ----------
    history : dict
        ``epoch`` plus per-epoch lists ``train_*`` and ``val_*`` (as :attr:`Trainer.history`).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    keys : iterable of str, optional
        Metric suffixes to draw (default: every ``train_*`` metric).
    """
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.5, 3.8))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ep = history["epoch"]
    metrics = list(keys) if keys is not None else [k[6:] for k in history if k.startswith("train_")]
    styles = ["-", "--", ":", "-."]
    for i, m in enumerate(metrics):
        style = styles[i % len(styles)]
        ax.plot(ep, history[f"train_{m}"], style, color="C0", label=f"train {m}")
        vals = [k for k in history if k.startswith("val_") and k.endswith(f"_{m}") or k == f"val_{m}"]
        for j, k in enumerate(sorted(vals)):
            ax.plot(ep, history[k], style, color=f"C{j + 1}", label=k.replace("_", " "))
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    return fig


__all__ = ["Trainer", "plot_history"]
