"""DeePMD-kit route end to end on a tiny data set: `slowdyn nnp train --backend deepmd`
(dp --tf train + freeze, a few steps), then the frozen model in our LAMMPS:
`pair_style deepmd` equals DeePMD-kit's own Python inference, `hybrid/overlay`
with pair voronoi equals the sum of its parts, and 2 MPI ranks equal 1.

Needs the optional extra (pip install '.[deepmd]'); without it every test here
skips and says so."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import yaml

from slowdyn.nnp import deepmd
from slowdyn.nnp.data import atoms_to_frames, build_dataset, read_frames
from slowdyn.runs.sampling import Potential, evaluate_frames

OK, WHY = deepmd.available()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not OK, reason=f"DeePMD-kit route unavailable: {WHY}")]

DATA = {
    "system": {"pair_style": "voronoi 1000 3.0", "type_names": ["A"], "n_atoms": 64},
    "grid": {"temperature": [1.0, 2.0, 4.0], "density": [1.0]},
    "protocol": {"n_hot": 100, "n_cool": 100, "n_relax": 50, "n_frames": 3, "every": 20, "n_quench": 1,
                 "seed": 2},
    "split": {"valid": 0.3, "test": 0.3, "seed": 0},
}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    work = tmp_path_factory.mktemp("deepmd")
    dataset = build_dataset(DATA, work / "data", progress=False)
    cfg = {"dataset": str(dataset), "rcut": 2.5, "numb_steps": 10, "disp_freq": 5, "save_freq": 10,
           "embedding": [8, 16], "fitting": [16, 16]}
    (work / "train.yaml").write_text(yaml.safe_dump(cfg))
    from slowdyn.cli import main

    assert main(["nnp", "train", str(work / "train.yaml"), "--backend", "deepmd", "--out",
                 str(work / "model"), "--quiet"]) == 0
    path = work / "model" / "model.pb"
    assert path.exists()
    lcurve = deepmd.read_lcurve(work / "model" / "lcurve.out")
    assert lcurve["step"][-1] == 10
    return path, dataset


def _deepmd_potential(path, extra=None):
    style, coeff = deepmd.pair_lines(path)
    if extra is None:
        return Potential(style, coeff, units="metal")
    return Potential(f"hybrid/overlay {style} {extra}", ["* * deepmd", "* * voronoi"], units="metal")


INFER = """
import sys
import numpy as np
from deepmd.infer import DeepPot
d = np.load(sys.argv[2])
dp = DeepPot(sys.argv[1])
e, f, v, ae, av = dp.eval(d["coords"], d["cells"], d["atypes"], atomic=True)
np.savez(sys.argv[3], e=e, f=f, v=v, ae=ae)
"""


def test_lammps_equals_deepmd_python_inference(model, tmp_path):
    path, dataset = model
    frames = atoms_to_frames(read_frames(dataset / "test.extxyz"))
    lmp = evaluate_frames(_deepmd_potential(path), frames)
    np.savez(tmp_path / "in.npz", coords=np.array([f.positions.ravel() for f in frames]),
             cells=np.array([f.cell.ravel() for f in frames]), atypes=frames[0].types - 1)
    (tmp_path / "infer.py").write_text(INFER)
    subprocess.run([sys.executable, "infer.py", str(path), "in.npz", "out.npz"], cwd=tmp_path, check=True,
                   capture_output=True, text=True, timeout=600)
    ref = np.load(tmp_path / "out.npz")
    for k, fr in enumerate(lmp):
        assert fr.energy == pytest.approx(float(ref["e"][k].ravel()[0]), rel=1e-10)
        np.testing.assert_allclose(fr.forces, ref["f"][k].reshape(-1, 3), rtol=0,
                                   atol=1e-9 * np.abs(ref["f"][k]).max())
        np.testing.assert_allclose(fr.energies, ref["ae"][k].ravel(), rtol=0, atol=1e-9)
        # DeePMD's virial has the same sign convention as ours (-dE/d strain)
        np.testing.assert_allclose(fr.virial, ref["v"][k].reshape(3, 3), rtol=0,
                                   atol=1e-8 * np.abs(ref["v"][k]).max())


def test_hybrid_overlay_with_voronoi_is_the_sum(model):
    path, dataset = model
    frames = atoms_to_frames(read_frames(dataset / "test.extxyz"))[:2]
    dp = evaluate_frames(_deepmd_potential(path), frames)
    vo = evaluate_frames(Potential("voronoi 1000 3.0", units="metal"), frames)
    hy = evaluate_frames(_deepmd_potential(path, "voronoi 1000 3.0"), frames)
    for a, b, c in zip(dp, vo, hy):
        assert c.energy == pytest.approx(a.energy + b.energy, rel=1e-12)
        np.testing.assert_allclose(c.forces, a.forces + b.forces, rtol=0, atol=1e-9 * np.abs(c.forces).max())
        np.testing.assert_allclose(c.virial, a.virial + b.virial, rtol=0, atol=1e-9 * np.abs(c.virial).max())


RANKS = """
import sys
import numpy as np
from mpi4py import MPI
from slowdyn.nnp.data import atoms_to_frames, read_frames
from slowdyn.runs.sampling import Potential, evaluate_frames
frames = atoms_to_frames(read_frames(sys.argv[1]))[:2]
out = {}
for name, style, coeff in (("dp", "deepmd " + sys.argv[2], ["* *"]),
                           ("hy", "hybrid/overlay deepmd " + sys.argv[2] + " voronoi 1000 3.0",
                            ["* * deepmd", "* * voronoi"])):
    res = evaluate_frames(Potential(style, coeff, units="metal"), frames, comm=MPI.COMM_WORLD)
    out[name + "_f"] = np.array([f.forces for f in res])
    out[name + "_e"] = np.array([f.energy for f in res])
