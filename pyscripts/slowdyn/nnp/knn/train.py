"""Training of the kNN Deep Potential on a slowdyn NNP data set.

Data set: a folder with ``train.extxyz``, ``valid.extxyz``, ``test.extxyz``
(ASE extended XYZ: energy, forces, ``atoms.arrays['type']`` = LAMMPS types
1..ntypes, ``atoms.info['virial']``) and ``dataset.yaml`` with
``type_names``, as written by ``slowdyn nnp data``.

Loss (Granz 2026, sec. 3.3.2, as DeePMD): per batch of frames

    L = p_E <((E - E_ref) / N)^2>_frames + W_F <(F - F_ref)^2>_components,

W_F = 10 by default, AdamW with an exponentially decaying learning rate
(:class:`slowdyn.common.training.Trainer`).  Reported errors (Table 3.6 columns):
E_RMSE_per_atom, F_RMSE (per component) and F_RMSE/F_mean, with F_mean the
mean reference force magnitude |F| of the set.

    from slowdyn.nnp.knn.train import train
    model_file = train("configs/tiny.yaml", out_dir="runs/knn")
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

CONFIG_DIR = Path(__file__).resolve().parent / "configs"

DEFAULTS: dict[str, Any] = {
    "dataset": None,
    "out_dir": None,
    "model": {"k": 128, "rmax": 3.6, "weighting": "r", "embedding": [40, 40, 40],
              "axis_neurons": 16, "fitting": [25, 50, 100], "dtype": "float64"},
    "train": {"epochs": 100, "lr": 1.0e-3, "lr_decay": 0.95, "weight_decay": 0.0,
              "batch_size": 4, "energy_weight": 1.0, "force_weight": 10.0, "seed": 0,
              "num_threads": None, "max_frames": None, "max_cpu_minutes": None},
}


def load_config(config: str | os.PathLike | Mapping) -> dict:
    """A training config (YAML path, name of a shipped config, or dict) merged over :data:`DEFAULTS`.

    Read and checked by :func:`slowdyn.nnp.config.load_training_config` (``dataset``: the
    data-set folder, relative to the YAML file or the current folder).
    """
    from slowdyn.nnp.config import load_training_config  # noqa: PLC0415

    user = load_training_config(config, "knn", ("model", "train"), shipped=CONFIG_DIR)
    cfg = {"dataset": user["dataset"], "out_dir": user.get("out_dir")}
    for sec in ("model", "train"):
        sub = dict(user.get(sec) or {})
        bad = set(sub) - set(DEFAULTS[sec])
        if bad:
            raise ValueError(f"unknown keys {sorted(bad)} in '{sec}'; known: {sorted(DEFAULTS[sec])}")
        cfg[sec] = {**DEFAULTS[sec], **sub}
    return cfg


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
def read_split(folder: str | os.PathLike, split: str, max_frames: int | None = None) -> list[dict]:
    """Frames of ``folder/split.extxyz`` as dicts of numpy arrays (types 0-based)."""
    import ase.io  # noqa: PLC0415

    path = Path(folder) / f"{split}.extxyz"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: a data set folder holds train/valid/test.extxyz")
    frames = []
    for atoms in ase.io.read(str(path), index=":" if max_frames is None else f":{int(max_frames)}",
                             format="extxyz"):
        if "type" not in atoms.arrays:
            raise ValueError(f"{path}: atoms.arrays['type'] (LAMMPS types) missing")
        frames.append({"positions": atoms.get_positions(), "cell": np.asarray(atoms.get_cell()),
                       "types": np.asarray(atoms.arrays["type"], dtype=np.int64) - 1,
                       "energy": float(atoms.get_potential_energy()), "forces": atoms.get_forces()})
    if not frames:
        raise ValueError(f"{path} holds no frames")
    return frames


def type_names_of(folder: str | os.PathLike) -> list[str]:
    """``type_names`` of a data set's ``dataset.yaml``."""
    from slowdyn.nnp.data import load_dataset_meta  # noqa: PLC0415

    names = load_dataset_meta(folder).get("type_names")
    if not names:
        raise ValueError(f"{folder}/dataset.yaml has no type_names")
    return [str(n) for n in names]


