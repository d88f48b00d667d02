"""splice_sisf joins a short-lag fix sisf/msd table (the -var nshort stage of
inputs/edbd_disks/in.edbd_disks) onto the production table: analytic tables,
bad pairs, and a small run of the deck whose first lag resolves the free
Brownian decay F_s = exp(-D0 q^2 t)."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from slowdyn.analysis.io.sisf import _expected_columns, load_sisf, read_sisf, splice_sisf
from slowdyn.analysis.io.tables import write_table

DT = 1e-4
DECK = "inputs/edbd_disks/in.edbd_disks"


def table(path, lags, q, dt=DT, columns=None):
    """A fix sisf/msd table of free Brownian motion in 2D (D0 = 1) at lags (steps) of timestep dt."""
    t = np.asarray(lags, float) * dt
    q = np.asarray(q, float)
    fs = np.exp(-np.outer(t, q**2))
    msd = 4 * t
    data = np.column_stack([lags, t, 1000 // np.asarray(lags), msd, np.zeros_like(t), fs,
                            msd, np.zeros_like(t), fs])
    names = columns or _expected_columns(q, ["all", "1"])
    with open(path, "w") as fh:
        fh.write("# slowdyn fix sisf/msd: test\n# q: " + " ".join(f"{v:g}" for v in q) + "\n# types: all 1\n")
        write_table(fh, names, data, fmt="%.12g")
    return path


SHORT_LAGS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28]
LONG_LAGS = [20 * j for j in (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32)]
Q = [2.0, 6.5, 10.0]


def test_splice_rows_and_values(tmp_path):
    s = table(tmp_path / "short.dat", SHORT_LAGS, Q)
    lo = table(tmp_path / "long.dat", LONG_LAGS, Q)
    out = tmp_path / "spliced.dat"
    res = splice_sisf(s, lo, out)
    assert res["n_short"] == 12                      # lags 1 ... 16 lie below the long table's first (20)
    assert np.array_equal(res["lag"], [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16] + LONG_LAGS)
    assert np.all(np.diff(res["time"]) > 0)
    # the written file is a fix sisf/msd table again, read by the pipeline's reader
    back = read_sisf(out)
    assert np.allclose(back["time"], np.asarray(res["lag"]) * DT, rtol=1e-9)
    data = load_sisf(out, q=10.0)[10.0]
    assert np.allclose(data[1], np.exp(-100 * data[0]), rtol=1e-9)
    assert back["norigin"][0] == 1000 and back["norigin"][12] == 50   # each row keeps its own origins


def test_splice_refuses_different_q(tmp_path):
    s = table(tmp_path / "short.dat", SHORT_LAGS, [2.0, 6.0, 10.0])
    lo = table(tmp_path / "long.dat", LONG_LAGS, Q)
    with pytest.raises(ValueError, match="different q lists"):
        splice_sisf(s, lo)
    s = table(tmp_path / "short2.dat", SHORT_LAGS, [2.0, 6.5])
    with pytest.raises(ValueError, match="different q lists"):
        splice_sisf(s, lo)


def test_splice_refuses_other_timestep_and_nothing_to_splice(tmp_path):
    lo = table(tmp_path / "long.dat", LONG_LAGS, Q)
    s = table(tmp_path / "short.dat", SHORT_LAGS, Q, dt=1e-5)
    with pytest.raises(ValueError, match="different timesteps"):
        splice_sisf(s, lo)
    s = table(tmp_path / "late.dat", [20, 40, 60], Q)
    with pytest.raises(ValueError, match="no lag below the first lag"):
        splice_sisf(s, lo)


def test_splice_refuses_different_columns(tmp_path):
    lo = table(tmp_path / "long.dat", LONG_LAGS, Q)
    names = _expected_columns(Q, ["all", "2"])
    s = table(tmp_path / "short.dat", SHORT_LAGS, Q, columns=names)
    with pytest.raises(ValueError, match="different columns"):
        splice_sisf(s, lo)


def test_deck_short_lag_stage(tmp_path, repo, bindir):
    """-var nshort: the short table starts at one step; its first lag is the free Brownian decay."""
    args = ["-var", "N", "200", "-var", "phi", "0.3", "-var", "dt", "1e-4", "-var", "ngrow", "2000",
            "-var", "nheal", "200", "-var", "neq", "200", "-var", "nrun", "2000", "-var", "nevery", "20",
            "-var", "nfreq", "2000", "-var", "nthermo", "1000", "-var", "qlist", "2 6.5 10"]
    out = subprocess.run([str(bindir / "lmp"), "-in", str(repo / DECK), "-log", "log.lammps", *args,
                          "-var", "nshort", "600"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:]
    d = tmp_path / "edbd_disks"
    short = read_sisf(d / "sisf_short_1.dat")
    assert short["lag"][0] == 1 and short["lag"][-1] == 28      # shortlevels 3: lags 1 ... 28 steps
    res = splice_sisf(d / "sisf_short_1.dat", d / "sisf_1.dat")
    assert res["time"][0] == pytest.approx(DT) and res["n_short"] == 12
    # one step of 1e-4 at phi = 0.3: few collisions, 1 - F_s = 1 - exp(-q^2 t) within 10 %
    for i, q in enumerate([2.0, 6.5, 10.0]):
        f = res[f"fs_all_q{i + 1}"][0]
        assert 1 - f == pytest.approx(1 - np.exp(-q * q * DT), rel=0.1)
    # the lag both tables hold (20 steps) agrees within the noise of 200 disks
    j = int(np.nonzero(short["lag"] == 20)[0][0])
    assert abs(short["fs_all_q3"][j] - res["fs_all_q3"][12]) < 0.02
    # default off: no short table without -var nshort
    out = subprocess.run([str(bindir / "lmp"), "-in", str(repo / DECK), "-log", "none", *args, "-var", "out", "plain"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:]
    assert (tmp_path / "plain" / "sisf_1.dat").exists() and not (tmp_path / "plain" / "sisf_short_1.dat").exists()


@pytest.mark.parametrize("bad, message", [(["-var", "nshort", "-1"], "nshort = -1 must be >= 0"),
                                          (["-var", "nshort", "100"], "shorter than 10 times its longest lag"),
                                          (["-var", "nshort", "1000", "-var", "shortevery", "10"],
                                           "shortevery = 10 must lie in [1, nevery = 10)")])
def test_deck_rejects_bad_short_stage(tmp_path, repo, bindir, bad, message):
    out = subprocess.run([str(bindir / "lmp"), "-in", str(repo / DECK), "-log", "none", *bad],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and message in out.stdout