if MPI.COMM_WORLD.Get_rank() == 0:
    np.savez(sys.argv[3], size=MPI.COMM_WORLD.Get_size(), **out)
"""


def test_one_and_two_ranks(model, tmp_path, mpirun):
    pytest.importorskip("mpi4py", reason="mpi4py is a test dependency: pip install .[test]")
    path, dataset = model
    (tmp_path / "ranks.py").write_text(textwrap.dedent(RANKS))
    res = {}
    for n in (1, 2):
        subprocess.run([mpirun, "-np", str(n), sys.executable, "ranks.py", str(dataset / "test.extxyz"),
                        str(path), f"r{n}.npz"], cwd=tmp_path, check=True, capture_output=True, text=True,
                       timeout=600)
        res[n] = np.load(tmp_path / f"r{n}.npz")
    assert int(res[2]["size"]) == 2
    for name in ("dp", "hy"):
        np.testing.assert_allclose(res[2][name + "_e"], res[1][name + "_e"], rtol=1e-12)
        f1 = res[1][name + "_f"]
        np.testing.assert_allclose(res[2][name + "_f"], f1, rtol=0, atol=1e-10 * np.abs(f1).max())


def test_bad_model_inputs_are_lammps_errors(model):
    path, dataset = model
    frames = atoms_to_frames(read_frames(dataset / "test.extxyz"))[:1]
    style, _ = deepmd.pair_lines(path)
    with pytest.raises(Exception, match="element B not found in the model"):
        evaluate_frames(Potential(style, ["* * B"], units="metal"), frames)
    with pytest.raises(Exception, match="does not support unit style lj"):
        evaluate_frames(Potential(style, ["* *"], units="lj"), frames)
    with pytest.raises(Exception, match="Failed to open file"):
        evaluate_frames(Potential(f"deepmd {path.parent / 'missing.pb'}", ["* *"], units="metal"), frames)


def test_input_templates_follow_table_3_5(model):
    """The shipped configs: se_e2_a, r_cut 2.5/3.0/3.5, embedding 3 x 40, 16 axis neurons,
    fitting 25-50-100, W_F = 10."""
    from importlib import resources

    _, dataset = model
    root = resources.files("slowdyn.nnp") / "configs"
    for rc in ("2.5", "3.0", "3.5"):
        cfg = yaml.safe_load((root / f"deepmd_se_e2_a_rc{rc}.yaml").read_text())
        inp = deepmd.input_json({**cfg, "dataset": str(dataset)}, dataset)
        d = inp["model"]["descriptor"]
        assert d["type"] == "se_e2_a" and d["rcut"] == float(rc) and d["neuron"] == [40, 40, 40]
        assert d["axis_neuron"] == 16 and inp["model"]["fitting_net"]["neuron"] == [25, 50, 100]
        assert inp["loss"]["start_pref_f"] == inp["loss"]["limit_pref_f"] == 10.0
        assert inp["loss"]["start_pref_e"] == inp["loss"]["limit_pref_e"] == 1.0