def prepare(frames: list[dict], k: int, rmax: float, dtype) -> list[dict]:
    """Add the k-nearest-neighbour lists (fixed per frame) and convert to tensors."""
    import torch  # noqa: PLC0415

    from .neighbors import knn_list  # noqa: PLC0415

    out = []
    for fr in frames:
        nl = knn_list(fr["positions"], fr["cell"], k, rmax)
        out.append({"positions": torch.as_tensor(fr["positions"], dtype=dtype),
                    "types": torch.as_tensor(fr["types"]),
                    "index": torch.as_tensor(nl.index),
                    "offset": torch.as_tensor(nl.shift.astype(np.float64) @ fr["cell"], dtype=dtype),
                    "distance": nl.distance,
                    "energy": torch.tensor(fr["energy"], dtype=dtype),
                    "forces": torch.as_tensor(fr["forces"], dtype=dtype),
                    "volume": float(abs(np.linalg.det(fr["cell"])))})
    return out


def collate(frames: list[dict]) -> dict:
    """Concatenate frames into one graph (neighbour indices shifted)."""
    import torch  # noqa: PLC0415

    starts = np.cumsum([0] + [len(f["types"]) for f in frames[:-1]])
    return {"positions": torch.cat([f["positions"] for f in frames]),
            "types": torch.cat([f["types"] for f in frames]),
            "index": torch.cat([f["index"] + int(s) for f, s in zip(frames, starts)]),
            "offset": torch.cat([f["offset"] for f in frames]),
            "frame": torch.cat([torch.full((len(f["types"]),), i, dtype=torch.long)
                                for i, f in enumerate(frames)]),
            "natoms": torch.tensor([len(f["types"]) for f in frames]),
            "energy": torch.stack([f["energy"] for f in frames]),
            "forces": torch.cat([f["forces"] for f in frames])}


def statistics(frames: list[dict], ntypes: int, weighting: str) -> dict:
    """Descriptor and energy statistics of the training frames.

    ``avg``, ``std_r``: mean and std of s(r) over the k neighbours of each
    centre type (DeePMD's davg/dstd); ``std_a``: rms of s(r) x / r;
    ``e_shift``: least-squares energy per type (E ~ sum_t n_t e_t);
    ``e_scale``: rms force component times the mean interparticle distance
    (V/N)^(1/3), the energy change of a typical displacement.
    """
    s_by_type: list[list[np.ndarray]] = [[] for _ in range(ntypes)]
    for fr in frames:
        d = fr["distance"]
        s = d if weighting == "r" else 1.0 / d
        t = fr["types"].numpy()
        for ti in range(ntypes):
            if np.any(t == ti):
                s_by_type[ti].append(s[t == ti].ravel())
    allv = np.concatenate([np.concatenate(v) for v in s_by_type if v])
    avg, std_r, std_a = np.zeros(ntypes), np.ones(ntypes), np.ones(ntypes)
    for ti in range(ntypes):
        v = np.concatenate(s_by_type[ti]) if s_by_type[ti] else allv
        avg[ti] = v.mean()
        std_r[ti] = max(v.std(), 1e-2 * abs(v.mean()), 1e-12)
        std_a[ti] = max(np.sqrt(np.mean(v ** 2) / 3.0), 1e-12)   # s x/r has <(s x/r)^2> = <s^2>/3
    counts = np.array([np.bincount(fr["types"].numpy(), minlength=ntypes) for fr in frames], float)
    energies = np.array([float(fr["energy"]) for fr in frames])
    e_shift = np.linalg.lstsq(counts, energies, rcond=None)[0]
    f_rms = np.sqrt(np.mean(np.concatenate([fr["forces"].numpy().ravel() for fr in frames]) ** 2))
    spacing = np.mean([(fr["volume"] / len(fr["types"])) ** (1 / 3) for fr in frames])
    e_scale = float(f_rms * spacing) if f_rms > 0 else 1.0
    return {"avg": avg, "std_r": std_r, "std_a": std_a, "e_shift": e_shift, "e_scale": e_scale}


