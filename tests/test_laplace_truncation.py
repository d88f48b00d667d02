"""Truncation + exponential tail (slowdyn.analysis.laplace.truncation, Granz 2026
§4.2.5) before a Filon transform of noisy correlators."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.laplace.truncation import TailExtrapolation
from slowdyn.analysis.laplace.exponentials import ExponentialSum
from slowdyn.analysis.laplace.filon import fourier_laplace
from slowdyn.analysis.nnlt.data import NNLTGrids


def test_clean_exponential_is_continued_exactly():
    t = np.logspace(-3, 4, 400)
    f = 0.9 * np.exp(-t / 7.0)
    te = TailExtrapolation(threshold=1e-3, floor=1e-6).compute(t, f)
    a, b, n = te.fit
    assert a == pytest.approx(0.9, rel=1e-8) and b == pytest.approx(7.0, rel=1e-8) and n >= 4
    cut = np.nonzero(f < 1e-3)[0][0]
    np.testing.assert_array_equal(te.t[:cut], t[:cut])
    np.testing.assert_allclose(te.f, 0.9 * np.exp(-te.t / 7.0), rtol=1e-7)
    assert te.f[-1] < 1e-6 <= te.f[-2]
    np.testing.assert_allclose(np.diff(np.log(te.t))[cut:], np.log(t[1] / t[0]), rtol=1e-9)


def test_noisy_correlator_transform():
    """1e-3 Gaussian noise: the raw Filon transform is ruined at low omega,
    truncation + fitted tail brings it back to a few per cent."""
    g = NNLTGrids()
    es = ExponentialSum([0.4, 0.6], [2.0, 300.0])
    f = es.f(g.t) + 1e-3 * np.random.default_rng(1).normal(size=g.t.size)
    exact = es.fhat(g.omega)
    raw = np.abs(fourier_laplace(g.t, f, g.omega) / exact - 1)
    te = TailExtrapolation().compute(g.t, f)
    fixed = np.abs(fourier_laplace(te.t, te.f, g.omega) / exact - 1)
    assert raw.max() > 10
    assert fixed.max() < 0.05 and np.median(fixed) < 3e-3
    assert te.fit[1] == pytest.approx(300.0, rel=0.1)


def test_errors():
    t = np.linspace(0, 1, 50)
    with pytest.raises(ValueError, match="nothing to fit"):
        TailExtrapolation().compute(t, np.full(50, 1e-4))
    with pytest.raises(ValueError, match="never falls below the cut 0.001"):
        TailExtrapolation().compute(t, 0.5 + 0.5 * np.exp(-t))
    with pytest.raises(ValueError, match="do not decay"):
        TailExtrapolation().compute(t, np.concatenate([np.linspace(0.5, 0.9, 49), [0.0]]))
    with pytest.raises(RuntimeError, match="compute"):
        TailExtrapolation().f
    with pytest.raises(ValueError):
        TailExtrapolation(threshold=1e-6, floor=1e-3)
