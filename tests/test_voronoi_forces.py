"""Forces and virial of pair_style voronoi[/radical] against derivatives of
the energy computed by the same LAMMPS run: central finite differences in
atom positions and in box strain (all six components, triclinic boxes)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from voronoi_system import energy, forces, gather, random_system, set_positions, virial

H_POS = 1.0e-5
H_STRAIN = 1.0e-6


def two_types(system, radii=(0.95, 1.05)):
    system.types = 1 + (np.arange(system.n) % 2)
    system.type_radii = {1: radii[0], 2: radii[1]}
    return system


SYSTEMS = {
    "mono-3d": lambda: random_system(64, 1.0, 11, rc=3.2),
    "mono-3d-triclinic": lambda: random_system(64, 1.0, 12, rc=3.2, tilt=(0.2, -0.1, 0.15)),
    "radical-3d": lambda: two_types(random_system(64, 1.0, 13, rc=3.2, style="voronoi/radical")),
    "radical-3d-triclinic": lambda: two_types(
        random_system(64, 1.0, 14, rc=3.2, tilt=(-0.15, 0.1, 0.2), style="voronoi/radical")),
    "radical-atom-radii": lambda: _atom_radii(random_system(64, 1.0, 15, rc=3.2, style="voronoi/radical",
                                                            min_dist=0.4)),
    "mono-2d": lambda: random_system(64, 1.0, 16, dimension=2, rc=4.0),
    "radical-2d": lambda: two_types(random_system(64, 1.0, 17, dimension=2, rc=4.0, style="voronoi/radical")),
}


def _atom_radii(system):
    system.atom_radii = np.random.default_rng(3).uniform(0.85, 1.15, system.n)
    return system


@pytest.mark.parametrize("name", SYSTEMS)
def test_forces_equal_finite_differences(name):
    system = SYSTEMS[name]()
    lmp = system.build()
    f = forces(lmp)
    x0 = gather(lmp, "x", 3)
    rng = np.random.default_rng(0)
    fd = []
    ours = []
    dims = system.dimension
    for i in rng.choice(system.n, 8, replace=False):
        for d in range(dims):
            e = []
            for sign in (1.0, -1.0):
                x = x0.copy()
                x[i, d] += sign * H_POS
                set_positions(lmp, x)
                e.append(energy(lmp))
            fd.append(-(e[0] - e[1]) / (2.0 * H_POS))
            ours.append(f[i, d])
    lmp.close()
    fd, ours = np.array(fd), np.array(ours)
    scale = np.abs(f).max()
    assert np.max(np.abs(fd - ours)) <= 1e-6 * scale, np.c_[ours, fd]


def strained(system, component: int, eps: float):
    """Copy of system under the deformation x -> (1 + eps e_a e_b^T) x."""
    a, b = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)][component]
    F = np.eye(3)
    F[a, b] += eps
    s = copy.deepcopy(system)
    s.x = system.x @ F.T
    s.box = system.box @ F.T
    return s


@pytest.mark.parametrize("name", ["mono-3d-triclinic", "radical-3d-triclinic", "radical-atom-radii",
                                  "mono-2d", "radical-2d"])
def test_virial_equals_strain_derivative(name):
    system = SYSTEMS[name]()
    lmp = system.build()
    w = virial(lmp, system)
    lmp.close()
    components = range(6) if system.dimension == 3 else (0, 1, 3)
    for c in components:
        e = []
        for sign in (1.0, -1.0):
            lmp = strained(system, c, sign * H_STRAIN).build()
            e.append(energy(lmp))
            lmp.close()
        w_fd = -(e[0] - e[1]) / (2.0 * H_STRAIN)
        assert w[c] == pytest.approx(w_fd, rel=1e-6, abs=1e-6 * np.abs(w).max()), (c, w, w_fd)


@pytest.mark.parametrize("name", SYSTEMS)
def test_total_force_vanishes_and_peratom_sums(name):
    system = SYSTEMS[name]()
    lmp = system.build()
    f = forces(lmp)
    assert np.abs(f.sum(axis=0)).max() <= 1e-10 * np.abs(f).max() * system.n
    e = energy(lmp)
    pe_atom = np.array(lmp.gather("c_pe", 1, 1))
    assert pe_atom.sum() == pytest.approx(e, rel=1e-12)
    # compute stress/atom holds -W_i per atom; its sum is the global virial
    w = virial(lmp, system)
    s_atom = np.array(lmp.gather("c_sa", 1, 6)).reshape(-1, 6)
    np.testing.assert_allclose(-s_atom.sum(axis=0), w, rtol=1e-10, atol=1e-9 * np.abs(w).max())
    lmp.close()


@pytest.mark.parametrize("name,degree", [("mono-3d", 5), ("mono-3d-triclinic", 5), ("mono-2d", 4)])
def test_monodisperse_virial_trace(name, degree):
    """E is homogeneous of degree d+2 in length, so tr W = -(d+2) E."""
    system = SYSTEMS[name]()
    lmp = system.build()
    w = virial(lmp, system)
    tr = w[0] + w[1] + (w[2] if system.dimension == 3 else 0.0)
    assert tr == pytest.approx(-degree * energy(lmp), rel=1e-12)
    lmp.close()


@pytest.mark.parametrize("name", ["mono-3d-triclinic", "radical-3d"])
def test_newton_off_equals_on(name):
    system = SYSTEMS[name]()
    lmp = system.build()
    e_on, f_on = energy(lmp), forces(lmp)
    lmp.close()
    system.newton = "off"
    lmp = system.build()
    assert energy(lmp) == pytest.approx(e_on, rel=1e-13)
    np.testing.assert_allclose(forces(lmp), f_on, rtol=0, atol=1e-10 * np.abs(f_on).max())
    lmp.close()


@pytest.mark.parametrize("name", ["mono-3d", "radical-3d"])
def test_restart_restores_pair_settings(tmp_path, name):
    """gamma, rc and the per-type radii come back from a restart file:
    no pair_coeff is needed and the energy is unchanged."""
    system = SYSTEMS[name]()
    lmp = system.build()
    e0 = energy(lmp)
    restart = tmp_path / "cells.restart"
    lmp.command(f"write_restart {restart}")
    lmp.commands_list(["clear", f"read_restart {restart}", "thermo_modify norm no", "run 0 post no"])
    assert energy(lmp) == pytest.approx(e0, rel=1e-13)
    lmp.close()
