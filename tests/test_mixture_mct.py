"""Multicomponent MCT (slowdyn.analysis.mct.mixture): the kernels against mctpy's own, two identical
species against one component (non-ergodicity parameters and Newtonian correlators), f^ab(k) in a
glass and a liquid, the T_mct bisection on a family with a transition computed independently, the
library -> mctpy normalisation, and one-line errors. Percus-Yevick hard spheres on small grids."""

from __future__ import annotations

import numpy as np
import pytest

mct = pytest.importorskip("mctpy")  # test extra: mctpy + numba, scipy, h5py

from slowdyn.analysis.io.statepoints import StatePoint  # noqa: E402
from slowdyn.analysis.mct import HardDiskGrid, critical_point  # noqa: E402
from slowdyn.analysis.mct.mixture import (MixtureMCT, library_to_mctpy, mct_temperature,  # noqa: E402
                                          mctpy_to_library, tagged_memory)

GRID = HardDiskGrid(dq=0.4, offset=0.5, n_q=24, h=1e-6, blocksize=32, blocks=22)
X = np.array([0.8, 0.2])


def _py(phi: float, diameters=(1.0, 1.0)):
    """PY hard-sphere mixture at packing fraction phi (sum of rho_a pi d_a^3 / 6)."""
    d = np.asarray(diameters)
    rho = 6 * phi / (np.pi * np.sum(X * d ** 3))
    return rho, mct.structurefactors.hsmPY(rho * X, d)


def _state(phi: float, T: float, diameters=(1.0, 0.9)) -> StatePoint:
    rho, sq = _py(phi, diameters)
    return StatePoint(name=f"py{phi}", potential="lj", rho=rho, T=T, N=1000, x=tuple(X), k=GRID.q,
                      S=mctpy_to_library(sq.Sq(GRID.q)[0], X), kp=GRID.q[17])


def test_library_normalisation_round_trip_and_large_k_limit():
    rho, sq = _py(0.45, (1.0, 0.9))
    S = sq.Sq(GRID.q)[0]                       # mctpy: S^ab -> delta_ab
    lib = mctpy_to_library(S, X)               # library: S^ab -> x_a delta_ab
    np.testing.assert_allclose(library_to_mctpy(lib, X), S, rtol=1e-13)
    big = sq.Sq(np.array([39.8]))[0]           # k -> large: library S^ab -> x_a delta_ab
    np.testing.assert_allclose(mctpy_to_library(big, X)[:, 0], [X[0], 0, X[1]], atol=0.01)
    # the paper's S^-1_ab = delta_ab / x_a - rho c_ab (library normalisation) with mctpy's c
    model = MixtureMCT(GRID.q, lib, rho, X, grid=GRID)
    _, c = model.sq.Sq(GRID.q)
    S_lib = model.structure_factor()
    np.testing.assert_allclose(np.linalg.inv(S_lib), np.diag(1 / X)[None] - rho * c, atol=1e-9)
    np.testing.assert_allclose(c, sq.Sq(GRID.q)[1], rtol=1e-8, atol=1e-10)


