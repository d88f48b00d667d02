"""Judge a potential against the reference it was trained on (Granz 2026, §3.3.3).

"The NNP" is any LAMMPS pair style given as input lines
(:class:`slowdyn.runs.sampling.Potential`): ``knn/nnp``, ``deepmd``,
``nequip`` or a plain model potential all plug in the same way.

- :func:`evaluate_dataset` / :func:`compare_frames`: errors on held-out
  frames (E_RMSE_per_atom, F_RMSE, F_RMSE/F_mean as in Tables 3.4-3.8), parity
  plots of energies and force components (Fig. 3.25), histograms of force
  magnitude differences and angles (Fig. 3.26), per-atom energies (Fig. 3.27).
- :func:`compare_md`: the same start configuration run with both
  potentials; g(r) (freud) and the SISF / MSD (``fix sisf/msd``) side by side.
- :func:`energy_scan`: std of the NVE total energy against the timestep for
  both potentials (expected ~ dt^2, Fig. 3.30).
- :func:`probe`: two- and three-body configurations in a large box (Fig. 3.28).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from slowdyn.common.plotting import figure_axes
from slowdyn.runs.nve import potential_nve_scan
from slowdyn.runs.sampling import (Frame, Potential, Protocol, StatePoint, evaluate_frames, nve_frames, run_from,
                                   start_configuration)


def _axes(ax):
    return figure_axes(ax, figsize=(4.2, 3.8))


# --------------------------------------------------------------------------
# errors on frames
# --------------------------------------------------------------------------
def energy_force_errors(de_per_atom: np.ndarray, f_ref: np.ndarray, f_pred: np.ndarray) -> dict[str, float]:
    """The energy and force errors of Granz 2026, Tables 3.4-3.8, under their one set of names.

    Parameters
    ----------
    de_per_atom : array (frames,)
        Predicted minus reference total energy of each frame, divided by its atom count.
    f_ref, f_pred : array (atoms, 3)
        Reference and predicted forces of all atoms of all frames.

    Returns
    -------
    dict
        ``E_RMSE_per_atom``, ``E_MAE_per_atom``, ``F_RMSE`` (over all force
        components), ``F_MAE``, ``F_mean`` (mean reference |F_i|) and ``F_RMSE/F_mean``.
    """
    de = np.asarray(de_per_atom, dtype=float)
    fr, fp = np.asarray(f_ref, dtype=float), np.asarray(f_pred, dtype=float)
    df = fp - fr
    f_mean = float(np.mean(np.linalg.norm(fr, axis=1)))
    f_rmse = float(np.sqrt(np.mean(df**2)))
    return {
        "E_RMSE_per_atom": float(np.sqrt(np.mean(np.square(de)))),
        "E_MAE_per_atom": float(np.mean(np.abs(de))),
        "F_RMSE": f_rmse,
        "F_MAE": float(np.mean(np.abs(df))),
        "F_mean": f_mean,
        "F_RMSE/F_mean": f_rmse / f_mean if f_mean > 0 else math.nan,
    }


def error_metrics(reference: Sequence[Frame], predicted: Sequence[Frame]) -> dict[str, float]:
    """Error metrics of ``predicted`` against ``reference`` (same frames, same order).

    Those of :func:`energy_force_errors` (``E_RMSE_per_atom``: RMSE of the
    total energy divided by the atom count; ``F_RMSE``: RMSE over all force
    components; ``F_mean``: mean reference force magnitude |F_i|;
    ``F_RMSE/F_mean`` their ratio; ``E_MAE_per_atom``, ``F_MAE``) and
    ``V_RMSE_per_atom`` (virial), ``e_atom_RMSE`` (per-atom energies),
    ``angle_mean_deg`` (mean angle between predicted and reference force vectors).
    """
    if len(reference) != len(predicted) or not reference:
        raise ValueError(f"need the same nonzero number of frames, got {len(reference)} and {len(predicted)}")
    de, dv, n_at = [], [], []
    for r, p in zip(reference, predicted):
        if len(r.types) != len(p.types) or not np.array_equal(r.types, p.types):
            raise ValueError("reference and predicted frames differ in their atoms")
        n = len(r.types)
        de.append((p.energy - r.energy) / n)
        dv.append((np.asarray(p.virial) - np.asarray(r.virial)).ravel() / n)
        n_at.append(n)
    fr = np.concatenate([np.asarray(r.forces) for r in reference])
    fp = np.concatenate([np.asarray(p.forces) for p in predicted])
    ea_r = np.concatenate([np.asarray(r.energies) for r in reference])
    ea_p = np.concatenate([np.asarray(p.energies) for p in predicted])
    return {
        "frames": len(reference),
        "atoms": int(sum(n_at)),
        **energy_force_errors(np.array(de), fr, fp),
        "V_RMSE_per_atom": float(np.sqrt(np.mean(np.square(dv)))),
        "e_atom_RMSE": float(np.sqrt(np.mean((ea_p - ea_r) ** 2))),
        "angle_mean_deg": float(np.mean(force_angles(fr, fp))),
    }


def force_angles(f_ref: np.ndarray, f_pred: np.ndarray) -> np.ndarray:
    """Angle (degrees) between reference and predicted force vectors, per atom.

    Computed with ``atan2(|a x b|, a . b)``, exact also for nearly parallel
    vectors (where ``arccos`` of the normalised dot product loses half the digits).
    """
    a, b = np.asarray(f_ref, float), np.asarray(f_pred, float)
    return np.degrees(np.arctan2(np.linalg.norm(np.cross(a, b), axis=1), np.sum(a * b, axis=1)))


@dataclass
class FrameComparison:
    """Reference and predicted labels of the same frames, with metrics and plots."""

    reference: list[Frame]
    predicted: list[Frame]
    metrics: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.metrics:
            self.metrics = error_metrics(self.reference, self.predicted)

    def _stack(self, what: str) -> tuple[np.ndarray, np.ndarray]:
        if what == "energy":
            r = np.array([f.energy / len(f.types) for f in self.reference])
            p = np.array([f.energy / len(f.types) for f in self.predicted])
        else:
            r = np.concatenate([np.asarray(getattr(f, what)).ravel() for f in self.reference])
            p = np.concatenate([np.asarray(getattr(f, what)).ravel() for f in self.predicted])
        return r, p

    def plot_energy_parity(self, ax=None, label: str = "NNP"):
        """Predicted against reference energy per atom (Fig. 3.25, left)."""
        return _parity(*self._stack("energy"), ax, r"$E/N$", label)

    def plot_force_parity(self, ax=None, label: str = "NNP"):
        """Predicted against reference force components (Fig. 3.25, right)."""
        return _parity(*self._stack("forces"), ax, r"$F_\alpha$", label)

    def plot_atomic_energy_parity(self, ax=None, label: str = "NNP"):
        """Predicted against reference per-atom energies (Fig. 3.27)."""
        return _parity(*self._stack("energies"), ax, r"$e_i$", label)

    def plot_force_histograms(self, ax=None, label: str = "NNP", bins: int = 60):
        """Histograms of |F_pred| - |F_ref| and of the angle between them (Fig. 3.26)."""
        fig, axes = figure_axes(ax, 1, 2, figsize=(8, 3.4))
        fr = np.concatenate([np.asarray(f.forces) for f in self.reference])
        fp = np.concatenate([np.asarray(f.forces) for f in self.predicted])
        dmag = np.linalg.norm(fp, axis=1) - np.linalg.norm(fr, axis=1)
        ang = force_angles(fr, fp)
        axes[0].hist(dmag, bins=bins, histtype="step", density=True, label=label)
        axes[0].set_xlabel(r"$|F_\mathrm{pred}| - |F_\mathrm{ref}|$")
        axes[0].set_ylabel("density")
        axes[1].hist(ang, bins=bins, range=(0, max(float(ang.max()), 1e-12)), histtype="step",
                     density=True, label=label)
        axes[1].set_xlabel(r"angle$(F_\mathrm{pred}, F_\mathrm{ref})$ [deg]")
        axes[1].legend(fontsize="small")
        fig.tight_layout()
        return fig

    def write(self, folder: str | Path, label: str = "NNP") -> dict[str, Path]:
        """Write ``metrics.json``, ``metrics.txt`` and the four PNGs; return their paths."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"metrics": out / "metrics.json"}
        with open(paths["metrics"], "w") as fh:
            json.dump(self.metrics, fh, indent=2)
        with open(out / "metrics.txt", "w") as fh:
            fh.write(format_metrics({label: self.metrics}))
        for name, method in (("parity_energy", self.plot_energy_parity),
                             ("parity_forces", self.plot_force_parity),
                             ("parity_atomic_energies", self.plot_atomic_energy_parity),
                             ("force_histograms", self.plot_force_histograms)):
            fig = method(label=label)
            paths[name] = out / f"{name}.png"
            fig.savefig(paths[name], dpi=120)
        return paths


