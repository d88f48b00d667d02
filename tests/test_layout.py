"""The package layout holds: heavy modules load lazily, physics never imports the
validations or the LAMMPS drivers, the library keeps no global plotting or
working-directory state, and user-facing text names the literature, not internal
documents."""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import slowdyn
import slowdyn.analysis

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "mctpy", "numba", "deepmd", "nequip", "tensorflow", "matplotlib.pyplot")


def _modules() -> list[str]:
    names = []
    for pkg in (slowdyn, slowdyn.analysis):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if not info.name.endswith("plugin"):   # slowdynplugin.so is the LAMMPS plugin, not a module
                names.append(info.name)
    return sorted(set(names))


def _source_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]


def test_every_module_imports_without_heavy_dependencies():
    """Importing every module of slowdyn loads none of torch, mctpy, numba, deepmd, nequip, pyplot."""
    names = _modules()
    assert "slowdyn.analysis.laplace.pipeline" in names and "slowdyn.analysis.mct.hard_disks" in names
    code = (f"import importlib, sys\nfor n in {names!r}:\n    importlib.import_module(n)\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def _imports(path: Path) -> list[str]:
    """Absolute names of every import in ``path`` (relative ones resolved against its package)."""
    rel = path.relative_to(ANALYSIS).with_suffix("") if path.is_relative_to(ANALYSIS) else None
    package = ["slowdyn", "analysis", *rel.parts[:-1]] if rel is not None else []
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            out.append(".".join(base + ([node.module] if node.module else [])))
    return out


ANALYSIS = Path(slowdyn.analysis.__file__).parent
# every subpackage of slowdyn.analysis but the validations is physics
PHYSICS = sorted(p.name for p in ANALYSIS.iterdir() if (p / "__init__.py").exists() and p.name != "validation")


@pytest.mark.parametrize("sub", PHYSICS)
def test_physics_never_imports_validation_or_lammps_drivers(sub):
    folder = ANALYSIS / sub
    for path in _source_files(folder):
        for name in _imports(path):
            assert not name.startswith(("slowdyn.analysis.validation", "slowdyn.runs", "slowdyn.session")), \
                (path, name)


def test_library_keeps_no_global_state():
    """No matplotlib.use, pyplot, os.chdir or unrestored torch threads in slowdyn.analysis."""
    for path in _source_files(ANALYSIS):
        text = path.read_text()
        for bad in ("matplotlib.use(", "import matplotlib.pyplot", "os.chdir(", "set_num_threads("):
            assert bad not in text, (path, bad)


def test_user_text_cites_literature_not_internal_names():
    pattern = re.compile(r"laplace_f12|seed 0\d\d|issue \d", re.IGNORECASE)
    files = _source_files(ANALYSIS) + _source_files(Path(slowdyn.__file__).parent) + [REPO / "README.md"]
    for path in files:
        if path.exists():
            hits = pattern.findall(path.read_text())
            assert not hits, (path, hits)


def _package_imports(sub: str) -> set[str]:
    """The subpackages of slowdyn.analysis that ``sub`` imports anywhere (lazy imports included)."""
    out = set()
    for path in _source_files(ANALYSIS / sub):
        for name in _imports(path):
            parts = name.split(".")
            if parts[:2] == ["slowdyn", "analysis"] and len(parts) > 2 and parts[2] != sub:
                out.add(parts[2])
    return out


@pytest.mark.parametrize("classical, built_on_it", [("laplace", "nnlt"), ("mct", "memory")])
def test_no_package_cycle(classical, built_on_it):
    """The classical inversions (laplace) and the MCT models (mct) do not depend on what is built on
    them: nnlt uses laplace (its grids, refinement, exponential sums), memory uses mct (mctpy's solver)."""
    assert built_on_it not in _package_imports(classical), (classical, built_on_it)
    assert classical in _package_imports(built_on_it), (built_on_it, classical)
