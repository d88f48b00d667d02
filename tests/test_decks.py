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
    assert (tmp_path / f"{name}.data").is_file()
    frames = (tmp_path / f"{name}.lammpstrj").read_text().count("ITEM: TIMESTEP")
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
    assert active_pair_style(tmp_path / "binary.restart") == "voronoi/radical"


def active_pair_style(restart) -> str:
    """The pair style that ran, as LAMMPS reports it from the restart file it wrote."""
    import slowdyn

    lmp = slowdyn.lammps(cmdargs=["-log", "none", "-screen", "none"])
    try:
        lmp.command(f"read_restart {restart}")
        return lmp.extract_global("pair_style")
    finally:
        lmp.close()
