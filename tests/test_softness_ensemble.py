"""Isoconfigurational ensembles with the Kob-Andersen deck: sequential runs equal -partition replicas."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from slowdyn.runs.isoconfig import run_ensemble

BIN = Path(sys.executable).parent
#: the deck of this checkout (CI installs the package non-editable, so the package has no source tree)
DECK = Path(__file__).resolve().parents[1] / "inputs" / "kob_andersen" / "in.kob_andersen"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    out = tmp_path_factory.mktemp("ka") / "start"
    lmp = shutil.which("lmp", path=str(BIN)) or shutil.which("lmp")
    subprocess.run([lmp, "-in", str(DECK), "-screen", "none", "-var", "N", "100", "-var", "nmin", "50",
                    "-var", "neq", "200", "-var", "nrun", "10", "-var", "out", str(out)], check=True,
                   capture_output=True)
    return out / "final.data"


def test_sequential_equals_partition(snapshot, tmp_path):
    from slowdyn.analysis.io import read_dump
    from slowdyn.analysis.structure_dynamics.isoconfig import propensity

    seq, _ = run_ensemble(snapshot, 0.8, 2, 400, 40, tmp_path / "seq", seed=3, mode="sequential", deck=DECK)
    if shutil.which("mpirun", path=str(BIN)) is None:
        pytest.skip("no mpirun next to this Python")
    par, _ = run_ensemble(snapshot, 0.8, 2, 400, 40, tmp_path / "par", seed=3, mode="partition", deck=DECK)
    a = [read_dump(p) for p in seq]
    b = [read_dump(p) for p in par]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.positions, y.positions)
    # the two replicas start from the same configuration and differ by their velocities
    np.testing.assert_array_equal(a[0].positions[0], a[1].positions[0])
    assert np.abs(a[0].positions[-1] - a[1].positions[-1]).max() > 1e-3
    assert propensity(a).shape == (100,)


def test_missing_snapshot(tmp_path):
    with pytest.raises(ValueError, match="no such data file"):
        run_ensemble(tmp_path / "none.data", 0.8, 2, 10, 5, tmp_path / "o")
