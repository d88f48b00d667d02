"""The shipped decks run (small) through lmp and through `slowdyn run`, and
leave data files LAMMPS can read back."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from slowdyn.cli import main as cli_main

from deck_util import active_pair_style

SMALL = ["-var", "N", "128", "-var", "neq", "200", "-var", "ncool", "200", "-var", "nrun", "200",
         "-var", "nthermo", "100", "-var", "ndump", "100", "-var", "nrelax", "200"]   # nrelax: voronoi only


@pytest.mark.parametrize("deck,natoms_line", [("voronoi/in.voronoi", "128 atoms"),
                                              ("voronoi_binary/in.voronoi_binary", "128 atoms")])
def test_deck_runs_with_lmp(tmp_path, repo, bindir, deck, natoms_line):
    out = subprocess.run([str(bindir / "lmp"), "-in", str(repo / "inputs" / deck), "-log", "log.lammps",
                          *SMALL], cwd=tmp_path, check=True, capture_output=True, text=True,
                         timeout=600).stdout
    assert natoms_line in out
    name = deck.split("/")[0]
    # every deck writes into the folder OUT (default: the deck's name)
    data, traj = tmp_path / name / "final.data", tmp_path / name / "traj.lammpstrj"
    assert data.is_file() and (tmp_path / name / "log.lammps").is_file()
    frames = traj.read_text().count("ITEM: TIMESTEP")
    assert frames == 3  # steps 0, 100, 200 of the NVE run


def test_deck_runs_with_slowdyn_run(tmp_path, repo, monkeypatch):
    monkeypatch.chdir(tmp_path)
    deck = repo / "inputs" / "voronoi_binary" / "in.voronoi_binary"
    args = ["run", str(deck), "--quiet", "--log", str(tmp_path / "log.lammps")]
    for k in range(0, len(SMALL), 3):
        args += ["-var", SMALL[k + 1], SMALL[k + 2]]
    args += ["-var", "out", str(tmp_path / "binary")]
    assert cli_main(args) == 0
    assert (tmp_path / "binary" / "final.data").is_file()
    assert active_pair_style(tmp_path / "binary" / "final.restart") == "voronoi/radical"


def test_voronoi_deck_output_folder(tmp_path, repo, bindir):
    """The main-job deck leaves its production in OUT/: fix sisf/msd table, thermo, mean temperature."""
    from slowdyn.analysis.io import read_sisf

    subprocess.run([str(bindir / "lmp"), "-in", str(repo / "inputs" / "voronoi" / "in.voronoi"), "-log", "none",
                    "-var", "N", "128", "-var", "neq", "200", "-var", "ncool", "200", "-var", "nrelax", "200",
                    "-var", "nrun", "200", "-var", "nthermo", "1", "-var", "out", "run"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=600)
    sisf = read_sisf(tmp_path / "run" / "sisf.dat")
    assert sisf["time"][0] == pytest.approx(0.01) and sisf["fs_all_q1"][0] < 1.0
    thermo = np.loadtxt(tmp_path / "run" / "thermo.dat")
    assert list(thermo[:, 0]) == list(range(201))
    # summary.txt: the mean kinetic temperature over every step of the production
    summary = (tmp_path / "run" / "summary.txt").read_text()
    mean_t = float(summary.split("mean temperature")[1].split(",")[0])
    assert mean_t == pytest.approx(thermo[:, 1].mean(), abs=2e-4)
    assert (tmp_path / "run" / "log.lammps").is_file()


def test_python_example_of_the_docs(tmp_path, repo):
    """The Python (MPI) example of doc/cli.md (also in the README) runs as written, in seconds."""
    import sys

    text = (repo / "doc" / "cli.md").read_text()
    code = text.split("```python\n")[-1].split("```")[0].replace("inputs/voronoi/in.voronoi",
                                                                 str(repo / "inputs" / "voronoi" / "in.voronoi"))
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True, text=True,
                         timeout=300).stdout
    assert "ranks = 1; F_s and MSD in py_run/sisf.dat" in out and "Step" in out   # thermo output is shown
    assert (tmp_path / "py_run" / "sisf.dat").is_file()
