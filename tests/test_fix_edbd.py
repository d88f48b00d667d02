"""fix edbd (event-driven Brownian dynamics of hard disks and spheres) through
real LAMMPS runs: hard cores never overlap, free diffusion, the hard-disk and
hard-sphere equations of state, dt-independence, active Brownian particles,
restarts and every bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import slowdyn
from lammps_errors import error_of
from slowdyn.runs.packing import Packing, pack, worst_overlap

HEADER = ["units lj", "atom_style sphere", "boundary p p p", "atom_modify map array"]


def henderson(phi: float) -> float:
    """Henderson's hard-disk equation of state (Mol. Phys. 30, 971 (1975))."""
    return (1.0 + phi**2 / 8.0) / (1.0 - phi) ** 2


def carnahan_starling(phi: float) -> float:
    """Carnahan-Starling hard-sphere equation of state (J. Chem. Phys. 51, 635 (1969))."""
    return (1.0 + phi + phi**2 - phi**3) / (1.0 - phi) ** 3


def start(config: Packing, tmp_path: Path, name: str = "start.data") -> "slowdyn.lammps":
    """A LAMMPS instance holding this configuration."""
    data = config.write_data(tmp_path / name)
    lmp = slowdyn.lammps()
    lmp.commands_list([f"dimension {config.dim}"] + HEADER + [f"read_data {data}"])
    return lmp


