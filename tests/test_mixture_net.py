"""The S(k) -> F_s(k_p, t) network of binary mixtures (slowdyn.analysis.structure_dynamics.fs_network;
Ciarella et al., Mach. Learn.: Sci. Technol. 4, 025010 (2023), §2.1)."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.io.statepoints import StatePoint, load_library, write_state
from slowdyn.analysis.structure_dynamics.fs_network import (FsNetConfig, FsNetwork, FsTrainer, r2_printed,
                                                            r2_standard, rows_of, split_states)


def synthetic_state(potential: str, rho: float, T: float, n_k: int = 20, n_t: int = 12,
                    dynamics: bool = True) -> StatePoint:
    """S^AA with a peak at k = 7 whose height grows as T drops; F_s = S(k_p) exp(-(t/tau)^0.8),
    tau = exp(2 (h - 1)) / T (slower for a higher peak)."""
    k = np.linspace(0.4, 40.0, n_k)
    h = 1.5 + 1.0 / T + (0.2 if potential == "lj" else 0.0)
    peak = np.exp(-(k - 7.0) ** 2 / 2.0)
    S = np.vstack([0.8 + (h - 0.8) * peak, -0.1 * peak, 0.2 + 0.3 * peak])
    kp = float(k[np.argmax(S[0])])
    t = np.logspace(-2, 3, n_t)
    tau = np.exp(2 * (h - 1)) / T
    fs = np.vstack([S[0].max() * np.exp(-(t / tau) ** 0.8), S[2].max() * np.exp(-(t / (0.6 * tau)) ** 0.8)])
    return StatePoint(name=f"{potential}_rho{rho:.2f}_T{T:.3f}", potential=potential, rho=rho, T=T, N=1000,
                      x=(0.8, 0.2), k=k, S=S, kp=kp, t=t if dynamics else None, fs=fs if dynamics else None)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("lib")
    for pot in ("lj", "wca"):
        for T in (0.8, 1.0, 1.5, 2.5, 4.0):
            write_state(root, synthetic_state(pot, 1.2, T))
    return root


def test_split_is_by_state(library):
    states = load_library(library)
    train, test = split_states(states, test_fraction=0.2, seed=3)
    assert set(train).isdisjoint(test) and len(test) == 2 and len(train) + len(test) == len(states)
    by = {s.name: s for s in states}
    xtr, _, otr = rows_of([by[n] for n in train], states[0].k)
    xte, _, ote = rows_of([by[n] for n in test], states[0].k)
    # no row of the test set has the static inputs of a training state
    tr_static = {tuple(np.round(r[:-1], 10)) for r in xtr}
    assert not any(tuple(np.round(r[:-1], 10)) in tr_static for r in xte)
    assert xtr.shape[1] == 3 * states[0].k.size + 4
    # transfer splits
    train, test = split_states(states, how="potential", train_potential="lj")
    assert all(by[n].potential == "lj" for n in train) and all(by[n].potential == "wca" for n in test)
    train, test = split_states(states, how="temperature", t0=1.5, tmct={("lj", 1.2): 1.0, ("wca", 1.2): 1.0})
    assert all(by[n].T > 1.5 for n in train) and all(by[n].T <= 1.5 for n in test)


def test_r2_definitions_by_hand():
    truth = np.array([1.0, 2.0, 3.0, 4.0])
    pred = np.array([1.0, 2.0, 2.0, 3.0])
    # SS_res = 0 + 0 + 1 + 1 = 2; mean(pred) = 2: SS_tot(pred) = 1 + 0 + 0 + 1 = 2; mean(truth) = 2.5: SS_tot = 5
    assert r2_printed(pred, truth) == pytest.approx(1 - 2 / 2)
    assert r2_standard(pred, truth) == pytest.approx(1 - 2 / 5)
    assert r2_printed(truth, truth) == 1.0 == r2_standard(truth, truth)
    # the printed one is not symmetric in (prediction, truth): swapping gives the standard one
    assert r2_printed(truth, pred) == pytest.approx(r2_standard(pred, truth))


def test_tiny_network_trains_and_resumes(library, tmp_path):
    states = load_library(library)
    cfg = FsNetConfig(hidden=(16, 16), epochs=6, lr=1e-2, batch_size=16, seed=1, test_fraction=0.2)
    tr = FsTrainer(states, tmp_path, cfg, progress=False).run()
    loss = tr.history["train_l1"]
    assert loss[-1] < 0.7 * loss[0]
    model = FsNetwork.load(tmp_path)
    assert set(model.test_states) == set(tr.test_names)
    t, f = model.predict(states[0])
    assert f.shape == (2, states[0].t.size)
    # resume: 6 more epochs continue the history of the first 6
    cfg2 = FsNetConfig(**{**cfg.__dict__, "epochs": 12})
    tr2 = FsTrainer(states, tmp_path, cfg2, progress=False).run()
    assert tr2.start_epoch == 6 and tr2.history["epoch"] == list(range(1, 13))
    assert tr2.history["train_l1"][:6] == loss


def test_bad_inputs_are_one_line_errors(library, tmp_path, capsys):
    from slowdyn.cli import main

    write_state(tmp_path / "lib", synthetic_state("lj", 1.2, 1.0))
    write_state(tmp_path / "lib", synthetic_state("lj", 1.2, 2.0, dynamics=False))
    with pytest.raises(SystemExit) as exc:
        main(["mixture", "train", str(tmp_path / "lib"), "--out", str(tmp_path / "m"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and "\n" not in err and "has no F_s" in err
    with pytest.raises(SystemExit):
        main(["mixture", "train", str(tmp_path / "nolib"), "--out", str(tmp_path / "m"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no such state-point library" in err
