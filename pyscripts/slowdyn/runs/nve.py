"""NVE timestep scans: one NVE run per timestep, the total energy of every step.

- :func:`run_nve_scan`: a deck (``-var dt``), each run an ``lmp`` process;
- :func:`potential_nve_scan`: a :class:`~slowdyn.runs.sampling.Potential` from
  a data file (:func:`~slowdyn.runs.sampling.start_configuration`), each run a
  LAMMPS instance in this process (``slowdyn nnp evaluate --energy-dt``).

Both read the total energy from the LAMMPS log of the run (:func:`_total_energy`);
the series are analysed by
:class:`slowdyn.analysis.observables.energy.EnergyConservation`
(fluctuations of the total energy scale as dt^2 for a symplectic integrator).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

if TYPE_CHECKING:
    from .sampling import Potential


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
        out[float(dt)] = _total_energy(log, column)
    return out


def _total_energy(log: Path, column: str = "TotEng") -> np.ndarray:
    """The total energy of every thermo line of the last run in the LAMMPS log ``log``."""
    from slowdyn.analysis.observables.energy import read_log_thermo  # noqa: PLC0415

    blocks = read_log_thermo(log)
    if not blocks or column not in blocks[-1]:
        raise RuntimeError(f"no thermo column {column} in {log}")
    return blocks[-1][column]


def potential_nve_scan(potential: "Potential", start: str | Path, timesteps: Sequence[float], t_total: float,
                       workdir: str | Path) -> dict[float, np.ndarray]:
    """NVE runs of length ``t_total`` from the data file ``start``, one per timestep.

    Every run starts from the same positions and velocities and logs the total
    energy (``etotal``, all atoms, 15 digits) at every step to ``workdir/log.dt<DT>``.

    Parameters
    ----------
    potential : Potential
        The interaction (its units are those of ``timesteps`` and ``t_total``).
    start : path
        LAMMPS data file with velocities.
    timesteps : sequence of float
        Values of dt; each run has ``max(2, round(t_total / dt))`` steps.
    t_total : float
        Length of each run.
    workdir : path
        Folder of the logs.

    Returns
    -------
    dict
        dt -> total energy of each step (step 0 included).
    """
    from .sampling import run_from  # noqa: PLC0415

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out = {}
    for dt in timesteps:
        dt = float(dt)
        log = workdir / f"log.dt{dt:g}"
        nsteps = max(2, int(round(t_total / dt)))
        lmp = run_from(potential, start, [f"timestep {dt!r}", "fix _sd_int all nve", "thermo 1",
                                          "thermo_style custom step pe ke etotal",
                                          "thermo_modify norm no format float %.15g", f"run {nsteps}"],
                       cmdargs=["-log", str(log)])
        lmp.close()
        out[dt] = _total_energy(log)
    return out


__all__ = ["lmp_executable", "potential_nve_scan", "run_nve_scan"]