def predict(model, batch: dict, create_graph: bool = False):
    """Frame energies and forces of a collated batch (forces by autograd)."""
    import torch  # noqa: PLC0415

    with torch.enable_grad():
        pos = batch["positions"].detach().clone().requires_grad_(True)
        e_atom = model.atomic_energies(pos, batch["types"], batch["index"], batch["offset"])
        e = torch.zeros(len(batch["natoms"]), dtype=e_atom.dtype).index_add(0, batch["frame"], e_atom)
        (grad,) = torch.autograd.grad(e.sum(), pos, create_graph=create_graph)
    return e, -grad


def errors(model, frames: list[dict], batch_size: int = 8) -> dict:
    """Test errors (Table 3.6 columns) under the names of
    :func:`slowdyn.nnp.evaluate.energy_force_errors` (``E_RMSE_per_atom``, ``F_RMSE``,
    ``F_mean``, ``F_RMSE/F_mean``, ``E_MAE_per_atom``, ``F_MAE``) and ``frames``.
    """
    from slowdyn.nnp.evaluate import energy_force_errors  # noqa: PLC0415

    de, f_ref, f_pred = [], [], []
    for i in range(0, len(frames), batch_size):
        b = collate(frames[i:i + batch_size])
        e, f = predict(model, b)
        de.append(((e.detach() - b["energy"]) / b["natoms"]).numpy())
        f_ref.append(b["forces"].numpy())
        f_pred.append(f.detach().numpy())
    de = np.concatenate(de)
    return {**energy_force_errors(de, np.concatenate(f_ref), np.concatenate(f_pred)), "frames": len(de)}


# --------------------------------------------------------------------------
# trainer
# --------------------------------------------------------------------------
def _trainer_class():
    from slowdyn.common.training import Trainer  # noqa: PLC0415

    class KNNTrainer(Trainer):
        """kNN Deep Potential on extxyz frames (batches = lists of frames)."""

        def __init__(self, cfg: dict, out_dir: Path, resume: bool, progress: bool):
            t = cfg["train"]
            super().__init__(out_dir, epochs=t["epochs"], lr=t["lr"], weight_decay=t["weight_decay"],
                             batch_size=t["batch_size"], seed=t["seed"], schedule="exponential",
                             lr_decay=t["lr_decay"], num_threads=t["num_threads"], resume=resume,
                             progress=progress, desc="knn",
                             max_cpu_seconds=None if t["max_cpu_minutes"] is None
                             else 60.0 * float(t["max_cpu_minutes"]))
            self.cfg = cfg
            self.test_frames: list[dict] = []
            self.stats: dict = {}

        def config_key(self) -> dict:
            c = json.loads(json.dumps(self.cfg))
            c.pop("out_dir", None)
            c["train"].pop("epochs", None)      # more epochs may be appended on resume
            c["train"].pop("num_threads", None)
            c["train"].pop("max_cpu_minutes", None)  # a resumed run may get another budget
            return c

        def setup(self):
            import torch  # noqa: PLC0415

            from .model import build_model  # noqa: PLC0415

            m, t, data = self.cfg["model"], self.cfg["train"], self.cfg["dataset"]
            names = type_names_of(data)
            net = build_model(names, k=m["k"], rmax=m["rmax"], weighting=m["weighting"],
                              embedding=m["embedding"], axis_neurons=m["axis_neurons"],
                              fitting=m["fitting"], dtype=m["dtype"], seed=t["seed"])
            dtype = next(net.parameters()).dtype
            train = prepare(read_split(data, "train", t["max_frames"]), m["k"], m["rmax"], dtype)
            valid = prepare(read_split(data, "valid"), m["k"], m["rmax"], dtype)
            self.test_frames = prepare(read_split(data, "test"), m["k"], m["rmax"], dtype)
            self.stats = statistics(train, len(names), m["weighting"])
            with torch.no_grad():
                for key in ("avg", "std_r", "std_a", "e_shift"):
                    getattr(net, key).copy_(torch.as_tensor(self.stats[key]))
                net.e_scale.fill_(self.stats["e_scale"])
            return net, train, {"valid": valid}

        def batches(self, data, generator=None) -> Iterator:
            import torch  # noqa: PLC0415

            n = len(data)
            order = (torch.randperm(n, generator=generator) if generator is not None
                     else torch.arange(n)).tolist()
            size = self.batch_size or n
            for i in range(0, n, size):
                yield collate([data[j] for j in order[i:i + size]])

        def batch_size_of(self, batch) -> int:
            return len(batch["natoms"])

        def loss(self, net, batch):
            t = self.cfg["train"]
            e, f = predict(net, batch, create_graph=net.training)
            le = (((e - batch["energy"]) / batch["natoms"]) ** 2).mean()
            lf = ((f - batch["forces"]) ** 2).mean()
            loss = t["energy_weight"] * le + t["force_weight"] * lf
            return loss, {"e_mse_pa": float(le.detach()), "f_mse": float(lf.detach())}

        def save_model(self, net, history) -> Path:
            from .export import write_model  # noqa: PLC0415

            test = errors(net, self.test_frames) if self.test_frames else {}
            self.test_errors = test
            (self.out_dir / "metrics.json").write_text(json.dumps(
                {"test": test, "epochs": history["epoch"][-1] if history["epoch"] else 0,
                 "config": self.cfg}, indent=1))
            if history["epoch"]:
                fig = plot_errors(history)
                fig.savefig(self.out_dir / "learning_curves.png", dpi=120)
            comment = (f"trained on {self.cfg['dataset']} for {history['epoch'][-1] if history['epoch'] else 0} "
                       f"epochs; test: " + ", ".join(f"{k} {v:.6g}" for k, v in test.items()))
            return write_model(net, self.out_dir / "model.knn", comment=comment)

    return KNNTrainer


