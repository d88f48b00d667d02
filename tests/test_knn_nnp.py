"""pair_style knn/nnp against the PyTorch kNN Deep Potential and against physics.

Oracles: the PyTorch model (autograd forces) on the same configurations,
finite differences of the LAMMPS energy, the strain derivative of the energy
(virial), 1 vs 2 MPI ranks, a brute-force k-nearest-neighbour search; bad
inputs must give clear errors.  A tiny training on a LAMMPS-generated data
set must lower the loss and resume from its checkpoint.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap

import numpy as np
import pytest

import slowdyn
from lammps_errors import error_of

import torch
from slowdyn.nnp.knn.export import read_model, write_model
from slowdyn.nnp.knn.model import build_model, energy_and_forces
from slowdyn.nnp.knn.neighbors import TooFewNeighborsError, knn_list

K, RMAX = 12, 2.5

BOX = """
units           lj
atom_style      atomic
boundary        p p p
atom_modify     map array
region          box prism 0 4.2 0 4.0 0 4.1 {tilt}
create_box      2 box
create_atoms    1 random 40 11 NULL overlap 0.7 maxtry 200
create_atoms    2 random 30 12 NULL overlap 0.7 maxtry 200
mass            * 1.0
"""


def random_model(weighting: str = "r", seed: int = 1):
    """A model with random weights, scaled up so that every term matters."""
    m = build_model(["A", "B"], k=K, rmax=RMAX, weighting=weighting, embedding=(8, 16, 16),
                    axis_neurons=4, fitting=(10, 20, 20), seed=seed)
    with torch.no_grad():
        if weighting == "r":
            stats = [[1.3, 1.2], [0.3, 0.35], [0.8, 0.9]]
        else:
            stats = [[0.8, 0.85], [0.2, 0.25], [0.5, 0.55]]
        for name, v in zip(("avg", "std_r", "std_a"), stats):
            getattr(m, name)[:] = torch.tensor(v, dtype=torch.float64)
        m.e_shift[:] = torch.tensor([1.5, -0.5], dtype=torch.float64)
        m.e_scale.fill_(2.0)
        for p in m.parameters():
            p.mul_(1.5)
    return m


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("knn") / "m.knn"
    write_model(random_model(), path)
    return path


def cell_of(lmp) -> np.ndarray:
    lo, hi, xy, yz, xz = lmp.extract_box()[:5]
    lx, ly, lz = (h - l_ for h, l_ in zip(hi, lo))
    return np.array([[lx, 0, 0], [xy, ly, 0], [xz, yz, lz]], dtype=float)


def knn_lammps(model_file, tilt="0.3 -0.2 0.1", extra="", pair_extra=""):
    lmp = slowdyn.lammps()
    lmp.commands_string(BOX.format(tilt=tilt) + f"""
