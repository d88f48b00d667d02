"""NNLS tails for an inverse Laplace transform (slowdyn.analysis.laplace.tails):
the tail time read off a prior, the capped grids, the blend, and the recovery
of exact tails from a prior whose tails are wrong."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.laplace.exponentials import ExponentialSum
from slowdyn.analysis.laplace.metrics import error_metrics
from slowdyn.analysis.laplace.tails import SpectralTails, local_relaxation_time
from slowdyn.analysis.nnlt.data import NNLTGrids, TrainingData


def logmse(y, f):
    return float(np.mean(error_metrics(y, f)["logmse"]))


def test_local_relaxation_time_of_exponentials():
    t = NNLTGrids().t
    f = np.stack([np.exp(-t / 3.0), 0.5 * np.exp(-t / 2e4), np.full(t.size, 0.5), np.exp(-t / 1e12)])
    tau = local_relaxation_time(t, f, level=1e-8)
    assert tau[0] == pytest.approx(3.0, rel=1e-9)
    assert tau[1] == pytest.approx(2e4, rel=1e-9)
    assert tau[2] == np.inf                         # flat: no tail time
    assert tau[3] == pytest.approx(1e12, rel=1e-6)  # never below the level: the last interval


def test_grids_are_capped_at_the_prior_tail_time():
    st = SpectralTails(n_tau=(101, 201), cap=3.0)
    for grid in st.grids(100.0):
        assert grid.max() <= 300.0 and grid.max() > 300.0 / 10 ** (18 / 100)
    # a tail faster than the grid starts still leaves two relaxation times to fit
    assert all(g.size == 2 for g in st.grids(1e-9))


def test_blend_keeps_the_prior_above_the_switch_and_the_tail_below():
    st = SpectralTails(switch=(1e-3, 0.1))
    prior = np.array([0.5, 0.1, 1e-2, 1e-3, 1e-6])
    tail = np.array([0.4, 0.2, 2e-2, 5e-3, 1e-9])
    b = st.blend(prior, tail)
    assert b[:2] == pytest.approx(prior[:2], rel=1e-12)
    assert b[3:] == pytest.approx(tail[3:], rel=1e-12)
    assert b[2] == pytest.approx(np.sqrt(prior[2] * tail[2]), rel=1e-12)  # half-way in ln f


def test_wrong_tails_of_a_prior_are_replaced_by_the_exact_ones():
    """Exact sums of §4.2.2 with a prior whose slowest time is 3 % off (the
    network's tails are off by about 2 %): the NNLS tails bring the logMSE
    down by far and leave the prior untouched above 0.1."""
    g = NNLTGrids()
    data = TrainingData(6, grids=g, seed=31).compute()
    a, tau = data.amplitudes, data.tau.copy()
    rows = np.arange(len(tau))
    tau[rows, np.argmax(np.where(a > 0, tau, 0), axis=1)] *= 1.03
    prior = ExponentialSum(a, tau).f(g.t)
    st = SpectralTails().compute(g.omega, data.fhat, g.t, prior)
    before, after = logmse(prior, data.f), logmse(st.f, data.f)
    assert after < before / 300, (before, after)   # measured: 4.3e-3 -> 2.1e-6
    keep = prior >= 0.1
    assert np.array_equal(st.f[keep], prior[keep])
    assert st.tail.shape == prior.shape and np.all(st.tail >= 0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_tau=(1,)), "n_tau"), (dict(tau_range=(1.0, 0.5)), "tau_range"), (dict(alpha=-1.0), "alpha"),
    (dict(cap=1.0), "cap"), (dict(level=1.5), "level"), (dict(switch=(0.1, 1e-3)), "switch"),
])
def test_bad_settings_are_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SpectralTails(**kwargs)


def test_bad_shapes_are_errors():
    g = NNLTGrids()
    st = SpectralTails()
    with pytest.raises(ValueError, match="frequencies"):
        st.compute(g.omega, np.ones(3, complex), g.t, np.ones(g.n_t))
    with pytest.raises(ValueError, match="times"):
        st.compute(g.omega, np.ones(g.n_omega, complex), g.t, np.ones(3))
    with pytest.raises(ValueError, match="numbers of functions"):
        st.compute(g.omega, np.ones((2, g.n_omega), complex), g.t, np.ones((3, g.n_t)))
    with pytest.raises(RuntimeError, match="compute"):
        SpectralTails().f
