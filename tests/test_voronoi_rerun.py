"""rerun of a dump with pair_style voronoi and voronoi/radical: every frame's
energy equals that of the same frame read with read_dump + run 0 (the
pair style must not reuse the near-shell candidates of the previous frame)."""

from __future__ import annotations

import numpy as np
import pytest

import slowdyn
from slowdyn.analysis.observables.energy import read_log_thermo

EVERY, NSTEPS = 50, 250
STYLES = [("voronoi 1000 3.0", "* *"), ("voronoi/radical 1000 3.0", "1 1 1.0")]


def setup(pair: str, coeff: str) -> list[str]:
    return ["units lj", "atom_style atomic", "atom_modify map array", "lattice sc 1.0",
            "region box block 0 5 0 5 0 5", "create_box 1 box", "mass 1 1.0",
            f"pair_style {pair}", f"pair_coeff {coeff}", "neighbor 0.3 bin",
            "neigh_modify every 1 delay 0 check yes"]


@pytest.mark.parametrize("pair,coeff", STYLES)
def test_rerun_equals_read_dump(tmp_path, pair, coeff):
    dump = tmp_path / "traj.dump"
    lmp = slowdyn.lammps()
    lmp.commands_list(setup(pair, coeff) + [
        "create_atoms 1 box", "displace_atoms all random 0.1 0.1 0.1 7 units box",
        "velocity all create 2.0 11 loop geom", "fix nve all nve", "timestep 0.002",
        f"dump d all custom {EVERY} {dump} id type x y z",
        "dump_modify d sort id format float %.17g", f"run {NSTEPS}"])
    lmp.close()
    frames = list(range(0, NSTEPS + 1, EVERY))

    # the oracle: each frame on its own
    expected = []
    for step in frames:
        lmp = slowdyn.lammps()
        lmp.commands_list(setup(pair, coeff) + [
            f"read_dump {dump} {step} x y z add keep box yes", "thermo_style custom step pe",
            "run 0"])
        expected.append(lmp.get_thermo("pe"))
        lmp.close()

    log = tmp_path / "log.rerun"
    lmp = slowdyn.lammps()
    lmp.commands_list(setup(pair, coeff) + [
        f"read_dump {dump} 0 x y z add keep box yes", f"log {log}",
        "thermo_style custom step pe", "thermo_modify format float %.17g", f"thermo {EVERY}",
        f"rerun {dump} dump x y z"])
    lmp.close()
    block = read_log_thermo(log)[-1]
    np.testing.assert_array_equal(block["Step"], frames)
    # the frames differ (the atoms moved), and rerun reproduces each one
    assert np.ptp(expected) > 1e-3 * abs(np.mean(expected))
    np.testing.assert_allclose(block["PotEng"], expected, rtol=1e-10)
