"""`slowdyn softness` rejects malformed input with one line, and its train -> apply chain runs."""

import numpy as np
import pytest

from cli_util import cli_error

pytest.importorskip("sklearn")
pytest.importorskip("freud")


def write_dump(path, frames, types, L, columns=("xu", "yu", "zu"), every=200):
    """A LAMMPS text dump of positions ``frames`` (F, N, 3) in a cubic box of side L."""
    with open(path, "w") as fh:
        for k, pos in enumerate(frames):
            fh.write(f"ITEM: TIMESTEP\n{k * every}\nITEM: NUMBER OF ATOMS\n{len(types)}\n"
                     f"ITEM: BOX BOUNDS pp pp pp\n0 {L}\n0 {L}\n0 {L}\n"
                     f"ITEM: ATOMS id type {' '.join(columns)}\n")
            for i, (t, p) in enumerate(zip(types, pos)):
                fh.write(f"{i + 1} {t} {p[0]:.10f} {p[1]:.10f} {p[2]:.10f}\n")
    return path


def hopping_lattice(n_frames=60, seed=0):
    """A jittered simple cubic lattice (5^3, spacing 1.1) where the particles with the closest nearest
    neighbour hop back and forth (height 0.6) and the others stay: structure (G at small r) tells the two apart."""
    rng = np.random.default_rng(seed)
    g = 1.1 * np.stack(np.meshgrid(*[np.arange(5.0)] * 3, indexing="ij"), -1).reshape(-1, 3)
    g += 0.15 * rng.normal(size=g.shape)
    types = np.where(np.arange(len(g)) % 5 == 0, 2, 1)
    frames = np.repeat(g[None], n_frames, axis=0) + 0.01 * rng.normal(size=(n_frames,) + g.shape)
    L = 5.5
    d = g[:, None] - g[None]
    d -= np.round(d / L) * L
    r = np.sqrt((d * d).sum(-1)) + 1e9 * np.eye(len(g))
    nn = r.min(axis=1)
    hop = nn < np.quantile(nn, 0.3)
    phase = rng.integers(0, 12, hop.sum())
    for k, i in enumerate(np.flatnonzero(hop)):          # back and forth every 12 frames: never 20 quiet frames
        frames[:, i, 1] += 0.6 * (((np.arange(n_frames) + phase[k]) // 12) % 2)
    return frames, types, L


@pytest.fixture
def dumps(tmp_path):
    frames, types, L = hopping_lattice()
    good = write_dump(tmp_path / "good.dump", frames, types, L)
    wrapped = write_dump(tmp_path / "wrapped.dump", frames, types, L, columns=("x", "y", "z"))
    short = write_dump(tmp_path / "short.dump", frames[:8], types, L)
    still = write_dump(tmp_path / "still.dump", np.repeat(frames[:1], 40, axis=0), types, L)
    return {"good": good, "wrapped": wrapped, "short": short, "still": still}


OPTS = ["--p-l", "0.01", "--quiet-time", "20", "--types", "1", "2", "--per-class", "40", "--quiet"]


def test_refusals(dumps, tmp_path, capsys):
    line = cli_error(["softness", "labels", str(dumps["wrapped"]), "--out", str(tmp_path / "o")], capsys)
    assert "wrapped coordinates" in line
    line = cli_error(["softness", "labels", str(dumps["short"]), "--out", str(tmp_path / "o")], capsys)
    assert "too few frames" in line
    line = cli_error(["softness", "train", str(dumps["still"]), *OPTS, "--out", str(tmp_path / "o")], capsys)
    assert "single-class" in line


def test_train_apply_and_foreign_classifier(dumps, tmp_path, capsys):
    from slowdyn.cli import main

    out = tmp_path / "clf"
    assert main(["softness", "train", str(dumps["good"]), *OPTS, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "CV accuracy" in printed
    acc = float(printed.split("CV accuracy ")[1].split(";")[0])
    assert acc > 0.8                     # hoppers have a close neighbour: the structure separates them
    assert main(["softness", "apply", str(out / "classifier.npz"), str(dumps["good"]), "--every", "20",
                 "--quiet", "--out", str(tmp_path / "app")]) == 0
    assert (tmp_path / "app" / "softness_1.lammpstrj").is_file()
    # a classifier trained on a one-type system refuses the two-type dump
    from slowdyn.analysis.structure_dynamics.softness import Softness
    clf = Softness.load(out / "classifier.npz")
    clf.description = dict(clf.description, species=[1])
    clf.save(tmp_path / "one_type.npz")
    line = cli_error(["softness", "apply", str(tmp_path / "one_type.npz"), str(dumps["good"]),
                      "--quiet", "--out", str(tmp_path / "app2")], capsys)
    assert "trained on" in line
    clf.description = dict(clf.description, species=[1, 2], delta=0.3)
    clf.save(tmp_path / "other_delta.npz")
    line = cli_error(["softness", "apply", str(tmp_path / "other_delta.npz"), str(dumps["good"]),
                      "--quiet", "--out", str(tmp_path / "app3")], capsys)
    assert "other features" in line