def format_metrics(rows: Mapping[str, Mapping[str, float]]) -> str:
    """A table with the columns of Granz 2026, Tables 3.4-3.8 (one row per model)."""
    lines = [f"{'model':<24} {'E_RMSE_per_atom':>15} {'F_RMSE':>10} {'F_RMSE/F_mean':>14} {'frames':>7}"]
    for name, m in rows.items():
        lines.append(f"{name:<24} {m['E_RMSE_per_atom']:>15.5g} {m['F_RMSE']:>10.5g} "
                     f"{m['F_RMSE/F_mean']:>14.5g} {int(m['frames']):>7d}")
    return "\n".join(lines) + "\n"


def _parity(ref, pred, ax, what: str, label: str):
    fig, ax = _axes(ax)
    ax.plot(ref, pred, ".", ms=2, alpha=0.5, label=label)
    lo, hi = float(min(ref.min(), pred.min())), float(max(ref.max(), pred.max()))
    ax.plot([lo, hi], [lo, hi], "k-", lw=0.8)
    ax.set_xlabel(f"reference {what}")
    ax.set_ylabel(f"predicted {what}")
    ax.legend(fontsize="small", markerscale=4)
    fig.tight_layout()
    return fig


def compare_frames(reference: Sequence[Frame], nnp: Potential, progress: bool = False) -> FrameComparison:
    """Label the reference frames' positions with ``nnp`` and compare."""
    return FrameComparison(list(reference), evaluate_frames(nnp, reference, progress=progress))


