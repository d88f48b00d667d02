"""The Lennard-Jones and Kob-Andersen decks run small through lmp, in every
variant, and leave a complete fix sisf/msd file."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from slowdyn.analysis.io import read_sisf

from deck_util import active_pair_style

SMALL = ["-var", "N", "250", "-var", "nmin", "200", "-var", "neq", "300", "-var", "nrun", "300",
         "-var", "nthermo", "100", "-var", "nfreq", "100"]


@pytest.mark.parametrize("deck,variant,types", [
    ("lennard_jones/in.lennard_jones", "es", ["all", "1"]),
    ("lennard_jones/in.lennard_jones", "fs", ["all", "1"]),
    ("kob_andersen/in.kob_andersen", "fs", ["all", "1", "2"]),
    ("kob_andersen/in.kob_andersen", "fs25", ["all", "1", "2"]),
    ("kob_andersen/in.kob_andersen", "wca", ["all", "1", "2"]),
])
def test_deck_runs_small(tmp_path, repo, bindir, deck, variant, types):
    name = deck.split("/")[0]
    proc = subprocess.run([str(bindir / "lmp"), "-in", str(repo / "inputs" / deck), "-log",
                           "log.lammps", *SMALL, "-var", "variant", variant],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "250 atoms" in proc.stdout
    style = {"es": "lj/cut", "fs": "lj/smooth/linear", "fs25": "lj/smooth/linear", "wca": "lj/cut"}
    assert active_pair_style(tmp_path / name / "final.restart") == style[variant]
    res = read_sisf(tmp_path / name / "sisf.dat")
    assert res["types"] == types
    assert res["lag"].max() >= 200 and res["header"]["NEVERY"] == "1"
    assert np.all(np.diff(res["msd_all"]) > 0)
    assert (tmp_path / name / "final.data").is_file() and (tmp_path / name / "log.lammps").is_file()


@pytest.mark.parametrize("deck", ["lennard_jones/in.lennard_jones", "kob_andersen/in.kob_andersen"])
def test_unknown_variant_stops(tmp_path, repo, bindir, deck):
    proc = subprocess.run([str(bindir / "lmp"), "-in", str(repo / "inputs" / deck), "-log", "none",
                           *SMALL, "-var", "variant", "bogus"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert "variant must be" in proc.stdout
