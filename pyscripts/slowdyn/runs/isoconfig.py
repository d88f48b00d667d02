"""Isoconfigurational ensembles with the Kob-Andersen deck: one configuration, M runs with new velocities.

Each replica K = 1 .. M runs ``inputs/kob_andersen/in.kob_andersen`` with
``-var data SNAPSHOT -var neq 0 -var replicas 1``: the deck reads the
configuration, draws velocities at T with the seed ``seed + 7919 (K - 1)``
(``velocity all create``) and runs NVE, dumping unwrapped coordinates to
``OUT/traj_K.lammpstrj``. Two ways, with the same seeds and so the same
trajectories:

- ``sequential``: one LAMMPS instance after the other through the Python
  interface (:func:`slowdyn.lammps`), replica K set with ``-var rep K``;
- ``partition``: one ``mpirun -np M lmp -partition Mx1`` job, replica K the
  K-th partition (the deck's ``uloop`` variable).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def default_deck() -> Path:
    """The Kob-Andersen deck of the source tree (editable install), else ``inputs/kob_andersen/in.kob_andersen``
    below the working directory (a repository checkout after ``pip install .``); the first that exists.
    """
    rel = Path("inputs") / "kob_andersen" / "in.kob_andersen"
    tree = Path(__file__).resolve().parents[3] / rel
    return tree if tree.is_file() else Path.cwd() / rel


def deck_vars(data: Path, temperature: float, n_steps: int, n_dump: int, seed: int, out: Path,
              dt: float = 0.005) -> list[str]:
    """The ``-var`` arguments of one ensemble run."""
    pairs = {"data": str(data), "T": f"{temperature:g}", "neq": "0", "nrun": str(n_steps), "ndump": str(n_dump),
             "nevery": "10", "seed": str(seed), "out": str(out), "replicas": "1", "dt": f"{dt:g}"}
    return [a for k, v in pairs.items() for a in ("-var", k, v)]


def run_ensemble(data: str | os.PathLike, temperature: float, n_runs: int, n_steps: int, n_dump: int,
                 out: str | os.PathLike, seed: int = 1, mode: str = "sequential", deck: str | os.PathLike | None = None,
                 dt: float = 0.005, progress=None) -> tuple[list[Path], float]:
    """Run the ensemble; returns the dump of each replica and the wall time in seconds.

    Parameters
    ----------
    data : path
        LAMMPS data file of the configuration (e.g. ``final.data`` of a deck run).
    temperature : float
        Temperature of the new velocities.
    n_runs : int
        Replicas M.
    n_steps, n_dump : int
        Steps of each run and the dump interval (steps).
    out : path
        Folder of the dumps and logs.
    mode : str
        ``sequential`` or ``partition``.
    progress : callable, optional
        Called with the replica number after each sequential run.

    Raises
    ------
    ValueError
        For a missing data file or deck, an unknown mode or n_runs < 1.
    RuntimeError
        When a LAMMPS run fails.
    """
    data, out = Path(data).resolve(), Path(out).resolve()
    deck = Path(deck) if deck is not None else default_deck()
    if not data.is_file():
        raise ValueError(f"{data}: no such data file (give the final.data of a deck run)")
    if not deck.is_file():
        raise ValueError(f"{deck}: no such deck; give --deck inputs/kob_andersen/in.kob_andersen")
    if n_runs < 1 or n_steps < 1 or n_dump < 1:
        raise ValueError("runs, steps and the dump interval must be >= 1")
    out.mkdir(parents=True, exist_ok=True)
    args = deck_vars(data, temperature, n_steps, n_dump, seed, out, dt)
    start = time.perf_counter()
    if mode == "sequential":
        from slowdyn.session import lammps

        for k in range(1, n_runs + 1):
            lmp = lammps(cmdargs=args + ["-var", "rep", str(k)])
            try:
                lmp.file(str(deck))
            except Exception as err:
                raise RuntimeError(f"replica {k}: {err}") from err
            finally:
                lmp.close()
            if progress is not None:
                progress(k)
    elif mode == "partition":
        bindir = Path(sys.executable).parent
        mpirun = shutil.which("mpirun", path=str(bindir)) or shutil.which("mpirun")
        lmp = shutil.which("lmp", path=str(bindir)) or shutil.which("lmp")
        if mpirun is None or lmp is None:
            raise ValueError("the partition mode needs mpirun and lmp (pip install 'lammps[mpi]' mpich)")
        cmd = [mpirun, "-np", str(n_runs), lmp, "-partition", f"{n_runs}x1", "-in", str(deck.resolve()),
               "-screen", "none", "-log", "none"] + args
        done = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
        if done.returncode != 0:
            tail = " ".join((done.stdout + done.stderr).split()[-40:])
            raise RuntimeError(f"mpirun -partition failed (exit {done.returncode}): {tail}")
    else:
        raise ValueError(f"mode must be sequential or partition, not {mode!r}")
    wall = time.perf_counter() - start
    dumps = [out / f"traj_{k}.lammpstrj" for k in range(1, n_runs + 1)]
    missing = [p for p in dumps if not p.is_file()]
    if missing:
        raise RuntimeError(f"the ensemble did not write {missing[0]}")
    return dumps, wall


__all__ = ["default_deck", "deck_vars", "run_ensemble"]