def label_with_calculator(frames: Sequence[Frame], calculator: Any, type_names: Sequence[str],
                          per_atom: bool = True) -> list[Frame]:
    """Label frames with an ASE calculator (e.g. nequip's ``NequIPCalculator``) instead of LAMMPS.

    The atoms carry the data set's stand-in symbols (H, He, ... by type).
    ``per_atom``: ask for per-atom energies (NaN where the calculator has none).
    """
    from slowdyn.nnp.data import frames_to_atoms  # noqa: PLC0415

    out = []
    for fr, atoms in zip(frames, frames_to_atoms(frames, type_names)):
        atoms.calc = calculator
        e = float(atoms.get_potential_energy())
        f = np.array(atoms.get_forces(), dtype=float)
        try:
            vir = -np.array(atoms.get_stress(voigt=False)) * atoms.get_volume()
        except Exception:  # noqa: BLE001 - calculators without stress
            vir = np.full((3, 3), np.nan)
        ea = np.full(len(atoms), np.nan)
        if per_atom:
            try:
                ea = np.array(atoms.get_potential_energies(), dtype=float)
            except Exception:  # noqa: BLE001 - calculators without per-atom energies
                pass
        out.append(Frame(positions=fr.positions, types=fr.types, cell=fr.cell, energy=e, energies=ea,
                         forces=f, virial=vir, info=dict(fr.info)))
    return out


