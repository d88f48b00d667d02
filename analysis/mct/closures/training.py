"""Training of learned closures through the shared :class:`slowdyn.common.training.Trainer`
(Granz 2026, §4.5.1): configuration, data preparation and the loss.

A configuration is a YAML mapping (see ``configs/hard_disks_mct.yaml``)::

    name: hard_disks_mct
    data:
      source: hard_disk_mct          # or: file (train/val .npz written by ClosureData.save)
      q: [2, 3, 4, 5, 6, 7, 8, 9, 10]
      grid: {dq: 0.5, offset: 1.0, n_q: 60, h: 1.0e-7, blocksize: 128, blocks: 44}
      train_packings: [...]          # or {start, stop, step} ranges, a list of them
      val_packings: [...]
      stride: 2                      # every 2nd stored time point
    network: {hidden: [32, 16, 32]}
    training: {epochs: 200, lr: 3.0e-3, weight_decay: 1.0e-5, batch_size: 512,
               lr_decay: 0.5, patience: 5, min_lr: 1.0e-5, seed: 0, log_weight: 0.1}

Closures of simulation kernels (§4.5.3) read the files of ``slowdyn kernels``
(see ``configs/hard_disks_kernels_mct.yaml``)::

    data:
      source: kernel_files
      root: /path/to/kernels          # base of relative paths (default: the config's folder)
      states:                         # per state: the --out folder of slowdyn kernels compute
        - {phi: 0.70, folder: phi0.70}  # (FOLDER/kernels.txt + FOLDER/sisf.txt), or kernels: FILE and
                                        # sisf: FILE (e.g. the fix sisf/msd file)
      val_phis: [0.70]                # states held out for validation
      phi_max: 0.76                   # states above it are excluded (m0 scaling breaks, §4.5.3)
      sisf_column: data               # or reconstructed (the MZ solution with the kernel)

The loss is the mean squared error of the kernel divided by its per-q
scale, plus ``log_weight`` times the mean squared error of
``log(m / s_q + 1e-3)`` (the thesis notes that kernels below ~1e-3 of their
initial value are learned poorly; the log term weights them more).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..hard_disks import HardDiskGrid
from .data import THESIS_Q, ClosureData, generate_hard_disk_data, kernel_file_data
from .network import HIDDEN, build_network

_TOP = {"name", "data", "network", "training"}
_DATA = {"source", "q", "grid", "train_packings", "val_packings", "stride", "train_file", "val_file", "root",
         "states", "val_phis", "phi_max", "sisf_column"}
_SOURCES = ("hard_disk_mct", "file", "kernel_files")
_NET = {"hidden"}
_TRAIN = {"epochs", "lr", "weight_decay", "batch_size", "lr_decay", "patience", "min_lr", "seed",
          "log_weight", "num_threads"}
_TRAIN_DEFAULTS = {"epochs": 200, "lr": 3e-3, "weight_decay": 1e-5, "batch_size": 512, "lr_decay": 0.5,
                   "patience": 5, "min_lr": 1e-5, "seed": 0, "log_weight": 0.1, "num_threads": 1}
LOG_EPS = 1e-3


def _unknown(section: str, given: dict, allowed: set) -> None:
    bad = sorted(set(given) - allowed)
    if bad:
        raise ValueError(f"closure config: unknown key(s) {bad} in {section}; allowed: {sorted(allowed)}")


def _packings(spec, what: str) -> list[float]:
    """A list of packing fractions from numbers and ``{start, stop, step}`` ranges (stop included)."""
    if spec is None:
        raise ValueError(f"closure config: data.{what} is missing")
    items = spec if isinstance(spec, list) else [spec]
    out: list[float] = []
    for it in items:
        if isinstance(it, list):
            out += _packings(it, what)
        elif isinstance(it, dict):
            _unknown(f"a range of data.{what}", it, {"start", "stop", "step"})
            try:
                a, b, h = float(it["start"]), float(it["stop"]), float(it["step"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"closure config: a range in data.{what} needs numeric start, stop, step") from exc
            if not (h > 0 and b >= a):
                raise ValueError(f"closure config: range {it} in data.{what} needs step > 0 and stop >= start")
            out += [round(a + k * h, 10) for k in range(int(np.floor((b - a) / h + 1e-9)) + 1)]
        elif isinstance(it, (int, float)) and not isinstance(it, bool):
            out.append(float(it))
        else:
            raise ValueError(f"closure config: data.{what} entries must be numbers, lists or {{start, stop, step}}, "
                             f"got {it!r}")
    if not out or any(not 0.0 < p < 0.9 for p in out):
        raise ValueError(f"closure config: data.{what} must hold packing fractions in (0, 0.9), got {out}")
    return out


def _kernel_file_states(data: dict, base_dir) -> dict:
    """The ``kernel_files`` part of ``data``: absolute file paths per state, validation states, phi_max."""
    root = Path(base_dir or ".") / str(data.get("root") or "")  # an absolute root wins
    states = data.get("states")
    if not isinstance(states, list) or not states:
        raise ValueError("closure config: data.source 'kernel_files' needs data.states, a list of "
                         "{phi, folder} or {phi, kernels, sisf}")
    out = []
    for st in states:
        if not isinstance(st, dict):
            raise ValueError(f"closure config: every entry of data.states must be a mapping, got {st!r}")
        _unknown("an entry of data.states", st, {"phi", "folder", "kernels", "sisf"})
        try:
            phi = float(st["phi"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"closure config: data.states entry {st} needs a numeric phi") from exc
        if sum(k in st for k in ("folder", "kernels")) > 1:
            raise ValueError(f"closure config: data.states entry {st}: give one of folder and kernels")
        if "folder" in st:
            kern, sisf = Path(st["folder"]) / "kernels.txt", st.get("sisf", Path(st["folder"]) / "sisf.txt")
        elif "kernels" in st and "sisf" in st:
            kern, sisf = st["kernels"], st["sisf"]
        else:
            raise ValueError(f"closure config: data.states entry {st} needs folder (or kernels and sisf)")
        out.append({"phi": phi, "kernels": str(root / kern), "sisf": str(root / sisf)})
    phis = [st["phi"] for st in out]
    if len(set(phis)) != len(phis) or any(not 0.0 < p < 0.9 for p in phis):
        raise ValueError(f"closure config: data.states needs distinct packing fractions in (0, 0.9), got {phis}")
    phi_max = data.get("phi_max")
    if phi_max is not None:
        try:
            phi_max = float(phi_max)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"closure config: data.phi_max must be a number, got {phi_max!r}") from exc
    val = data.get("val_phis")
    if not isinstance(val, list) or not val:
        raise ValueError("closure config: data.val_phis must list the packing fractions held out for validation")
    val = [float(v) for v in val]
    missing = [v for v in val if not any(np.isclose(v, p) for p in phis)]
    if missing:
        raise ValueError(f"closure config: data.val_phis {missing} are not among data.states {phis}")
    if phi_max is not None and any(v > phi_max for v in val):
        raise ValueError(f"closure config: data.val_phis {val} include a state above phi_max = {phi_max}")
    used = [p for p in phis if phi_max is None or p <= phi_max]
    if not [p for p in used if not any(np.isclose(p, v) for v in val)]:
        raise ValueError(f"closure config: no training state left (states {phis}, phi_max {phi_max}, "
                         f"val_phis {val})")
    column = data.get("sisf_column", "data")
    if column not in ("data", "reconstructed"):
        raise ValueError(f"closure config: data.sisf_column must be 'data' or 'reconstructed', got {column!r}")
    return {"states": out, "val_phis": val, "phi_max": phi_max, "sisf_column": column}


def validate_config(cfg: Any, base_dir: str | os.PathLike | None = None) -> dict:
    """Check a closure configuration and fill in defaults; clear errors for malformed input.

    ``base_dir``: folder that relative paths of ``kernel_files`` states refer
    to when the config sets no ``data.root`` (:func:`load_config` passes the
    config file's folder).
    """
    if not isinstance(cfg, dict):
        raise ValueError(f"closure config must be a mapping, got {type(cfg).__name__}")
    _unknown("the top level", cfg, _TOP)
    data = dict(cfg.get("data") or {})
    net = dict(cfg.get("network") or {})
    train = dict(cfg.get("training") or {})
    _unknown("data", data, _DATA)
    _unknown("network", net, _NET)
    _unknown("training", train, _TRAIN)
    source = data.get("source", "hard_disk_mct")
    if source not in _SOURCES:
        raise ValueError(f"closure config: data.source must be one of {', '.join(_SOURCES)}, got {source!r}")
    q = data.get("q", list(THESIS_Q))
    if not isinstance(q, list) or not q or not all(isinstance(x, (int, float)) and x > 0 for x in q):
        raise ValueError(f"closure config: data.q must be a non-empty list of positive wave numbers, got {q!r}")
    out_data: dict = {"source": source, "q": [float(x) for x in q], "stride": int(data.get("stride", 1))}
    if out_data["stride"] < 1:
        raise ValueError(f"closure config: data.stride must be >= 1, got {data.get('stride')}")
    if source == "hard_disk_mct":
        grid = data.get("grid") or {}
        if not isinstance(grid, dict):
            raise ValueError("closure config: data.grid must be a mapping of HardDiskGrid fields")
        _unknown("data.grid", grid, {"dq", "offset", "n_q", "h", "blocksize", "blocks"})
        try:
            g = HardDiskGrid(**{k: (int(v) if k in ("n_q", "blocksize", "blocks") else float(v))
                                for k, v in grid.items()})
        except (TypeError, ValueError) as exc:
            raise ValueError(f"closure config: data.grid: {exc}") from exc
        g.indices(out_data["q"])  # every network q must be on the MCT grid
        out_data["grid"] = {k: getattr(g, k) for k in ("dq", "offset", "n_q", "h", "blocksize", "blocks")}
        out_data["train_packings"] = _packings(data.get("train_packings"), "train_packings")
        out_data["val_packings"] = _packings(data.get("val_packings"), "val_packings")
    elif source == "kernel_files":
        out_data.update(_kernel_file_states(data, base_dir))
    else:
        for k in ("train_file", "val_file"):
            if not data.get(k):
                raise ValueError(f"closure config: data.source 'file' needs data.{k}")
            out_data[k] = str(data[k])
    hidden = net.get("hidden", list(HIDDEN))
    if not isinstance(hidden, list) or not hidden or not all(isinstance(h, int) and h > 0 for h in hidden):
        raise ValueError(f"closure config: network.hidden must be a list of positive integers, got {hidden!r}")
    t = {**_TRAIN_DEFAULTS, **train}
    for k in ("epochs", "batch_size", "patience", "seed", "num_threads"):
        if not isinstance(t[k], int) or isinstance(t[k], bool):
            raise ValueError(f"closure config: training.{k} must be an integer, got {t[k]!r}")
    for k in ("lr", "weight_decay", "lr_decay", "min_lr", "log_weight"):
        try:
            t[k] = float(t[k])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"closure config: training.{k} must be a number, got {t[k]!r}") from exc
    if t["epochs"] < 0 or t["batch_size"] < 1 or t["lr"] <= 0 or not 0 < t["lr_decay"] <= 1:
        raise ValueError("closure config: training needs epochs >= 0, batch_size >= 1, lr > 0, 0 < lr_decay <= 1")
    return {"name": str(cfg.get("name", "closure")), "data": out_data, "network": {"hidden": hidden},
            "training": t}


def load_config(path: str | os.PathLike, root: str | os.PathLike | None = None) -> dict:
    """Read and validate a YAML closure configuration.

    ``root`` replaces ``data.root`` (the folder of the kernel files of a
    ``kernel_files`` config; relative paths in the file refer to the
    config's folder).
    """
    from slowdyn.common.config import read_yaml

    path = Path(path)
    cfg = read_yaml(path, "closure config", "nnlt")
    if root is not None:
        if not isinstance(cfg, dict) or (cfg.get("data") or {}).get("source") != "kernel_files":
            raise ValueError(f"--root applies to data.source kernel_files configs only ({path} is not one)")
        cfg["data"]["root"] = str(Path(root).resolve())
    return validate_config(cfg, path.parent)


def prepare_data(cfg: dict, out_dir: str | os.PathLike | None = None,
                 progress: bool = False) -> tuple[ClosureData, ClosureData]:
    """Training and validation samples of a validated config (cached as npz in ``out_dir``)."""
    d = cfg["data"]
    if d["source"] == "file":
        train, val = ClosureData.load(d["train_file"]), ClosureData.load(d["val_file"])
    elif d["source"] == "kernel_files":
        is_val = [any(np.isclose(st["phi"], v) for v in d["val_phis"]) for st in d["states"]]
        train = kernel_file_data([st for st, v in zip(d["states"], is_val) if not v], d["q"], d["phi_max"],
                                 d["sisf_column"])
        val = kernel_file_data([st for st, v in zip(d["states"], is_val) if v], d["q"], d["phi_max"],
                               d["sisf_column"])
    else:
        grid = HardDiskGrid(**d["grid"])
        cache = Path(out_dir) if out_dir is not None else None
        out = []
        for part in ("train", "val"):
            f = cache / f"{part}_data.npz" if cache is not None else None
            want = {"grid": d["grid"], "packings": d[f"{part}_packings"], "q": d["q"]}
            if f is not None and f.exists():
                data = ClosureData.load(f)
                if {k: data.meta.get(k) for k in want} == json.loads(json.dumps(want)):
                    out.append(data)
                    continue
            data = generate_hard_disk_data(d[f"{part}_packings"], d["q"], grid, stride=1, progress=progress)
            data.meta["q"] = d["q"]
            if f is not None:
                data.save(f)
            out.append(data)
        train, val = out
    for name, data in (("training", train), ("validation", val)):
        if not np.allclose(data.q, d["q"]):
            raise ValueError(f"closure {name} data has q = {[float(x) for x in data.q]}, the config asks for "
                             f"{d['q']}")
    s = d["stride"]
    keep = np.zeros(len(train), dtype=bool)
    keep[::s] = True
    return train.select(keep), val


def _trainer_base():
    from slowdyn.common.training import Trainer

    return Trainer


def ClosureTrainer(cfg: dict, out_dir: str | os.PathLike, *, train: ClosureData | None = None,
                   val: ClosureData | None = None, resume: bool = True, progress: bool = True):
    """A :class:`slowdyn.common.training.Trainer` for a closure network (built lazily; call ``.run()``).

    Parameters
    ----------
    cfg : dict
        Validated configuration (:func:`validate_config`).
    out_dir : path
        Checkpoint, history, loss PNG, data cache and ``closure.pt``.
    train, val : ClosureData, optional
        Samples (default: :func:`prepare_data`).
    """
    Trainer = _trainer_base()

    class _ClosureTrainer(Trainer):
        def __init__(self):
            t = cfg["training"]
            super().__init__(out_dir, epochs=t["epochs"], lr=t["lr"], weight_decay=t["weight_decay"],
                             batch_size=t["batch_size"], seed=t["seed"], schedule="plateau",
                             lr_decay=t["lr_decay"], patience=t["patience"], min_lr=t["min_lr"],
                             num_threads=t["num_threads"], resume=resume, progress=progress,
                             desc=f"closure {cfg['name']}")
            self.cfg = cfg
            self._train, self._val = train, val

        def config_key(self) -> dict:
            return {"network": self.cfg["network"], "data": self.cfg["data"],
                    "training": {k: v for k, v in self.cfg["training"].items() if k not in ("epochs", "num_threads")}}

        def setup(self):
            import torch

            if self._train is None or self._val is None:
                self._train, self._val = prepare_data(self.cfg, self.out_dir, progress=self.progress)
            tr, va = self._train, self._val
            x = tr.inputs()
            shift, scale = x.mean(axis=0), x.std(axis=0)
            scale[scale <= 0] = 1.0
            out_scale = np.maximum(tr.kernel.mean(axis=0), 1e-12)
            net = build_network(len(tr.q), self.cfg["network"]["hidden"], shift, scale, out_scale, tr.n_state)
            self.n_state = tr.n_state

            def tensors(d: ClosureData):
                return (torch.as_tensor(d.inputs(), dtype=torch.get_default_dtype()),
                        torch.as_tensor(d.kernel / out_scale, dtype=torch.get_default_dtype()))

            return net, tensors(tr), {"val": tensors(va)}

        def loss(self, net, batch):
            import torch

            x, y = batch
            pred = net.forward_scaled(x)
            mse = torch.mean((pred - y) ** 2)
            lw = self.cfg["training"]["log_weight"]
            logmse = torch.mean((torch.log(pred + LOG_EPS) - torch.log(torch.clamp(y, min=0.0) + LOG_EPS)) ** 2)
            return mse + lw * logmse, {"mse": mse.item(), "logmse": logmse.item()}

        def save_model(self, net, history) -> Path:
            path = self.out_dir / "closure.pt"
            save_closure(net, path, q=self._train.q, config=self.cfg,
                         state_names=self._train.meta.get("state_names", ["phi"]))
            return path

    return _ClosureTrainer()


def save_closure(net, path: str | os.PathLike, *, q, config: dict | None = None,
                 state_names=("phi",)) -> Path:
    """Write a trained closure: weights, normalisation, q grid, state names and config."""
    from slowdyn.common.training import save_torch_file

    return save_torch_file(path, {"state_dict": net.state_dict(), "n_q": net.n_q, "hidden": list(net.hidden),
                                  "q": [float(x) for x in q], "state_names": list(state_names),
                                  "config": json.dumps(config or {})})


def load_closure(path: str | os.PathLike):
    """``(net, info)`` from :func:`save_closure`; ``info`` holds ``q``, ``state_names``, ``config``."""
    from slowdyn.common.training import load_torch_file

    ck = load_torch_file(Path(path), "slowdyn learned closure",
                         ("state_names", "n_q", "hidden", "state_dict", "q", "config"))
    try:
        n_state = len(ck["state_names"])
        net = build_network(ck["n_q"], ck["hidden"], np.zeros(ck["n_q"] + n_state), np.ones(ck["n_q"] + n_state),
                            np.ones(ck["n_q"]), n_state)
        net.load_state_dict(ck["state_dict"])
        info = {"q": np.asarray(ck["q"]), "state_names": ck["state_names"], "config": json.loads(ck["config"])}
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(f"{path}: a damaged learned-closure file (its sizes and weights do not fit together: "
                         f"{type(exc).__name__} {' '.join(str(exc).split())[:160]}...)") from exc
    net.eval()
    return net, info