def plot_errors(history: dict, ax=None):
    """Learning curves: energy RMSE per atom and force RMSE (train solid, valid dashed)."""
    if ax is None:
        from matplotlib.figure import Figure  # noqa: PLC0415

        fig = Figure(figsize=(9, 3.6))
        axes = fig.subplots(1, 2)
    else:
        fig, axes = ax[0].figure, ax
    ep = history["epoch"]
    for a, key, label in ((axes[0], "e_mse_pa", "E RMSE per atom"), (axes[1], "f_mse", "F RMSE")):
        a.plot(ep, np.sqrt(history[f"train_{key}"]), ".-", label="train")
        if f"val_valid_{key}" in history:
            a.plot(ep, np.sqrt(history[f"val_valid_{key}"]), ".--", label="valid")
        a.set_yscale("log")
        a.set_xlabel("epoch")
        a.set_ylabel(label)
        a.legend()
    fig.tight_layout()
    return fig


def train(config: str | os.PathLike | Mapping, out_dir: str | os.PathLike | None = None,
          resume: bool = True, progress: bool = True) -> Path:
    """Train a kNN Deep Potential; returns the exported model file (``out_dir/model.knn``).

    Parameters
    ----------
    config
        YAML path, shipped config name (``thesis``, ``tiny``) or dict; see :data:`DEFAULTS`.
    out_dir
        Output folder (default: the config's ``out_dir``, else ``knn_<config name>``).
        It receives ``checkpoint.pt``, ``history.json``, ``loss.png``,
        ``learning_curves.png``, ``metrics.json`` (test errors) and ``model.knn``.
    resume
        Continue from ``out_dir/checkpoint.pt`` if it exists (same config).
    progress
        tqdm bar over the epochs.
    """
    cfg = load_config(config)
    if out_dir is None:
        out_dir = cfg.get("out_dir") or "knn_model"
    trainer = _trainer_class()(cfg, Path(out_dir), resume, progress)
    trainer.run()
    return trainer.model_path
