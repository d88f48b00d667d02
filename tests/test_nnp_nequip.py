"""NequIP route on a tiny data set: `slowdyn nnp train --backend nequip` trains from our
extxyz (type names mapped from the stand-in symbols), and the trained model, read
back through nequip's ASE calculator, gives forces equal to minus the gradient
of its energy on our frames and plugs into the evaluation tools.

Needs the optional extra (pip install '.[nequip]'); without it every test here
skips and says so."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from slowdyn.nnp import nequip as nq
from slowdyn.nnp.data import atoms_to_frames, build_dataset, read_frames

OK, WHY = nq.available()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not OK, reason=f"NequIP route unavailable: {WHY}")]

DATA = {
    "system": {"pair_style": "voronoi/radical 1000 3.0", "pair_coeff": ["1 1 0.95", "2 2 1.05"],
               "type_names": ["A", "B"], "n_atoms": 48},
    "grid": {"temperature": [1.0, 2.0, 4.0], "density": [1.0], "composition": [0.5]},
    "protocol": {"n_hot": 100, "n_cool": 100, "n_relax": 50, "n_frames": 3, "every": 20, "n_quench": 1,
                 "seed": 2},
    "split": {"valid": 0.3, "test": 0.3, "seed": 0},
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    work = tmp_path_factory.mktemp("nequip")
    dataset = build_dataset(DATA, work / "data", progress=False)
    cfg = {"dataset": str(dataset), "r_max": 2.5, "l_max": 1, "num_layers": 1, "num_features": 4,
           "radial_mlp_width": 8, "max_epochs": 5, "batch_size": 2, "compile": False,
           # the CPU budget (a few ms) is spent by nequip-train's start-up: stop after one batch
           "max_cpu_minutes": 1e-4,
           "nequip": {"training_module": {"model": {"model_dtype": "float64"}}}}
    (work / "train.yaml").write_text(yaml.safe_dump(cfg))
    from slowdyn.cli import main

    assert main(["nnp", "train", str(work / "train.yaml"), "--backend", "nequip", "--out", str(work / "m"),
                 "--no-progress"]) == 0
    assert (work / "m" / "best.ckpt").exists()
    return work / "m" / "best.ckpt", dataset


def _calculator(ckpt):
    from nequip.integrations.ase import NequIPCalculator

    # the stand-in symbols of the data set (H, He) name the model's types A, B
    return NequIPCalculator._from_saved_model(str(ckpt), device="cpu",
                                              chemical_species_to_atom_type_map={"H": "A", "He": "B"})


def test_forces_are_gradient_of_energy(trained):
    from slowdyn.nnp.evaluate import label_with_calculator

    ckpt, dataset = trained
    calc = _calculator(ckpt)
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
    """max_cpu_minutes: the callback stops the fit after its first batch, Lightning still
    validates and writes best.ckpt (the fixture needed it), and says why in the log."""
    ckpt, _ = trained
    log = (ckpt.parent / "train.log").read_text()
    assert "CPU-time budget of 0 s spent at step 1 (epoch 0)" in log
    import csv

    rows = list(csv.DictReader(open(next(ckpt.parent.glob("log/version_*/metrics.csv")))))
    assert {int(r["step"]) for r in rows} <= {0, 1}, rows


def test_type_mapping_matters(trained):
    """Swapping the symbol -> type map changes the energy: types reach the model."""
    from nequip.integrations.ase import NequIPCalculator

    from slowdyn.nnp.evaluate import label_with_calculator

    ckpt, dataset = trained
    frame = atoms_to_frames(read_frames(dataset / "test.extxyz", index="-1:"))[0]
    e1 = label_with_calculator([frame], _calculator(ckpt), ["A", "B"])[0].energy
    swapped = NequIPCalculator._from_saved_model(str(ckpt), device="cpu",
                                                 chemical_species_to_atom_type_map={"H": "B", "He": "A"})
    e2 = label_with_calculator([frame], swapped, ["A", "B"])[0].energy
    assert np.isfinite(e1) and e1 != e2


def test_evaluation_tools_take_the_calculator(trained):
    from slowdyn.nnp.evaluate import FrameComparison, label_with_calculator

    ckpt, dataset = trained
    frames = atoms_to_frames(read_frames(dataset / "test.extxyz"))
    cmp = FrameComparison(frames, label_with_calculator(frames, _calculator(ckpt), ["A", "B"]))
    assert cmp.metrics["frames"] == len(frames) and cmp.metrics["F_RMSE"] > 0
    assert np.isfinite(cmp.metrics["F_RMSE/F_mean"])


def test_config_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown keys \\['lmax'\\]"):
        nq.train({"dataset": "x", "lmax": 1}, out_dir=tmp_path)
    with pytest.raises(ValueError, match="needs 'dataset'"):
        nq.train({"l_max": 1}, out_dir=tmp_path)