def evaluate_dataset(dataset: str | Path, nnp: Potential, split: str = "test",
                     max_frames: int | None = None, relabel: bool = True,
                     progress: bool = False) -> FrameComparison:
    """Errors of ``nnp`` on a split of a data set written by ``slowdyn nnp data``.

    ``relabel``: recompute the reference labels from the positions as stored
    (extxyz keeps 8 decimals), so that the reference itself scores exactly zero.
    """
    from slowdyn.nnp.data import atoms_to_frames, load_dataset_meta, read_frames, reference_potential  # noqa: PLC0415

    if max_frames is not None and max_frames < 1:
        raise ValueError(f"max_frames = {max_frames}: evaluate at least one frame (or all: None)")
    meta = load_dataset_meta(dataset)
    path = Path(dataset) / f"{split}.extxyz"
    if not path.exists() or path.stat().st_size == 0:
        raise FileNotFoundError(f"{path} is missing or empty: the data set has no {split} frames")
    frames = atoms_to_frames(read_frames(path))
    if max_frames is not None:
        step = max(1, len(frames) // max_frames)
        frames = frames[::step][:max_frames]
    if nnp.ntypes != len(meta["type_names"]):
        raise ValueError(f"the potential has {nnp.ntypes} types, the data set {len(meta['type_names'])} "
                         f"({meta['type_names']})")
    if relabel:
        frames = evaluate_frames(reference_potential(meta), frames, progress=progress)
    return compare_frames(frames, nnp, progress=progress)


# --------------------------------------------------------------------------
# side-by-side MD
# --------------------------------------------------------------------------
@dataclass
class MDComparison:
    """g(r) and SISF/MSD of the reference and the NNP run from the same start."""

    r: np.ndarray
    rdf: dict[str, np.ndarray]
    sisf: dict[str, dict]
    temperature: float
    density: float
    q: float

    def plot_rdf(self, ax=None):
        fig, ax = _axes(ax)
        for (name, g), ls in zip(self.rdf.items(), ("-", "--", ":", "-.")):
            ax.plot(self.r, g, ls, label=name)
        ax.set_xlabel("$r$")
        ax.set_ylabel("$g(r)$")
        ax.set_title(f"T = {self.temperature:g}, rho = {self.density:g}", fontsize="small")
        ax.legend(fontsize="small")
        fig.tight_layout()
        return fig

    def plot_sisf(self, ax=None):
        """F_s(q, t) (left) and MSD (right), log time axis."""
        fig, axes = figure_axes(ax, 1, 2, figsize=(8, 3.4))
        for (name, d), ls in zip(self.sisf.items(), ("-", "--", ":", "-.")):
            t = d["time"]
            ok = t > 0
            axes[0].semilogx(t[ok], d["fs_all_q1"][ok], ls, label=name)
            axes[1].loglog(t[ok], d["msd_all"][ok], ls, label=name)
        axes[0].set_xlabel("$t$")
        axes[0].set_ylabel(f"$F_s(q={self.q:g}, t)$")
        axes[1].set_xlabel("$t$")
        axes[1].set_ylabel("MSD")
        axes[0].legend(fontsize="small")
        fig.tight_layout()
        return fig

    def write(self, folder: str | Path) -> dict[str, Path]:
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"rdf": out / "md_rdf.png", "sisf": out / "md_sisf.png"}
        for key, fig in (("rdf", self.plot_rdf()), ("sisf", self.plot_sisf())):
            fig.savefig(paths[key], dpi=120)
        np.savetxt(out / "md_rdf.txt", np.column_stack([self.r, *self.rdf.values()]),
                   header="r " + " ".join(self.rdf))
        return paths


# LAMMPS' metal units with 1 eV = epsilon, 1 Angstrom = sigma, 1 g/mol = m: the same numbers for
# positions, energies and forces; temperatures in K (k_B = 8.617343e-5 eV/K) and times in ps
# (tau = sqrt(m sigma^2 / epsilon) = sqrt(mvv2e) ps, mvv2e = 1.0364269e-4 in LAMMPS' metal units)
METAL_KB = 8.617343e-5
METAL_TAU = math.sqrt(1.0364269e-4)


