"""slowdyn.analysis observables against analytic cases, and the
`slowdyn observe` CLI on a small Lennard-Jones run."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from slowdyn.analysis.io import read_sisf
from slowdyn.analysis.observables.energy import EnergyConservation, read_log_thermo
from slowdyn.runs.nve import run_nve_scan
from slowdyn.analysis.observables.structure import Structure
from slowdyn.analysis.observables.voronoi import VoronoiNeighbours
from slowdyn.cli import main as cli_main


def lattice(kind: str, n: int, a: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    basis = {"fcc": [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]],
             "bcc": [[0, 0, 0], [0.5, 0.5, 0.5]]}[kind]
    cells = np.array([[i, j, k] for i in range(n) for j in range(n) for k in range(n)], float)
    pos = (cells[:, None, :] + np.array(basis)[None]).reshape(-1, 3) * a
    return pos, np.eye(3) * n * a


@pytest.mark.parametrize("kind,count,dmin,dmax", [
    ("fcc", 12, 1 / np.sqrt(2), 1 / np.sqrt(2)),
    ("bcc", 14, np.sqrt(3) / 2, 1.0),
])
def test_voronoi_neighbours_of_crystals(kind, count, dmin, dmax):
    pos, cell = lattice(kind, 4)
    pos = pos + 1e-9 * np.random.default_rng(1).normal(size=pos.shape)
    vn = VoronoiNeighbours().compute([pos], [cell])
    d = vn.per_particle
    assert np.all(d["count"] == count)
    np.testing.assert_allclose(d["dmin"], dmin, atol=1e-6)
    np.testing.assert_allclose(d["dmax"], dmax, atol=1e-6)
    values, freq = vn.count_histogram()
    assert list(values) == [count] and freq[0] == 1.0
    s = vn.summary()     # one type for every summary(): dict[str, float]
    assert s["count/mean"] == count and s["count/std"] == 0.0 and s["dmax/max"] == pytest.approx(dmax, abs=1e-6)
    assert all(type(v) is float for v in s.values()) and len(s) == 16


def test_voronoi_and_energy_results_write_into_a_folder(tmp_path):
    """write(folder) of the observables: the table (what `slowdyn observe` writes) and the PNG."""
    pos, cell = lattice("bcc", 3)
    vn = VoronoiNeighbours().compute([pos + 1e-9], [cell])
    table, png = vn.write(tmp_path / "vor")
    assert table.parent == tmp_path / "vor" and png.read_bytes()[:4] == b"\x89PNG"
    rows = np.loadtxt(table)
    assert rows.shape == (len(pos), 4) and np.all(rows[:, 0] == 14)
    assert "count: mean 14 std 0 min 14 max 14" in table.read_text()
    ec = EnergyConservation().compute({dt: 3.0 * dt**2 * (np.tile([-1.0, 1.0], 50) + 7.0) for dt in (1e-3, 2e-3)})
    table, png = ec.write(tmp_path / "nve", source="in.deck")
    np.testing.assert_allclose(np.loadtxt(table), [[1e-3, 3e-6], [2e-3, 1.2e-5]], rtol=1e-9)
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_structure_ideal_gas_and_crystal_peak():
    rng = np.random.default_rng(2)
    cell = np.eye(3) * 10.0
    frames = [rng.uniform(0, 10, size=(1000, 3)) for _ in range(5)]
    types = np.repeat([1, 2], [800, 200])
    st = Structure(r_max=4.0, bins=40, k_max=10.0).compute(frames, types, [cell] * 5,
                                                          structure_factor=False)
    use = st.r > 1.0
    for key in ("all", (1, 1), (1, 2), (2, 2)):
        assert abs(st.rdf[key][use].mean() - 1.0) < 0.05
    pos, cell = lattice("fcc", 5)
    st = Structure(r_max=2.0, bins=200, k_max=12.0).compute([pos], np.ones(len(pos), int), [cell])
    assert abs(st.r[np.argmax(st.rdf["all"])] - 1 / np.sqrt(2)) < 0.02
    # first Bragg peak of fcc: |G(111)| = 2 pi sqrt(3) / a
    assert abs(st.k[np.nanargmax(st.sq["all"])] - 2 * np.pi * np.sqrt(3)) < 0.1


def test_energy_exponent_of_synthetic_series():
    pattern = np.tile([-1.0, 1.0], 500) + 7.0  # std exactly 1
    series = {dt: 3.0 * dt**2 * pattern for dt in (1e-3, 2e-3, 4e-3)}
    ec = EnergyConservation().compute(series)
    assert ec.exponent == pytest.approx(2.0, abs=1e-9)
    assert ec.prefactor == pytest.approx(3.0, rel=1e-9)
    with pytest.raises(RuntimeError):
        _ = EnergyConservation().exponent


@pytest.mark.slow
def test_nve_scan_force_shifted_lj_scales_as_dt_squared(tmp_path, repo):
    deck = repo / "inputs" / "lennard_jones" / "in.lennard_jones"
    series = run_nve_scan(deck, [0.0015, 0.003, 0.006], {
        "variant": "fs", "N": 256, "nmin": 300, "neq": 1000, "nrun": 600, "nthermo": 6,
        "nfreq": 500, "T": 1.0}, tmp_path)
    assert all(len(v) == 101 for v in series.values())
    ec = EnergyConservation().compute(series)
    assert ec.exponent == pytest.approx(2.0, abs=0.3)
    ec.plot().savefig(tmp_path / "energy.png")
    assert (tmp_path / "energy.png").stat().st_size > 1000
    assert read_log_thermo(tmp_path / "dt0.0015" / "log.lammps")[-1]["Step"][-1] == 600   # the deck's OUT/


def test_observe_cli_on_lj_run(tmp_path, repo, bindir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    deck = repo / "inputs" / "lennard_jones" / "in.lennard_jones"
    subprocess.run([str(bindir / "lmp"), "-in", str(deck), "-log", "none", "-var", "N", "200",
                    "-var", "nmin", "200", "-var", "neq", "200", "-var", "nrun", "200",
                    "-var", "nevery", "2", "-var", "ndump", "2", "-var", "nfreq", "100",
                    "-var", "q", "7.0"], check=True, capture_output=True, timeout=600)
    dump = str(tmp_path / "lennard_jones" / "traj.lammpstrj")
    assert cli_main(["observe", "selfdyn", dump, "--q", "7.0", "--timestep", "0.005",
                     "--out", "lj"]) == 0
    table = np.loadtxt("lj/selfdyn.txt")
    fix = read_sisf("lennard_jones/sisf.dat")
    # the dump holds the same samples as the fix: identical table (dump %.17g)
    np.testing.assert_array_equal(table[:, 0], fix["lag"])
    np.testing.assert_allclose(table[:, 3], fix["msd_all"], rtol=1e-10)
    np.testing.assert_allclose(table[:, 5], fix["fs_all_q1"], atol=1e-10)
    assert cli_main(["observe", "sisf", "lennard_jones/sisf.dat", "--out", "fix"]) == 0
    assert cli_main(["observe", "structure", dump, "--every", "20", "--rmax", "2.5",
                     "--kmax", "12", "--out", "lj"]) == 0
    assert cli_main(["observe", "voronoi", dump, "--every", "50", "--out", "lj"]) == 0
    for name in ("lj/selfdyn.txt", "lj/msd.png", "lj/fs.png", "fix/msd.png", "lj/gr.txt",
                 "lj/gr.png", "lj/sq.txt", "lj/sq.png", "lj/voronoi.txt", "lj/voronoi.png"):
        assert (tmp_path / name).stat().st_size > 200, name
    vor = np.loadtxt("lj/voronoi.txt")
    assert 12 < vor[:, 0].mean() < 17  # dense LJ liquid: ~14-15 Voronoi neighbours
