"""DeePMD-kit route: se_e2_a Deep Potentials (Zhang et al., PRL 2018; Wang et al.,
Comput. Phys. Commun. 2018) trained with DeePMD-kit's TensorFlow backend on a
slowdyn data set, frozen to ``model.pb`` and run in our LAMMPS with
``pair_style deepmd model.pb`` (DeePMD-kit's own LAMMPS plugin, which the
``deepmd-kit`` wheel registers through the ``lammps.plugins`` entry point).

Why the TensorFlow backend: deepmd-kit 3.2.0's PyTorch backend is compiled
against torch 2.11 and does not import next to our pinned torch 2.13; the
TensorFlow backend (``deepmd-kit[cpu]``, tensorflow-cpu 2.21) does, in the
same environment (doc/nnp.md has the measured facts).

The training config (YAML, ``slowdyn nnp train --backend deepmd CONFIG``)::

    dataset: voronoi_small        # folder written by `slowdyn nnp data`
    rcut: 3.0                     # radial cut-off (Granz 2026, Table 3.5: 2.5 / 3.0 / 3.5)
    numb_steps: 200000
    max_cpu_minutes: 30           # optional CPU-time budget: stop `dp train` then, freeze the last checkpoint
    out_dir: deepmd_rc3.0         # optional (default: deepmd_<dataset>_rc<rcut>)
    input: {...}                  # optional: deep-merged into the generated input.json

Defaults follow Granz 2026, §3.3.2: embedding net 3 x 40 (tanh), 16 axis
neurons, fitting net 25-50-100 (residual, tanh), loss L_E + W_F L_F with
W_F = 10 throughout, exponentially decaying learning rate.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ._util import deep_merge

CONFIG_DIR = Path(__file__).resolve().parent / "configs"

DEFAULTS: dict[str, Any] = {
    "rcut": 3.0,
    "rcut_smth": None,          # default rcut - 0.5
    "sel": "auto:1.1",          # DeePMD-kit counts the neighbours in the data (x 1.1)
    "embedding": [40, 40, 40],
    "axis_neuron": 16,
    "fitting": [25, 50, 100],
    "pref_e": 1.0,
    "pref_f": 10.0,
    "start_lr": 1e-3,
    "stop_lr": 1e-8,
    "decay_steps": 5000,
    "numb_steps": 200000,
    "batch_size": "auto",
    "disp_freq": 100,
    "save_freq": 1000,
    "seed": 1,
    "max_cpu_minutes": None,    # CPU-time budget of `dp train` (None: run numb_steps)
}


def _dp_executable() -> str:
    """The ``dp`` command of the running environment (deepmd-kit installed), else an ImportError."""
    exe = Path(sys.executable).parent / "dp"
    path = str(exe) if exe.exists() else shutil.which("dp")
    if path is None:
        raise ImportError("the DeePMD route needs deepmd-kit with its TensorFlow backend: "
                          "pip install 'slowdyn[deepmd]'")
    return path


def available() -> tuple[bool, str]:
    """Whether the DeePMD-kit TensorFlow backend can be used here, and why not."""
    import importlib.util  # noqa: PLC0415

    if importlib.util.find_spec("deepmd") is None:
        return False, "deepmd-kit is not installed (pip install 'slowdyn[deepmd]')"
    if importlib.util.find_spec("tensorflow") is None:
        return False, "deepmd-kit is installed without TensorFlow (pip install 'slowdyn[deepmd]')"
    try:
        _dp_executable()
    except ImportError as exc:
        return False, str(exc)
    return True, ""


def _systems(dataset: Path, split: str) -> list[str]:
    root = dataset / "deepmd" / split
    if not root.is_dir():
        return []
    return sorted(str(p.resolve()) for p in root.iterdir() if (p / "type.raw").exists())


def input_json(config: dict, dataset: str | Path) -> dict:
    """DeePMD-kit's ``input.json`` for an se_e2_a model on a slowdyn data set."""
    from slowdyn.nnp.data import load_dataset_meta  # noqa: PLC0415

    dataset = Path(dataset)
    meta = load_dataset_meta(dataset)
    c = {**DEFAULTS, **{k: v for k, v in config.items() if k in DEFAULTS}}
    rcut = float(c["rcut"])
    if rcut <= 0:
        raise ValueError(f"rcut must be > 0, got {rcut}")
    rcut_smth = float(c["rcut_smth"]) if c["rcut_smth"] is not None else max(rcut - 0.5, 0.0)
    if not 0 <= rcut_smth < rcut:
        raise ValueError(f"rcut_smth = {rcut_smth} must lie in [0, rcut = {rcut})")
    train = _systems(dataset, "train")
    valid = _systems(dataset, "valid")
    if not train:
        raise FileNotFoundError(f"{dataset}/deepmd/train holds no DeePMD system: run `slowdyn nnp data` first")
    inp = {
        "model": {
            "type_map": list(meta["type_names"]),
            "descriptor": {"type": "se_e2_a", "sel": c["sel"], "rcut_smth": rcut_smth, "rcut": rcut,
                           "neuron": list(c["embedding"]), "resnet_dt": False,
                           "axis_neuron": int(c["axis_neuron"]), "activation_function": "tanh",
                           "seed": int(c["seed"])},
            "fitting_net": {"neuron": list(c["fitting"]), "resnet_dt": True,
                            "activation_function": "tanh", "seed": int(c["seed"])},
        },
        "learning_rate": {"type": "exp", "start_lr": float(c["start_lr"]), "stop_lr": float(c["stop_lr"]),
                          "decay_steps": int(c["decay_steps"])},
        "loss": {"type": "ener", "start_pref_e": float(c["pref_e"]), "limit_pref_e": float(c["pref_e"]),
                 "start_pref_f": float(c["pref_f"]), "limit_pref_f": float(c["pref_f"]),
                 "start_pref_v": 0.0, "limit_pref_v": 0.0},
        "training": {
            "training_data": {"systems": train, "batch_size": c["batch_size"]},
            "numb_steps": int(c["numb_steps"]),
            "seed": int(c["seed"]),
            "disp_file": "lcurve.out",
            "disp_freq": int(c["disp_freq"]),
            "save_freq": int(c["save_freq"]),
        },
    }
    if valid:
        inp["training"]["validation_data"] = {"systems": valid, "batch_size": c["batch_size"]}
    return deep_merge(inp, config.get("input", {}) or {})


