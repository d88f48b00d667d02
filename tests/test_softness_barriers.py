"""The Kramers fit recovers planted Delta E(S) and Sigma(S)."""

import numpy as np

from slowdyn.analysis.structure_dynamics.barriers import Barriers


def test_planted_barriers():
    rng = np.random.default_rng(5)
    temps = [0.5, 0.6, 0.7, 0.85, 1.0]
    de = lambda s: 2.0 - 0.5 * s          # noqa: E731  Delta E = e0 - e1 S
    sg = lambda s: 1.0 - 0.3 * s          # noqa: E731
    S, R = {}, {}
    for T in temps:
        s = rng.normal(size=400_000) * 1.2
        p = np.exp(sg(s) - de(s) / T) / T
        S[T], R[T] = s, rng.random(s.size) < p
    b = Barriers(bins=np.linspace(-2.5, 2.5, 11)).compute(S, R)
    c = b.centres
    # exact within a bin only for a uniform density: compare with the bin-averaged rule, within 4 sigma
    ok = np.isfinite(b.delta_e)
    assert ok.sum() == 10
    assert np.all(np.abs(b.delta_e - de(c)) < 4 * b.delta_e_err + 0.03)
    assert np.all(np.abs(b.sigma - sg(c)) < 4 * b.sigma_err + 0.05)
    slope, intercept = np.polyfit(c, b.delta_e, 1)
    assert abs(slope + 0.5) < 0.05 and abs(intercept - 2.0) < 0.05
