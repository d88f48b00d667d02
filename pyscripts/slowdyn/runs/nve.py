"""NVE timestep scans: one LAMMPS run of a deck per timestep.

The energy drift of each run is analysed by
:class:`slowdyn.analysis.observables.energy.EnergyConservation`
(fluctuations of the total energy scale as dt^2 for a symplectic integrator).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np


def lmp_executable() -> str:
    """The ``lmp`` launcher of the running environment (it loads the slowdyn plugin)."""
    exe = Path(sys.executable).parent / "lmp"
    if not exe.exists():
        raise FileNotFoundError(f"{exe} not found: install slowdyn (it brings lammps[mpi]) in this environment")
    return str(exe)


def run_nve_scan(deck: str | Path, timesteps: Sequence[float], variables: Mapping[str, str],
                 workdir: str | Path, column: str = "TotEng") -> dict[float, np.ndarray]:
    """Run ``deck`` once per timestep (``-var dt``) and return the total energy
    of its last thermo block (the NVE production run of the slowdyn decks).

    Each run is a separate ``lmp`` process working in ``workdir`` with
    ``-var out dt<DT>``: the slowdyn decks write their output and their log into
    that folder (``dt<DT>/log.lammps``, read here); a deck that does not switch
    its log leaves it in ``log.dt<DT>``.

    Parameters
    ----------
    deck : path
        LAMMPS input deck taking ``-var dt``.
    timesteps : sequence of float
        Values of ``dt``.
    variables : mapping
        Further ``-var`` settings (e.g. N, neq, nrun, nthermo; ``out`` is set per run).
    workdir : path
        Folder for the logs and output files.
    column : str
        Thermo column of the total energy (``TotEng`` for ``etotal``).
    """
    from slowdyn.analysis.observables.energy import read_log_thermo

    deck = Path(deck).resolve()
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out = {}
    for dt in timesteps:
        start_log, folder = f"log.dt{dt:g}", f"dt{dt:g}"
        args = [lmp_executable(), "-in", str(deck), "-log", start_log, "-screen", "none",
                "-var", "dt", repr(float(dt)), "-var", "out", folder]
        for k, v in variables.items():
            if k != "out":
                args += ["-var", k, str(v)]
        proc = subprocess.run(args, cwd=workdir, capture_output=True, text=True)
        log = workdir / folder / "log.lammps"
        if not log.exists():
            log = workdir / start_log
        if proc.returncode != 0:
            tail = log.read_text().strip().splitlines()[-3:] if log.exists() else []
            raise RuntimeError(f"LAMMPS run of {deck} with dt = {dt:g} failed (exit {proc.returncode}): "
                               + " | ".join(tail or [proc.stderr.strip()]))
        blocks = read_log_thermo(log)
        if not blocks or column not in blocks[-1]:
            raise RuntimeError(f"no thermo column {column} in {log}")
        out[float(dt)] = blocks[-1][column]
    return out


__all__ = ["lmp_executable", "run_nve_scan"]
