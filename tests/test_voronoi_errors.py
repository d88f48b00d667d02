"""Bad input to pair_style voronoi[/radical] stops LAMMPS with an error that
says what to change, never a crash or a silent wrong answer."""

from __future__ import annotations

import numpy as np
import pytest

import slowdyn
from lammps_errors import error_of
from voronoi_system import random_system

BOX = [
    "units lj",
    "atom_style atomic",
    "region box block 0 4 0 4 0 4",
    "create_box 2 box",
    "create_atoms 1 random 32 1 NULL",
    "create_atoms 2 random 32 2 NULL",
    "mass * 1.0",
]


@pytest.mark.parametrize("style_args,expected", [
    ("voronoi", "missing argument"),
    ("voronoi 1000", "missing argument"),
    ("voronoi 1000 3.0 extra", "unknown keyword 'extra'"),
    ("voronoi -1000 3.0", "GAMMA must be positive"),
    ("voronoi 1000 -3.0", "RC must be positive"),
    ("voronoi 1000 0", "RC must be positive"),
    ("voronoi/radical 1000 3.0 radius", "missing argument"),
    ("voronoi/radical 1000 3.0 radius mass", "radius must be 'atom' or 'type'"),
    ("voronoi abc 3.0", "Expected floating point"),
])
def test_bad_pair_style_arguments(style_args, expected):
    assert expected in error_of(BOX + [f"pair_style {style_args}"])


def test_voronoi_coeff_takes_no_parameters():
    msg = error_of(BOX + ["pair_style voronoi 1000 3.0", "pair_coeff * * 1.0"])
    assert "takes no parameters" in msg


def test_radical_coeff_needs_one_radius():
    msg = error_of(BOX + ["pair_style voronoi/radical 1000 3.0", "pair_coeff 1 1"])
    assert "pair_coeff I I R_I" in msg
    msg = error_of(BOX + ["pair_style voronoi/radical 1000 3.0", "pair_coeff 1 2 1.0"])
    assert "same type twice" in msg
    msg = error_of(BOX + ["pair_style voronoi/radical 1000 3.0", "pair_coeff 1 1 -0.5"])
    assert "radius must be positive" in msg


def test_radius_missing_for_a_type():
    msg = error_of(BOX + ["pair_style voronoi/radical 1000 3.0", "pair_coeff 1 1 0.95", "run 0"])
    assert "no radius for atom type 2" in msg and "pair_coeff 2 2 R" in msg


def test_radius_atom_needs_atom_style_sphere():
    msg = error_of(BOX + ["pair_style voronoi/radical 1000 3.0 radius atom", "pair_coeff * *", "run 0"])
    assert "atom_style sphere" in msg


@pytest.mark.parametrize("boundary", ["f p p", "p s p", "p p f"])
def test_non_periodic_box(boundary):
    cmds = [f"boundary {boundary}" if c == "atom_style atomic" else c for c in BOX]
    cmds.insert(1, "atom_style atomic")
    msg = error_of(cmds + ["pair_style voronoi 1000 3.0", "pair_coeff * *", "run 0"])
    assert "periodic box" in msg and "boundary p p p" in msg


def test_rc_too_small_names_the_atom():
    system = random_system(64, 1.0, 21, rc=1.2)
    with pytest.raises(Exception) as info:
        system.build()
    msg = str(info.value)
    assert "cannot be proven closed" in msg and "raise RC" in msg and "atom " in msg


def test_rc_smaller_than_radius_spread():
    msg = error_of(BOX + ["pair_style voronoi/radical 1000 0.3", "pair_coeff 1 1 0.5",
                          "pair_coeff 2 2 1.5", "run 0"])
    assert "too small for radii" in msg


def test_coincident_atoms():
    system = random_system(64, 1.0, 22, rc=3.0)
    system.x[1] = system.x[0]
    with pytest.raises(Exception) as info:
        system.build()
    assert "same position" in str(info.value)


def test_large_radius_ratio_stays_finite():
    """Extreme radii give empty cells and atoms outside their own cell:
    energies and forces stay finite and volumes still fill the box."""
    system = random_system(100, 0.5, 23, rc=4.5, style="voronoi/radical")
    system.types = 1 + (np.arange(system.n) % 2)
    system.type_radii = {1: 0.6, 2: 1.4}
    lmp = system.build()
    f = np.array(lmp.gather_atoms("f", 1, 3))
    vol = np.array(lmp.gather("f_cell", 1, 5)).reshape(-1, 5)[:, 0]
    assert np.all(np.isfinite(f)) and np.isfinite(lmp.get_thermo("pe"))
    assert np.sum(vol == 0.0) > 0
    assert vol.sum() == pytest.approx(system.volume, rel=1e-12)
    lmp.close()


def test_reissued_pair_style_resets_keywords():
    """A second pair_style command starts from the defaults: 'radius atom' of
    the first one must not survive into 'pair_style voronoi/radical GAMMA RC'
    (which then takes per-type radii), and the result equals a fresh session."""
    system = random_system(64, 1.0, 24, rc=3.5, style="voronoi/radical", min_dist=0.7)
    system.types = 1 + (np.arange(system.n) % 2)
    system.type_radii = {1: 0.95, 2: 1.05}
    fresh = system.build()
    e_fresh = fresh.get_thermo("pe")
    f_fresh = np.array(fresh.gather_atoms("f", 1, 3))
    fresh.close()

    lmp = slowdyn.lammps()
    lmp.commands_list(system.commands())
    lmp.create_atoms(system.n, list(range(1, system.n + 1)), [int(t) for t in system.types],
                     [float(v) for v in system.x.ravel()])
    lmp.commands_list(["mass * 1.0", "pair_style voronoi/radical 1000.0 3.5 radius atom",
                       "pair_style voronoi/radical 1000.0 3.5", "pair_coeff 1 1 0.95",
                       "pair_coeff 2 2 1.05", "neighbor 0.3 bin", "thermo_modify norm no",
                       "run 0 post no"])
    assert lmp.get_thermo("pe") == pytest.approx(e_fresh, rel=1e-14)
    np.testing.assert_allclose(np.array(lmp.gather_atoms("f", 1, 3)), f_fresh, rtol=0,
                               atol=1e-12 * np.abs(f_fresh).max())
    lmp.close()


def test_empty_plain_cell_names_the_atom():
    """A plain Voronoi cell always contains its atom, so an empty one means the
    input is degenerate.  Atom 1 with neighbours 1e-13 on either side (2D):
    its cell is a sliver thinner than the clipping tolerance and comes out
    empty; this must stop with the atom's ID instead of a silent zero force."""
    system = random_system(36, 1.0, 5, dimension=2, rc=3.0, min_dist=0.6)
    system.x[1] = system.x[0] + [1e-13, 0.0, 0.0]
    system.x[2] = system.x[0] - [1e-13, 0.0, 0.0]
    with pytest.raises(Exception) as info:
        system.build()
    msg = str(info.value)
    assert "cell of atom 1 " in msg and "empty" in msg