pair_style      knn/nnp {model_file} {RMAX} {pair_extra}
pair_coeff      * * A B
compute         pea all pe/atom
compute         vir all pressure NULL virial
thermo_style    custom step pe c_vir[1] c_vir[2] c_vir[3] c_vir[4] c_vir[5] c_vir[6]
thermo_modify   norm no
{extra}
run             0
""")
    return lmp


def state(lmp):
    n = lmp.get_natoms()
    order = np.argsort(lmp.numpy.extract_atom("id")[:n])
    x = lmp.numpy.extract_atom("x")[:n][order].copy()
    t = lmp.numpy.extract_atom("type")[:n][order].copy()
    f = lmp.numpy.extract_atom("f")[:n][order].copy()
    return x, t, f


# --------------------------------------------------------------------------
# neighbours, export
# --------------------------------------------------------------------------
def test_knn_list_matches_brute_force():
    rng = np.random.default_rng(3)
    cell = np.array([[3.0, 0, 0], [0.4, 3.2, 0], [-0.3, 0.2, 2.9]])
    pos = rng.random((30, 3)) @ cell
    nl = knn_list(pos, cell, 20, 2.6)
    # brute force over 5^3 images
    img = np.array(np.meshgrid(*[np.arange(-2, 3)] * 3, indexing="ij")).reshape(3, -1).T
    for i in range(len(pos)):
        d = pos[None, :, :] + (img @ cell)[:, None, :] - pos[i]
        r = np.linalg.norm(d, axis=-1).ravel()
        r = np.sort(r[r > 0])[:20]
        np.testing.assert_allclose(nl.distance[i], r, rtol=1e-12)
        got = np.linalg.norm(pos[nl.index[i]] + nl.shift[i] @ cell - pos[i], axis=1)
        np.testing.assert_allclose(got, r, rtol=1e-12)
    with pytest.raises(TooFewNeighborsError, match="fewer than k = 20"):
        knn_list(pos, cell, 20, 1.0)


def test_export_round_trip_is_exact(tmp_path):
    m = random_model("inv_r")
    with torch.no_grad():
        m.avg[0] = 1.0 / 3.0        # needs all 17 digits
    write_model(m, tmp_path / "a.knn", comment="provenance line")
    m2 = read_model(tmp_path / "a.knn")
    rng = np.random.default_rng(0)
    cell = np.diag([4.0, 4.0, 4.0])
    pos = rng.random((60, 3)) * 4.0
    types = rng.integers(0, 2, 60)
    e1, f1, _ = energy_and_forces(m, pos, types, cell)
    e2, f2, _ = energy_and_forces(m2, pos, types, cell)
    assert e1 == e2 and np.array_equal(f1, f2)


# --------------------------------------------------------------------------
# LAMMPS == PyTorch
# --------------------------------------------------------------------------
@pytest.mark.parametrize("weighting", ["r", "inv_r"])
@pytest.mark.parametrize("table", ["no", "yes"])
def test_lammps_equals_pytorch(tmp_path, weighting, table):
    m = random_model(weighting)
    path = write_model(m, tmp_path / "m.knn")
    lmp = knn_lammps(path, pair_extra=f"table {table}")
    x, t, f = state(lmp)
    n = len(x)
    e_lmp = lmp.get_thermo("pe")
    order = np.argsort(lmp.numpy.extract_atom("id")[:n])
    ea_lmp = lmp.numpy.extract_compute("pea", 1, 1)[:n][order]
    e, fo, ea = energy_and_forces(m, x, t - 1, cell_of(lmp), RMAX)
    lmp.close()
    assert abs(e_lmp - e) <= 1e-9 * abs(e)
    np.testing.assert_allclose(ea_lmp, ea, rtol=0, atol=1e-9 * np.abs(ea).max())
    np.testing.assert_allclose(f, fo, rtol=0, atol=1e-9 * np.abs(fo).max())
    assert np.abs(fo).max() > 0.1                  # a test that can fail
    assert abs(f.sum(axis=0)).max() < 1e-10 * np.abs(f).max() * n


# --------------------------------------------------------------------------
# physics oracles: finite differences, strain derivative
# --------------------------------------------------------------------------
def test_forces_are_minus_energy_gradient(model_file):
    lmp = knn_lammps(model_file)
    x, _, f = state(lmp)
    h = 1e-5
    rng = np.random.default_rng(5)
    worst = 0.0
    for atom in rng.choice(len(x), 6, replace=False):
        for d, name in enumerate("xyz"):
            es = []
            for sgn in (1, -1):
                lmp.command(f"group one id {atom + 1}")
                lmp.command(f"displace_atoms one move {sgn * h if name == 'x' else 0} "
                            f"{sgn * h if name == 'y' else 0} {sgn * h if name == 'z' else 0} units box")
                lmp.command("run 0")
                es.append(lmp.get_thermo("pe"))
                lmp.command(f"displace_atoms one move {-sgn * h if name == 'x' else 0} "
                            f"{-sgn * h if name == 'y' else 0} {-sgn * h if name == 'z' else 0} units box")
                lmp.command("group one delete")
            fd = -(es[0] - es[1]) / (2 * h)
            worst = max(worst, abs(fd - f[atom, d]))
    lmp.close()
    assert worst < 1e-5 * np.abs(f).max()


def test_virial_is_strain_derivative(model_file):
    # zero tilts (still a prism): scaling one edge is then a pure normal strain
    lmp = knn_lammps(model_file, tilt="0 0 0", extra="compute sa all stress/atom NULL virial\n"
                                                     "compute ssum all reduce sum c_sa[*]\n"
                                                     "thermo_style custom step pe c_vir[*] c_ssum[*]\n"
                                                     "thermo_modify norm no")
    vol = abs(np.linalg.det(cell_of(lmp)))
    w = np.array(lmp.numpy.extract_compute("vir", 0, 1)) * vol    # xx yy zz xy xz yz
    # per-atom virials (half of each pair term on each atom, ghosts sent home) sum to the total
    np.testing.assert_allclose(-np.array(lmp.numpy.extract_compute("ssum", 0, 1)), w, rtol=0,
                               atol=1e-10 * np.abs(w).max())
    e0 = lmp.get_thermo("pe")
    ly, lz = cell_of(lmp)[1, 1], cell_of(lmp)[2, 2]
    eps = 1e-6
    fd = {}
    for key, cmd in (("xx", "x scale {s}"), ("yy", "y scale {s}"), ("zz", "z scale {s}")):
        es = []
        for sgn in (1, -1):
            lmp.command(f"change_box all {cmd.format(s=1 + sgn * eps)} remap")
            lmp.command("run 0")
            es.append(lmp.get_thermo("pe"))
            lmp.command(f"change_box all {cmd.format(s=1 / (1 + sgn * eps))} remap")
        fd[key] = -(es[0] - es[1]) / (2 * eps)
    # shear: tilt xy by d moves atoms by x += d y / ly  =>  dE/dd = -W_xy / ly
    for key, tilt, length in (("xy", "xy", ly), ("xz", "xz", lz), ("yz", "yz", lz)):
        es = []
        d = eps * length
        for sgn in (1, -1):
            lmp.command(f"change_box all {tilt} delta {sgn * d} remap")
            lmp.command("run 0")
            es.append(lmp.get_thermo("pe"))
            lmp.command(f"change_box all {tilt} delta {-sgn * d} remap")
        fd[key] = -(es[0] - es[1]) / (2 * eps)
    lmp.command("run 0")
    assert abs(lmp.get_thermo("pe") - e0) < 1e-10 * abs(e0)
    lmp.close()
    ref = np.array([fd[k] for k in ("xx", "yy", "zz", "xy", "xz", "yz")])
    np.testing.assert_allclose(w, ref, rtol=0, atol=1e-6 * np.abs(ref).max())
    assert np.abs(ref).max() > 1.0


# --------------------------------------------------------------------------
# MPI
# --------------------------------------------------------------------------
MPI_DECK = BOX + """
pair_style      knn/nnp {model} {rmax}
pair_coeff      * * A B
neighbor        0.3 bin
velocity        all create 0.5 5 loop geom
fix             1 all nve
timestep        0.0005
thermo_style    custom step pe ke press pxx pyy pzz pxy pxz pyz
thermo_modify   format float %.17g norm no
thermo          5
dump            d all custom 10 forces.dump id x y z fx fy fz
dump_modify     d sort id format float %.17g
run             10
"""


@pytest.mark.slow
def test_one_and_two_ranks_agree(tmp_path, model_file, bindir, mpirun):
    out = {}
    for nprocs in (1, 2):
        work = tmp_path / f"np{nprocs}"
        work.mkdir()
        (work / "in.deck").write_text(MPI_DECK.format(tilt="0.3 -0.2 0.1", model=model_file, rmax=RMAX))
        cmd = [str(bindir / "lmp"), "-in", "in.deck", "-log", "log.lammps"]
        if nprocs > 1:
            cmd = [mpirun, "-np", str(nprocs)] + cmd
        subprocess.run(cmd, cwd=work, check=True, capture_output=True, text=True, timeout=300)
        log = (work / "log.lammps").read_text()
        assert f"{nprocs} by" in log or nprocs == 1
        rows, on = [], False
        for line in log.splitlines():
            if line.split()[:1] == ["Step"]:
                on = True
                continue
            if line.startswith("Loop time"):
                on = False
            elif on:
                rows.append([float(v) for v in line.split()])
        dump = [line.split() for line in (work / "forces.dump").read_text().splitlines()]
        forces = np.array([[float(v) for v in r[1:]] for r in dump if len(r) == 7])
        # atom IDs from create_atoms random depend on the number of ranks, positions do not
        forces = forces[np.lexsort(np.round(forces[:, :3], 6).T[::-1])]
        out[nprocs] = (np.array(rows), forces)
    (t1, f1), (t2, f2) = out[1], out[2]
    np.testing.assert_allclose(t2, t1, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(f2, f1, rtol=0, atol=1e-10 * np.abs(f1).max())
    assert len(f1) == 2 * 70


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------
def _deck(model, rmax=RMAX, coeff="pair_coeff * * A B", natoms=(40, 30), newton="on"):
    return [c for c in textwrap.dedent(f"""
        units lj
        atom_style atomic
        newton {newton}
        region box block 0 4 0 4 0 4
        create_box 2 box
        create_atoms 1 random {natoms[0]} 11 NULL overlap 0.7 maxtry 200
        create_atoms 2 random {natoms[1]} 12 NULL overlap 0.7 maxtry 200
        mass * 1.0
        pair_style knn/nnp {model} {rmax}
        {coeff}
        run 0
        """).splitlines() if c.strip()]


def test_bad_inputs(tmp_path, model_file):
    text = model_file.read_text()
    msg = error_of(_deck(tmp_path / "missing.knn"))
    assert "cannot open model file" in msg and "missing.knn" in msg

    (tmp_path / "garbage.knn").write_text("hello world\n")
    assert "is not a kNN model file" in error_of(_deck(tmp_path / "garbage.knn"))

    (tmp_path / "v2.knn").write_text(text.replace("slowdyn_knn_nnp 1", "slowdyn_knn_nnp 2", 1))
    msg = error_of(_deck(tmp_path / "v2.knn"))
    assert "format version 2" in msg and "reads version 1" in msg

    (tmp_path / "cut.knn").write_text(text[: len(text) // 2])
    assert "truncated or corrupt" in error_of(_deck(tmp_path / "cut.knn"))

    lines = text.splitlines()
    idx = next(i for i, line in enumerate(lines) if line.startswith("embedding_net 0 1")) + 2
    lines[idx] = lines[idx].replace(lines[idx].split()[0], "nan?", 1)
    (tmp_path / "nan.knn").write_text("\n".join(lines) + "\n")
    assert "is not a finite number" in error_of(_deck(tmp_path / "nan.knn"))

    msg = error_of(_deck(model_file, coeff="pair_coeff * * A C"))
    assert "type name 'C'" in msg and "A B" in msg
    assert "one model type name per LAMMPS atom type" in error_of(_deck(model_file, coeff="pair_coeff * * A"))
    assert "RMAX must be positive" in error_of(_deck(model_file, rmax=0.0))
    assert "RMAX must be positive" in error_of(_deck(model_file, rmax=-1.0))
    assert "needs 'newton on'" in error_of(_deck(model_file, newton="off"))

    msg = error_of(_deck(model_file, rmax=1.0))
    assert re.search(r"atom \d+ has \d+ neighbours within RMAX = 1, fewer than the model's k = 12", msg)
    # k larger than the atoms available (a sparse system: 6 atoms, RMAX holds fewer than k images)
    msg = error_of(_deck(model_file, natoms=(3, 3), rmax=2.0))
    assert re.search(r"atom \d+ has \d+ neighbours within RMAX = 2, fewer than the model's k = 12", msg)


def test_model_file_with_a_nul_byte(tmp_path, model_file):
    """A NUL byte inside a number must not cut it short silently (strtod stops
    at the NUL and would read 0.12 from "0.12<NUL>34"): the file is refused."""
    text = model_file.read_bytes()
    lines = text.split(b"\n")
    idx = next(i for i, line in enumerate(lines) if line.startswith(b"embedding_net 0 1")) + 2
    word = lines[idx].split()[0]
    assert len(word) > 4
    lines[idx] = lines[idx].replace(word, word[:4] + b"\0" + word[4:], 1)
    bad = tmp_path / "nul.knn"
    bad.write_bytes(b"\n".join(lines))
    msg = error_of(_deck(bad))
    assert "contains a NUL byte at offset" in msg and "nul.knn" in msg
    # a number with trailing garbage is refused as well
    lines[idx] = lines[idx].replace(word[:4] + b"\0" + word[4:], word + b"x", 1)
    bad.write_bytes(b"\n".join(lines))
    assert "is not a finite number" in error_of(_deck(bad))


# --------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """30 frames of a binary LJ liquid from LAMMPS, in the slowdyn extxyz layout."""
    import ase
    import ase.io
    import yaml
    from ase.calculators.singlepoint import SinglePointCalculator

    folder = tmp_path_factory.mktemp("dataset")
    lmp = slowdyn.lammps()
    lmp.commands_string("""
