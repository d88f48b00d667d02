"""The shipped decks run (small) through lmp and through `slowdyn run`, and
leave data files LAMMPS can read back."""

from __future__ import annotations

import subprocess

import pytest

from slowdyn.cli import main as cli_main

SMALL = ["-var", "N", "128", "-var", "neq", "200", "-var", "ncool", "200", "-var", "nrun", "200",
         "-var", "nthermo", "100", "-var", "ndump", "100"]


@pytest.mark.parametrize("deck,natoms_line", [("voronoi/in.voronoi", "128 atoms"),
                                              ("voronoi_binary/in.voronoi_binary", "128 atoms")])
def test_deck_runs_with_lmp(tmp_path, repo, bindir, deck, natoms_line):
    out = subprocess.run([str(bindir / "lmp"), "-in", str(repo / "inputs" / deck), "-log", "log.lammps",
                          *SMALL], cwd=tmp_path, check=True, capture_output=True, text=True,
                         timeout=600).stdout
    assert natoms_line in out
    name = deck.split("/")[0]
    # the one-component deck writes into the folder OUT (voronoi), the binary one OUT.* files
    data, traj = ((tmp_path / name / "final.data", tmp_path / name / "traj.lammpstrj") if name == "voronoi"
                  else (tmp_path / f"{name}.data", tmp_path / f"{name}.lammpstrj"))
    assert data.is_file()
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
    assert (tmp_path / "binary.data").is_file()
    log = (tmp_path / "log.lammps").read_text()
    assert "pair_style      voronoi/radical" in log or "voronoi/radical" in log