def load_config(config: str | Path | dict) -> dict:
    """The deepmd training config (YAML path, name of a shipped config, or dict), read and
    checked by :func:`slowdyn.nnp.config.load_training_config`: ``dataset`` (absolute) and the
    keys of :data:`DEFAULTS` and ``input`` (merged into input.json).
    """
    from slowdyn.nnp.config import load_training_config  # noqa: PLC0415

    return load_training_config(config, "deepmd", set(DEFAULTS) | {"input"}, shipped=CONFIG_DIR)


def train(config: str | Path | dict, out_dir: str | Path | None = None, resume: bool = True,
          progress: bool = True) -> Path:
    """Train with ``dp --tf train``, freeze with ``dp --tf freeze``; return ``model.pb``.

    ``resume``: continue from the checkpoint in ``out_dir`` when there is one
    (``dp train --restart``).  The training log goes to ``out_dir/train.log``,
    the learning curve to ``out_dir/lcurve.out``.
    """
    from tqdm.auto import tqdm  # noqa: PLC0415

    cfg = load_config(config)
    dataset = Path(cfg["dataset"])
    rcut = float(cfg.get("rcut", DEFAULTS["rcut"]))
    out = Path(out_dir or cfg.get("out_dir") or f"deepmd_{dataset.name}_rc{rcut:g}")
    out.mkdir(parents=True, exist_ok=True)
    dp = _dp_executable()
    inp = input_json(cfg, dataset)
    with open(out / "input.json", "w") as fh:
        json.dump(inp, fh, indent=2)
    cmd = [dp, "--tf", "train", "input.json"]
    if resume and (out / "checkpoint").exists():
        cmd += ["--restart", "model.ckpt"]
    elif (out / "lcurve.out").exists():
        (out / "lcurve.out").unlink()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    nsteps = int(inp["training"]["numb_steps"])
    budget = cfg.get("max_cpu_minutes", DEFAULTS["max_cpu_minutes"])
    if budget is not None and not float(budget) > 0:
        raise ValueError(f"max_cpu_minutes must be > 0 (or absent for no budget), got {budget}")
    with open(out / "train.log", "w") as log, tqdm(total=nsteps, desc="dp train", disable=not progress) as bar:
        def show() -> None:
            step = _last_step(out / "lcurve.out")
            if step is not None:
                bar.n = min(step, nsteps)
                bar.refresh()

        rc, stopped = run_with_budget(cmd, out, log, env, None if budget is None else 60.0 * float(budget), show)
        if rc != 0 and not stopped:
            raise RuntimeError(f"dp --tf train failed (exit {rc}); see {out / 'train.log'}")
    if stopped:
        if not (out / "checkpoint").exists():
            raise RuntimeError(f"dp --tf train wrote no checkpoint within max_cpu_minutes = {budget}: raise "
                               "max_cpu_minutes or lower save_freq")
        with open(out / "train.log", "a") as log:
            log.write(f"\nslowdyn: stopped after the CPU-time budget of {budget} min at step "
                      f"{_last_step(out / 'lcurve.out')}; freezing the last checkpoint\n")
    with open(out / "freeze.log", "w") as log:
        rc = subprocess.run([dp, "--tf", "freeze", "-o", "model.pb"], cwd=out, stdout=log,
                            stderr=subprocess.STDOUT, env=env).returncode
    if rc != 0 or not (out / "model.pb").exists():
        raise RuntimeError(f"dp --tf freeze failed (exit {rc}); see {out / 'freeze.log'}")
    return out / "model.pb"