units lj
atom_style atomic
atom_modify map array
region box block 0 4.3 0 4.3 0 4.3
create_box 2 box
create_atoms 1 random 48 21 NULL overlap 0.8 maxtry 200
create_atoms 2 random 32 22 NULL overlap 0.8 maxtry 200
mass * 1.0
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0
pair_coeff 1 2 1.5 0.8
pair_coeff 2 2 0.5 0.88
pair_modify shift yes
minimize 1e-4 1e-6 200 2000
velocity all create 1.5 3 loop geom
fix 1 all nvt temp 1.5 1.5 0.1
timestep 0.002
compute vir all pressure NULL virial
thermo_style custom step pe c_vir[1] c_vir[2] c_vir[3] c_vir[4] c_vir[5] c_vir[6]
thermo_modify norm no
run 200
""")
    frames = []
    for _ in range(30):
        lmp.command("run 25")
        x, t, f = state(lmp)
        cell = cell_of(lmp)
        vol = abs(np.linalg.det(cell))
        p = np.array(lmp.numpy.extract_compute("vir", 0, 1))
        vir = np.array([[p[0], p[3], p[4]], [p[3], p[1], p[5]], [p[4], p[5], p[2]]]) * vol
        atoms = ase.Atoms(symbols=["H" if ti == 1 else "He" for ti in t], positions=x, cell=cell, pbc=True)
        atoms.arrays["type"] = t.astype(np.int32)
        atoms.info["virial"] = vir
        atoms.calc = SinglePointCalculator(atoms, energy=lmp.get_thermo("pe"), forces=f,
                                           stress=-vir.ravel()[[0, 4, 8, 5, 2, 1]] / vol)
        frames.append(atoms)
    lmp.close()
    for name, sl in (("train", slice(0, 20)), ("valid", slice(20, 25)), ("test", slice(25, 30))):
        ase.io.write(folder / f"{name}.extxyz", frames[sl], format="extxyz")
    (folder / "dataset.yaml").write_text(yaml.safe_dump({"type_names": ["A", "B"]}))
    return folder


def test_training_lowers_loss_resumes_and_exports(tmp_path, dataset):
    from slowdyn.nnp.knn.train import load_config, train

    cfg = load_config("tiny")
    cfg["dataset"] = str(dataset)
    cfg["train"]["epochs"] = 3
    out = tmp_path / "run"
    path = train(cfg, out_dir=out, progress=False)
    h3 = json.loads((out / "history.json").read_text())
    cfg["train"]["epochs"] = 6
    path = train(cfg, out_dir=out, progress=False)
    h6 = json.loads((out / "history.json").read_text())
    assert h6["epoch"] == [1, 2, 3, 4, 5, 6]
    assert h6["train_loss"][:3] == h3["train_loss"]              # resumed, not restarted
    assert h6["val_valid_loss"][-1] < 0.5 * h6["val_valid_loss"][0]
    assert h6["train_loss"][-1] < 0.5 * h6["train_loss"][0]
    metrics = json.loads((out / "metrics.json").read_text())["test"]
    assert set(metrics) >= {"E_RMSE_per_atom", "F_RMSE", "F_mean", "F_RMSE/F_mean"}
    assert 0 < metrics["F_RMSE/F_mean"] < 1.0
    assert (out / "learning_curves.png").stat().st_size > 0 and (out / "loss.png").exists()

    # the exported model in LAMMPS equals the trained PyTorch model on a test frame
    import ase.io
    atoms = ase.io.read(dataset / "test.extxyz", index=0)
    model = read_model(path)
    e, f, _ = energy_and_forces(model, atoms.get_positions(), atoms.arrays["type"] - 1,
                                np.asarray(atoms.get_cell()), cfg["model"]["rmax"])
    lmp = slowdyn.lammps()
    lmp.commands_string(f"""
