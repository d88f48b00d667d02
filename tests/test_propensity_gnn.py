"""The periodic kNN graph and the dynamic graph CNN of `slowdyn propensity train/predict`."""

import numpy as np
import pytest

from cli_util import cli_error

pytest.importorskip("freud")
torch = pytest.importorskip("torch")

from slowdyn.analysis.structure_dynamics.gnn import (  # noqa: E402
    GNNConfig, GNNTrainer, GraphSet, PropensityGNN, build_network, cubic_rotations)
from slowdyn.analysis.structure_dynamics.graph import knn_graph, minimum_image  # noqa: E402
from slowdyn.analysis.structure_dynamics.propensity import pearson  # noqa: E402
from slowdyn.cli import main  # noqa: E402


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks: one torch thread (two threads only contend on a loaded 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def brute_force(pts, cell, k, dim=3):
    """k nearest by the true minimum image (every neighbouring cell tried), nearest first."""
    d = minimum_image(pts[None, :, :] - pts[:, None, :], cell, dim)
    r = np.linalg.norm(d, axis=-1)
    np.fill_diagonal(r, np.inf)
    nb = np.argsort(r, axis=1, kind="stable")[:, :k]
    return nb, np.take_along_axis(d, nb[..., None], axis=1)


ORTHO = np.diag([6.0, 7.0, 8.0])
TRICLINIC = np.array([[6.0, 0.0, 0.0], [2.9, 7.0, 0.0], [-2.5, 3.4, 8.0]])   # tilts near half a length


@pytest.mark.parametrize("cell", [ORTHO, TRICLINIC], ids=["orthogonal", "triclinic"])
def test_periodic_knn_is_the_minimum_image_search(cell):
    rng = np.random.default_rng(3)
    frac = rng.uniform(0, 1, (250, 3))
    frac[:20, 0] = rng.choice([1e-9, 1 - 1e-9, 0.01, 0.99], 20)      # on and near the faces
    frac[20:30] = rng.uniform(-0.02, 0.02, (10, 3)) % 1.0              # around a corner
    pts = frac @ cell
    pts[30:40] += 2 * cell[0] - cell[2]                                # not wrapped: other images
    g = knn_graph(pts, cell, 10)
    nb, vec = brute_force(pts, cell, 10)
    assert np.array_equal(g.neighbours, nb)
    assert np.abs(g.vectors - vec).max() < 1e-12
    i, j = g.edge_index
    assert np.array_equal(j.reshape(250, 10), nb) and np.array_equal(i, np.repeat(np.arange(250), 10))
    # the open box (positions wrapped into it, no images) loses the neighbours across the faces
    open_box = knn_graph(pts, cell, 10, periodic=False)
    inside = (frac % 1.0) @ cell
    r = np.linalg.norm(inside[None] - inside[:, None], axis=-1) + np.diag(np.full(250, np.inf))
    assert np.array_equal(open_box.neighbours, np.argsort(r, axis=1, kind="stable")[:, :10])
    assert not np.array_equal(open_box.neighbours, nb)


def test_periodic_knn_2d_and_refusals():
    rng = np.random.default_rng(4)
    cell = np.array([[8.0, 0.0, 0.0], [3.0, 7.0, 0.0], [0.0, 0.0, 1.0]])
    pts = np.column_stack([rng.uniform(0, 1, (150, 2)) @ cell[:2, :2], np.zeros(150)])
    nb, vec = brute_force(pts, cell, 6, dim=2)
    g = knn_graph(pts, cell, 6, dim=2)
    assert np.array_equal(g.neighbours, nb) and np.abs(g.vectors - vec).max() < 1e-12
    with pytest.raises(ValueError, match="minimum image is ambiguous"):
        knn_graph(rng.uniform(0, 3, (40, 3)), np.eye(3) * 3, 30)
    with pytest.raises(ValueError, match="k = 40"):
        knn_graph(rng.uniform(0, 3, (40, 3)), np.eye(3) * 3, 40)


def random_model(n_types=2, seed=0, **kw):
    torch.manual_seed(seed)
    cfg = GNNConfig(k=8, widths=(8, 8), edge_hidden=8, head=(8,), dtype="float64", **kw)
    net = build_network(n_types, 2, 0, cfg).eval()
    return PropensityGNN(net, cfg, list(range(1, n_types + 1)), ["a", "b"], [1.0, 2.0])


def test_invariance_translation_permutation_cubic_symmetry():
    rng = np.random.default_rng(5)
    L = 5.0
    cell = np.eye(3) * L
    pts = rng.uniform(0, L, (120, 3))
    types = np.where(rng.uniform(size=120) < 0.7, 1, 2)
    model = random_model()
    ref, _ = model.predict(pts, types, cell, symmetrize=False)
    moved, _ = model.predict(pts + np.array([1.3, -7.7, 0.4]) * L / 3, types, cell, symmetrize=False)
    assert np.abs(moved - ref).max() < 1e-10
    perm = rng.permutation(120)
    permuted, _ = model.predict(pts[perm], types[perm], cell, symmetrize=False)
    assert np.abs(permuted - ref[perm]).max() < 1e-10
    sym, _ = model.predict(pts, types, cell)
    rots = cubic_rotations()
    assert len(rots) == 24 and np.allclose([np.linalg.det(r) for r in rots], 1.0)
    for rot in rots[[5, 17]]:                         # the cube onto itself: the same box, rotated particles
        turned, _ = model.predict(pts @ rot.T, types, cell)
        assert np.abs(turned - sym).max() < 1e-10
    assert np.abs(model.predict(pts @ rots[5].T, types, cell, symmetrize=False)[0] - ref).max() > 1e-6


def counts(pts, cell, radius=1.5):
    r = np.linalg.norm(minimum_image(pts[None] - pts[:, None], cell), axis=-1)
    np.fill_diagonal(r, np.inf)
    return (r < radius).sum(axis=1).astype(float)


def test_learns_the_neighbour_count(tmp_path):
    """A target planted as the number of neighbours within 1.5 (ideal gas, rho = 0.5): Pearson > 0.95."""
    rng = np.random.default_rng(0)
    L = (100 / 0.5) ** (1 / 3)
    cell = np.eye(3) * L
    pts = [rng.uniform(0, L, (100, 3)) for _ in range(10)]
    types = [np.where(rng.uniform(size=100) < 0.8, 1, 2) for _ in pts]
    data = GraphSet(pts, types, [cell] * 10, [counts(p, cell)[:, None] for p in pts])
    cfg = GNNConfig(k=12, widths=(16, 16), edge_hidden=16, head=(16,), epochs=15, lr=1e-2, lr_decay=0.95)
    run = GNNTrainer(cfg, data.subset(range(8)), data.subset([8, 9]), tmp_path, progress=False,
                     num_threads=1).run()
    model = PropensityGNN.load(tmp_path)
    for s in (8, 9):
        assert pearson(model.predict(pts[s], types[s], cell, symmetrize=False)[0][:, 0], counts(pts[s], cell)) > 0.95
    assert run.history["val_node_mse"][-1] < run.history["val_node_mse"][0]


def write_dump(path, pts, types, L, columns="id type x y z"):
    with open(path, "w") as fh:
        fh.write(f"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{len(pts)}\nITEM: BOX BOUNDS pp pp pp\n"
                 f"0 {L}\n0 {L}\n0 {L}\nITEM: ATOMS {columns}\n")
        for i, p in enumerate(pts):
            row = {"id": i + 1, "type": types[i], "x": p[0], "y": p[1], "z": p[2]}
            fh.write(" ".join(str(row[c]) for c in columns.split()) + "\n")
    return path


def test_predict_cli_and_refusals(tmp_path, capsys):
    rng = np.random.default_rng(6)
    L = 5.0
    pts = rng.uniform(0, L, (60, 3))
    types = np.where(rng.uniform(size=60) < 0.7, 1, 2)
    model = random_model()
    (tmp_path / "m").mkdir()
    model.save(tmp_path / "m" / "model.pt")
    good = write_dump(tmp_path / "good.dump", pts, types, L)
    main(["propensity", "predict", str(tmp_path / "m"), str(good), "--out", str(tmp_path / "o"), "--quiet"])
    table = np.loadtxt(tmp_path / "o" / "propensity.txt")
    expect, _ = model.predict(pts, types, np.eye(3) * L)
    assert table.shape == (60, 5) and np.abs(table[:, 3:] - expect).max() < 1e-6 * np.abs(expect).max()
    from slowdyn.analysis.io.dump import dump_columns

    assert dump_columns(tmp_path / "o" / "propensity.lammpstrj")[:6] == ("id", "type", "x", "y", "z", "propensity")
    untyped = write_dump(tmp_path / "untyped.dump", pts, types, L, columns="id x y z")
    line = cli_error(["propensity", "predict", str(tmp_path / "m"), str(untyped), "--out", str(tmp_path / "o")],
                     capsys)
    assert "no 'type' column" in line
    mixed = types.copy()
    mixed[:5] = 3
    three = write_dump(tmp_path / "three.dump", pts, mixed, L)
    line = cli_error(["propensity", "predict", str(tmp_path / "m"), str(three), "--out", str(tmp_path / "o")],
                     capsys)
    assert "trained for 2 particle types (1 2)" in line and "has 3 types (1 2 3)" in line
    (tmp_path / "bad.pt").write_bytes(b"not a model")
    line = cli_error(["propensity", "predict", str(tmp_path / "bad.pt"), str(good), "--out", str(tmp_path / "o")],
                     capsys)
    assert "not a readable" in line


def test_train_cli_resume_and_budget(tmp_path, capsys):
    """`propensity train` on a tiny data folder (the format of `propensity data`), resumed, then `predict`."""
    from slowdyn.analysis.structure_dynamics import propensity as P
    rng = np.random.default_rng(7)
    L, data = 5.0, tmp_path / "data"
    for sub in ("snapshots", "propensity"):
        (data / sub).mkdir(parents=True)
    snaps = []
    for s, split in enumerate(["train", "train", "test"]):
        pts = rng.uniform(0, L, (60, 3))
        types = np.where(np.arange(60) % 5 == 0, 2, 1)
        P.write_snapshot(data / "snapshots" / f"s{s}.lammpstrj", pts, types, np.eye(3) * L)
        y = np.column_stack([counts(pts, np.eye(3) * L), counts(pts, np.eye(3) * L, 1.2)])
        P.write_propensity(data / "propensity" / f"s{s}.txt", types, y, [0.5, 2.0], 1.0)
        snaps.append({"name": f"s{s}", "T": 1.0, "step": s, "split": split, "config": f"snapshots/s{s}.lammpstrj",
                      "propensity": f"propensity/s{s}.txt"})
    P.write_index(data, {"system": {"N": 60}, "time_fractions": [0.25, 1.0],
                         "temperatures": [{"T": 1.0, "tau_alpha": 2.0, "times": [0.5, 2.0]}], "snapshots": snaps})
    model = tmp_path / "model"
    opts = ["--k", "8", "--widths", "8", "8", "--quiet"]
    main(["propensity", "train", str(data), "--out", str(model), "--epochs", "2", *opts])
    main(["propensity", "train", str(data), "--out", str(model), "--epochs", "3", "--budget-min", "10", *opts])
    out = capsys.readouterr().out
    assert "3 epochs" in out
    gnn = PropensityGNN.load(model)
    assert gnn.history["epoch"] == [1, 2, 3] and gnn.times == [0.5, 2.0] and gnn.types == [1, 2]
    line = cli_error(["propensity", "train", str(data), "--out", str(model), "--epochs", "4", "--k", "6", "--quiet"],
                     capsys)
    assert "another config" in line
    line = cli_error(["propensity", "train", str(data), "--out", str(tmp_path / "m2"), "--budget-min", "0"], capsys)
    assert "--budget-min" in line