def test_kernels_equal_mctpy_and_identical_species_equal_one_component():
    phi = 0.60
    rho, sq = _py(phi)
    one = mct.structurefactors.hssPY(phi)
    mix = MixtureMCT.from_matrices(GRID.q, sq.Sq(GRID.q)[0], rho, X, grid=GRID)
    single = MixtureMCT.from_matrices(GRID.q, one.Sq(GRID.q)[0][:, None, None], rho, [1.0], grid=GRID)
    # the collective vertex against mctpy's own mixture model and simple-liquid model (a second evaluation)
    rng = np.random.default_rng(3)
    phi2 = rng.uniform(0, 1, (GRID.n_q, 2, 2))
    phi2 = phi2 + phi2.transpose(0, 2, 1)
    coll = mix.models()[0]
    m_ref, m_ours = np.zeros_like(phi2), np.zeros_like(phi2)
    mct.mixture_model(sq, GRID.q).get_kernel()(m_ref, phi2, 0, 0.0)
    coll.get_kernel()(m_ours, phi2, 0, 0.0, *coll.kernel_extra_args())
    np.testing.assert_allclose(m_ours, m_ref, rtol=1e-10, atol=1e-10 * np.abs(m_ref).max())
    sl = mct.simple_liquid_model(one, GRID.q)
    p1 = rng.uniform(0, 1, GRID.n_q)
    ref1, ours1 = np.zeros(GRID.n_q), np.zeros((GRID.n_q, 1, 1))
    sl.get_kernel()(ref1, p1, 0, 0.0)
    c1, tag1 = single.models()
    c1.get_kernel()(ours1, (p1 * one.Sq(GRID.q)[0])[:, None, None], 0, 0.0, *c1.kernel_extra_args())
    # mctpy's simple liquid: W = q^2 with normalised phi; mixture: W = q^2/S with S(t) = S phi
    np.testing.assert_allclose(ours1[:, 0, 0], ref1 / one.Sq(GRID.q)[0], rtol=1e-9, atol=1e-12 * ref1.max())
    # tagged vertex against mctpy's tagged_particle_model
    tp = mct.tagged_particle_model(sl, cs=one)
    base = np.stack([p1, p1])
    sl.set_base(base)
    c1.set_base((base * one.Sq(GRID.q)[0]).copy())
    ps = rng.uniform(0, 1, GRID.n_q)
    r_s, o_s = np.zeros(GRID.n_q), np.zeros(GRID.n_q)
    tp.get_kernel()(r_s, ps, 1, 0.0, *tp.kernel_extra_args())
    tag1.get_kernel()(o_s.reshape(-1, 1, 1), ps.reshape(-1, 1, 1), 1, 0.0, *tag1.kernel_extra_args())
    np.testing.assert_allclose(o_s, r_s, rtol=1e-9, atol=1e-12 * r_s.max())
    # two identical species = one component: f, f_s (glass at phi = 0.60) and the Newtonian correlators
    n1, n2 = single.nonergodicity(), mix.nonergodicity()
    assert n1["converged"] and n2["converged"] and n1["F"].max() > 0.1
    np.testing.assert_allclose(n2["F"].sum(axis=(1, 2)), n1["F"][:, 0, 0], atol=1e-8)
    np.testing.assert_allclose(n2["fs"], np.vstack([n1["fs"][0]] * 2), atol=1e-8)
    s1, s2 = single.solve("newtonian"), mix.solve("newtonian")
    np.testing.assert_allclose(s2.collective.sum(axis=(2, 3)), s1.collective[..., 0, 0], atol=1e-7)
    np.testing.assert_allclose(s2.tagged, s1.tagged[:, [0, 0]], atol=1e-7)
    # long-time limit of the solution = the non-ergodicity parameter (dynamics-independent)
    np.testing.assert_allclose(s1.tagged[-1, 0], n1["fs"][0], atol=5e-3)


def test_glass_has_nonzero_f_and_hot_liquid_zero():
    """Size ratio 0.9 on k = 0.4 (i + 1/2) < 16 (the 24-point grid cuts below the B peak: no glass up to 0.62)."""
    grid = HardDiskGrid(dq=0.4, offset=0.5, n_q=40)
    glass, liquid = [MixtureMCT.from_matrices(grid.q, sq.Sq(grid.q)[0], rho, X, grid=grid).nonergodicity()
                     for rho, sq in (_py(0.58, (1.0, 0.9)), _py(0.40, (1.0, 0.9)))]
    assert glass["converged"] and liquid["converged"]
    assert glass["f"][:, 0, 0].max() > 0.3 and glass["f"][:, 1, 1].max() > 0.3 and glass["fs"].min() > 0
    assert np.abs(liquid["F"]).max() < 1e-8 and np.abs(liquid["fs"]).max() < 1e-8


def test_tmct_bisection_recovers_an_independently_computed_transition():
    """Two states (T = 2: a liquid, T = 1: a glass); S(k) linear in 1/T between them is the mixture
    (1 - lam) S_hot + lam S_cold with lam = 2/T - 1, whose critical lam_c is bisected directly."""
    hot, cold = _state(0.45, 2.0), _state(0.62, 1.0)

    def f(lam: float) -> np.ndarray:
        return MixtureMCT(GRID.q, (1 - lam) * hot.S + lam * cold.S, hot.rho, X, grid=GRID).nonergodicity(
            tagged=False)["F"]

    lam_c = critical_point(f, 0.0, 1.0, tol=1e-3)
    T_ref = 2.0 / (1.0 + lam_c)
    cold.rho = hot.rho
    T_mct = mct_temperature([hot, cold], grid=GRID, rtol=1e-3)
    assert 1.0 < T_mct < 2.0
    assert abs(T_mct - T_ref) < 1.5e-3 * T_ref


def test_bad_input_is_a_one_line_error():
    st = _state(0.5, 1.0)
    with pytest.raises(ValueError, match="outside the MCT grid"):
        tagged_memory(st, kp=50.0, grid=GRID)
    with pytest.raises(ValueError, match="at least two distinct temperatures"):
        mct_temperature([st], grid=GRID)
    hot, warm = _state(0.45, 2.0), _state(0.46, 1.5)
    warm.rho = hot.rho
    with pytest.raises(ValueError, match="still ergodic at the coldest"):
        mct_temperature([hot, warm], grid=GRID)
    with pytest.raises(ValueError, match=r"shape \(3, n_k\)"):
        MixtureMCT(GRID.q, st.S[:2], st.rho, X, grid=GRID)
    with pytest.raises(ValueError, match="offset 0.5"):
        MixtureMCT(GRID.q, st.S, st.rho, X, grid=HardDiskGrid(dq=0.4, offset=0.25, n_q=24))