units lj
atom_style atomic
atom_modify map array
region box block 0 {atoms.cell[0, 0]} 0 {atoms.cell[1, 1]} 0 {atoms.cell[2, 2]}
create_box 2 box
mass * 1.0
pair_style knn/nnp {path} {cfg['model']['rmax']}
pair_coeff * * A B
thermo_modify norm no
""")
    lmp.create_atoms(len(atoms), list(range(1, len(atoms) + 1)), [int(v) for v in atoms.arrays["type"]],
                     atoms.get_positions().ravel().tolist())
    lmp.command("run 0")
    _, _, f_lmp = state(lmp)
    e_lmp = lmp.get_thermo("pe")
    lmp.close()
    assert abs(e_lmp - e) <= 1e-9 * abs(e)
    np.testing.assert_allclose(f_lmp, f, rtol=0, atol=1e-9 * np.abs(f).max())


def test_nve_energy_fluctuation_scales_as_dt_squared(model_file):
    """Velocity Verlet on a smooth potential: std of E_tot ~ dt^2.  An fcc
    lattice with k = 12 has a gap between the 12 nearest and the next shell, so
    no k-th/(k+1)-th neighbour exchange (energy jump) happens in the short run."""
    std = {}
    for dt in (0.002, 0.001):
        lmp = slowdyn.lammps()
        lmp.commands_string(f"""
units lj
atom_style atomic
lattice fcc 1.0
region box block 0 2 0 2 0 2
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.4 7
mass * 1.0
pair_style knn/nnp {model_file} 1.4
pair_coeff * * A B
velocity all create 0.002 5 loop geom
fix 1 all nve
timestep {dt}
thermo_style custom step etotal
thermo_modify norm no
run 0
""")
        every = int(round(0.4 / dt)) // 100
        es = []
        for _ in range(100):
            lmp.command(f"run {every} pre no post no")
            es.append(lmp.get_thermo("etotal"))
        lmp.close()
        std[dt] = np.std(es)
    assert std[0.001] > 0
    assert 3.5 < std[0.002] / std[0.001] < 4.5
