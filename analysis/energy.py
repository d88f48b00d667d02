"""NVE energy conservation: std of the total energy against the timestep.

For a symplectic integrator with smooth forces the fluctuation of the total
energy scales as dt^2 (seed 000 Figs. 3.5-3.7); a fitted exponent well
below 2 signals non-smooth forces (e.g. the energy-shifted cut-off).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ._optional import require


def read_log_thermo(path: str | Path) -> list[dict[str, np.ndarray]]:
    """Thermo blocks of a LAMMPS log file, one dict (column -> array) per run."""
    blocks, cols, rows = [], None, []
    with open(path) as fh:
        for line in fh:
            words = line.split()
            if words[:1] == ["Step"]:
                cols, rows = words, []
                continue
            if cols is not None and line.startswith("Loop time"):
                data = np.array(rows, dtype=float).reshape(-1, len(cols))
                blocks.append({c: data[:, k] for k, c in enumerate(cols)})
                cols = None
                continue
            if cols is not None and len(words) == len(cols):
                try:
                    rows.append([float(w) for w in words])
                except ValueError:
                    pass
    return blocks


@dataclass
class EnergyConservation:
    """std(E_tot) per timestep and the fitted power law std = A dt^n."""

    _dt: np.ndarray | None = field(default=None, init=False, repr=False)
    _std: np.ndarray | None = field(default=None, init=False, repr=False)
    _fit: tuple[float, float] | None = field(default=None, init=False, repr=False)

    def compute(self, series: Mapping[float, np.ndarray]) -> "EnergyConservation":
        """Fit ``log std(E) = n log dt + log A``.

        Parameters
        ----------
        series : mapping
            Timestep -> total energy time series of one NVE run.
        """
        dts = np.array(sorted(series), dtype=float)
        std = np.array([np.std(np.asarray(series[d], dtype=float)) for d in dts])
        if len(dts) < 2:
            raise ValueError("need at least two timesteps to fit an exponent")
        n, loga = np.polyfit(np.log(dts), np.log(std), 1)
        self._dt, self._std, self._fit = dts, std, (float(n), float(np.exp(loga)))
        return self

    @property
    def table(self) -> np.ndarray:
        """Columns dt, std(E_tot)."""
        if self._dt is None:
            raise RuntimeError("call EnergyConservation.compute() first")
        return np.column_stack([self._dt, self._std])

    @property
    def exponent(self) -> float:
        """Fitted exponent n of std(E) = A dt^n."""
        if self._fit is None:
            raise RuntimeError("call EnergyConservation.compute() first")
        return self._fit[0]

    @property
    def prefactor(self) -> float:
        if self._fit is None:
            raise RuntimeError("call EnergyConservation.compute() first")
        return self._fit[1]

    def plot(self, path: str | Path) -> None:
        """Log-log plot of std(E_tot) against dt with the fit."""
        matplotlib = require("matplotlib", "plotting", "analysis")
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(4.5, 3.5))
        ax.loglog(self._dt, self._std, "o", label="NVE runs")
        ax.loglog(self._dt, self.prefactor * self._dt**self.exponent, "-",
                  label=rf"fit $\propto \Delta t^{{{self.exponent:.2f}}}$")
        ax.set_xlabel(r"$\Delta t$")
        ax.set_ylabel(r"std $E_\mathrm{tot}$")
        ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)


def run_nve_scan(deck: str | Path, timesteps: Sequence[float], variables: Mapping[str, str],
                 workdir: str | Path, column: str = "TotEng") -> dict[float, np.ndarray]:
    """Run ``deck`` once per timestep (``-var dt``) and return the total energy
    of its last thermo block (the NVE production run of the slowdyn decks).

    Parameters
    ----------
    deck : path
        LAMMPS input deck taking ``-var dt``.
    timesteps : sequence of float
        Values of ``dt``.
    variables : mapping
        Further ``-var`` settings (e.g. N, neq, nrun, nthermo).
    workdir : path
        Folder for the logs and output files.
    column : str
        Thermo column of the total energy (``TotEng`` for ``etotal``).
    """
    from slowdyn import lammps

    deck = Path(deck).resolve()
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out = {}
    cwd = os.getcwd()
    try:
        os.chdir(workdir)
        for dt in timesteps:
            log = f"log.dt{dt:g}"
            args = ["-log", log, "-var", "dt", repr(float(dt))]
            for k, v in variables.items():
                args += ["-var", k, str(v)]
            lmp = lammps(cmdargs=args)
            try:
                lmp.file(str(deck))
            finally:
                lmp.close()
            blocks = read_log_thermo(log)
            if not blocks or column not in blocks[-1]:
                raise RuntimeError(f"no thermo column {column} in {workdir / log}")
            out[float(dt)] = blocks[-1][column]
    finally:
        os.chdir(cwd)
    return out
