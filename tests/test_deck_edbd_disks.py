"""inputs/edbd_disks runs small through lmp (one replica and a two-partition
ensemble), reaches its packing fraction and writes F_s/MSD tables."""

from __future__ import annotations

import math
import subprocess

import numpy as np
import pytest

SMALL = ["-var", "N", "120", "-var", "phi", "0.72", "-var", "ngrow", "10000", "-var", "nheal", "500",
         "-var", "neq", "500", "-var", "nrun", "1000", "-var", "nfreq", "500", "-var", "nthermo", "500"]
DECK = "inputs/edbd_disks/in.edbd_disks"


def read_data(path):
    """Diameters, positions and box edge of a 2D atom_style sphere data file."""
    lines = path.read_text().splitlines()
    box = [float(v) for v in next(ln for ln in lines if ln.endswith("xlo xhi")).split()[:2]]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Atoms")) + 2
    rows = []
    for ln in lines[start:]:
        if not ln.strip():
            break
        rows.append([float(v) for v in ln.split()[:7]])
    rows = np.array(rows)
    return rows[:, 2], rows[:, 4:6], box[1] - box[0]


def test_deck_single_replica(tmp_path, repo, bindir):
    out = subprocess.run([str(bindir / "lmp"), "-in", str(repo / DECK), "-log", "log.lammps", *SMALL],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:]
    d, x, box = read_data(tmp_path / "edbd_disks" / "final_1.data")
    assert len(d) == 120
    assert d.mean() == pytest.approx(1.0, abs=1e-9)
    assert math.pi / 4 * np.sum(d**2) / box**2 == pytest.approx(0.72, rel=1e-9)
    dx = x[:, None, :] - x[None, :, :]
    dx -= box * np.round(dx / box)
    r = np.sqrt((dx**2).sum(-1)) + np.eye(len(d)) * 1e9
    assert np.min(r - 0.5 * (d[:, None] + d[None, :])) > -1e-10    # hard cores
    table = (tmp_path / "edbd_disks" / "sisf_1.dat").read_text()
    assert "# q: 2 3 4 5 6 7 8 9 10" in table
    log = (tmp_path / "edbd_disks" / "log_1.lammps").read_text()
    assert "Press" in log


def test_deck_rejects_bad_phi(tmp_path, repo, bindir):
    out = subprocess.run([str(bindir / "lmp"), "-in", str(repo / DECK), "-log", "none",
                          "-var", "phi", "0.9"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert "phi = 0.9 must lie in (0, 0.84)" in out.stdout


def test_deck_ensemble_with_partitions(tmp_path, repo, bindir, mpirun):
    out = subprocess.run([mpirun, "-np", "2", str(bindir / "lmp"), "-partition", "2x1",
                          "-in", str(repo / DECK), "-log", "log.lammps", *SMALL, "-var", "qlist", "2 6.5"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:]
    _, x1, _ = read_data(tmp_path / "edbd_disks" / "final_1.data")
    _, x2, _ = read_data(tmp_path / "edbd_disks" / "final_2.data")
    assert not np.allclose(x1, x2)    # different seeds per partition
    assert "# q: 2 6.5\n" in (tmp_path / "edbd_disks" / "sisf_2.dat").read_text()    # -var qlist reaches the fix
