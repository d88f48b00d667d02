"""Reading LAMMPS text dumps (``slowdyn.analysis.io.read_dump``): unwrapping by
image flags in orthogonal and triclinic boxes, and the self dynamics computed
from a dump against ``fix sisf/msd`` of the same run (``lj_dumps``, conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import slowdyn
from slowdyn.analysis.io import read_sisf
from slowdyn.cli import main


@pytest.mark.parametrize("dump", ["images", "both", "unwrapped"])
def test_selfdyn_unwraps_with_image_flags_and_prefers_xu(lj_dumps, dump, tmp_path, monkeypatch):
    """x y z + ix iy iz, and x y z + xu yu zu (ASE alone takes x y z): the fix's MSD and F_s."""
    monkeypatch.chdir(tmp_path)
    assert main(["observe", "selfdyn", str(lj_dumps / f"{dump}.dump"), "--q", "7.0", "--timestep", "0.005",
                 "--out", dump]) == 0
    table = np.loadtxt(f"{dump}/selfdyn.txt")
    fix = read_sisf(lj_dumps / "lj.sisf")
    np.testing.assert_array_equal(table[:, 0], fix["lag"])
    # the unwrapped MSD reaches a few box crossings' worth: wrapped coordinates would be far off
    assert fix["msd_all"][-1] > 0.5
    np.testing.assert_allclose(table[:, 3], fix["msd_all"], rtol=1e-8)
    np.testing.assert_allclose(table[:, 5], fix["fs_all_q1"], atol=1e-8)


def test_read_dump_unwraps_a_triclinic_box(tmp_path, lj_input):
    """x y z + ix iy iz in a tilted box: x + ix a + iy b + iz c equals LAMMPS' own xu yu zu."""
    from slowdyn.analysis.io import read_dump
    from slowdyn.analysis.observables.selfdyn import SelfDynamics

    tilted = "region box prism 0 3 0 3 0 3 0.9 -0.6 0.7"
    run = (lj_input.split("run 300")[0].replace("region box block 0 3 0 3 0 3", tilted)
           + f"dump i all custom 20 {tmp_path}/img.dump id type x y z ix iy iz\n"
             f"dump u all custom 20 {tmp_path}/u.dump id type xu yu zu\n"
             f"dump w all custom 20 {tmp_path}/w.dump id type x y z\n"
             "dump_modify i format float %.17g\ndump_modify u format float %.17g\nrun 600\n")
    lmp = slowdyn.lammps()
    try:
        lmp.commands_string(run)
    finally:
        lmp.close()
    img, ref, wrapped = (read_dump(tmp_path / f"{n}.dump") for n in ("img", "u", "w"))
    assert img.unwrapped and ref.unwrapped and not wrapped.unwrapped
    assert abs(img.cells[0][1, 0]) > 0.5                      # the box is tilted
    assert np.abs(ref.positions[-1] - ref.positions[0]).max() > 2.0   # atoms crossed the box
    np.testing.assert_allclose(img.positions, ref.positions, rtol=0, atol=1e-9)
    with pytest.raises(ValueError, match="wrapped coordinates without image flags"):
        SelfDynamics(q=(7.0,)).compute(wrapped)
