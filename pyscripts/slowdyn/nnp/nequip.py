"""NequIP route: E(3)-equivariant graph networks (Batzner et al., Nat. Commun. 2022)
trained with ``nequip-train`` (nequip 0.19, PyTorch Lightning + Hydra) on the
extxyz files of a slowdyn data set, then compiled with ``nequip-compile
--mode aotinductor --target pair_nequip`` to a ``.nequip.pt2`` package.

LAMMPS runs that package with slowdyn's ``pair_style nequip`` (one MPI rank),
compiled after installation by ``slowdyn nnp build-plugin`` (doc/pair_nequip.rst,
slowdyn.nnp.nequip_plugin).  In Python the trained model is evaluated through
nequip's ASE calculator.

The training config (YAML, ``slowdyn nnp train --backend nequip CONFIG``)::

    dataset: voronoi_small      # folder written by `slowdyn nnp data`
    r_max: 3.0                  # Granz 2026, Table 3.7: 2.5 / 3.0 / 3.5
    l_max: 1                    # 0 / 1 / 2
    num_layers: 5               # interaction blocks
    num_features: 32
    num_bessels: 8
    max_epochs: 100
    max_cpu_minutes: 30         # optional CPU-time budget of nequip-train (then validate, checkpoint, stop)
    loss_coeffs: {total_energy: 1.0, forces: 10.0}   # W_E = 1, W_F = 10
    nequip: {...}               # optional: deep-merged into the generated Hydra config
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ._util import deep_merge

CONFIG_DIR = Path(__file__).resolve().parent / "configs"

DEFAULTS: dict[str, Any] = {
    "r_max": 3.0,
    "l_max": 1,
    "num_layers": 5,
    "num_features": 32,
    "num_bessels": 8,
    "parity": True,
    "radial_mlp_depth": 2,
    "radial_mlp_width": 64,
    "model_dtype": "float32",
    "max_epochs": 100,
    "batch_size": 4,
    "lr": 0.005,
    "loss_coeffs": {"total_energy": 1.0, "forces": 10.0},
    "seed": 1,
    "compile": True,
    "max_cpu_minutes": None,
}


def _script(name: str) -> str:
    exe = Path(sys.executable).parent / name
    path = str(exe) if exe.exists() else shutil.which(name)
    if path is None:
        raise ImportError(f"the NequIP route needs {name}: pip install 'slowdyn[nequip]'")
    return path


def available() -> tuple[bool, str]:
    """Whether nequip is installed here, and why not."""
    import importlib.util  # noqa: PLC0415

    if importlib.util.find_spec("nequip") is None:
        return False, "nequip is not installed (pip install 'slowdyn[nequip]')"
    return True, ""


def hydra_config(config: dict, dataset: str | Path) -> dict:
    """Nequip's Hydra training config for a slowdyn data set (stand-in symbols H, He, ...
    mapped to the data set's type names).
    """
    from slowdyn.nnp.data import load_dataset_meta  # noqa: PLC0415

    dataset = Path(dataset).resolve()
    meta = load_dataset_meta(dataset)
    c = {**DEFAULTS, **{k: v for k, v in config.items() if k in DEFAULTS}}
    if float(c["r_max"]) <= 0:
        raise ValueError(f"r_max must be > 0, got {c['r_max']}")
    if int(c["l_max"]) < 0:
        raise ValueError(f"l_max must be >= 0, got {c['l_max']}")
    names = list(meta["type_names"])
    symbols = list(meta["symbols"])
    files = {}
    for split in ("train", "valid", "test"):
        p = dataset / f"{split}.extxyz"
        files[split] = [str(p)] if p.exists() and p.stat().st_size > 0 else []
    if not files["train"]:
        raise FileNotFoundError(f"{dataset}/train.extxyz is missing or empty: run `slowdyn nnp data` first")
    if not files["valid"]:
        raise FileNotFoundError(f"{dataset}/valid.extxyz is empty: nequip needs validation frames "
                                "(split.valid > 0 in the data-set config)")
    budget = c["max_cpu_minutes"]
    if budget is not None and not float(budget) > 0:
        raise ValueError(f"max_cpu_minutes must be > 0 (or absent for no budget), got {budget}")
    loader = {"_target_": "torch.utils.data.DataLoader", "batch_size": int(c["batch_size"])}
    monitored = "val0_epoch/weighted_sum"
    cfg = {
        "run": ["train", "test"] if files["test"] else ["train"],
        "data": {
            "_target_": "nequip.data.datamodule.ASEDataModule",
            "seed": int(c["seed"]),
            "train_file_path": files["train"],
            "val_file_path": files["valid"],
            "test_file_path": files["test"],
            "transforms": [
                {"_target_": "nequip.data.transforms.ChemicalSpeciesToAtomTypeMapper",
                 "model_type_names": names,
                 "chemical_species_to_atom_type_map": dict(zip(symbols, names))},
                {"_target_": "nequip.data.transforms.NeighborListTransform", "r_max": float(c["r_max"])},
            ],
            "train_dataloader": {**loader, "shuffle": True},
            "val_dataloader": loader,
            "test_dataloader": loader,
            "stats_manager": {"_target_": "nequip.data.CommonDataStatisticsManager",
                              "dataloader_kwargs": {"batch_size": int(c["batch_size"])},
                              "type_names": names},
        },
        "trainer": {
            "_target_": "lightning.Trainer",
            "accelerator": "auto",
            "max_epochs": int(c["max_epochs"]),
            "check_val_every_n_epoch": 1,
            "log_every_n_steps": 1,
            "enable_progress_bar": bool(config.get("progress", True)),
            "logger": {"_target_": "lightning.pytorch.loggers.CSVLogger",
                       "save_dir": "${hydra:runtime.output_dir}", "name": "log"},
            "callbacks": [{"_target_": "lightning.pytorch.callbacks.ModelCheckpoint",
                           "monitor": monitored, "dirpath": "${hydra:runtime.output_dir}",
                           "filename": "best", "save_last": True}],
        },
        "training_module": {
            "_target_": "nequip.train.NequIPLightningModule",
            "loss": {"_target_": "nequip.train.EnergyForceLoss", "per_atom_energy": True,
                     "coeffs": dict(c["loss_coeffs"])},
            "val_metrics": {"_target_": "nequip.train.EnergyForceMetrics",
                            "coeffs": {"per_atom_energy_rmse": 1.0, "forces_rmse": 1.0}},
            "test_metrics": "${training_module.val_metrics}",
            "optimizer": {"_target_": "torch.optim.Adam", "lr": float(c["lr"])},
            "model": {
                "_target_": "nequip.model.NequIPGNNModel",
                "seed": int(c["seed"]),
                "model_dtype": c["model_dtype"],
                "type_names": names,
                "r_max": float(c["r_max"]),
                "num_bessels": int(c["num_bessels"]),
                "num_layers": int(c["num_layers"]),
                "l_max": int(c["l_max"]),
                "parity": bool(c["parity"]),
                "num_features": int(c["num_features"]),
                "radial_mlp_depth": int(c["radial_mlp_depth"]),
                "radial_mlp_width": int(c["radial_mlp_width"]),
                "avg_num_neighbors": "${training_data_stats:num_neighbors_mean}",
                "per_type_energy_scales": "${training_data_stats:per_type_forces_rms}",
                "per_type_energy_shifts": "${training_data_stats:per_atom_energy_mean}",
                "per_type_energy_scales_trainable": False,
                "per_type_energy_shifts_trainable": False,
            },
        },
        "global_options": {"allow_tf32": False},
    }
    if budget is not None:
        cfg["trainer"]["callbacks"].append({"_target_": "slowdyn.nnp.nequip.cpu_time_budget",
                                            "seconds": 60.0 * float(budget)})
    return deep_merge(cfg, config.get("nequip", {}) or {})


def cpu_time_budget(seconds: float):
    """A Lightning callback that stops ``nequip-train`` once its process has used ``seconds``
    of CPU time (``time.process_time``: all threads, start-up included).

    It sets ``trainer.should_stop`` after a training batch; Lightning then validates
    (so ``best.ckpt`` is written) and ends the fit, as its own ``Timer`` does for wall time.
    """
    import logging  # noqa: PLC0415
    import time  # noqa: PLC0415

    from lightning.pytorch.callbacks import Callback  # noqa: PLC0415

    if not float(seconds) > 0:
        raise ValueError(f"the CPU-time budget must be > 0 s, got {seconds}")

    class CPUTimeBudget(Callback):
        def __init__(self) -> None:
            self.seconds = float(seconds)
            self.stopped_at: int | None = None

        def on_train_batch_end(self, trainer, *args, **kwargs) -> None:
            if time.process_time() >= self.seconds and not trainer.should_stop:
                trainer.should_stop = True
                self.stopped_at = int(trainer.global_step)
                logging.getLogger("slowdyn").warning(
                    "CPU-time budget of %.0f s spent at step %d (epoch %d): validating and stopping",
                    self.seconds, trainer.global_step, trainer.current_epoch)

    return CPUTimeBudget()


def load_config(config: str | Path | dict) -> dict:
    """The nequip training config (YAML path, name of a shipped config, or dict), read and
    checked by :func:`slowdyn.nnp.config.load_training_config`: ``dataset`` (absolute) and the
    keys of :data:`DEFAULTS`, ``nequip`` (merged into the Hydra config) and ``progress``.
    """
    from slowdyn.nnp.config import load_training_config  # noqa: PLC0415

    return load_training_config(config, "nequip", set(DEFAULTS) | {"nequip", "progress"}, shipped=CONFIG_DIR)


def train(config: str | Path | dict, out_dir: str | Path | None = None, resume: bool = True,
          progress: bool = True) -> Path:
    """``nequip-train`` then ``nequip-compile --mode aotinductor --target pair_nequip``.

    Returns the compiled ``model.nequip.pt2`` (or ``best.ckpt`` with ``compile: false``).
    ``resume``: continue from ``last.ckpt`` in ``out_dir`` (``++ckpt_path``).
    """
    import yaml  # noqa: PLC0415 - writes the Hydra config

    cfg = load_config(config)
    dataset = Path(cfg["dataset"])
    cfg["progress"] = progress
    out = Path(out_dir or cfg.get("out_dir") or
               f"nequip_{dataset.name}_l{cfg.get('l_max', DEFAULTS['l_max'])}_rc{cfg.get('r_max', DEFAULTS['r_max'])}")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "nequip.yaml", "w") as fh:
        yaml.safe_dump(hydra_config(cfg, dataset), fh, sort_keys=False)
    cmd = [_script("nequip-train"), "-cp", str(out), "-cn", "nequip", f"hydra.run.dir={out}"]
    if resume and (out / "last.ckpt").exists():
        cmd.append(f"++ckpt_path={out / 'last.ckpt'}")
    env = {**os.environ}
    with open(out / "train.log", "w") as log:
        rc = subprocess.run(cmd, cwd=out, stdout=None if progress else log, stderr=subprocess.STDOUT
                            if not progress else None, env=env).returncode
    ckpt = out / "best.ckpt"
    if rc != 0 or not ckpt.exists():
        raise RuntimeError(f"nequip-train failed (exit {rc}); see {out / 'train.log'}")
    if not cfg.get("compile", DEFAULTS["compile"]):
        return ckpt
    target = out / "model.nequip.pt2"
    with open(out / "compile.log", "w") as log:
        rc = subprocess.run([_script("nequip-compile"), str(ckpt), str(target), "--mode", "aotinductor",
                             "--device", "cpu", "--target", "pair_nequip"], cwd=out, stdout=log,
                            stderr=subprocess.STDOUT, env=env).returncode
    if rc != 0 or not target.exists():
        raise RuntimeError(f"nequip-compile failed (exit {rc}); see {out / 'compile.log'}")
    return target
