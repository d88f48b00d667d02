"""NNLT training data (slowdyn.analysis.nnlt.data): Granz 2026, §4.2.2 sampling,
§4.2.4 grids and the polar encoding of eq. 4.36."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.laplace.exponentials import ExponentialSum
from slowdyn.analysis.laplace.filon import fourier_laplace
from slowdyn.analysis.nnlt.data import NNLTGrids, TrainingData, encode_polar


@pytest.fixture(scope="module")
def data():
    return TrainingData(400, seed=11).compute()


def test_grids_are_the_thesis_grids():
    g = NNLTGrids()
    assert g.omega.size == 500 and g.t.size == 500
    assert g.omega[0] == pytest.approx(1e-12) and g.omega[-1] == pytest.approx(1e2)
    assert g.t[0] == pytest.approx(1e-6) and g.t[-1] == pytest.approx(1e10)
    np.testing.assert_allclose(np.diff(np.log(g.omega)), np.log(1e14) / 499)
    with pytest.raises(ValueError):
        NNLTGrids(omega_min=1.0, omega_max=0.1)


def test_sampling_rules(data):
    a, tau = data.amplitudes, data.tau
    nterm = (a > 0).sum(axis=1)
    assert nterm.min() >= 1 and nterm.max() <= 200
    assert nterm.max() - nterm.min() > 100  # uniform over [1, 200], not a constant
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-13)  # f(0) = 1
    assert np.all(a >= 0)
    # accepted functions decay inside the window
    t = data.grids.t
    assert np.all(data.f[:, 0] >= 0.99) and np.all(data.f[:, -1] <= 1e-8)
    # targets are the exponential sums on the output grid
    es = ExponentialSum(a[:5], tau[:5])
    np.testing.assert_allclose(data.f[:5], es.f(t), rtol=1e-13)
    np.testing.assert_allclose(data.fhat[:5], es.fhat(data.grids.omega), rtol=1e-13)


def test_log_tau_is_bimodal(data):
    logtau = np.log10(data.tau[data.amplitudes > 0])
    near1 = np.mean(np.abs(logtau - 0.0) < 0.5)
    near4 = np.mean(np.abs(logtau - 4.0) < 0.5)
    between = np.mean(np.abs(logtau - 2.0) < 0.5)
    assert near1 > 1.5 * between and near4 > 1.5 * between, (near1, near4, between)


def test_slow_mode_moves_the_plateau_later(data):
    """slow_mode (an extension, off by default) draws the second mode from a
    range: the functions stay up longer; without it, the §4.2.2 distribution."""
    slow = TrainingData(400, seed=11, slow_mode=(1e6, 1e8)).compute()
    i = np.searchsorted(data.grids.t, 1e6)
    # share of functions still above 0.1 at t = 1e6: 0.035 for §4.2.2, 0.69 here (seed 11)
    assert np.mean(slow.f[:, i] > 0.1) > 5 * np.mean(data.f[:, i] > 0.1) > 0
    assert np.all(slow.f[:, -1] <= 1e-8)  # same rejection
    assert slow.params()["slow_mode"] == [1e6, 1e8] and data.params()["slow_mode"] is None
    with pytest.raises(ValueError, match="slow_mode"):
        TrainingData(5, slow_mode=(1e4, 1e2))


def test_linear_tau_scale_is_the_literal_reading(data):
    """tau_scale="linear": tau ~ |N(m_i, sigma_i m_i)| with sigma_i in units of
    the mode, so the second mode's terms spread over about +-m_2 in tau
    (never beyond m_2 (1 + 5 sigma_max)) and the first mode's over about +-1."""
    lin = TrainingData(400, seed=11, tau_scale="linear", widths=(0.1, 1.0)).compute()
    tau = lin.tau[lin.amplitudes > 0]
    assert tau.max() < 1e4 * (1 + 5 * 1.0)
    assert np.mean(tau < 5.0) > 0.2 and np.mean((tau > 1e3) & (tau < 3e4)) > 0.2
    assert np.mean((tau > 10) & (tau < 100)) < 0.05  # the gap between the modes
    # the log-normal default reaches far beyond: 2-decade widths around 1e4
    assert data.tau[data.amplitudes > 0].max() > 1e6
    assert lin.params()["tau_scale"] == "linear"
    np.testing.assert_allclose(lin.amplitudes.sum(axis=1), 1.0, rtol=1e-13)
    with pytest.raises(ValueError, match="tau_scale"):
        TrainingData(5, tau_scale="ln")


def test_seeded_and_vectorised():
    a = TrainingData(50, seed=5, batch=64).compute()
    b = TrainingData(50, seed=5, batch=64).compute()
    c = TrainingData(50, seed=6, batch=64).compute()
    np.testing.assert_array_equal(a.f, b.f)
    np.testing.assert_array_equal(a.fhat, b.fhat)
    assert not np.array_equal(a.f, c.f)


def test_rejection_removes_functions_that_do_not_decay():
    loose = TrainingData(200, seed=2, f_start_min=0.0, f_end_max=1.0).compute()
    assert loose.n_rejected == 0
    strict = TrainingData(200, seed=2, f_end_max=1e-30, f_start_min=0.999).compute()
    assert strict.n_rejected > 0
    assert np.all(strict.f[:, -1] <= 1e-30) and np.all(strict.f[:, 0] >= 0.999)
    with pytest.raises(RuntimeError, match="rejected"):
        TrainingData(5, seed=2, f_end_max=0.0, f_start_min=1.0, batch=8).compute()
    with pytest.raises(RuntimeError, match="compute"):
        TrainingData(5).f


def test_fhat_agrees_with_filon_of_f(data):
    """Second algorithm for the training pairs: the forward Filon transform of
    a densely sampled f(t) reproduces the analytic f(omega)."""
    es = ExponentialSum(data.amplitudes[:3], data.tau[:3])
    t = np.logspace(-9, 12, 20000)
    omega = data.grids.omega[::50]
    fhat = fourier_laplace(t, es.f(t), omega)
    np.testing.assert_allclose(fhat, data.fhat[:3, ::50], rtol=1e-5)


def test_encode_polar_and_clipping():
    fhat = np.array([1 / (1j * 2.0 + 1.0), 1e-20 + 0j, -1.0 - 1j, 0.5 + 0.5j, np.nan + 0j])
    x = encode_polar(fhat, abs_clip=(1e-10, 1e12))
    logabs, ang = x[:5], x[5:]
    assert logabs[0] == pytest.approx(np.log10(1 / np.sqrt(5)))
    assert ang[0] == pytest.approx(np.arctan2(-2, 1))
    assert logabs[1] == pytest.approx(-10.0)            # |f| clipped
    assert ang[2] == pytest.approx(-np.pi / 2)          # Re f < 0: angle clipped
    assert ang[3] == 0.0                                # Im f > 0: angle clipped
    assert np.isfinite(x).all()
    assert np.all((ang >= -np.pi / 2) & (ang <= 0))
    # batched shape: (..., 2M)
    assert encode_polar(np.ones((3, 4), dtype=complex)).shape == (3, 8)
