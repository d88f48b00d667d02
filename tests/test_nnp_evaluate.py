"""Evaluation tools with exact oracles: the reference judged against itself scores
exactly zero; a Voronoi potential with gamma scaled by 1.1 has every energy and
force 10 % too large (errors known in closed form, angles zero); the pair and
triplet probes of Lennard-Jones equal the analytic potential."""

from __future__ import annotations

import json

import numpy as np
import pytest

from slowdyn.nnp import evaluate as ev
from slowdyn.nnp.data import atoms_to_frames, build_dataset, load_dataset_meta, read_frames, reference_potential
from slowdyn.runs.sampling import Potential

CONFIG = {
    "system": {"pair_style": "voronoi 1000 3.0", "type_names": ["A"], "n_atoms": 64},
    "grid": {"temperature": [1.0, 3.0], "density": [1.0]},
    "protocol": {"n_hot": 150, "n_cool": 150, "n_relax": 50, "n_frames": 3, "every": 25, "n_quench": 1,
                 "seed": 11},
    "split": {"valid": 0.0, "test": 0.5, "seed": 0},
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return build_dataset(CONFIG, tmp_path_factory.mktemp("nnpeval") / "ds", progress=False)


def test_reference_against_itself_is_exact(dataset, tmp_path):
    ref = reference_potential(load_dataset_meta(dataset))
    cmp = ev.evaluate_dataset(dataset, ref, split="test")
    m = cmp.metrics
    assert m["frames"] == 4 and m["atoms"] == 4 * 64
    for key in ("E_RMSE_per_atom", "F_RMSE", "F_MAE", "V_RMSE_per_atom", "e_atom_RMSE", "F_RMSE/F_mean",
                "angle_mean_deg"):
        assert m[key] == 0.0, key
    assert m["F_mean"] > 0
    paths = cmp.write(tmp_path, label="self")
    for name in ("parity_energy", "parity_forces", "parity_atomic_energies", "force_histograms"):
        assert paths[name].stat().st_size > 1000
    assert json.loads(paths["metrics"].read_text())["F_RMSE"] == 0.0


def test_scaled_potential_errors_are_known(dataset):
    """gamma -> 1.1 gamma scales E, e_i, F and W by 1.1: every error is 0.1 x the reference norm."""
    ref = reference_potential(load_dataset_meta(dataset))
    scaled = Potential("voronoi 1100 3.0", type_names=ref.type_names)
    cmp = ev.evaluate_dataset(dataset, scaled, split="test")
    m = cmp.metrics
    fr = np.concatenate([f.forces for f in cmp.reference])
    e_pa = np.array([f.energy / len(f.types) for f in cmp.reference])
    ea = np.concatenate([f.energies for f in cmp.reference])
    assert m["F_RMSE"] == pytest.approx(0.1 * np.sqrt(np.mean(fr**2)), rel=1e-9)
    assert m["F_mean"] == pytest.approx(np.mean(np.linalg.norm(fr, axis=1)), rel=1e-12)
    assert m["F_RMSE/F_mean"] == pytest.approx(m["F_RMSE"] / m["F_mean"], rel=1e-12)
    assert m["E_RMSE_per_atom"] == pytest.approx(0.1 * np.sqrt(np.mean(e_pa**2)), rel=1e-9)
    assert m["e_atom_RMSE"] == pytest.approx(0.1 * np.sqrt(np.mean(ea**2)), rel=1e-9)
    assert m["angle_mean_deg"] < 1e-6
    # and the histogram data: |F_pred| - |F_ref| = 0.1 |F_ref|
    fp = np.concatenate([f.forces for f in cmp.predicted])
    np.testing.assert_allclose(np.linalg.norm(fp, axis=1) - np.linalg.norm(fr, axis=1),
                               0.1 * np.linalg.norm(fr, axis=1), rtol=1e-8)


def test_relabel_matches_stored_labels(dataset):
    """Without relabelling, the stored reference labels are used (8-decimal extxyz):
    the self-comparison error is then at the rounding level only."""
    ref = reference_potential(load_dataset_meta(dataset))
    m = ev.evaluate_dataset(dataset, ref, split="train", relabel=False).metrics
    assert 0 < m["F_RMSE"] < 1e-4 * m["F_mean"]


def test_force_angles_second_algorithm():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    cos = np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(ev.force_angles(a, b), np.degrees(np.arccos(cos)), atol=1e-9)
    np.testing.assert_allclose(ev.force_angles(a, -a), 180.0)
    assert ev.force_angles(a, 2 * a).max() < 1e-12


def test_pair_and_triplet_probe_equal_lennard_jones():
    lj = Potential("lj/cut 4.0", ["* * 1.0 1.0"])
    r = ev.probe_distances(0.95, 2.5, 12)
    angles = np.array([60.0, 90.0, 120.0, 180.0])
    p = ev.probe({"lj": lj, "voronoi": Potential("voronoi 1000 3.0")}, r, angles=angles, r_triplet=1.1)
    phi = 4 * (r**-12 - r**-6)
    np.testing.assert_allclose(p.pair_energy["lj"], phi, rtol=1e-12)
    np.testing.assert_allclose(p.pair_force["lj"], 24 * (2 * r**-13 - r**-7), rtol=1e-12)
    d13 = 2 * 1.1 * np.sin(np.radians(angles) / 2)
    e3 = 2 * 4 * (1.1**-12 - 1.1**-6) + 4 * (d13**-12 - d13**-6)
    np.testing.assert_allclose(p.triplet_energy["lj"], e3, rtol=1e-12)
    # the Voronoi tessellation of two particles in a large box is not defined: reported, NaN
    assert "voronoi" in p.errors and np.isnan(p.pair_energy["voronoi"]).all()
    assert p.plot() is not None


def test_md_comparison_and_energy_scan(tmp_path):
    """Reference against itself: identical g(r) and SISF (deterministic runs);
    NVE energy fluctuations of Lennard-Jones scale ~ dt^2."""
    lj = Potential("lj/cut 2.5", ["* * 1.0 1.0"], commands=("pair_modify shift yes",))
    from slowdyn.runs.sampling import Protocol

    prot = Protocol(n_hot=200, n_cool=200, n_relax=100, minimize=True, t_hot=2.0, dt=0.002)
    md = ev.compare_md(lj, lj, temperature=1.0, density=0.85, n_atoms=108, steps=400, relax=100, n_rdf=4,
                       dt=0.002, protocol=prot, workdir=tmp_path / "md", r_max=2.3, bins=50, label="copy")
    assert list(md.rdf) == ["reference", "copy"]    # the label names the NNP in plots and tables
    np.testing.assert_array_equal(md.rdf["reference"], md.rdf["copy"])
    assert md.rdf["reference"].max() > 1.5  # a liquid's first peak
    np.testing.assert_array_equal(md.sisf["reference"]["fs_all_q1"], md.sisf["copy"]["fs_all_q1"])
    fs = md.sisf["reference"]["fs_all_q1"]
    assert fs[0] > 0.99 and fs[-1] < 0.9  # first lag is one step
    paths = md.write(tmp_path)
    assert paths["rdf"].stat().st_size > 1000 and paths["sisf"].stat().st_size > 1000

    scan = ev.energy_scan({"reference": lj, "copy": lj}, [0.001, 0.002, 0.004], temperature=1.0,
                          density=0.85, n_atoms=108, t_total=0.4, relax=100, protocol=prot)
    assert scan.exponents["reference"] == scan.exponents["copy"]
    assert 1.6 < scan.exponents["reference"] < 2.4
    assert scan.write(tmp_path).stat().st_size > 1000


def test_cli_evaluate(dataset, tmp_path):
    from slowdyn.cli import main

    out = tmp_path / "cli"
    assert main(["nnp", "evaluate", str(dataset), "--pair-style", "voronoi 1100 3.0", "--out", str(out),
                 "--quiet", "--max-frames", "2"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metrics"]["frames"] == 2 and summary["metrics"]["F_RMSE"] > 0
    assert "F_RMSE/F_mean" in (out / "metrics.txt").read_text()


def test_bad_inputs(dataset, tmp_path):
    ref = reference_potential(load_dataset_meta(dataset))
    with pytest.raises(FileNotFoundError, match="no valid frames"):
        ev.evaluate_dataset(dataset, ref, split="valid")
    with pytest.raises(FileNotFoundError, match="not a data set written by"):
        ev.evaluate_dataset(tmp_path, ref)
    two = Potential("lj/cut 2.5", ["* * 1 1"], type_names=("A", "B"))
    with pytest.raises(ValueError, match="the potential has 2 types, the data set 1"):
        ev.evaluate_dataset(dataset, two)
    frames = atoms_to_frames(read_frames(dataset / "test.extxyz"))
    with pytest.raises(ValueError, match="same nonzero number of frames"):
        ev.error_metrics(frames, frames[:1])


def test_lj_reference_runs_in_metal_units_for_deepmd(tmp_path):
    """pair_style deepmd needs units metal: an lj-unit reference against a metal-unit NNP is
    run in metal units (1 eV = epsilon, 1 A = sigma, 1 g/mol = m; T / k_B, dt x tau). The
    same LJ liquid in both unit systems then gives the same g(r) and F_s(q, t) (time in tau)."""
    from slowdyn.runs.sampling import Protocol

    lj = Potential("lj/cut 2.5", ["* * 1.0 1.0"], commands=("pair_modify shift yes",))
    lj_metal = Potential("lj/cut 2.5", ["* * 1.0 1.0"], commands=("pair_modify shift yes",), units="metal")
    prot = Protocol(n_hot=100, n_cool=100, n_relax=50, minimize=True, t_hot=2.0, dt=0.002)
    kw = dict(temperature=1.0, density=0.85, n_atoms=108, steps=200, relax=50, n_rdf=2, dt=0.002,
              protocol=prot, r_max=2.3, bins=40)
    a = ev.compare_md(lj, lj, workdir=tmp_path / "lj", **kw)
    b = ev.compare_md(lj, lj_metal, workdir=tmp_path / "metal", **kw)
    np.testing.assert_allclose(b.rdf["NNP"], a.rdf["reference"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(b.sisf["NNP"]["time"], a.sisf["reference"]["time"], rtol=1e-9)
    np.testing.assert_allclose(b.sisf["NNP"]["fs_all_q1"], a.sisf["reference"]["fs_all_q1"], rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="only lj and metal are converted"):
        ev.compare_md(lj, Potential("lj/cut 2.5", ["* * 1 1"], units="real"), workdir=tmp_path / "x", **kw)


def test_energy_scan_keeps_every_digit_of_the_total_energy(tmp_path):
    """std(E_tot) of the scan equals that of LAMMPS' own double-precision etotal, stepped
    one step at a time. (The scan used to read the potential energy from a fix ave/time
    file written with '%g', 6 digits: std(E) at dt = 0.001 came out 5 % high for this
    108-atom LJ liquid, 1.87e-3 against 1.78e-3.)"""
    from slowdyn.runs.sampling import Protocol, run_from

    lj = Potential("lj/cut 2.5", ["* * 1.0 1.0"], commands=("pair_modify shift yes",))
    prot = Protocol(n_hot=100, n_cool=100, n_relax=50, minimize=True, t_hot=2.0, dt=0.002)
    dts = [0.001, 0.002]
    scan = ev.energy_scan({"reference": lj}, dts, temperature=1.0, density=0.85, n_atoms=108, t_total=0.05,
                          relax=50, protocol=prot, workdir=tmp_path)
    table = dict(scan.results["reference"].table.tolist())
    for dt in dts:
        lmp = run_from(lj, tmp_path / "relaxed_0.data", [f"timestep {dt}", "fix 1 all nve", "thermo_modify norm no",
                                                          "run 0"])
        e = [lmp.get_thermo("etotal")]
        for _ in range(int(round(0.05 / dt))):
            lmp.command("run 1 pre no post no")
            e.append(lmp.get_thermo("etotal"))
        lmp.close()
        assert table[dt] == pytest.approx(np.std(e), rel=1e-6), dt
