"""NequIP route on a tiny data set: `slowdyn nnp train --backend nequip` trains from our
extxyz (type names mapped from the stand-in symbols), and the trained model, read
back through nequip's ASE calculator, gives forces equal to minus the gradient
of its energy on our frames and plugs into the evaluation tools.

Needs the optional extra (pip install '.[nequip]'); without it every test here
skips and says so."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.nnp import nequip as nq
from slowdyn.nnp.data import atoms_to_frames, read_frames

OK, WHY = nq.available()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not OK, reason=f"NequIP route unavailable: {WHY}")]

@pytest.fixture(scope="module")
def trained(nequip_model):
    """(best.ckpt, data set) of the tiny model trained once per session (conftest.py)."""
    return nequip_model


@pytest.fixture(scope="module")
def calc(nequip_calculator):
    return nequip_calculator


def test_forces_are_gradient_of_energy(trained, calc):
    from slowdyn.nnp.evaluate import label_with_calculator

    _, dataset = trained
    frame = atoms_to_frames(read_frames(dataset / "test.extxyz", index="-1:"))[0]
    base = label_with_calculator([frame], calc, ["A", "B"])[0]
    h = 1e-5
    for i, k in ((0, 0), (20, 1), (40, 2)):
        e = []
        for sign in (1, -1):
            fr = atoms_to_frames(read_frames(dataset / "test.extxyz", index="-1:"))[0]
            fr.positions[i, k] += sign * h
            e.append(label_with_calculator([fr], calc, ["A", "B"], per_atom=False)[0].energy)
        assert -(e[0] - e[1]) / (2 * h) == pytest.approx(base.forces[i, k], rel=1e-5, abs=1e-7)


def test_cpu_budget_stops_after_one_batch_with_a_checkpoint(trained):
    """max_cpu_minutes (conftest.py): the callback stops the fit after its first batch,
    Lightning still validates and writes best.ckpt, and the log says why."""
    import csv

    ckpt, _ = trained
    log = (ckpt.parent / "train.log").read_text()
    assert "CPU-time budget of 0 s spent at step 1 (epoch 0)" in log
    with open(next(ckpt.parent.glob("log/version_*/metrics.csv"))) as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {int(r["step"]) for r in rows} <= {0, 1}, rows


def test_type_mapping_matters(trained, calc):
    """Swapping the symbol -> type map changes the energy: types reach the model."""
    from nequip.integrations.ase import NequIPCalculator

    from slowdyn.nnp.evaluate import label_with_calculator

    ckpt, dataset = trained
    frame = atoms_to_frames(read_frames(dataset / "test.extxyz", index="-1:"))[0]
    e1 = label_with_calculator([frame], calc, ["A", "B"])[0].energy
    swapped = NequIPCalculator._from_saved_model(str(ckpt), device="cpu",
                                                 chemical_species_to_atom_type_map={"H": "B", "He": "A"})
    e2 = label_with_calculator([frame], swapped, ["A", "B"])[0].energy
    assert np.isfinite(e1) and e1 != e2


def test_evaluation_tools_take_the_calculator(trained, calc):
    from slowdyn.nnp.evaluate import FrameComparison, label_with_calculator

    _, dataset = trained
    frames = atoms_to_frames(read_frames(dataset / "test.extxyz"))
    cmp = FrameComparison(frames, label_with_calculator(frames, calc, ["A", "B"]))
    assert cmp.metrics["frames"] == len(frames) and cmp.metrics["F_RMSE"] > 0
    assert np.isfinite(cmp.metrics["F_RMSE/F_mean"])


def test_config_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown keys \\['lmax'\\]"):
        nq.train({"dataset": "x", "lmax": 1}, out_dir=tmp_path)
    with pytest.raises(ValueError, match="needs 'dataset'"):
        nq.train({"l_max": 1}, out_dir=tmp_path)
