"""Propensity data sets: split, Pearson and propensity by hand, a tiny build end to end, a planted baseline,
bad inputs (slowdyn.analysis.structure_dynamics.propensity, slowdyn.runs.isoconfig.build_dataset)."""

import math
from pathlib import Path

import numpy as np
import pytest

from cli_util import cli_error
from slowdyn.analysis.structure_dynamics import propensity as P
from slowdyn.cli import main

#: the deck of this checkout (CI installs the package non-editable)
DECK = Path(__file__).resolve().parents[1] / "inputs" / "kob_andersen" / "in.kob_andersen"


def test_snapshot_split_never_shares_a_snapshot():
    for n in range(1, 25):
        for frac in (0.0, 0.1, 0.25, 0.5, 0.9):
            split = P.snapshot_split(n, frac)
            assert len(split) == n and set(split) <= {"train", "test"}
            n_test = split.count("test")
            assert split == ["train"] * (n - n_test) + ["test"] * n_test      # one held-out block at the end
            assert split.count("train") >= 1
            assert (n_test >= 1) == (n >= 2 and frac > 0)
    # the fit refuses a snapshot in both sets
    one = {"s0": ({"radial": np.zeros((3, 2))}, np.ones(3, int), np.zeros((3, 1)))}
    with pytest.raises(ValueError, match="both the training and the test set"):
        P.fit_baselines(one, one, ["ridge"])


def test_pearson_propensity_and_tau_by_hand():
    # x = 1 2 3, y = 1 2 5: sum dx dy = 4, sum dx^2 = 2, sum dy^2 = 78/9
    assert P.pearson([1, 2, 3], [1, 2, 5]) == pytest.approx(4 / math.sqrt(2 * 78 / 9), rel=1e-14)
    assert P.pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0, rel=1e-14)
    # two runs, two particles, frames 0 1 2: particle 0 moves (1,0,0) (2,0,0) in run 1, (0,1,0) (0,0,0) in run 2
    r1 = np.zeros((3, 2, 3))
    r2 = np.zeros((3, 2, 3))
    r1[1, 0, 0], r1[2, 0, 0] = 1.0, 2.0
    r2[1, 0, 1] = 1.0
    r1[1:, 1, 2] = 3.0                                   # particle 1 jumps by 3 in run 1 only
    curves = P.propensity_curves([r1, r2], [0, 1, 2])
    np.testing.assert_allclose(curves, [[0, 0], [1.0, 4.5], [2.0, 4.5]])
    np.testing.assert_allclose(P.species_msd(curves, np.array([1, 2])), [[0, 0], [1.0, 4.5], [2.0, 4.5]])
    # F = 0.5, 0.25 at t = 1, 2: 1/e is reached at ln t = ln 2 (0.5 - 1/e) / 0.25
    assert P.relaxation_time([1.0, 2.0], [0.5, 0.25]) == pytest.approx(2 ** ((0.5 - math.exp(-1)) / 0.25))
    assert math.isnan(P.relaxation_time([1.0, 2.0], [0.9, 0.8]))


def test_tiny_build_end_to_end(tmp_path):
    out = tmp_path / "data"
    main(["propensity", "data", "--N", "100", "--temperatures", "1.0", "--equilibration", "0.5", "--spacing", "0.5",
          "--snapshots", "2", "--replicas", "2", "--tau-alpha", "0.4", "--time-fractions", "0.1", "0.3", "1",
          "--t-plateau", "0.2", "--test-fraction", "0.5", "--deck", str(DECK), "--out", str(out)])
    data = P.load_dataset(out)
    train, test = data.select("train"), data.select("test")
    assert [s.name for s in train] == ["T1_s000"] and [s.name for s in test] == ["T1_s001"]
    for s in data.snapshots:
        assert s.positions.shape == (100, 3) and sorted(set(s.types)) == [1, 2] and (s.types == 1).sum() == 80
        L = (100 / 1.2) ** (1 / 3)
        np.testing.assert_allclose(np.diag(s.cell), L, rtol=1e-10)
        assert s.propensity.shape == (100, 3) and (s.propensity > 0).all()
        np.testing.assert_allclose(s.times, [0.04, 0.12, 0.4])
        # the per-configuration MSD at the late time is the species mean of the last propensity column
        assert s.msd_late["A"] == pytest.approx(s.propensity[s.types == 1, -1].mean(), rel=1e-4)
        assert 0 < s.msd_plateau["A"] < s.msd_late["A"]
        t, msd_a = np.loadtxt(out / s.entry["msd"], usecols=(0, 1), unpack=True)
        assert t[0] == 0 and msd_a[0] == 0 and t[-1] == pytest.approx(0.4)
    assert data.snapshots[1].entry["step"] == 100 and not (out / "runs").exists()


