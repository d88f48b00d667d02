"""NVE energy conservation: std of the total energy against the timestep.

For a symplectic integrator with smooth forces the fluctuation of the total
energy scales as dt^2 (Granz 2026, Figs. 3.5-3.7); a fitted exponent well
below 2 signals non-smooth forces (e.g. the energy-shifted cut-off).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from .._compute import Compute, computed_property


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
class EnergyConservation(Compute):
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

    @computed_property
    def table(self) -> np.ndarray:
        """Columns dt, std(E_tot)."""
        return np.column_stack([self._dt, self._std])

    @computed_property
    def exponent(self) -> float:
        """Fitted exponent n of std(E) = A dt^n."""
        return self._fit[0]

    @computed_property
    def prefactor(self) -> float:
        return self._fit[1]

    def plot(self, ax=None):
        """Log-log plot of std(E_tot) against dt with the fit; returns the Figure.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new Figure).
        """
        if ax is None:
            from slowdyn.common.plotting import subplots

            fig, ax = subplots(figsize=(4.5, 3.5))
        fig = ax.figure
        ax.loglog(self._dt, self._std, "o", label="NVE runs")
        ax.loglog(self._dt, self.prefactor * self._dt**self.exponent, "-",
                  label=rf"fit $\propto \Delta t^{{{self.exponent:.2f}}}$")
        ax.set_xlabel(r"$\Delta t$")
        ax.set_ylabel(r"std $E_\mathrm{tot}$")
        ax.legend()
        fig.tight_layout()
        return fig

    def write(self, folder: str | Path = "observe", source: str = "") -> list[Path]:
        """``FOLDER/energy.txt`` (dt, std(E_tot) and the fit in the header) and ``FOLDER/energy.png``
        (:meth:`plot`); the folder is created. ``source`` names the runs in the header.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = [folder / "energy.txt", folder / "energy.png"]
        np.savetxt(files[0], self.table, header=f"NVE runs of {source}\n"
                   f"fit: std(E_tot) = {self.prefactor:.6g} dt^{self.exponent:.4f}\ncolumns: dt std_etotal")
        self.plot().savefig(files[1], dpi=120)
        return files
