"""Training data from real LAMMPS runs: the stored labels equal a fresh evaluation
of the stored positions, energies are sums of per-atom energies, the virial is
the strain derivative of the energy, splits hold whole state points, and the
DeePMD npy export round-trips through dpdata."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from slowdyn.nnp.data import (DatasetConfig, atoms_to_frames, build_dataset, load_dataset_meta,
                              read_frames, reference_potential)
from slowdyn.runs.sampling import Frame, Potential, Protocol, StatePoint, evaluate_frames, state_grid

CONFIG = {
    "name": "tiny",
    "system": {"pair_style": "voronoi/radical 1000 3.0", "pair_coeff": ["1 1 0.95", "2 2 1.05"],
               "type_names": ["A", "B"], "masses": [1.0, 1.0], "n_atoms": 48},
    "grid": {"temperature": [1.0, 4.0], "density": [1.1], "composition": [0.5]},
    "protocol": {"n_hot": 150, "n_cool": 150, "n_relax": 50, "n_frames": 3, "every": 25, "n_quench": 2,
                 "seed": 3},
    "split": {"valid": 0.0, "test": 0.5, "seed": 1},
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("nnpdata") / "tiny"
    return build_dataset(CONFIG, out, progress=False)


def test_layout_and_metadata(dataset):
    meta = load_dataset_meta(dataset)
    assert meta["type_names"] == ["A", "B"]
    assert meta["versions"]["slowdyn"] and meta["versions"]["lammps"] and meta["versions"]["lammps_build"] > 0
    assert meta["config"] == CONFIG
    assert meta["frames"] == {"train": 5, "valid": 0, "test": 5}
    for name in ("train.extxyz", "valid.extxyz", "test.extxyz", "dataset.yaml"):
        assert (dataset / name).exists()


def test_split_by_state_point(dataset):
    meta = load_dataset_meta(dataset)
    labels = {}
    for split in ("train", "test"):
        atoms = read_frames(dataset / f"{split}.extxyz")
        labels[split] = {a.info["state"] for a in atoms}
        assert {a.info["split"] for a in atoms} == {split}
        assert labels[split] == {s["label"] for s in meta["splits"][split]}
        kinds = [a.info["kind"] for a in atoms]
        assert kinds.count("quench") == 2 and kinds.count("nve") == 3
    assert len(labels["train"]) == 1 and not labels["train"] & labels["test"]


def test_extxyz_contract(dataset):
    """The layout the training code reads: energy, forces, virial (3x3, = -stress V),
    per-atom energies and LAMMPS types, stand-in symbols by type."""
    for atoms in read_frames(dataset / "train.extxyz"):
        types = atoms.arrays["type"]
        assert set(types.tolist()) == {1, 2} and np.sum(types == 1) == 24
        assert [{1: "H", 2: "He"}[t] for t in types] == atoms.get_chemical_symbols()
        vir = atoms.info["virial"]
        assert vir.shape == (3, 3)
        np.testing.assert_allclose(vir, vir.T, rtol=0, atol=1e-9 * np.abs(vir).max())
        stress = atoms.get_stress(voigt=False)
        np.testing.assert_allclose(-stress * atoms.get_volume(), vir, rtol=1e-12, atol=1e-9)
        # total energy = sum of per-atom energies (compute pe/atom); extxyz keeps 8 decimals
        e = atoms.get_potential_energy()
        assert atoms.arrays["energies"].sum() == pytest.approx(e, rel=1e-10, abs=len(atoms) * 1e-8)


def test_labels_equal_fresh_evaluation(dataset):
    """A new LAMMPS instance, built from the stored positions alone, gives the stored
    energies, per-atom energies, forces and virial (to the 8 decimals of extxyz)."""
    meta = load_dataset_meta(dataset)
    stored = atoms_to_frames(read_frames(dataset / "test.extxyz"))
    fresh = evaluate_frames(reference_potential(meta), stored)
    for s, f in zip(stored, fresh):
        scale = np.abs(s.forces).max()
        # positions rounded to 1e-8 move Voronoi forces (gamma = 1000) by ~1e-5
        np.testing.assert_allclose(f.forces, s.forces, rtol=0, atol=1e-6 * scale)
        assert f.energy == pytest.approx(s.energy, rel=1e-9)
        np.testing.assert_allclose(f.energies, s.energies, rtol=0, atol=1e-6 * np.abs(s.energies).max())
        np.testing.assert_allclose(f.virial, s.virial, rtol=0, atol=1e-8 * np.abs(s.virial).max())
        assert f.energies.sum() == pytest.approx(f.energy, rel=1e-12)


def _energy_of(potential, frame, positions, cell):
    fr = Frame(positions=positions, types=frame.types, cell=cell, energy=0.0, energies=frame.energies,
               forces=frame.forces, virial=frame.virial)
    return evaluate_frames(potential, [fr])[0].energy


def test_virial_is_strain_derivative(dataset):
    """W = -dE/d(strain) with the positions strained affinely (central differences)."""
    meta = load_dataset_meta(dataset)
    pot = reference_potential(meta)
    frame = atoms_to_frames(read_frames(dataset / "test.extxyz", index="-1:"))[0]
    frame = evaluate_frames(pot, [frame])[0]  # labels of exactly these positions
    h = 1e-5
    for a, b in ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)):
        e = []
        for sign in (1, -1):
            eps = np.eye(3)
            eps[a, b] += sign * h
            # upper-triangular strain keeps the cell a LAMMPS cell (rows: box vectors)
            e.append(_energy_of(pot, frame, frame.positions @ eps.T, frame.cell @ eps.T))
        dEde = (e[0] - e[1]) / (2 * h)
        assert -dEde == pytest.approx(frame.virial[a, b], rel=1e-5, abs=1e-6 * np.abs(frame.virial).max())


def test_forces_are_energy_gradient(dataset):
    meta = load_dataset_meta(dataset)
    pot = reference_potential(meta)
    frame = evaluate_frames(pot, atoms_to_frames(read_frames(dataset / "train.extxyz", index="-1:")))[0]
    h = 1e-6
    for i, k in ((0, 0), (7, 1), (30, 2)):
        e = []
        for sign in (1, -1):
            x = frame.positions.copy()
            x[i, k] += sign * h
            e.append(_energy_of(pot, frame, x, frame.cell))
        assert -(e[0] - e[1]) / (2 * h) == pytest.approx(frame.forces[i, k], rel=1e-5, abs=1e-4)


def test_dpdata_round_trip(dataset):
    """DeePMD npy written by dpdata reads back (dpdata) to the same arrays as extxyz."""
    dpdata = pytest.importorskip("dpdata", reason="dpdata is part of the nnp extra: pip install .[nnp]")
    atoms = read_frames(dataset / "test.extxyz")
    systems = sorted((dataset / "deepmd" / "test").iterdir())
    assert len(systems) == 1
    s = dpdata.LabeledSystem(str(systems[0]), fmt="deepmd/npy")
    assert s.get_nframes() == len(atoms)
    assert s["atom_names"] == ["A", "B"]
    np.testing.assert_array_equal(s["atom_types"] + 1, atoms[0].arrays["type"])
    np.testing.assert_allclose(s["coords"], [a.get_positions() for a in atoms], rtol=0, atol=1e-8)
    np.testing.assert_allclose(s["energies"], [a.get_potential_energy() for a in atoms], rtol=1e-12)
    np.testing.assert_allclose(s["forces"], [a.get_forces() for a in atoms], rtol=0, atol=1e-8)
    np.testing.assert_allclose(s["virials"], [a.info["virial"] for a in atoms], rtol=1e-12, atol=1e-8)
    np.testing.assert_allclose(s["cells"], [a.get_cell()[:] for a in atoms], rtol=1e-14)


def test_state_grid_and_counts():
    grid = state_grid([0.5, 1.0], [1.0, 1.2], [0.0, 0.3, 1.0], ntypes=2)
    assert len(grid) == 12
    assert StatePoint(1.0, 1.0, (0.3, 0.7)).counts(250) == [75, 175]
    assert StatePoint(1.0, 1.0, (0.0, 1.0)).counts(10) == [0, 10]
    cfg = DatasetConfig.from_dict({**CONFIG, "grid": {"temperature": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                                                      "composition": [0.5]},
                                   "split": {"valid": 0.2, "test": 0.1, "seed": 4}})
    s = cfg.assign_splits()
    assert sorted(s["train"] + s["valid"] + s["test"]) == list(range(10))
    assert (len(s["train"]), len(s["valid"]), len(s["test"])) == (7, 2, 1)


@pytest.mark.parametrize("change, message", [
    ({"system": {**CONFIG["system"], "pair_style": ""}}, "pair_style is empty"),
    ({"system": {**CONFIG["system"], "masses": [1.0, 1.0, 1.0]}}, "masses has 3 entries"),
    ({"system": {**CONFIG["system"], "n_atoms": 1}}, "n_atoms must be >= 2"),
    ({"grid": {"temperature": [1.0], "composition": [1.5]}}, "fractions >= 0 that sum to 1"),
    ({"grid": {"temperature": [1.0]}}, "give grid.composition"),
    ({"grid": {"temperature": [-1.0], "composition": [0.5]}}, "temperatures must be > 0"),
    ({"protocol": {"n_frames": 0}}, "protocol.n_frames must be >= 1"),
    ({"protocol": {"nframes": 3}}, "unknown keys ['nframes'] in the protocol block"),
    ({"split": {"valid": 0.6, "test": 0.5}}, "must be >= 0 and leave a training share"),
    ({"grids": {}}, "unknown top-level keys ['grids']"),
])
def test_bad_config(change, message):
    with pytest.raises(ValueError) as info:
        DatasetConfig.from_dict({**CONFIG, **change})
    assert message in str(info.value)


def test_bad_pair_style_is_a_lammps_error(tmp_path):
    cfg = {**CONFIG, "system": {**CONFIG["system"], "pair_style": "no/such/style"}}
    with pytest.raises(Exception, match="Unrecognized pair style 'no/such/style'"):
        build_dataset(cfg, tmp_path / "bad", progress=False)


def test_evaluate_frames_rejects_foreign_types():
    pot = Potential("lj/cut 2.5", ["* * 1 1"])
    fr = Frame(positions=np.zeros((2, 3)) + [[0, 0, 0], [1, 0, 0]], types=np.array([1, 2]),
               cell=np.eye(3) * 5, energy=0, energies=np.zeros(2), forces=np.zeros((2, 3)),
               virial=np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"atom types \[1, 2\] but the potential has 1"):
        evaluate_frames(pot, [fr])


def test_lennard_jones_minimised_start():
    """A hard-core pair style from a random start: minimise, then the protocol runs."""
    from slowdyn.runs.sampling import sample_state_point

    pot = Potential("lj/cut 2.5", ["* * 1.0 1.0"])
    frames = sample_state_point(pot, StatePoint(1.0, 0.9), 64,
                                Protocol(n_hot=100, n_cool=100, n_relax=50, n_frames=2, every=20,
                                         n_quench=1, minimize=True, dt=0.002, t_hot=2.0), seed=5)
    assert [f.info["kind"] for f in frames] == ["quench", "nve", "nve"]
    for f in frames:
        assert np.all(np.isfinite(f.forces)) and np.abs(f.forces.sum(axis=0)).max() < 1e-9


MPI_SCRIPT = """
import sys
from mpi4py import MPI
from slowdyn.nnp.data import build_dataset
import yaml
cfg = yaml.safe_load(open(sys.argv[1]))
build_dataset(cfg, sys.argv[2], progress=False, comm=MPI.COMM_WORLD)
"""


@pytest.mark.slow
def test_state_points_over_mpi_ranks(tmp_path, mpirun, dataset):
    """Two ranks share the state points (one LAMMPS each) and write the same data set."""
    pytest.importorskip("mpi4py", reason="mpi4py is a test dependency: pip install .[test]")
    import yaml

    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(CONFIG))
    (tmp_path / "run.py").write_text(MPI_SCRIPT)
    subprocess.run([mpirun, "-np", "2", sys.executable, "run.py", "cfg.yaml", "out"], cwd=tmp_path,
                   check=True, capture_output=True, text=True, timeout=600)
    for split in ("train", "test"):
        a = read_frames(tmp_path / "out" / f"{split}.extxyz")
        b = read_frames(dataset / f"{split}.extxyz")
        assert len(a) == len(b)
        for x, y in zip(a, b):
            np.testing.assert_allclose(x.get_positions(), y.get_positions(), rtol=0, atol=1e-8)
            np.testing.assert_allclose(x.get_forces(), y.get_forces(), rtol=0, atol=1e-8)


def test_cli_data(tmp_path):
    import yaml

    from slowdyn.cli import main

    cfg = {**CONFIG, "name": "cli", "grid": {"temperature": [2.0], "composition": [0.25]},
           "protocol": {**CONFIG["protocol"], "n_frames": 1, "n_quench": 0}, "split": {"valid": 0, "test": 0}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg))
    assert main(["nnp", "data", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    atoms = read_frames(tmp_path / "o" / "train.extxyz")
    assert len(atoms) == 1 and np.sum(atoms[0].arrays["type"] == 1) == 12
    assert (tmp_path / "o" / "valid.extxyz").stat().st_size == 0