def state(lmp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wrapped positions, unwrapped positions and diameters, by atom ID."""
    nlocal = lmp.extract_global("nlocal")    # the arrays may include ghost atoms
    tags = np.array(lmp.numpy.extract_atom("id")[:nlocal], copy=True)
    order = np.argsort(tags)
    x = np.array(lmp.numpy.extract_atom("x")[:nlocal], copy=True)[order]
    img = np.array(lmp.numpy.extract_atom("image")[:nlocal], copy=True)[order].astype(np.int64)
    box = np.array([lmp.get_thermo("lx"), lmp.get_thermo("ly"), lmp.get_thermo("lz")])
    im = np.stack([(img & 1023) - 512, ((img >> 10) & 1023) - 512, (img >> 20) - 512], axis=1)
    d = 2.0 * np.array(lmp.numpy.extract_atom("radius")[:nlocal], copy=True)[order]
    return x, x + im * box, d


def points(n: int, dim: int, box: float, diameter: float, seed: int) -> Packing:
    """Random positions, for dilute systems (overlap-free for tiny diameters)."""
    rng = np.random.default_rng(seed)
    return Packing(rng.uniform(0.0, box, (n, dim)), np.full(n, diameter), np.full(dim, box))


# ---------------------------------------------------------------------------
# hard cores
# ---------------------------------------------------------------------------

def test_no_overlap_in_any_step_at_phi_075(tmp_path):
    """Every step of a dense polydisperse 2D run is checked pair by pair."""
    config = pack(120, 0.75, dim=2, poly=0.1, seed=11, growth_time=3.0)
    assert abs(config.phi - 0.75) < 1e-9
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-4", "fix 1 all edbd 1.0 1.0 5",
                       "thermo_style custom step f_1[2]", "run 0 post no"])
    box = config.box
    worst = -np.inf
    for _ in range(400):
        lmp.command("run 1 pre no post no")
        x, _, d = state(lmp)
        worst = max(worst, worst_overlap(x[:, :2], d, box))
    collisions = lmp.extract_fix("1", 0, 1, 1)
    lmp.close()
    assert collisions > 400 * 120 * 0.05, "too few collisions for a dense system"
    assert worst < 1e-10, f"overlap {worst} in a hard-disk run"


def test_image_flags_follow_wrapping(tmp_path):
    """Unwrapped positions move continuously (no jump of a box length)."""
    config = points(50, 2, 6.0, 0.5, seed=2)
    config.diameters[:] = 0.0
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 2e-3", "fix 1 all edbd 1.0 1.0 9"])
    _, u0, _ = state(lmp)
    for _ in range(50):
        lmp.command("run 100 pre no post no")
        _, u1, _ = state(lmp)
        step = np.abs(u1 - u0).max()
        assert step < 3.0, f"unwrapped position jumped by {step} in 100 steps"
        u0 = u1
    x, _, _ = state(lmp)
    lmp.close()
    assert x[:, :2].min() >= 0.0 and x[:, :2].max() < 6.0


# ---------------------------------------------------------------------------
# free diffusion
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [2, 3])
def test_dilute_msd_is_2dDt(tmp_path, dim):
    """Points (no collisions): MSD = 2 d D t exactly in distribution; dilute
    disks/spheres (phi ~ 1e-3): the same within the collision correction."""
    n, box, d0, dt, nsteps = 1000, 60.0, 0.7, 1e-3, 500
    # second pass: phi ~ 2e-3 (diameter 0.1 in 2D, 1 in 3D)
    for diameter, tol in ((0.0, 0.05), (0.1 if dim == 2 else 1.0, 0.06)):
        config = points(n, dim, box, diameter, seed=4)
        if diameter > 0:
            # remove the rare overlaps of random points
            keep = np.ones(n, bool)
            for i in range(n):
                dx = config.positions[i + 1:] - config.positions[i]
                dx -= box * np.round(dx / box)
                close = np.nonzero(np.sum(dx * dx, axis=1) < diameter**2)[0] + i + 1
                keep[close] = False
            config = Packing(config.positions[keep], config.diameters[keep], config.box)
        lmp = start(config, tmp_path)
        lmp.commands_list([f"timestep {dt}", f"fix 1 all edbd 1.0 {d0} 17"])
        msd = []
        for _ in range(4):    # four independent intervals
            _, u0, _ = state(lmp)
            lmp.command(f"run {nsteps} pre no post no")
            _, u1, _ = state(lmp)
            msd.append(np.mean(np.sum((u1 - u0)[:, :dim] ** 2, axis=1)))
        lmp.close()
        expected = 2 * dim * d0 * nsteps * dt
        assert abs(np.mean(msd) / expected - 1.0) < tol, (diameter, np.mean(msd), expected)


def test_free_active_brownian_msd(tmp_path):
    """Free ABPs in 2D: MSD = 4 D t + (2 V0^2/DR^2)(DR t - 1 + exp(-DR t))."""
    n, box, d0, v0, dr, dt = 2000, 200.0, 0.5, 3.0, 2.0, 1e-3
    config = points(n, 2, box, 0.0, seed=8)
    lmp = start(config, tmp_path)
    lmp.commands_list([f"timestep {dt}", f"fix 1 all edbd 1.0 {d0} 23 active {v0} {dr} 0.0",
                       "run 2000 pre no post no"])    # orientations decorrelate from the start
    _, u0, _ = state(lmp)
    checked = []
    done = 0
    for t in (0.25, 1.0, 2.0):
        steps = int(round(t / dt)) - done
        done += steps
        lmp.command(f"run {steps} pre no post no")
        _, u1, _ = state(lmp)
        msd = np.mean(np.sum((u1 - u0)[:, :2] ** 2, axis=1))
        theory = 4 * d0 * t + 2 * v0**2 / dr**2 * (dr * t - 1 + math.exp(-dr * t))
        checked.append((t, msd, theory))
    lmp.close()
    for t, msd, theory in checked:
        assert abs(msd / theory - 1.0) < 0.05, (t, msd, theory)
    # the propulsion matters: a passive particle would give 4 D t
    assert checked[-1][1] > 2.0 * 4 * d0 * 2.0


# ---------------------------------------------------------------------------
# equations of state (collision virial)
# ---------------------------------------------------------------------------

def compressibility(config: Packing, tmp_path: Path, dt: float, nsteps: int, seed: int) -> float:
    """Z = P V/(N kT) from the thermo pressure averaged over every step."""
    lmp = start(config, tmp_path)
    n = len(config.diameters)
    lmp.commands_list([
        f"timestep {dt}", f"fix 1 all edbd 1.0 1.0 {seed}", f"run {nsteps // 4} post no",
        "reset_timestep 0",
        f"fix av all ave/time 1 {nsteps} {nsteps} c_thermo_press",
        f"run {nsteps} post no",
    ])
    pressure = lmp.extract_fix("av", 0, 0)
    lmp.close()
    return pressure * float(np.prod(config.box)) / n


@pytest.mark.parametrize("phi,nsteps", [(0.3, 6000), (0.5, 8000), (0.6, 8000)])
def test_hard_disk_equation_of_state(tmp_path, phi, nsteps):
    config = pack(300, phi, dim=2, poly=0.0, seed=3, growth_time=2.0)
    z = compressibility(config, tmp_path, 1e-3, nsteps, seed=7)
    assert abs(z / henderson(phi) - 1.0) < 0.02, (phi, z, henderson(phi))


@pytest.mark.parametrize("phi,nsteps", [(0.3, 4000), (0.45, 4000)])
def test_hard_sphere_equation_of_state(tmp_path, phi, nsteps):
    config = pack(250, phi, dim=3, poly=0.0, seed=3, growth_time=1.0, dt=2e-4)
    z = compressibility(config, tmp_path, 1e-3, nsteps, seed=7)
    assert abs(z / carnahan_starling(phi) - 1.0) < 0.02, (phi, z, carnahan_starling(phi))


def test_pressure_is_collision_virial_plus_ideal_gas(tmp_path):
    """Without collisions (points) the pressure is the ideal-gas N kT/V."""
    config = points(500, 2, 30.0, 0.0, seed=1)
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-3", "fix 1 all edbd 2.5 1.0 3",
                       "fix av all ave/time 1 2000 2000 c_thermo_press c_thermo_temp",
                       "run 2000 post no"])
    p, t = lmp.extract_fix("av", 0, 1, 0), lmp.extract_fix("av", 0, 1, 1)
    lmp.close()
    assert abs(t / (2.5 * 500 / 499) - 1.0) < 0.01
    assert abs(p / (500 * 2.5 / 900.0) - 1.0) < 0.01


# ---------------------------------------------------------------------------
# dynamics
# ---------------------------------------------------------------------------

def msd_at(config: Packing, tmp_path: Path, dt: float, t: float, repeats: int, seed: int) -> float:
    """MSD at lag t averaged over `repeats` consecutive intervals."""
    lmp = start(config, tmp_path)
    steps = int(round(t / dt))
    lmp.commands_list([f"timestep {dt}", f"fix 1 all edbd 1.0 1.0 {seed}", "run 200 post no"])
    values = []
    for _ in range(repeats):
        _, u0, _ = state(lmp)
        lmp.command(f"run {steps} pre no post no")
        _, u1, _ = state(lmp)
        values.append(np.mean(np.sum((u1 - u0)[:, :2] ** 2, axis=1)))
    lmp.close()
    return float(np.mean(values))


def test_msd_independent_of_dt(tmp_path):
    """phi = 0.5: MSD at t = 0.02 for dt = 1e-4 and 1e-5 agree within statistics."""
    config = pack(300, 0.5, dim=2, poly=0.1, seed=5, growth_time=2.0)
    coarse = msd_at(config, tmp_path, 1e-4, 0.02, 20, seed=1)
    fine = msd_at(config, tmp_path, 1e-5, 0.02, 8, seed=2)
    free = 4 * 0.02
    assert coarse < 0.95 * free and fine < 0.95 * free    # collisions slow the motion
    assert abs(coarse / fine - 1.0) < 0.05, (coarse, fine)


def test_diffusion_decreases_with_phi(tmp_path):
    """MSD(t = 0.1)/(4 D0 t) falls monotonically with the packing fraction."""
    ratios = []
    for phi in (0.1, 0.4, 0.7):
        config = pack(200, phi, dim=2, poly=0.1, seed=6, growth_time=2.0)
        ratios.append(msd_at(config, tmp_path, 1e-3, 0.1, 6, seed=3) / (4 * 0.1))
    assert all(a > b for a, b in zip(ratios, ratios[1:])), ratios
    assert ratios[0] > 0.8 and ratios[-1] < 0.5, ratios


# ---------------------------------------------------------------------------
# restart
# ---------------------------------------------------------------------------

def test_restart_continues_bit_identically(tmp_path):
    """run 2n == run n, write_restart, read_restart, run n (same SEED): the
    random stream, orientations and trajectory continue exactly."""
    config = pack(150, 0.6, dim=2, poly=0.1, seed=2, growth_time=2.0)
    fix = "fix 1 all edbd 1.0 1.0 31 active 2.0 1.0 0.5"
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-4", fix, "run 300", "run 300"])
    _, u_ref, _ = state(lmp)
    theta_ref = by_id(lmp, np.array(lmp.numpy.extract_fix("1", 1, 1), copy=True))
    lmp.close()

    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-4", fix, "run 300", f"write_restart {tmp_path / 'r.rst'}"])
    lmp.close()
    lmp = slowdyn.lammps()
    lmp.commands_list([f"read_restart {tmp_path / 'r.rst'}", fix, "run 300"])
    _, u, _ = state(lmp)
    theta = by_id(lmp, np.array(lmp.numpy.extract_fix("1", 1, 1), copy=True))
    lmp.close()
    assert np.array_equal(theta, theta_ref), np.abs(theta - theta_ref).max()
    assert np.array_equal(u, u_ref), np.abs(u - u_ref).max()


def test_temperature_stays_temp_after_a_timestep_change(tmp_path):
    """The thermo temperature of the pseudo-velocities is TEMP on average, also
    at the first thermo output after the timestep changes between runs (the
    effective masses m = kT dt / 2D change with dt; the stored velocities keep
    the kinetic energy of the step before)."""
    config = pack(400, 0.3, dim=2, poly=0.1, seed=4, growth_time=1.0)
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-3", "fix 1 all edbd 2.0 1.0 17", "run 20"])
    before = lmp.get_thermo("temp")
    lmp.commands_list(["timestep 1e-5", "run 0"])
    after = lmp.get_thermo("temp")
    lmp.commands_list(["run 1"])
    stepped = lmp.get_thermo("temp")
    lmp.close()
    # 400 disks, 2 degrees of freedom each: the sample temperature scatters by ~5 %
    for temp in (before, after, stepped):
        assert abs(temp / 2.0 - 1.0) < 0.2, (before, after, stepped)
    assert after == pytest.approx(before, rel=1e-12)    # the kinetic energy is kept


def test_centre_of_mass_computes_stay_consistent(tmp_path):
    """compute msd com yes, compute com and velocity ... zero linear against
    numpy on LAMMPS' own per-atom masses, at step 0 of the first run, in a
    later run, after a timestep change and after the fix is defined again at
    another dt: the fix keeps its effective masses to itself, so the group mass
    the computes cache in their init() stays right (polydisperse disks, whose
    read_data masses differ from atom to atom)."""
    config = pack(100, 0.5, dim=2, poly=0.1, seed=12, growth_time=1.0)
    lmp = start(config, tmp_path)
    mass = by_id(lmp, np.array(lmp.numpy.extract_atom("rmass"), copy=True))
    assert mass.std() > 0.05 * mass.mean()    # the weights matter
    _, u0, _ = state(lmp)
    cm0 = mass @ u0 / mass.sum()
    lmp.commands_list([
        "timestep 1e-4", "fix bd all edbd 1.0 1.0 12",
        "compute m all msd com yes", "compute m0 all msd com no", "compute c all com",
        "velocity all create 1.0 4 dist gaussian", "velocity all zero linear",
        "variable px equal vcm(all,x)", "variable py equal vcm(all,y)",
        "thermo_style custom step temp c_m[4] c_m0[4] c_c[1] c_c[2] v_px v_py"])

    def values() -> dict:
        # as the computes report them at the last step of the latest run
        return {"msd": lmp.extract_compute("m", 0, 1)[3], "msd_no": lmp.extract_compute("m0", 0, 1)[3],
                "com": [lmp.extract_compute("c", 0, 1)[a] for a in range(2)],
                "vcm": abs(lmp.extract_variable("px")) + abs(lmp.extract_variable("py")),
                "temp": lmp.get_thermo("temp")}

    def check(label: str) -> dict:
        got = values()
        _, u, _ = state(lmp)
        cm = mass @ u / mass.sum()
        free = np.mean(np.sum((u - u0)[:, :2] ** 2, axis=1))
        com = np.mean(np.sum(((u - cm) - (u0 - cm0))[:, :2] ** 2, axis=1))
        assert got["msd_no"] == pytest.approx(free, rel=1e-9, abs=1e-14), label
        assert got["msd"] == pytest.approx(com, rel=1e-9, abs=1e-14), label
        np.testing.assert_allclose(got["com"], cm[:2], rtol=1e-12, err_msg=label)
        return got

    lmp.command("run 0")
    got = check("step 0 of the first run")
    assert got["msd"] < 1e-20
    # velocity ... zero linear before the first run: the momentum stays zero
    assert got["vcm"] < 1e-12 * math.sqrt(got["temp"])
    lmp.command("run 200")
    assert check("first run")["msd_no"] > 1e-3
    lmp.commands_list(["timestep 2e-4", "run 200"])
    check("after a timestep change")
    lmp.commands_list(["unfix bd", "timestep 5e-5", "fix bd2 all edbd 1.0 1.0 13", "run 200"])
    check("fix redefined at another dt")
    lmp.commands_list(["velocity all zero linear", "run 0"])
    got = check("run 0 after velocity zero linear")
    assert got["vcm"] < 1e-12 * math.sqrt(got["temp"])
    # the MSD without the centre-of-mass drift is close to the raw one (N = 100)
    assert abs(got["msd"] / got["msd_no"] - 1.0) < 0.1
    lmp.close()


def by_id(lmp, values: np.ndarray) -> np.ndarray:
    """Per-atom values ordered by atom ID."""
    nlocal = lmp.extract_global("nlocal")
    tags = np.array(lmp.numpy.extract_atom("id")[:nlocal], copy=True)
    return values[:nlocal][np.argsort(tags)]


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

BOX2D = ["units lj", "dimension 2", "atom_style sphere", "boundary p p p",
         "region box block 0 10 0 10 -0.5 0.5", "create_box 1 box",
         "create_atoms 1 single 1 1 0", "create_atoms 1 single 5 5 0",
         "set type 1 diameter 1.0", "timestep 1e-4"]


@pytest.mark.parametrize("args,expected", [
    ("edbd", "missing argument"),
    ("edbd 1.0 1.0", "missing argument"),
    ("edbd 0.0 1.0 5", "TEMP = 0.0 must be > 0"),
    ("edbd -1.0 1.0 5", "TEMP = -1.0 must be > 0"),
    ("edbd 1.0 0 5", "D0 = 0 must be > 0"),
    ("edbd 1.0 1.0 0", "SEED = 0 must be a positive"),
    ("edbd 1.0 1.0 5 bogus", "Unknown fix edbd keyword 'bogus'"),
    ("edbd 1.0 1.0 5 diffusion fast", "diffusion must be 'constant'"),
    ("edbd 1.0 1.0 5 active 1.0", "missing argument"),
    ("edbd 1.0 1.0 5 active -1.0 1.0 0.0", "V0 = -1.0 must be >= 0"),
    ("edbd 1.0 1.0 5 skin 0", "skin = 0 must be > 0"),
    ("edbd abc 1.0 5", "Expected floating point"),
])
def test_bad_arguments(args, expected):
    assert expected in error_of(BOX2D + [f"fix 1 all {args}"])


def test_overlap_at_start_names_the_worst_pair():
    msg = error_of(BOX2D + ["create_atoms 1 single 5.7 5 0", "create_atoms 1 single 1.9 1 0",
                            "set type 1 diameter 1.0", "fix 1 all edbd 1.0 1.0 5", "run 1"])
    assert "overlap" in msg and "IDs 2 and 3" in msg and "overlap 0.3 " in msg


def test_pair_style_must_be_none():
    msg = error_of(BOX2D + ["pair_style lj/cut 2.5", "pair_coeff * * 1 1",
                            "fix 1 all edbd 1.0 1.0 5", "run 1"])
    assert "pair style lj/cut" in msg and "pair_style none" in msg


def test_non_periodic_box():
    cmds = [c.replace("boundary p p p", "boundary f p p") for c in BOX2D]
    assert "periodic box in every direction" in error_of(cmds + ["fix 1 all edbd 1.0 1.0 5"])


def test_atom_style_without_diameter():
    cmds = [c.replace("atom_style sphere", "atom_style atomic") for c in BOX2D
            if not c.startswith("set ")]
    assert "atom_style sphere" in error_of(cmds + ["mass 1 1.0", "fix 1 all edbd 1.0 1.0 5"])


def test_active_needs_2d():
    cmds = ["units lj", "atom_style sphere", "region box block 0 10 0 10 0 10",
            "create_box 1 box", "create_atoms 1 single 1 1 1"]
    assert "dimension 2" in error_of(cmds + ["fix 1 all edbd 1.0 1.0 5 active 1 1 0"])


def test_box_too_small_for_the_list():
    cmds = [c.replace("0 10 0 10", "0 2.2 0 2.2").replace("single 5 5 0", "single 1.5 0.2 0")
            for c in BOX2D]
    assert "must exceed twice the list cut-off" in error_of(cmds + ["fix 1 all edbd 1.0 1.0 5",
                                                                     "run 1"])


def test_more_than_one_rank_asks_for_partitions(tmp_path, mpirun, bindir):
    import subprocess  # noqa: PLC0415

    deck = tmp_path / "in.two"
    deck.write_text("\n".join(BOX2D + ["fix 1 all edbd 1.0 1.0 5", "run 1"]) + "\n")
    out = subprocess.run([mpirun, "-np", "2", str(bindir / "lmp"), "-in", str(deck), "-log", "none"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "-partition" in out.stdout + out.stderr


# ---------------------------------------------------------------------------
# code paths: mid-step list rebuilds, Stokes-Einstein diffusion, obstacles
# ---------------------------------------------------------------------------

def test_tiny_skin_rebuilds_within_steps_and_stays_exact(tmp_path):
    """skin 0.01 at dt = 1e-4 (rms step 0.014) forces list rebuilds in the
    middle of steps; hard cores still hold and the dynamics is unchanged."""
    config = pack(100, 0.7, dim=2, poly=0.1, seed=9, growth_time=2.0)
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-4", "fix 1 all edbd 1.0 1.0 5 skin 0.01", "run 0 post no"])
    worst = -np.inf
    _, u0, _ = state(lmp)
    for _ in range(100):
        lmp.command("run 2 pre no post no")
        x, _, d = state(lmp)
        worst = max(worst, worst_overlap(x[:, :2], d, config.box))
    _, u1, _ = state(lmp)
    midstep = lmp.extract_fix("1", 0, 1, 3)
    lmp.close()
    assert midstep > 100, "the mid-step rebuild path was not exercised"
    assert worst < 1e-10
    small = np.mean(np.sum((u1 - u0)[:, :2] ** 2, axis=1))
    reference = msd_at(config, tmp_path, 1e-4, 0.02, 1, seed=5)
    assert 0.7 < small / reference < 1.4, (small, reference)


def test_stokes_einstein_diffusion(tmp_path):
    """diffusion stokes: D_i = D0 sigma_mean/sigma_i (dilute, two sizes)."""
    m, box = 36, 200.0
    n = m * m
    grid = (np.stack(np.meshgrid(np.arange(m), np.arange(m)), -1).reshape(-1, 2) + 0.5) * box / m
    config = Packing(grid, np.full(n, 0.05), np.full(2, box))
    config.diameters[n // 2:] = 0.15    # sigma_mean = 0.1: D = 2 D0 and 2/3 D0
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-3", "fix 1 all edbd 1.0 0.5 3 diffusion stokes"])
    _, u0, _ = state(lmp)
    lmp.command("run 1000 pre no post no")
    _, u1, _ = state(lmp)
    lmp.close()
    r2 = np.sum((u1 - u0)[:, :2] ** 2, axis=1)
    assert np.mean(r2[: n // 2]) / (4 * 0.5 * 2.0 * 1.0) == pytest.approx(1.0, abs=0.1)
    assert np.mean(r2[n // 2:]) / (4 * 0.5 * (2.0 / 3.0) * 1.0) == pytest.approx(1.0, abs=0.1)


def test_atoms_outside_the_group_are_fixed_obstacles(tmp_path):
    config = pack(150, 0.6, dim=2, poly=0.1, seed=13, growth_time=2.0)
    lmp = start(config, tmp_path)
    lmp.commands_list(["group mobile id <= 75", "group fixed subtract all mobile",
                       "timestep 1e-4", "fix 1 mobile edbd 1.0 1.0 5", "run 0 post no"])
    _, u0, _ = state(lmp)
    worst = -np.inf
    for _ in range(50):
        lmp.command("run 4 pre no post no")
        x, _, d = state(lmp)
        worst = max(worst, worst_overlap(x[:, :2], d, config.box))
    _, u1, _ = state(lmp)
    lmp.close()
    assert np.array_equal(u1[75:], u0[75:])
    assert np.all(np.sum((u1[:75] - u0[:75]) ** 2, axis=1) > 0)
    assert worst < 1e-10


def test_pressure_matches_contact_value(tmp_path):
    """2D virial theorem for hard disks: Z = 1 + 2 phi g(sigma+), with the
    contact value extrapolated from the measured g(r) (second oracle, no EOS)."""
    phi, n = 0.5, 300
    config = pack(n, phi, dim=2, poly=0.0, seed=21, growth_time=2.0)
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-3", "fix 1 all edbd 1.0 1.0 4", "run 1000 post no",
                       "reset_timestep 0", "fix av all ave/time 1 4000 4000 c_thermo_press",
                       "thermo_style custom step press", "run 0 post no"])
    box = config.box
    edges = np.linspace(1.0, 1.08, 9)
    hist = np.zeros(len(edges) - 1)
    samples = 0
    for _ in range(80):
        lmp.command("run 50 pre no post no")
        x, _, _ = state(lmp)
        dx = x[:, None, :2] - x[None, :, :2]
        dx -= box * np.round(dx / box)
        r = np.sqrt(np.sum(dx * dx, axis=-1))[np.triu_indices(n, 1)]
        hist += np.histogram(r, edges)[0]
        samples += 1
    z_virial = lmp.extract_fix("av", 0, 0) * float(np.prod(box)) / n
    lmp.close()
    rho = n / float(np.prod(box))
    mid = 0.5 * (edges[1:] + edges[:-1])
    g = hist / (samples * 0.5 * n * rho * 2 * np.pi * mid * np.diff(edges))
    contact = np.polyval(np.polyfit(mid - 1.0, g, 2), 0.0)
    z_contact = 1.0 + 2.0 * phi * contact
    assert abs(z_virial / z_contact - 1.0) < 0.03, (z_virial, z_contact)
    assert abs(z_virial / henderson(phi) - 1.0) < 0.03, (z_virial, henderson(phi))


def test_dense_1000_disks_relax(tmp_path):
    """1000 polydisperse disks at phi = 0.70 relax: F_s(q = 6.5, t) =
    <J0(q |dr|)> falls below 0.1 within t = 0.6 (dt = 1e-4), while the MSD
    stays far below free diffusion (caging)."""
    from scipy.special import j0  # noqa: PLC0415

    config = pack(1000, 0.70, dim=2, poly=0.1, seed=14, growth_time=2.0)
    lmp = start(config, tmp_path)
    lmp.commands_list(["timestep 1e-4", "fix 1 all edbd 1.0 1.0 6",
                       "thermo_style custom step", "run 2000 post no"])
    _, u0, _ = state(lmp)
    fs = []
    for _ in range(6):
        lmp.command("run 1000 pre no post no")
        _, u1, _ = state(lmp)
        fs.append(float(np.mean(j0(6.5 * np.linalg.norm((u1 - u0)[:, :2], axis=1)))))
    msd = float(np.mean(np.sum((u1 - u0)[:, :2] ** 2, axis=1)))
    lmp.close()
    assert all(a > b - 0.02 for a, b in zip(fs, fs[1:])), fs    # decays
    assert fs[0] > 0.2 and fs[-1] < 0.1, fs
    assert msd < 0.5 * 4 * 0.6, msd
