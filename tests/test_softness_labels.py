"""p_hop, the cumulative squared displacement and the training examples on planted trajectories."""

import numpy as np
import pytest

from slowdyn.analysis.io.dump import Trajectory
from slowdyn.analysis.structure_dynamics.labels import (cumulative_squared_displacement, phop,
                                                        rearrangement_examples)


def planted(n_frames=200, t0=80, jump=(0.3, -0.5, 0.2)):
    """Particle 0 jumps by ``jump`` between frames t0 - 1 and t0; particle 1 stays at rest."""
    pos = np.zeros((n_frames, 2, 3))
    pos[:, 1] = [1.5, 2.0, -3.0]
    pos[t0:, 0] = jump
    return pos


def test_phop_planted_jump_and_rest():
    t0, jump = 80, np.array([0.3, -0.5, 0.2])
    p = phop(planted(t0=t0, jump=jump), half_window=5)
    a2 = jump @ jump
    peak = a2 * np.sqrt(125 / 216)      # 5 of 6 frames on one side: (5/6 a^2) (5 a / 6)^2, square root
    np.testing.assert_allclose(p[[t0 - 1, t0], 0], peak, rtol=1e-12)
    assert np.nanargmax(p[:, 0]) in (t0 - 1, t0)
    # windows that do not straddle the jump: exactly zero, as for the particle at rest
    np.testing.assert_allclose(p[5:t0 - 5, 0], 0.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(p[t0 + 5:-5, 0], 0.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(p[5:-5, 1], 0.0, rtol=0, atol=1e-15)
    assert np.isnan(p[:5]).all() and np.isnan(p[-5:]).all()


def test_examples_lag_and_quiet_stretch():
    t0 = 80
    p = phop(planted(t0=t0, jump=(0.6, 0, 0)), half_window=5)
    ex = rearrangement_examples(p, dt=1.0, p_c=0.2, p_l=0.0085, quiet_time=120, lag=2)
    pos = ex.label > 0
    # rearranging at t0 - 1 and t0 (p_hop = 0.36 * 0.7607), structure 2 frames earlier
    assert sorted(ex.frame[pos]) == [t0 - 3, t0 - 2] and set(ex.particle[pos]) == {0}
    # particle 1 is quiet over frames 5 .. 194 (190 frames): one example, at the middle; particle 0's
    # quiet stretches (70 and 110 frames) are shorter than 120
    assert list(ex.particle[~pos]) == [1] and list(ex.frame[~pos]) == [(5 + 194) // 2]
    with pytest.raises(ValueError, match="single-class"):
        rearrangement_examples(p, quiet_time=120, lag=2, mask=np.array([False, True])).balanced()


def test_cumulative_squared_displacement():
    t0 = 80
    c = cumulative_squared_displacement(planted(t0=t0, jump=(0.6, 0, 0)), steps=10)
    np.testing.assert_allclose(c[t0:t0 + 10, 0], 0.036, rtol=1e-12)
    np.testing.assert_allclose(np.r_[c[10:t0, 0], c[t0 + 10:, 0], c[10:, 1]], 0.0, rtol=0, atol=1e-15)


def test_refusals():
    wrapped = Trajectory(steps=np.arange(20), positions=np.zeros((20, 2, 3)), types=np.ones(2, int),
                         cells=np.tile(np.eye(3), (20, 1, 1)), columns=("id", "type", "x", "y", "z"),
                         unwrapped=False)
    with pytest.raises(ValueError, match="wrapped coordinates"):
        phop(wrapped)
    with pytest.raises(ValueError, match="too few frames"):
        phop(np.zeros((10, 2, 3)), half_window=5)