def _planted(folder: Path, n_snap: int = 3, n: int = 150, types_column: bool = True) -> None:
    """Ideal-gas configurations whose 'propensity' is a linear function of G_A(r = 3.0) and G_B(r = 2.0)."""
    rng = np.random.default_rng(4)
    (folder / "snapshots").mkdir(parents=True)
    (folder / "propensity").mkdir()
    cell = np.eye(3) * 14.0
    entries = []
    for s in range(n_snap):
        pos = rng.random((n, 3)) * 14.0
        types = np.where(np.arange(n) < 0.8 * n, 1, 2)
        G = P.descriptors(pos, types, cell, kernel="numpy")["radial"]
        y = 0.3 + 0.05 * G[:, 29] + 0.02 * G[:, 50 + 19]
        name = f"s{s}"
        P.write_snapshot(folder / "snapshots" / f"{name}.lammpstrj", pos, types, cell, fmt="%.10f")
        if not types_column:
            txt = (folder / "snapshots" / f"{name}.lammpstrj").read_text().replace("id type x y z", "id x y z")
            rows = [line.split() for line in txt.splitlines()]
            txt = "\n".join(" ".join(r[:1] + r[2:]) if len(r) == 5 and r[0].isdigit() else " ".join(r)
                            for r in rows)
            (folder / "snapshots" / f"{name}.lammpstrj").write_text(txt + "\n")
        P.write_propensity(folder / "propensity" / f"{name}.txt", types, y[:, None], [1.0], 1.0)
        entries.append({"name": name, "T": 1.0, "split": "test" if s == n_snap - 1 else "train",
                        "config": f"snapshots/{name}.lammpstrj", "propensity": f"propensity/{name}.txt"})
    P.write_index(folder, {"system": {"N": n}, "time_fractions": [1.0],
                           "temperatures": [{"T": 1.0, "tau_alpha": 1.0, "times": [1.0]}], "snapshots": entries})


def test_planted_linear_target_ridge_reaches_high_pearson(tmp_path):
    _planted(tmp_path / "data")
    main(["propensity", "baselines", str(tmp_path / "data"), "--models", "ridge", "--types", "1", "2",
          "--kernel", "numpy", "--out", str(tmp_path / "out")])
    table = np.loadtxt(tmp_path / "out" / "pearson.txt", ndmin=2)
    assert table.shape == (1, 9)
    assert table[0, 5] > 0.95 and table[0, 8] == 1          # pearson, n_snapshots
    assert (tmp_path / "out" / "pearson.png").stat().st_size > 0


def test_bad_inputs_are_one_line_errors(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    line = cli_error(["propensity", "baselines", str(tmp_path / "empty"), "--out", str(tmp_path / "o")], capsys)
    assert "no index.json" in line
    _planted(tmp_path / "notypes", n_snap=2, n=20, types_column=False)
    line = cli_error(["propensity", "baselines", str(tmp_path / "notypes"), "--kernel", "numpy",
                      "--out", str(tmp_path / "o")], capsys)
    assert "no 'type' column" in line
    line = cli_error(["propensity", "data", "--snapshots", "0", "--out", str(tmp_path / "d")], capsys)
    assert "snapshots" in line
    line = cli_error(["propensity", "data", "--tau-alpha", "2", "--spacing", "1", "--deck", str(DECK),
                      "--out", str(tmp_path / "d")], capsys)
    assert "raise spacing" in line
