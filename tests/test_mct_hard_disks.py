"""The one hard-disk MCT model (slowdyn.analysis.mct.hard_disks): its shared-kernel models and
solution against mctpy's own, the critical packing fraction on each of the two q grids in use
(0.5 (k + 1): 0.68918; 0.4 (k + 1/4): 0.69035), the cached solution and grid errors."""

from __future__ import annotations

import numpy as np
import pytest

mct = pytest.importorskip("mctpy")  # test extra: mctpy + numba, scipy, h5py

from slowdyn.analysis.mct import (CLOSURE_GRID, VALIDATION_GRID, HardDiskGrid, HardDisks2D,  # noqa: E402
                                  critical_point, mct_solution)

SMALL = HardDiskGrid(dq=0.5, offset=1.0, n_q=40, h=1e-6, blocksize=64, blocks=34)


def test_both_grids_are_expressible():
    np.testing.assert_allclose(CLOSURE_GRID.q, 0.5 * (np.arange(60) + 1))
    np.testing.assert_allclose(VALIDATION_GRID.q, 0.4 * (np.arange(64) + 0.25))
    assert VALIDATION_GRID.index(6.5) == 16 and CLOSURE_GRID.index(2.0) == 3
    with pytest.raises(ValueError, match="not on the MCT grid"):
        CLOSURE_GRID.index(6.6)
    with pytest.raises(ValueError, match="HardDiskGrid"):
        HardDisks2D(0.5, VALIDATION_GRID.q)


def test_shared_kernel_models_equal_mctpy_models():
    rng = np.random.default_rng(1)
    coll, tagged = HardDisks2D(0.66, SMALL).models()
    sq = mct.structurefactors.hssFMT2d(0.66)
    ref = mct.simple_liquid_model_2d(sq, SMALL.q)
    ref_t = mct.tagged_particle_model_2d(ref, cs=sq)
    phi = rng.uniform(0, 1, SMALL.n_q)
    m1, m2 = np.zeros(SMALL.n_q), np.zeros(SMALL.n_q)
    ref.get_kernel()(m1, phi, 0, 0.0)
    coll.get_kernel()(m2, phi, 0, 0.0, *coll.kernel_extra_args())
    assert np.allclose(m2, m1, rtol=1e-11, atol=0)
    base = np.stack([phi, rng.uniform(0, 1, SMALL.n_q)])
    ref.set_base(base)
    coll.set_base(base)
    phis = rng.uniform(0, 1, SMALL.n_q)
    ref_t.get_kernel()(m1, phis, 1, 0.0, *ref_t.kernel_extra_args())
    tagged.get_kernel()(m2, phis, 1, 0.0, *tagged.kernel_extra_args())
    assert np.allclose(m2, m1, rtol=1e-11, atol=0)


@pytest.mark.slow
def test_solution_equals_mctpy_solution():
    """The time-domain solution with the shared kernels equals mctpy's own models' to 1e-11, and the
    stored kernels are mctpy's divided by q^2 (numba compiles mctpy's solver for its own models:
    about a minute on one core, whatever the grid size)."""
    g = HardDiskGrid(dq=0.5, offset=1.0, n_q=12, h=1e-6, blocksize=64, blocks=20)
    sq = mct.structurefactors.hssFMT2d(0.6)
    model = mct.simple_liquid_model_2d(sq, g.q)
    c = mct.correlator(model=model, store=True, h=g.h, blocksize=g.blocksize, blocks=g.blocks,
                       motion_type="brownian")
    s = mct.correlator(model=mct.tagged_particle_model_2d(model, cs=sq), base=c, store=True,
                       blocksize=g.blocksize, motion_type="brownian")
    mct.CorrelatorStack([c, s]).solve_all()
    sol = HardDisks2D(0.6, g).solve()
    t = np.asarray(s.t)
    keep = np.concatenate([[True], np.diff(t) > 0])
    assert np.array_equal(t[keep], sol.t)
    assert np.max(np.abs(np.asarray(c.phi)[keep] - sol.collective)) < 1e-11
    assert np.max(np.abs(np.asarray(s.phi)[keep] - sol.tagged)) < 1e-11
    np.testing.assert_allclose(sol.kernel, np.asarray(c.m)[keep] / g.q ** 2, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(sol.tagged_kernel, np.asarray(s.m)[keep] / g.q ** 2, rtol=1e-11, atol=1e-11)


def _last_bracket(low: float, high: float, tol: float, reported: float) -> tuple[float, float]:
    """The last bracket of critical_point's bisection from (low, high) if it returns ``reported``."""
    while high - low > tol:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if mid > reported else (mid, high)
    return low, high


@pytest.mark.parametrize("grid, bracket, tol, reported", [
    (CLOSURE_GRID, (0.6, 0.75), 1e-5, 0.68918),       # the closures' grid 0.5 (k + 1), k < 60
    (VALIDATION_GRID, (0.68, 0.70), 1e-4, 0.69035),   # the kernel validation's 0.4 (k + 1/4), k < 64
])
def test_critical_point_of_each_grid(grid, bracket, tol, reported):
    """The glass transition lies in the last bracket of the documented bisection, so the bisection
    (monotone in phi) returns the reported critical packing fraction of that grid: liquid
    (f = 0) at its lower end, glass (f(q) ~ 0.78 at the peak) at its upper end."""
    low, high = _last_bracket(*bracket, tol, reported)
    phi_c = critical_point(lambda p: HardDisks2D(p, grid).nonergodicity(), low, high, tol)
    assert round(phi_c, 5) == reported
    assert np.max(HardDisks2D(high, grid).nonergodicity()) > 0.5


def test_mct_solution_cache_and_settings(tmp_path):
    kw = {"n_q": 16, "h": 1e-6, "blocksize": 64, "blocks": 20}
    sol = mct_solution(0.3, cache_dir=tmp_path, **kw)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    again = mct_solution(0.3, cache_dir=tmp_path, **kw)
    for k in ("q", "t", "tagged", "tagged_kernel"):
        assert np.array_equal(sol[k], again[k])
    np.testing.assert_allclose(sol["q"], 0.4 * (np.arange(16) + 0.25))
    assert sol["t"][0] == 0 and np.all(np.diff(sol["t"]) > 0)
    with pytest.raises(ValueError, match="HardDiskGrid fields"):
        mct_solution(0.3, n_k=3)
