"""The state-point library of binary mixtures: partial S^ab(k), the crystal test, the grid builder and its CLI."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from cli_util import cli_error

pytest.importorskip("freud")
pytest.importorskip("yaml")

from slowdyn.analysis.io.statepoints import StatePoint, load_library, read_state, write_state  # noqa: E402
from slowdyn.analysis.observables.structure import (  # noqa: E402
    Structure, fill_empty_bins, separable_partial_sk, solid_fraction)

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "inputs" / "kob_andersen" / "grids" / "tiny.yaml"


def binary(n=60, lengths=(3.0, 3.5, 4.0), seed=1):
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 1, (n, 3)) * np.asarray(lengths) - 0.3   # a few outside the box: periodic images
    types = np.where(np.arange(n) < int(0.8 * n), 1, 2)
    return pos, types, np.diag(lengths)


def test_partial_sk_equals_direct_double_sum():
    pos, types, cell = binary()
    L = np.diag(cell)
    edges = np.array([2.0, 3.1, 4.7, 6.0])
    counts, sq, _ = separable_partial_sk([pos], types, [cell], edges)
    # the direct sum: every wave vector of the box in the shell, one of each pair (k, -k)
    n = [np.arange(-int(edges[-1] * L[d] / (2 * np.pi)) - 1, int(edges[-1] * L[d] / (2 * np.pi)) + 2) for d in range(3)]
    ks = np.stack(np.meshgrid(*n, indexing="ij"), -1).reshape(-1, 3)
    ks = ks[(ks[:, 2] > 0) | ((ks[:, 2] == 0) & ((ks[:, 1] > 0) | ((ks[:, 1] == 0) & (ks[:, 0] > 0))))]
    kv = 2 * np.pi * ks / L
    kk = np.linalg.norm(kv, axis=1)
    for b in range(len(edges) - 1):
        sel = kv[(kk >= edges[b]) & (kk < edges[b + 1])]
        assert counts[b] == len(sel) > 0
        for (a1, a2) in ((1, 1), (1, 2), (2, 2)):
            ra, rb = pos[types == a1], pos[types == a2]
            d = ra[:, None, :] - rb[None, :, :]                      # every pair i in a1, j in a2
            direct = np.cos(np.einsum("kx,ijx->kij", sel, d)).sum(axis=(1, 2)).mean() / len(pos)
            assert sq[(a1, a2)][b] == pytest.approx(direct, rel=1e-10, abs=1e-12)


def test_partial_sk_large_k_limit_and_structure():
    """Random (ideal-gas) points: S^ab(k) = x_a delta_ab at every k; via Structure(method='separable')."""
    pos, types, cell = binary(n=200, lengths=(5.0, 5.0, 5.0), seed=3)
    st = Structure(r_max=2.0, bins=50, k_max=40.2, k_min=0.2, method="separable").compute(
        [pos, np.roll(pos, 1, axis=0)], types, [cell, cell])
    k = st.k
    assert k[0] == pytest.approx(0.2 + 0.4) and k[-1] == pytest.approx(40.2 - 0.4)
    high = k > 20
    assert np.nanmean(st.sq[(1, 1)][high]) == pytest.approx(0.8, abs=0.02)
    assert np.nanmean(st.sq[(2, 2)][high]) == pytest.approx(0.2, abs=0.02)
    assert np.nanmean(st.sq[(1, 2)][high]) == pytest.approx(0.0, abs=0.02)
    assert np.isnan(st.sq[(1, 1)][0])                      # k = 0.6 < 2 pi / 5: no wave vector
    filled, mask = fill_empty_bins(k, st.sq[(1, 1)])
    assert mask[0] and not mask[-1] and filled[0] == st.sq[(1, 1)][np.argmax(~mask)]
    assert np.isfinite(filled).all()


def test_crystal_detection_fcc_vs_liquid():
    rng = np.random.default_rng(0)
    base = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    fcc = np.array([np.array([i, j, k]) + b for i in range(4) for j in range(4) for k in range(4) for b in base])
    fcc = 1.6 * (fcc + rng.normal(0, 0.03, fcc.shape))
    assert solid_fraction(fcc, np.eye(3) * 6.4) > 0.9
    liquid = rng.uniform(0, 6.4, fcc.shape)
    assert solid_fraction(liquid, np.eye(3) * 6.4) < 0.05


def _state(name="lj_rho1.20_T1.000", fs=True, kp=7.2):
    k = 0.4 * np.arange(1, 101)
    S = np.vstack([0.8 + 0 * k, 0 * k, 0.2 + 0 * k])
    t = np.array([0.01, 0.1, 1.0])
    return StatePoint(name=name, potential="lj", rho=1.2, T=1.0, N=400, x=(0.8, 0.2), k=k, S=S, kp=kp,
                      t=t if fs else None, fs=np.vstack([0.8 * np.exp(-t), 0.2 * np.exp(-t)]) if fs else None)


def test_cli_errors(tmp_path, capsys):
    grid = tmp_path / "grid.yaml"
    grid.write_text("potentials: [lj]\ndensities: [1.2]\ntemperatures: [1.0]\nN: 100\nneq: 10\nnrun: 10\nseed: 1\n")
    line = cli_error(["mixture", "library", str(grid), "--out", str(tmp_path / "lib")], capsys)
    assert "missing key dt" in line
    grid.write_text("potentials: [lj, mors]\ndensities: [1.2]\ntemperatures: [1.0]\nN: 100\nneq: 10\nnrun: 10\n"
                    "seed: 1\ndt: 0.005\n")
    assert "potentials must be" in cli_error(["mixture", "library", str(grid), "--out", str(tmp_path)], capsys)
    lib = tmp_path / "lib"
    write_state(lib, _state())
    write_state(lib, _state("wca_rho1.20_T1.000", fs=False))
    assert len(load_library(lib)) == 2
    line = cli_error(["mixture", "library-show", str(lib), "--need-fs"], capsys)
    assert "wca_rho1.20_T1.000 has no fs.dat" in line
    info = json.loads((lib / "wca_rho1.20_T1.000" / "state.json").read_text())
    info["kp"] = 45.0
    (lib / "wca_rho1.20_T1.000" / "state.json").write_text(json.dumps(info))
    assert "outside the k grid" in cli_error(["mixture", "library-show", str(lib)], capsys)


def test_tiny_run_writes_a_state_and_rerun_skips(tmp_path, capsys):
    from slowdyn.cli import main

    lib = tmp_path / "lib"
    assert main(["mixture", "library", str(TINY), "--out", str(lib)]) == 0
    state = read_state(lib / "lj_rho1.20_T2.000")
    assert state.status == "ok" and state.N == 100 and state.x[0] == pytest.approx(0.8)
    assert state.S.shape == (3, 100) and state.k[-1] == pytest.approx(40.0)
    ip = int(np.argmin(abs(state.k - state.kp)))
    assert 6.0 <= state.kp <= 8.4 and state.S[0, ip] == state.S[0].max()
    # eq. (1): F_s^aa(k_p, t -> 0) -> S^aa(k_p) (the first lag is 0.01: ballistic decay < 1 %)
    assert state.fs[0, 0] == pytest.approx(state.S[0, ip], rel=0.01)
    assert state.fs[1, 0] == pytest.approx(state.S[2, ip], rel=0.01)
    assert not (lib / ".work").exists()
    stamp = (lib / "lj_rho1.20_T2.000" / "state.json").stat().st_mtime_ns
    capsys.readouterr()
    assert main(["mixture", "library", str(TINY), "--out", str(lib)]) == 0
    assert "done, skipped" in capsys.readouterr().out
    assert (lib / "lj_rho1.20_T2.000" / "state.json").stat().st_mtime_ns == stamp
    # the same state as one of two -partition replicas (the other: WCA) is the same run
    grid = tmp_path / "two.yaml"
    grid.write_text(TINY.read_text().replace("potentials: [lj]", "potentials: [lj, wca]"))
    assert main(["mixture", "library", str(grid), "--out", str(tmp_path / "lib2"), "--partition", "2"]) == 0
    again = read_state(tmp_path / "lib2" / "lj_rho1.20_T2.000")
    np.testing.assert_allclose(again.S, state.S, rtol=1e-12)
    np.testing.assert_allclose(again.fs, state.fs, rtol=1e-12)
    assert read_state(tmp_path / "lib2" / "wca_rho1.20_T2.000").has_dynamics
    shutil.rmtree(lib)


def test_grid_factors_and_longer_runs(tmp_path):
    from slowdyn.runs.statepoints import read_grid

    grid = tmp_path / "g.yaml"
    grid.write_text("potentials: [lj, wca]\ndensities: [1.2, 1.4]\n"
                    "t_mct: {lj: {1.2: 0.9, 1.4: 1.87}, wca: {1.2: 0.74, 1.4: 1.77}}\n"
                    "temperatures: {factors: [0.7, 0.9, 1.2]}\nN: {1.2: 400, 1.4: 500}\nneq: 10\nnrun: 20\n"
                    "dt: {1.2: 0.005, 1.4: 0.004}\nseed: 1\nlong_below: [0.95, 0.75]\nlong_factor: [2, 4]\n")
    states = {s.name: s for s in read_grid(grid).states}
    assert len(states) == 12
    s = states["wca_rho1.40_T1.239"]                     # 0.7 x 1.77
    assert (s.N, s.dt, s.neq, s.nrun) == (500, 0.004, 40, 80)
    assert states["lj_rho1.20_T0.810"].nrun == 40 and states["lj_rho1.20_T1.080"].nrun == 20
    assert min(s.qlist) < 7.25 * (1.4 / 1.2) ** (1 / 3) < max(s.qlist)
