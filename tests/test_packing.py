"""slowdyn.runs.packing and ``slowdyn pack``: target packing fraction reached,
no pair overlaps (checked by an independent O(N^2) search), the requested
polydispersity, and a data file LAMMPS reads back."""

from __future__ import annotations

import math

import numpy as np
import pytest

import slowdyn
from slowdyn.cli import main as cli_main
from slowdyn.runs.packing import draw_diameters, pack, packing_fraction, worst_overlap


def test_diameters_uniform_with_mean_one():
    d = draw_diameters(20000, 0.1, np.random.default_rng(0))
    assert d.mean() == pytest.approx(1.0, abs=1e-12)
    assert d.min() >= 0.9 / 1.001 and d.max() <= 1.1 / 0.999
    assert d.std() == pytest.approx(0.1 / math.sqrt(3.0), rel=0.02)    # uniform width


@pytest.mark.parametrize("dim,n,phi,growth", [(2, 300, 0.80, 3.0), (3, 150, 0.45, 1.0)])
def test_pack_reaches_phi_without_overlap(dim, n, phi, growth):
    result = pack(n, phi, dim=dim, poly=0.1, seed=4, growth_time=growth)
    assert result.phi == pytest.approx(phi, rel=1e-9)
    assert packing_fraction(result.diameters, result.box) == pytest.approx(phi, rel=1e-9)
    assert worst_overlap(result.positions, result.diameters, result.box) <= 1e-10
    assert np.all(result.positions >= 0) and np.all(result.positions < result.box)
    d = result.diameters
    assert d.mean() == pytest.approx(1.0, abs=1e-12)
    assert 0.8 * 0.1 / math.sqrt(3) < d.std() < 1.2 * 0.1 / math.sqrt(3)


def test_worst_overlap_sees_a_planted_overlap():
    x = np.array([[0.2, 0.2], [0.2, 9.9]])    # 0.3 apart through the boundary
    assert worst_overlap(x, np.array([1.0, 1.0]), np.array([10.0, 10.0])) == pytest.approx(0.7)


def test_cli_writes_a_data_file_lammps_reads(tmp_path, capsys):
    out = tmp_path / "disks.data"
    assert cli_main(["pack", "--n", "100", "--phi", "0.6", "--dim", "2", "--poly", "0.1",
                     "--seed", "2", "--out", str(out)]) == 0
    assert "phi 0.600000" in capsys.readouterr().out
    lmp = slowdyn.lammps()
    lmp.commands_list(["units lj", "dimension 2", "atom_style sphere", "boundary p p p",
                       f"read_data {out}", "timestep 1e-4", "fix 1 all edbd 1.0 1.0 3", "run 10"])
    radius = np.array(lmp.numpy.extract_atom("radius"), copy=True)
    area = lmp.get_thermo("lx") * lmp.get_thermo("ly")
    lmp.close()
    assert math.pi * np.sum(radius**2) / area == pytest.approx(0.6, rel=1e-9)


def test_bad_arguments():
    with pytest.raises(ValueError, match="must be 2 or 3"):
        pack(10, 0.3, dim=4)
    with pytest.raises(ValueError, match="phi"):
        pack(10, 0.9, dim=2)
    with pytest.raises(ValueError, match="poly"):
        pack(10, 0.3, poly=1.5)
