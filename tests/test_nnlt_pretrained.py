"""The NNLT shipped with slowdyn (analysis/models/nnlt_2x1024.pt): its
metadata, its accuracy on held-out exponential sums, on analytic
transforms and on mctpy correlators, against the classical inversions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("torch")

from slowdyn.analysis.nnlt import (NNLTConfig, NNLTInputWarning, example_config, pretrained, pretrained_config,  # noqa: E402
                                  pretrained_path)
from slowdyn.analysis.laplace.pipeline import invert  # noqa: E402
from slowdyn.analysis.nnlt.data import NNLTGrids  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return pretrained()


def test_shipped_model_is_the_documented_training_run(model):
    assert pretrained_path().stat().st_size < 12e6
    cfg = NNLTConfig.from_yaml(pretrained_config())
    assert NNLTConfig.from_dict(model.config).model_key() == cfg.model_key()
    # the thesis setup, apart from the number of pairs, the run (epochs, learning rate, start model),
    # W_log, the hidden activation (GELU) and the added slow-mode pairs
    thesis = NNLTConfig.from_yaml(example_config()).to_dict()
    for key, value in cfg.to_dict().items():
        if key not in ("data", "extra_data", "init", "epochs", "lr", "lr_decay", "w_log", "activation", "out_dir",
                       "num_threads"):
            assert value == thesis[key], key
    same = {k: v for k, v in thesis["data"].items() if k not in ("n_samples", "seed")}
    assert {k: v for k, v in cfg.data.items() if k not in ("n_samples", "seed")} == same
    for extra in cfg.extra_data:
        assert {k: v for k, v in extra.items() if k not in ("n_samples", "seed", "slow_mode")} == same
    assert model.grids == NNLTGrids()
    h = model.history
    assert h["epoch"] == list(range(1, len(h["epoch"]) + 1)) and len(h["epoch"]) == cfg.epochs
    # trained: the validation loss fell from the first epoch (by > 5x from random weights,
    # by > 1.5x when fine-tuning, where the first epoch's large step unsettles the start model)
    assert h["val_loss"][-1] < h["val_loss"][0] / (1.5 if cfg.init else 5)


def held_out(model, seed: int, n: int, methods: tuple, condition: str = "clean") -> dict:
    """Mean errors ``{"METHOD/METRIC": value}`` of :class:`LaplaceReport` on its first ``n`` held-out pairs,
    only for ``methods`` and one input ``condition`` (cheaper than the whole report: the NNLT refinement
    and NNLS tails take 1-3 s CPU per pair)."""
    from slowdyn.analysis.validation.report import LaplaceReport

    summary = LaplaceReport(model=model, n_functions=n, seed=seed, methods=methods,
                            conditions=(condition,)).compute().summary()
    return {k.removeprefix(f"{condition}/"): v for k, v in summary.items()}


def test_held_out_pairs_generalise(model):
    """Fresh pairs (another seed) are inverted about as well as the validation
    split of the training run, and far better than by the inverse Filon method."""
    s = held_out(model, 20261121, 64, ("nnlt", "inverse_filon"))
    assert s["nnlt/mse"] < 3 * model.history["val_mse"][-1]
    assert s["nnlt/logmse"] < 3 * model.history["val_logmse"][-1]
    assert s["nnlt/rms"] < s["inverse_filon/rms"] / 10


def test_refined_held_out_pairs_reach_table_4_1_mse(model):
    """The data-consistency refinement of the network output (doc/nnlt.md: 3.5e-6 on
    200 pairs) is below the thesis' validation MSE of Table 4.1 (8.4e-6) and
    1.5x below the raw network (2.0x on these 48, 2.2x on 64); the log tails stay the network's
    (logMSE within 10 %) until NNLS tails replace them."""
    s = held_out(model, 20261122, 48, ("nnlt", "nnlt_refined", "nnlt_tails"))
    assert s["nnlt_refined/mse"] < 8.4e-6, s
    assert s["nnlt_refined/mse"] < s["nnlt/mse"] / 1.5, s
    assert s["nnlt_refined/logmse"] < 1.1 * s["nnlt/logmse"], s
    # the refined output with NNLS tails below 0.1 (laplace.tails): the tails, and with them the
    # logMSE, far better than the network's (measured on these 48: 2.0e-5, 1170x lower; on 64:
    # 3.6e-5, 1050x), below Table 4.1's 5.6e-5, the rest unchanged
    assert s["nnlt_tails/logmse"] < 5.59e-5, s
    assert s["nnlt_tails/logmse"] < s["nnlt/logmse"] / 300, s
    assert s["nnlt_tails/mse"] < 1.05 * s["nnlt_refined/mse"], s
    # 1e-3-noisy, cut and tail-extrapolated inputs: below NNLS (doc/nnlt.md: 8.8x on 200; 4.7x on these 16)
    n = held_out(model, 20261122, 16, ("nnlt_refined", "nnls"), "noisy")
    assert n["nnlt_refined/mse"] < n["nnls/mse"] / 2, n


@pytest.mark.parametrize("tau", [1.0, 1e4])
def test_single_exponential(model, tau):
    """1/(i omega + 1/tau) -> exp(-t/tau), given as a callable of omega, at the
    two modes of the training distribution (doc/nnlt.md lists other tau: the error
    grows to 0.022 RMS at 1e-4 and 0.018 at 1e8)."""
    f = model(lambda w: 1 / (1j * w + 1 / tau))
    assert np.sqrt(np.mean((f - np.exp(-model.t / tau)) ** 2)) < 0.01


@pytest.mark.parametrize("tau", [1e-3, 1 / 6.5**2, 1.0, 1e4])
def test_refined_single_exponential(model, tau):
    """The refinement cuts the max error of exp(-t/tau) 3x where the decay is resolved by
    the frequency window (tau >> 1/omega_max = 0.01), and does not make it worse (by more
    than 20 %) where it is not: there the data fix only the integral of the decay, and
    without the growing pull at t < 1/omega_max tau = 1e-3 came out with 1.9x the error."""
    fhat = 1 / (1j * model.omega + 1 / tau)
    f = np.exp(-model.t / tau)
    raw = np.abs(model(fhat) - f).max()
    refined = np.abs(invert(fhat, method="nnlt_refined", model=model)[1] - f).max()
    assert refined < (raw / 3 if tau >= 1 else 1.2 * raw), (raw, refined)


def test_input_that_has_not_decayed_warns(model):
    """exp(-t/tau) with tau = 3e9 is still 0.04 at t_max = 1e10 (every training
    function is below 1e-8 there): the call warns, with the relaxation time
    read from the phase. tau = 1e-5 and 1e8 (decayed) do not warn."""
    with pytest.warns(NNLTInputWarning, match=r"relaxation time 3e\+09"):
        model(lambda w: 1 / (1j * w + 1 / 3e9))
    assert model.slow_tau(1 / (1j * model.omega + 1e-8)) == pytest.approx(1e8, rel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NNLTInputWarning)
        for tau in (1e-5, 1e8):
            model(lambda w: 1 / (1j * w + 1 / tau))


def test_f12_errors_against_inverse_filon(model):
    """The issue's goal on F12 correlators: NNLT max and RMS errors at least
    10x below the inverse Filon method's (F2 v2 = 3.9 and F1 v1 = 0.9 were
    the two points the previous model missed in the max)."""
    pytest.importorskip("mctpy")
    from slowdyn.analysis.validation.f12 import F12Validation

    for r in F12Validation(model=model, points=[(0.0, 2.0), (0.0, 3.9), (0.9, 0.0)]).compute().results:
        e = r["errors"]
        assert e["nnlt"]["rms"] < e["inverse_filon"]["rms"] / 10, (r["label"], e)
        assert e["nnlt"]["max"] < e["inverse_filon"]["max"] / 10, (r["label"], e)


def test_simulated_brownian_sisf(model):
    """F_s(q, t) measured in a LAMMPS Brownian run (noisy, tail-extrapolated):
    the NNLT output is within 2x of its clean-input error and 10x below the
    inverse Filon error, both against the exact exp(-D q^2 t)."""
    from slowdyn.analysis.validation.brownian import BrownianSimulationInversion
    from slowdyn.runs.brownian import brownian_sisf

    measured = brownian_sisf([9.0], n_atoms=600, steps=5000, D=0.5)
    (r,) = BrownianSimulationInversion(measured, D=0.5, model=model).compute().results
    e, clean = r["noisy_errors"], r["errors"]
    assert e["nnlt"]["rms"] < 2 * clean["nnlt"]["rms"]
    assert e["nnlt"]["rms"] < e["inverse_filon"]["rms"] / 10


def test_near_critical_f2(model):
    """F2 at v2 = 3.999 (eps = 1e-3 below the critical point): a plateau at
    f_c = 1/2 out to t ~ 1e5. The NNLT max error here: 0.073 (tanh model
    before the slow-mode fine-tuning), 0.028 (tanh, fine-tuned), 0.0055 (the
    shipped GELU model); below 0.02 and 10x below the inverse Filon error."""
    pytest.importorskip("mctpy")
    from slowdyn.analysis.validation.critical import CriticalF12Validation

    (r,) = CriticalF12Validation(model=model, points=[(0.0, 4.0)]).compute().results
    e = r["errors"]
    assert e["nnlt"]["max"] < 0.02, e
    assert e["nnlt"]["max"] < e["inverse_filon"]["max"] / 10, e


def test_near_critical_exponents_after_refinement(model):
    """The issue's exponent goal: a and b from the refined NNLT output within 10 %
    of the same fit to mctpy's correlator, at the largest and smallest lambda of
    Tab. 4.2 and one between (all 14 in doc/nnlt.md: within 0.2 %). The raw network
    output meets it for 10 of 14 (b fails at these three points), its errors
    near the plateau being 0.004-0.012."""
    pytest.importorskip("mctpy")
    from slowdyn.analysis.validation.critical import CriticalF12Validation

    points = [(0.0, 4.0), (0.596621, 2.673622), (0.886558, 1.787064)]
    for r in CriticalF12Validation(model=model, points=points).compute().results:
        e = r["exponents"]
        for k in "ab":
            assert e["nnlt_refined"][k] == pytest.approx(e["mctpy"][k], rel=0.1), (r["label"], k, e)
        assert r["errors"]["nnlt_refined"]["max"] < r["errors"]["nnlt"]["max"] / 5, r["errors"]