def run_with_budget(cmd: list[str], cwd: Path, log, env: dict | None, max_cpu_seconds: float | None,
                    poll=None, interval: float = 1.0) -> tuple[int, bool]:
    """Run ``cmd`` until it ends or has used ``max_cpu_seconds`` of CPU time (user + system,
    all its threads, from ``/proc``; then SIGTERM, after 30 s SIGKILL).  ``poll()`` is called
    every ``interval`` seconds.  A CPU budget, unlike a wall-clock one, means the same work on
    a loaded machine.

    Returns ``(exit code, stopped by the budget)``.
    """
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
    stopped = False
    while proc.poll() is None:
        time.sleep(interval)
        if poll is not None:
            poll()
        if max_cpu_seconds is not None and proc.poll() is None and cpu_seconds(proc.pid) >= max_cpu_seconds:
            stopped = True
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return proc.returncode, stopped


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (all threads), from ``/proc/PID/stat``."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except FileNotFoundError:
        return 0.0  # the process has just ended
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _last_step(lcurve: Path) -> int | None:
    try:
        with open(lcurve) as fh:
            lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    except OSError:
        return None
    try:
        return int(float(lines[-1].split()[0])) if lines else None
    except (ValueError, IndexError):
        return None


def read_lcurve(path: str | Path) -> dict:
    """Columns of DeePMD-kit's ``lcurve.out`` (header names -> arrays)."""
    import numpy as np  # noqa: PLC0415

    with open(path) as fh:
        header = fh.readline().lstrip("#").split()
    data = np.atleast_2d(np.loadtxt(path))
    return {name: data[:, i] for i, name in enumerate(header)}


def pair_lines(model: str | Path, type_names: list[str] | None = None) -> tuple[str, list[str]]:
    """``pair_style`` and ``pair_coeff`` arguments for a frozen model in LAMMPS."""
    coeff = "* *" + ("".join(f" {t}" for t in type_names) if type_names else "")
    return f"deepmd {Path(model).resolve()}", [coeff]