def _common_units(potentials: Sequence[Potential], temperature: float, protocol: "Protocol"):
    """Bring lj and metal potentials to one units style.

    ``pair_style deepmd`` refuses ``units lj``: a reference in lj units is then
    run in metal units with the same numbers for lengths, energies and masses.
    Returns the potentials, the temperature, the protocol and the time unit
    (ps per LJ tau, 1 when nothing changed); ``temperature`` and the protocol
    are given in the lj units of the reference.
    """
    import dataclasses  # noqa: PLC0415

    units = {p.units for p in potentials}
    if len(units) == 1:
        return list(potentials), temperature, protocol, 1.0
    if units != {"lj", "metal"}:
        raise ValueError(f"MD comparisons need one LAMMPS units style, got {sorted(units)} "
                         "(only lj and metal are converted: 1 eV = epsilon, 1 Angstrom = sigma)")
    pots = [dataclasses.replace(p, units="metal") for p in potentials]
    prot = dataclasses.replace(protocol, dt=protocol.dt * METAL_TAU, tdamp=protocol.tdamp * METAL_TAU,
                               t_hot=protocol.t_hot / METAL_KB)
    return pots, temperature / METAL_KB, prot, METAL_TAU


def compare_md(reference: Potential, nnp: Potential, temperature: float, density: float, n_atoms: int,
               steps: int = 20000, q: float = 7.25, relax: int = 2000, n_rdf: int = 20, dt: float = 0.001,
               protocol: Protocol | None = None, composition: Sequence[float] | None = None,
               workdir: str | Path = "nnp_md", seed: int = 4321, r_max: float | None = None,
               bins: int = 150, label: str = "NNP", progress: bool = False) -> MDComparison:
    """Run reference and NNP from the same reference-equilibrated start.

    Each potential: NVT relaxation (``relax`` steps) at ``temperature``, then
    NVE for ``steps`` with ``fix sisf/msd`` (wave number ``q``); g(r) is
    averaged over ``n_rdf`` frames of the NVE run (freud). ``label`` names the
    NNP in the plots and in the g(r) table.
    """
    from tqdm.auto import tqdm  # noqa: PLC0415

    from slowdyn.analysis.io.sisf import read_sisf  # noqa: PLC0415
    from slowdyn.analysis.observables.structure import Structure  # noqa: PLC0415

    if label == "reference":
        raise ValueError("label 'reference' names the reference run: give the NNP another label")
    protocol = protocol or Protocol(dt=dt)
    if protocol.dt != dt:
        protocol = Protocol(**{**protocol.__dict__, "dt": dt})
    T_lj = float(temperature)
    (reference, nnp), temperature, protocol, tau = _common_units([reference, nnp], T_lj, protocol)
    dt = protocol.dt
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    comp = tuple(composition) if composition is not None else (1.0,) + (0.0,) * (reference.ntypes - 1)
    state = StatePoint(float(temperature), float(density), comp)
    start = start_configuration(reference, state, n_atoms, protocol, work / "start.data", seed)
    length = (n_atoms / density) ** (1.0 / 3.0)
    r_max = r_max or 0.49 * length
    every = max(1, steps // n_rdf)
    rdf, sisf, r = {}, {}, None
    runs = {"reference": reference, label: nnp}
    for name, pot in tqdm(runs.items(), desc="MD", disable=not progress):
        sfile = work / f"{name}.sisf"
        frames, cells, types = nve_frames(pot, start, dt, temperature, protocol.tdamp, relax, n_rdf, every,
                                          sisf=(sfile, q))
        s = Structure(r_max=r_max, bins=bins).compute(frames, types, cells, structure_factor=False)
        r = s.r
        rdf[name] = s.rdf["all"]
        sisf[name] = read_sisf(sfile)
        sisf[name]["time"] = sisf[name]["time"] / tau  # in the reference's time unit
    return MDComparison(r=r, rdf=rdf, sisf=sisf, temperature=T_lj, density=float(density), q=q)


# --------------------------------------------------------------------------
# NVE energy fluctuations against the timestep
# --------------------------------------------------------------------------
@dataclass
class EnergyScan:
    """std of E_tot against dt for several potentials (``EnergyConservation`` each)."""

    results: dict[str, Any]

    @property
    def exponents(self) -> dict[str, float]:
        return {name: float(ec.exponent) for name, ec in self.results.items()}

    def plot(self, ax=None):
        fig, ax = _axes(ax)
        for name, ec in self.results.items():
            dt, std = ec.table.T
            (line,) = ax.loglog(dt, std, "o", label=rf"{name}: $\propto \Delta t^{{{ec.exponent:.2f}}}$")
            ax.loglog(dt, ec.prefactor * dt**ec.exponent, "-", color=line.get_color(), lw=0.8)
        ax.set_xlabel(r"$\Delta t$")
        ax.set_ylabel(r"std $E_\mathrm{tot}$")
        ax.legend(fontsize="small")
        fig.tight_layout()
        return fig

    def write(self, folder: str | Path) -> Path:
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        fig = self.plot()
        fig.savefig(out / "energy_scan.png", dpi=120)
        with open(out / "energy_scan.txt", "w") as fh:
            for name, ec in self.results.items():
                fh.write(f"# {name}: std(E) = {ec.prefactor:.6g} dt^{ec.exponent:.4f}\n")
                np.savetxt(fh, ec.table)
        return out / "energy_scan.png"


def _energy_conservation():
    from slowdyn.analysis.observables.energy import EnergyConservation  # noqa: PLC0415

    return EnergyConservation


def energy_scan(potentials: Mapping[str, Potential], timesteps: Sequence[float], temperature: float,
                density: float, n_atoms: int, t_total: float = 2.0, relax: int = 1000,
                protocol: Protocol | None = None, composition: Sequence[float] | None = None,
                workdir: str | Path | None = None, seed: int = 4321, progress: bool = False) -> EnergyScan:
    """NVE runs of length ``t_total`` per timestep and potential from one start.

    The start is equilibrated with the first potential (the reference); each
    potential is relaxed for ``relax`` steps of NVT at ``temperature`` with the
    smallest timestep before its NVE runs, so that every dt starts from the
    same configuration of that potential.  The total energy is recorded every step.
    """
    import tempfile  # noqa: PLC0415

    from tqdm.auto import tqdm  # noqa: PLC0415

    EnergyConservation = _energy_conservation()
    names = list(potentials)
    if len(timesteps) < 2:
        raise ValueError("need at least two timesteps")
    protocol = protocol or Protocol()
    pots, temperature, protocol, tau = _common_units(list(potentials.values()), float(temperature), protocol)
    potentials = dict(zip(names, pots))
    timesteps = [float(dt) * tau for dt in timesteps]
    t_total = t_total * tau
    first = potentials[names[0]]
    comp = tuple(composition) if composition is not None else (1.0,) + (0.0,) * (first.ntypes - 1)
    state = StatePoint(float(temperature), float(density), comp)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(workdir) if workdir is not None else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        start = start_configuration(first, state, n_atoms, protocol, work / "start.data", seed)
        results = {}
        dt0 = float(min(timesteps))
        for name in tqdm(names, desc="energy scan", disable=not progress):
            pot = potentials[name]
            relaxed = work / f"relaxed_{len(results)}.data"
            run_from(pot, start, [f"timestep {dt0!r}",
                                  f"fix _sd_int all nvt temp {temperature!r} {temperature!r} {protocol.tdamp!r}",
                                  f"run {relax}", f"write_data {relaxed} nocoeff"]).close()
            series = potential_nve_scan(pot, relaxed, timesteps, t_total, work / f"nve_{len(results)}")
            results[name] = EnergyConservation().compute({dt / tau: e for dt, e in series.items()})
    return EnergyScan(results)


# --------------------------------------------------------------------------
# two- and three-body probes
# --------------------------------------------------------------------------
def probe_distances(r_min: float, r_max: float, n: int = 60) -> np.ndarray:
    return np.linspace(float(r_min), float(r_max), int(n))


@dataclass
class Probe:
    """Energies and forces of isolated pairs and triplets (NaN where a potential refused)."""

    r: np.ndarray
    angles: np.ndarray
    r_triplet: float
    pair_energy: dict[str, np.ndarray]
    pair_force: dict[str, np.ndarray]
    triplet_energy: dict[str, np.ndarray]
    errors: dict[str, str]

    def plot(self, ax=None):
        fig, axes = figure_axes(ax, 1, 3, figsize=(11, 3.4))
        for name in self.pair_energy:
            axes[0].plot(self.r, self.pair_energy[name], label=name)
            axes[1].plot(self.r, self.pair_force[name], label=name)
            axes[2].plot(self.angles, self.triplet_energy[name], label=name)
        axes[0].set_xlabel("$r$")
        axes[0].set_ylabel("$E$ (pair)")
        axes[1].set_xlabel("$r$")
        axes[1].set_ylabel("$F_x$ on the moving particle")
        axes[2].set_xlabel(f"angle [deg] (two arms of length {self.r_triplet:g})")
        axes[2].set_ylabel("$E$ (triplet)")
        axes[0].legend(fontsize="small")
        fig.tight_layout()
        return fig

    def write(self, folder: str | Path) -> Path:
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        fig = self.plot()
        fig.savefig(out / "probe.png", dpi=120)
        with open(out / "probe.json", "w") as fh:
            json.dump({"r": self.r.tolist(), "angles": self.angles.tolist(), "errors": self.errors,
                       "pair_energy": {k: v.tolist() for k, v in self.pair_energy.items()},
                       "pair_force": {k: v.tolist() for k, v in self.pair_force.items()},
                       "triplet_energy": {k: v.tolist() for k, v in self.triplet_energy.items()}},
                      fh, indent=1)
        return out / "probe.png"


def probe(potentials: Mapping[str, Potential], r: Sequence[float], angles: Sequence[float] | None = None,
          r_triplet: float | None = None, box: float = 20.0, types: Sequence[int] = (1, 1, 1)) -> Probe:
    """Pair energy E(r) and force on the second particle (first fixed at the origin,
    second on the +x axis; Fig. 3.28), and the energy of a triplet with two arms of
    length ``r_triplet`` against the angle between them, in a cubic box of side ``box``.

    A potential that cannot evaluate such configurations (e.g. a Voronoi
    tessellation of two particles, or a kNN model with fewer than k atoms)
    gets NaN and its LAMMPS error message in ``errors``.
    """
    r = np.asarray(r, dtype=float)
    angles = np.linspace(30.0, 180.0, 31) if angles is None else np.asarray(angles, dtype=float)
    r_triplet = float(r_triplet if r_triplet is not None else r[len(r) // 2])
    c = 0.5 * box
    cell = np.diag([box, box, box]).astype(float)
    pair_frames = [Frame(positions=np.array([[c, c, c], [c + d, c, c]]), types=np.array(types[:2], np.int32),
                         cell=cell, energy=0.0, energies=np.zeros(2), forces=np.zeros((2, 3)),
                         virial=np.zeros((3, 3))) for d in r]
    tri_frames = []
    for a in np.radians(angles):
        pos = np.array([[c, c, c], [c + r_triplet, c, c],
                        [c + r_triplet * math.cos(a), c + r_triplet * math.sin(a), c]])
        tri_frames.append(Frame(positions=pos, types=np.array(types[:3], np.int32), cell=cell, energy=0.0,
                                energies=np.zeros(3), forces=np.zeros((3, 3)), virial=np.zeros((3, 3))))
    pe, pf, te, errors = {}, {}, {}, {}
    for name, pot in potentials.items():
        try:
            pr = evaluate_frames(pot, pair_frames)
            tr = evaluate_frames(pot, tri_frames)
            pe[name] = np.array([f.energy for f in pr])
            pf[name] = np.array([f.forces[1, 0] for f in pr])
            te[name] = np.array([f.energy for f in tr])
        except Exception as exc:  # noqa: BLE001 - LAMMPS raises plain Exception; reported, not hidden
            errors[name] = str(exc).splitlines()[0]
            pe[name] = np.full(len(r), np.nan)
            pf[name] = np.full(len(r), np.nan)
            te[name] = np.full(len(angles), np.nan)
    return Probe(r=r, angles=angles, r_triplet=r_triplet, pair_energy=pe, pair_force=pf, triplet_energy=te,
                 errors=errors)
